/* SPDX-License-Identifier: MIT */
/*
 * Trust rules: who may assume a role, read from the default version of its
 * trust policy. move.external-trust reports trust to an account outside the
 * exports, or to anyone, with no condition that pins the caller.
 * move.oidc-subject-unrestricted reports trust in an OIDC provider whose
 * sub condition is missing or admits other repositories, projects,
 * namespaces or refs.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "glob.h"
#include "nhi/audit.h"
#include "util.h"

#define ASSUME_ROLE "sts:AssumeRole"
#define ASSUME_WEB_IDENTITY "sts:AssumeRoleWithWebIdentity"
#define COGNITO_HOST "cognito-identity.amazonaws.com"

/* The role being judged, and where its findings start in the list. */
typedef struct trust_context {
    nhi_audit *audit;
    const nhi_identity *role;
    const nhi_policy *trust;
    size_t first_finding;
} trust_context;

static bool starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

static bool starts_with_nocase(const char *text, const char *prefix)
{
    return strncasecmp(text, prefix, strlen(prefix)) == 0;
}

static bool is_wildcard(char c)
{
    return c == '*' || c == '?';
}

/* Whether [start, end) contains `*` or `?`. */
static bool has_wildcard(const char *start, const char *end)
{
    for (const char *c = start; c < end; c++)
        if (is_wildcard(*c))
            return true;
    return false;
}

/* The length of the text before the first wildcard. */
static size_t literal_length(const char *text)
{
    size_t length = 0;

    while (text[length] && !is_wildcard(text[length]))
        length++;
    return length;
}

/*
 * The rules judge roles of class workload or unknown, and declared roles
 * (a declaration makes a role a workload). Human roles (SSO, SAML) and
 * provider-managed ones are left out, as in the scope rules.
 */
static bool judged(const nhi_identity *identity)
{
    if (identity->provider != NHI_PROVIDER_AWS ||
        identity->kind != NHI_KIND_AWS_ROLE || identity->trust == NULL ||
        identity->trust->version_count == 0)
        return false;
    return identity->declaration >= 0 ||
           identity->class_ == NHI_CLASS_WORKLOAD ||
           identity->class_ == NHI_CLASS_UNKNOWN;
}

static const nhi_decl *decl_of(const nhi_audit *audit,
                               const nhi_identity *identity)
{
    return identity->declaration >= 0
               ? &audit->workspace->decls.items[identity->declaration]
               : NULL;
}

/*
 * Like the scope rules, these keep their default severity (or the one set
 * in nhi.yaml) whatever the class: an open trust policy is as open on a
 * role of unknown class as on a workload.
 */
/* Whether an Allow statement's Action or NotAction admits `action`. */
static bool statement_allows(const nhi_statement *statement,
                             const char *action)
{
    bool listed = false;

    if (!statement->allow)
        return false;
    for (size_t i = 0; i < statement->action_count && !listed; i++)
        listed = nhi_glob_match(statement->actions[i], action,
                                NHI_GLOB_FOLD_CASE);
    return statement->not_action ? !listed : listed;
}

/* The operator without ForAnyValue:/ForAllValues: and IfExists, copied. */
static void operator_base(const char *operator_name, char *buffer, size_t size)
{
    size_t length;

    if (starts_with_nocase(operator_name, "ForAnyValue:"))
        operator_name += strlen("ForAnyValue:");
    else if (starts_with_nocase(operator_name, "ForAllValues:"))
        operator_name += strlen("ForAllValues:");
    snprintf(buffer, size, "%s", operator_name);
    length = strlen(buffer);
    if (length > strlen("IfExists") &&
        strcasecmp(buffer + length - strlen("IfExists"), "IfExists") == 0)
        buffer[length - strlen("IfExists")] = '\0';
}

/*
 * Whether an operator limits a key to the values listed. Negated operators
 * (StringNotEquals, ArnNotLike, ...) admit every other value, and Null
 * only requires that the key is present, so neither limits anything.
 */
static bool operator_limits(const char *operator_name)
{
    char base[64];

    operator_base(operator_name, base, sizeof(base));
    return strstr(base, "Not") == NULL && strcasecmp(base, "Null") != 0;
}

/* Whether `key` (case-insensitive, as AWS compares condition keys) is
 * under an operator that limits it. */
