/* SPDX-License-Identifier: MIT */
/* The identity graph's storage: arena, interned strings, indexes. */
#include "nhi/graph.h"

#include "nhi/consumer.h"
#include "nhi/k8s.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "strmap.h"
#include "util.h"

typedef struct graph_index {
    nhi_strmap identities; /* id -> identity */
    nhi_strmap policies;   /* managed policy ARN -> policy */
    nhi_strmap groups;     /* "account/name" -> group */
} graph_index;

static const char *const kind_names[NHI_KIND_COUNT] = {
    "aws-role", "aws-user", "aws-root", "kubernetes-service-account"};

const char *nhi_identity_kind_name(nhi_identity_kind kind)
{
    return (unsigned)kind < NHI_KIND_COUNT ? kind_names[kind] : "unknown";
}

const char *nhi_identity_class_name(nhi_identity_class class_)
{
    switch (class_) {
    case NHI_CLASS_WORKLOAD:
        return "workload";
    case NHI_CLASS_HUMAN:
        return "human";
    case NHI_CLASS_PROVIDER_MANAGED:
        return "provider-managed";
    case NHI_CLASS_UNKNOWN:
        return "unknown";
    }
    return "unknown";
}

int nhi_graph_new(nhi_graph **out)
{
    nhi_graph *graph = calloc(1, sizeof(*graph));

    *out = NULL;
    if (graph == NULL)
        return NHI_ENOMEM;
    graph->arena = nhi_arena_new();
    graph->strings = calloc(1, sizeof(nhi_strmap));
    graph->index = calloc(1, sizeof(graph_index));
    if (!graph->arena || !graph->strings || !graph->index) {
        nhi_graph_free(graph);
        return NHI_ENOMEM;
    }
    *out = graph;
    return NHI_OK;
}

void nhi_graph_free(nhi_graph *graph)
{
    graph_index *index;

    if (graph == NULL)
        return;
    index = graph->index;
    if (index) {
        nhi_strmap_free(&index->identities);
        nhi_strmap_free(&index->policies);
        nhi_strmap_free(&index->groups);
        free(index);
    }
    if (graph->strings) {
        nhi_strmap_free(graph->strings);
        free(graph->strings);
    }
    /* Identities live in the arena: free their lists before it. */
    for (size_t i = 0; i < graph->identity_count; i++)
        free(graph->identities[i]->credentials);
    free(graph->credentials);
    free(graph->consumers);
    free(graph->plaintexts);
    free(graph->edges);
    if (graph->k8s) {
        free(graph->k8s->roles);
        free(graph->k8s->bindings);
        free(graph->k8s->token_secrets);
        free(graph->k8s->mappings);
        free(graph->k8s->clusters);
    }
    nhi_arena_free(graph->arena);
    free(graph->identities);
    free(graph->groups);
    free(graph->policies);
    free(graph->accounts);
    free(graph);
}

void *nhi_graph_alloc(nhi_graph *graph, size_t size)
{
    return nhi_arena_alloc(graph->arena, size);
}

const char *nhi_graph_intern_n(nhi_graph *graph, const char *text,
                               size_t length)
{
    const char *found = nhi_strmap_get(graph->strings, text, length);
    char *copy;

    if (found)
        return found;
    copy = nhi_arena_strndup(graph->arena, text, length);
    if (copy == NULL || nhi_strmap_put(graph->strings, copy, length, copy) < 0)
        return NULL;
    return copy;
}

const char *nhi_graph_intern(nhi_graph *graph, const char *text)
{
    return nhi_graph_intern_n(graph, text, strlen(text));
}

int nhi_graph_add_identity(nhi_graph *graph, nhi_identity *identity)
{
    graph_index *index = graph->index;

    if (nhi_grow((void **)&graph->identities, &graph->identity_capacity,
                 graph->identity_count + 1, sizeof(*graph->identities)) < 0 ||
        nhi_strmap_put(&index->identities, identity->id, strlen(identity->id),
                       identity) < 0)
        return NHI_ENOMEM;
    identity->index = (unsigned)graph->identity_count;
    identity->declaration = -1;
    graph->identities[graph->identity_count++] = identity;
    return NHI_OK;
}

static char *group_key(nhi_graph *graph, const char *account, const char *name)
{
    size_t length = strlen(account) + strlen(name) + 2;
    char *key = nhi_graph_alloc(graph, length);

    if (key)
        snprintf(key, length, "%s/%s", account, name);
    return key;
}

/* The account id of an IAM ARN (arn:PARTITION:iam::ACCOUNT:...), or "". */
static const char *arn_account(nhi_graph *graph, const char *arn)
{
    const char *start = arn;

    for (int field = 0; field < 4 && start; field++) {
        start = strchr(start, ':');
        if (start)
            start++;
    }
    if (start == NULL)
        return "";
    const char *end = strchr(start, ':');
    return end ? nhi_graph_intern_n(graph, start, (size_t)(end - start)) : "";
}

