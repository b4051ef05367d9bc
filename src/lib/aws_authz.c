/* SPDX-License-Identifier: MIT */
/*
 * The reader of `aws iam get-account-authorization-details --output json`,
 * whose fields are those of the GetAccountAuthorizationDetails response
 * (docs.aws.amazon.com/IAM/latest/APIReference/
 * API_GetAccountAuthorizationDetails.html).
 */
#include "nhi/aws.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws_policy.h"
#include "jstream.h"
#include "strmap.h"
#include "util.h"


typedef enum list_kind {
    LIST_USERS,
    LIST_GROUPS,
    LIST_ROLES,
    LIST_POLICIES,
    LIST_COUNT
} list_kind;

static const char *const list_names[LIST_COUNT] = {
    "UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"};

/*
 * A user, role or group read from the file, with what can only be
 * resolved once the whole file is read: managed policies usually come
 * after the principals that attach them.
 */
typedef struct staged {
    nhi_identity *identity;       /* a user or a role, or NULL */
    nhi_group *group;             /* a group, or NULL */
    const char *account;          /* groups: the account in the ARN */
    nhi_policy **inline_policies; /* in the graph's arena */
    size_t inline_count;
    const char **attached; /* managed policy ARNs */
    size_t attached_count;
    nhi_policy *trust; /* roles */
} staged;

typedef struct reader {
    nhi_graph *graph;
    nhi_diags *diags;
    const char *path; /* interned, so that locations can point to it */
    nhi_jstream stream;
    staged *principals;
    size_t principal_count;
    size_t principal_capacity;
    nhi_policy **managed;
    size_t managed_count;
    size_t managed_capacity;
    const char **accounts; /* interned, in the order first seen */
    size_t account_count;
    size_t account_capacity;
    nhi_strmap account_index;
    nhi_strmap keys_seen; /* top-level keys read so far, owned */
    bool truncated;       /* the first-page warning was given */
    int status;           /* NHI_ENOMEM once an allocation failed */
} reader;

/* One element of a top-level list. */
typedef struct element {
    reader *r;
    const json_t *object;
    unsigned line;
    unsigned column;
    char json_path[48]; /* e.g. RoleDetailList[12] */
    const char *noun;   /* user, group, role, managed policy */
    bool valid;         /* false once a problem leaves the element out */
} element;

/*
 * Report a problem in the element at its line:column. `suffix` extends its
 * JSON path, such as ".Tags[2]", and may be "".
 */
