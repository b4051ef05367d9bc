/* SPDX-License-Identifier: MIT */
/* Unit tests of the trust rules: external accounts and OIDC subjects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhi/audit.h"

#define LIST(...) ((const char *[]){__VA_ARGS__}), \
    (sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *))

#define OWN_ACCOUNT "111122223333"
#define GITHUB "token.actions.githubusercontent.com"
#define GITHUB_PROVIDER \
    "Federated:arn:aws:iam::111122223333:oidc-provider/" GITHUB
#define EXTERNAL "move.external-trust"
#define OIDC "move.oidc-subject-unrestricted"

typedef struct fixture {
    nhi_graph *graph;
    nhi_workspace workspace;
    nhi_decl decl;
    nhi_audit audit;
} fixture;

static int setup(void **state)
{
    static fixture f;

    memset(&f, 0, sizeof(f));
    assert_int_equal(nhi_graph_new(&f.graph), 0);
    /* The exports hold this account and another of the organization. */
    assert_int_equal(nhi_graph_add_account(f.graph, OWN_ACCOUNT), 0);
    assert_int_equal(nhi_graph_add_account(f.graph, "444455556666"), 0);
    nhi_config_init(&f.workspace.config);
    nhi_decl_set_init(&f.workspace.decls);
    static char name[] = "deploy";

    f.decl.name = name;
    f.decl.valid = true;
    f.workspace.decls.items = &f.decl;
    f.workspace.decls.count = 1;
    f.audit.workspace = &f.workspace;
    f.audit.graph = f.graph;
    nhi_findings_init(&f.audit.findings);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    nhi_findings_free(&f->audit.findings);
    nhi_graph_free(f->graph);
    return 0;
}

/* An Allow statement. The lists must outlive the audit. */
static nhi_statement allow(const char **principals, size_t principal_count,
                           const char **actions, size_t action_count,
                           const char *condition)
{
    nhi_statement statement = {0};

    statement.allow = true;
    statement.principals = principals;
    statement.principal_count = principal_count;
    statement.actions = actions;
    statement.action_count = action_count;
    statement.condition = condition;
    return statement;
}

/* Add a role of account OWN_ACCOUNT whose trust policy contains `statements`. */
static nhi_identity *make_role(fixture *f, const char *name,
                               nhi_identity_class class_, int declaration,
                               const nhi_statement *statements, size_t count)
{
    nhi_graph *graph = f->graph;
    nhi_identity *role = nhi_graph_alloc(graph, sizeof(*role));
    nhi_policy *trust = nhi_graph_alloc(graph, sizeof(*trust));
    nhi_policy_version *version = nhi_graph_alloc(graph, sizeof(*version));
    nhi_statement *copies = nhi_graph_alloc(graph, count * sizeof(*copies));
    char id[128], path[64];

    memcpy(copies, statements, count * sizeof(*copies));
    for (size_t i = 0; i < count; i++)
        copies[i].index = (unsigned)i;
    version->statements = copies;
    version->statement_count = count;
    version->is_default = true;
    version->version_2012 = true;

    snprintf(id, sizeof(id), "arn:aws:iam::%s:role/%s", OWN_ACCOUNT, name);
    snprintf(path, sizeof(path), "RoleDetailList[%zu].AssumeRolePolicyDocument",
             graph->identity_count);
    trust->kind = NHI_POLICY_TRUST;
    trust->name = "AssumeRolePolicyDocument";
    trust->owner = nhi_graph_intern(graph, id);
    trust->versions = version;
    trust->version_count = 1;
    trust->location.source = "authz.json";
    trust->location.line = 12;
    trust->location.column = 7;
    trust->location.json_path = nhi_graph_intern(graph, path);
    assert_int_equal(nhi_graph_add_policy(graph, trust), 0);

    role->provider = NHI_PROVIDER_AWS;
    role->kind = NHI_KIND_AWS_ROLE;
    role->id = nhi_graph_intern(graph, id);
    role->name = name;
    role->account = OWN_ACCOUNT;
    role->path = "/";
    role->trust = trust;
    role->class_ = class_;
    assert_int_equal(nhi_graph_add_identity(graph, role), 0);
    /* Set after adding: the graph starts every identity unbound. */
    role->declaration = declaration;
    return role;
}

static nhi_identity *make_workload(fixture *f, const nhi_statement *statements,
                                   size_t count)
{
    return make_role(f, "app", NHI_CLASS_WORKLOAD, -1, statements, count);
}

