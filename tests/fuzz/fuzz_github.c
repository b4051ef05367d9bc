/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the GitHub Actions reader: the input is written to
 * a temporary file, read with nhi_github_read into a fresh graph, and
 * freed. The recogniser runs on the same text first.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nhi/consumer.h"
#include "nhi/error.h"
#include "nhi/graph.h"
#include "ytree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char input_file[64];

static void remove_input(void)
{
    unlink(input_file);
}

/* The temporary file, made once per process, rewritten per input and
 * removed at exit. The reader takes a path, so the input goes through a
 * file. */
static const char *input_path(void)
{
    if (input_file[0] == '\0') {
        int descriptor;

        snprintf(input_file, sizeof(input_file),
                 "/tmp/nhi-fuzz-github-XXXXXX");
        descriptor = mkstemp(input_file);
        if (descriptor < 0)
            abort();
        close(descriptor);
        atexit(remove_input);
    }
    return input_file;
}

static void sniff(const uint8_t *data, size_t size)
{
    /* An exact-size copy without a NUL lets AddressSanitizer catch any
     * read past the end of the text. */
    char *text = malloc(size ? size : 1);
    nhi_yfile *file = NULL;
    nhi_diags diags;

    if (text == NULL)
        return;
    if (size > 0)
        memcpy(text, data, size);
    nhi_diags_init(&diags);
    nhi_yaml_parse("fuzz.yml", text, size, &file, &diags);
    if (file != NULL && file->count > 0)
        (void)nhi_github_sniff(file->documents[0]);
    nhi_yfile_free(file);
    nhi_diags_free(&diags);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = input_path();
    FILE *file = fopen(path, "wb");
    nhi_graph *graph = NULL;
    nhi_diags diags;

    if (file == NULL)
        abort();
    if (size > 0 && fwrite(data, 1, size, file) != size)
        abort();
    if (fclose(file) != 0)
        abort();

    sniff(data, size);
    if (nhi_graph_new(&graph) != NHI_OK)
        return 0;
    nhi_diags_init(&diags);
    (void)nhi_github_read(graph, path, &diags);
    nhi_diags_free(&diags);
    nhi_graph_free(graph);
    return 0;
}
