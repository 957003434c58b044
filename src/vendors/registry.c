/*
 * The table of vendor adapters and the lookups over it and over their
 * operation tables. Each adapter adds itself here with one line.
 */
#include <portalctl/vendor.h>

#include <string.h>

static const struct vendor_ops *const vendors[] = {
    &ecgrid_vendor,
    &zoho_vendor,
    &valstorm_vendor,
    NULL,
};

static const char *const op_names[VOP_COUNT] = {
    [VOP_WHOAMI] = "whoami",
    [VOP_LIST_PORTALS] = "list-portals",
    [VOP_GET_PORTAL] = "show-portal",
    [VOP_CREATE_PORTAL] = "create-portal",
    [VOP_UPDATE_PORTAL] = "update-portal",
    [VOP_DELETE_PORTAL] = "delete-portal",
    [VOP_LIST_USERS] = "list-users",
    [VOP_GET_USER] = "show-user",
    [VOP_CREATE_USER] = "create-user",
    [VOP_UPDATE_USER] = "update-user",
    [VOP_INVITE_USERS] = "invite-users",
    [VOP_REMOVE_USER] = "remove-user",
    [VOP_SET_ROLE] = "set-role",
    [VOP_SET_PASSWORD] = "set-password",
    [VOP_RESET_SESSIONS] = "reset-sessions",
    [VOP_DEACTIVATE_USER] = "deactivate-user",
    [VOP_REACTIVATE_USER] = "reactivate-user",
    [VOP_LIST_USER_TYPES] = "list-user-types",
};

const char *vendor_op_name(enum vendor_op op)
{
    return op < VOP_COUNT ? op_names[op] : "unknown";
}

const struct vendor_ops *vendor_by_id(enum config_vendor id)
{
    for (size_t i = 0; vendors[i]; i++) {
        if (vendors[i]->id == id)
            return vendors[i];
    }
    return NULL;
}

const struct vendor_ops *vendor_by_name(const char *name)
{
    for (size_t i = 0; name && vendors[i]; i++) {
        if (strcmp(vendors[i]->name, name) == 0)
            return vendors[i];
    }
    return NULL;
}

const struct vendor_operation *vendor_find_operation(const struct vendor_ops *vendor,
                                                     enum vendor_op op)
{
    for (size_t i = 0; vendor && i < vendor->operation_count; i++) {
        if (vendor->operations[i].op == op)
            return &vendor->operations[i];
    }
    return NULL;
}