static void run(fixture *f)
{
    assert_int_equal(nhi_rules_trust(&f->audit), 0);
}

static const nhi_finding *finding_at(fixture *f, size_t index,
                                     const char *rule,
                                     const nhi_identity *identity,
                                     const char *subject)
{
    const nhi_finding *finding;

    assert_true(index < f->audit.findings.count);
    finding = &f->audit.findings.items[index];
    assert_string_equal(finding->rule->id, rule);
    assert_ptr_equal(finding->identity, identity);
    assert_string_equal(finding->identity->id, identity->id);
    assert_string_equal(finding->subject, subject);
    assert_int_equal(finding->severity, NHI_SEVERITY_HIGH);
    return finding;
}

/* ------------------------------------------------------------------ */
/* move.external-trust */

static void external_account_no_condition(void **state)
{
    fixture *f = *state;
    const nhi_statement statements[] = {
        allow(LIST("AWS:arn:aws:iam::999999999999:root"),
              LIST("sts:AssumeRole"), NULL),
    };
    nhi_identity *role = make_workload(f, statements, 1);
    const nhi_finding *finding;
    const nhi_evidence *evidence;

    run(f);
    assert_int_equal(f->audit.findings.count, 1);
    finding = finding_at(f, 0, EXTERNAL, role,
                         "AWS:arn:aws:iam::999999999999:root");
    assert_null(finding->decl);
    assert_string_equal(finding->message,
                        "trust policy lets account 999999999999 assume the "
                        "role with no ExternalId or other condition");
    assert_int_equal(finding->evidence_count, 1);
    evidence = &finding->evidence[0];
    assert_string_equal(evidence->source, "authz.json");
    assert_int_equal(evidence->line, 12);
    assert_int_equal(evidence->column, 7);
    assert_string_equal(evidence->location,
                        "RoleDetailList[0].AssumeRolePolicyDocument."
                        "Statement[0]");
    assert_string_equal(evidence->policy, "trust policy");
    assert_string_equal(evidence->statement, "Statement[0]");
    assert_string_equal(evidence->detail,
                        "Allow AWS:arn:aws:iam::999999999999:root to call "
                        "sts:AssumeRole, with no Condition");
}

static void external_bare_account_id(void **state)
{
    fixture *f = *state;
    const nhi_statement statements[] = {
        allow(LIST("AWS:999999999999"), LIST("sts:AssumeRole"), NULL),
    };
    nhi_identity *role = make_workload(f, statements, 1);

    run(f);
    assert_int_equal(f->audit.findings.count, 1);
    finding_at(f, 0, EXTERNAL, role, "AWS:999999999999");
}

static void external_condition_without_caller_key(void **state)
{
    fixture *f = *state;
    const char *condition = "{\"Bool\":{\"aws:MultiFactorAuthPresent\":"
                            "\"true\"}}";
    const nhi_statement statements[] = {
        allow(LIST("AWS:arn:aws:iam::999999999999:role/deployer"),
              LIST("sts:AssumeRole"), condition),
    };
    nhi_identity *role = make_workload(f, statements, 1);
    const nhi_finding *finding;

    run(f);
    assert_int_equal(f->audit.findings.count, 1);
    finding = finding_at(f, 0, EXTERNAL, role,
                         "AWS:arn:aws:iam::999999999999:role/deployer");
    assert_string_equal(finding->message,
                        "trust policy lets account 999999999999 assume the "
                        "role; its condition has no ExternalId and does not "
                        "limit the caller's organization, account or ARN");
    assert_string_equal(
        finding->evidence[0].detail,
        "Allow AWS:arn:aws:iam::999999999999:role/deployer to call "
        "sts:AssumeRole, under Condition "
        "{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}, which limits "
        "none of sts:ExternalId, aws:PrincipalOrgID, aws:PrincipalOrgPaths, "
        "aws:PrincipalArn, aws:PrincipalAccount, aws:SourceAccount and "
        "aws:SourceArn");
}

