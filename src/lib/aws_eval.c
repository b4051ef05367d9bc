/* SPDX-License-Identifier: MIT */
/* The grant of an AWS identity: terms, denies, boundary, questions. */
#include "aws_eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "arena.h"
#include "glob.h"
#include "strmap.h"
#include "nhi/error.h"
#include "util.h"

/* Facts about one policy's default version, computed once. */
typedef struct policy_facts {
    bool computed;
    bool has_deny;
    bool has_complement_allow; /* an Allow with NotAction */
    bool star_everywhere;      /* Allow "*" on "*" without a condition */
    bool wildcard_start;       /* an allowed pattern starts with * or ? */
    unsigned service_mask;     /* bit i: an allowed pattern matches "svc:" */
} policy_facts;

struct aws_eval {
    const nhi_graph *graph;
    policy_facts *facts; /* by policy index */
    size_t fact_count;
    /* Answers of term questions, by term and patterns: identities that
     * attach the same policies ask the same questions. */
    nhi_strmap answers;
    nhi_arena *answer_keys;
};

/* Services whose whole-service grant is reported as a sensitive wildcard. */
const char *const aws_sensitive_services[] = {"iam", "sts", "kms",
                                              "secretsmanager",
                                              "organizations"};
const size_t aws_sensitive_service_count = 5;

int aws_eval_new(const nhi_graph *graph, aws_eval **out)
{
    aws_eval *eval = calloc(1, sizeof(*eval));

    *out = NULL;
    if (eval == NULL)
        return NHI_ENOMEM;
    eval->graph = graph;
    eval->fact_count = graph->policy_count;
    eval->facts = calloc(graph->policy_count + 1, sizeof(*eval->facts));
    if (eval->facts == NULL) {
        free(eval);
        return NHI_ENOMEM;
    }
    *out = eval;
    return NHI_OK;
}

void aws_eval_free(aws_eval *eval)
{
    if (eval == NULL)
        return;
    free(eval->facts);
    nhi_strmap_free(&eval->answers);
    nhi_arena_free(eval->answer_keys);
    free(eval);
}

bool aws_statement_every_resource(const nhi_statement *statement)
{
    if (statement->not_resource)
        return false;
    for (size_t i = 0; i < statement->resource_count; i++)
        if (strcmp(statement->resources[i], "*") == 0)
            return true;
    return false;
}

static const policy_facts *facts_of(aws_eval *eval, const nhi_policy *policy)
{
    policy_facts *facts;
    const nhi_policy_version *version;

    if (policy->index >= eval->fact_count)
        return NULL;
    facts = &eval->facts[policy->index];
    if (facts->computed)
        return facts;
    facts->computed = true;
    version = aws_default_version(policy);
    if (version == NULL)
        return facts;

    for (size_t s = 0; s < version->statement_count; s++) {
        const nhi_statement *statement = &version->statements[s];
        if (!statement->allow) {
            facts->has_deny = true;
            continue;
        }
        if (statement->not_action) {
            facts->has_complement_allow = true;
            continue;
        }
        for (size_t a = 0; a < statement->action_count; a++) {
            const char *action = statement->actions[a];
            if (action[0] == '*' || action[0] == '?')
                facts->wildcard_start = true;
            if (strcmp(action, "*") == 0 && statement->condition == NULL &&
                aws_statement_every_resource(statement))
                facts->star_everywhere = true;
            for (size_t v = 0; v < aws_sensitive_service_count; v++) {
                char prefix[32];
                snprintf(prefix, sizeof(prefix), "%s:",
                         aws_sensitive_services[v]);
                if (nhi_glob_match(action, prefix, NHI_GLOB_FOLD_CASE))
                    facts->service_mask |= 1u << v;
            }
        }
    }
    return facts;
}

int aws_eval_candidate(aws_eval *eval, const nhi_identity *identity,
                       bool *admin_candidate, bool *admin_certain,
                       unsigned *service_mask)
{
    bool any_deny = false, star = false, wild = false;

    *service_mask = 0;
    for (size_t i = 0; i < identity->policy_count; i++) {
        const policy_facts *facts = facts_of(eval, identity->policies[i].policy);
        if (facts == NULL)
            continue;
        any_deny = any_deny || facts->has_deny;
        star = star || facts->star_everywhere;
        wild = wild || facts->wildcard_start || facts->has_complement_allow;
        if (facts->has_complement_allow)
            *service_mask |= (1u << aws_sensitive_service_count) - 1;
        *service_mask |= facts->service_mask;
    }
    *admin_candidate = wild;
    *admin_certain = star && !any_deny && identity->boundary_arn == NULL;
    return NHI_OK;
}

/* ---- building the grant ---- */

static bool literal_service(const char *pattern, size_t *length)
{
    const char *colon = strchr(pattern, ':');

    if (colon == NULL)
        return false;
    for (const char *c = pattern; c < colon; c++)
        if (*c == '*' || *c == '?')
            return false;
    *length = (size_t)(colon - pattern);
    return true;
}

/*
 * A cheap test that two statements cannot share an action: both list
 * actions (not NotAction) and no pair has the same literal service.
 */
