/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the Kubernetes reader. The reader takes a path,
 * so the input is written to a temporary file that the harness reuses,
 * then read into a fresh graph twice: the second reading runs the paths
 * that keep an object read before. The first input byte, when odd, names
 * a cluster, so that the CLUSTER/ prefixes are built too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nhi/consumer.h"
#include "nhi/error.h"
#include "nhi/graph.h"
#include "nhi/k8s.h"
#include "ytree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char input_path[] = "/tmp/fuzz_k8s.XXXXXX";
static int input_fd = -1;

static void remove_file(void)
{
    unlink(input_path);
}

static void open_file(void)
{
    if (input_fd >= 0)
        return;
    input_fd = mkstemp(input_path);
    if (input_fd < 0)
        abort();
    atexit(remove_file);
}

static void write_file(const uint8_t *data, size_t size)
{
    if (ftruncate(input_fd, 0) != 0 ||
        (size > 0 && pwrite(input_fd, data, size, 0) != (ssize_t)size))
        abort();
}

/* Every diagnostic has a message, and errors are counted. */
static void check_diags(const nhi_diags *diags)
{
    size_t errors = 0;

    for (size_t i = 0; i < diags->count; i++) {
        if (diags->items[i].message == NULL)
            abort();
        errors += diags->items[i].level == NHI_LEVEL_ERROR;
    }
    if (errors != diags->errors)
        abort();
}

/* Objects the reader added must be whole. */
static void check_graph(const nhi_graph *graph)
{
    for (size_t i = 0; i < graph->identity_count; i++)
        if (graph->identities[i]->id == NULL ||
            graph->identities[i]->index != i)
            abort();
    for (size_t i = 0; i < graph->consumer_count; i++)
        if (graph->consumers[i]->id == NULL ||
            graph->consumers[i]->service_account == NULL)
            abort();
    for (size_t i = 0; graph->k8s && i < graph->k8s->binding_count; i++)
        if (graph->k8s->bindings[i]->role_name == NULL)
            abort();
    for (size_t i = 0; graph->k8s && i < graph->k8s->mapping_count; i++)
        if (graph->k8s->mappings[i]->arn == NULL)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nhi_graph *graph = NULL;
    nhi_yfile *file = NULL;
    nhi_diags diags;

    open_file();
    write_file(data, size);
    if (nhi_graph_new(&graph) != NHI_OK)
        return 0;
    if (size > 0 && (data[0] & 1))
        graph->reading_cluster = "fuzz";
    nhi_diags_init(&diags);

    if (nhi_yaml_load(input_path, &file, &diags) != NHI_ENOMEM && file &&
        file->count > 0)
        nhi_k8s_sniff(file->documents[0]);
    nhi_yfile_free(file);

    if (nhi_k8s_read(graph, input_path, &diags) != NHI_ENOMEM)
        nhi_k8s_read(graph, input_path, &diags);
    check_diags(&diags);
    check_graph(graph);

    nhi_diags_free(&diags);
    nhi_graph_free(graph);
    return 0;
}
