/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the EKS reader (describe-cluster and
 * describe-access-entry output) and its recogniser, followed by the
 * linking pass that reads the clusters and mappings it stored. The
 * reader takes a path, so the input is written to a temporary file that
 * the harness reuses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nhi/error.h"
#include "nhi/graph.h"
#include "nhi/k8s.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char input_path[] = "/tmp/fuzz_eks.XXXXXX";
static int input_fd = -1;

static void remove_file(void)
{
    unlink(input_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nhi_graph *graph = NULL;
    nhi_diags diags;
    size_t errors = 0;

    if (input_fd < 0) {
        input_fd = mkstemp(input_path);
        if (input_fd < 0)
            abort();
        atexit(remove_file);
    }
    if (ftruncate(input_fd, 0) != 0 ||
        (size > 0 && pwrite(input_fd, data, size, 0) != (ssize_t)size))
        abort();

    (void)nhi_eks_sniff((const char *)data, size);
    nhi_diags_init(&diags);
    if (nhi_graph_new(&graph) != NHI_OK)
        abort();
    /* An odd first byte names the cluster, as a workspace config would. */
    if (size > 0 && (data[0] & 1))
        graph->reading_cluster = "fuzz-cluster";
    (void)nhi_eks_read(graph, input_path, &diags);
    for (size_t i = 0; i < diags.count; i++) {
        if (diags.items[i].message == NULL)
            abort();
        errors += diags.items[i].level == NHI_LEVEL_ERROR;
    }
    if (errors != diags.errors)
        abort();
    if (graph->k8s) {
        for (size_t i = 0; i < graph->k8s->mapping_count; i++)
            if (graph->k8s->mappings[i]->arn == NULL)
                abort();
        for (size_t i = 0; i < graph->k8s->cluster_count; i++)
            if (graph->k8s->clusters[i]->name == NULL)
                abort();
    }
    nhi_graph_free(graph);
    nhi_diags_free(&diags);
    return 0;
}
