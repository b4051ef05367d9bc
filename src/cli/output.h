/* SPDX-License-Identifier: MIT */
/*
 * Report output: stdout, or a file written through a temporary file in the
 * same folder and renamed when complete, so a reader never sees half.
 */
#ifndef NHI_CLI_OUTPUT_H
#define NHI_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

typedef struct cli_output {
    FILE *stream;
    char *path;      /* final path, or NULL for stdout */
    char *temporary; /* temporary path while writing */
    bool direct;     /* a device or pipe, written in place */
} cli_output;

/* Open `path` (NULL or "-" for stdout). Returns 0, or -1 after an error. */
int cli_output_open(cli_output *output, const char *path);
/* Flush, sync and rename into place; on failure nothing is left behind. */
int cli_output_commit(cli_output *output);
/* Abandon the output: the temporary file is removed. */
void cli_output_abort(cli_output *output);

#endif
