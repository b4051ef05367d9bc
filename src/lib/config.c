/* SPDX-License-Identifier: MIT */
/* The workspace config `nhi.yaml`: read, validated, applied. */
#include "nhi/config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nhi/decl.h"
#include "nhi/rules.h"
#include "util.h"
#include "ytree.h"

#define DEFAULT_THRESHOLD (90 * (int64_t)NHI_DAY)
/* Largest catalog CSV: 4 MiB is thousands of actions. */
#define MAX_CATALOG_FILE (4u * 1024 * 1024)

void nhi_config_init(nhi_config *config)
{
    memset(config, 0, sizeof(*config));
    config->max_credential_age = DEFAULT_THRESHOLD;
    config->unused_after = DEFAULT_THRESHOLD;
}

void nhi_config_free(nhi_config *config)
{
    if (config == NULL)
        return;
    free(config->path);
    free(config->root);
    for (size_t i = 0; i < config->account_count; i++) {
        free(config->accounts[i].id);
        free(config->accounts[i].name);
        free(config->accounts[i].environment);
    }
    free(config->accounts);
    for (size_t i = 0; i < config->cluster_count; i++) {
        free(config->clusters[i].name);
        free(config->clusters[i].environment);
        free(config->clusters[i].oidc_issuer);
        for (size_t k = 0; k < config->clusters[i].input_count; k++)
            free(config->clusters[i].inputs[k]);
        free(config->clusters[i].inputs);
    }
    free(config->clusters);
    for (size_t i = 0; i < config->repository_count; i++) {
        free(config->repositories[i].folder);
        free(config->repositories[i].repository);
    }
    free(config->repositories);
    for (size_t i = 0; i < config->severity_count; i++)
        free(config->severities[i].rule);
    free(config->severities);
    nhi_config_init(config);
}

static bool is_file(const char *path)
{
    struct stat info;

    return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

int nhi_workspace_find(nhi_config *config, const char *start)
{
    char *folder = realpath(start, NULL);

    if (folder == NULL)
        return NHI_EIO;
    for (;;) {
        char *candidate = nhi_asprintf("%s%s" NHI_CONFIG_NAME, folder,
                                       strcmp(folder, "/") == 0 ? "" : "/");
        if (candidate == NULL) {
            free(folder);
            return NHI_ENOMEM;
        }
        if (is_file(candidate)) {
            config->root = folder;
            config->path = candidate;
            return NHI_OK;
        }
        free(candidate);
        char *slash = strrchr(folder, '/');
        if (slash == NULL || strcmp(folder, "/") == 0)
            break;
        if (slash == folder)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    free(folder);
    config->root = realpath(start, NULL);
    return config->root ? NHI_OK : NHI_EIO;
}

typedef struct reader {
    nhi_config *config;
    nhi_catalog *catalog;
    const char *path;
    nhi_diags *diags;
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
                           node->line, node->column, fmt, args);
    va_end(args);
    return error;
}

static bool expect_kind(reader *r, const char *key, const nhi_ynode *node,
                        nhi_ynode_kind kind)
{
    if (node->kind == kind)
        return true;
    nhi_error *error = node_error(r, node, "'%s' must be %s, not %s", key,
                                  nhi_ynode_kind_name(kind),
                                  nhi_ynode_kind_name(node->kind));
    nhi_error_set_hint(error, "see docs/workspace.md for the form of '%s'",
                       key);
    return false;
}

static const char *text_of(reader *r, const char *key, const nhi_ynode *node)
{
    if (!expect_kind(r, key, node, NHI_YNODE_SCALAR))
        return NULL;
    if (nhi_ynode_is_null(node)) {
        nhi_error *error = node_error(r, node, "'%s' has no value", key);
        nhi_error_set_hint(error, "give '%s' a value or remove it", key);
        return NULL;
    }
    return node->value;
}

static void unknown_key(reader *r, const nhi_ynode *key, const char *where,
                        const char *valid)
{
    nhi_error *error = node_error(r, key, "unknown key '%s' in %s",
                                  key->kind == NHI_YNODE_SCALAR ? key->value
                                                                : "?",
                                  where);
    nhi_error_set_hint(error, "the keys of %s are: %s", where, valid);
}

static int dup_into(const char *text, char **out)
{
    free(*out);
    *out = strdup(text);
    return *out ? NHI_OK : NHI_ENOMEM;
}

static int read_accounts(reader *r, const nhi_ynode *map)
{
    nhi_config *config = r->config;

    if (!expect_kind(r, "accounts", map, NHI_YNODE_MAPPING))
        return NHI_OK;
    if (config->accounts != NULL)
        return NHI_OK; /* a repeated key, reported by ytree */
    config->accounts = calloc(map->count / 2 + 1, sizeof(*config->accounts));
    if (config->accounts == NULL)
        return NHI_ENOMEM;

    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const nhi_ynode *id = map->items[i], *body = map->items[i + 1];
        nhi_account *account = &config->accounts[config->account_count];
        const char *id_text = text_of(r, "accounts", id);

        if (id_text == NULL || !expect_kind(r, id_text, body,
                                            NHI_YNODE_MAPPING))
            continue;
        if (dup_into(id_text, &account->id) < 0)
            return NHI_ENOMEM;
        account->line = id->line;
        account->column = id->column;
        config->account_count++;
        for (size_t k = 0; k + 1 < body->count; k += 2) {
            const nhi_ynode *key = body->items[k];
            const char *value;
            if (key->kind == NHI_YNODE_SCALAR &&
                strcmp(key->value, "name") == 0) {
                if ((value = text_of(r, "name", body->items[k + 1])) &&
                    dup_into(value, &account->name) < 0)
                    return NHI_ENOMEM;
            } else if (key->kind == NHI_YNODE_SCALAR &&
                       strcmp(key->value, "environment") == 0) {
                if ((value = text_of(r, "environment", body->items[k + 1])) &&
                    dup_into(value, &account->environment) < 0)
                    return NHI_ENOMEM;
            } else {
                unknown_key(r, key, "an account", "name, environment");
            }
        }
    }
    return NHI_OK;
}