static bool condition_limits_key(const json_t *condition, const char *key)
{
    const char *operator_name, *name;
    json_t *keys, *values;

    json_object_foreach((json_t *)condition, operator_name, keys)
    {
        if (!json_is_object(keys) || !operator_limits(operator_name))
            continue;
        json_object_foreach(keys, name, values)
        {
            (void)values;
            if (nhi_streq_nocase(name, key))
                return true;
        }
    }
    return false;
}

/* Parse a statement's Condition (NULL when it has none) into `*out`. */
static int parse_condition(const nhi_statement *statement, json_t **out)
{
    *out = NULL;
    if (statement->condition == NULL)
        return NHI_OK;
    /* The text was written by json_dumps, so a failure means memory ran
     * out. */
    *out = json_loads(statement->condition, 0, NULL);
    return *out ? NHI_OK : NHI_ENOMEM;
}

static char *statement_name(const nhi_statement *statement)
{
    if (statement->sid && statement->sid[0])
        return nhi_asprintf("%s (Statement[%u])", statement->sid,
                            statement->index);
    return nhi_asprintf("Statement[%u]", statement->index);
}

static int add_statement_evidence(nhi_finding *finding,
                                  const nhi_policy *trust,
                                  const nhi_statement *statement,
                                  const char *detail)
{
    char *path = nhi_asprintf(
        "%s.Statement[%u]",
        trust->location.json_path ? trust->location.json_path : "",
        statement->index);
    char *name = statement_name(statement);
    int result = NHI_ENOMEM;

    if (path && name &&
        nhi_finding_add_evidence(finding, trust->location.source,
                                 trust->location.line, trust->location.column,
                                 path, "trust policy", name, detail))
        result = NHI_OK;
    free(path);
    free(name);
    return result;
}

/*
 * Report one statement. A role gets one finding per rule and subject, so
 * a subject already reported from an earlier statement gets this
 * statement as more evidence and keeps its first message.
 */
static int report_statement(trust_context *context, const nhi_rule_info *rule,
                            const char *subject,
                            const nhi_statement *statement,
                            const char *detail, const char *message)
{
    nhi_findings *findings = &context->audit->findings;
    nhi_finding *finding = NULL;

    for (size_t i = context->first_finding; i < findings->count; i++) {
        nhi_finding *earlier = &findings->items[i];
        if (earlier->rule == rule && earlier->subject &&
            strcmp(earlier->subject, subject) == 0) {
            finding = earlier;
            break;
        }
    }
    if (finding == NULL)
        finding = nhi_findings_add(findings, rule,
                                   nhi_audit_severity(context->audit, rule),
                                   context->role,
                                   decl_of(context->audit, context->role),
                                   subject, "%s", message);
    if (finding == NULL)
        return NHI_ENOMEM;
    return add_statement_evidence(finding, context->trust, statement, detail);
}

/* ---------------------------------------------------------------------
 * move.external-trust
 */

/*
 * Condition keys that pin who may call: the third party's ExternalId, or
 * the caller's organization, organizational unit, account or ARN, or the
 * resource or account on whose behalf a service calls.
 */
static const char *const caller_keys[] = {
    "sts:ExternalId",       "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalArn",     "aws:PrincipalAccount", "aws:SourceAccount",
    "aws:SourceArn",
};

static bool condition_pins_caller(const json_t *condition)
{
    for (size_t i = 0; i < sizeof(caller_keys) / sizeof(caller_keys[0]); i++)
        if (condition_limits_key(condition, caller_keys[i]))
            return true;
    return false;
}

static bool is_account_id(const char *text, size_t length)
{
    if (length != 12)
        return false;
    for (size_t i = 0; i < length; i++)
        if (text[i] < '0' || text[i] > '9')
            return false;
    return true;
}

/*
 * The 12-digit account of an AWS principal: an account id, or the fifth
 * field of an ARN (arn:PARTITION:SERVICE::ACCOUNT:...). Returns false for
 * anything else, such as the unique id (AROA...) that a trust policy shows
 * once the principal it named was deleted: that is no other account.
 */
static bool principal_account(const char *value, char account[13])
{
    const char *start = value;
    const char *end;

    if (starts_with(value, "arn:")) {
        for (int field = 0; field < 4 && start; field++) {
            start = strchr(start, ':');
            if (start)
                start++;
        }
        if (start == NULL)
            return false;
        end = strchr(start, ':');
        if (end == NULL)
            return false;
    } else {
        end = value + strlen(value);
    }
    if (!is_account_id(start, (size_t)(end - start)))
        return false;
    memcpy(account, start, 12);
    account[12] = '\0';
    return true;
}

