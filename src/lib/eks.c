/* SPDX-License-Identifier: MIT */
/*
 * The reader of `aws eks describe-cluster --name C` (the cluster's OIDC
 * issuer, for IRSA trust) and `aws eks describe-access-entry` output (an
 * AWS principal mapped to Kubernetes groups and a user name). Fields follow
 * the EKS API reference for Cluster and AccessEntry. The JSON is read
 * through the YAML tree, which gives every node its line and column.
 */
#include "nhi/k8s.h"

#include <stdio.h>
#include <string.h>

#include "util.h"
#include "ytree.h"

typedef struct eks_reader {
    nhi_graph *graph;
    nhi_diags *diags;
    const char *path; /* interned */
    int status;
} eks_reader;

static const char *scalar(const nhi_ynode *map, const char *key)
{
    const nhi_ynode *node = map ? nhi_ymap_get(map, key) : NULL;

    return node && node->kind == NHI_YNODE_SCALAR && !nhi_ynode_is_null(node)
               ? node->value
               : NULL;
}

static void fail(eks_reader *r, const nhi_ynode *node, const char *json_path,
                 const char *message, const char *hint)
{
    nhi_error *error = nhi_diags_add(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT,
                                     r->path, node->line, node->column, "%s",
                                     message);

    nhi_error_set_location(error, "%s", json_path);
    nhi_error_set_hint(error, "%s", hint);
}

static nhi_location where(const eks_reader *r, const nhi_ynode *node,
                          const char *json_path)
{
    nhi_location location = {r->path, node->line, node->column,
                             nhi_graph_intern(r->graph, json_path)};
    return location;
}

static void read_cluster(eks_reader *r, const nhi_ynode *cluster,
                         const char *json_path)
{
    const nhi_ynode *identity, *oidc;
    nhi_eks_cluster *item;
    const char *name = scalar(cluster, "name");
    const char *arn = scalar(cluster, "arn");
    const char *issuer = NULL;

    if (cluster->kind != NHI_YNODE_MAPPING || name == NULL) {
        fail(r, cluster, json_path, "cluster has no name",
             "give the output of 'aws eks describe-cluster --name NAME' "
             "unchanged");
        return;
    }
    identity = nhi_ymap_get(cluster, "identity");
    oidc = identity && identity->kind == NHI_YNODE_MAPPING
               ? nhi_ymap_get(identity, "oidc")
               : NULL;
    issuer = scalar(oidc, "issuer");

    item = nhi_graph_alloc(r->graph, sizeof(*item));
    if (item == NULL) {
        r->status = NHI_ENOMEM;
        return;
    }
    item->name = nhi_graph_intern(r->graph, name);
    item->arn = arn ? nhi_graph_intern(r->graph, arn) : NULL;
    item->oidc_issuer = issuer ? nhi_graph_intern(r->graph, issuer) : NULL;
    item->location = where(r, cluster, json_path);
    if (nhi_k8s_add_cluster(r->graph, item) < 0)
        r->status = NHI_ENOMEM;
}

static void read_access_entry(eks_reader *r, const nhi_ynode *entry,
                              const char *json_path)
{
    nhi_k8s_mapping *mapping;
    const nhi_ynode *groups;
    const char *principal = scalar(entry, "principalArn");
    const char *cluster = scalar(entry, "clusterName");
    const char *username = scalar(entry, "username");

    if (entry->kind != NHI_YNODE_MAPPING || principal == NULL) {
        fail(r, entry, json_path, "access entry has no principalArn",
             "give the output of 'aws eks describe-access-entry' "
             "unchanged");
        return;
    }
    mapping = nhi_graph_alloc(r->graph, sizeof(*mapping));
    if (mapping == NULL) {
        r->status = NHI_ENOMEM;
        return;
    }
    /* The entry names its EKS cluster; a workspace cluster name, when the
     * config maps this file, wins so that both sides of a mapping agree. */
    if (r->graph->reading_cluster)
        mapping->cluster = r->graph->reading_cluster;
    else if (cluster)
        mapping->cluster = nhi_graph_intern(r->graph, cluster);
    mapping->arn = nhi_graph_intern(r->graph, principal);
    mapping->username = username ? nhi_graph_intern(r->graph, username) : NULL;
    mapping->source = "access-entry";
    mapping->location = where(r, entry, json_path);

    groups = nhi_ymap_get(entry, "kubernetesGroups");
    if (groups && groups->kind == NHI_YNODE_SEQUENCE && groups->count) {
        mapping->groups =
            nhi_graph_alloc(r->graph, groups->count * sizeof(char *));
        if (mapping->groups == NULL) {
            r->status = NHI_ENOMEM;
            return;
        }
        for (size_t i = 0; i < groups->count; i++)
            if (groups->items[i]->kind == NHI_YNODE_SCALAR)
                mapping->groups[mapping->group_count++] =
                    nhi_graph_intern(r->graph, groups->items[i]->value);
    } else if (groups && !nhi_ynode_is_null(groups) &&
               groups->kind != NHI_YNODE_SEQUENCE) {
        fail(r, groups, json_path, "kubernetesGroups is not a list",
             "give the output of 'aws eks describe-access-entry' "
             "unchanged");
    }
    if (nhi_k8s_add_mapping(r->graph, mapping) < 0)
        r->status = NHI_ENOMEM;
}

