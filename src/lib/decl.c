/* SPDX-License-Identifier: MIT */
/* Declarations of workload identities, read from YAML trees. */
#include "nhi/decl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "ytree.h"

typedef struct key_spec {
    const char *name;
    bool required;
} key_spec;

static const key_spec decl_keys[] = {
    {"name", true},
    {"environment", true},
    {"allowed_actions", true},
    {"credential_model", true},
    {"review", true},
    {"prohibited_actions", false},
    {"owner", false},
    {"description", false},
    {"identities", false},
    {"consumers", false},
    {"max_credential_age", false},
    {"last_reviewed", false},
    {"expires", false},
};
#define DECL_KEY_COUNT (sizeof(decl_keys) / sizeof(decl_keys[0]))

static const char *const model_names[] = {"short-lived-token", "rotated-key",
                                          "static-key"};

/* Consumer kinds and the form of their ids, for docs and messages. */
static const char *const consumer_kinds[] = {"github", "gitlab", "kubernetes",
                                             "aws", "gcp", "azure"};
#define CONSUMER_KIND_COUNT (sizeof(consumer_kinds) / sizeof(consumer_kinds[0]))

/* A duration above this many units is surely a typo (over 270 years). */
#define MAX_DURATION_UNITS 100000

const char *nhi_credential_model_name(nhi_credential_model model)
{
    return (unsigned)model < 3 ? model_names[model] : "unknown";
}

typedef struct reader {
    const char *path;
    const nhi_catalog *catalog;
    nhi_diags *diags;
    nhi_decl *decl;
} reader;

