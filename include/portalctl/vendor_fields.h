/*
 * vendor fields: the forms each vendor offers, as constant data (struct
 * form_spec, see form.h). Field keys are the vendor's own names as sent on
 * the wire, so a field error from the vendor lands on the right field, and
 * limits and patterns are copied from the vendor documents
 * (shared/seeds, shared/api) with every decision marked where it is made.
 *
 * A form holds the request's body fields (and, for Zoho's invite, the query
 * parameters); path parameters such as the portal being renamed are not form
 * fields, they come from the selected object.
 *
 * Never: code here. Request building and parsing live in the vendor
 * adapters; checking lives in the form module.
 */
#ifndef PORTALCTL_VENDOR_FIELDS_H
#define PORTALCTL_VENDOR_FIELDS_H

#include <portalctl/form.h>

/* ECGrid REST v2 (src/vendors/ecgrid_fields.c) */
extern const struct form_spec ecgrid_create_portal_form; /* POST /v2/portals/create */
extern const struct form_spec ecgrid_create_user_form;   /* POST /v2/users */
extern const struct form_spec ecgrid_update_user_form;   /* PUT /v2/users */
extern const struct form_spec ecgrid_set_role_form;      /* POST /v2/users/role */
extern const struct form_spec ecgrid_set_password_form;  /* POST /v2/users/password */
extern const char *const ecgrid_auth_levels[];           /* highest first, NULL-terminated */

/* Zoho CRM v7 client portals (src/vendors/zoho_fields.c) */
extern const struct form_spec zoho_create_portal_form; /* POST /settings/portals */
extern const struct form_spec zoho_rename_portal_form; /* PUT /settings/portals/{name} */
extern const struct form_spec zoho_invite_user_form;   /* find or create contact, invite */
extern const struct form_spec zoho_contact_form;       /* POST /Contacts, when none exists */

/* Valstorm v1 portals (src/vendors/valstorm_fields.c) */
extern const struct form_spec valstorm_create_portal_form; /* POST /v1/portal */
extern const struct form_spec valstorm_update_portal_form; /* PATCH /v1/portal/{id} */
extern const struct form_spec valstorm_invite_user_form;   /* one row of POST …/users */
extern const struct form_spec valstorm_add_portal_form;    /* local: remember a portal by id */

/* Every form of a vendor, NULL-terminated: for vendor_ops and the tests. */
extern const struct form_spec *const ecgrid_form_specs[];
extern const struct form_spec *const zoho_form_specs[];
extern const struct form_spec *const valstorm_form_specs[];

#endif
