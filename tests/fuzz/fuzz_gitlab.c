/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the GitLab CI reader. The input is written as
 * `.gitlab-ci.yml` in a temporary folder and read into a fresh graph. It is
 * also written as `ci/a.yml`, so that a local include of that path (or of
 * `.gitlab-ci.yml` itself) reads the same text again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nhi/consumer.h"
#include "nhi/error.h"
#include "nhi/graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char folder[64];
static char top_path[96];
static char include_folder[80];
static char include_path[128];

static void remove_folder(void)
{
    unlink(include_path);
    rmdir(include_folder);
    unlink(top_path);
    rmdir(folder);
}

/* Create the folder once per process. Every input reuses it. */
static void make_folder(void)
{
    if (folder[0] != '\0')
        return;
    snprintf(folder, sizeof(folder), "/tmp/nhi-fuzz-gitlab-XXXXXX");
    if (mkdtemp(folder) == NULL)
        abort();
    snprintf(top_path, sizeof(top_path), "%s/.gitlab-ci.yml", folder);
    snprintf(include_folder, sizeof(include_folder), "%s/ci", folder);
    snprintf(include_path, sizeof(include_path), "%s/a.yml", include_folder);
    if (mkdir(include_folder, 0700) != 0)
        abort();
    atexit(remove_folder);
}

static void write_input(const char *path, const uint8_t *data, size_t size)
{
    FILE *file = fopen(path, "wb");

    if (file == NULL)
        abort();
    if (size > 0 && fwrite(data, 1, size, file) != size)
        abort();
    if (fclose(file) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nhi_graph *graph = NULL;
    nhi_diags diags;

    make_folder();
    write_input(top_path, data, size);
    write_input(include_path, data, size);
    if (nhi_graph_new(&graph) != NHI_OK)
        return 0;
    nhi_diags_init(&diags);

    nhi_gitlab_read(graph, top_path, &diags);

    nhi_diags_free(&diags);
    nhi_graph_free(graph);
    return 0;
}
