/* SPDX-License-Identifier: MIT */
/*
 * Scope rules: what an identity is granted, against the declaration and
 * good practice. Scope compares actions, not resources: an action granted
 * on any resource counts as granted.
 */
#include <stdlib.h>
#include <string.h>

#include "aws_eval.h"
#include "nhi/audit.h"
#include "nhi/catalog.h"
#include "util.h"

/* Actions and resources shown in one evidence line before "N more". */
#define SHOWN_ITEMS 6

typedef struct scope_context {
    nhi_audit *audit;
    aws_eval *eval;
    nhi_findings *findings; /* where this worker adds its findings */
} scope_context;

static void append_list(nhi_buf *buf, const char *const *items, size_t count)
{
    for (size_t i = 0; i < count && i < SHOWN_ITEMS; i++)
        nhi_buf_printf(buf, "%s%s", i ? ", " : "", items[i]);
    if (count > SHOWN_ITEMS)
        nhi_buf_printf(buf, " and %zu more", count - SHOWN_ITEMS);
}

static void describe_statement(nhi_buf *buf, const nhi_statement *statement)
{
    nhi_buf_puts(buf, statement->allow ? "Allow " : "Deny ");
    if (statement->not_action)
        nhi_buf_puts(buf, "every action except ");
    append_list(buf, statement->actions, statement->action_count);
    nhi_buf_puts(buf, statement->not_resource ? " on every resource except "
                                              : " on ");
    append_list(buf, statement->resources, statement->resource_count);
    if (statement->condition)
        nhi_buf_printf(buf, " when %s", statement->condition);
}

static char *policy_label(const nhi_policy *policy, const char *via_group)
{
    const char *kind = policy->kind == NHI_POLICY_MANAGED
                           ? (policy->aws_managed ? "AWS managed policy"
                                                  : "managed policy")
                           : "inline policy";

    if (via_group)
        return nhi_asprintf("%s %s (through group %s)", kind, policy->name,
                            via_group);
    return nhi_asprintf("%s %s", kind, policy->name);
}

static char *statement_path(const nhi_policy *policy,
                            const nhi_statement *statement)
{
    const char *base = policy->location.json_path ? policy->location.json_path
                                                  : "";

    if (policy->kind == NHI_POLICY_MANAGED)
        return nhi_asprintf("%s.PolicyVersionList[%zu].Document.Statement[%u]",
                            base, policy->default_version, statement->index);
    if (policy->kind == NHI_POLICY_TRUST)
        return nhi_asprintf("%s.Statement[%u]", base, statement->index);
    return nhi_asprintf("%s.PolicyDocument.Statement[%u]", base,
                        statement->index);
}

static char *statement_name(const nhi_statement *statement)
{
    if (statement->sid && statement->sid[0])
        return nhi_asprintf("%s (Statement[%u])", statement->sid,
                            statement->index);
    return nhi_asprintf("Statement[%u]", statement->index);
}

/* Evidence for one term: the statement, with its denies and condition. */
static int term_evidence(nhi_finding *finding, const aws_term *term,
                         const char *prefix)
{
    nhi_buf detail = {0};
    char *policy = policy_label(term->policy, term->via_group);
    char *path = statement_path(term->policy, term->statement);
    char *name = statement_name(term->statement);
    int result = NHI_OK;

    if (prefix)
        nhi_buf_printf(&detail, "%s, from ", prefix);
    describe_statement(&detail, term->statement);
    if (term->conditional)
        nhi_buf_puts(&detail, " (conditional: nhi cannot decide the "
                              "condition from the export)");
    for (size_t d = 0; d < term->subtracted_count; d++) {
        nhi_buf_puts(&detail, "; minus ");
        describe_statement(&detail, term->subtracted[d].statement);
        nhi_buf_printf(&detail, " in %s", term->subtracted[d].policy->name);
    }
    for (size_t d = 0; d < term->partial_count; d++) {
        nhi_buf_puts(&detail, "; partly denied by ");
        describe_statement(&detail, term->partial[d].statement);
        nhi_buf_printf(&detail, " in %s", term->partial[d].policy->name);
    }
    if (!policy || !path || !name || detail.failed ||
        !nhi_finding_add_evidence(finding, term->policy->location.source,
                                  term->policy->location.line,
                                  term->policy->location.column, path, policy,
                                  name, detail.data))
        result = NHI_ENOMEM;
    free(policy);
    free(path);
    free(name);
    nhi_buf_free(&detail);
    return result;
}