int nhi_graph_add_group(nhi_graph *graph, nhi_group *group)
{
    graph_index *index = graph->index;
    const char *account = arn_account(graph, group->arn);
    char *key = account ? group_key(graph, account, group->name) : NULL;

    if (key == NULL ||
        nhi_grow((void **)&graph->groups, &graph->group_capacity,
                 graph->group_count + 1, sizeof(*graph->groups)) < 0 ||
        nhi_strmap_put(&index->groups, key, strlen(key), group) < 0)
        return NHI_ENOMEM;
    graph->groups[graph->group_count++] = group;
    return NHI_OK;
}

int nhi_graph_add_policy(nhi_graph *graph, nhi_policy *policy)
{
    graph_index *index = graph->index;

    if (nhi_grow((void **)&graph->policies, &graph->policy_capacity,
                 graph->policy_count + 1, sizeof(*graph->policies)) < 0)
        return NHI_ENOMEM;
    if (policy->arn && nhi_strmap_put(&index->policies, policy->arn,
                                      strlen(policy->arn), policy) < 0)
        return NHI_ENOMEM;
    policy->index = (unsigned)graph->policy_count;
    graph->policies[graph->policy_count++] = policy;
    return NHI_OK;
}

const char *nhi_credential_kind_name(nhi_credential_kind kind)
{
    switch (kind) {
    case NHI_CREDENTIAL_ACCESS_KEY:
        return "access-key";
    case NHI_CREDENTIAL_PASSWORD:
        return "password";
    case NHI_CREDENTIAL_CERTIFICATE:
        return "certificate";
    }
    return "unknown";
}

int nhi_graph_add_credential(nhi_graph *graph, nhi_credential *credential)
{
    nhi_identity *identity = credential->identity;

    if (nhi_grow((void **)&graph->credentials, &graph->credential_capacity,
                 graph->credential_count + 1,
                 sizeof(*graph->credentials)) < 0 ||
        nhi_grow((void **)&identity->credentials,
                 &identity->credential_capacity,
                 identity->credential_count + 1,
                 sizeof(*identity->credentials)) < 0)
        return NHI_ENOMEM;
    graph->credentials[graph->credential_count++] = credential;
    identity->credentials[identity->credential_count++] = credential;
    return NHI_OK;
}

int nhi_graph_add_account(nhi_graph *graph, const char *account)
{
    const char *interned;

    if (nhi_graph_has_account(graph, account))
        return NHI_OK;
    interned = nhi_graph_intern(graph, account);
    if (interned == NULL ||
        nhi_grow((void **)&graph->accounts, &graph->account_capacity,
                 graph->account_count + 1, sizeof(*graph->accounts)) < 0)
        return NHI_ENOMEM;
    graph->accounts[graph->account_count++] = interned;
    return NHI_OK;
}

nhi_identity *nhi_graph_find_identity(const nhi_graph *graph, const char *id)
{
    const graph_index *index = graph->index;

    return nhi_strmap_get(&index->identities, id, strlen(id));
}

const nhi_policy *nhi_graph_find_policy(const nhi_graph *graph,
                                        const char *arn)
{
    const graph_index *index = graph->index;

    return nhi_strmap_get(&index->policies, arn, strlen(arn));
}

const nhi_group *nhi_graph_find_group(const nhi_graph *graph,
                                      const char *account, const char *name)
{
    const graph_index *index = graph->index;
    char key[512];
    int length = snprintf(key, sizeof(key), "%s/%s", account, name);

    if (length < 0 || (size_t)length >= sizeof(key))
        return NULL;
    return nhi_strmap_get(&index->groups, key, (size_t)length);
}

bool nhi_graph_has_account(const nhi_graph *graph, const char *account)
{
    for (size_t i = 0; i < graph->account_count; i++)
        if (strcmp(graph->accounts[i], account) == 0)
            return true;
    return false;
}

size_t nhi_graph_memory(const nhi_graph *graph)
{
    const graph_index *index = graph->index;
    const nhi_strmap *strings = graph->strings;
    size_t slot = sizeof(nhi_strmap_slot);

    return nhi_arena_used(graph->arena) +
           (strings->capacity + index->identities.capacity +
            index->policies.capacity + index->groups.capacity) *
               slot +
           (graph->identity_capacity + graph->group_capacity +
            graph->policy_capacity) *
               sizeof(void *);
}

int nhi_graph_add_edge(nhi_graph *graph, const nhi_edge *edge)
{
    if (nhi_grow((void **)&graph->edges, &graph->edge_capacity,
                 graph->edge_count + 1, sizeof(*graph->edges)) < 0)
        return NHI_ENOMEM;
    graph->edges[graph->edge_count++] = *edge;
    return NHI_OK;
}

