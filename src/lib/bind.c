/* SPDX-License-Identifier: MIT */
/*
 * Declarations bound to the identities of the graph: by the ids they list,
 * or (without `identities`) by name; and each identity's environment.
 */
#include <stdlib.h>
#include <string.h>

#include "nhi/audit.h"
#include "nhi/consumer.h"
#include "util.h"

static int bind_one(nhi_audit *audit, size_t decl_index,
                    nhi_identity *identity, nhi_diags *diags)
{
    nhi_binding_list *list = &audit->bound[decl_index];
    const nhi_decl_set *decls = &audit->workspace->decls;

    for (size_t i = 0; i < list->count; i++)
        if (list->items[i] == identity)
            return NHI_OK;
    if (identity->declaration >= 0 &&
        (size_t)identity->declaration != decl_index) {
        const nhi_decl *first = &decls->items[identity->declaration];
        const nhi_decl *later = &decls->items[decl_index];
        /* Bindings by id that clash were reported when the declarations
         * were checked; a clash through a name is only seen here. */
        if (first->identity_count == 0 || later->identity_count == 0) {
            nhi_error *error = nhi_diags_add(
                diags, NHI_LEVEL_ERROR, NHI_EINPUT, later->path, later->line,
                later->column,
                "identity '%s' is bound by declaration '%s' and by "
                "declaration '%s' at %s:%u:%u",
                identity->id, later->name, first->name, first->path,
                first->line, first->column);
            nhi_error_set_hint(error, "bind each identity in one declaration "
                                      "only, with 'identities:'; both are "
                                      "still applied");
        }
    } else {
        identity->declaration = (int)decl_index;
    }
    if (nhi_grow((void **)&list->items, &list->capacity, list->count + 1,
                 sizeof(*list->items)) < 0)
        return NHI_ENOMEM;
    list->items[list->count++] = identity;
    return NHI_OK;
}

/* The last path segment of an IAM ARN: the role or user name. */
static const char *arn_name(const char *arn)
{
    const char *slash = strrchr(arn, '/');

    return slash ? slash + 1 : NULL;
}

static bool arn_account_is(const char *arn, const char *account)
{
    const char *found = strstr(arn, account);

    return found && found[strlen(account)] == ':';
}

/*
 * An ARN that differs from a real one only in its path is a mistake in
 * the declaration; the real ARN is suggested.
 */
static const nhi_identity *same_name_other_path(const nhi_graph *graph,
                                                const char *arn)
{
    const char *name = arn_name(arn);
    bool role = strstr(arn, ":role/") != NULL;

    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < graph->identity_count; i++) {
        const nhi_identity *identity = graph->identities[i];
        if (strcmp(identity->name, name) == 0 &&
            (identity->kind == NHI_KIND_AWS_ROLE) == role &&
            arn_account_is(arn, identity->account))
            return identity;
    }
    return NULL;
}

/* A `kubernetes: system:serviceaccount:NS:NAME` binding names that
 * account on every cluster whose exports hold it (their ids carry a
 * `CLUSTER/` prefix). */
