/* SPDX-License-Identifier: MIT */
/*
 * Identity classes: workload, human, provider-managed or unknown, from
 * paths and trust policies. Roles trusted by other roles take the class of
 * those roles, computed to a fixed point; a cycle with no other evidence
 * stays unknown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhi/audit.h"
#include "nhi/k8s.h"
#include "strmap.h"
#include "util.h"

/* Evidence from a role's trust policy. */
typedef struct trust_facts {
    bool workload;   /* a service, an OIDC provider */
    bool human;      /* SAML, an SSO role, a person's user */
    bool unknown;    /* an account root, "*", anything unclassified */
    nhi_identity **roles; /* trusted roles and users of the graph */
    size_t role_count;
    size_t role_capacity;
} trust_facts;

static bool starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* OIDC issuers that front workloads (CI systems, clusters, web identity). */
static bool is_oidc(const char *federated)
{
    static const char *const hosts[] = {
        "token.actions.githubusercontent.com", "gitlab.com",
        "accounts.google.com", "cognito-identity.amazonaws.com",
        "app.terraform.io", "oidc.eks."};

    if (strstr(federated, ":oidc-provider/"))
        return true;
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
        if (strstr(federated, hosts[i]))
            return true;
    return false;
}

/*
 * The role an `AWS` principal names: a role ARN, an assumed-role session
 * ARN (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION), or a user ARN.
 */
static nhi_identity *principal_identity(nhi_graph *graph, const char *value)
{
    const char *session = strstr(value, ":assumed-role/");
    nhi_identity *found = nhi_graph_find_identity(graph, value);

    if (found || session == NULL || !starts_with(value, "arn:"))
        return found;

    /* Rebuild arn:PARTITION:iam::ACCOUNT:role/NAME, with any path. */
    const char *name = session + strlen(":assumed-role/");
    const char *slash = strchr(name, '/');
    size_t name_length = slash ? (size_t)(slash - name) : strlen(name);
    for (size_t i = 0; i < graph->identity_count; i++) {
        nhi_identity *identity = graph->identities[i];
        if (identity->kind == NHI_KIND_AWS_ROLE &&
            strlen(identity->name) == name_length &&
            strncmp(identity->name, name, name_length) == 0 &&
            strstr(value, identity->account))
            return identity;
    }
    return NULL;
}

static int read_trust(nhi_graph *graph, const nhi_identity *role,
                      trust_facts *facts)
{
    const nhi_policy *trust = role->trust;
    const nhi_policy_version *version;

    memset(facts, 0, sizeof(*facts));
    if (trust == NULL || trust->version_count == 0) {
        facts->unknown = true;
        return NHI_OK;
    }
    version = &trust->versions[trust->default_version];
    for (size_t s = 0; s < version->statement_count; s++) {
        const nhi_statement *statement = &version->statements[s];
        if (!statement->allow || statement->not_principal)
            continue;
        for (size_t p = 0; p < statement->principal_count; p++) {
            const char *principal = statement->principals[p];
            if (starts_with(principal, "Service:")) {
                facts->workload = true;
            } else if (starts_with(principal, "Federated:")) {
                const char *provider = principal + strlen("Federated:");
                if (strstr(provider, ":saml-provider/"))
                    facts->human = true;
                else if (is_oidc(provider))
                    facts->workload = true;
                else
                    facts->unknown = true;
            } else if (starts_with(principal, "AWS:")) {
                const char *value = principal + strlen("AWS:");
                nhi_identity *other = principal_identity(graph, value);
                if (other && other != role) {
                    if (nhi_grow((void **)&facts->roles, &facts->role_capacity,
                                 facts->role_count + 1,
                                 sizeof(*facts->roles)) < 0)
                        return NHI_ENOMEM;
                    facts->roles[facts->role_count++] = other;
                } else if (strstr(value, ":assumed-role/AWSReservedSSO_") ||
                           strstr(value, ":role/aws-reserved/sso.amazonaws.com/")) {
                    facts->human = true;
                } else {
                    /* An account root, "*", or a principal outside the
                     * export: not enough to classify. */
                    facts->unknown = true;
                }
            } else {
                facts->unknown = true;
            }
        }
    }
    return NHI_OK;
}

static bool is_system_namespace(const char *namespace_)
{
    static const char *const system[] = {"kube-system", "kube-public",
                                         "kube-node-lease"};

    for (size_t i = 0; namespace_ && i < sizeof(system) / sizeof(system[0]); i++)
        if (strcmp(namespace_, system[i]) == 0)
            return true;
    return false;
}

/*
 * Service accounts of the namespaces the cluster itself runs in, bound
 * only by bindings the distribution creates (named `system:...` by the
 * API server's bootstrap policy, `kubeadm:...` by kubeadm): the ids of
 * those that something else binds, in `chosen`. Those accounts, and any
 * `default` account, are the team's, not the distribution's.
 */
static int mark_team_bound(nhi_graph *graph, nhi_strmap *chosen)
{
    const nhi_k8s *k8s = graph->k8s;

    for (size_t b = 0; k8s && b < k8s->binding_count; b++) {
        const nhi_k8s_binding *binding = k8s->bindings[b];
        if (strncmp(binding->name, "system:", 7) == 0 ||
            strncmp(binding->name, "kubeadm:", 8) == 0)
            continue;
        for (size_t s = 0; s < binding->subject_count; s++) {
            const nhi_k8s_subject *subject = &binding->subjects[s];
            const char *namespace_ = subject->namespace_ ? subject->namespace_
                                                         : binding->namespace_;
            char id[512];
            int length;
            if (strcmp(subject->kind, "ServiceAccount") != 0 ||
                !is_system_namespace(namespace_))
                continue;
            length = binding->cluster
                         ? snprintf(id, sizeof(id),
                                    "%s/system:serviceaccount:%s:%s",
                                    binding->cluster, namespace_, subject->name)
                         : snprintf(id, sizeof(id),
                                    "system:serviceaccount:%s:%s", namespace_,
                                    subject->name);
            if (length <= 0 || (size_t)length >= sizeof(id))
                continue;
            /* The map keeps the key's pointer: intern it. */
            const char *key = nhi_graph_intern_n(graph, id, (size_t)length);
            if (key == NULL ||
                nhi_strmap_put(chosen, key, (size_t)length, (void *)binding) < 0)
                return NHI_ENOMEM;
        }
    }
    return NHI_OK;
}

