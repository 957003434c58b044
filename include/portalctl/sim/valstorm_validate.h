/*
 * portal-sim, Valstorm: request validation shaped like FastAPI with
 * pydantic v2 — reading the body as FastAPI does (json_invalid, 400 on an
 * undecodable body) and collecting every error of a body into one
 * HTTPValidationError list (type, loc, msg, input, ctx), in field order.
 * Knows the rule kinds (string, e-mail, hostname, list), not the endpoints:
 * those are tables in valstorm.c.
 */
#ifndef PORTALCTL_SIM_VALSTORM_VALIDATE_H
#define PORTALCTL_SIM_VALSTORM_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include <portalctl/sim/sim.h>

enum valstorm_body_status {
    VALSTORM_BODY_OK,         /* *body set: NULL when absent or JSON null */
    VALSTORM_BODY_INVALID,    /* 422: *errors holds FastAPI's json_invalid entry */
    VALSTORM_BODY_UNREADABLE, /* 400: not UTF-8, or nested too deep for Python */
};

/* Reads the request body as FastAPI reads a JSON body: JSON when the
 * Content-Type is absent or application/json (or +json), else the raw text. */
enum valstorm_body_status valstorm_read_body(const struct sim_request *req, json_object **body,
                                             json_object **errors);

/* loc arrays: ["body"], prefix + field name, prefix + list index. */
json_object *valstorm_loc_body(void);
json_object *valstorm_loc_field(json_object *prefix, const char *field);
json_object *valstorm_loc_index(json_object *prefix, size_t index);

/* Appends one error. Takes loc and ctx (may be NULL); input is borrowed (NULL
 * gives JSON null). */
void valstorm_error_add(json_object *errors, const char *type, json_object *loc, const char *msg,
                        json_object *input, json_object *ctx);

enum valstorm_field_kind {
    VALSTORM_FIELD_STRING,   /* min/max length, optional strip */
    VALSTORM_FIELD_EMAIL,    /* pydantic's EmailStr (email-validator's reasons) */
    VALSTORM_FIELD_HOSTNAME, /* letters, digits, hyphens, dot-separated labels */
};

struct valstorm_field_rule {
    const char *name;
    enum valstorm_field_kind kind;
    bool required;
    bool nullable;
    bool strip;        /* lengths count after trimming whitespace */
    size_t min_length; /* characters; 0 = no minimum */
    size_t max_length; /* characters; 0 = no maximum */
};

/* The body as a model: absent (NULL) or not an object adds the error and
 * returns false. */
bool valstorm_check_body(json_object *body, json_object *errors);
/* A nested model (a bulk row) at loc, which it takes; false when not an object. */
bool valstorm_check_model(json_object *value, json_object *loc, json_object *errors);

/* Checks the fields of a model object in rule order. */
void valstorm_check_fields(json_object *object, const struct valstorm_field_rule *rules,
                           size_t count, json_object *prefix, json_object *errors);

/* A required list field with min..max entries; true when the entries should
 * be checked one by one (pydantic skips them when the length is wrong). */
bool valstorm_check_list(json_object *object, const char *field, size_t min, size_t max,
                         json_object *prefix, json_object *errors);

/* Why email-validator refuses an address, or NULL when it accepts it. */
const char *valstorm_email_problem(const char *email, char *buf, size_t size);
/* What pydantic keeps of a valid address: trimmed, domain lower-cased (g_free). */
char *valstorm_email_normalized(const char *email);
bool valstorm_is_hostname(const char *text);

/* The 422 HTTPValidationError answer; takes errors. */
void valstorm_reply_validation(struct sim_response *resp, json_object *errors);

#endif
