/* SPDX-License-Identifier: MIT */
/*
 * The identity graph: identities, the policies that grant them actions,
 * credentials, consumers and edges. Readers fill it; rules and
 * reports only read it. Every string and object lives in the graph's arena
 * and is freed with the graph; strings are interned, so equal ids share
 * one pointer.
 */
#ifndef NHI_GRAPH_H
#define NHI_GRAPH_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "nhi/common.h"
#include "nhi/error.h"

typedef enum nhi_identity_kind {
    NHI_KIND_AWS_ROLE,
    NHI_KIND_AWS_USER,
    NHI_KIND_AWS_ROOT,
    NHI_KIND_K8S_SERVICE_ACCOUNT,
    NHI_KIND_COUNT
} nhi_identity_kind;

/* `aws-role`, `aws-user`, `aws-root`, `kubernetes-service-account`. */
const char *nhi_identity_kind_name(nhi_identity_kind kind);

typedef enum nhi_identity_class {
    NHI_CLASS_WORKLOAD,
    NHI_CLASS_HUMAN,
    NHI_CLASS_PROVIDER_MANAGED,
    NHI_CLASS_UNKNOWN
} nhi_identity_class;

/* `workload`, `human`, `provider-managed`, `unknown`. */
const char *nhi_identity_class_name(nhi_identity_class class_);

/* Where something was read: the input, a line:column, a JSON path. */
typedef struct nhi_location {
    const char *source;    /* input path */
    unsigned line;         /* 0 when unknown */
    unsigned column;
    const char *json_path; /* e.g. RoleDetailList[3].RolePolicyList[0] */
} nhi_location;

/* One statement of an AWS policy document, as written. */
typedef struct nhi_statement {
    unsigned index;      /* position in the document's Statement list */
    const char *sid;     /* NULL when absent */
    bool allow;          /* Effect: Allow (true) or Deny */
    bool not_action;     /* the list is NotAction */
    const char **actions;
    size_t action_count;
    bool not_resource;   /* the list is NotResource */
    const char **resources;
    size_t resource_count;
    bool not_principal;  /* the list is NotPrincipal */
    /* Principals as `TYPE:value`, TYPE one of AWS, Service, Federated,
     * CanonicalUser, and `*` for "Principal": "*". */
    const char **principals;
    size_t principal_count;
    const char *condition; /* the Condition object as compact JSON, or NULL */
    /* Whether the Condition reads aws:PrincipalArn, so that its result
     * depends on the caller. */
    bool condition_reads_principal;
    /* Hashed sets of what its actions can name (see aws_statement_index):
     * services, services with a wildcard first in the name, and services
     * with the first letter of the name. 0 when not indexed, which means
     * any action may match. */
    uint64_t service_mask;
    uint64_t wide_mask;
    uint64_t name_mask;
} nhi_statement;

typedef enum nhi_policy_kind {
    NHI_POLICY_MANAGED,  /* a managed policy (customer or AWS managed) */
    NHI_POLICY_INLINE,   /* embedded in a user, group or role */
    NHI_POLICY_TRUST     /* a role's AssumeRolePolicyDocument */
} nhi_policy_kind;

typedef struct nhi_policy_version {
    const char *version_id;
    bool is_default;
    nhi_time created;
    nhi_statement *statements;
    size_t statement_count;
    bool version_2012;    /* "Version": "2012-10-17": policy variables apply */
    bool invalid;         /* the document could not be read; see diagnostics */
} nhi_policy_version;

typedef struct nhi_policy {
    nhi_policy_kind kind;
    const char *name;
    const char *arn;      /* managed policies; NULL for inline and trust */
    const char *owner;    /* inline and trust: ARN of the user, group or role */
    bool aws_managed;     /* arn:aws:iam::aws:policy/... */
    /* Every version; managed policies may have several, the others one.
     * The default version is versions[default_version]. */
    nhi_policy_version *versions;
    size_t version_count;
    size_t default_version;
    nhi_location location;
    unsigned index;       /* position in graph->policies */
} nhi_policy;

/* A policy attached to an identity, and through what. */
typedef struct nhi_attachment {
    const nhi_policy *policy;
    const char *via_group; /* group name when inherited, else NULL */
} nhi_attachment;