static void external_conditions_that_pin_caller(void **state)
{
    fixture *f = *state;
    static const char *const conditions[] = {
        "{\"StringEquals\":{\"sts:ExternalId\":\"7f3a\"}}",
        "{\"StringEquals\":{\"AWS:principalorgid\":\"o-abc123\"}}",
        "{\"ArnLike\":{\"aws:PrincipalArn\":"
        "\"arn:aws:iam::999999999999:role/ci-*\"}}",
        "{\"StringEquals\":{\"aws:SourceAccount\":\"999999999999\"}}",
        "{\"ArnEquals\":{\"aws:SourceArn\":\"arn:aws:s3:::bucket\"}}",
        "{\"StringEqualsIfExists\":{\"aws:PrincipalAccount\":"
        "\"999999999999\"}}",
        "{\"ForAnyValue:StringLike\":{\"aws:PrincipalOrgPaths\":"
        "\"o-abc/r-1/*\"}}",
    };

    for (size_t i = 0; i < sizeof(conditions) / sizeof(conditions[0]); i++) {
        const nhi_statement statements[] = {
            allow(LIST("AWS:arn:aws:iam::999999999999:root"),
                  LIST("sts:AssumeRole"), conditions[i]),
        };
        make_workload(f, statements, 1);
    }
    run(f);
    assert_int_equal(f->audit.findings.count, 0);
}

static void external_negated_key_is_reported(void **state)
{
    fixture *f = *state;
    const nhi_statement statements[] = {
        allow(LIST("AWS:arn:aws:iam::999999999999:root"),
              LIST("sts:AssumeRole"),
              "{\"StringNotEquals\":{\"sts:ExternalId\":\"x\"}}"),
        allow(LIST("AWS:arn:aws:iam::888888888888:root"),
              LIST("sts:AssumeRole"),
              "{\"Null\":{\"sts:ExternalId\":\"false\"}}"),
    };
    nhi_identity *role = make_workload(f, statements, 2);

    run(f);
    assert_int_equal(f->audit.findings.count, 2);
    finding_at(f, 0, EXTERNAL, role, "AWS:arn:aws:iam::999999999999:root");
    finding_at(f, 1, EXTERNAL, role, "AWS:arn:aws:iam::888888888888:root");
}

static void external_accounts_in_exports_ignored(void **state)
{
    fixture *f = *state;
    const nhi_statement statements[] = {
        allow(LIST("AWS:arn:aws:iam::111122223333:root",
                   "AWS:arn:aws:iam::444455556666:role/ci",
                   "AWS:arn:aws:sts::111122223333:assumed-role/ops/alice",
                   "AWS:AROAEXAMPLEUNIQUEID01", "Service:ec2.amazonaws.com",
                   "Federated:arn:aws:iam::111122223333:saml-provider/sso"),
              LIST("sts:AssumeRole"), NULL),
    };

    make_workload(f, statements, 1);
    run(f);
    assert_int_equal(f->audit.findings.count, 0);
}

static void external_star_principals(void **state)
{
    fixture *f = *state;
    const nhi_statement statements[] = {
        allow(LIST("*"), LIST("sts:AssumeRole"), NULL),
        allow(LIST("AWS:*"), LIST("sts:AssumeRole"), NULL),
    };
    nhi_identity *role = make_workload(f, statements, 2);
    const nhi_finding *finding;

    run(f);
    assert_int_equal(f->audit.findings.count, 2);
    finding = finding_at(f, 0, EXTERNAL, role, "*");
    assert_string_equal(finding->message,
                        "trust policy lets anyone in any AWS account assume "
                        "the role with no ExternalId or other condition");
    assert_string_equal(finding->evidence[0].detail,
                        "Allow * to call sts:AssumeRole, with no Condition");
    finding = finding_at(f, 1, EXTERNAL, role, "AWS:*");
    assert_string_equal(finding->evidence[0].statement, "Statement[1]");
}

static void external_not_principal_is_star(void **state)
{
    fixture *f = *state;
    nhi_statement statements[] = {
        allow(LIST("AWS:arn:aws:iam::111122223333:role/blocked"),
              LIST("sts:AssumeRole"), NULL),
    };
    nhi_identity *role;
    const nhi_finding *finding;

    statements[0].not_principal = true;
    statements[0].sid = "AllButBlocked";
    role = make_workload(f, statements, 1);
    run(f);
    assert_int_equal(f->audit.findings.count, 1);
    finding = finding_at(f, 0, EXTERNAL, role, "*");
    assert_string_equal(finding->message,
                        "trust policy lets every principal in any AWS "
                        "account that NotPrincipal does not list assume the "
                        "role with no ExternalId or other condition");
    assert_string_equal(finding->evidence[0].statement,
                        "AllButBlocked (Statement[0])");
    assert_string_equal(finding->evidence[0].detail,
                        "Allow every principal except NotPrincipal "
                        "AWS:arn:aws:iam::111122223333:role/blocked to call "
                        "sts:AssumeRole, with no Condition");
}