static bool may_overlap(const nhi_statement *a, const nhi_statement *b)
{
    if (a->not_action || b->not_action)
        return true;
    for (size_t i = 0; i < a->action_count; i++) {
        size_t length_a;
        if (!literal_service(a->actions[i], &length_a))
            return true;
        for (size_t j = 0; j < b->action_count; j++) {
            size_t length_b;
            if (!literal_service(b->actions[j], &length_b))
                return true;
            if (length_a == length_b &&
                strncasecmp(a->actions[i], b->actions[j], length_a) == 0)
                return true;
        }
    }
    return false;
}

static bool has_variable(const char *resource)
{
    return strstr(resource, "${") != NULL;
}

/*
 * A resource pattern with each `${...}` policy variable replaced by `*`:
 * the variable may take any value at request time. Returns a malloc'd
 * copy, or NULL when memory ran out.
 */
static char *variables_to_wildcards(const char *resource)
{
    size_t length = strlen(resource), out = 0;
    char *pattern = malloc(length + 1);

    if (pattern == NULL)
        return NULL;
    for (size_t i = 0; i < length; i++) {
        const char *close;
        if (resource[i] == '$' && resource[i + 1] == '{' &&
            (close = strchr(resource + i, '}')) != NULL) {
            pattern[out++] = '*';
            i = (size_t)(close - resource);
            continue;
        }
        pattern[out++] = resource[i];
    }
    pattern[out] = '\0';
    return pattern;
}

static bool has_wildcard(const char *pattern)
{
    return strpbrk(pattern, "*?") != NULL;
}

/* Whether `pattern` matches every string `inner` can match, decided
 * cheaply where the shapes allow; -1 when the automaton must decide. */
static int quick_covers(const char *pattern, const char *inner)
{
    size_t fixed;

    if (strcmp(pattern, inner) == 0)
        return 1;
    if (!has_wildcard(inner))
        return nhi_glob_match(pattern, inner, NHI_GLOB_CASE_SENSITIVE);
    /* `L*` covers whatever starts with L: `inner`'s own fixed start. */
    fixed = strcspn(pattern, "*?");
    if (pattern[fixed] == '*' &&
        pattern[fixed + strspn(pattern + fixed, "*")] == '\0' &&
        strncmp(pattern, inner, fixed) == 0 &&
        strcspn(inner, "*?") >= fixed)
        return 1;
    return -1;
}

/* Whether one allowed resource pattern lies inside what `deny` names. */
static int deny_covers_one(const nhi_statement *deny, bool deny_2012,
                           const char *pattern)
{
    const char *cover[64];
    size_t count = 0;

    if (!deny->not_resource) {
        for (size_t j = 0; j < deny->resource_count && count < 64; j++) {
            if (deny_2012 && has_variable(deny->resources[j]))
                continue;
            if (quick_covers(deny->resources[j], pattern) == 1)
                return 1;
            cover[count++] = deny->resources[j];
        }
        if (!has_wildcard(pattern))
            return 0; /* no single pattern matched a literal resource */
        return nhi_glob_covered(pattern, cover, count, NHI_GLOB_CASE_SENSITIVE,
                                NULL) == 1;
    }
    /* NotResource X covers what is outside X: the allowed resource must
     * share nothing with any pattern of X. */
    for (size_t j = 0; j < deny->resource_count; j++) {
        const char *excluded = deny->resources[j];
        int shared;
        if (deny_2012 && has_variable(excluded))
            return 0;
        if (!has_wildcard(pattern))
            shared = nhi_glob_match(excluded, pattern, NHI_GLOB_CASE_SENSITIVE);
        else if (!has_wildcard(excluded))
            shared = nhi_glob_match(pattern, excluded, NHI_GLOB_CASE_SENSITIVE);
        else
            shared = nhi_glob_intersects(pattern, excluded,
                                         NHI_GLOB_CASE_SENSITIVE) != 0;
        if (shared)
            return 0;
    }
    return 1;
}

/*
 * Whether `deny` applies to every resource the allow names. Under policy
 * Version 2012-10-17 `${...}` is a variable: in the allow it may take any
 * value (so it counts as `*`), and a deny pattern holding one is never
 * assumed to cover anything, since its value is not in the export. Under
 * 2008-10-17 (or no Version) it is literal text.
 */
static bool deny_covers_resources(const nhi_statement *deny,
                                  bool deny_2012,
                                  const nhi_statement *allow, bool allow_2012)
{
    if (!deny->not_resource && aws_statement_every_resource(deny))
        return true;
    if (allow->not_resource)
        return false;

    for (size_t i = 0; i < allow->resource_count; i++) {
        const char *resource = allow->resources[i];
        char *pattern = allow_2012 && has_variable(resource)
                            ? variables_to_wildcards(resource)
                            : NULL;
        int covered = deny_covers_one(deny, deny_2012,
                                      pattern ? pattern : resource);
        free(pattern);
        if (covered != 1)
            return false;
    }
    return true;
}

typedef struct deny_entry {
    aws_deny_ref ref;
    bool version_2012;
} deny_entry;

static int push_ref(aws_grant *grant, aws_deny_ref **list, size_t *count,
                    const deny_entry *deny)
{
    aws_deny_ref *grown = nhi_arena_alloc(grant->arena,
                                          (*count + 1) * sizeof(**list));
    if (grown == NULL)
        return NHI_ENOMEM;
    if (*count)
        memcpy(grown, *list, *count * sizeof(**list));
    grown[*count] = deny->ref;
    *list = grown;
    (*count)++;
    return NHI_OK;
}

