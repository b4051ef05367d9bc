/* SPDX-License-Identifier: MIT */
/*
 * Kubernetes in the identity graph: RBAC objects, legacy token secrets,
 * the aws-auth and EKS access-entry mappings of AWS principals to
 * Kubernetes users and groups, EKS clusters' OIDC issuers, and the RBAC
 * questions rules ask. Service accounts are graph identities (provider
 * kubernetes, kind NHI_KIND_K8S_SERVICE_ACCOUNT); workloads are consumers.
 * Every object lives in the graph's arena.
 */
#ifndef NHI_K8S_H
#define NHI_K8S_H

#include <stdbool.h>
#include <stddef.h>

#include "nhi/error.h"
#include "nhi/graph.h"

struct nhi_ynode;

/* One PolicyRule of a Role or ClusterRole. Lists as written. */
typedef struct nhi_k8s_rule {
    const char **verbs;
    size_t verb_count;
    const char **api_groups;
    size_t api_group_count;
    const char **resources;      /* `pods/exec`, `*`; a `*` resource
                                    before a subresource: every resource */
    size_t resource_count;
    const char **resource_names; /* none: every name */
    size_t resource_name_count;
    const char **urls;           /* nonResourceURLs */
    size_t url_count;
} nhi_k8s_rule;

/* A matchLabels selector of a ClusterRole's aggregationRule. */
typedef struct nhi_k8s_selector {
    nhi_tag *labels;
    size_t label_count;
} nhi_k8s_selector;

typedef struct nhi_k8s_role {
    const char *cluster;    /* NULL when the workspace names none */
    const char *namespace_; /* NULL for a ClusterRole */
    const char *name;
    nhi_k8s_rule *rules;    /* after aggregation, once resolved */
    size_t rule_count;
    nhi_tag *labels;
    size_t label_count;
    nhi_k8s_selector *aggregation; /* ClusterRoles with aggregationRule */
    size_t aggregation_count;
    nhi_location location;
} nhi_k8s_role;

typedef struct nhi_k8s_subject {
    const char *kind;       /* ServiceAccount, User, Group */
    const char *name;
    const char *namespace_; /* service accounts */
} nhi_k8s_subject;

typedef struct nhi_k8s_binding {
    const char *cluster;
    const char *namespace_; /* NULL for a ClusterRoleBinding */
    const char *name;
    const char *role_kind;  /* Role or ClusterRole */
    const char *role_name;
    nhi_k8s_subject *subjects;
    size_t subject_count;
    nhi_location location;
} nhi_k8s_binding;

/* A Secret of type kubernetes.io/service-account-token. */
typedef struct nhi_k8s_token_secret {
    const char *cluster;
    const char *namespace_;
    const char *name;
    const char *service_account; /* kubernetes.io/service-account.name */
    nhi_location location;
} nhi_k8s_token_secret;

/* An AWS principal mapped to a Kubernetes user and groups: an entry of
 * the aws-auth ConfigMap's mapRoles or mapUsers, or an EKS access entry. */
typedef struct nhi_k8s_mapping {
    const char *cluster;
    const char *arn;        /* as written */
    const char *username;   /* NULL when the entry sets none */
    const char **groups;
    size_t group_count;
    const char *source;     /* `aws-auth` or `access-entry` */
    nhi_location location;
} nhi_k8s_mapping;

/* An EKS cluster from `aws eks describe-cluster`. */
typedef struct nhi_eks_cluster {
    const char *name;
    const char *arn;
    const char *oidc_issuer; /* https://oidc.eks.REGION.amazonaws.com/id/X */
    nhi_location location;
} nhi_eks_cluster;

typedef struct nhi_k8s {
    nhi_k8s_role **roles;
    size_t role_count;
    size_t role_capacity;
    nhi_k8s_binding **bindings;
    size_t binding_count;
    size_t binding_capacity;
    nhi_k8s_token_secret **token_secrets;
    size_t token_secret_count;
    size_t token_secret_capacity;
    nhi_k8s_mapping **mappings;
    size_t mapping_count;
    size_t mapping_capacity;
    nhi_eks_cluster **clusters;
    size_t cluster_count;
    size_t cluster_capacity;
    /* Lookup tables built by nhi_k8s_resolve, in the graph's arena. */
    void *index;
} nhi_k8s;

/* The graph's Kubernetes part, created on first use; NULL on no memory. */
nhi_k8s *nhi_graph_k8s(nhi_graph *graph);

int nhi_k8s_add_role(nhi_graph *graph, nhi_k8s_role *role);
int nhi_k8s_add_binding(nhi_graph *graph, nhi_k8s_binding *binding);
int nhi_k8s_add_token_secret(nhi_graph *graph, nhi_k8s_token_secret *secret);
int nhi_k8s_add_mapping(nhi_graph *graph, nhi_k8s_mapping *mapping);
int nhi_k8s_add_cluster(nhi_graph *graph, nhi_eks_cluster *cluster);

/* Recognise Kubernetes objects: a YAML or JSON document with apiVersion
 * and kind, a `List`, or an array of Lists. */
bool nhi_k8s_sniff(const struct nhi_ynode *root);

