/* SPDX-License-Identifier: MIT */
/* Every rule id with its default severity, OWASP NHI item and remedy. */
#include <string.h>

#include "nhi/rules.h"

/*
 * OWASP items are from the OWASP Non-Human Identities Top 10 (2025):
 * NHI1 improper offboarding, NHI2 secret leakage, NHI3 vulnerable third-
 * party NHI, NHI4 insecure authentication, NHI5 overprivileged NHI, NHI6
 * insecure cloud deployment configurations, NHI7 long-lived secrets, NHI8
 * environment isolation, NHI9 NHI reuse, NHI10 human use of NHI.
 */
static const nhi_rule_info rules[] = {
    {"scope.prohibited-action", NHI_SEVERITY_HIGH, "NHI5",
     "a declared prohibited action is granted",
     "Remove the action from the identity's policies, or add an explicit "
     "Deny for it (AWS IAM policy or permissions boundary). The policy is "
     "yours to change: the provider only enforces what you attach.",
     1},
    {"scope.prohibited-action-reachable", NHI_SEVERITY_HIGH, "NHI5",
     "a declared prohibited action is reachable through other identities",
     "Cut the step that leads to the identity holding the action (its trust "
     "policy, the iam:PassRole or key-creation grant), or deny the action "
     "there; the policies are yours to change.",
     1},
    {"scope.exceeds-declaration", NHI_SEVERITY_MEDIUM, "NHI5",
     "granted actions are not covered by allowed_actions",
     "Narrow the identity's policies to the declared actions (IAM Access "
     "Analyzer policy generation helps), or declare the actions it needs.",
     1},
    {"scope.full-admin", NHI_SEVERITY_CRITICAL, "NHI5",
     "the identity can do every action on every resource",
     "Replace Action \"*\" on Resource \"*\" (for example "
     "AdministratorAccess) with the actions the workload needs; keep "
     "administrator access for break-glass human roles.",
     1},
    {"scope.sensitive-wildcard", NHI_SEVERITY_HIGH, "NHI5",
     "a whole sensitive service is granted (iam, sts, kms, secretsmanager, "
     "organizations)",
     "List the specific actions of the service the workload calls instead "
     "of the service wildcard.",
     1},
    {"cred.static-on-short-lived", NHI_SEVERITY_HIGH, "NHI7,NHI4",
     "declared short-lived-token, but a static credential exists",
     "Delete the access key and move the workload to federation: an IAM "
     "role assumed through OIDC (GitHub, GitLab), IRSA or EKS Pod Identity, "
     "or an instance profile, as the declaration says.",
     1},
    {"cred.not-rotated", NHI_SEVERITY_MEDIUM, "NHI7",
     "an active key older than max_credential_age",
     "Rotate the key: create a second key, move the workload to it, then "
     "deactivate and delete the old one (aws iam create-access-key, "
     "update-access-key, delete-access-key). Better, replace it with a role.",
     1},
    {"cred.unused", NHI_SEVERITY_LOW, "NHI1",
     "an active key not used for 90 days, or never used",
     "Deactivate the key (aws iam update-access-key --status Inactive), and "
     "delete it once nothing breaks.",
     1},
    {"cred.multiple-active", NHI_SEVERITY_MEDIUM, "NHI7",
     "two active keys on one identity",
     "Finish the rotation: deactivate and delete the key the workload no "
     "longer uses.",
     1},
    {"cred.root-access-key", NHI_SEVERITY_CRITICAL, "NHI7",
     "the account root user has an active access key",
     "Delete the root user's access keys; automation must use IAM roles, "
     "never the root user.",
     1},
    {"cred.no-expiry", NHI_SEVERITY_MEDIUM, "NHI7",
     "secret or key with no or a far expiry", "Set an expiry.", 0},
    {"cred.ci-static-cloud-key", NHI_SEVERITY_HIGH, "NHI6,NHI2",
     "a CI job logs in to a cloud with stored long-lived keys",
     "Use the CI provider's OIDC federation.", 1},
    {"cred.legacy-token-secret", NHI_SEVERITY_MEDIUM, "NHI7",
     "Kubernetes service-account token secret",
     "Use projected, bound service-account tokens.", 1},
    {"cred.plaintext-secret", NHI_SEVERITY_CRITICAL, "NHI2",
     "a credential literal in a workflow or manifest",
     "Revoke the credential and store it in a secret store.", 1},
    {"reuse.shared-identity", NHI_SEVERITY_MEDIUM, "NHI9",
     "one identity used by several consumers",
     "Give each consumer its own identity.", 1},
    {"reuse.shared-credential", NHI_SEVERITY_HIGH, "NHI9",
     "one key referenced in several places",
     "Issue one credential per consumer.", 1},
    {"life.undeclared-identity", NHI_SEVERITY_MEDIUM, "NHI1",
     "a non-human identity that no declaration covers",
     "Declare the identity with its owner, environment and actions, or "
     "delete it if nothing uses it.",
     1},
    {"life.declared-missing", NHI_SEVERITY_LOW, "NHI1",
     "a declaration whose identities are not in the exports",
     "Create the identity, correct the binding in the declaration, or "
     "retire the declaration.",
     1},
    {"life.unused-identity", NHI_SEVERITY_LOW, "NHI1",
     "no use for 90 days: a candidate for removal",
     "Confirm with the owner that nothing needs the identity, then remove "
     "its policies and delete it.",
     1},
    {"life.review-overdue", NHI_SEVERITY_LOW, "NHI1",
     "last review older than the declared cadence",
     "Review the identity: check its owner, grants and credentials against "
     "the declaration, then record the review with 'nhi review attest'.",
     1},
    {"life.owner-missing", NHI_SEVERITY_LOW, "NHI1",
     "the declaration names no owner",
     "Add 'owner:' with the team or person accountable for the identity.",
     1},
    {"move.escalation-path", NHI_SEVERITY_CRITICAL, "NHI5",
     "a chain of edges from this identity to admin",
     "Remove the permission behind the first hop.", 0},
    {"move.cross-environment", NHI_SEVERITY_HIGH, "NHI8",
     "a non-production identity reaches a production one",
     "Remove the trust or permission behind the first hop that crosses "
     "environments (the trust policy, or the caller's sts:AssumeRole or "
     "iam:PassRole grant); keep production and test workloads in separate "
     "accounts with no trust between them.",
     1},
    {"move.external-trust", NHI_SEVERITY_HIGH, "NHI3",
     "trust to another account or * without conditions",
     "Edit the role's trust policy (aws iam update-assume-role-policy): "
     "require sts:ExternalId for a third party, limit your own accounts "
     "with aws:PrincipalOrgID or aws:PrincipalArn, and name the exact role "
     "instead of \"*\" or an account root. The trust policy is yours to "
     "change: AWS admits every principal it names.",
     1},
    {"move.oidc-subject-unrestricted", NHI_SEVERITY_HIGH, "NHI6",
     "an OIDC trust admits other repositories or branches",
     "Add a StringEquals condition on the provider's sub claim to the "
     "role's trust policy (aws iam update-assume-role-policy) that names "
     "one repository and branch or environment (GitHub: "
     "repo:OWNER/REPO:environment:NAME), one GitLab project and ref, or one "
     "Kubernetes namespace and service account. The trust policy is yours "
     "to change: AWS checks only the conditions you write.",
     1},
    {"human.console-access", NHI_SEVERITY_MEDIUM, "NHI10",
     "a service identity with a console password",
     "Delete the login profile (aws iam delete-login-profile): people sign "
     "in as themselves, through IAM Identity Center.",
     1},
    {"human.impersonation", NHI_SEVERITY_MEDIUM, "NHI10",
     "people allowed to impersonate a service identity",
     "Remove the impersonation grant.", 1},
    {"k8s.cluster-admin", NHI_SEVERITY_CRITICAL, "NHI5",
     "service account bound to cluster-admin", "Bind a narrower role.", 1},
    {"k8s.secrets-read", NHI_SEVERITY_HIGH, "NHI5",
     "service account can read secrets", "Narrow the role.", 1},
    {"k8s.default-sa-used", NHI_SEVERITY_LOW, "NHI5",
     "workload runs as the default service account",
     "Give the workload its own service account.", 1},
    {"k8s.automount-token", NHI_SEVERITY_LOW, "NHI5",
     "token mounted into a pod that does not need it",
     "Set automountServiceAccountToken: false.", 1},
    {"k8s.pod-create-escalation", NHI_SEVERITY_HIGH, "NHI5",
     "can create or exec into pods of a more powerful service account",
     "Remove pod create and exec rights.", 1},
};

size_t nhi_rule_count(void)
{
    return sizeof(rules) / sizeof(rules[0]);
}

const nhi_rule_info *nhi_rule_at(size_t index)
{
    return index < nhi_rule_count() ? &rules[index] : NULL;
}

const nhi_rule_info *nhi_rule_find(const char *id)
{
    for (size_t i = 0; i < nhi_rule_count(); i++)
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    return NULL;
}