static nhi_error *node_error(reader *r, const nhi_ynode *node,
                             const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static nhi_error *node_error(reader *r, const nhi_ynode *node,
                             const char *fmt, ...)
{
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error = nhi_diags_addv(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path,
                           node ? node->line : 0, node ? node->column : 0, fmt,
                           args);
    va_end(args);
    if (r->decl)
        r->decl->valid = false;
    return error;
}

/* Edit distance, for "did you mean" hints on short key names. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t row[64], length_b = strlen(b);

    if (length_b >= 64 || strlen(a) >= 64)
        return 64;
    for (size_t j = 0; j <= length_b; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1]; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= length_b; j++) {
            size_t above = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diagonal + cost;
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[length_b];
}

static const char *closest_key(const char *key)
{
    const char *best = NULL;
    size_t best_distance = 4;

    for (size_t i = 0; i < DECL_KEY_COUNT; i++) {
        size_t distance = edit_distance(key, decl_keys[i].name);
        if (distance < best_distance) {
            best_distance = distance;
            best = decl_keys[i].name;
        }
    }
    return best;
}

static void unknown_key(reader *r, const nhi_ynode *key)
{
    nhi_error *error =
        node_error(r, key, "unknown key '%s' in workload_identity", key->value);
    const char *suggestion = closest_key(key->value);

    if (suggestion)
        nhi_error_set_hint(error, "did you mean '%s'?", suggestion);
    else
        nhi_error_set_hint(error, "the keys are name, environment, "
                                  "allowed_actions, prohibited_actions, "
                                  "credential_model, review, owner, "
                                  "description, identities, consumers, "
                                  "max_credential_age, last_reviewed, expires");
}

/* A non-empty scalar, else an error naming the key; returns its text. */
static const char *scalar_value(reader *r, const char *key,
                                const nhi_ynode *value)
{
    if (value->kind != NHI_YNODE_SCALAR) {
        nhi_error *error = node_error(r, value, "'%s' must be a single value, "
                                                "not %s",
                                      key, nhi_ynode_kind_name(value->kind));
        nhi_error_set_hint(error, "write '%s: VALUE' on one line", key);
        return NULL;
    }
    if (nhi_ynode_is_null(value)) {
        nhi_error *error = node_error(r, value, "'%s' has no value", key);
        nhi_error_set_hint(error, "give '%s' a value or remove the key", key);
        return NULL;
    }
    return value->value;
}

static int copy_text(const char *text, char **out)
{
    *out = strdup(text);
    return *out ? NHI_OK : NHI_ENOMEM;
}

static int read_string(reader *r, const char *key, const nhi_ynode *value,
                       char **out)
{
    const char *text = scalar_value(r, key, value);

    return text ? copy_text(text, out) : NHI_OK;
}

static void read_model(reader *r, const nhi_ynode *value)
{
    const char *text = scalar_value(r, "credential_model", value);

    if (text == NULL)
        return;
    for (int i = 0; i < 3; i++) {
        if (strcmp(text, model_names[i]) == 0) {
            r->decl->credential_model = (nhi_credential_model)i;
            return;
        }
    }
    nhi_error *error = node_error(r, value, "invalid credential_model '%s'",
                                  text);
    nhi_error_set_hint(error, "use short-lived-token, rotated-key or "
                              "static-key");
}

static int read_review(reader *r, const nhi_ynode *value)
{
    const char *text = scalar_value(r, "review", value);

    if (text == NULL)
        return NHI_OK;
    if (!nhi_review_parse(text, &r->decl->review_seconds)) {
        nhi_error *error = node_error(r, value, "invalid review cadence '%s'",
                                      text);
        nhi_error_set_hint(error, "use weekly, monthly, quarterly, yearly, "
                                  "or a number of days or weeks such as 30d "
                                  "or 2w");
        return NHI_OK;
    }
    return copy_text(text, &r->decl->review);
}

static void read_duration(reader *r, const char *key, const nhi_ynode *value,
                          int64_t *out)
{
    const char *text = scalar_value(r, key, value);

    if (text == NULL)
        return;
    if (!nhi_duration_parse(text, true, out)) {
        nhi_error *error = node_error(r, value, "invalid duration '%s' for "
                                                "'%s'",
                                      text, key);
        nhi_error_set_hint(error, "write a whole number of hours, days or "
                                  "weeks, such as 12h, 90d or 4w");
    }
}

static void read_date(reader *r, const char *key, const nhi_ynode *value,
                      nhi_time *out)
{
    const char *text = scalar_value(r, key, value);

    if (text == NULL)
        return;
    if (!nhi_time_parse(text, out)) {
        nhi_error *error = node_error(r, value, "invalid date '%s' for '%s'",
                                      text, key);
        nhi_error_set_hint(error, "write an RFC 3339 date such as 2026-12-01 "
                                  "or 2026-12-01T00:00:00Z");
    }
}

static bool require_sequence(reader *r, const char *key,
                             const nhi_ynode *value)
{
    if (value->kind == NHI_YNODE_SEQUENCE)
        return true;
    nhi_error *error = node_error(r, value, "'%s' must be a list, not %s", key,
                                  nhi_ynode_is_null(value)
                                      ? "empty"
                                      : nhi_ynode_kind_name(value->kind));
    nhi_error_set_hint(error, "write one '- entry' per line under '%s:'", key);
    return false;
}

static int read_actions(reader *r, const char *key, const nhi_ynode *value,
                        nhi_decl_action **out, size_t *out_count)
{
    nhi_decl_action *actions;
    size_t count = 0;

    if (!require_sequence(r, key, value) || value->count == 0)
        return NHI_OK;
    actions = calloc(value->count, sizeof(*actions));
    if (actions == NULL)
        return NHI_ENOMEM;
    *out = actions;

    for (size_t i = 0; i < value->count; i++) {
        const nhi_ynode *item = value->items[i];
        const char *text = scalar_value(r, key, item);
        nhi_decl_action *action = &actions[count];

        if (text == NULL)
            continue;
        action->kind = nhi_action_classify(r->catalog, text, &action->provider);
        if (action->kind == NHI_ACTION_UNKNOWN) {
            nhi_error *error = node_error(r, item, "unknown action '%s'", text);
            nhi_error_set_hint(error, "use a neutral action that 'nhi "
                                      "catalog' lists, or a provider action "
                                      "such as s3:GetObject, "
                                      "storage.objects.get, "
                                      "Microsoft.Storage/.../read or "
                                      "'get secrets'");
        }
        action->line = item->line;
        action->column = item->column;
        if (copy_text(text, &action->text) < 0)
            return NHI_ENOMEM;
        *out_count = ++count;
    }
    return NHI_OK;
}

static bool same_action(const nhi_decl_action *a, const nhi_decl_action *b)
{
    /* AWS action names are case-insensitive; the others are not. */
    if (a->kind == NHI_ACTION_NATIVE && b->kind == NHI_ACTION_NATIVE &&
        a->provider == NHI_PROVIDER_AWS && b->provider == NHI_PROVIDER_AWS)
        return nhi_streq_nocase(a->text, b->text);
    return strcmp(a->text, b->text) == 0;
}

static void check_conflicts(reader *r)
{
    const nhi_decl *decl = r->decl;

    for (size_t i = 0; i < decl->prohibited_count; i++) {
        const nhi_decl_action *prohibited = &decl->prohibited[i];
        for (size_t j = 0; j < decl->allowed_count; j++) {
            const nhi_decl_action *allowed = &decl->allowed[j];
            if (!same_action(prohibited, allowed))
                continue;
            nhi_ynode at = {.line = prohibited->line,
                            .column = prohibited->column};
            nhi_error *error = node_error(
                r, &at, "action '%s' is both allowed (line %u) and prohibited",
                prohibited->text, allowed->line);
            nhi_error_set_hint(error, "remove it from allowed_actions or from "
                                      "prohibited_actions");
            break;
        }
    }
}

static bool valid_binding_id(nhi_provider provider, const char *id)
{
    switch (provider) {
    case NHI_PROVIDER_AWS:
        return strncmp(id, "arn:", 4) == 0 && strstr(id, ":iam::") != NULL &&
               (strstr(id, ":role/") || strstr(id, ":user/") ||
                strstr(id, ":root"));
    case NHI_PROVIDER_GCP:
        return strchr(id, '@') != NULL && strchr(id, ' ') == NULL;
    case NHI_PROVIDER_AZURE:
        return strlen(id) >= 8 && strchr(id, ' ') == NULL;
    case NHI_PROVIDER_KUBERNETES: {
        /* An optional CLUSTER/ prefix names the cluster of nhi.yaml. */
        const char *account = strstr(id, "system:serviceaccount:");
        if (account == NULL ||
            (account != id && (account[-1] != '/' || account == id + 1 ||
                               memchr(id, '/', (size_t)(account - id - 1)))))
            return false;
        return strchr(account + 22, ':') != NULL &&
               account[strlen(account) - 1] != ':';
    }
    default:
        return false;
    }
}

static const char *binding_form(nhi_provider provider)
{
    switch (provider) {
    case NHI_PROVIDER_AWS:
        return "an IAM ARN such as arn:aws:iam::111122223333:role/NAME";
    case NHI_PROVIDER_GCP:
        return "a service account e-mail such as "
               "sa@project.iam.gserviceaccount.com";
    case NHI_PROVIDER_AZURE:
        return "the object id of the service principal or managed identity";
    case NHI_PROVIDER_KUBERNETES:
        return "system:serviceaccount:NAMESPACE:NAME, or "
               "CLUSTER/system:serviceaccount:NAMESPACE:NAME";
    default:
        return "a provider id";
    }
}

/* One `- key: value` item; returns the key node, or NULL after an error. */
static const nhi_ynode *single_pair(reader *r, const char *list,
                                    const nhi_ynode *item,
                                    const nhi_ynode **value)
{
    if (item->kind != NHI_YNODE_MAPPING || item->count != 2 ||
        item->items[0]->kind != NHI_YNODE_SCALAR) {
        nhi_error *error = node_error(r, item, "each entry of '%s' must be "
                                               "one 'kind: id' pair",
                                      list);
        if (strcmp(list, "consumers") == 0)
            nhi_error_set_hint(error, "write entries such as '- github: "
                                      "OWNER/REPO/WORKFLOW#JOB'");
        else
            nhi_error_set_hint(error, "write entries such as '- aws: "
                                      "arn:aws:iam::111122223333:role/NAME'");
        return NULL;
    }
    *value = item->items[1];
    return item->items[0];
}

static int read_identities(reader *r, const nhi_ynode *value)
{
    nhi_decl *decl = r->decl;

    if (!require_sequence(r, "identities", value) || value->count == 0)
        return NHI_OK;
    decl->identities = calloc(value->count, sizeof(*decl->identities));
    if (decl->identities == NULL)
        return NHI_ENOMEM;

    for (size_t i = 0; i < value->count; i++) {
        const nhi_ynode *id_node = NULL;
        const nhi_ynode *key = single_pair(r, "identities", value->items[i],
                                           &id_node);
        const char *id;
        int provider;

        if (key == NULL)
            continue;
        provider = nhi_provider_from_name(key->value);
        if (provider < 0) {
            nhi_error *error = node_error(r, key, "unknown provider '%s'",
                                          key->value);
            nhi_error_set_hint(error, "use aws, gcp, azure or kubernetes");
            continue;
        }
        id = scalar_value(r, key->value, id_node);
        if (id == NULL)
            continue;
        if (!valid_binding_id((nhi_provider)provider, id)) {
            nhi_error *error = node_error(r, id_node, "invalid %s identity "
                                                      "'%s'",
                                          key->value, id);
            nhi_error_set_hint(error, "write %s",
                               binding_form((nhi_provider)provider));
            continue;
        }
        nhi_decl_binding *binding = &decl->identities[decl->identity_count];
        binding->provider = (nhi_provider)provider;
        binding->line = id_node->line;
        binding->column = id_node->column;
        if (copy_text(id, &binding->id) < 0)
            return NHI_ENOMEM;
        decl->identity_count++;
    }
    return NHI_OK;
}

static int read_consumers(reader *r, const nhi_ynode *value)
{
    nhi_decl *decl = r->decl;

    if (!require_sequence(r, "consumers", value) || value->count == 0)
        return NHI_OK;
    decl->consumers = calloc(value->count, sizeof(*decl->consumers));
    if (decl->consumers == NULL)
        return NHI_ENOMEM;

    for (size_t i = 0; i < value->count; i++) {
        const nhi_ynode *id_node = NULL;
        const nhi_ynode *key = single_pair(r, "consumers", value->items[i],
                                           &id_node);
        const char *id;
        bool known = false;

        if (key == NULL)
            continue;
        for (size_t k = 0; k < CONSUMER_KIND_COUNT; k++)
            known = known || strcmp(key->value, consumer_kinds[k]) == 0;
        if (!known) {
            nhi_error *error = node_error(r, key, "unknown consumer kind '%s'",
                                          key->value);
            nhi_error_set_hint(error, "use github, gitlab, kubernetes, aws, "
                                      "gcp or azure");
            continue;
        }
        id = scalar_value(r, key->value, id_node);
        if (id == NULL)
            continue;
        nhi_decl_consumer *consumer = &decl->consumers[decl->consumer_count];
        consumer->line = id_node->line;
        consumer->column = id_node->column;
        if (copy_text(key->value, &consumer->kind) < 0 ||
            copy_text(id, &consumer->id) < 0)
            return NHI_ENOMEM;
        decl->consumer_count++;
    }
    return NHI_OK;
}

static int read_key(reader *r, const char *key, const nhi_ynode *value)
{
    nhi_decl *decl = r->decl;

    if (strcmp(key, "name") == 0)
        return read_string(r, key, value, &decl->name);
    if (strcmp(key, "environment") == 0)
        return read_string(r, key, value, &decl->environment);
    if (strcmp(key, "owner") == 0)
        return read_string(r, key, value, &decl->owner);
    if (strcmp(key, "description") == 0)
        return read_string(r, key, value, &decl->description);
    if (strcmp(key, "allowed_actions") == 0)
        return read_actions(r, key, value, &decl->allowed,
                            &decl->allowed_count);
    if (strcmp(key, "prohibited_actions") == 0)
        return read_actions(r, key, value, &decl->prohibited,
                            &decl->prohibited_count);
    if (strcmp(key, "credential_model") == 0)
        read_model(r, value);
    else if (strcmp(key, "review") == 0)
        return read_review(r, value);
    else if (strcmp(key, "identities") == 0)
        return read_identities(r, value);
    else if (strcmp(key, "consumers") == 0)
        return read_consumers(r, value);
    else if (strcmp(key, "max_credential_age") == 0)
        read_duration(r, key, value, &decl->max_credential_age);
    else if (strcmp(key, "last_reviewed") == 0)
        read_date(r, key, value, &decl->last_reviewed);
    else if (strcmp(key, "expires") == 0)
        read_date(r, key, value, &decl->expires);
    return NHI_OK;
}

static const key_spec *find_key(const char *name)
{
    for (size_t i = 0; i < DECL_KEY_COUNT; i++)
        if (strcmp(decl_keys[i].name, name) == 0)
            return &decl_keys[i];
    return NULL;
}

static int read_body(reader *r, const nhi_ynode *anchor, const nhi_ynode *body)
{
    bool seen[DECL_KEY_COUNT] = {false};
    int result;

    if (body == NULL) {
        nhi_error *error = node_error(r, anchor, "missing key "
                                                 "'workload_identity'");
        nhi_error_set_hint(error, "start each declaration with "
                                  "'workload_identity:'");
        return NHI_OK;
    }
    if (body->kind != NHI_YNODE_MAPPING) {
        nhi_error *error = node_error(r, body, "'workload_identity' must be a "
                                               "mapping, not %s",
                                      nhi_ynode_kind_name(body->kind));
        nhi_error_set_hint(error, "indent the keys name, environment, ... "
                                  "under 'workload_identity:'");
        return NHI_OK;
    }

    for (size_t i = 0; i + 1 < body->count; i += 2) {
        const nhi_ynode *key = body->items[i];
        const key_spec *spec;

        if (key->kind != NHI_YNODE_SCALAR) {
            node_error(r, key, "keys of workload_identity must be names");
            continue;
        }
        spec = find_key(key->value);
        if (spec == NULL) {
            unknown_key(r, key);
            continue;
        }
        if (seen[spec - decl_keys]) {
            /* ytree has reported the repeated key. Reading it again would
             * overwrite the first value's lists and their counts. */
            r->decl->valid = false;
            continue;
        }
        seen[spec - decl_keys] = true;
        result = read_key(r, key->value, body->items[i + 1]);
        if (result < 0)
            return result;
    }

    for (size_t i = 0; i < DECL_KEY_COUNT; i++) {
        if (!decl_keys[i].required || seen[i])
            continue;
        nhi_error *error = node_error(r, anchor, "missing required key '%s' "
                                                 "in workload_identity",
                                      decl_keys[i].name);
        nhi_error_set_hint(error, "add '%s:' (see docs/declarations.md)",
                           decl_keys[i].name);
    }
    check_conflicts(r);
    return NHI_OK;
}

int nhi_decl_read(nhi_decl_set *set, const char *path,
                  const nhi_ynode *root, const nhi_catalog *catalog,
                  nhi_diags *diags)
{
    reader r = {path, catalog, diags, NULL};
    const nhi_ynode *key = NULL;
    nhi_decl *decl;
    size_t errors = diags->errors;
    int result;

    if (nhi_grow((void **)&set->items, &set->capacity, set->count + 1,
                 sizeof(*set->items)) < 0)
        return NHI_ENOMEM;
    decl = &set->items[set->count++];
    memset(decl, 0, sizeof(*decl));
    decl->valid = true;
    decl->max_credential_age = -1;
    decl->last_reviewed = NHI_TIME_UNKNOWN;
    decl->expires = NHI_TIME_UNKNOWN;
    r.decl = decl;
    if (copy_text(path, &decl->path) < 0)
        return NHI_ENOMEM;

    for (size_t i = 0; i + 1 < root->count; i += 2) {
        const nhi_ynode *name = root->items[i];
        if (name->kind == NHI_YNODE_SCALAR &&
            strcmp(name->value, "workload_identity") == 0) {
            /* A repeated key is reported by ytree; the first is read. */
            if (key != NULL)
                decl->valid = false;
            else
                key = name;
            continue;
        }
        nhi_error *error = node_error(&r, name,
                                      "unexpected top-level key '%s' in a "
                                      "declaration",
                                      name->kind == NHI_YNODE_SCALAR
                                          ? name->value
                                          : "(not a name)");
        nhi_error_set_hint(error, "put every key under 'workload_identity:', "
                                  "one declaration per YAML document");
    }
    decl->line = key ? key->line : root->line;
    decl->column = key ? key->column : root->column;

    result = read_body(&r, key ? key : root, nhi_ymap_get(root,
                                                          "workload_identity"));
    if (result < 0)
        return result;
    return diags->errors > errors || !decl->valid ? NHI_EINPUT : NHI_OK;
}

static bool same_binding(const nhi_decl_binding *a, const nhi_decl_binding *b)
{
    return a->provider == b->provider && strcmp(a->id, b->id) == 0;
}

int nhi_decl_check_set(nhi_decl_set *set, nhi_diags *diags)
{
    size_t errors = diags->errors;

    for (size_t i = 0; i < set->count; i++) {
        nhi_decl *later = &set->items[i];
        for (size_t j = 0; j < i && later->name; j++) {
            const nhi_decl *first = &set->items[j];
            if (first->name == NULL || strcmp(first->name, later->name) != 0)
                continue;
            nhi_error *error = nhi_diags_add(
                diags, NHI_LEVEL_ERROR, NHI_EINPUT, later->path, later->line,
                later->column, "declaration name '%s' is already used at "
                               "%s:%u:%u",
                later->name, first->path, first->line, first->column);
            nhi_error_set_hint(error, "give each workload identity its own "
                                      "name; this declaration is not applied");
            later->valid = false;
            break;
        }
    }

    for (size_t i = 0; i < set->count; i++) {
        const nhi_decl *later = &set->items[i];
        for (size_t b = 0; b < later->identity_count; b++) {
            const nhi_decl_binding *binding = &later->identities[b];
            for (size_t j = 0; j < i; j++) {
                const nhi_decl *first = &set->items[j];
                for (size_t c = 0; c < first->identity_count; c++) {
                    if (!same_binding(binding, &first->identities[c]))
                        continue;
                    nhi_error *error = nhi_diags_add(
                        diags, NHI_LEVEL_ERROR, NHI_EINPUT, later->path,
                        binding->line, binding->column,
                        "identity '%s' is also bound by declaration '%s' at "
                        "%s:%u:%u",
                        binding->id, first->name ? first->name : "(unnamed)",
                        first->path, first->identities[c].line,
                        first->identities[c].column);
                    nhi_error_set_hint(error, "bind each identity in one "
                                              "declaration only; both are "
                                              "still applied");
                }
            }
        }
    }
    return diags->errors > errors ? NHI_EINPUT : NHI_OK;
}

static void action_free(nhi_decl_action *actions, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(actions[i].text);
    free(actions);
}

static void decl_free(nhi_decl *decl)
{
    free(decl->name);
    free(decl->environment);
    free(decl->owner);
    free(decl->description);
    free(decl->path);
    free(decl->review);
    action_free(decl->allowed, decl->allowed_count);
    action_free(decl->prohibited, decl->prohibited_count);
    for (size_t i = 0; i < decl->identity_count; i++)
        free(decl->identities[i].id);
    free(decl->identities);
    for (size_t i = 0; i < decl->consumer_count; i++) {
        free(decl->consumers[i].kind);
        free(decl->consumers[i].id);
    }
    free(decl->consumers);
}

void nhi_decl_set_init(nhi_decl_set *set)
{
    memset(set, 0, sizeof(*set));
}

void nhi_decl_set_free(nhi_decl_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->count; i++)
        decl_free(&set->items[i]);
    free(set->items);
    nhi_decl_set_init(set);
}

