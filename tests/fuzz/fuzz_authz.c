/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the reader of `aws iam get-account-authorization-
 * details` exports. The input is written to an in-memory file (memfd), so
 * that the reader maps it as it maps real files. It is read into a fresh
 * graph twice, so that the duplicate checks run too.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nhi/aws.h"
#include "nhi/error.h"
#include "nhi/graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One memfd for the whole run, rewritten for each input. */
static int input_file(char *path, size_t path_size)
{
    static int fd = -1;

    if (fd < 0) {
        fd = memfd_create("fuzz-authz.json", MFD_CLOEXEC);
        if (fd < 0)
            abort();
    }
    snprintf(path, path_size, "/proc/self/fd/%d", fd);
    return fd;
}

static void check_policy(const nhi_policy *policy)
{
    if (policy->name == NULL || policy->version_count == 0 ||
        policy->default_version >= policy->version_count ||
        !policy->versions[policy->default_version].is_default ||
        policy->location.json_path == NULL)
        abort();
    if (policy->kind == NHI_POLICY_MANAGED
            ? policy->arn == NULL
            : policy->owner == NULL || policy->version_count != 1)
        abort();
    for (size_t i = 0; i < policy->version_count; i++) {
        const nhi_policy_version *version = &policy->versions[i];
        if (version->invalid && version->statement_count != 0)
            abort();
        for (size_t j = 0; j < version->statement_count; j++)
            if (version->statements[j].action_count > 0 &&
                version->statements[j].actions[0] == NULL)
                abort();
    }
}

/* Abort when the graph breaks a promise of graph.h, such as a default
 * version index inside the version list. */
static void check_graph(const nhi_graph *graph)
{
    for (size_t i = 0; i < graph->policy_count; i++)
        check_policy(graph->policies[i]);
    for (size_t i = 0; i < graph->identity_count; i++) {
        const nhi_identity *identity = graph->identities[i];
        if (identity->id == NULL || identity->name == NULL ||
            identity->account == NULL || identity->path == NULL ||
            identity->location.json_path == NULL)
            abort();
        if (identity->kind == NHI_KIND_AWS_ROLE && identity->trust == NULL)
            abort();
        for (size_t j = 0; j < identity->policy_count; j++)
            if (identity->policies[j].policy == NULL)
                abort();
    }
    for (size_t i = 0; i < graph->group_count; i++)
        if (graph->groups[i]->arn == NULL || graph->groups[i]->name == NULL)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = input_file(path, sizeof(path));
    nhi_graph *graph = NULL;
    nhi_diags diags;
    int result;

    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    if (nhi_graph_new(&graph) != NHI_OK)
        return 0;
    nhi_diags_init(&diags);

    result = nhi_aws_read_authz(graph, path, &diags);
    if (result != NHI_OK && result != NHI_EINPUT && result != NHI_ENOMEM)
        abort();
    /* The reader reports every error it returns NHI_EINPUT for. */
    if ((result == NHI_EINPUT) != (diags.errors > 0))
        abort();
    if (result != NHI_ENOMEM) {
        check_graph(graph);
        nhi_aws_read_authz(graph, path, &diags);
        check_graph(graph);
    }

    nhi_diags_free(&diags);
    nhi_graph_free(graph);
    return 0;
}