/* The files and folders, relative to the workspace, that hold the
 * cluster's exports. */
static int read_cluster_inputs(reader *r, nhi_cluster *cluster,
                               const nhi_ynode *list)
{
    if (!expect_kind(r, "inputs", list, NHI_YNODE_SEQUENCE))
        return NHI_OK;
    cluster->inputs = calloc(list->count + 1, sizeof(*cluster->inputs));
    if (cluster->inputs == NULL)
        return NHI_ENOMEM;
    for (size_t i = 0; i < list->count; i++) {
        const char *text = text_of(r, "inputs", list->items[i]);
        if (text == NULL)
            continue;
        if (dup_into(text, &cluster->inputs[cluster->input_count]) < 0)
            return NHI_ENOMEM;
        cluster->input_count++;
    }
    return NHI_OK;
}

static int read_clusters(reader *r, const nhi_ynode *map)
{
    nhi_config *config = r->config;

    if (!expect_kind(r, "clusters", map, NHI_YNODE_MAPPING))
        return NHI_OK;
    if (config->clusters != NULL)
        return NHI_OK; /* a repeated key, reported by ytree */
    config->clusters = calloc(map->count / 2 + 1, sizeof(*config->clusters));
    if (config->clusters == NULL)
        return NHI_ENOMEM;

    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const nhi_ynode *name = map->items[i], *body = map->items[i + 1];
        nhi_cluster *cluster = &config->clusters[config->cluster_count];
        const char *name_text = text_of(r, "clusters", name);

        if (name_text == NULL ||
            !expect_kind(r, name_text, body, NHI_YNODE_MAPPING))
            continue;
        if (dup_into(name_text, &cluster->name) < 0)
            return NHI_ENOMEM;
        config->cluster_count++;
        for (size_t k = 0; k + 1 < body->count; k += 2) {
            const nhi_ynode *key = body->items[k], *value = body->items[k + 1];
            const char *text;
            char **target = NULL;

            if (key->kind == NHI_YNODE_SCALAR &&
                strcmp(key->value, "environment") == 0)
                target = &cluster->environment;
            else if (key->kind == NHI_YNODE_SCALAR &&
                     strcmp(key->value, "oidc_issuer") == 0)
                target = &cluster->oidc_issuer;
            else if (key->kind == NHI_YNODE_SCALAR &&
                     strcmp(key->value, "inputs") == 0) {
                if (read_cluster_inputs(r, cluster, value) < 0)
                    return NHI_ENOMEM;
                continue;
            } else {
                unknown_key(r, key, "a cluster",
                            "environment, oidc_issuer, inputs");
                continue;
            }
            if ((text = text_of(r, key->value, value)) &&
                dup_into(text, target) < 0)
                return NHI_ENOMEM;
        }
    }
    return NHI_OK;
}

