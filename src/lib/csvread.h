/* SPDX-License-Identifier: MIT */
/*
 * CSV with a header row, read with libcsv in strict mode. Every row's
 * column count is checked against the header; a row that does not match
 * is reported at its line and left out, and the other rows still arrive.
 */
#ifndef NHI_CSVREAD_H
#define NHI_CSVREAD_H

#include <stddef.h>

#include "nhi/error.h"

/* Upper bound on columns: real exports have 22 (the credential report). */
#define NHI_CSV_MAX_FIELDS 256

typedef struct nhi_csv_row {
    char **fields;   /* NUL-terminated, borrowed for the callback's duration */
    size_t count;
    unsigned line;   /* line where the row starts */
} nhi_csv_row;

/* Called with the header first (row->line 1 normally), then each row. */
typedef int (*nhi_csv_row_fn)(const nhi_csv_row *row, void *context);

/*
 * Parse `text`. Returns NHI_OK, NHI_EINPUT when some row was reported (or
 * the quoting broke, after which the rest of the file is unreadable), or
 * the first negative value a callback returned.
 */
int nhi_csv_parse(const char *path, const char *text, size_t length,
                  nhi_csv_row_fn callback, void *context, nhi_diags *diags);

/* 1-based column where field `field` of line `line` starts, or 1. */
unsigned nhi_csv_field_column(const char *text, size_t length, unsigned line,
                              size_t field);

#endif
