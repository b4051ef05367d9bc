/* SPDX-License-Identifier: MIT */
/*
 * The main job: read the exports of a workspace into one identity graph,
 * bind declarations, classify identities, evaluate the rules.
 */
#ifndef NHI_AUDIT_H
#define NHI_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "nhi/error.h"
#include "nhi/finding.h"
#include "nhi/graph.h"
#include "nhi/workspace.h"

/* Sensitive capabilities an identity has or can reach. */
enum {
    NHI_CAPABILITY_ADMIN = 1u << 0,
    /* Then one bit per sensitive service, in the order of
     * nhi_capability_name: iam, sts, kms, secretsmanager, organizations. */
    NHI_CAPABILITY_AWS_COUNT = 6,
    /* Cluster admin of a Kubernetes cluster (k8s.cluster-admin). */
    NHI_CAPABILITY_KUBERNETES_ADMIN = 1u << 6,
    NHI_CAPABILITY_COUNT = 7
};

/* `admin`, `iam`, `sts`, `kms`, `secretsmanager`, `organizations`,
 * `kubernetes-admin`. */
const char *nhi_capability_name(unsigned bit);

/* Stages of an audit, timed for the benchmark. */
typedef enum nhi_stage {
    NHI_STAGE_READ,
    NHI_STAGE_GRAPH,
    NHI_STAGE_RULES,
    NHI_STAGE_PATHS,
    NHI_STAGE_REPORT,
    NHI_STAGE_COUNT
} nhi_stage;

const char *nhi_stage_name(nhi_stage stage);

/* A recorded review of a declaration (kept in the state database). */
typedef struct nhi_review {
    char *declaration;
    char *decision; /* keep, reduce, retire */
    char *reviewer;
    char *note;     /* NULL when none */
    nhi_time reviewed_at;
} nhi_review;

/* Identities a declaration binds, in graph order. */
typedef struct nhi_binding_list {
    nhi_identity **items;
    size_t count;
    size_t capacity;
} nhi_binding_list;

/*
 * One step of the identity graph: node `from` can become node `to`. Nodes
 * are the graph's identities (0 .. identity_count-1), then pattern nodes,
 * one per resource pattern of a grant, which stand for every identity the
 * pattern matches, then other nodes: the consumers and the Kubernetes
 * users and groups that edges across providers join.
 */
typedef struct nhi_step {
    size_t from;
    size_t to;
    const char *kind;   /* assume-role, pass-role, ... or the IAM action */
    const char *detail;
    bool possible;
} nhi_step;

typedef struct nhi_audit {
    nhi_workspace *workspace; /* borrowed */
    nhi_graph *graph;
    nhi_findings findings;
    nhi_binding_list *bound;  /* by declaration index */
    signed char *admin;       /* by identity: 1 admin, 0 not, -1 not known */
    size_t *blast_radius;     /* by identity: identities it can become */
    unsigned *blast_capabilities; /* by identity: NHI_CAPABILITY_* bits */
    bool blast_bounded;       /* counts are upper bounds (see rules.md) */
    nhi_step *steps;          /* the edges of the identity graph */
    size_t step_count;
    const char **pattern_nodes; /* labels of the pattern nodes */
    size_t pattern_node_count;
    const char **other_nodes;   /* labels of the nodes after them */
    size_t other_node_count;
    nhi_time now;
    const nhi_review *reviews; /* latest per declaration, borrowed */
    size_t review_count;
    double stage_seconds[NHI_STAGE_COUNT];
    size_t stage_peak_kib[NHI_STAGE_COUNT];
} nhi_audit;

/*
 * Run the audit over the workspace's inputs (already collected by
 * nhi_workspace_read). Input problems go to `diags` and mark their input
 * failed; the audit goes on with the rest. Returns NHI_OK, NHI_EINPUT
 * when some input failed, or NHI_ENOMEM.
 */
int nhi_audit_run(nhi_audit *audit, nhi_workspace *workspace, nhi_time now,
                  const nhi_review *reviews, size_t review_count,
                  nhi_diags *diags);
void nhi_audit_free(nhi_audit *audit);

/* Record the time and peak memory of a stage that started at `start`. */
void nhi_audit_stage_done(nhi_audit *audit, nhi_stage stage, double start);
/* Seconds on a monotonic clock. */
double nhi_clock(void);

/* Whether an environment name is production: `production` or `prod`,
 * in any case. */
bool nhi_environment_is_production(const char *environment);

/* The severity of `rule` in this audit: its default, or nhi.yaml's. */
nhi_severity nhi_audit_severity(const nhi_audit *audit,
                                const nhi_rule_info *rule);

/* Parts of the audit, exposed for tests. */
int nhi_audit_link(nhi_audit *audit);
int nhi_audit_classify(nhi_graph *graph);
int nhi_audit_bind(nhi_audit *audit, nhi_diags *diags);
int nhi_rules_scope(nhi_audit *audit);
int nhi_rules_life(nhi_audit *audit);
int nhi_rules_cred(nhi_audit *audit);
int nhi_rules_trust(nhi_audit *audit);
int nhi_rules_escalation(nhi_audit *audit);
int nhi_rules_ci(nhi_audit *audit);
int nhi_rules_k8s(nhi_audit *audit);

/* The AWS action patterns of a declared action (catalog or native). */
size_t nhi_decl_aws_patterns(const nhi_catalog *catalog,
                             const nhi_decl_action *action,
                             const char ***patterns);

#endif
