/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the credential report and list-access-keys
 * readers. The input is split at the first line "==keys==": the part
 * before it is read as a credential report (CSV or JSON response), the
 * part after it as list-access-keys output, into one graph that already
 * contains the user arn:aws:iam::111122223333:user/alice, so that joining
 * and key matching run too. The readers take paths, so each part is
 * written to a temporary file that the harness reuses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nhi/aws.h"
#include "nhi/error.h"
#include "nhi/graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEPARATOR "\n==keys==\n"

static char report_path[] = "/tmp/fuzz_credreport_report.XXXXXX";
static char keys_path[] = "/tmp/fuzz_credreport_keys.XXXXXX";
static int report_fd = -1, keys_fd = -1;

static void remove_files(void)
{
    unlink(report_path);
    unlink(keys_path);
}

static void open_files(void)
{
    if (report_fd >= 0)
        return;
    report_fd = mkstemp(report_path);
    keys_fd = mkstemp(keys_path);
    if (report_fd < 0 || keys_fd < 0)
        abort();
    atexit(remove_files);
}

static void write_file(int fd, const uint8_t *data, size_t size)
{
    if (ftruncate(fd, 0) != 0 ||
        (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
        abort();
}

static const uint8_t *find_separator(const uint8_t *data, size_t size)
{
    size_t length = strlen(SEPARATOR);

    for (size_t i = 0; i + length <= size; i++)
        if (memcmp(data + i, SEPARATOR, length) == 0)
            return data + i;
    return NULL;
}

static void add_alice(nhi_graph *graph)
{
    nhi_identity *alice = nhi_graph_alloc(graph, sizeof(*alice));

    if (alice == NULL)
        abort();
    alice->provider = NHI_PROVIDER_AWS;
    alice->kind = NHI_KIND_AWS_USER;
    alice->id = nhi_graph_intern(graph, "arn:aws:iam::111122223333:user/alice");
    alice->name = "alice";
    alice->account = "111122223333";
    alice->path = "/";
    alice->created = NHI_TIME_UNKNOWN;
    alice->last_used = NHI_TIME_UNKNOWN;
    if (alice->id == NULL || nhi_graph_add_identity(graph, alice) != NHI_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *separator = find_separator(data, size);
    size_t report_size = separator ? (size_t)(separator - data) : size;
    const uint8_t *keys = separator ? separator + strlen(SEPARATOR) : NULL;
    size_t keys_size = keys ? size - (size_t)(keys - data) : 0;
    nhi_graph *graph = NULL;
    nhi_diags diags;

    open_files();
    write_file(report_fd, data, report_size);
    write_file(keys_fd, keys, keys_size);
    /* The sniffers get an exact-size copy, so that AddressSanitizer catches
     * a read past `length`. */
    {
        char *head = malloc(report_size ? report_size : 1);
        if (head == NULL)
            return 0;
        memcpy(head, data, report_size);
        nhi_aws_sniff_credential_report(head, report_size);
        nhi_aws_sniff_access_keys(head, report_size);
        free(head);
    }

    if (nhi_graph_new(&graph) != NHI_OK)
        return 0;
    add_alice(graph);
    nhi_diags_init(&diags);
    if (nhi_aws_read_credential_report(graph, report_path, &diags) !=
            NHI_ENOMEM &&
        keys != NULL)
        nhi_aws_read_access_keys(graph, keys_path, &diags);

    /* Every diagnostic must have a message, and errors must be counted. */
    {
        size_t errors = 0;
        for (size_t i = 0; i < diags.count; i++) {
            if (diags.items[i].message == NULL)
                abort();
            errors += diags.items[i].level == NHI_LEVEL_ERROR;
        }
        if (errors != diags.errors)
            abort();
    }
    nhi_diags_free(&diags);
    nhi_graph_free(graph);
    return 0;
}
