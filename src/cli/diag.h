/* SPDX-License-Identifier: MIT */
/*
 * The only module that writes to stderr. Input problems use the compiler
 * form `path:line:column: error: message`; everything else starts with
 * `nhi:` and a level. -q hides warnings and notes; errors always show.
 */
#ifndef NHI_CLI_DIAG_H
#define NHI_CLI_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "nhi/error.h"

/* -1 quiet, 0 normal, 1 and more verbose. */
void cli_set_verbosity(int verbosity);
int cli_verbosity(void);
void cli_set_color(bool color);

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print every diagnostic, with the offending source line where known. */
void cli_print_diags(const nhi_diags *diags);

/* Print one stage's time and peak memory for the benchmark:
 * `nhi: stage NAME SECONDS PEAK_KIB`. */
void cli_stage(const char *name, double seconds, size_t peak_kib);
/* Print a size of the audit for the benchmark: `nhi: count NAME VALUE`. */
void cli_count(const char *name, size_t value);

/* Whether colour should be used on `fd` (a terminal, and NO_COLOR unset). */
bool cli_color_wanted(int fd, bool disabled);

#endif
