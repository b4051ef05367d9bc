/* SPDX-License-Identifier: MIT */
/*
 * What an AWS identity is granted, as sets of action patterns. Every Allow
 * statement of the identity's policies (its own, its groups', attached
 * managed policies at their default version) becomes a term; explicit
 * Denies that cover all of a term's resources and carry no condition are
 * subtracted from it, and a permissions boundary intersects it. Questions
 * about the grant (admin, a whole service, a prohibited action, actions
 * beyond the declaration) are decided exactly over the patterns with the
 * product automaton of glob.h, after cheap per-policy checks that settle
 * most identities without it.
 *
 * Evaluation order follows the AWS policy evaluation logic
 * (docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * explicit deny, then boundaries, then identity-based allows.
 */
#ifndef NHI_AWS_EVAL_H
#define NHI_AWS_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nhi/graph.h"

typedef struct aws_deny_ref {
    const nhi_policy *policy;
    const nhi_statement *statement;
    const char *via_group;
} aws_deny_ref;

/* One Allow statement of the identity, after denies and the boundary. */
typedef struct aws_term {
    const nhi_policy *policy;
    const nhi_statement *statement;
    const char *via_group;
    bool version_2012;
    bool conditional;    /* the Allow has a condition nhi cannot decide */
    bool resource_all;   /* Resource "*" */
    aws_deny_ref *subtracted; /* denies removed from this term */
    size_t subtracted_count;
    aws_deny_ref *partial;    /* denies that overlap but cannot be removed */
    size_t partial_count;
} aws_term;

typedef struct aws_grant {
    const nhi_identity *identity;
    aws_term *terms;
    size_t term_count;
    const nhi_policy *boundary;   /* applied to every term */
    bool boundary_unknown;        /* a boundary ARN not in the export */
    void *arena;
    struct aws_eval *eval;        /* the evaluator, whose caches all grants share */
} aws_grant;

/* Per-policy facts computed once and shared by every identity. */
typedef struct aws_eval aws_eval;

/* A policy's default version, or NULL when absent or unreadable. */
static inline const nhi_policy_version *
aws_default_version(const nhi_policy *policy)
{
    const nhi_policy_version *version;

    if (policy == NULL || policy->version_count == 0)
        return NULL;
    version = &policy->versions[policy->default_version];
    return version->invalid ? NULL : version;
}
/* Whether a statement's Action (or NotAction) admits one action name. */
bool aws_statement_matches(const nhi_statement *statement, const char *action);

/*
 * Index `statement`: the masks that aws_statement_may_name reads, and
 * whether its condition reads aws:PrincipalArn. The policy reader calls
 * it for every statement it reads.
 */
void aws_statement_index(nhi_statement *statement);

/*
 * The bits of one action in the masks of an indexed statement: its
 * service (the text before `:`, case folded), and its service with the
 * first letter of its name. Every bit when the action has no service.
 */
typedef struct aws_action_key {
    uint64_t service;
    uint64_t name;
} aws_action_key;

aws_action_key aws_action_key_of(const char *action);

/* Whether masks (as in nhi_statement) may name an action with `key`. */
static inline bool aws_masks_may_name(uint64_t services, uint64_t wide,
                                      uint64_t names, aws_action_key key)
{
    return (services & key.service) &&
           ((wide & key.service) || (names & key.name));
}

/* aws_statement_matches, with the quick test of the action's `key` first. */
static inline bool aws_statement_matches_key(const nhi_statement *statement,
                                             const char *action,
                                             aws_action_key key);

/*
 * Whether `statement` can match an action with `key`: false only when the
 * statement is indexed and none of its actions can name it. A quick test
 * before aws_statement_matches, with the key computed once.
 */
static inline bool aws_statement_may_name(const nhi_statement *statement,
                                          aws_action_key key)
{
    return statement->service_mask == 0 ||
           aws_masks_may_name(statement->service_mask, statement->wide_mask,
                              statement->name_mask, key);
}

static inline bool aws_statement_matches_key(const nhi_statement *statement,
                                             const char *action,
                                             aws_action_key key)
{
    if (!aws_statement_may_name(statement, key))
        return statement->not_action;
    return aws_statement_matches(statement, action);
}
/* Whether a statement names Resource "*". */
bool aws_statement_every_resource(const nhi_statement *statement);

extern const char *const aws_sensitive_services[];
extern const size_t aws_sensitive_service_count;

int aws_eval_new(const nhi_graph *graph, aws_eval **out);

/*
 * Cheap facts from the identity's policies: whether it could be admin at
 * all (some allowed pattern starts with a wildcard, or an Allow uses
 * NotAction), whether it surely is (Allow "*" on "*" with no condition,
 * no Deny and no boundary), and which sensitive services (bit i for
 * aws_sensitive_services[i]) some allowed pattern reaches.
 */
int aws_eval_candidate(aws_eval *eval, const nhi_identity *identity,
                       bool *admin_candidate, bool *admin_certain,
                       unsigned *service_mask);
void aws_eval_free(aws_eval *eval);

int aws_grant_build(aws_eval *eval, const nhi_identity *identity,
                    aws_grant *grant);
void aws_grant_free(aws_grant *grant);

/*
 * Whether the grant covers every action on Resource "*" with no
 * condition: 1 yes, 0 no, or NHI_ELIMIT / NHI_ENOMEM.
 */
int aws_grant_is_admin(aws_eval *eval, const aws_grant *grant);

/*
 * Whether every action of `service` (`iam`, `kms`, ...) is granted.
 * `*contributors` (caller frees) receives the terms that grant part of it.
 */
int aws_grant_covers_service(const aws_grant *grant, const char *service,
                             size_t **contributors, size_t *count);

/*
 * Terms that grant at least one action matching one of `patterns`
 * (AWS action globs). `*out` (caller frees) receives their indexes.
 */
int aws_grant_matching(const aws_grant *grant, const char *const *patterns,
                       size_t pattern_count, size_t **out, size_t *count);

/*
 * For each term, the part not covered by `allowed`: `*excess` (caller
 * frees) receives the indexes of terms with actions outside `allowed`.
 */
int aws_grant_excess(const aws_grant *grant, const char *const *allowed,
                     size_t allowed_count, size_t **excess, size_t *count);

/* Whether one pattern of the term (index `pattern`) has actions outside
 * `allowed` once the term's denies and boundary apply. */
int aws_term_pattern_excess(const aws_grant *grant, size_t term,
                            size_t pattern, const char *const *allowed,
                            size_t allowed_count);

#endif