static void external_actions_decide(void **state)
{
    fixture *f = *state;
    nhi_statement statements[] = {
        /* Reported: a wildcard, NotAction and case folding admit it. */
        allow(LIST("AWS:arn:aws:iam::999999999999:root"), LIST("sts:Assume*"),
              NULL),
        allow(LIST("AWS:arn:aws:iam::999999999999:root"),
              LIST("sts:TagSession"), NULL),
        allow(LIST("AWS:arn:aws:iam::999999999999:root"),
              LIST("STS:ASSUMEROLE"), NULL),
        /* Not reported: other actions, a NotAction that names it, a Deny. */
        allow(LIST("AWS:arn:aws:iam::777777777777:root"),
              LIST("sts:TagSession", "sts:AssumeRoleWithSAML"), NULL),
        allow(LIST("AWS:arn:aws:iam::777777777777:root"),
              LIST("sts:AssumeRole"), NULL),
        allow(LIST("AWS:arn:aws:iam::777777777777:root"),
              LIST("sts:AssumeRole"), NULL),
    };
    nhi_identity *role;
    const nhi_finding *finding;

    statements[1].not_action = true;
    statements[4].not_action = true;
    statements[5].allow = false;
    role = make_workload(f, statements, 6);
    run(f);

    /* Three statements for one principal make one finding. */
    assert_int_equal(f->audit.findings.count, 1);
    finding = finding_at(f, 0, EXTERNAL, role,
                         "AWS:arn:aws:iam::999999999999:root");
    assert_int_equal(finding->evidence_count, 3);
    assert_string_equal(finding->evidence[0].statement, "Statement[0]");
    assert_string_equal(finding->evidence[1].statement, "Statement[1]");
    assert_string_equal(finding->evidence[2].statement, "Statement[2]");
}

static void external_classes_judged(void **state)
{
    fixture *f = *state;
    const nhi_statement statements[] = {
        allow(LIST("AWS:*"), LIST("sts:AssumeRole"), NULL),
    };
    nhi_identity *unknown, *declared;
    const nhi_finding *finding;

    make_role(f, "sso", NHI_CLASS_HUMAN, -1, statements, 1);
    make_role(f, "linked", NHI_CLASS_PROVIDER_MANAGED, -1, statements, 1);
    unknown = make_role(f, "mystery", NHI_CLASS_UNKNOWN, -1, statements, 1);
    declared = make_role(f, "deploy", NHI_CLASS_HUMAN, 0, statements, 1);
    run(f);

    /* Unknown keeps the default severity (finding_at checks high). */
    assert_int_equal(f->audit.findings.count, 2);
    finding = finding_at(f, 0, EXTERNAL, unknown, "AWS:*");
    assert_null(finding->decl);
    finding = finding_at(f, 1, EXTERNAL, declared, "AWS:*");
    assert_ptr_equal(finding->decl, &f->decl);
}

static void external_severity_from_config(void **state)
{
    fixture *f = *state;
    static char rule[] = EXTERNAL;
    nhi_severity_override override = {rule, NHI_SEVERITY_LOW};
    const nhi_statement statements[] = {
        allow(LIST("AWS:*"), LIST("sts:AssumeRole"), NULL),
    };

    f->workspace.config.severities = &override;
    f->workspace.config.severity_count = 1;
    make_workload(f, statements, 1);
    run(f);
    assert_int_equal(f->audit.findings.count, 1);
    assert_int_equal(f->audit.findings.items[0].severity, NHI_SEVERITY_LOW);
    f->workspace.config.severities = NULL;
    f->workspace.config.severity_count = 0;
}

/* ------------------------------------------------------------------ */
/* move.oidc-subject-unrestricted */

