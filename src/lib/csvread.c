/* SPDX-License-Identifier: MIT */
/* CSV with a header row and a column-count check on every row (libcsv). */
#include "csvread.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct reader {
    const char *path;
    nhi_diags *diags;
    nhi_csv_row_fn callback;
    void *context;
    char *fields[NHI_CSV_MAX_FIELDS];
    size_t count;
    bool too_many;
    size_t header_count; /* 0 until the header is read */
    unsigned line;       /* line being fed */
    unsigned row_line;   /* line where the current row began */
    bool row_started;
    int result;
    bool reported;
    bool header_rejected; /* the callback reported the header row */
} reader;

static void clear_fields(reader *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->fields[i]);
    r->count = 0;
    r->too_many = false;
    r->row_started = false;
}

static void on_field(void *data, size_t length, void *context)
{
    reader *r = context;

    if (!r->row_started) {
        r->row_started = true;
        r->row_line = r->line;
    }
    if (r->count == NHI_CSV_MAX_FIELDS) {
        r->too_many = true;
        return;
    }
    r->fields[r->count] = nhi_strndup(data ? data : "", data ? length : 0);
    if (r->fields[r->count] == NULL) {
        r->result = NHI_ENOMEM;
        return;
    }
    r->count++;
}

static void on_row(int terminator, void *context)
{
    reader *r = context;
    nhi_csv_row row;
    bool header;

    (void)terminator;
    /* Rows under a rejected header cannot be matched to columns, and a
     * column-count error on each would only repeat the header's error. */
    if (r->result < 0 || r->header_rejected)
        goto out;
    if (r->too_many) {
        nhi_error *error = nhi_diags_add(
            r->diags, NHI_LEVEL_ERROR, NHI_ELIMIT, r->path, r->row_line, 1,
            "row has more than %d columns", NHI_CSV_MAX_FIELDS);
        nhi_error_set_hint(error, "check that this is the expected CSV file");
        r->reported = true;
        goto out;
    }
    header = r->header_count == 0;
    if (header) {
        r->header_count = r->count;
    } else if (r->count != r->header_count) {
        nhi_error *error = nhi_diags_add(
            r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path, r->row_line, 1,
            "row has %zu columns but the header has %zu", r->count,
            r->header_count);
        nhi_error_set_hint(error, "restore the missing or extra columns of "
                                  "this row; the row was left out");
        r->reported = true;
        goto out;
    }

    row.fields = r->fields;
    row.count = r->count;
    row.line = r->row_line;
    {
        int status = r->callback(&row, r->context);
        if (status == NHI_EINPUT) {
            r->reported = true;
            r->header_rejected = header;
        } else if (status < 0) {
            r->result = status;
        }
    }
out:
    clear_fields(r);
}

static void report_broken_quote(reader *r, unsigned line)
{
    nhi_error *error =
        nhi_diags_add(r->diags, NHI_LEVEL_ERROR, NHI_EINPUT, r->path, line, 1,
                      "invalid CSV: a quoted field is not closed properly");
    nhi_error_set_hint(error, "close the quote, or double a quote inside a "
                              "quoted field (\"\"); the rest of the file "
                              "cannot be read");
    r->reported = true;
}

int nhi_csv_parse(const char *path, const char *text, size_t length,
                  nhi_csv_row_fn callback, void *context, nhi_diags *diags)
{
    struct csv_parser parser;
    reader r;
    size_t position = 0;
    int result = NHI_OK;

    memset(&r, 0, sizeof(r));
    r.path = path;
    r.diags = diags;
    r.callback = callback;
    r.context = context;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return NHI_ENOMEM;

    /* Feed one line at a time so that rows and errors know their line. */
    while (position < length && r.result == NHI_OK) {
        const char *newline = memchr(text + position, '\n', length - position);
        size_t end = newline ? (size_t)(newline - text) + 1 : length;

        r.line++;
        if (csv_parse(&parser, text + position, end - position, on_field,
                      on_row, &r) != end - position) {
            report_broken_quote(&r, r.row_started ? r.row_line : r.line);
            goto out;
        }
        position = end;
    }
    if (r.result == NHI_OK &&
        csv_fini(&parser, on_field, on_row, &r) != 0)
        report_broken_quote(&r, r.row_started ? r.row_line : r.line);

out:
    clear_fields(&r);
    csv_free(&parser);
    result = r.result;
    if (result == NHI_OK && r.reported)
        result = NHI_EINPUT;
    return result;
}

unsigned nhi_csv_field_column(const char *text, size_t length, unsigned line,
                              size_t field)
{
    size_t position = 0;
    unsigned current = 1, column = 1;
    bool quoted = false;

    while (position < length && current < line) {
        if (text[position] == '\n')
            current++;
        position++;
    }
    for (; position < length && text[position] != '\n' && field > 0;
         position++) {
        char byte = text[position];
        column++;
        if (byte == '"')
            quoted = !quoted;
        else if (byte == ',' && !quoted)
            field--;
    }
    return column;
}
