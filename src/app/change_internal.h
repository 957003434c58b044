/*
 * Private to the console's changes (src/app/change*.c): the console's own
 * form specs and the pieces change.c and change_run.c share.
 */
#ifndef PORTALCTL_CHANGE_INTERNAL_H
#define PORTALCTL_CHANGE_INTERNAL_H

#include <portalctl/change.h>
#include <portalctl/config.h>

/* change_forms.c */
extern const struct form_spec change_connection_form;
const struct form_spec *change_credentials_form(enum config_vendor vendor);

/* change.c: the rows to send, one form_values per person, and which form
 * line each came from (-1: the single-person fields). Errors go to errors
 * (keys of the form). NULL rows when nothing valid can be sent. */
GPtrArray *change_build_rows(const struct change *change, const struct form_values *values,
                             GArray *row_lines, struct form_errors *errors);

/* change_run.c */
struct browser_connection *change_connection(const struct change *change);
/* Lets a job in flight report to nobody (the change is being freed) and cancels it. */
void change_detach(struct change *change);

#endif