static int read_repositories(reader *r, const nhi_ynode *map)
{
    nhi_config *config = r->config;

    if (!expect_kind(r, "repositories", map, NHI_YNODE_MAPPING))
        return NHI_OK;
    if (config->repositories != NULL)
        return NHI_OK; /* a repeated key, reported by ytree */
    config->repositories = calloc(map->count / 2 + 1,
                                  sizeof(*config->repositories));
    if (config->repositories == NULL)
        return NHI_ENOMEM;

    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const char *folder = text_of(r, "repositories", map->items[i]);
        const char *name = text_of(r, "repository", map->items[i + 1]);
        nhi_repository *repository;

        if (folder == NULL || name == NULL)
            continue;
        if (strchr(name, '/') == NULL) {
            nhi_error *error = node_error(r, map->items[i + 1],
                                          "invalid repository '%s'", name);
            nhi_error_set_hint(error, "write the repository as OWNER/REPO");
            continue;
        }
        repository = &config->repositories[config->repository_count++];
        if (dup_into(folder, &repository->folder) < 0 ||
            dup_into(name, &repository->repository) < 0)
            return NHI_ENOMEM;
    }
    return NHI_OK;
}

static void read_threshold(reader *r, const nhi_ynode *key,
                           const nhi_ynode *value)
{
    int64_t *target = NULL;
    const char *text;

    if (key->kind == NHI_YNODE_SCALAR &&
        strcmp(key->value, "max_credential_age") == 0)
        target = &r->config->max_credential_age;
    else if (key->kind == NHI_YNODE_SCALAR &&
             strcmp(key->value, "unused_after") == 0)
        target = &r->config->unused_after;
    if (target == NULL) {
        unknown_key(r, key, "thresholds", "max_credential_age, unused_after");
        return;
    }
    text = text_of(r, key->value, value);
    if (text && !nhi_duration_parse(text, true, target)) {
        nhi_error *error = node_error(r, value, "invalid duration '%s' for "
                                                "'%s'",
                                      text, key->value);
        nhi_error_set_hint(error, "write a whole number of hours, days or "
                                  "weeks, such as 12h, 90d or 4w");
    }
}

static void read_thresholds(reader *r, const nhi_ynode *map)
{
    if (!expect_kind(r, "thresholds", map, NHI_YNODE_MAPPING))
        return;
    for (size_t i = 0; i + 1 < map->count; i += 2)
        read_threshold(r, map->items[i], map->items[i + 1]);
}

static int read_severities(reader *r, const nhi_ynode *map)
{
    nhi_config *config = r->config;

    if (!expect_kind(r, "severities", map, NHI_YNODE_MAPPING))
        return NHI_OK;
    if (config->severities != NULL)
        return NHI_OK; /* a repeated key, reported by ytree */
    config->severities = calloc(map->count / 2 + 1,
                                sizeof(*config->severities));
    if (config->severities == NULL)
        return NHI_ENOMEM;

    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const char *rule = text_of(r, "severities", map->items[i]);
        const char *level = text_of(r, "severity", map->items[i + 1]);
        int severity;

        if (rule == NULL || level == NULL)
            continue;
        if (nhi_rule_find(rule) == NULL) {
            nhi_error *error = node_error(r, map->items[i], "unknown rule '%s'",
                                          rule);
            nhi_error_set_hint(error, "see docs/rules.md for the rule ids");
            continue;
        }
        severity = nhi_severity_from_name(level);
        if (severity < 0) {
            nhi_error *error = node_error(r, map->items[i + 1],
                                          "invalid severity '%s'", level);
            nhi_error_set_hint(error, "use critical, high, medium, low or "
                                      "info");
            continue;
        }
        nhi_severity_override *entry =
            &config->severities[config->severity_count++];
        entry->severity = (nhi_severity)severity;
        if (dup_into(rule, &entry->rule) < 0)
            return NHI_ENOMEM;
    }
    return NHI_OK;
}