bool nhi_duration_parse(const char *text, bool allow_hours, int64_t *out)
{
    int64_t units = 0, unit_seconds;
    const char *c = text;

    if (!isdigit((unsigned char)*c))
        return false;
    while (isdigit((unsigned char)*c)) {
        units = units * 10 + (*c - '0');
        if (units > MAX_DURATION_UNITS)
            return false;
        c++;
    }
    if (c[0] == '\0' || c[1] != '\0' || units == 0)
        return false;
    switch (*c) {
    case 'h':
        if (!allow_hours)
            return false;
        unit_seconds = 3600;
        break;
    case 'd':
        unit_seconds = NHI_DAY;
        break;
    case 'w':
        unit_seconds = 7 * NHI_DAY;
        break;
    default:
        return false;
    }
    *out = units * unit_seconds;
    return true;
}

bool nhi_review_parse(const char *text, int64_t *out)
{
    static const struct {
        const char *name;
        int days;
    } cadences[] = {{"weekly", 7}, {"monthly", 31}, {"quarterly", 92},
                    {"yearly", 366}};

    for (size_t i = 0; i < sizeof(cadences) / sizeof(cadences[0]); i++) {
        if (strcmp(text, cadences[i].name) == 0) {
            *out = (int64_t)cadences[i].days * NHI_DAY;
            return true;
        }
    }
    return nhi_duration_parse(text, false, out);
}