/*
 * Whom a principal of an Allow statement lets in from outside the
 * organization, as a phrase, or NULL when it names the role's own account,
 * an account whose export was read, a service or a federated provider.
 */
static char *outside_caller(const nhi_audit *audit, const nhi_identity *role,
                            const char *principal)
{
    char account[13];

    if (strcmp(principal, "*") == 0 || strcmp(principal, "AWS:*") == 0)
        return nhi_asprintf("anyone in any AWS account");
    if (!starts_with(principal, "AWS:") ||
        !principal_account(principal + strlen("AWS:"), account))
        return NULL;
    if ((role->account && strcmp(account, role->account) == 0) ||
        nhi_graph_has_account(audit->graph, account))
        return NULL;
    return nhi_asprintf("account %s", account);
}

static char *principal_list(const nhi_statement *statement)
{
    nhi_buf list = {0};

    for (size_t i = 0; i < statement->principal_count; i++) {
        if (i > 0)
            nhi_buf_puts(&list, ", ");
        nhi_buf_puts(&list, statement->principals[i]);
    }
    nhi_buf_append(&list, "", 1);
    if (list.failed) {
        nhi_buf_free(&list);
        return NULL;
    }
    return list.data;
}

static int report_external(trust_context *context,
                           const nhi_statement *statement,
                           const char *subject, const char *caller,
                           const char *named)
{
    const nhi_rule_info *rule = nhi_rule_find("move.external-trust");
    char *message, *detail;
    int result = NHI_ENOMEM;

    if (statement->condition == NULL) {
        message = nhi_asprintf("trust policy lets %s assume the role with no "
                               "ExternalId or other condition",
                               caller);
        detail = nhi_asprintf("Allow %s to call %s, with no Condition", named,
                              ASSUME_ROLE);
    } else {
        message = nhi_asprintf(
            "trust policy lets %s assume the role; its condition has no "
            "ExternalId and does not limit the caller's organization, "
            "account or ARN",
            caller);
        detail = nhi_asprintf(
            "Allow %s to call %s, under Condition %s, which limits none of "
            "sts:ExternalId, aws:PrincipalOrgID, aws:PrincipalOrgPaths, "
            "aws:PrincipalArn, aws:PrincipalAccount, aws:SourceAccount and "
            "aws:SourceArn",
            named, ASSUME_ROLE, statement->condition);
    }
    if (message && detail)
        result = report_statement(context, rule, subject, statement, detail,
                                  message);
    free(message);
    free(detail);
    return result;
}

/*
 * Report each principal of an Allow statement that admits sts:AssumeRole
 * from outside the accounts in the exports, unless its condition pins the
 * caller. NotPrincipal in an Allow admits everyone not listed, so it is
 * reported as "*".
 */
static int rule_external_trust(trust_context *context,
                               const nhi_statement *statement)
{
    json_t *condition;
    int result;

    if (!statement_allows(statement, ASSUME_ROLE))
        return NHI_OK;
    result = parse_condition(statement, &condition);
    if (result < 0)
        return result;
    if (condition && condition_pins_caller(condition)) {
        json_decref(condition);
        return NHI_OK;
    }
    json_decref(condition);

    if (statement->not_principal) {
        char *listed = principal_list(statement);
        char *named = listed ? nhi_asprintf("every principal except "
                                            "NotPrincipal %s",
                                            listed)
                             : NULL;
        result = named ? report_external(context, statement, "*",
                                         "every principal in any AWS account "
                                         "that NotPrincipal does not list",
                                         named)
                       : NHI_ENOMEM;
        free(listed);
        free(named);
        return result;
    }
    for (size_t p = 0; p < statement->principal_count && result >= 0; p++) {
        const char *principal = statement->principals[p];
        char *caller = outside_caller(context->audit, context->role,
                                      principal);
        if (caller == NULL)
            continue;
        result = report_external(context, statement, principal, caller,
                                 principal);
        free(caller);
    }
    return result;
}

/* ---------------------------------------------------------------------
 * move.oidc-subject-unrestricted
 */