/* A list of patterns, or one pattern, for one provider of a catalog entry. */
static int read_patterns(reader *r, nhi_provider provider,
                         const nhi_ynode *value, const char ***out,
                         size_t *count)
{
    const nhi_ynode *const *items = (const nhi_ynode *const *)value->items;
    size_t total = value->count;

    if (value->kind == NHI_YNODE_SCALAR) {
        items = &value;
        total = 1;
    } else if (value->kind != NHI_YNODE_SEQUENCE) {
        node_error(r, value, "patterns must be a list or a single pattern");
        return NHI_OK;
    }
    if (*out != NULL)
        return NHI_OK; /* a repeated provider key, reported by ytree */
    *out = calloc(total + 1, sizeof(**out));
    if (*out == NULL)
        return NHI_ENOMEM;
    for (size_t i = 0; i < total; i++) {
        const char *text = text_of(r, nhi_provider_name(provider), items[i]);
        nhi_provider shape;
        if (text == NULL)
            continue;
        if (nhi_action_classify(NULL, text, &shape) != NHI_ACTION_NATIVE ||
            shape != provider) {
            nhi_error *error = node_error(r, items[i], "invalid %s pattern "
                                                       "'%s'",
                                          nhi_provider_name(provider), text);
            nhi_error_set_hint(error, "write the action in %s's own form "
                                      "(see docs/catalog.md)",
                               nhi_provider_name(provider));
            continue;
        }
        (*out)[(*count)++] = text;
    }
    return NHI_OK;
}

static int read_catalog_entry(reader *r, const nhi_ynode *name_node,
                              const nhi_ynode *body)
{
    const char **patterns[NHI_PROVIDER_COUNT] = {0};
    size_t counts[NHI_PROVIDER_COUNT] = {0};
    const char *description = "";
    char *origin = NULL;
    const char *name = name_node->value;
    int result = NHI_OK;

    if (!nhi_catalog_valid_name(name)) {
        nhi_error *error = node_error(r, name_node, "invalid neutral action "
                                                    "name '%s'",
                                      name);
        nhi_error_set_hint(error, "name neutral actions 'area.verb' in lower "
                                  "case, such as 'orders.read'");
        return NHI_OK;
    }
    if (!expect_kind(r, name, body, NHI_YNODE_MAPPING))
        return NHI_OK;

    for (size_t k = 0; k + 1 < body->count; k += 2) {
        const nhi_ynode *key = body->items[k];
        int provider = key->kind == NHI_YNODE_SCALAR
                           ? nhi_provider_from_name(key->value)
                           : -1;
        if (provider >= 0) {
            result = read_patterns(r, (nhi_provider)provider,
                                   body->items[k + 1], &patterns[provider],
                                   &counts[provider]);
            if (result < 0)
                goto out;
        } else if (key->kind == NHI_YNODE_SCALAR &&
                   strcmp(key->value, "description") == 0) {
            const char *text = text_of(r, "description", body->items[k + 1]);
            if (text)
                description = text;
        } else {
            unknown_key(r, key, "a catalog action",
                        "description, aws, gcp, azure, kubernetes");
        }
    }

    origin = nhi_asprintf("%s:%u", r->path, name_node->line);
    if (origin == NULL) {
        result = NHI_ENOMEM;
        goto out;
    }
    result = nhi_catalog_set(r->catalog, name, description,
                             (const char *const *const *)patterns, counts,
                             origin);
out:
    free(origin);
    for (int p = 0; p < NHI_PROVIDER_COUNT; p++)
        free(patterns[p]);
    return result;
}

/* `include:` names catalog CSV files, relative to the config's folder. */
static int read_catalog_includes(reader *r, const nhi_ynode *value)
{
    const char *slash = strrchr(r->path, '/');
    int result = NHI_OK;

    if (!expect_kind(r, "include", value, NHI_YNODE_SEQUENCE))
        return NHI_OK;
    for (size_t i = 0; i < value->count && result >= 0; i++) {
        const char *name = text_of(r, "include", value->items[i]);
        char *path, *text = NULL;
        size_t length;

        if (name == NULL)
            continue;
        if (name[0] == '/' || slash == NULL)
            path = strdup(name);
        else
            path = nhi_asprintf("%.*s/%s", (int)(slash - r->path), r->path,
                                name);
        if (path == NULL)
            return NHI_ENOMEM;
        result = nhi_read_file(path, MAX_CATALOG_FILE, &text, &length);
        if (result < 0) {
            nhi_error *error = node_error(
                r, value->items[i], "cannot read catalog file '%s': %s", path,
                result == NHI_ELIMIT ? "larger than 4 MiB" : strerror(errno));
            nhi_error_set_hint(error, "check the path, which is relative to "
                                      "the folder of %s",
                               r->path);
            result = NHI_OK;
        } else {
            result = nhi_catalog_load_csv(r->catalog, path, text, length,
                                          r->diags);
            if (result == NHI_EINPUT)
                result = NHI_OK;
        }
        free(text);
        free(path);
    }
    return result;
}