static int boundary_note(nhi_finding *finding, const aws_grant *grant)
{
    const nhi_identity *identity = grant->identity;
    char *detail;
    nhi_evidence *evidence;

    if (!grant->boundary_unknown)
        return NHI_OK;
    detail = nhi_asprintf("the permissions boundary %s is not in the export, "
                          "so whether it limits this grant is unknown",
                          identity->boundary_arn);
    evidence = detail ? nhi_finding_add_evidence(
                            finding, identity->location.source,
                            identity->location.line, identity->location.column,
                            identity->location.json_path, NULL, NULL, detail)
                      : NULL;
    free(detail);
    return evidence ? NHI_OK : NHI_ENOMEM;
}

static int add_terms(nhi_finding *finding, const aws_grant *grant,
                     const size_t *indexes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        int result = term_evidence(finding, &grant->terms[indexes[i]], NULL);
        if (result < 0)
            return result;
    }
    return boundary_note(finding, grant);
}

/* Scope rules keep their severity whatever the class: only governance
 * rules (life.*, cred.*) go one level lower for unknown identities. */
static bool governed(const nhi_identity *identity)
{
    return identity->declaration >= 0 ||
           identity->class_ == NHI_CLASS_WORKLOAD ||
           identity->class_ == NHI_CLASS_UNKNOWN;
}

static int rule_full_admin(scope_context *context, nhi_identity *identity,
                           const aws_grant *grant, bool *admin)
{
    nhi_audit *audit = context->audit;
    const nhi_rule_info *rule = nhi_rule_find("scope.full-admin");
    size_t *indexes;
    size_t count = 0;
    nhi_finding *finding;
    int result = aws_grant_is_admin(context->eval, grant);

    *admin = result == 1;
    if (result >= 0 && audit->admin)
        audit->admin[identity->index] = (signed char)(result == 1);
    if (result != 1)
        return result < 0 ? result : NHI_OK;
    finding = nhi_findings_add(
        context->findings, rule, nhi_audit_severity(audit, rule),
        identity,
        identity->declaration >= 0
            ? &audit->workspace->decls.items[identity->declaration]
            : NULL,
        "*", "can do every action on every resource (\"*\" on \"*\")%s",
        grant->boundary_unknown ? ", unless its permissions boundary, which "
                                  "is not in the export, limits it"
                                : "");
    if (finding == NULL)
        return NHI_ENOMEM;
    indexes = calloc(grant->term_count + 1, sizeof(*indexes));
    if (indexes == NULL)
        return NHI_ENOMEM;
    for (size_t t = 0; t < grant->term_count; t++) {
        const aws_term *term = &grant->terms[t];
        if (!term->resource_all || term->conditional)
            continue;
        bool wide = term->statement->not_action;
        for (size_t a = 0; a < term->statement->action_count && !wide; a++)
            wide = term->statement->actions[a][0] == '*';
        if (wide)
            indexes[count++] = t;
    }
    result = add_terms(finding, grant, indexes, count);
    free(indexes);
    return result;
}