/* Append `item` to a list of pointers. */
static int push(void *list, size_t *count, size_t *capacity, void *item)
{
    void ***items = list;

    if (nhi_grow((void **)items, capacity, *count + 1, sizeof(void *)) < 0)
        return NHI_ENOMEM;
    (*items)[(*count)++] = item;
    return NHI_OK;
}

static const char *const consumer_kind_names[NHI_CONSUMER_KIND_COUNT] = {
    "github-job", "gitlab-job", "kubernetes-workload"};

const char *nhi_consumer_kind_name(nhi_consumer_kind kind)
{
    return (unsigned)kind < NHI_CONSUMER_KIND_COUNT ? consumer_kind_names[kind]
                                                     : "unknown";
}

static const char *const login_kind_names[NHI_LOGIN_KIND_COUNT] = {
    "aws-role", "gcp-federation", "azure-federation",
    "aws-key",  "gcp-key",        "azure-secret"};

const char *nhi_login_kind_name(nhi_login_kind kind)
{
    return (unsigned)kind < NHI_LOGIN_KIND_COUNT ? login_kind_names[kind]
                                                  : "unknown";
}

bool nhi_login_is_static(nhi_login_kind kind)
{
    return kind == NHI_LOGIN_AWS_KEY || kind == NHI_LOGIN_GCP_KEY ||
           kind == NHI_LOGIN_AZURE_SECRET;
}

int nhi_graph_add_consumer(nhi_graph *graph, nhi_consumer *consumer)
{
    consumer->index = (unsigned)graph->consumer_count;
    return push(&graph->consumers, &graph->consumer_count,
                &graph->consumer_capacity, consumer);
}

int nhi_graph_add_plaintext(nhi_graph *graph, nhi_plaintext *plaintext)
{
    return push(&graph->plaintexts, &graph->plaintext_count,
                &graph->plaintext_capacity, plaintext);
}

int nhi_consumer_add_login(nhi_graph *graph, nhi_consumer *consumer,
                           const nhi_login *login)
{
    nhi_login *logins =
        nhi_graph_alloc(graph, (consumer->login_count + 1) * sizeof(*logins));

    if (logins == NULL)
        return NHI_ENOMEM;
    if (consumer->login_count)
        memcpy(logins, consumer->logins,
               consumer->login_count * sizeof(*logins));
    logins[consumer->login_count] = *login;
    consumer->logins = logins;
    consumer->login_count++;
    return NHI_OK;
}

nhi_k8s *nhi_graph_k8s(nhi_graph *graph)
{
    if (graph->k8s == NULL)
        graph->k8s = nhi_graph_alloc(graph, sizeof(*graph->k8s));
    return graph->k8s;
}

int nhi_k8s_add_role(nhi_graph *graph, nhi_k8s_role *role)
{
    nhi_k8s *k8s = nhi_graph_k8s(graph);

    return k8s ? push(&k8s->roles, &k8s->role_count, &k8s->role_capacity, role)
               : NHI_ENOMEM;
}

int nhi_k8s_add_binding(nhi_graph *graph, nhi_k8s_binding *binding)
{
    nhi_k8s *k8s = nhi_graph_k8s(graph);

    return k8s ? push(&k8s->bindings, &k8s->binding_count,
                      &k8s->binding_capacity, binding)
               : NHI_ENOMEM;
}

int nhi_k8s_add_token_secret(nhi_graph *graph, nhi_k8s_token_secret *secret)
{
    nhi_k8s *k8s = nhi_graph_k8s(graph);

    return k8s ? push(&k8s->token_secrets, &k8s->token_secret_count,
                      &k8s->token_secret_capacity, secret)
               : NHI_ENOMEM;
}

int nhi_k8s_add_mapping(nhi_graph *graph, nhi_k8s_mapping *mapping)
{
    nhi_k8s *k8s = nhi_graph_k8s(graph);

    return k8s ? push(&k8s->mappings, &k8s->mapping_count,
                      &k8s->mapping_capacity, mapping)
               : NHI_ENOMEM;
}

int nhi_k8s_add_cluster(nhi_graph *graph, nhi_eks_cluster *cluster)
{
    nhi_k8s *k8s = nhi_graph_k8s(graph);

    return k8s ? push(&k8s->clusters, &k8s->cluster_count,
                      &k8s->cluster_capacity, cluster)
               : NHI_ENOMEM;
}

const char *nhi_k8s_namespace_label(nhi_graph *graph, const char *cluster,
                                    const char *namespace_)
{
    char *label = cluster ? nhi_asprintf("namespace:%s/%s", cluster,
                                         namespace_)
                          : nhi_asprintf("namespace:%s", namespace_);
    const char *interned = label ? nhi_graph_intern(graph, label) : NULL;

    free(label);
    return interned;
}