static int read_catalog(reader *r, const nhi_ynode *map)
{
    int result = NHI_OK;

    if (!expect_kind(r, "catalog", map, NHI_YNODE_MAPPING))
        return NHI_OK;
    for (size_t i = 0; i + 1 < map->count && result >= 0; i += 2) {
        const nhi_ynode *key = map->items[i];
        if (key->kind != NHI_YNODE_SCALAR) {
            node_error(r, key, "catalog keys must be action names");
            continue;
        }
        if (strcmp(key->value, "include") == 0)
            result = read_catalog_includes(r, map->items[i + 1]);
        else
            result = read_catalog_entry(r, key, map->items[i + 1]);
    }
    return result;
}

static int read_top_key(reader *r, const nhi_ynode *key, const nhi_ynode *value)
{
    const char *name = key->value;

    if (strcmp(name, "accounts") == 0)
        return read_accounts(r, value);
    if (strcmp(name, "clusters") == 0)
        return read_clusters(r, value);
    if (strcmp(name, "repositories") == 0)
        return read_repositories(r, value);
    if (strcmp(name, "catalog") == 0)
        return read_catalog(r, value);
    if (strcmp(name, "severities") == 0)
        return read_severities(r, value);
    if (strcmp(name, "thresholds") == 0) {
        read_thresholds(r, value);
        return NHI_OK;
    }
    if (strcmp(name, "suppressions") == 0) {
        /* NOTE: suppressions are accepted and checked for shape only; no
         * finding is suppressed in this version. */
        expect_kind(r, "suppressions", value, NHI_YNODE_SEQUENCE);
        return NHI_OK;
    }
    unknown_key(r, key, "nhi.yaml",
                "accounts, clusters, repositories, thresholds, catalog, "
                "severities, suppressions");
    return NHI_OK;
}

int nhi_config_load(nhi_config *config, const char *path, nhi_catalog *catalog,
                    nhi_diags *diags)
{
    reader r = {config, catalog, path, diags};
    size_t errors = diags->errors;
    nhi_yfile *file = NULL;
    int result;

    result = nhi_yaml_load(path, &file, diags);
    if (result == NHI_ENOMEM)
        goto out;
    if (file && file->count > 1) {
        nhi_error *error = node_error(&r, file->documents[1],
                                      "nhi.yaml must hold one YAML document");
        nhi_error_set_hint(error, "remove the '---' and merge the documents");
    }
    if (file && file->count > 0 && !nhi_ynode_is_null(file->documents[0])) {
        const nhi_ynode *root = file->documents[0];
        if (expect_kind(&r, "nhi.yaml", root, NHI_YNODE_MAPPING)) {
            for (size_t i = 0; i + 1 < root->count; i += 2) {
                if (root->items[i]->kind != NHI_YNODE_SCALAR) {
                    node_error(&r, root->items[i], "keys must be names");
                    continue;
                }
                result = read_top_key(&r, root->items[i], root->items[i + 1]);
                if (result < 0)
                    goto out;
            }
        }
    }
    result = diags->errors > errors ? NHI_EINPUT : NHI_OK;
out:
    nhi_yfile_free(file);
    return result;
}

const nhi_account *nhi_config_account(const nhi_config *config, const char *id)
{
    for (size_t i = 0; i < config->account_count; i++)
        if (strcmp(config->accounts[i].id, id) == 0)
            return &config->accounts[i];
    return NULL;
}

nhi_severity nhi_config_severity(const nhi_config *config, const char *rule,
                                 nhi_severity fallback)
{
    for (size_t i = 0; i < config->severity_count; i++)
        if (strcmp(config->severities[i].rule, rule) == 0)
            return config->severities[i].severity;
    return fallback;
}
