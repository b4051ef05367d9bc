/* SPDX-License-Identifier: MIT */
/*
 * Identity classes: workload, human, provider-managed or unknown, from
 * paths and trust policies. Roles trusted by other roles take the class of
 * those roles, computed to a fixed point; a cycle with no other evidence
 * stays unknown.
 */
#include <stdlib.h>
#include <string.h>

#include "nhi/audit.h"
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

static nhi_identity_class class_from_path(const nhi_identity *identity,
                                          bool *decided)
{
    *decided = true;
    if (identity->kind == NHI_KIND_AWS_ROOT)
        return NHI_CLASS_HUMAN;
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
    int result = NHI_OK;

    if (facts == NULL || decided == NULL) {
        result = NHI_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        nhi_identity *identity = graph->identities[i];
        identity->class_ = class_from_path(identity, &decided[i]);
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
    return result;
}