static nhi_error *element_report(element *e, nhi_level level,
                                 const char *suffix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static nhi_error *element_report(element *e, nhi_level level,
                                 const char *suffix, const char *fmt, ...)
{
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error = nhi_diags_addv(e->r->diags, level, NHI_EINPUT, e->r->path, e->line,
                           e->column, fmt, args);
    va_end(args);
    nhi_error_set_location(error, "%s%s", e->json_path, suffix);
    return error;
}

static void element_left_out(element *e, nhi_error *error)
{
    nhi_error_set_hint(error,
                       "export the file again without editing it; "
                       "this %s was left out",
                       e->noun);
    e->valid = false;
}

static void *allocate(reader *r, size_t count, size_t size)
{
    void *items;

    if (count == 0)
        return NULL;
    if (count > SIZE_MAX / size) {
        r->status = NHI_ENOMEM;
        return NULL;
    }
    items = nhi_graph_alloc(r->graph, count * size);
    if (items == NULL)
        r->status = NHI_ENOMEM;
    return items;
}

static const char *intern(reader *r, const char *text)
{
    const char *interned = nhi_graph_intern(r->graph, text);

    if (interned == NULL)
        r->status = NHI_ENOMEM;
    return interned;
}

static const char *intern_n(reader *r, const char *text, size_t length)
{
    const char *interned = nhi_graph_intern_n(r->graph, text, length);

    if (interned == NULL)
        r->status = NHI_ENOMEM;
    return interned;
}

/* A string in the graph's arena, formatted. */
static const char *arena_printf(reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *arena_printf(reader *r, const char *fmt, ...)
{
    va_list args;
    int length;
    char *text;

    va_start(args, fmt);
    length = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (length < 0) {
        r->status = NHI_ENOMEM;
        return NULL;
    }
    text = allocate(r, (size_t)length + 1, 1);
    if (text == NULL)
        return NULL;
    va_start(args, fmt);
    vsnprintf(text, (size_t)length + 1, fmt, args);
    va_end(args);
    return text;
}

/*
 * The string member `key` of `object` (at `suffix` within the element),
 * interned. NULL when it is absent or not a string. A value that is not a
 * string is always reported, an absent one only when `required`, and when
 * `required` either problem leaves the element out.
 */
static const char *get_string(element *e, const json_t *object,
                              const char *suffix, const char *key,
                              bool required)
{
    const json_t *value = json_object_get(object, key);

    if (json_is_string(value))
        return intern(e->r, json_string_value(value));
    if (value == NULL && !required)
        return NULL;
    if (value == NULL)
        element_left_out(e, element_report(e, NHI_LEVEL_ERROR, suffix,
                                           "missing %s in %s", key, e->noun));
    else if (required)
        element_left_out(e, element_report(e, NHI_LEVEL_ERROR, suffix,
                                           "invalid %s: expected a string, "
                                           "not %s",
                                           key, nhi_json_type_name(value)));
    else
        nhi_error_set_hint(element_report(e, NHI_LEVEL_ERROR, suffix,
                                          "invalid %s: expected a string, not "
                                          "%s",
                                          key, nhi_json_type_name(value)),
                           "export the file again without editing it; the "
                           "value was ignored");
    return NULL;
}

/*
 * The string member `key` of `object`, a part of the element such as a tag
 * or an inline policy (at `suffix`), interned. NULL when it is absent or
 * not a string, reported once as leaving out that `part`.
 */
static const char *get_part_string(element *e, const json_t *object,
                                   const char *suffix, const char *key,
                                   const char *part)
{
    const json_t *value =
        json_is_object(object) ? json_object_get(object, key) : NULL;
    nhi_error *error;

    if (json_is_string(value))
        return intern(e->r, json_string_value(value));
    if (!json_is_object(object))
        error = element_report(e, NHI_LEVEL_ERROR, suffix,
                               "invalid %s: expected an object, not %s", part,
                               nhi_json_type_name(object));
    else if (value == NULL)
        error = element_report(e, NHI_LEVEL_ERROR, suffix, "missing %s in %s",
                               key, part);
    else
        error = element_report(e, NHI_LEVEL_ERROR, suffix,
                               "invalid %s: expected a string, not %s", key,
                               nhi_json_type_name(value));
    nhi_error_set_hint(error,
                       "export the file again without editing it; "
                       "this %s was left out",
                       part);
    return NULL;
}

/* The RFC 3339 time in member `key`, or NHI_TIME_UNKNOWN. */
static nhi_time get_time(element *e, const json_t *object, const char *suffix,
                         const char *key)
{
    char buffer[NHI_EXCERPT_MAX + 8];
    const json_t *value = json_object_get(object, key);
    const char *text = json_string_value(value);
    nhi_time time;

    if (value == NULL)
        return NHI_TIME_UNKNOWN;
    if (text && nhi_time_parse(text, &time))
        return time;
    nhi_error_set_hint(
        element_report(e, NHI_LEVEL_ERROR, suffix,
                       "invalid %s %s: expected an RFC 3339 date-time such as "
                       "2019-01-25T18:12:59Z",
                       key,
                       text ? nhi_excerpt(text, buffer, sizeof(buffer))
                            : nhi_json_type_name(value)),
        "export the file again without editing it; the time is unknown");
    return NHI_TIME_UNKNOWN;
}

/* The list member `key`, or NULL when absent or invalid (reported). */
static const json_t *get_list(element *e, const json_t *object, const char *key)
{
    const json_t *value = json_object_get(object, key);
    char suffix[64];

    if (value == NULL || json_is_array(value))
        return value;
    snprintf(suffix, sizeof(suffix), ".%s", key);
    nhi_error_set_hint(element_report(e, NHI_LEVEL_ERROR, suffix,
                                      "invalid %s: expected a list, not %s",
                                      key, nhi_json_type_name(value)),
                       "export the file again without editing it; %s was "
                       "ignored",
                       key);
    return NULL;
}

static void note_account(reader *r, const char *account)
{
    const char *interned;

    if (strcmp(account, "aws") == 0 ||
        nhi_strmap_get(&r->account_index, account, strlen(account)))
        return;
    interned = intern(r, account);
    if (interned == NULL ||
        nhi_grow((void **)&r->accounts, &r->account_capacity,
                 r->account_count + 1, sizeof(*r->accounts)) < 0 ||
        nhi_strmap_put(&r->account_index, interned, strlen(interned),
                       (void *)interned) < 0) {
        r->status = NHI_ENOMEM;
        return;
    }
    r->accounts[r->account_count++] = interned;
}

/*
 * The element's Arn, which must be an IAM ARN of `type`. Stores its parts
 * in `*arn` and returns it interned, or NULL (reported, element left out).
 */
static const char *read_arn(element *e, const char *type, nhi_aws_arn *arn)
{
    char buffer[NHI_EXCERPT_MAX + 8];
    const char *text = get_string(e, e->object, "", "Arn", true);

    if (text == NULL)
        return NULL;
    if (!nhi_aws_arn_parse(text, arn) || strcmp(arn->type, type) != 0) {
        element_left_out(
            e, element_report(e, NHI_LEVEL_ERROR, ".Arn",
                              "invalid ARN %s: expected "
                              "arn:PARTITION:iam::ACCOUNT:%s/NAME with a "
                              "12-digit ACCOUNT",
                              nhi_excerpt(text, buffer, sizeof(buffer)), type));
        return NULL;
    }
    note_account(e->r, arn->account);
    return text;
}

static nhi_location element_location(element *e, const char *suffix)
{
    nhi_location location = {
        .source = e->r->path,
        .line = e->line,
        .column = e->column,
        .json_path = arena_printf(e->r, "%s%s", e->json_path, suffix),
    };
    return location;
}

/* A policy with one version, for inline and trust policies. */
static nhi_policy *new_single_policy(element *e, nhi_policy_kind kind,
                                     const char *name, const char *owner,
                                     const char *suffix)
{
    nhi_policy *policy = allocate(e->r, 1, sizeof(*policy));

    if (policy == NULL)
        return NULL;
    policy->versions = allocate(e->r, 1, sizeof(*policy->versions));
    if (policy->versions == NULL)
        return NULL;
    policy->kind = kind;
    policy->name = name;
    policy->owner = owner;
    policy->version_count = 1;
    policy->default_version = 0;
    policy->versions[0].is_default = true;
    policy->versions[0].created = NHI_TIME_UNKNOWN;
    policy->location = element_location(e, suffix);
    return policy;
}

/* Parse `document` (NULL when absent) into `version`. */
static void parse_document(element *e, nhi_aws_document_type type,
                           const json_t *document, const char *json_path,
                           nhi_policy_version *version)
{
    nhi_aws_document_source source = {
        .graph = e->r->graph,
        .diags = e->r->diags,
        .path = e->r->path,
        .line = e->line,
        .column = e->column,
        .json_path = json_path,
    };

    if (json_path == NULL)
        return; /* memory ran out building it */
    if (document == NULL) {
        nhi_error *error =
            nhi_diags_add(e->r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, e->r->path,
                          e->line, e->column, "missing policy document");
        nhi_error_set_location(error, "%s", json_path);
        nhi_error_set_hint(error, "export the file again without editing it; "
                                  "this policy was marked invalid, with no "
                                  "statements");
        version->invalid = true;
        return;
    }
    if (nhi_aws_policy_parse(&source, type, document, version) < 0)
        e->r->status = NHI_ENOMEM;
}

/* UserPolicyList, GroupPolicyList or RolePolicyList into `out`. */
static void read_inline_policies(element *e, const char *key, const char *owner,
                                 staged *out)
{
    const json_t *list = get_list(e, e->object, key);
    size_t count = json_array_size(list);

    out->inline_policies = allocate(e->r, count, sizeof(*out->inline_policies));
    for (size_t i = 0; i < count && e->r->status == NHI_OK; i++) {
        const json_t *item = json_array_get(list, i);
        char suffix[64];
        const char *name;
        nhi_policy *policy;

        snprintf(suffix, sizeof(suffix), ".%s[%zu]", key, i);
        name = get_part_string(e, item, suffix, "PolicyName", "inline policy");
        if (name == NULL)
            continue;
        policy = new_single_policy(e, NHI_POLICY_INLINE, name, owner, suffix);
        if (policy == NULL || policy->location.json_path == NULL)
            return;
        parse_document(
            e, NHI_AWS_IDENTITY_POLICY, json_object_get(item, "PolicyDocument"),
            arena_printf(e->r, "%s.PolicyDocument", policy->location.json_path),
            &policy->versions[0]);
        out->inline_policies[out->inline_count++] = policy;
    }
}

/* AttachedManagedPolicies: ARNs resolved once the file is read. */
static void read_attached(element *e, staged *out)
{
    const json_t *list = get_list(e, e->object, "AttachedManagedPolicies");
    size_t count = json_array_size(list);

    out->attached = allocate(e->r, count, sizeof(*out->attached));
    for (size_t i = 0; i < count && e->r->status == NHI_OK; i++) {
        const json_t *item = json_array_get(list, i);
        char suffix[64], buffer[NHI_EXCERPT_MAX + 8];
        const char *arn;
        nhi_aws_arn parts;

        snprintf(suffix, sizeof(suffix), ".AttachedManagedPolicies[%zu]", i);
        arn = get_part_string(e, item, suffix, "PolicyArn", "attached policy");
        if (arn == NULL)
            continue;
        if (!nhi_aws_arn_parse(arn, &parts) ||
            strcmp(parts.type, "policy") != 0)
            nhi_error_set_hint(
                element_report(e, NHI_LEVEL_ERROR, suffix,
                               "invalid ARN %s: expected "
                               "arn:PARTITION:iam::ACCOUNT:policy/NAME",
                               nhi_excerpt(arn, buffer, sizeof(buffer))),
                "export the file again without editing it; the policy is "
                "listed as missing");
        out->attached[out->attached_count++] = arn;
    }
}

static void read_tags(element *e, nhi_identity *identity)
{
    const json_t *list = get_list(e, e->object, "Tags");
    size_t count = json_array_size(list);

    identity->tags = allocate(e->r, count, sizeof(*identity->tags));
    for (size_t i = 0; i < count && e->r->status == NHI_OK; i++) {
        const json_t *item = json_array_get(list, i);
        char suffix[64];
        nhi_tag *tag = &identity->tags[identity->tag_count];

        snprintf(suffix, sizeof(suffix), ".Tags[%zu]", i);
        tag->key = get_part_string(e, item, suffix, "Key", "tag");
        if (tag->key == NULL)
            continue;
        tag->value = get_part_string(e, item, suffix, "Value", "tag");
        if (tag->value == NULL)
            continue;
        identity->tag_count++;
    }
}

/* GroupList: the names of a user's groups. */
static void read_group_names(element *e, nhi_identity *identity)
{
    const json_t *list = get_list(e, e->object, "GroupList");
    size_t count = json_array_size(list);

    identity->groups = allocate(e->r, count, sizeof(*identity->groups));
    for (size_t i = 0; i < count && e->r->status == NHI_OK; i++) {
        const json_t *item = json_array_get(list, i);
        char suffix[64];

        if (json_is_string(item)) {
            identity->groups[identity->group_count++] =
                intern(e->r, json_string_value(item));
            continue;
        }
        snprintf(suffix, sizeof(suffix), ".GroupList[%zu]", i);
        nhi_error_set_hint(element_report(e, NHI_LEVEL_ERROR, suffix,
                                          "invalid group name: expected a "
                                          "string, not %s",
                                          nhi_json_type_name(item)),
                           "export the file again without editing it; this "
                           "group was left out");
    }
}

static void read_boundary(element *e, nhi_identity *identity)
{
    const json_t *boundary = json_object_get(e->object, "PermissionsBoundary");
    char buffer[NHI_EXCERPT_MAX + 8];
    nhi_aws_arn parts;

    if (boundary == NULL)
        return;
    if (!json_is_object(boundary)) {
        nhi_error_set_hint(element_report(e, NHI_LEVEL_ERROR,
                                          ".PermissionsBoundary",
                                          "invalid PermissionsBoundary: "
                                          "expected an object, not %s",
                                          nhi_json_type_name(boundary)),
                           "export the file again without editing it; the "
                           "boundary was ignored");
        return;
    }
    identity->boundary_arn = get_string(e, boundary, ".PermissionsBoundary",
                                        "PermissionsBoundaryArn", false);
    if (identity->boundary_arn == NULL ||
        (nhi_aws_arn_parse(identity->boundary_arn, &parts) &&
         strcmp(parts.type, "policy") == 0))
        return;
    nhi_error_set_hint(
        element_report(e, NHI_LEVEL_ERROR,
                       ".PermissionsBoundary.PermissionsBoundaryArn",
                       "invalid ARN %s: expected "
                       "arn:PARTITION:iam::ACCOUNT:policy/NAME",
                       nhi_excerpt(identity->boundary_arn, buffer, sizeof(buffer))),
        "export the file again without editing it; the boundary policy is "
        "unknown");
}

static void read_last_used(element *e, nhi_identity *identity)
{
    const json_t *last_used = json_object_get(e->object, "RoleLastUsed");

    if (last_used == NULL)
        return;
    if (!json_is_object(last_used)) {
        nhi_error_set_hint(element_report(e, NHI_LEVEL_ERROR, ".RoleLastUsed",
                                          "invalid RoleLastUsed: expected an "
                                          "object, not %s",
                                          nhi_json_type_name(last_used)),
                           "export the file again without editing it; the "
                           "last use is unknown");
        return;
    }
    identity->last_used =
        get_time(e, last_used, ".RoleLastUsed", "LastUsedDate");
    identity->last_used_region =
        get_string(e, last_used, ".RoleLastUsed", "Region", false);
}

static void read_instance_profiles(element *e, nhi_identity *identity)
{
    const json_t *list = get_list(e, e->object, "InstanceProfileList");
    size_t count = json_array_size(list);

    identity->instance_profiles =
        allocate(e->r, count, sizeof(*identity->instance_profiles));
    for (size_t i = 0; i < count && e->r->status == NHI_OK; i++) {
        const json_t *item = json_array_get(list, i);
        char suffix[64];
        const char *name;

        snprintf(suffix, sizeof(suffix), ".InstanceProfileList[%zu]", i);
        name = get_part_string(e, item, suffix, "InstanceProfileName",
                               "instance profile");
        if (name == NULL)
            continue;
        identity->instance_profiles[identity->instance_profile_count++] = name;
    }
}

static void stage(reader *r, const staged *item)
{
    if (nhi_grow((void **)&r->principals, &r->principal_capacity,
                 r->principal_count + 1, sizeof(*r->principals)) < 0) {
        r->status = NHI_ENOMEM;
        return;
    }
    r->principals[r->principal_count++] = *item;
}

/* The fields that users and roles share. */
static nhi_identity *read_identity(element *e, nhi_identity_kind kind,
                                   const char *type, const char *name_key,
                                   const char *id_key)
{
    nhi_identity *identity = allocate(e->r, 1, sizeof(*identity));
    nhi_aws_arn arn;

    if (identity == NULL)
        return NULL;
    identity->provider = NHI_PROVIDER_AWS;
    identity->kind = kind;
    identity->class_ = NHI_CLASS_UNKNOWN;
    identity->declaration = -1;
    identity->id = read_arn(e, type, &arn);
    identity->name = get_string(e, e->object, "", name_key, true);
    if (!e->valid)
        return NULL;
    identity->account = intern(e->r, arn.account);
    identity->path = get_string(e, e->object, "", "Path", false);
    if (identity->path == NULL)
        identity->path = intern_n(e->r, arn.path, arn.path_length);
    identity->unique_id = get_string(e, e->object, "", id_key, false);
    identity->created = get_time(e, e->object, "", "CreateDate");
    identity->last_used = NHI_TIME_UNKNOWN;
    identity->location = element_location(e, "");
    read_tags(e, identity);
    read_boundary(e, identity);
    return identity;
}

static void read_user(element *e)
{
    staged item = {0};

    item.identity =
        read_identity(e, NHI_KIND_AWS_USER, "user", "UserName", "UserId");
    if (item.identity == NULL)
        return;
    read_group_names(e, item.identity);
    read_inline_policies(e, "UserPolicyList", item.identity->id, &item);
    read_attached(e, &item);
    stage(e->r, &item);
}

static void read_role(element *e)
{
    staged item = {0};
    nhi_identity *identity;

    identity =
        read_identity(e, NHI_KIND_AWS_ROLE, "role", "RoleName", "RoleId");
    if (identity == NULL)
        return;
    item.identity = identity;
    read_last_used(e, identity);
    read_instance_profiles(e, identity);
    read_inline_policies(e, "RolePolicyList", identity->id, &item);
    read_attached(e, &item);

    item.trust = new_single_policy(e, NHI_POLICY_TRUST,
                                   intern(e->r, "AssumeRolePolicyDocument"),
                                   identity->id, ".AssumeRolePolicyDocument");
    if (item.trust == NULL || item.trust->location.json_path == NULL)
        return;
    parse_document(e, NHI_AWS_TRUST_POLICY,
                   json_object_get(e->object, "AssumeRolePolicyDocument"),
                   item.trust->location.json_path, &item.trust->versions[0]);
    identity->trust = item.trust;
    stage(e->r, &item);
}

static void read_group(element *e)
{
    staged item = {0};
    nhi_group *group = allocate(e->r, 1, sizeof(*group));
    nhi_aws_arn arn;

    if (group == NULL)
        return;
    group->arn = read_arn(e, "group", &arn);
    group->name = get_string(e, e->object, "", "GroupName", true);
    if (!e->valid)
        return;
    group->path = get_string(e, e->object, "", "Path", false);
    if (group->path == NULL)
        group->path = intern_n(e->r, arn.path, arn.path_length);
    group->location = element_location(e, "");
    item.group = group;
    item.account = intern(e->r, arn.account);
    read_inline_policies(e, "GroupPolicyList", group->arn, &item);
    read_attached(e, &item);
    stage(e->r, &item);
}

/* One entry of PolicyVersionList; false when it is left out. */
static bool read_policy_version(element *e, const json_t *item,
                                const char *policy_path, size_t index,
                                nhi_policy_version *version)
{
    char suffix[64];
    const json_t *flag;

    snprintf(suffix, sizeof(suffix), ".PolicyVersionList[%zu]", index);
    version->version_id =
        get_part_string(e, item, suffix, "VersionId", "policy version");
    if (version->version_id == NULL)
        return false;
    flag = json_object_get(item, "IsDefaultVersion");
    version->is_default = json_is_true(flag);
    version->created = get_time(e, item, suffix, "CreateDate");
    parse_document(
        e, NHI_AWS_IDENTITY_POLICY, json_object_get(item, "Document"),
        arena_printf(e->r, "%s%s.Document", policy_path, suffix), version);
    return true;
}

/*
 * Choose the default version: the one named by DefaultVersionId, else the
 * first with IsDefaultVersion. Returns false when there is none (reported).
 */
static bool choose_default(element *e, nhi_policy *policy,
                           const char *default_id)
{
    size_t by_id = SIZE_MAX, by_flag = SIZE_MAX;

    for (size_t i = 0; i < policy->version_count; i++) {
        const nhi_policy_version *version = &policy->versions[i];
        if (by_id == SIZE_MAX && default_id &&
            strcmp(version->version_id, default_id) == 0)
            by_id = i;
        if (by_flag == SIZE_MAX && version->is_default)
            by_flag = i;
    }

    if (by_id != SIZE_MAX && by_flag != SIZE_MAX && by_id != by_flag)
        nhi_error_set_hint(
            element_report(e, NHI_LEVEL_ERROR, "",
                           "DefaultVersionId is %s but IsDefaultVersion is "
                           "set on %s",
                           default_id, policy->versions[by_flag].version_id),
            "export the file again; %s was used as the default version",
            default_id);
    if (by_id == SIZE_MAX && default_id && by_flag != SIZE_MAX)
        nhi_error_set_hint(
            element_report(e, NHI_LEVEL_ERROR, "",
                           "default version %s not found in "
                           "PolicyVersionList",
                           default_id),
            "export the file again; %s was used as the default version",
            policy->versions[by_flag].version_id);

    policy->default_version = by_id != SIZE_MAX ? by_id : by_flag;
    if (policy->default_version == SIZE_MAX) {
        element_left_out(e, element_report(e, NHI_LEVEL_ERROR, "",
                                           "missing default version in "
                                           "managed policy %s",
                                           policy->arn));
        return false;
    }
    for (size_t i = 0; i < policy->version_count; i++)
        policy->versions[i].is_default = i == policy->default_version;
    return true;
}

static void read_managed_policy(element *e)
{
    nhi_policy *policy = allocate(e->r, 1, sizeof(*policy));
    const json_t *versions;
    const char *default_id;
    nhi_aws_arn arn;
    size_t count;

    if (policy == NULL)
        return;
    policy->kind = NHI_POLICY_MANAGED;
    policy->arn = read_arn(e, "policy", &arn);
    policy->name = get_string(e, e->object, "", "PolicyName", true);
    if (!e->valid)
        return;
    policy->aws_managed = strcmp(arn.account, "aws") == 0;
    policy->location = element_location(e, "");
    default_id = get_string(e, e->object, "", "DefaultVersionId", false);

    versions = get_list(e, e->object, "PolicyVersionList");
    count = json_array_size(versions);
    policy->versions = allocate(e->r, count, sizeof(*policy->versions));
    for (size_t i = 0; i < count && e->r->status == NHI_OK; i++)
        if (read_policy_version(e, json_array_get(versions, i), e->json_path, i,
                                &policy->versions[policy->version_count]))
            policy->version_count++;
    if (e->r->status != NHI_OK || !choose_default(e, policy, default_id))
        return;

    if (nhi_grow((void **)&e->r->managed, &e->r->managed_capacity,
                 e->r->managed_count + 1, sizeof(*e->r->managed)) < 0) {
        e->r->status = NHI_ENOMEM;
        return;
    }
    e->r->managed[e->r->managed_count++] = policy;
}

static void read_element(reader *r, list_kind kind, size_t index,
                         const json_t *value, unsigned line, unsigned column)
{
    static const char *const nouns[LIST_COUNT] = {"user", "group", "role",
                                                  "managed policy"};
    element e = {
        .r = r,
        .object = value,
        .line = line,
        .column = column,
        .noun = nouns[kind],
        .valid = true,
    };

    snprintf(e.json_path, sizeof(e.json_path), "%s[%zu]", list_names[kind],
             index);
    if (!json_is_object(value)) {
        element_left_out(&e, element_report(&e, NHI_LEVEL_ERROR, "",
                                            "invalid %s: expected an object, "
                                            "not %s",
                                            e.noun, nhi_json_type_name(value)));
        return;
    }
    switch (kind) {
    case LIST_USERS:
        read_user(&e);
        break;
    case LIST_GROUPS:
        read_group(&e);
        break;
    case LIST_ROLES:
        read_role(&e);
        break;
    case LIST_POLICIES:
        read_managed_policy(&e);
        break;
    case LIST_COUNT:
        break;
    }
}

/* Walk one of the four lists, parsing one element at a time. */
static int read_list(reader *r, list_kind kind)
{
    nhi_jstream *stream = &r->stream;
    int result = nhi_jstream_open_array(stream);

    for (size_t index = 0; result == NHI_OK; index++) {
        unsigned line, column;
        bool more;
        json_t *value;

        snprintf(stream->location, sizeof(stream->location), "%s[%zu]",
                 list_names[kind], index);
        result = nhi_jstream_next_element(stream, index, &more, &line, &column);
        if (result < 0 || !more)
            break;
        /* JSON_DECODE_ANY: an element that is not an object is valid JSON,
         * so it is a problem of that element only. */
        result = nhi_jstream_load(
            stream, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &value);
        if (result < 0)
            break;
        read_element(r, kind, index, value, line, column);
        json_decref(value);
        result = r->status;
    }
    stream->location[0] = '\0';
    return result;
}

static void warn_truncated(reader *r, unsigned line, unsigned column,
                           const char *key)
{
    nhi_error *error;

    if (r->truncated)
        return;
    r->truncated = true;
    error = nhi_diags_add(
        r->diags, NHI_LEVEL_WARNING, NHI_EINPUT, r->path, line, column,
        "the export is only the first page (%s): "
        "principals and policies on later pages are missing",
        strcmp(key, "IsTruncated") == 0 ? "IsTruncated is true"
                                        : "NextToken is set");
    nhi_error_set_location(error, "%s", key);
    nhi_error_set_hint(error, "export again with `aws iam "
                              "get-account-authorization-details --output "
                              "json` without --max-items or --no-paginate; "
                              "the AWS CLI then fetches every page itself");
}

/* A top-level member other than the four lists, read whole. */
static int read_other(reader *r, const char *key, unsigned line,
                      unsigned column)
{
    json_t *value;
    int result = nhi_jstream_load(&r->stream, JSON_DECODE_ANY, &value);

    if (result < 0)
        return result;
    for (size_t kind = 0; kind < LIST_COUNT; kind++) {
        if (strcmp(key, list_names[kind]) != 0)
            continue;
        nhi_error *error = nhi_diags_add(
            r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path, line, column,
            "invalid %s: expected a list, not %s", key, nhi_json_type_name(value));
        nhi_error_set_location(error, "%s", key);
        nhi_error_set_hint(error,
                           "export the file again without editing it; "
                           "%s was ignored",
                           key);
    }
    /* The AWS CLI prints NextToken when --max-items cut the output; the
     * raw API response has IsTruncated and Marker. */
    if ((strcmp(key, "IsTruncated") == 0 && json_is_true(value)) ||
        (strcmp(key, "NextToken") == 0 && json_is_string(value)))
        warn_truncated(r, line, column, key);
    json_decref(value);
    return NHI_OK;
}

/* Reject a top-level key seen before, as JSON_REJECT_DUPLICATES does. */
static int check_duplicate_key(reader *r, const char *key, unsigned line,
                               unsigned column)
{
    char buffer[NHI_EXCERPT_MAX + 8];
    size_t length = strlen(key);
    char *copy;

    if (nhi_strmap_get(&r->keys_seen, key, length))
        return nhi_jstream_error(&r->stream, line, column,
                                 "invalid JSON: duplicate object key %s",
                                 nhi_excerpt(key, buffer, sizeof(buffer)));
    copy = nhi_strndup(key, length);
    if (copy == NULL || nhi_strmap_put(&r->keys_seen, copy, length, copy) < 0) {
        free(copy);
        return NHI_ENOMEM;
    }
    return NHI_OK;
}

static int read_export(reader *r)
{
    nhi_jstream *stream = &r->stream;
    bool found_list = false;
    int result = nhi_jstream_open_object(stream);

    for (size_t index = 0; result == NHI_OK; index++) {
        const char *key;
        unsigned line, column;
        size_t kind = 0;

        result = nhi_jstream_next_member(stream, index, &key, &line, &column);
        if (result < 0 || key == NULL)
            break;
        result = check_duplicate_key(r, key, line, column);
        if (result < 0)
            break;
        while (kind < LIST_COUNT && strcmp(key, list_names[kind]) != 0)
            kind++;
        if (kind < LIST_COUNT)
            found_list = true;
        if (kind < LIST_COUNT && nhi_jstream_peek(stream) == '[')
            result = read_list(r, (list_kind)kind);
        else
            result = read_other(r, key, line, column);
    }
    if (result == NHI_OK)
        result = nhi_jstream_finish(stream);
    if (result == NHI_OK && !found_list) {
        nhi_error *error = nhi_diags_add(
            r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path, 1, 1,
            "not an authorization details export: none of UserDetailList, "
            "GroupDetailList, RoleDetailList and Policies found");
        nhi_error_set_hint(error, "export with `aws iam "
                                  "get-account-authorization-details "
                                  "--output json`");
    }
    return result;
}

/* Commit: everything below runs once the whole file has been read. */

static void add_policy(reader *r, nhi_policy *policy)
{
    if (r->status == NHI_OK && nhi_graph_add_policy(r->graph, policy) < 0)
        r->status = NHI_ENOMEM;
}

static void warn_duplicate(reader *r, const nhi_location *location,
                           const char *noun, const char *id,
                           const nhi_location *first)
{
    nhi_error *error;

    /* Other readers may add identities without a source. */
    if (first->source)
        error = nhi_diags_add(
            r->diags, NHI_LEVEL_WARNING, NHI_EINPUT, r->path, location->line,
            location->column, "duplicate %s %s: already read from %s:%u:%u",
            noun, id, first->source, first->line, first->column);
    else
        error = nhi_diags_add(r->diags, NHI_LEVEL_WARNING, NHI_EINPUT, r->path,
                              location->line, location->column,
                              "duplicate %s %s: already read from another "
                              "input",
                              noun, id);

    nhi_error_set_location(error, "%s", location->json_path);
    nhi_error_set_hint(error, "give each export once; the first one was kept");
}

static void commit_managed(reader *r)
{
    for (size_t i = 0; i < r->managed_count && r->status == NHI_OK; i++) {
        nhi_policy *policy = r->managed[i];
        const nhi_policy *first = nhi_graph_find_policy(r->graph, policy->arn);

        /* The same AWS managed policy is in the exports of many accounts. */
        if (first && !first->aws_managed)
            warn_duplicate(r, &policy->location, "managed policy", policy->arn,
                           &first->location);
        if (first == NULL)
            add_policy(r, policy);
    }
}

/*
 * Add the inline policies of `item` to the graph and attach them and the
 * managed policies it names, leaving room for `extra` more attachments.
 * ARNs not in the graph go to `*missing`.
 */
static void attach_policies(reader *r, const staged *item, size_t extra,
                            nhi_attachment **policies, size_t *policy_count,
                            const char ***missing, size_t *missing_count)
{
    size_t total = item->inline_count + item->attached_count + extra;

    *policies = allocate(r, total, sizeof(**policies));
    *missing = allocate(r, item->attached_count, sizeof(**missing));
    *policy_count = 0;
    *missing_count = 0;
    if (r->status != NHI_OK)
        return;

    for (size_t i = 0; i < item->inline_count; i++) {
        add_policy(r, item->inline_policies[i]);
        (*policies)[(*policy_count)++].policy = item->inline_policies[i];
    }
    for (size_t i = 0; i < item->attached_count; i++) {
        const nhi_policy *policy =
            nhi_graph_find_policy(r->graph, item->attached[i]);
        if (policy)
            (*policies)[(*policy_count)++].policy = policy;
        else
            (*missing)[(*missing_count)++] = item->attached[i];
    }
}

static void commit_group(reader *r, const staged *item)
{
    nhi_group *group = item->group;
    const nhi_group *first =
        nhi_graph_find_group(r->graph, item->account, group->name);

    if (first) {
        warn_duplicate(r, &group->location, "group", group->arn,
                       &first->location);
        return;
    }
    attach_policies(r, item, 0, &group->policies, &group->policy_count,
                    &group->missing_policies, &group->missing_count);
    if (r->status == NHI_OK && nhi_graph_add_group(r->graph, group) < 0)
        r->status = NHI_ENOMEM;
}

/*
 * Find the groups of a user, reporting those not in the graph. Stores them
 * in `groups` (NULL for those not found) and returns their policy count.
 */
static size_t find_groups(reader *r, const nhi_identity *identity,
                          const nhi_group **groups)
{
    size_t count = 0;

    for (size_t i = 0; i < identity->group_count; i++) {
        groups[i] = nhi_graph_find_group(r->graph, identity->account,
                                         identity->groups[i]);
        if (groups[i]) {
            count += groups[i]->policy_count;
            continue;
        }
        nhi_error *error = nhi_diags_add(
            r->diags, NHI_LEVEL_WARNING, NHI_EINPUT, r->path,
            identity->location.line, identity->location.column,
            "group '%s' of user %s not found in the export; its policies are "
            "not included",
            identity->groups[i], identity->id);
        nhi_error_set_location(error, "%s.GroupList[%zu]",
                               identity->location.json_path, i);
        nhi_error_set_hint(error, "export with `aws iam "
                                  "get-account-authorization-details` "
                                  "without --filter, so that groups are "
                                  "included");
    }
    return count;
}

static void commit_identity(reader *r, const staged *item)
{
    nhi_identity *identity = item->identity;
    const nhi_identity *first = nhi_graph_find_identity(r->graph, identity->id);
    const nhi_group **groups = NULL;
    size_t extra = 0;

    if (first) {
        warn_duplicate(r, &identity->location,
                       identity->kind == NHI_KIND_AWS_ROLE ? "role" : "user",
                       identity->id, &first->location);
        return;
    }
    if (identity->group_count > 0) {
        groups = calloc(identity->group_count, sizeof(*groups));
        if (groups == NULL) {
            r->status = NHI_ENOMEM;
            return;
        }
        extra = find_groups(r, identity, groups);
    }

    attach_policies(r, item, extra, &identity->policies,
                    &identity->policy_count, &identity->missing_policies,
                    &identity->missing_count);
    for (size_t i = 0; i < identity->group_count && r->status == NHI_OK; i++) {
        for (size_t j = 0; groups[i] && j < groups[i]->policy_count; j++) {
            nhi_attachment *attachment =
                &identity->policies[identity->policy_count++];
            attachment->policy = groups[i]->policies[j].policy;
            attachment->via_group = groups[i]->name;
        }
    }
    free(groups);

    if (identity->boundary_arn)
        identity->boundary =
            nhi_graph_find_policy(r->graph, identity->boundary_arn);
    if (item->trust)
        add_policy(r, item->trust);
    if (r->status == NHI_OK && nhi_graph_add_identity(r->graph, identity) < 0)
        r->status = NHI_ENOMEM;
}

/* Add what the file contains to the graph: policies, groups, then users
 * and roles, which take their groups' policies. */
static int commit(reader *r)
{
    for (size_t i = 0; i < r->account_count && r->status == NHI_OK; i++)
        if (nhi_graph_add_account(r->graph, r->accounts[i]) < 0)
            r->status = NHI_ENOMEM;
    commit_managed(r);
    for (size_t i = 0; i < r->principal_count && r->status == NHI_OK; i++)
        if (r->principals[i].group)
            commit_group(r, &r->principals[i]);
    for (size_t i = 0; i < r->principal_count && r->status == NHI_OK; i++)
        if (r->principals[i].identity)
            commit_identity(r, &r->principals[i]);
    return r->status;
}

static void reader_free(reader *r)
{
    nhi_jstream_close(&r->stream);
    for (size_t i = 0; i < r->keys_seen.capacity; i++)
        free((char *)r->keys_seen.slots[i].key);
    nhi_strmap_free(&r->keys_seen);
    nhi_strmap_free(&r->account_index);
    free(r->principals);
    free(r->managed);
    free(r->accounts);
}

int nhi_aws_read_authz(nhi_graph *graph, const char *path, nhi_diags *diags)
{
    reader r = {.graph = graph, .diags = diags};
    size_t errors_before = diags->errors;
    int result;

    r.path = nhi_graph_intern(graph, path);
    if (r.path == NULL)
        return NHI_ENOMEM;
    result = nhi_jstream_open(&r.stream, r.path, NHI_AWS_MAX_FILE, diags);
    r.stream.syntax_hint = "fix the JSON at this position or export the file "
                           "again; nothing of this file was read";
    if (result == NHI_OK)
        result = read_export(&r);
    /* A syntax error stops the reading, and nothing staged is added.
     * NOTE: what was staged stays in the graph's arena, unreachable, until
     * the graph is freed, because an arena cannot free single objects. */
    if (result == NHI_OK)
        result = commit(&r);
    reader_free(&r);

    if (result == NHI_ENOMEM)
        return NHI_ENOMEM;
    return diags->errors > errors_before ? NHI_EINPUT : NHI_OK;
}