static void oidc_github_no_condition(void **state)
{
    fixture *f = *state;
    const nhi_statement statements[] = {
        allow(LIST(GITHUB_PROVIDER), LIST("sts:AssumeRoleWithWebIdentity"),
              NULL),
    };
    nhi_identity *role = make_workload(f, statements, 1);
    const nhi_finding *finding;
    const nhi_evidence *evidence;

    run(f);
    assert_int_equal(f->audit.findings.count, 1);
    finding = finding_at(f, 0, OIDC, role, GITHUB);
    assert_string_equal(finding->message,
                        "the trust in OIDC provider " GITHUB " has no " GITHUB
                        ":sub condition, so a workflow in any repository on "
                        "GitHub can assume the role");
    evidence = &finding->evidence[0];
    assert_string_equal(evidence->source, "authz.json");
    assert_int_equal(evidence->line, 12);
    assert_string_equal(evidence->location,
                        "RoleDetailList[0].AssumeRolePolicyDocument."
                        "Statement[0]");
    assert_string_equal(evidence->policy, "trust policy");
    assert_string_equal(evidence->statement, "Statement[0]");
    assert_string_equal(evidence->detail,
                        "Allow " GITHUB_PROVIDER " to call "
                        "sts:AssumeRoleWithWebIdentity, with no Condition");
}

static void oidc_github_audience_only(void **state)
{
    fixture *f = *state;
    const char *condition = "{\"StringEquals\":{\"" GITHUB
                            ":aud\":\"sts.amazonaws.com\"}}";
    const nhi_statement statements[] = {
        allow(LIST(GITHUB_PROVIDER), LIST("sts:AssumeRoleWithWebIdentity"),
              condition),
    };
    nhi_identity *role = make_workload(f, statements, 1);
    const nhi_finding *finding;

    run(f);
    assert_int_equal(f->audit.findings.count, 1);
    finding = finding_at(f, 0, OIDC, role, GITHUB);
    assert_string_equal(finding->evidence[0].detail,
                        "Allow " GITHUB_PROVIDER " to call "
                        "sts:AssumeRoleWithWebIdentity, under Condition "
                        "{\"StringEquals\":{\"" GITHUB
                        ":aud\":\"sts.amazonaws.com\"}}, which does not "
                        "limit " GITHUB ":sub");
}

/* One OIDC trust statement and what the rule must make of it. */
typedef struct oidc_case {
    const char *principal;
    const char *condition;
    const char *message; /* NULL: no finding */
    const char *detail;  /* after "Allow PRINCIPAL to call ACTION" */
} oidc_case;