/* How much a value of the sub condition admits, from least to most. */
typedef enum subject_breadth {
    SUBJECT_PINNED,       /* one source, one ref, or a format not judged */
    SUBJECT_PULL_REQUEST, /* pull request workflows of one repository */
    SUBJECT_SOME_REFS,    /* branches, tags or environments by wildcard */
    SUBJECT_ANY_REF,      /* every ref of one repository or project */
    SUBJECT_OTHER_SOURCES /* other repositories, projects or namespaces */
} subject_breadth;

/* A kind of ref fixed by the start of a subject's context. */
typedef struct ref_kind {
    const char *prefix;
    const char *noun; /* plural */
} ref_kind;

static const ref_kind github_refs[] = {
    {"ref:refs/heads/", "branches"},
    {"ref:refs/tags/", "tags"},
    {"environment:", "environments"},
    {NULL, NULL},
};

static const ref_kind gitlab_refs[] = {
    {"ref_type:branch:ref:", "branches"},
    {"ref_type:tag:ref:", "tags"},
    {NULL, NULL},
};

/*
 * The default sub claim of an issuer: PREFIX SOURCE ":" CONTEXT, where a
 * wildcard in SOURCE admits other repositories, projects or namespaces,
 * and (where `refs` is set) a wildcard in CONTEXT admits more refs.
 */
typedef struct subject_format {
    const char *prefix;
    const char *sources; /* what SOURCE names, plural */
    const char *every_ref; /* what CONTEXT "*" admits, or NULL: not judged */
    const char *any_ref_callers; /* who can then assume the role */
    const ref_kind *refs;
} subject_format;

/* GitHub Actions: repo:OWNER/REPO:ref:refs/heads/BRANCH, ...:environment:
 * NAME, ...:pull_request. GitLab: project_path:GROUP/PROJECT:ref_type:
 * branch:ref:BRANCH. Kubernetes (EKS): system:serviceaccount:NAMESPACE:
 * NAME, where a wildcard in NAME is accepted. */
static const subject_format github_format = {
    "repo:", "repositories",
    "every branch, tag, pull request and environment of the repository",
    "any branch or a pull request", github_refs};
static const subject_format gitlab_format = {
    "project_path:", "projects", "every branch and tag of the project",
    "a job on any branch", gitlab_refs};
static const subject_format kubernetes_format = {
    "system:serviceaccount:", "namespaces", NULL, NULL, NULL};

static const subject_format *const subject_formats[] = {
    &github_format, &gitlab_format, &kubernetes_format};
#define SUBJECT_FORMAT_COUNT \
    (sizeof(subject_formats) / sizeof(subject_formats[0]))

/* The subject format an issuer host uses, or NULL when not known. */
static const subject_format *host_format(const char *host)
{
    if (starts_with(host, "token.actions.githubusercontent.com"))
        return &github_format;
    if (strcmp(host, "gitlab.com") == 0)
        return &gitlab_format;
    if (starts_with(host, "oidc.eks.") && strstr(host, ".amazonaws.com/id/"))
        return &kubernetes_format;
    return NULL;
}

/*
 * The host of an OIDC Federated principal: the part of an oidc-provider
 * ARN after "oidc-provider/", or a bare host such as accounts.google.com.
 * NULL for SAML providers and other ARNs.
 */
static const char *oidc_host(const char *principal)
{
    const char *value, *marker;

    if (!starts_with(principal, "Federated:"))
        return NULL;
    value = principal + strlen("Federated:");
    if (!starts_with(value, "arn:"))
        return value[0] ? value : NULL;
    marker = strstr(value, ":oidc-provider/");
    if (marker == NULL || marker[strlen(":oidc-provider/")] == '\0')
        return NULL;
    return marker + strlen(":oidc-provider/");
}

/* How much one value of the sub condition admits. */
typedef struct subject_judgement {
    subject_breadth breadth;
    const subject_format *format; /* NULL: a subject format not known */
    const char *refs;             /* SUBJECT_SOME_REFS: branches, tags... */
} subject_judgement;

