/* SPDX-License-Identifier: MIT */
/*
 * Consumers: the CI jobs and Kubernetes workloads that use identities, the
 * cloud logins they perform, and credential literals found in their files.
 * Readers add them to the graph; the audit links them to identities.
 * Every object lives in the graph's arena. Secret values are never kept:
 * a literal is stored as its kind and a fingerprint only.
 */
#ifndef NHI_CONSUMER_H
#define NHI_CONSUMER_H

#include <stdbool.h>
#include <stddef.h>

#include "nhi/error.h"
#include "nhi/graph.h"

struct nhi_ynode;

typedef enum nhi_consumer_kind {
    NHI_CONSUMER_GITHUB_JOB,
    NHI_CONSUMER_GITLAB_JOB,
    NHI_CONSUMER_KUBERNETES_WORKLOAD,
    NHI_CONSUMER_KIND_COUNT
} nhi_consumer_kind;

/* `github-job`, `gitlab-job`, `kubernetes-workload`. */
const char *nhi_consumer_kind_name(nhi_consumer_kind kind);

typedef enum nhi_login_kind {
    /* Federation: a short-lived token from the CI's OIDC issuer. */
    NHI_LOGIN_AWS_ROLE,         /* role-to-assume, or a GitLab id_token +
                                   role ARN (AssumeRoleWithWebIdentity) */
    NHI_LOGIN_GCP_FEDERATION,   /* workload_identity_provider */
    NHI_LOGIN_AZURE_FEDERATION, /* azure/login client-id, no secret */
    /* Stored long-lived credentials. */
    NHI_LOGIN_AWS_KEY,          /* an access key id and secret key */
    NHI_LOGIN_GCP_KEY,          /* a service-account JSON key */
    NHI_LOGIN_AZURE_SECRET,     /* azure/login creds, a client secret */
    NHI_LOGIN_KIND_COUNT
} nhi_login_kind;

/* `aws-role`, `gcp-federation`, `azure-federation`, `aws-key`, `gcp-key`,
 * `azure-secret`. */
const char *nhi_login_kind_name(nhi_login_kind kind);
/* True for the kinds that use a stored long-lived credential. */
bool nhi_login_is_static(nhi_login_kind kind);

/* One cloud login of a consumer. */
typedef struct nhi_login {
    nhi_login_kind kind;
    /* The login's target, as written: a role ARN, a workload identity
     * provider, a service-account e-mail or a client id. NULL when the
     * input does not show it. */
    const char *target;
    bool target_expression; /* target contains `${{ }}` or `$VAR`, so the
                               value is chosen at run time */
    /* The stored secret or CI variable holding the credential, as
     * `secrets.NAME`, `vars.NAME` or `$NAME`; NULL when none. */
    const char *secret;
    /* A literal access key id (AKIA...) written in the input, or NULL. The
     * key id is not secret; the secret key never leaves the reader. */
    const char *key_id;
    const char *step;       /* the step's name, or the action it uses */
    /* GitLab: the id_tokens entry and its audience, when federated. */
    const char *audience;
    nhi_location location;
} nhi_login;

typedef struct nhi_consumer {
    nhi_consumer_kind kind;
    /*
     * Stable id, the form declarations use:
     *   github: OWNER/REPO/.github/workflows/FILE#JOB (REPO
     *           `unknown/unknown` when no layout or config names it)
     *   gitlab: PROJECT#JOB
     *   kubernetes: NS/KIND/NAME
     */
    const char *id;
    const char *repository;  /* OWNER/REPO or GitLab project; NULL unknown */
    const char *workflow;    /* workflow file name (GitHub), else NULL */
    const char *job;         /* job id, or the workload's name */
    const char *display;     /* job `name:`, or NULL */
    /* GitHub deployment environment, GitLab `environment`; NULL when none.
     * For OIDC it is part of the token's subject. */
    const char *deployment;
    const char **triggers;   /* `on:` event names (GitHub) */
    size_t trigger_count;
    bool untrusted_trigger;  /* pull_request_target, workflow_run, ... */
    /* Branch and tag filters of push triggers, as written (may hold
     * globs); none means any. */
    const char **branches;
    size_t branch_count;
    const char **tags;
    size_t tag_count;
    bool id_token;           /* may mint an OIDC token: `id-token: write`,
                                `write-all`, or GitLab `id_tokens` */
    nhi_login *logins;
    size_t login_count;

    /* Kubernetes workloads. */
    const char *cluster;         /* from the workspace config, or NULL */
    const char *namespace_;
    const char *workload_kind;   /* Deployment, CronJob, Pod, ... */
    const char *service_account; /* spec.serviceAccountName, default
                                    "default" */
    signed char automount;       /* automountServiceAccountToken on the
                                    pod spec: 1, 0, or -1 when unset */

    nhi_location location;

    /* Filled by the audit. */
    const char *environment; /* from the config's accounts or clusters */
    unsigned index;          /* position in graph->consumers */
} nhi_consumer;

/* A credential literal found in an input: kind and fingerprint only. */
typedef struct nhi_plaintext {
    /* `aws-access-key-id`, `aws-secret-access-key`, `private-key`,
     * `github-token`, `gitlab-token`, `slack-token`, `google-api-key`,
     * `password`, ... */
    const char *kind;
    /* First 16 hex digits of SHA-256 over the value: lets a reader match
     * two occurrences without seeing the value. */
    char fingerprint[17];
    const char *key;         /* the variable or field it was set under */
    const nhi_consumer *consumer; /* NULL when outside a consumer */
    nhi_location location;
} nhi_plaintext;

int nhi_graph_add_consumer(nhi_graph *graph, nhi_consumer *consumer);
int nhi_graph_add_plaintext(nhi_graph *graph, nhi_plaintext *plaintext);
/* Append a login to a consumer (copied into the graph's arena). */
int nhi_consumer_add_login(nhi_graph *graph, nhi_consumer *consumer,
                           const nhi_login *login);

/*
 * Look at `value`, set under `key` (may be NULL), for a credential
 * literal. Returns its kind, or NULL when it is not one. Values that are
 * expressions (`${{ secrets.X }}`, `$VAR`) or placeholders are not
 * literals. Stores the fingerprint when `fingerprint` is not NULL.
 */
const char *nhi_secret_literal_kind(const char *key, const char *value,
                                    char fingerprint[17]);

/*
 * Overwrite the credential literals of one line of input text (YAML, JSON
 * or shell) with `*`, keeping its length, so that an error message can
 * quote the line and its caret stays in place.
 */
void nhi_redact_line(char *line);

/* Recognisers, given the first YAML document of a file. */
bool nhi_github_sniff(const struct nhi_ynode *root);
bool nhi_gitlab_sniff(const struct nhi_ynode *root);

/*
 * Readers: a GitHub Actions workflow and a `.gitlab-ci.yml`. Each job
 * becomes a consumer; each cloud login, a login of it; each literal
 * credential, a plaintext entry. Errors go to `diags` with line:column.
 * Returns NHI_OK, NHI_EINPUT or NHI_ENOMEM.
 */
int nhi_github_read(nhi_graph *graph, const char *path, nhi_diags *diags);
int nhi_gitlab_read(nhi_graph *graph, const char *path, nhi_diags *diags);

#endif