static const oidc_case oidc_cases[] = {
    /* GitHub: pinned subjects. */
    {GITHUB_PROVIDER,
     "{\"StringEquals\":{\"" GITHUB ":sub\":"
     "\"repo:org/app:ref:refs/heads/main\"}}",
     NULL, NULL},
    {GITHUB_PROVIDER,
     "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:org/app:environment:prod\"}}",
     NULL, NULL},
    {GITHUB_PROVIDER,
     "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:org/app:ref:refs/tags/v1.2\"}}",
     NULL, NULL},
    /* StringEquals compares "*" literally. */
    {GITHUB_PROVIDER, "{\"StringEquals\":{\"" GITHUB ":sub\":\"repo:org/*\"}}",
     NULL, NULL},
    /* A wide StringLike and a pinned StringEquals must both match. */
    {GITHUB_PROVIDER,
     "{\"StringEquals\":{\"" GITHUB ":sub\":"
     "\"repo:org/app:ref:refs/heads/main\"},"
     "\"StringLike\":{\"" GITHUB ":sub\":\"repo:org/*\"}}",
     NULL, NULL},
    /* GitHub: other repositories. */
    {GITHUB_PROVIDER, "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:org/*\"}}",
     "the sub condition of the trust in OIDC provider " GITHUB
     " admits other repositories",
     "; condition on " GITHUB ":sub: StringLike \"repo:org/*\" admits other "
     "repositories"},
    {GITHUB_PROVIDER, "{\"StringLike\":{\"" GITHUB ":sub\":\"*\"}}",
     "the sub condition of the trust in OIDC provider " GITHUB
     " admits other repositories",
     "; condition on " GITHUB ":sub: StringLike \"*\" admits other "
     "repositories"},
    {GITHUB_PROVIDER,
     "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:*:ref:refs/heads/main\"}}",
     "the sub condition of the trust in OIDC provider " GITHUB
     " admits other repositories",
     "; condition on " GITHUB ":sub: StringLike "
     "\"repo:*:ref:refs/heads/main\" admits other repositories"},
    {GITHUB_PROVIDER,
     "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:org/app?:environment:prod\"}}",
     "the sub condition of the trust in OIDC provider " GITHUB
     " admits other repositories",
     "; condition on " GITHUB ":sub: StringLike "
     "\"repo:org/app?:environment:prod\" admits other repositories"},
    /* Keys and operators in other spellings, and one wide value of two. */
    {GITHUB_PROVIDER,
     "{\"ForAnyValue:StringLike\":{\"Token.Actions.GitHubUserContent.com:Sub\":"
     "[\"repo:org/app:ref:refs/heads/main\",\"repo:org/*\"]}}",
     "the sub condition of the trust in OIDC provider " GITHUB
     " admits other repositories",
     "; condition on " GITHUB ":sub: ForAnyValue:StringLike \"repo:org/*\" "
     "admits other repositories"},
    /* GitHub: every ref of one repository. */
    {GITHUB_PROVIDER, "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:org/app:*\"}}",
     "the sub condition of the trust in OIDC provider " GITHUB
     " admits every branch, tag, pull request and environment of the "
     "repository, so any branch or a pull request can assume the role",
     "; condition on " GITHUB ":sub: StringLike \"repo:org/app:*\" admits "
     "every branch, tag, pull request and environment of the repository"},
    {GITHUB_PROVIDER,
     "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:org/app:ref:refs/heads/*\"}}",
     "the sub condition of the trust in OIDC provider " GITHUB
     " admits every one of the branches that match the wildcard",
     "; condition on " GITHUB ":sub: StringLike "
     "\"repo:org/app:ref:refs/heads/*\" admits every one of the branches "
     "that match the wildcard"},
    /* GitHub: pull request workflows run code not yet reviewed. */
    {GITHUB_PROVIDER,
     "{\"StringEquals\":{\"" GITHUB ":sub\":\"repo:org/app:pull_request\"}}",
     "the trust in OIDC provider " GITHUB " lets pull request workflows, "
     "which run code not yet reviewed, assume the role",
     "; condition on " GITHUB ":sub: StringEquals "
     "\"repo:org/app:pull_request\" admits pull request workflows, which "
     "run code not yet reviewed"},
    /* A negated operator limits nothing. */
    {GITHUB_PROVIDER,
     "{\"StringNotLike\":{\"" GITHUB ":sub\":\"repo:evil/*\"}}",
     "the trust in OIDC provider " GITHUB " has no " GITHUB
     ":sub condition, so a workflow in any repository on GitHub can assume "
     "the role",
     ", under Condition {\"StringNotLike\":{\"" GITHUB
     ":sub\":\"repo:evil/*\"}}, which does not limit " GITHUB ":sub"},
    /* GitLab. */
    {"Federated:arn:aws:iam::111122223333:oidc-provider/gitlab.com",
     "{\"StringEquals\":{\"gitlab.com:sub\":"
     "\"project_path:group/app:ref_type:branch:ref:main\"}}",
     NULL, NULL},
    {"Federated:arn:aws:iam::111122223333:oidc-provider/gitlab.com",
     "{\"StringLike\":{\"gitlab.com:sub\":"
     "\"project_path:group/*:ref_type:branch:ref:main\"}}",
     "the sub condition of the trust in OIDC provider gitlab.com admits "
     "other projects",
     "; condition on gitlab.com:sub: StringLike "
     "\"project_path:group/*:ref_type:branch:ref:main\" admits other "
     "projects"},
    {"Federated:arn:aws:iam::111122223333:oidc-provider/gitlab.com",
     "{\"StringLike\":{\"gitlab.com:sub\":\"project_path:group/app:*\"}}",
     "the sub condition of the trust in OIDC provider gitlab.com admits "
     "every branch and tag of the project, so a job on any branch can "
     "assume the role",
     "; condition on gitlab.com:sub: StringLike \"project_path:group/app:*\" "
     "admits every branch and tag of the project"},
    {"Federated:arn:aws:iam::111122223333:oidc-provider/gitlab.com",
     "{\"StringLike\":{\"gitlab.com:sub\":"
     "\"project_path:group/app:ref_type:branch:ref:*\"}}",
     "the sub condition of the trust in OIDC provider gitlab.com admits "
     "every one of the branches that match the wildcard",
     "; condition on gitlab.com:sub: StringLike "
     "\"project_path:group/app:ref_type:branch:ref:*\" admits every one of "
     "the branches that match the wildcard"},
    {"Federated:arn:aws:iam::111122223333:oidc-provider/gitlab.com", NULL,
     "the trust in OIDC provider gitlab.com has no gitlab.com:sub "
     "condition, so a CI/CD job of any project on gitlab.com can assume "
     "the role",
     ", with no Condition"},
    /* A self-managed GitLab: the format comes from the value. */
    {"Federated:arn:aws:iam::111122223333:oidc-provider/git.example.com",
     "{\"StringLike\":{\"git.example.com:sub\":\"project_path:group/*\"}}",
     "the sub condition of the trust in OIDC provider git.example.com "
     "admits other projects",
     "; condition on git.example.com:sub: StringLike "
     "\"project_path:group/*\" admits other projects"},
    /* EKS: the namespace must be fixed, the service account may not. */
    {"Federated:arn:aws:iam::111122223333:oidc-provider/"
     "oidc.eks.eu-west-1.amazonaws.com/id/ABC123",
     "{\"StringLike\":{\"oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub\":"
     "\"system:serviceaccount:prod:*\"}}",
     NULL, NULL},
    {"Federated:arn:aws:iam::111122223333:oidc-provider/"
     "oidc.eks.eu-west-1.amazonaws.com/id/ABC123",
     "{\"StringLike\":{\"oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub\":"
     "\"system:serviceaccount:*:app\"}}",
     "the sub condition of the trust in OIDC provider "
     "oidc.eks.eu-west-1.amazonaws.com/id/ABC123 admits other namespaces",
     "; condition on oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub: "
     "StringLike \"system:serviceaccount:*:app\" admits other namespaces"},
    {"Federated:arn:aws:iam::111122223333:oidc-provider/"
     "oidc.eks.eu-west-1.amazonaws.com/id/ABC123",
     "{\"StringEquals\":{\"oidc.eks.eu-west-1.amazonaws.com/id/ABC123:aud\":"
     "\"sts.amazonaws.com\"}}",
     "the trust in OIDC provider oidc.eks.eu-west-1.amazonaws.com/id/ABC123 "
     "has no oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub condition, so "
     "any service account of the cluster can assume the role",
     ", under Condition {\"StringEquals\":{\"oidc.eks.eu-west-1.amazonaws.com"
     "/id/ABC123:aud\":\"sts.amazonaws.com\"}}, which does not limit "
     "oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub"},
    /* An issuer of unknown format: only a leading wildcard is judged. */
    {"Federated:arn:aws:iam::111122223333:oidc-provider/oidc.example.com",
     "{\"StringLike\":{\"oidc.example.com:sub\":\"team-*\"}}", NULL, NULL},
    {"Federated:arn:aws:iam::111122223333:oidc-provider/oidc.example.com",
     "{\"StringLike\":{\"oidc.example.com:sub\":\"*\"}}",
     "the sub condition of the trust in OIDC provider oidc.example.com "
     "admits any subject",
     "; condition on oidc.example.com:sub: StringLike \"*\" admits any "
     "subject"},
    {"Federated:accounts.google.com", NULL,
     "the trust in OIDC provider accounts.google.com has no "
     "accounts.google.com:sub condition, so anyone with a token from "
     "accounts.google.com can assume the role",
     ", with no Condition"},
    /* Cognito identity pools are pinned by aud. */
    {"Federated:cognito-identity.amazonaws.com",
     "{\"StringEquals\":{\"cognito-identity.amazonaws.com:aud\":"
     "\"eu-west-1:1234\"}}",
     NULL, NULL},
    {"Federated:cognito-identity.amazonaws.com", NULL,
     "the trust in cognito-identity.amazonaws.com has no aud condition, so "
     "an identity from any Amazon Cognito identity pool can assume the role",
     ", with no Condition"},
    /* SAML is not OIDC. */
    {"Federated:arn:aws:iam::111122223333:saml-provider/okta", NULL, NULL,
     NULL},
};

