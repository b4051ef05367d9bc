/* SPDX-License-Identifier: MIT */
/*
 * Credential rules: static keys where the declaration wants federation,
 * keys not rotated or not used, two active keys, identities nobody uses,
 * console passwords on service identities, and root access keys. Ages
 * are measured from the audit's time (--now), so reports are repeatable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhi/audit.h"
#include "util.h"

static const nhi_decl *decl_of(const nhi_audit *audit,
                               const nhi_identity *identity)
{
    return identity->declaration >= 0
               ? &audit->workspace->decls.items[identity->declaration]
               : NULL;
}

/* Governance rules judge workload identities, and unknown ones one level
 * lower; declared identities are workloads. Returns false to skip. */
static bool governed_severity(const nhi_audit *audit,
                              const nhi_identity *identity, const char *rule,
                              nhi_severity *severity)
{
    *severity = nhi_audit_severity(audit, nhi_rule_find(rule));
    if (identity->kind == NHI_KIND_AWS_ROOT)
        return false;
    if (identity->class_ == NHI_CLASS_WORKLOAD)
        return true;
    if (identity->class_ == NHI_CLASS_UNKNOWN) {
        *severity = nhi_severity_lower(*severity);
        return true;
    }
    return false;
}

static long long days(nhi_time seconds)
{
    return (long long)(seconds / NHI_DAY);
}

static char *credential_name(const nhi_credential *credential)
{
    if (credential->key_id)
        return nhi_asprintf("%s %s", nhi_credential_kind_name(credential->kind),
                            credential->key_id);
    return nhi_asprintf("%s %u", nhi_credential_kind_name(credential->kind),
                        credential->slot);
}

static int credential_evidence(nhi_finding *finding,
                               const nhi_credential *credential,
                               const char *detail)
{
    return nhi_finding_add_evidence(finding, credential->location.source,
                                    credential->location.line,
                                    credential->location.column,
                                    credential->location.json_path, NULL, NULL,
                                    detail)
               ? NHI_OK
               : NHI_ENOMEM;
}