static int bind_accounts(nhi_audit *audit, size_t decl_index, const char *id,
                         nhi_diags *diags)
{
    nhi_graph *graph = audit->graph;
    size_t length = strlen(id);

    for (size_t i = 0; i < graph->identity_count; i++) {
        nhi_identity *identity = graph->identities[i];
        size_t own = strlen(identity->id);
        if (identity->kind != NHI_KIND_K8S_SERVICE_ACCOUNT || own <= length ||
            identity->id[own - length - 1] != '/' ||
            strcmp(identity->id + own - length, id) != 0)
            continue;
        int result = bind_one(audit, decl_index, identity, diags);
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

static int bind_listed(nhi_audit *audit, size_t decl_index, nhi_diags *diags)
{
    const nhi_decl *decl = &audit->workspace->decls.items[decl_index];
    nhi_graph *graph = audit->graph;
    int result;

    for (size_t b = 0; b < decl->identity_count; b++) {
        const nhi_decl_binding *binding = &decl->identities[b];
        nhi_identity *identity = nhi_graph_find_identity(graph, binding->id);
        const nhi_identity *near;

        if (identity) {
            result = bind_one(audit, decl_index, identity, diags);
            if (result < 0)
                return result;
            continue;
        }
        if (binding->provider == NHI_PROVIDER_KUBERNETES) {
            result = bind_accounts(audit, decl_index, binding->id, diags);
            if (result < 0)
                return result;
            continue;
        }
        if (binding->provider != NHI_PROVIDER_AWS)
            continue;
        near = same_name_other_path(graph, binding->id);
        if (near) {
            nhi_error *error = nhi_diags_add(
                diags, NHI_LEVEL_ERROR, NHI_EINPUT, decl->path, binding->line,
                binding->column, "identity '%s' is not in the exports, but "
                                 "'%s' differs from it only in its path",
                binding->id, near->id);
            nhi_error_set_hint(error, "write '- aws: %s'", near->id);
        }
    }
    return NHI_OK;
}

static int bind_by_name(nhi_audit *audit, size_t decl_index, nhi_diags *diags)
{
    const nhi_decl *decl = &audit->workspace->decls.items[decl_index];
    nhi_graph *graph = audit->graph;

    for (size_t i = 0; i < graph->identity_count; i++) {
        nhi_identity *identity = graph->identities[i];
        if (identity->kind == NHI_KIND_AWS_ROOT ||
            strcmp(identity->name, decl->name) != 0)
            continue;
        int result = bind_one(audit, decl_index, identity, diags);
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

static const char *tag_environment(const nhi_identity *identity)
{
    static const char *const keys[] = {"environment", "Environment",
                                       "environment-name", "env", "Env",
                                       "ENV", "ENVIRONMENT"};

    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        for (size_t t = 0; t < identity->tag_count; t++)
            if (strcmp(identity->tags[t].key, keys[k]) == 0)
                return identity->tags[t].value;
    return NULL;
}

static const char *cluster_env(const nhi_config *config, const char *cluster)
{
    for (size_t i = 0; cluster && i < config->cluster_count; i++)
        if (strcmp(config->clusters[i].name, cluster) == 0)
            return config->clusters[i].environment;
    return NULL;
}

/* Workloads take their cluster's environment. */
static void set_consumer_environments(nhi_audit *audit)
{
    nhi_graph *graph = audit->graph;

    for (size_t c = 0; c < graph->consumer_count; c++) {
        nhi_consumer *consumer = graph->consumers[c];
        if (consumer->kind == NHI_CONSUMER_KUBERNETES_WORKLOAD)
            consumer->environment =
                cluster_env(&audit->workspace->config, consumer->cluster);
    }
}

/* Environment: the declaration's, else the cluster's (service accounts),
 * else the account's, else a tag's. */
static void set_environments(nhi_audit *audit)
{
    const nhi_config *config = &audit->workspace->config;
    const nhi_decl_set *decls = &audit->workspace->decls;
    nhi_graph *graph = audit->graph;

    for (size_t i = 0; i < graph->identity_count; i++) {
        nhi_identity *identity = graph->identities[i];
        const nhi_account *account = identity->account
                                         ? nhi_config_account(config,
                                                              identity->account)
                                         : NULL;
        const char *cluster_environment =
            identity->kind == NHI_KIND_K8S_SERVICE_ACCOUNT
                ? cluster_env(config, identity->account)
                : NULL;
        if (identity->declaration >= 0)
            identity->environment =
                decls->items[identity->declaration].environment;
        else if (cluster_environment)
            identity->environment = cluster_environment;
        else if (account && account->environment)
            identity->environment = account->environment;
        else
            identity->environment = tag_environment(identity);
        /* Anything a declaration binds is a workload identity. */
        if (identity->declaration >= 0)
            identity->class_ = NHI_CLASS_WORKLOAD;
    }
}

int nhi_audit_bind(nhi_audit *audit, nhi_diags *diags)
{
    const nhi_decl_set *decls = &audit->workspace->decls;
    int result = NHI_OK;

    audit->bound = calloc(decls->count + 1, sizeof(*audit->bound));
    if (audit->bound == NULL)
        return NHI_ENOMEM;
    for (size_t d = 0; d < decls->count && result >= 0; d++) {
        const nhi_decl *decl = &decls->items[d];
        if (!decl->valid)
            continue;
        if (decl->identity_count > 0)
            result = bind_listed(audit, d, diags);
        else
            result = bind_by_name(audit, d, diags);
    }
    if (result >= 0) {
        set_environments(audit);
        set_consumer_environments(audit);
    }
    return result;
}