/* Fail with the case number when two strings differ. */
static void check_text(size_t index, const char *what, const char *actual,
                       const char *expected)
{
    if (actual == NULL || strcmp(actual, expected) != 0)
        fail_msg("case %zu: %s is \"%s\", expected \"%s\"", index, what,
                 actual ? actual : "(null)", expected);
}

static void oidc_subject_cases(void **state)
{
    for (size_t i = 0; i < sizeof(oidc_cases) / sizeof(oidc_cases[0]); i++) {
        const oidc_case *c = &oidc_cases[i];
        const char *provider, *principals[1] = {c->principal};
        const nhi_finding *finding;
        nhi_statement statement;
        nhi_identity *role;
        size_t expected = c->message ? 1 : 0;
        char detail[1024];
        fixture *f;

        setup(state);
        f = *state;
        statement = allow(principals, 1, LIST("sts:AssumeRoleWithWebIdentity"),
                          c->condition);
        role = make_workload(f, &statement, 1);
        run(f);
        if (f->audit.findings.count != expected)
            fail_msg("case %zu: %zu findings, expected %zu", i,
                     f->audit.findings.count, expected);
        if (expected == 0) {
            teardown(state);
            continue;
        }

        finding = &f->audit.findings.items[0];
        check_text(i, "rule", finding->rule->id, OIDC);
        assert_ptr_equal(finding->identity, role);
        /* The subject is the host: the ARN's part after oidc-provider/. */
        provider = strstr(c->principal, "oidc-provider/");
        check_text(i, "subject", finding->subject,
                   provider ? provider + strlen("oidc-provider/")
                            : c->principal + strlen("Federated:"));
        assert_int_equal(finding->severity, NHI_SEVERITY_HIGH);
        check_text(i, "message", finding->message, c->message);
        assert_int_equal(finding->evidence_count, 1);
        snprintf(detail, sizeof(detail),
                 "Allow %s to call sts:AssumeRoleWithWebIdentity%s",
                 c->principal, c->detail);
        check_text(i, "detail", finding->evidence[0].detail, detail);
        teardown(state);
    }
}