/* Judge the context part of a subject (after SOURCE ":"). */
static subject_judgement judge_context(const subject_format *format,
                                       const char *context, bool pattern)
{
    subject_judgement judgement = {SUBJECT_PINNED, format, NULL};
    size_t literal = literal_length(context);

    if (format == &github_format && strcmp(context, "pull_request") == 0) {
        judgement.breadth = SUBJECT_PULL_REQUEST;
        return judgement;
    }
    if (!pattern || format->every_ref == NULL || context[literal] == '\0')
        return judgement;
    /* A wildcard after the kind of ref (branch, tag, environment) admits
     * several refs of that kind; one before it admits every ref. */
    for (const ref_kind *kind = format->refs; kind->prefix; kind++) {
        if (literal >= strlen(kind->prefix) &&
            starts_with(context, kind->prefix)) {
            judgement.breadth = SUBJECT_SOME_REFS;
            judgement.refs = kind->noun;
            return judgement;
        }
    }
    judgement.breadth = SUBJECT_ANY_REF;
    return judgement;
}

/* Whether a pattern's wildcard comes before `prefix` is complete, as in
 * "*" or "repo*" against "repo:". */
static bool wildcard_in_prefix(const char *value, size_t literal,
                               const char *prefix)
{
    return value[literal] != '\0' && literal < strlen(prefix) &&
           strncmp(value, prefix, literal) == 0;
}

/*
 * Judge one value of the sub condition. `pattern` is true under StringLike,
 * where `*` and `?` are wildcards. Under StringEquals they are literal.
 * `format` is the issuer's, or NULL to infer it from the value.
 */
static subject_judgement judge_subject(const subject_format *format,
                                       const char *value, bool pattern)
{
    subject_judgement judgement = {SUBJECT_PINNED, NULL, NULL};
    size_t literal = literal_length(value);
    const char *source, *colon;

    for (size_t i = 0; format == NULL && i < SUBJECT_FORMAT_COUNT; i++) {
        const char *prefix = subject_formats[i]->prefix;
        if (starts_with(value, prefix) ||
            (pattern && literal > 0 &&
             wildcard_in_prefix(value, literal, prefix)))
            format = subject_formats[i];
    }
    if (format == NULL) {
        /* A wildcard at the start admits any subject of any format. */
        if (pattern && literal == 0)
            judgement.breadth = SUBJECT_OTHER_SOURCES;
        return judgement;
    }
    judgement.format = format;

    if (pattern && wildcard_in_prefix(value, literal, format->prefix)) {
        judgement.breadth = SUBJECT_OTHER_SOURCES;
        return judgement;
    }
    /* NOTE: a subject in a customized format is not judged: GitHub lets an
     * organization start the claim with other fields than repo:. */
    if (!starts_with(value, format->prefix))
        return judgement;

    source = value + strlen(format->prefix);
    colon = strchr(source, ':');
    if (pattern &&
        has_wildcard(source, colon ? colon : source + strlen(source))) {
        judgement.breadth = SUBJECT_OTHER_SOURCES;
        return judgement;
    }
    if (colon == NULL)
        return judgement;
    return judge_context(format, colon + 1, pattern);
}

/* Append the phrase "admits ..." for a value that is not pinned. */
static void describe_breadth(nhi_buf *text, subject_judgement judgement)
{
    switch (judgement.breadth) {
    case SUBJECT_OTHER_SOURCES:
        if (judgement.format)
            nhi_buf_printf(text, "admits other %s", judgement.format->sources);
        else
            nhi_buf_puts(text, "admits any subject");
        break;
    case SUBJECT_ANY_REF:
        nhi_buf_printf(text, "admits %s", judgement.format->every_ref);
        break;
    case SUBJECT_SOME_REFS:
        nhi_buf_printf(text, "admits every one of the %s that match the "
                             "wildcard",
                       judgement.refs);
        break;
    case SUBJECT_PULL_REQUEST:
        nhi_buf_puts(text, "admits pull request workflows, which run code "
                           "not yet reviewed");
        break;
    case SUBJECT_PINNED:
        break;
    }
}

/* What the sub conditions of a statement admit, over all operators. */
typedef struct sub_summary {
    bool limited;   /* some operator limits the sub key */
    bool pinned;    /* some limiting operator lists only pinned values */
    subject_judgement widest;
    nhi_buf detail; /* `OPERATOR "VALUE" admits ...` for each wide value */
} sub_summary;