/* One response: {"cluster": ...} or {"accessEntry": ...}. */
static void read_response(eks_reader *r, const nhi_ynode *node,
                          const char *prefix)
{
    char json_path[64];
    const nhi_ynode *part;

    if (node->kind != NHI_YNODE_MAPPING) {
        fail(r, node, prefix, "expected a describe-cluster or "
                              "describe-access-entry response object",
             "give the command's JSON output unchanged");
        return;
    }
    if ((part = nhi_ymap_get(node, "cluster")) != NULL) {
        snprintf(json_path, sizeof(json_path), "%scluster", prefix);
        read_cluster(r, part, json_path);
    } else if ((part = nhi_ymap_get(node, "accessEntry")) != NULL) {
        snprintf(json_path, sizeof(json_path), "%saccessEntry", prefix);
        read_access_entry(r, part, json_path);
    } else {
        fail(r, node, prefix,
             "object has neither 'cluster' nor 'accessEntry'",
             "give the output of 'aws eks describe-cluster' or 'aws eks "
             "describe-access-entry' unchanged");
    }
}

int nhi_eks_read(nhi_graph *graph, const char *path, nhi_diags *diags)
{
    eks_reader r = {graph, diags, nhi_graph_intern(graph, path), NHI_OK};
    size_t errors = diags->errors;
    nhi_yfile *file = NULL;
    int result;

    if (r.path == NULL)
        return NHI_ENOMEM;
    result = nhi_yaml_load(path, &file, diags);
    for (size_t d = 0; file && d < file->count && r.status == NHI_OK; d++) {
        const nhi_ynode *root = file->documents[d];
        if (root->kind == NHI_YNODE_SEQUENCE) {
            for (size_t i = 0; i < root->count && r.status == NHI_OK; i++) {
                char prefix[32];
                snprintf(prefix, sizeof(prefix), "[%zu].", i);
                read_response(&r, root->items[i], prefix);
            }
        } else if (!nhi_ynode_is_null(root)) {
            read_response(&r, root, "");
        }
    }
    nhi_yfile_free(file);
    if (r.status < 0 || result == NHI_ENOMEM)
        return NHI_ENOMEM;
    return diags->errors > errors ? NHI_EINPUT : NHI_OK;
}

/* Skip JSON white space from `i`. */
static size_t skip_space(const char *text, size_t length, size_t i)
{
    while (i < length && (text[i] == ' ' || text[i] == '\t' ||
                          text[i] == '\r' || text[i] == '\n'))
        i++;
    return i;
}

/*
 * The AWS CLI prints a response object whose first and only key names
 * it: `{"cluster": ...}` or `{"accessEntry": ...}`, alone or in an array.
 */
bool nhi_eks_sniff(const char *text, size_t length)
{
    static const char *const keys[] = {"\"cluster\"", "\"accessEntry\""};
    size_t i = skip_space(text, length, 0);

    if (i < length && text[i] == '[')
        i = skip_space(text, length, i + 1);
    if (i >= length || text[i] != '{')
        return false;
    i = skip_space(text, length, i + 1);
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        size_t n = strlen(keys[k]);
        if (i + n <= length && memcmp(text + i, keys[k], n) == 0)
            return true;
    }
    return false;
}