static void oidc_needs_web_identity_action(void **state)
{
    fixture *f = *state;
    nhi_statement statements[] = {
        allow(LIST(GITHUB_PROVIDER), LIST("sts:AssumeRole"), NULL),
        allow(LIST(GITHUB_PROVIDER), LIST("sts:AssumeRoleWithWebIdentity"),
              NULL),
    };

    statements[1].allow = false;
    make_workload(f, statements, 2);
    run(f);
    assert_int_equal(f->audit.findings.count, 0);
}

static void oidc_one_finding_per_provider(void **state)
{
    fixture *f = *state;
    const nhi_statement statements[] = {
        allow(LIST(GITHUB_PROVIDER), LIST("sts:AssumeRoleWithWebIdentity"),
              NULL),
        allow(LIST(GITHUB_PROVIDER), LIST("sts:AssumeRoleWith*"),
              "{\"StringLike\":{\"" GITHUB ":sub\":\"repo:org/*\"}}"),
    };
    nhi_identity *role = make_role(f, "ci", NHI_CLASS_UNKNOWN, 0, statements,
                                   2);
    const nhi_finding *finding;

    run(f);
    assert_int_equal(f->audit.findings.count, 1);
    finding = finding_at(f, 0, OIDC, role, GITHUB);
    assert_ptr_equal(finding->decl, &f->decl);
    assert_int_equal(finding->evidence_count, 2);
    assert_string_equal(finding->evidence[1].statement, "Statement[1]");
    assert_string_equal(finding->evidence[1].detail,
                        "Allow " GITHUB_PROVIDER " to call "
                        "sts:AssumeRoleWithWebIdentity; condition on " GITHUB
                        ":sub: StringLike \"repo:org/*\" admits other "
                        "repositories");
}

static void oidc_human_role_not_judged(void **state)
{
    fixture *f = *state;
    const nhi_statement statements[] = {
        allow(LIST(GITHUB_PROVIDER), LIST("sts:AssumeRoleWithWebIdentity"),
              NULL),
    };

    make_role(f, "sso", NHI_CLASS_HUMAN, -1, statements, 1);
    run(f);
    assert_int_equal(f->audit.findings.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(external_account_no_condition, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(external_bare_account_id, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(external_condition_without_caller_key,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(external_conditions_that_pin_caller,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(external_negated_key_is_reported,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(external_accounts_in_exports_ignored,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(external_star_principals, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(external_not_principal_is_star, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(external_actions_decide, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(external_classes_judged, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(external_severity_from_config, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(oidc_github_no_condition, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(oidc_github_audience_only, setup,
                                        teardown),
        cmocka_unit_test(oidc_subject_cases),
        cmocka_unit_test_setup_teardown(oidc_needs_web_identity_action, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(oidc_one_finding_per_provider, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(oidc_human_role_not_judged, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
