/* SPDX-License-Identifier: MIT */
/*
 * Lifecycle rules: identities nobody declared, declarations whose
 * identities are gone, declarations with no owner.
 */
#include <stdlib.h>
#include <string.h>

#include "nhi/audit.h"
#include "util.h"

static int add_identity_evidence(nhi_finding *finding,
                                 const nhi_identity *identity,
                                 const char *detail)
{
    return nhi_finding_add_evidence(finding, identity->location.source,
                                    identity->location.line,
                                    identity->location.column,
                                    identity->location.json_path, NULL, NULL,
                                    detail)
               ? NHI_OK
               : NHI_ENOMEM;
}

static int add_decl_evidence(nhi_finding *finding, const nhi_decl *decl,
                             unsigned line, unsigned column,
                             const char *detail)
{
    return nhi_finding_add_evidence(finding, decl->path, line, column, NULL,
                                    NULL, NULL, detail)
               ? NHI_OK
               : NHI_ENOMEM;
}

static int rule_undeclared(nhi_audit *audit)
{
    const nhi_rule_info *rule = nhi_rule_find("life.undeclared-identity");
    nhi_severity severity = nhi_audit_severity(audit, rule);
    nhi_graph *graph = audit->graph;

    for (size_t i = 0; i < graph->identity_count; i++) {
        const nhi_identity *identity = graph->identities[i];
        bool unknown = identity->class_ == NHI_CLASS_UNKNOWN;
        nhi_finding *finding;
        char *detail;
        int result;

        if (identity->declaration >= 0 || identity->kind == NHI_KIND_AWS_ROOT ||
            (identity->class_ != NHI_CLASS_WORKLOAD && !unknown))
            continue;
        finding = nhi_findings_add(
            &audit->findings, rule,
            unknown ? nhi_severity_lower(severity) : severity, identity, NULL,
            NULL, "%s %s is not covered by any declaration",
            unknown ? "identity of unknown class" : "workload identity",
            identity->name);
        if (finding == NULL)
            return NHI_ENOMEM;
        detail = nhi_asprintf("%s %s, class %s",
                              nhi_identity_kind_name(identity->kind),
                              identity->id,
                              nhi_identity_class_name(identity->class_));
        result = detail ? add_identity_evidence(finding, identity, detail)
                        : NHI_ENOMEM;
        free(detail);
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

static const char *arn_account(const char *arn, char *buffer, size_t size)
{
    const char *start = arn;
    const char *end;

    for (int field = 0; field < 4 && start; field++) {
        start = strchr(start, ':');
        if (start)
            start++;
    }
    end = start ? strchr(start, ':') : NULL;
    if (end == NULL || (size_t)(end - start) >= size)
        return NULL;
    memcpy(buffer, start, (size_t)(end - start));
    buffer[end - start] = '\0';
    return buffer;
}

static int missing_finding(nhi_audit *audit, const nhi_decl *decl,
                           const char *subject, unsigned line,
                           unsigned column, const char *message)
{
    const nhi_rule_info *rule = nhi_rule_find("life.declared-missing");
    nhi_finding *finding = nhi_findings_add(
        &audit->findings, rule, nhi_audit_severity(audit, rule), NULL, decl,
        subject, "%s", message);

    if (finding == NULL)
        return NHI_ENOMEM;
    return add_decl_evidence(finding, decl, line, column,
                             "bound by this declaration");
}

static int rule_declared_missing(nhi_audit *audit)
{
    const nhi_decl_set *decls = &audit->workspace->decls;
    const nhi_graph *graph = audit->graph;

    for (size_t d = 0; d < decls->count; d++) {
        const nhi_decl *decl = &decls->items[d];
        int result = NHI_OK;
        char *message;

        if (!decl->valid)
            continue;
        /* Bound by name: missing when the exports hold no such name. */
        if (decl->identity_count == 0) {
            if (audit->bound[d].count > 0 || graph->identity_count == 0)
                continue;
            message = nhi_asprintf("no identity named '%s' is in the exports",
                                   decl->name);
            result = message ? missing_finding(audit, decl, decl->name,
                                               decl->line, decl->column,
                                               message)
                             : NHI_ENOMEM;
            free(message);
            if (result < 0)
                return result;
            continue;
        }
        for (size_t b = 0; b < decl->identity_count && result >= 0; b++) {
            const nhi_decl_binding *binding = &decl->identities[b];
            char account[32];
            /* NOTE: only AWS identities can be found missing: no reader
             * of GCP, Azure or Kubernetes exports exists yet. */
            if (binding->provider != NHI_PROVIDER_AWS ||
                nhi_graph_find_identity(graph, binding->id) ||
                !arn_account(binding->id, account, sizeof(account)) ||
                !nhi_graph_has_account(graph, account))
                continue;
            message = nhi_asprintf("declared identity %s is not in the export "
                                   "of account %s",
                                   binding->id, account);
            result = message ? missing_finding(audit, decl, binding->id,
                                               binding->line, binding->column,
                                               message)
                             : NHI_ENOMEM;
            free(message);
        }
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

static int rule_owner_missing(nhi_audit *audit)
{
    const nhi_rule_info *rule = nhi_rule_find("life.owner-missing");
    const nhi_decl_set *decls = &audit->workspace->decls;
    nhi_severity severity = nhi_audit_severity(audit, rule);

    for (size_t d = 0; d < decls->count; d++) {
        const nhi_decl *decl = &decls->items[d];
        const nhi_binding_list *list = &audit->bound[d];
        size_t findings = list->count ? list->count : 1;

        if (!decl->valid || decl->owner)
            continue;
        for (size_t i = 0; i < findings; i++) {
            nhi_finding *finding = nhi_findings_add(
                &audit->findings, rule, severity,
                list->count ? list->items[i] : NULL, decl, NULL,
                "declaration '%s' names no owner", decl->name);
            if (finding == NULL ||
                add_decl_evidence(finding, decl, decl->line, decl->column,
                                  "no 'owner:' key") < 0)
                return NHI_ENOMEM;
        }
    }
    return NHI_OK;
}

/* The latest review of a declaration: its last_reviewed or a record. */
static nhi_time last_review(const nhi_audit *audit, const nhi_decl *decl,
                            const char **source)
{
    nhi_time last = decl->last_reviewed;

    *source = "last_reviewed in the declaration";
    for (size_t i = 0; i < audit->review_count; i++) {
        const nhi_review *review = &audit->reviews[i];
        if (strcmp(review->declaration, decl->name) != 0 ||
            review->reviewed_at == NHI_TIME_UNKNOWN)
            continue;
        if (last == NHI_TIME_UNKNOWN || review->reviewed_at > last) {
            last = review->reviewed_at;
            *source = "review recorded with 'nhi review attest'";
        }
    }
    return last;
}

static int rule_review_overdue(nhi_audit *audit)
{
    const nhi_rule_info *rule = nhi_rule_find("life.review-overdue");
    const nhi_decl_set *decls = &audit->workspace->decls;
    nhi_severity severity = nhi_audit_severity(audit, rule);

    for (size_t d = 0; d < decls->count; d++) {
        const nhi_decl *decl = &decls->items[d];
        const nhi_binding_list *list = &audit->bound[d];
        size_t findings = list->count ? list->count : 1;
        const char *source;
        nhi_time last;
        char when[32], *detail;

        if (!decl->valid)
            continue;
        last = last_review(audit, decl, &source);
        if (last != NHI_TIME_UNKNOWN &&
            audit->now - last <= decl->review_seconds)
            continue;
        nhi_time_format(last, when, sizeof(when));
        detail = last == NHI_TIME_UNKNOWN
                     ? nhi_asprintf("no review recorded; cadence %s", decl->review)
                     : nhi_asprintf("last review %s (%s); cadence %s", when,
                                    source, decl->review);
        if (detail == NULL)
            return NHI_ENOMEM;
        for (size_t i = 0; i < findings; i++) {
            nhi_finding *finding;
            if (last == NHI_TIME_UNKNOWN)
                finding = nhi_findings_add(
                    &audit->findings, rule, severity,
                    list->count ? list->items[i] : NULL, decl, NULL,
                    "declaration '%s' has never been reviewed (review %s)",
                    decl->name, decl->review);
            else
                finding = nhi_findings_add(
                    &audit->findings, rule, severity,
                    list->count ? list->items[i] : NULL, decl, NULL,
                    "declaration '%s' was last reviewed %lld days ago; its "
                    "cadence is %s",
                    decl->name, (long long)((audit->now - last) / NHI_DAY),
                    decl->review);
            if (finding == NULL || add_decl_evidence(finding, decl, decl->line,
                                                     decl->column, detail) < 0) {
                free(detail);
                return NHI_ENOMEM;
            }
        }
        free(detail);
    }
    return NHI_OK;
}

int nhi_rules_life(nhi_audit *audit)
{
    int result = rule_undeclared(audit);

    if (result >= 0)
        result = rule_review_overdue(audit);
    if (result >= 0)
        result = rule_declared_missing(audit);
    if (result >= 0)
        result = rule_owner_missing(audit);
    return result;
}