static void judge_value(sub_summary *summary, const subject_format *format,
                        const char *operator_name, bool pattern,
                        const json_t *value, bool *all_pinned)
{
    subject_judgement judgement;

    /* Only strings can match a token's sub claim. */
    if (!json_is_string(value))
        return;
    judgement = judge_subject(format, json_string_value(value), pattern);
    if (judgement.breadth == SUBJECT_PINNED)
        return;
    *all_pinned = false;
    if (judgement.breadth > summary->widest.breadth)
        summary->widest = judgement;
    if (summary->detail.length > 0)
        nhi_buf_puts(&summary->detail, "; ");
    nhi_buf_printf(&summary->detail, "%s \"%s\" ", operator_name,
                   json_string_value(value));
    describe_breadth(&summary->detail, judgement);
}

/*
 * Judge every limiting operator on `key`. AWS requires every operator of
 * a Condition to match and any one value within an operator, so the
 * subject is pinned when some operator lists only pinned values.
 */
static void summarize_sub(const json_t *condition, const char *key,
                          const subject_format *format, sub_summary *summary)
{
    const char *operator_name, *name;
    json_t *keys, *values;

    json_object_foreach((json_t *)condition, operator_name, keys)
    {
        char base[64];
        bool pattern, found = false, all_pinned = true;

        if (!json_is_object(keys) || !operator_limits(operator_name))
            continue;
        /* StringLike takes wildcards; the other limiting operators
         * (StringEquals, StringEqualsIgnoreCase) compare literally. */
        operator_base(operator_name, base, sizeof(base));
        pattern = strcasecmp(base, "StringLike") == 0;
        json_object_foreach(keys, name, values)
        {
            size_t index;
            json_t *item;
            if (!nhi_streq_nocase(name, key))
                continue;
            found = true;
            if (!json_is_array(values))
                judge_value(summary, format, operator_name, pattern, values,
                            &all_pinned);
            else
                json_array_foreach(values, index, item)
                judge_value(summary, format, operator_name, pattern, item,
                            &all_pinned);
        }
        summary->limited |= found;
        if (found && all_pinned)
            summary->pinned = true;
    }
}

/* Describe who can assume the role when the sub claim is not limited. */
static char *unlimited_callers(const char *host)
{
    const subject_format *format = host_format(host);

    if (format == &github_format)
        return nhi_asprintf("a workflow in any repository on GitHub");
    if (format == &gitlab_format)
        return nhi_asprintf("a CI/CD job of any project on %s", host);
    if (format == &kubernetes_format)
        return nhi_asprintf("any service account of the cluster");
    return nhi_asprintf("anyone with a token from %s", host);
}

static char *wide_subject_message(const char *host, subject_judgement widest)
{
    nhi_buf text = {0};

    if (widest.breadth == SUBJECT_PULL_REQUEST) {
        nhi_buf_printf(&text, "the trust in OIDC provider %s lets pull "
                              "request workflows, which run code not yet "
                              "reviewed, assume the role",
                       host);
    } else {
        nhi_buf_printf(&text, "the sub condition of the trust in OIDC "
                              "provider %s ",
                       host);
        describe_breadth(&text, widest);
        if (widest.breadth == SUBJECT_ANY_REF)
            nhi_buf_printf(&text, ", so %s can assume the role",
                           widest.format->any_ref_callers);
    }
    nhi_buf_append(&text, "", 1);
    if (text.failed) {
        nhi_buf_free(&text);
        return NULL;
    }
    return text.data;
}

/*
 * Amazon Cognito identity pools put the pool id in aud and a per-user
 * identity id in sub, so the trust is pinned by aud: without it, an
 * identity from any pool can assume the role.
 */
static int judge_cognito(trust_context *context,
                         const nhi_statement *statement,
                         const json_t *condition)
{
    const nhi_rule_info *rule = nhi_rule_find("move.oidc-subject-unrestricted");
    char *detail;
    int result;

    if (condition && condition_limits_key(condition, COGNITO_HOST ":aud"))
        return NHI_OK;
    if (statement->condition)
        detail = nhi_asprintf("Allow Federated:%s to call %s, under "
                              "Condition %s, which does not limit "
                              COGNITO_HOST ":aud",
                              COGNITO_HOST, ASSUME_WEB_IDENTITY,
                              statement->condition);
    else
        detail = nhi_asprintf("Allow Federated:%s to call %s, with no "
                              "Condition",
                              COGNITO_HOST, ASSUME_WEB_IDENTITY);
    if (detail == NULL)
        return NHI_ENOMEM;
    result = report_statement(
        context, rule, COGNITO_HOST, statement, detail,
        "the trust in " COGNITO_HOST " has no aud condition, so an identity "
        "from any Amazon Cognito identity pool can assume the role");
    free(detail);
    return result;
}