typedef struct nhi_tag {
    const char *key;
    const char *value;
} nhi_tag;

typedef struct nhi_group {
    const char *name;
    const char *arn;
    const char *path;
    nhi_attachment *policies;
    size_t policy_count;
    const char **missing_policies; /* attached ARNs not in the export */
    size_t missing_count;
    nhi_location location;
} nhi_group;

typedef enum nhi_credential_kind {
    NHI_CREDENTIAL_ACCESS_KEY,
    NHI_CREDENTIAL_PASSWORD,
    NHI_CREDENTIAL_CERTIFICATE
} nhi_credential_kind;

/* `access-key`, `password`, `certificate`. */
const char *nhi_credential_kind_name(nhi_credential_kind kind);

struct nhi_identity;

/*
 * A credential of an identity: ids and dates only. Secret values are
 * never read into the graph.
 */
typedef struct nhi_credential {
    nhi_credential_kind kind;
    struct nhi_identity *identity;
    const char *key_id;      /* AKIA... where an input shows it, else NULL */
    unsigned slot;           /* 1 or 2: the credential report's key slot */
    bool active;
    nhi_time created;        /* created or last rotated */
    nhi_time last_used;      /* NHI_TIME_UNKNOWN when never or not known */
    bool never_used;         /* the report says N/A: never used */
    bool usage_unknown;      /* no_information, or no report */
    const char *last_used_service;
    const char *last_used_region;
    nhi_location location;
} nhi_credential;

typedef struct nhi_identity {
    nhi_provider provider;
    nhi_identity_kind kind;
    const char *id;        /* provider-native id: the ARN for AWS */
    const char *name;      /* role or user name */
    const char *account;   /* AWS account id */
    const char *path;      /* IAM path, e.g. "/" or "/ci/" */
    const char *unique_id; /* AROA..., AIDA... */
    nhi_time created;
    nhi_time last_used;    /* RoleLastUsed.LastUsedDate, or unknown */
    const char *last_used_region;
    nhi_tag *tags;
    size_t tag_count;
    /* Inline and managed policies, the user's groups' policies included. */
    nhi_attachment *policies;
    size_t policy_count;
    const char **groups;   /* group names (users) */
    size_t group_count;
    const char **missing_policies; /* attached ARNs not in the export */
    size_t missing_count;
    const nhi_policy *trust;       /* roles: the trust policy */
    const char *boundary_arn;      /* permissions boundary, or NULL */
    const nhi_policy *boundary;    /* NULL when absent or not in the export */
    const char **instance_profiles;
    size_t instance_profile_count;
    nhi_location location;

    /* Kubernetes service accounts: id system:serviceaccount:NS:NAME, name
     * NAME, account the cluster (NULL when unnamed), path NS. */
    signed char automount;      /* automountServiceAccountToken: 1, 0, -1 */
    const char *irsa_role;      /* eks.amazonaws.com/role-arn, or NULL */
    const char *gcp_account;    /* iam.gke.io/gcp-service-account, or NULL */

    /* From a credential report or list-access-keys output. */
    bool has_credential_data;
    bool password_enabled;
    nhi_time password_last_used; /* NHI_TIME_UNKNOWN when never/unknown */
    bool mfa_active;
    nhi_credential **credentials;
    size_t credential_count;
    size_t credential_capacity;

    /* Filled when the graph is finished. */
    nhi_identity_class class_;
    const char *environment;  /* from the declaration, the account, a tag */
    int declaration;          /* index in the declaration set, or -1 */
    unsigned index;           /* position in graph->identities */
} nhi_identity;

/* What an edge joins: an identity, a consumer, or a Kubernetes user or
 * group that is not an identity (an aws-auth mapping's target). */
typedef enum nhi_node_kind {
    NHI_NODE_IDENTITY,
    NHI_NODE_CONSUMER,
    NHI_NODE_K8S_SUBJECT
} nhi_node_kind;