/* Add a finding about one credential, with one evidence line. */
static int credential_finding(nhi_audit *audit, const char *rule,
                              nhi_severity severity,
                              const nhi_credential *credential,
                              const char *detail, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int credential_finding(nhi_audit *audit, const char *rule,
                              nhi_severity severity,
                              const nhi_credential *credential,
                              const char *detail, const char *fmt, ...)
{
    char *subject = credential_name(credential);
    char *message;
    va_list args;
    nhi_finding *finding = NULL;
    int result = NHI_ENOMEM;

    va_start(args, fmt);
    message = nhi_vasprintf(fmt, args);
    va_end(args);
    if (subject && message)
        finding = nhi_findings_add(&audit->findings, nhi_rule_find(rule),
                                   severity, credential->identity,
                                   decl_of(audit, credential->identity),
                                   subject, "%s", message);
    if (finding)
        result = credential_evidence(finding, credential, detail);
    free(subject);
    free(message);
    return result;
}

static bool is_active_key(const nhi_credential *credential)
{
    return credential->kind == NHI_CREDENTIAL_ACCESS_KEY && credential->active;
}

static char *key_summary(const nhi_credential *credential)
{
    char created[32], used[32];

    nhi_time_format(credential->created, created, sizeof(created));
    nhi_time_format(credential->last_used, used, sizeof(used));
    char slot[32];

    snprintf(slot, sizeof(slot), "access key in slot %u", credential->slot);
    return nhi_asprintf("%s, active, created or rotated %s, last used %s",
                        credential->key_id ? credential->key_id : slot,
                        created,
                        credential->never_used      ? "never"
                        : credential->usage_unknown ? "unknown"
                                                    : used);
}

static int rule_static_on_short_lived(nhi_audit *audit,
                                      const nhi_credential *credential)
{
    const nhi_decl *decl = decl_of(audit, credential->identity);
    const char *rule = "cred.static-on-short-lived";
    char *detail;
    int result;

    if (decl == NULL ||
        decl->credential_model != NHI_CREDENTIAL_SHORT_LIVED_TOKEN ||
        !is_active_key(credential))
        return NHI_OK;
    detail = key_summary(credential);
    if (detail == NULL)
        return NHI_ENOMEM;
    result = credential_finding(
        audit, rule,
        nhi_audit_severity(audit, nhi_rule_find(rule)),
        credential, detail,
        "declaration '%s' requires short-lived tokens, but an access key is "
        "active",
        decl->name);
    free(detail);
    return result;
}

static int rule_not_rotated(nhi_audit *audit, const nhi_credential *credential)
{
    const nhi_decl *decl = decl_of(audit, credential->identity);
    const char *rule = "cred.not-rotated";
    int64_t limit = audit->workspace->config.max_credential_age;
    nhi_severity severity;
    char *detail;
    int result;

    if (!is_active_key(credential) || credential->created == NHI_TIME_UNKNOWN ||
        !governed_severity(audit, credential->identity, rule, &severity))
        return NHI_OK;
    /* A static-key declaration accepts keys that are never rotated. */
    if (decl && decl->credential_model == NHI_CREDENTIAL_STATIC_KEY)
        return NHI_OK;
    if (decl && decl->max_credential_age > 0)
        limit = decl->max_credential_age;
    if (audit->now - credential->created <= limit)
        return NHI_OK;
    detail = key_summary(credential);
    if (detail == NULL)
        return NHI_ENOMEM;
    result = credential_finding(
        audit, rule, severity, credential, detail,
        "access key is %lld days old; the limit is %lld days",
        days(audit->now - credential->created), days(limit));
    free(detail);
    return result;
}

static int rule_unused(nhi_audit *audit, const nhi_credential *credential)
{
    const char *rule = "cred.unused";
    int64_t window = audit->workspace->config.unused_after;
    nhi_severity severity;
    char *detail;
    int result;

    if (!is_active_key(credential) || credential->usage_unknown ||
        !governed_severity(audit, credential->identity, rule, &severity))
        return NHI_OK;
    if (!credential->never_used &&
        (credential->last_used == NHI_TIME_UNKNOWN ||
         audit->now - credential->last_used <= window))
        return NHI_OK;
    detail = key_summary(credential);
    if (detail == NULL)
        return NHI_ENOMEM;
    if (credential->never_used)
        result = credential_finding(audit, rule, severity, credential, detail,
                                    "active access key has never been used");
    else
        result = credential_finding(
            audit, rule, severity, credential, detail,
            "active access key has not been used for %lld days (limit %lld)",
            days(audit->now - credential->last_used), days(window));
    free(detail);
    return result;
}

static int rule_multiple_active(nhi_audit *audit, nhi_identity *identity)
{
    const char *rule = "cred.multiple-active";
    nhi_severity severity;
    nhi_finding *finding;
    size_t active = 0;

    for (size_t i = 0; i < identity->credential_count; i++)
        active += is_active_key(identity->credentials[i]);
    if (active < 2 || !governed_severity(audit, identity, rule, &severity))
        return NHI_OK;
    finding = nhi_findings_add(&audit->findings, nhi_rule_find(rule), severity,
                               identity, decl_of(audit, identity),
                               "access-keys", "%zu access keys are active",
                               active);
    if (finding == NULL)
        return NHI_ENOMEM;
    for (size_t i = 0; i < identity->credential_count; i++) {
        const nhi_credential *credential = identity->credentials[i];
        char *detail;
        int result;
        if (!is_active_key(credential))
            continue;
        detail = key_summary(credential);
        result = detail ? credential_evidence(finding, credential, detail)
                        : NHI_ENOMEM;
        free(detail);
        if (result < 0)
            return result;
    }
    return NHI_OK;
}

/* The latest use of an identity, or NHI_TIME_UNKNOWN. `*known` is false
 * when the inputs cannot show it at all. */
static nhi_time last_use(const nhi_identity *identity, bool *known)
{
    nhi_time last = NHI_TIME_UNKNOWN;

    *known = false;
    if (identity->kind == NHI_KIND_AWS_ROLE) {
        /* RoleLastUsed is in every export; absent means not used in the
         * period IAM tracks (400 days). */
        *known = true;
        return identity->last_used;
    }
    if (!identity->has_credential_data)
        return NHI_TIME_UNKNOWN;
    *known = true;
    if (identity->password_last_used != NHI_TIME_UNKNOWN)
        last = identity->password_last_used;
    for (size_t i = 0; i < identity->credential_count; i++) {
        const nhi_credential *credential = identity->credentials[i];
        if (credential->usage_unknown)
            *known = false;
        if (credential->last_used != NHI_TIME_UNKNOWN &&
            (last == NHI_TIME_UNKNOWN || credential->last_used > last))
            last = credential->last_used;
    }
    return last;
}

static int rule_unused_identity(nhi_audit *audit, nhi_identity *identity)
{
    const char *rule = "life.unused-identity";
    int64_t window = audit->workspace->config.unused_after;
    nhi_severity severity;
    nhi_finding *finding;
    char when[32], *detail;
    bool known;
    nhi_time last;
    int result;

    if (!governed_severity(audit, identity, rule, &severity))
        return NHI_OK;
    last = last_use(identity, &known);
    /* Never judged on an identity younger than the window. */
    if (!known || identity->created == NHI_TIME_UNKNOWN ||
        audit->now - identity->created <= window)
        return NHI_OK;
    if (last != NHI_TIME_UNKNOWN && audit->now - last <= window)
        return NHI_OK;
    if (last == NHI_TIME_UNKNOWN)
        finding = nhi_findings_add(
            &audit->findings, nhi_rule_find(rule), severity, identity,
            decl_of(audit, identity), NULL,
            "no recorded use since it was created %lld days ago",
            days(audit->now - identity->created));
    else
        finding = nhi_findings_add(
            &audit->findings, nhi_rule_find(rule), severity, identity,
            decl_of(audit, identity), NULL,
            "last used %lld days ago (limit %lld days)",
            days(audit->now - last), days(window));
    if (finding == NULL)
        return NHI_ENOMEM;
    nhi_time_format(last, when, sizeof(when));
    detail = nhi_asprintf("last used %s", last == NHI_TIME_UNKNOWN ? "never"
                                                                  : when);
    result = detail && nhi_finding_add_evidence(
                           finding, identity->location.source,
                           identity->location.line, identity->location.column,
                           identity->location.json_path, NULL, NULL, detail)
                 ? NHI_OK
                 : NHI_ENOMEM;
    free(detail);
    return result;
}

static bool keys_in_use(const nhi_identity *identity)
{
    for (size_t i = 0; i < identity->credential_count; i++) {
        const nhi_credential *credential = identity->credentials[i];
        if (credential->kind == NHI_CREDENTIAL_ACCESS_KEY &&
            credential->last_used != NHI_TIME_UNKNOWN)
            return true;
    }
    return false;
}

static int rule_console_access(nhi_audit *audit, nhi_identity *identity)
{
    const char *rule = "human.console-access";
    nhi_severity severity = nhi_audit_severity(audit, nhi_rule_find(rule));
    nhi_finding *finding;
    char when[32], *detail;
    int result;

    if (identity->kind != NHI_KIND_AWS_USER || !identity->password_enabled ||
        (identity->declaration < 0 && !keys_in_use(identity)))
        return NHI_OK;
    finding = nhi_findings_add(
        &audit->findings, nhi_rule_find(rule), severity, identity,
        decl_of(audit, identity), "console-password",
        "%s has a console password",
        identity->declaration >= 0 ? "declared workload identity"
                                   : "user whose access keys are in use");
    if (finding == NULL)
        return NHI_ENOMEM;
    nhi_time_format(identity->password_last_used, when, sizeof(when));
    detail = nhi_asprintf("password enabled, last used %s, MFA %s",
                          identity->password_last_used == NHI_TIME_UNKNOWN
                              ? "never or unknown"
                              : when,
                          identity->mfa_active ? "active" : "not active");
    result = detail && nhi_finding_add_evidence(
                           finding, identity->location.source,
                           identity->location.line, identity->location.column,
                           identity->location.json_path, NULL, NULL, detail)
                 ? NHI_OK
                 : NHI_ENOMEM;
    free(detail);
    return result;
}

static int rule_root_keys(nhi_audit *audit, const nhi_credential *credential)
{
    const char *rule = "cred.root-access-key";
    char *detail;
    int result;

    if (credential->identity->kind != NHI_KIND_AWS_ROOT ||
        !is_active_key(credential))
        return NHI_OK;
    detail = key_summary(credential);
    if (detail == NULL)
        return NHI_ENOMEM;
    result = credential_finding(
        audit, rule,
        nhi_audit_severity(audit, nhi_rule_find(rule)),
        credential, detail, "the account root user has an active access key");
    free(detail);
    return result;
}

int nhi_rules_cred(nhi_audit *audit)
{
    nhi_graph *graph = audit->graph;
    int result = NHI_OK;

    for (size_t i = 0; i < graph->credential_count && result >= 0; i++) {
        const nhi_credential *credential = graph->credentials[i];
        result = rule_root_keys(audit, credential);
        if (result >= 0)
            result = rule_static_on_short_lived(audit, credential);
        if (result >= 0)
            result = rule_not_rotated(audit, credential);
        if (result >= 0)
            result = rule_unused(audit, credential);
    }
    for (size_t i = 0; i < graph->identity_count && result >= 0; i++) {
        nhi_identity *identity = graph->identities[i];
        result = rule_multiple_active(audit, identity);
        if (result >= 0)
            result = rule_unused_identity(audit, identity);
        if (result >= 0)
            result = rule_console_access(audit, identity);
    }
    return result;
}