/*
 * Service accounts are workloads, except the controllers' accounts of
 * kube-system, kube-public and kube-node-lease, which the distribution
 * creates and binds (provider-managed). NOTE: a team's workload in
 * kube-system that is bound only through `system:` or `kubeadm:` named
 * bindings is classed provider-managed too.
 */
static nhi_identity_class kubernetes_class(const nhi_identity *account,
                                           const nhi_strmap *team_bound)
{
    if (!is_system_namespace(account->path) ||
        strcmp(account->name, "default") == 0 ||
        nhi_strmap_get(team_bound, account->id, strlen(account->id)))
        return NHI_CLASS_WORKLOAD;
    return NHI_CLASS_PROVIDER_MANAGED;
}

static nhi_identity_class class_from_path(const nhi_identity *identity,
                                          const nhi_strmap *team_bound,
                                          bool *decided)
{
    *decided = true;
    if (identity->kind == NHI_KIND_AWS_ROOT)
        return NHI_CLASS_HUMAN;
    if (identity->kind == NHI_KIND_K8S_SERVICE_ACCOUNT)
        return kubernetes_class(identity, team_bound);
    if (identity->path && starts_with(identity->path, "/aws-service-role/"))
        return NHI_CLASS_PROVIDER_MANAGED;
    if (identity->path &&
        starts_with(identity->path, "/aws-reserved/sso.amazonaws.com/"))
        return NHI_CLASS_HUMAN;
    /* Users stay unknown until a credential report shows how they sign
     * in: keys only (workload) or a console password only (human). */
    if (identity->kind == NHI_KIND_AWS_USER) {
        bool keys = false;
        for (size_t i = 0; i < identity->credential_count; i++)
            keys = keys || (identity->credentials[i]->kind ==
                                NHI_CREDENTIAL_ACCESS_KEY &&
                            identity->credentials[i]->active);
        if (identity->has_credential_data && keys && !identity->password_enabled)
            return NHI_CLASS_WORKLOAD;
        if (identity->has_credential_data && !keys && identity->password_enabled)
            return NHI_CLASS_HUMAN;
        return NHI_CLASS_UNKNOWN;
    }
    *decided = false;
    return NHI_CLASS_UNKNOWN;
}

/*
 * One pass over the undecided roles: a role with a workload role among
 * its trusted principals is workload; one whose trusted principals are
 * all human is human. Returns whether anything changed.
 */
static bool propagate(nhi_graph *graph, trust_facts *facts, bool *decided)
{
    bool changed = false;

    for (size_t i = 0; i < graph->identity_count; i++) {
        nhi_identity *role = graph->identities[i];
        bool all_human = facts[i].role_count > 0;
        bool any_workload = false;

        if (decided[i])
            continue;
        for (size_t r = 0; r < facts[i].role_count; r++) {
            const nhi_identity *other = facts[i].roles[r];
            bool other_decided = decided[other->index];
            any_workload = any_workload ||
                           (other_decided && other->class_ == NHI_CLASS_WORKLOAD);
            all_human = all_human && other_decided &&
                        other->class_ == NHI_CLASS_HUMAN;
        }
        if (any_workload) {
            role->class_ = NHI_CLASS_WORKLOAD;
        } else if (all_human && !facts[i].unknown) {
            role->class_ = NHI_CLASS_HUMAN;
        } else {
            continue;
        }
        decided[i] = true;
        changed = true;
    }
    return changed;
}

int nhi_audit_classify(nhi_graph *graph)
{
    size_t count = graph->identity_count;
    trust_facts *facts = calloc(count + 1, sizeof(*facts));
    bool *decided = calloc(count + 1, sizeof(*decided));
    nhi_strmap team_bound = {0};
    int result = NHI_OK;

    if (facts == NULL || decided == NULL ||
        mark_team_bound(graph, &team_bound) < 0) {
        result = NHI_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        nhi_identity *identity = graph->identities[i];
        identity->class_ = class_from_path(identity, &team_bound, &decided[i]);
        if (decided[i] || identity->kind != NHI_KIND_AWS_ROLE)
            continue;
        result = read_trust(graph, identity, &facts[i]);
        if (result < 0)
            goto out;
        if (facts[i].workload) {
            identity->class_ = NHI_CLASS_WORKLOAD;
            decided[i] = true;
        } else if (facts[i].human && !facts[i].unknown &&
                   facts[i].role_count == 0) {
            identity->class_ = NHI_CLASS_HUMAN;
            decided[i] = true;
        } else if (facts[i].role_count == 0) {
            decided[i] = true; /* only roots, "*" or unknown principals */
        }
    }
    /* Each pass decides at least one role or stops: at most n passes. */
    while (propagate(graph, facts, decided))
        ;
out:
    for (size_t i = 0; facts && i < count; i++)
        free(facts[i].roles);
    free(facts);
    free(decided);
    nhi_strmap_free(&team_bound);
    return result;
}