/*
 * A link across providers, made once every input is read. A job uses a
 * role through OIDC or a static key, and a workload runs as a service
 * account. A service account becomes a role through IRSA, a role is
 * mapped to a Kubernetes group, and an identity that can create pods in a
 * namespace can act as its service accounts. Edges that the trust does not admit
 * are kept with `valid` false, so that a report can show why a login
 * fails.
 */
typedef struct nhi_edge {
    const char *kind;  /* runs-as, oidc, static-key, irsa, aws-auth,
                          access-entry, create-pod, create-workload,
                          exec-pod, impersonate, create-token,
                          read-token-secret */
    nhi_node_kind from_kind;
    size_t from;       /* index in identities or consumers */
    nhi_node_kind to_kind;
    size_t to;         /* index; unused for NHI_NODE_K8S_SUBJECT */
    const char *to_label; /* `group:NAME` or `user:NAME` for subjects, and
                             `namespace:[CLUSTER/]NS` for the node that
                             stands for a namespace's service accounts */
    bool valid;        /* the target admits the source */
    bool possible;     /* valid only under conditions not decidable */
    bool inferred;     /* the input does not name the target: a role
                          guessed for `role-to-assume: ${{ secrets.X }}`,
                          a user guessed from a secret's name */
    const char *detail; /* the evidence, as one sentence */
    nhi_location location;
} nhi_edge;

typedef struct nhi_graph nhi_graph;

struct nhi_graph {
    void *arena;
    void *strings; /* intern table */
    nhi_identity **identities;
    size_t identity_count;
    size_t identity_capacity;
    nhi_group **groups;
    size_t group_count;
    size_t group_capacity;
    nhi_policy **policies;
    size_t policy_count;
    size_t policy_capacity;
    nhi_credential **credentials;
    size_t credential_count;
    size_t credential_capacity;
    const char **accounts; /* AWS accounts seen in the inputs */
    size_t account_count;
    size_t account_capacity;
    void *index;           /* id -> identity, managed ARN -> policy */
    struct nhi_consumer **consumers;
    size_t consumer_count;
    size_t consumer_capacity;
    struct nhi_plaintext **plaintexts;
    size_t plaintext_count;
    size_t plaintext_capacity;
    struct nhi_k8s *k8s;   /* NULL until a Kubernetes input is read */
    nhi_edge *edges;
    size_t edge_count;
    size_t edge_capacity;
    /* Context of the input being read, from the workspace config: the
     * cluster a Kubernetes export belongs to, the OWNER/REPO of a workflow
     * folder. NULL when the config names none, and then readers use what
     * the input shows, such as a folder layout OWNER/REPO/.github. */
    const char *reading_cluster;
    const char *reading_repository;
};

int nhi_graph_new(nhi_graph **out);
void nhi_graph_free(nhi_graph *graph);

/* Arena allocation and interning for readers. NULL when memory ran out. */
void *nhi_graph_alloc(nhi_graph *graph, size_t size);
const char *nhi_graph_intern(nhi_graph *graph, const char *text);
const char *nhi_graph_intern_n(nhi_graph *graph, const char *text,
                               size_t length);

/* Add objects; the graph takes them (they must come from its arena). */
int nhi_graph_add_identity(nhi_graph *graph, nhi_identity *identity);
int nhi_graph_add_group(nhi_graph *graph, nhi_group *group);
int nhi_graph_add_policy(nhi_graph *graph, nhi_policy *policy);
int nhi_graph_add_account(nhi_graph *graph, const char *account);
/* Add a credential to the graph and to its identity's list. */
int nhi_graph_add_credential(nhi_graph *graph, nhi_credential *credential);
/* Append an edge (copied). */
int nhi_graph_add_edge(nhi_graph *graph, const nhi_edge *edge);

/* Lookups; NULL when absent. */
nhi_identity *nhi_graph_find_identity(const nhi_graph *graph, const char *id);
const nhi_policy *nhi_graph_find_policy(const nhi_graph *graph,
                                        const char *arn);
const nhi_group *nhi_graph_find_group(const nhi_graph *graph,
                                      const char *account, const char *name);
bool nhi_graph_has_account(const nhi_graph *graph, const char *account);

/* Bytes held by the graph, for the benchmark's memory accounting. */
size_t nhi_graph_memory(const nhi_graph *graph);

#endif