/*
 * Read Kubernetes objects from `path`: a `kubectl get ... -o json` List,
 * a JSON array of several, or multi-document YAML manifests. Adds service
 * accounts (identities), workloads (consumers: one per top-level owner;
 * pods and ReplicaSets owned by an object of the input fold into it),
 * RBAC objects, legacy token secrets, the aws-auth mappings, and literal
 * credentials in env values and ConfigMap data. Objects of other kinds
 * are skipped. Errors go to `diags` with line:column; one bad object does
 * not stop the rest. Returns NHI_OK, NHI_EINPUT or NHI_ENOMEM.
 */
int nhi_k8s_read(nhi_graph *graph, const char *path, nhi_diags *diags);

/* Recognise and read `aws eks describe-cluster` and `aws eks
 * describe-access-entry` JSON (a bare `accessEntry` object or a list). */
bool nhi_eks_sniff(const char *text, size_t length);
int nhi_eks_read(nhi_graph *graph, const char *path, nhi_diags *diags);

/*
 * Resolve aggregated ClusterRoles: each gets the rules of every
 * ClusterRole of its cluster whose labels match one of its selectors,
 * to a fixed point. Run once every input is read.
 */
int nhi_k8s_resolve(nhi_graph *graph);

/* A Kubernetes user, group or service account, on one cluster. */
typedef struct nhi_k8s_who {
    const char *cluster;   /* NULL: the unnamed cluster */
    const char *user;      /* user name; system:serviceaccount:NS:NAME for
                              service accounts */
    const char **groups;   /* groups, system:authenticated and the
                              service-account groups included */
    size_t group_count;
} nhi_k8s_who;

/* One grant of `who` that answers a question, for evidence. */
typedef struct nhi_k8s_grant {
    const nhi_k8s_binding *binding;
    const nhi_k8s_role *role; /* NULL when the role is not in the inputs */
    size_t rule;              /* index in role->rules */
} nhi_k8s_grant;

/*
 * Can `who` do `verb` on `resource` (`pods`, `pods/exec`, `secrets`) of
 * `api_group` ("" is core) in `namespace_` (NULL: in every namespace,
 * which needs a ClusterRoleBinding), for any name? `*` in a rule's verbs,
 * resources or apiGroups matches everything (a `*` resource with a
 * subresource, that subresource of every resource);
 * a rule with resourceNames only grants those names and does not count.
 * Stores the first granting rule in `grant` when not NULL.
 */
bool nhi_k8s_can(const nhi_graph *graph, const nhi_k8s_who *who,
                 const char *verb, const char *api_group,
                 const char *resource, const char *namespace_,
                 nhi_k8s_grant *grant);

/* Like nhi_k8s_can, in some namespace: any RoleBinding or ClusterRole
 * binding counts. Stores the namespace (NULL: all) in `where`. */
bool nhi_k8s_can_somewhere(const nhi_graph *graph, const nhi_k8s_who *who,
                           const char *verb, const char *api_group,
                           const char *resource, nhi_k8s_grant *grant,
                           const char **where);

/* True when `who` is bound to a role whose rules hold `*` verbs on `*`
 * resources of `*` groups cluster-wide (cluster-admin or its equal). */
bool nhi_k8s_is_cluster_admin(const nhi_graph *graph, const nhi_k8s_who *who,
                              nhi_k8s_grant *grant);

/*
 * The role a binding refers to (a Role of the binding's namespace, or a
 * ClusterRole, on the binding's cluster), or NULL when no input has it.
 * Valid after nhi_k8s_resolve.
 */
const nhi_k8s_role *nhi_k8s_role_of(const nhi_graph *graph,
                                    const nhi_k8s_binding *binding);

/* Does `rule` allow `verb` on `resource` of `api_group` for any name? A
 * `resource` starting with `/` is a non-resource URL. */
bool nhi_k8s_rule_allows(const nhi_k8s_rule *rule, const char *verb,
                         const char *api_group, const char *resource);

/* Does a subject of `binding` stand for `who`? */
bool nhi_k8s_binding_matches(const nhi_k8s_binding *binding,
                             const nhi_k8s_subject *subject,
                             const nhi_k8s_who *who);

/*
 * The label of the node that stands for every service account of a
 * namespace: `namespace:NS`, or `namespace:CLUSTER/NS` on a named
 * cluster, interned in the graph. NULL when memory ran out.
 */
const char *nhi_k8s_namespace_label(nhi_graph *graph, const char *cluster,
                                    const char *namespace_);

/* Whether an edge maps an AWS identity to a Kubernetes user or group
 * (aws-auth or an access entry) and the mapping works. */
bool nhi_k8s_edge_is_mapping(const nhi_edge *edge);

/*
 * The Kubernetes user, groups and cluster that one mapping gives an AWS
 * identity, from its edges: those from graph->edges[first] up to
 * (not including) `*last`, which is set. The edges of one mapping are
 * consecutive. Every signed-in user is also in system:authenticated.
 * Returns NHI_OK or NHI_ENOMEM.
 */
int nhi_k8s_who_of_mapping(nhi_graph *graph, size_t first, size_t *last,
                           nhi_k8s_who *who);

/* The `who` of a service account identity (groups in the graph's arena). */
int nhi_k8s_who_of(nhi_graph *graph, const nhi_identity *account,
                   nhi_k8s_who *who);

#endif