static int judge_oidc_principal(trust_context *context,
                                const nhi_statement *statement,
                                const char *principal, const char *host,
                                const json_t *condition)
{
    const nhi_rule_info *rule = nhi_rule_find("move.oidc-subject-unrestricted");
    sub_summary summary = {0};
    char *key, *message = NULL, *detail = NULL;
    int result = NHI_ENOMEM;

    if (strcmp(host, COGNITO_HOST) == 0)
        return judge_cognito(context, statement, condition);
    key = nhi_asprintf("%s:sub", host);
    if (key == NULL)
        return NHI_ENOMEM;
    if (condition)
        summarize_sub(condition, key, host_format(host), &summary);
    if (summary.detail.failed)
        goto out;

    if (!summary.limited) {
        /* No sub condition, or only negated ones (StringNotLike) or Null:
         * an aud condition alone names the audience, not the caller. */
        char *callers = unlimited_callers(host);
        if (callers == NULL)
            goto out;
        message = nhi_asprintf("the trust in OIDC provider %s has no %s "
                               "condition, so %s can assume the role",
                               host, key, callers);
        free(callers);
        if (statement->condition)
            detail = nhi_asprintf("Allow %s to call %s, under Condition %s, "
                                  "which does not limit %s",
                                  principal, ASSUME_WEB_IDENTITY,
                                  statement->condition, key);
        else
            detail = nhi_asprintf("Allow %s to call %s, with no Condition",
                                  principal, ASSUME_WEB_IDENTITY);
    } else if (!summary.pinned) {
        message = wide_subject_message(host, summary.widest);
        nhi_buf_append(&summary.detail, "", 1);
        if (summary.detail.failed)
            goto out;
        detail = nhi_asprintf("Allow %s to call %s; condition on %s: %s",
                              principal, ASSUME_WEB_IDENTITY, key,
                              summary.detail.data);
    } else {
        result = NHI_OK;
        goto out;
    }
    if (message && detail)
        result = report_statement(context, rule, host, statement, detail,
                                  message);
out:
    nhi_buf_free(&summary.detail);
    free(key);
    free(message);
    free(detail);
    return result;
}

/*
 * Report each OIDC provider of an Allow statement that admits
 * sts:AssumeRoleWithWebIdentity when its HOST:sub condition is missing or
 * admits other repositories, projects, namespaces or refs. The subject is
 * the provider host.
 */
static int rule_oidc_subject(trust_context *context,
                             const nhi_statement *statement)
{
    json_t *condition = NULL;
    int result = NHI_OK;
    bool parsed = false;

    if (statement->not_principal ||
        !statement_allows(statement, ASSUME_WEB_IDENTITY))
        return NHI_OK;
    for (size_t p = 0; p < statement->principal_count && result >= 0; p++) {
        const char *host = oidc_host(statement->principals[p]);
        if (host == NULL)
            continue;
        if (!parsed) {
            result = parse_condition(statement, &condition);
            parsed = true;
            if (result < 0)
                break;
        }
        result = judge_oidc_principal(context, statement,
                                      statement->principals[p], host,
                                      condition);
    }
    json_decref(condition);
    return result;
}

static int judge_role(nhi_audit *audit, const nhi_identity *role)
{
    trust_context context = {audit, role, role->trust,
                             audit->findings.count};
    const nhi_policy_version *version =
        &role->trust->versions[role->trust->default_version];
    int result = NHI_OK;

    /* The reader has reported an unreadable trust policy as an input
     * error, and has kept none of its statements. */
    if (version->invalid)
        return NHI_OK;
    for (size_t s = 0; s < version->statement_count && result >= 0; s++) {
        result = rule_external_trust(&context, &version->statements[s]);
        if (result >= 0)
            result = rule_oidc_subject(&context, &version->statements[s]);
    }
    return result;
}

int nhi_rules_trust(nhi_audit *audit)
{
    int result = NHI_OK;

    for (size_t i = 0; i < audit->graph->identity_count && result >= 0; i++) {
        const nhi_identity *identity = audit->graph->identities[i];
        if (judged(identity))
            result = judge_role(audit, identity);
    }
    return result;
}