static int apply_denies(aws_grant *grant, aws_term *term,
                        const deny_entry *denies, size_t deny_count)
{
    for (size_t d = 0; d < deny_count; d++) {
        const deny_entry *deny = &denies[d];
        const nhi_statement *statement = deny->ref.statement;
        int result;

        if (!may_overlap(term->statement, statement))
            continue;
        if (statement->condition == NULL &&
            deny_covers_resources(statement, deny->version_2012,
                                  term->statement, term->version_2012))
            result = push_ref(grant, &term->subtracted,
                              &term->subtracted_count, deny);
        else
            result = push_ref(grant, &term->partial, &term->partial_count,
                              deny);
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

int aws_grant_build(aws_eval *eval, const nhi_identity *identity,
                    aws_grant *grant)
{
    deny_entry *denies = NULL;
    size_t deny_count = 0, deny_capacity = 0, term_capacity = 0;
    int result = NHI_OK;

    memset(grant, 0, sizeof(*grant));
    grant->eval = eval;
    grant->identity = identity;
    grant->boundary = identity->boundary;
    grant->boundary_unknown = identity->boundary_arn && !identity->boundary;
    grant->arena = nhi_arena_new();
    if (grant->arena == NULL)
        return NHI_ENOMEM;

    for (size_t i = 0; i < identity->policy_count; i++) {
        const nhi_attachment *attachment = &identity->policies[i];
        const nhi_policy_version *version = aws_default_version(attachment->policy);
        if (version == NULL)
            continue;
        for (size_t s = 0; s < version->statement_count; s++) {
            const nhi_statement *statement = &version->statements[s];
            if (statement->allow) {
                aws_term *term;
                if (nhi_grow((void **)&grant->terms, &term_capacity,
                             grant->term_count + 1, sizeof(*grant->terms)) < 0)
                    goto nomem;
                term = &grant->terms[grant->term_count++];
                memset(term, 0, sizeof(*term));
                term->policy = attachment->policy;
                term->statement = statement;
                term->via_group = attachment->via_group;
                term->version_2012 = version->version_2012;
                term->conditional = statement->condition != NULL;
                term->resource_all = aws_statement_every_resource(statement);
                continue;
            }
            if (nhi_grow((void **)&denies, &deny_capacity, deny_count + 1,
                         sizeof(*denies)) < 0)
                goto nomem;
            denies[deny_count].ref.policy = attachment->policy;
            denies[deny_count].ref.statement = statement;
            denies[deny_count].ref.via_group = attachment->via_group;
            denies[deny_count].version_2012 = version->version_2012;
            deny_count++;
        }
    }

    for (size_t t = 0; t < grant->term_count && result >= 0; t++)
        result = apply_denies(grant, &grant->terms[t], denies, deny_count);
    free(denies);
    return result;
nomem:
    free(denies);
    return NHI_ENOMEM;
}

void aws_grant_free(aws_grant *grant)
{
    if (grant == NULL)
        return;
    free(grant->terms);
    nhi_arena_free(grant->arena);
    memset(grant, 0, sizeof(*grant));
}

/* ---- questions over the patterns ---- */

/* A set of actions: any of the patterns, or (complement) none of them. */
typedef struct action_set {
    size_t *indexes;
    size_t count;
    bool complement;
} action_set;

/* A literal of a conjunction: true when some set holds (or none, when
 * negative). A literal with no sets is false (positive) or true. */
typedef struct literal {
    action_set *sets;
    size_t set_count;
    bool positive;
} literal;

typedef struct conjunction {
    literal *literals;
    size_t count;
    size_t capacity;
} conjunction;

typedef struct question {
    nhi_arena *arena;
    const char **pool;
    size_t pool_count;
    size_t pool_capacity;
    conjunction base;
    conjunction *excluded; /* each must be false */
    size_t excluded_count;
    bool failed;
} question;

static size_t pool_index(question *q, const char *pattern)
{
    for (size_t i = 0; i < q->pool_count; i++)
        if (q->pool[i] == pattern || strcmp(q->pool[i], pattern) == 0)
            return i;
    if (nhi_grow((void **)&q->pool, &q->pool_capacity, q->pool_count + 1,
                 sizeof(*q->pool)) < 0) {
        q->failed = true;
        return 0;
    }
    q->pool[q->pool_count] = pattern;
    return q->pool_count++;
}

static action_set make_set(question *q, const char *const *patterns,
                           size_t count, bool complement)
{
    action_set set = {NULL, 0, complement};

    set.indexes = nhi_arena_alloc(q->arena, (count + 1) * sizeof(size_t));
    if (set.indexes == NULL) {
        q->failed = true;
        return set;
    }
    for (size_t i = 0; i < count; i++)
        set.indexes[set.count++] = pool_index(q, patterns[i]);
    return set;
}

static action_set statement_set(question *q, const nhi_statement *statement)
{
    return make_set(q, statement->actions, statement->action_count,
                    statement->not_action);
}

static literal *add_literal(question *q, conjunction *c, bool positive,
                            size_t set_capacity)
{
    literal *item;

    if (nhi_grow((void **)&c->literals, &c->capacity, c->count + 1,
                 sizeof(*c->literals)) < 0) {
        q->failed = true;
        return NULL;
    }
    item = &c->literals[c->count++];
    item->positive = positive;
    item->set_count = 0;
    item->sets = nhi_arena_alloc(q->arena,
                                 (set_capacity + 1) * sizeof(action_set));
    if (item->sets == NULL)
        q->failed = true;
    return item;
}

static void add_set_literal(question *q, conjunction *c, bool positive,
                            action_set set)
{
    literal *item = add_literal(q, c, positive, 1);

    if (item && item->sets)
        item->sets[item->set_count++] = set;
}

/* The boundary: some unconditional-or-not Allow of it, minus its plain
 * Denies (a conditional boundary Allow counts as allowing). */
static void add_boundary(question *q, conjunction *c, const nhi_policy *policy)
{
    const nhi_policy_version *version = aws_default_version(policy);
    literal *allows;

    if (version == NULL) {
        add_literal(q, c, true, 0); /* an unreadable boundary allows nothing */
        return;
    }
    allows = add_literal(q, c, true, version->statement_count);
    for (size_t s = 0; allows && allows->sets && s < version->statement_count;
         s++) {
        const nhi_statement *statement = &version->statements[s];
        if (statement->allow)
            allows->sets[allows->set_count++] = statement_set(q, statement);
    }
    for (size_t s = 0; s < version->statement_count; s++) {
        const nhi_statement *statement = &version->statements[s];
        if (!statement->allow && statement->condition == NULL &&
            aws_statement_every_resource(statement))
            add_set_literal(q, c, false, statement_set(q, statement));
    }
}

static void add_term(question *q, conjunction *c, const aws_grant *grant,
                     const aws_term *term)
{
    add_set_literal(q, c, true, statement_set(q, term->statement));
    for (size_t d = 0; d < term->subtracted_count; d++)
        add_set_literal(q, c, false,
                        statement_set(q, term->subtracted[d].statement));
    if (grant->boundary)
        add_boundary(q, c, grant->boundary);
}

static bool eval_set(const action_set *set, const bool *member)
{
    bool any = false;

    for (size_t i = 0; i < set->count && !any; i++)
        any = member[set->indexes[i]];
    return any != set->complement;
}

static bool eval_conjunction(const conjunction *c, const bool *member)
{
    for (size_t l = 0; l < c->count; l++) {
        const literal *item = &c->literals[l];
        bool any = false;
        for (size_t s = 0; s < item->set_count && !any; s++)
            any = eval_set(&item->sets[s], member);
        if (any != item->positive)
            return false;
    }
    return true;
}

static bool question_predicate(const bool *member, size_t count, void *context)
{
    const question *q = context;

    (void)count;
    if (!eval_conjunction(&q->base, member))
        return false;
    for (size_t i = 0; i < q->excluded_count; i++)
        if (eval_conjunction(&q->excluded[i], member))
            return false;
    return true;
}

static int question_init(question *q)
{
    memset(q, 0, sizeof(*q));
    q->arena = nhi_arena_new();
    return q->arena ? NHI_OK : NHI_ENOMEM;
}

static void question_free(question *q)
{
    free(q->base.literals);
    for (size_t i = 0; i < q->excluded_count; i++)
        free(q->excluded[i].literals);
    free(q->excluded);
    free(q->pool);
    nhi_arena_free(q->arena);
}

/* 1 when some action satisfies the question, 0 when none, or an error. */
static int question_exists(question *q)
{
    if (q->failed)
        return NHI_ENOMEM;
    return nhi_glob_exists(q->pool, q->pool_count, NHI_GLOB_FOLD_CASE,
                           question_predicate, q, 0, NULL);
}

static int exclude_terms(question *q, const aws_grant *grant, bool admin_only)
{
    q->excluded = calloc(grant->term_count + 1, sizeof(*q->excluded));
    if (q->excluded == NULL)
        return NHI_ENOMEM;
    for (size_t t = 0; t < grant->term_count; t++) {
        const aws_term *term = &grant->terms[t];
        if (admin_only && (term->conditional || !term->resource_all))
            continue;
        add_term(q, &q->excluded[q->excluded_count++], grant, term);
    }
    return NHI_OK;
}

/* ---- cheap exact checks that settle most questions ---- */

#define FNV_OFFSET 14695981039346656037u
#define FNV_PRIME 1099511628211u

static unsigned char fold_action_byte(char c)
{
    unsigned char byte = (unsigned char)c;
    return byte >= 'A' && byte <= 'Z' ? (unsigned char)(byte - 'A' + 'a')
                                      : byte;
}

aws_action_key aws_action_key_of(const char *action)
{
    aws_action_key key = {UINT64_MAX, UINT64_MAX};
    uint64_t hash = FNV_OFFSET;
    const char *c;

    for (c = action; *c && *c != ':'; c++)
        hash = (hash ^ fold_action_byte(*c)) * FNV_PRIME;
    if (*c != ':')
        return key; /* no service part: every bit */
    key.service = (uint64_t)1 << (hash % 64);
    hash = (hash ^ ':') * FNV_PRIME;
    hash = (hash ^ fold_action_byte(c[1])) * FNV_PRIME;
    key.name = (uint64_t)1 << (hash % 64);
    return key;
}

void aws_statement_index(nhi_statement *statement)
{
    uint64_t services = 0, wide = 0, names = 0;

    for (size_t i = 0; i < statement->action_count; i++) {
        const char *action = statement->actions[i];
        size_t service = strcspn(action, ":");
        aws_action_key key = aws_action_key_of(action);
        /* A wildcard in the service part may name any service. */
        if (key.service == UINT64_MAX || strcspn(action, "*?") < service) {
            services = wide = names = UINT64_MAX;
            break;
        }
        services |= key.service;
        /* A wildcard first in the name may name any action of it. */
        if (action[service + 1] == '*' || action[service + 1] == '?')
            wide |= key.service;
        else
            names |= key.name;
    }
    if (statement->not_action)
        services = wide = names = UINT64_MAX;
    statement->service_mask = services;
    statement->wide_mask = wide;
    statement->name_mask = names;
    statement->condition_reads_principal =
        statement->condition &&
        nhi_contains_nocase(statement->condition, "aws:PrincipalArn");
}

bool aws_statement_matches(const nhi_statement *statement, const char *action)
{
    unsigned char first = fold_action_byte(action[0]);
    bool any = false;

    for (size_t i = 0; i < statement->action_count && !any; i++) {
        const char *pattern = statement->actions[i];
        unsigned char start = fold_action_byte(pattern[0]);
        /* Most patterns differ from the action at the first byte. */
        if (start != first && start != '*' && start != '?')
            continue;
        any = nhi_glob_match(pattern, action, NHI_GLOB_FOLD_CASE);
    }
    return any != statement->not_action;
}

/* Whether the boundary allows one literal action (as add_boundary). */
static bool boundary_allows(const nhi_policy *policy, const char *action)
{
    const nhi_policy_version *version = aws_default_version(policy);
    bool allowed = false;

    if (version == NULL)
        return false;
    for (size_t s = 0; s < version->statement_count; s++) {
        const nhi_statement *statement = &version->statements[s];
        if (statement->allow && !allowed)
            allowed = aws_statement_matches(statement, action);
        else if (!statement->allow && statement->condition == NULL &&
                 aws_statement_every_resource(statement) &&
                 aws_statement_matches(statement, action))
            return false;
    }
    return allowed;
}

/* Whether the term's set contains one literal action string. */
static bool term_contains(const aws_grant *grant, const aws_term *term,
                          const char *action)
{
    if (!aws_statement_matches(term->statement, action))
        return false;
    for (size_t d = 0; d < term->subtracted_count; d++)
        if (aws_statement_matches(term->subtracted[d].statement, action))
            return false;
    return grant->boundary == NULL || boundary_allows(grant->boundary, action);
}

/* A term whose set is exactly its statement's: no deny, no boundary. */
static bool term_clean(const aws_grant *grant, const aws_term *term)
{
    return term->subtracted_count == 0 && grant->boundary == NULL;
}

/*
 * Whether `pattern` matches every string that starts with `prefix`: its
 * literal start is a prefix of `prefix` and only stars follow it.
 */
static bool covers_prefix(const char *pattern, const char *prefix)
{
    size_t fixed = strcspn(pattern, "*?");

    if (fixed > strlen(prefix) || strncasecmp(pattern, prefix, fixed) != 0)
        return false;
    if (pattern[fixed] != '*')
        return false;
    return pattern[fixed + strspn(pattern + fixed, "*")] == '\0';
}

/* 1 or 0 when the service prefix of `pattern` settles whether it can
 * name an action of `service`, -1 when it has a wildcard. */
static int same_service(const char *pattern, const char *service)
{
    size_t length;

    if (!literal_service(pattern, &length))
        return -1;
    return length == strlen(service) &&
           strncasecmp(pattern, service, length) == 0;
}

/* The shortest string `pattern` matches: stars empty, `?` as 'a'. */
static void instantiate(const char *pattern, char *out, size_t size)
{
    size_t used = 0;

    for (; *pattern && used + 1 < size; pattern++)
        if (*pattern != '*')
            out[used++] = *pattern == '?' ? 'a' : *pattern;
    out[used] = '\0';
}

/* Whether some considered term contains `action`. */
static bool any_term_contains(const aws_grant *grant, const size_t *terms,
                              size_t count, const char *action)
{
    for (size_t i = 0; i < count; i++)
        if (term_contains(grant, &grant->terms[terms[i]], action))
            return true;
    return false;
}

/*
 * Look for an action that escapes every considered term, among strings
 * the denies and NotAction lists name, as they are the gaps a grant can
 * have. Returns true when one escapes (so the terms do not cover all);
 * false proves nothing. `prefix` restricts the candidates to a service.
 */
static bool witness_escapes(const aws_grant *grant, const size_t *terms,
                            size_t count, const char *prefix)
{
    char action[256];

    if (!any_term_contains(grant, terms, count, prefix))
        return true;
    for (size_t i = 0; i < count; i++) {
        const aws_term *term = &grant->terms[terms[i]];
        const nhi_statement *lists[1 + 64];
        size_t list_count = 0;
        if (term->statement->not_action)
            lists[list_count++] = term->statement;
        for (size_t d = 0; d < term->subtracted_count && list_count < 65; d++)
            if (!term->subtracted[d].statement->not_action)
                lists[list_count++] = term->subtracted[d].statement;
        for (size_t l = 0; l < list_count; l++) {
            const nhi_statement *statement = lists[l];
            for (size_t a = 0; a < statement->action_count; a++) {
                instantiate(statement->actions[a], action, sizeof(action));
                if (strncasecmp(action, prefix, strlen(prefix)) == 0 &&
                    !any_term_contains(grant, terms, count, action))
                    return true;
            }
        }
    }
    return false;
}

int aws_grant_is_admin(aws_eval *eval, const aws_grant *grant)
{
    bool candidate, certain;
    size_t *considered, count = 0;
    unsigned mask;
    question q;
    int result;

    aws_eval_candidate(eval, grant->identity, &candidate, &certain, &mask);
    if (certain)
        return 1;
    if (!candidate)
        return 0;
    considered = calloc(grant->term_count + 1, sizeof(*considered));
    if (considered == NULL)
        return NHI_ENOMEM;
    for (size_t t = 0; t < grant->term_count; t++) {
        const aws_term *term = &grant->terms[t];
        if (term->conditional || !term->resource_all)
            continue;
        considered[count++] = t;
        if (term_clean(grant, term) && !term->statement->not_action)
            for (size_t a = 0; a < term->statement->action_count; a++)
                if (covers_prefix(term->statement->actions[a], "")) {
                    free(considered);
                    return 1;
                }
    }
    /* Admin covers every string: one that escapes settles it. */
    if (witness_escapes(grant, considered, count, "")) {
        free(considered);
        return 0;
    }
    free(considered);

    result = question_init(&q);
    if (result < 0)
        return result;
    result = exclude_terms(&q, grant, true);
    /* Admin when no action escapes every unconditional term on "*". */
    if (result == NHI_OK)
        result = question_exists(&q);
    if (result >= 0)
        result = !result;
    question_free(&q);
    return result;
}

/* Maximum length of the key of a remembered term result. A question with
 * a longer key is evaluated again each time. */
#define ANSWER_KEY_MAX 1024

/* Write the key of a term question into `key`: what add_term reads, then
 * the patterns. Returns its length, or 0 when it does not fit. */
static size_t answer_key(const aws_grant *grant, const aws_term *term,
                         const char *const *patterns, size_t count,
                         bool positive, char key[ANSWER_KEY_MAX])
{
    size_t length = 0;
    const void *pointers[2] = {term->statement, grant->boundary};

    if (sizeof(pointers) + 1 +
            (term->subtracted_count * sizeof(void *)) >= ANSWER_KEY_MAX)
        return 0;
    key[length++] = positive ? '+' : '-';
    memcpy(key + length, pointers, sizeof(pointers));
    length += sizeof(pointers);
    for (size_t d = 0; d < term->subtracted_count; d++) {
        memcpy(key + length, &term->subtracted[d].statement, sizeof(void *));
        length += sizeof(void *);
    }
    for (size_t i = 0; i < count; i++) {
        size_t size = strlen(patterns[i]) + 1;
        if (length + size > ANSWER_KEY_MAX)
            return 0;
        memcpy(key + length, patterns[i], size);
        length += size;
    }
    return length;
}

/* Whether `action`, if the term contains it, is one of the patterns. */
static bool witness_matches(const aws_grant *grant, const aws_term *term,
                            const char *const *patterns, size_t count,
                            const char *action)
{
    if (!term_contains(grant, term, action))
        return false;
    for (size_t i = 0; i < count; i++)
        if (nhi_glob_match(patterns[i], action, NHI_GLOB_FOLD_CASE))
            return true;
    return false;
}

/* Whether a cheap witness shows that the term contains an action of the
 * patterns. The witnesses are the statement's actions and the patterns,
 * with their wildcards filled in. false decides nothing. */
static bool term_has_witness(const aws_grant *grant, const aws_term *term,
                             const char *const *patterns, size_t count)
{
    char action[256];

    for (size_t a = 0; !term->statement->not_action &&
                       a < term->statement->action_count;
         a++) {
        instantiate(term->statement->actions[a], action, sizeof(action));
        if (witness_matches(grant, term, patterns, count, action))
            return true;
    }
    for (size_t i = 0; i < count; i++) {
        instantiate(patterns[i], action, sizeof(action));
        if (witness_matches(grant, term, patterns, count, action))
            return true;
    }
    return false;
}

/* Whether some action pattern of `statement` may meet one of `patterns`:
 * 1, 0, or an error. NotAction may meet anything. Literal actions count
 * only when `with_literals` is set. */
static int statement_meets(const nhi_statement *statement,
                           const char *const *patterns, size_t count,
                           bool with_literals)
{
    if (statement->not_action)
        return 1;
    for (size_t a = 0; a < statement->action_count; a++) {
        const char *action = statement->actions[a];
        if (!with_literals && strpbrk(action, "*?") == NULL)
            continue;
        for (size_t i = 0; i < count; i++) {
            int meets = nhi_glob_intersects(action, patterns[i],
                                            NHI_GLOB_FOLD_CASE);
            if (meets != 0)
                return meets;
        }
    }
    return 0;
}

/*
 * Whether the term surely contains no action of the patterns. Call it
 * once term_has_witness has failed, because every literal action of the
 * statement is then out. The statement's wildcards must then miss the
 * patterns, or the boundary must allow none of them. false decides
 * nothing.
 */
static bool term_surely_misses(const aws_grant *grant, const aws_term *term,
                               const char *const *patterns, size_t count)
{
    const nhi_policy_version *boundary;

    if (statement_meets(term->statement, patterns, count, false) == 0)
        return true;
    boundary = aws_default_version(grant->boundary);
    if (boundary == NULL)
        return false;
    for (size_t s = 0; s < boundary->statement_count; s++)
        if (boundary->statements[s].allow &&
            statement_meets(&boundary->statements[s], patterns, count,
                            true) != 0)
            return false;
    return true;
}

static int term_exists_with(const aws_grant *grant, size_t t,
                            const char *const *patterns, size_t count,
                            bool positive)
{
    aws_eval *eval = grant->eval;
    char key[ANSWER_KEY_MAX];
    size_t length = 0;
    question q;
    int result;

    if (positive && term_has_witness(grant, &grant->terms[t], patterns, count))
        return 1;
    if (positive && term_surely_misses(grant, &grant->terms[t], patterns, count))
        return 0;

    if (eval) {
        length = answer_key(grant, &grant->terms[t], patterns, count, positive,
                            key);
        if (length) {
            void *stored = nhi_strmap_get(&eval->answers, key, length);
            if (stored)
                return (int)((uintptr_t)stored - 1);
        }
    }
    result = question_init(&q);
    if (result < 0)
        return result;
    add_term(&q, &q.base, grant, &grant->terms[t]);
    add_set_literal(&q, &q.base, positive, make_set(&q, patterns, count,
                                                     false));
    result = question_exists(&q);
    question_free(&q);
    if (result >= 0 && length) {
        char *copy;
        if (eval->answer_keys == NULL)
            eval->answer_keys = nhi_arena_new();
        copy = eval->answer_keys
                   ? nhi_arena_strndup(eval->answer_keys, key, length)
                   : NULL;
        if (copy == NULL ||
            nhi_strmap_put(&eval->answers, copy, length,
                           (void *)(uintptr_t)(result + 1)) < 0)
            return NHI_ENOMEM;
    }
    return result;
}

static int collect(const aws_grant *grant, const char *const *patterns,
                   size_t pattern_count, bool positive, size_t **out,
                   size_t *count)
{
    size_t *indexes = calloc(grant->term_count + 1, sizeof(*indexes));

    *out = NULL;
    *count = 0;
    if (indexes == NULL)
        return NHI_ENOMEM;
    for (size_t t = 0; t < grant->term_count; t++) {
        int result = term_exists_with(grant, t, patterns, pattern_count,
                                      positive);
        if (result < 0) {
            free(indexes);
            return result;
        }
        if (result == 1)
            indexes[(*count)++] = t;
    }
    *out = indexes;
    return NHI_OK;
}

int aws_grant_matching(const aws_grant *grant, const char *const *patterns,
                       size_t pattern_count, size_t **out, size_t *count)
{
    return collect(grant, patterns, pattern_count, true, out, count);
}

int aws_grant_excess(const aws_grant *grant, const char *const *allowed,
                     size_t allowed_count, size_t **excess, size_t *count)
{
    return collect(grant, allowed, allowed_count, false, excess, count);
}

int aws_term_pattern_excess(const aws_grant *grant, size_t t, size_t pattern,
                            const char *const *allowed, size_t allowed_count)
{
    const aws_term *term = &grant->terms[t];
    question q;
    int result = question_init(&q);

    if (result < 0)
        return result;
    add_term(&q, &q.base, grant, term);
    add_set_literal(&q, &q.base, true,
                    make_set(&q, &term->statement->actions[pattern], 1, false));
    add_set_literal(&q, &q.base, false,
                    make_set(&q, allowed, allowed_count, false));
    result = question_exists(&q);
    question_free(&q);
    return result;
}

/* Whether a statement may name an action of the service at all. */
static bool statement_in_service(const nhi_statement *statement,
                                 const char *service)
{
    if (statement->not_action)
        return true;
    for (size_t a = 0; a < statement->action_count; a++)
        if (same_service(statement->actions[a], service) != 0)
            return true;
    return false;
}

/* Whether a boundary (or none) may allow an action of the service. */
static bool boundary_in_service(const nhi_policy *boundary,
                                const char *service)
{
    const nhi_policy_version *version;

    if (boundary == NULL)
        return true;
    version = aws_default_version(boundary);
    for (size_t s = 0; version && s < version->statement_count; s++)
        if (version->statements[s].allow &&
            statement_in_service(&version->statements[s], service))
            return true;
    return false;
}

/* A term that, within one service, is exactly its statement: no boundary
 * and no subtracted deny that names the service. */
static bool term_clean_in(const aws_grant *grant, const aws_term *term,
                          const char *service)
{
    if (grant->boundary)
        return false;
    for (size_t d = 0; d < term->subtracted_count; d++)
        if (statement_in_service(term->subtracted[d].statement, service))
            return false;
    return true;
}

/*
 * Whether the term grants some action of the service: 1, 0, or -1 when
 * only the automaton can tell.
 */
static int term_touches_service(const aws_grant *grant, const aws_term *term,
                                const char *service, const char *pattern)
{
    const nhi_statement *statement = term->statement;
    bool unsure = false;

    if (!term_clean_in(grant, term, service))
        return -1;
    for (size_t a = 0; a < statement->action_count; a++) {
        int same = same_service(statement->actions[a], service);
        if (!statement->not_action) {
            if (same == 1)
                return 1;
            if (same < 0 &&
                nhi_glob_intersects(statement->actions[a], pattern,
                                    NHI_GLOB_FOLD_CASE) == 1)
                return 1;
        } else if (covers_prefix(statement->actions[a], pattern) ||
                   (same == 1 && strcmp(statement->actions[a] +
                                            strlen(service) + 1,
                                        "*") == 0)) {
            return 0; /* NotAction removes the whole service */
        } else if (same != 0) {
            unsure = true;
        }
    }
    if (statement->not_action)
        return unsure ? -1 : 1;
    return 0;
}

/* Whether one clean term alone grants the whole service. */
static bool term_covers_service(const aws_grant *grant, const aws_term *term,
                                const char *service, const char *prefix)
{
    const nhi_statement *statement = term->statement;

    if (!term_clean_in(grant, term, service))
        return false;
    for (size_t a = 0; a < statement->action_count; a++) {
        if (!statement->not_action &&
            covers_prefix(statement->actions[a], prefix))
            return true;
        if (statement->not_action &&
            same_service(statement->actions[a], service) != 0)
            return false;
    }
    return statement->not_action;
}

/* Whether the instantiated patterns of a statement that fall in the
 * service hold a witness the term contains. */
static bool statement_witness(const aws_grant *grant, const aws_term *term,
                              const nhi_statement *statement,
                              const char *prefix)
{
    char action[256];

    for (size_t a = 0; a < statement->action_count; a++) {
        instantiate(statement->actions[a], action, sizeof(action));
        if (strncasecmp(action, prefix, strlen(prefix)) == 0 &&
            term_contains(grant, term, action))
            return true;
    }
    return false;
}

/* Whether the term holds some action of the service found cheaply. */
static bool term_witness_in(const aws_grant *grant, const aws_term *term,
                            const char *prefix)
{
    const nhi_policy_version *boundary = aws_default_version(grant->boundary);

    if (term_contains(grant, term, prefix))
        return true;
    if (!term->statement->not_action &&
        statement_witness(grant, term, term->statement, prefix))
        return true;
    for (size_t s = 0; boundary && s < boundary->statement_count; s++)
        if (boundary->statements[s].allow && !boundary->statements[s].not_action &&
            statement_witness(grant, term, &boundary->statements[s], prefix))
            return true;
    return false;
}

int aws_grant_covers_service(const aws_grant *grant, const char *service,
                             size_t **contributors, size_t *count)
{
    char pattern[64], prefix[64];
    const char *service_pattern = pattern;
    size_t *indexes;
    question q;
    int result;

    snprintf(pattern, sizeof(pattern), "%s:*", service);
    snprintf(prefix, sizeof(prefix), "%s:", service);
    *count = 0;
    *contributors = indexes = calloc(grant->term_count + 1, sizeof(*indexes));
    if (indexes == NULL)
        return NHI_ENOMEM;

    for (size_t t = 0; t < grant->term_count; t++) {
        const aws_term *term = &grant->terms[t];
        int touches = term_touches_service(grant, term, service, pattern);
        /* Actions of the service that the statements name are cheap
         * witnesses; "svc:" itself is one too. */
        if (touches < 0 && term_witness_in(grant, term, prefix))
            touches = 1;
        for (size_t a = 0; touches < 0 && term->statement->not_action &&
                           a < term->statement->action_count;
             a++)
            if (covers_prefix(term->statement->actions[a], prefix))
                touches = 0; /* NotAction leaves the whole service out */
        if (touches < 0 && (!statement_in_service(term->statement, service) ||
                            !boundary_in_service(grant->boundary, service)))
            touches = 0;
        for (size_t d = 0; touches < 0 && d < term->subtracted_count; d++) {
            const nhi_statement *deny = term->subtracted[d].statement;
            for (size_t a = 0; !deny->not_action && a < deny->action_count; a++)
                if (covers_prefix(deny->actions[a], prefix))
                    touches = 0; /* the deny removes the whole service */
        }
        if (touches < 0)
            touches = term_exists_with(grant, t, &service_pattern, 1, true);
        if (touches < 0) {
            result = touches;
            goto fail;
        }
        if (touches)
            indexes[(*count)++] = t;
    }
    for (size_t i = 0; i < *count; i++) {
        const aws_term *term = &grant->terms[indexes[i]];
        if (term_covers_service(grant, term, service, prefix))
            return 1;
    }
    /* An action of the service that no term holds settles it. */
    if (*count == 0 || witness_escapes(grant, indexes, *count, prefix))
        return 0;

    result = question_init(&q);
    if (result < 0)
        goto fail;
    add_set_literal(&q, &q.base, true, make_set(&q, &service_pattern, 1,
                                                 false));
    q.excluded = calloc(*count + 1, sizeof(*q.excluded));
    if (q.excluded == NULL) {
        question_free(&q);
        result = NHI_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < *count; i++)
        add_term(&q, &q.excluded[q.excluded_count++], grant,
                 &grant->terms[indexes[i]]);
    /* Covered when no action of the service escapes every term. */
    result = question_exists(&q);
    question_free(&q);
    if (result < 0)
        goto fail;
    return !result;
fail:
    free(*contributors);
    *contributors = NULL;
    *count = 0;
    return result;
}