static int rule_sensitive_wildcards(scope_context *context,
                                    nhi_identity *identity,
                                    const aws_grant *grant, unsigned mask)
{
    nhi_audit *audit = context->audit;
    const nhi_rule_info *rule = nhi_rule_find("scope.sensitive-wildcard");

    for (size_t s = 0; s < aws_sensitive_service_count; s++) {
        const char *service = aws_sensitive_services[s];
        size_t *contributors = NULL, count = 0;
        nhi_finding *finding;
        int result;

        if (!(mask & (1u << s)))
            continue;
        result = aws_grant_covers_service(grant, service, &contributors,
                                          &count);
        if (result < 0)
            return result;
        if (result == 1) {
            finding = nhi_findings_add(
                context->findings, rule, nhi_audit_severity(audit, rule),
                identity,
                identity->declaration >= 0
                    ? &audit->workspace->decls.items[identity->declaration]
                    : NULL,
                service, "is granted every action of %s (%s:*)", service,
                service);
            result = finding ? add_terms(finding, grant, contributors, count)
                             : NHI_ENOMEM;
        }
        free(contributors);
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

size_t nhi_decl_aws_patterns(const nhi_catalog *catalog,
                             const nhi_decl_action *action,
                             const char ***patterns)
{
    const nhi_catalog_entry *entry;

    if (action->kind == NHI_ACTION_NATIVE) {
        if (action->provider != NHI_PROVIDER_AWS)
            return 0;
        *patterns = (const char **)&action->text;
        return 1;
    }
    entry = nhi_catalog_find(catalog, action->text);
    if (entry == NULL)
        return 0;
    *patterns = (const char **)entry->patterns[NHI_PROVIDER_AWS];
    return entry->counts[NHI_PROVIDER_AWS];
}

static int rule_prohibited(scope_context *context, const nhi_decl *decl,
                           nhi_identity *identity, const aws_grant *grant)
{
    nhi_audit *audit = context->audit;
    const nhi_rule_info *rule = nhi_rule_find("scope.prohibited-action");

    for (size_t p = 0; p < decl->prohibited_count; p++) {
        const nhi_decl_action *action = &decl->prohibited[p];
        const char **patterns = NULL;
        size_t pattern_count = nhi_decl_aws_patterns(
            audit->workspace->catalog, action, &patterns);
        size_t *indexes = NULL, count = 0;
        bool all_conditional = true;
        nhi_finding *finding;
        int result;

        if (pattern_count == 0)
            continue;
        result = aws_grant_matching(grant, patterns, pattern_count, &indexes,
                                    &count);
        if (result < 0)
            return result;
        for (size_t i = 0; i < count; i++)
            all_conditional = all_conditional &&
                              grant->terms[indexes[i]].conditional;
        if (count > 0) {
            finding = nhi_findings_add(
                context->findings, rule, nhi_audit_severity(audit, rule),
                identity, decl, action->text,
                "prohibited action '%s' is granted by %zu statement%s%s",
                action->text, count, count == 1 ? "" : "s",
                all_conditional ? ", each under a condition" : "");
            result = finding ? add_terms(finding, grant, indexes, count)
                             : NHI_ENOMEM;
        }
        free(indexes);
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

/* The allowed actions of a declaration as AWS patterns (borrowed). */
static int allowed_patterns(const nhi_audit *audit, const nhi_decl *decl,
                            const char ***out, size_t *out_count)
{
    const char **all = NULL;
    size_t count = 0, capacity = 0;

    for (size_t a = 0; a < decl->allowed_count; a++) {
        const char **patterns = NULL;
        size_t n = nhi_decl_aws_patterns(audit->workspace->catalog,
                                         &decl->allowed[a], &patterns);
        if (nhi_grow((void **)&all, &capacity, count + n + 1, sizeof(*all)) <
            0) {
            free(all);
            return NHI_ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
            all[count++] = patterns[i];
    }
    *out = all;
    *out_count = count;
    return NHI_OK;
}

static int excess_evidence(nhi_finding *finding, const aws_grant *grant,
                           size_t t, const char **allowed, size_t allowed_count)
{
    const aws_term *term = &grant->terms[t];
    const nhi_statement *statement = term->statement;
    nhi_buf excess = {0};
    int result = NHI_OK;

    if (statement->not_action) {
        nhi_buf_puts(&excess, "every action except ");
        append_list(&excess, statement->actions, statement->action_count);
    }
    for (size_t a = 0; !statement->not_action && a < statement->action_count;
         a++) {
        result = aws_term_pattern_excess(grant, t, a, allowed, allowed_count);
        if (result < 0)
            break;
        if (result == 1)
            nhi_buf_printf(&excess, "%s%s", excess.length ? ", " : "",
                           statement->actions[a]);
        result = NHI_OK;
    }
    if (result == NHI_OK) {
        char *prefix = nhi_asprintf("%s not declared",
                                    excess.data ? excess.data : "");
        result = prefix ? term_evidence(finding, term, prefix) : NHI_ENOMEM;
        free(prefix);
    }
    nhi_buf_free(&excess);
    return result;
}

static int rule_exceeds(scope_context *context, const nhi_decl *decl,
                        nhi_identity *identity, const aws_grant *grant)
{
    nhi_audit *audit = context->audit;
    const nhi_rule_info *rule = nhi_rule_find("scope.exceeds-declaration");
    const char **allowed = NULL;
    size_t allowed_count = 0, *indexes = NULL, count = 0;
    nhi_finding *finding;
    int result = allowed_patterns(audit, decl, &allowed, &allowed_count);

    if (result < 0)
        return result;
    result = aws_grant_excess(grant, allowed, allowed_count, &indexes, &count);
    if (result < 0 || count == 0)
        goto out;
    finding = nhi_findings_add(
        context->findings, rule, nhi_audit_severity(audit, rule),
        identity, decl, NULL,
        "%zu statement%s grant%s actions that allowed_actions of '%s' does "
        "not cover",
        count, count == 1 ? "" : "s", count == 1 ? "s" : "", decl->name);
    if (finding == NULL) {
        result = NHI_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < count && result >= 0; i++)
        result = excess_evidence(finding, grant, indexes[i], allowed,
                                 allowed_count);
    if (result >= 0)
        result = boundary_note(finding, grant);
out:
    free(indexes);
    free(allowed);
    return result;
}

static int scope_identity(scope_context *context, nhi_identity *identity)
{
    nhi_audit *audit = context->audit;
    const nhi_decl_set *decls = &audit->workspace->decls;
    bool candidate, certain, admin = false, declared;
    unsigned mask;
    aws_grant grant;
    int result;

    if (identity->provider != NHI_PROVIDER_AWS || !governed(identity))
        return NHI_OK;
    declared = identity->declaration >= 0;
    aws_eval_candidate(context->eval, identity, &candidate, &certain, &mask);
    if (!candidate && !certain && audit->admin)
        audit->admin[identity->index] = 0;
    if (!candidate && !certain && mask == 0 && !declared)
        return NHI_OK; /* cannot be admin or hold a whole service */

    result = aws_grant_build(context->eval, identity, &grant);
    if (result < 0)
        goto out;
    result = rule_full_admin(context, identity, &grant, &admin);
    if (result >= 0 && !admin && mask)
        result = rule_sensitive_wildcards(context, identity, &grant, mask);

    /* Every declaration bound to the identity is judged, clashes too. */
    for (size_t d = 0; declared && result >= 0 && d < decls->count; d++) {
        const nhi_binding_list *list = &audit->bound[d];
        for (size_t i = 0; i < list->count && result >= 0; i++) {
            if (list->items[i] != identity)
                continue;
            result = rule_prohibited(context, &decls->items[d], identity,
                                     &grant);
            if (result >= 0)
                result = rule_exceeds(context, &decls->items[d], identity,
                                      &grant);
        }
    }
out:
    aws_grant_free(&grant);
    return result;
}

/* Identities in one unit of work. Each unit keeps its own findings, and
 * the units are joined in order, so the result does not depend on which
 * thread ran which unit. */
#define SCOPE_CHUNK 512

typedef struct scope_work {
    nhi_audit *audit;
    nhi_findings *chunks; /* by unit: the findings of its identities */
    int *results;         /* by unit */
} scope_work;

/* A thread's own evaluator: the eval caches are not shared. */
static void *scope_begin(void *context)
{
    scope_work *work = context;
    aws_eval *eval = NULL;

    return aws_eval_new(work->audit->graph, &eval) < 0 ? NULL : eval;
}

static void scope_run(void *context, void *state, size_t unit)
{
    scope_work *work = context;
    nhi_graph *graph = work->audit->graph;
    scope_context scope = {work->audit, state, &work->chunks[unit]};
    size_t end = (unit + 1) * SCOPE_CHUNK;
    int result = state ? NHI_OK : NHI_ENOMEM;

    if (end > graph->identity_count)
        end = graph->identity_count;
    for (size_t i = unit * SCOPE_CHUNK; result >= 0 && i < end; i++)
        result = scope_identity(&scope, graph->identities[i]);
    work->results[unit] = result;
}

static void scope_end(void *context, void *state)
{
    (void)context;
    aws_eval_free(state);
}

int nhi_rules_scope(nhi_audit *audit)
{
    size_t identities = audit->graph->identity_count;
    scope_work work = {audit, NULL, NULL};
    nhi_units units = {(identities + SCOPE_CHUNK - 1) / SCOPE_CHUNK, &work,
                       scope_begin, scope_run, scope_end};
    int result = NHI_OK;

    work.chunks = calloc(units.count + 1, sizeof(*work.chunks));
    work.results = calloc(units.count + 1, sizeof(*work.results));
    if (work.chunks == NULL || work.results == NULL) {
        free(work.chunks);
        free(work.results);
        return NHI_ENOMEM;
    }
    for (size_t c = 0; c < units.count; c++)
        work.chunks[c].deferred_fingerprints = true;
    nhi_units_run(&units);

    for (size_t c = 0; c < units.count; c++) {
        if (result >= 0 && work.results[c] < 0)
            result = work.results[c];
        if (result >= 0)
            result = nhi_findings_take(&audit->findings, &work.chunks[c]);
        nhi_findings_free(&work.chunks[c]);
    }
    free(work.chunks);
    free(work.results);
    return result;
}
