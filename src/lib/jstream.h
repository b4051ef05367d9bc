/* SPDX-License-Identifier: MIT */
/*
 * A JSON reader for large files that walks the outer object and arrays
 * itself and parses one member value or array element at a time with
 * jansson, over a read-only memory map whose consumed pages are released.
 * Syntax errors are reported as diagnostics with the file's line:column.
 */
#ifndef NHI_JSTREAM_H
#define NHI_JSTREAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "nhi/error.h"

/* Longest JSON path kept for diagnostics; longer paths are cut. */
#define NHI_JSTREAM_LOCATION_SIZE 160

typedef struct nhi_jstream {
    const char *path;
    nhi_diags *diags;
    const char *data; /* the mapped file */
    size_t length;
    bool mapped;
    size_t offset;   /* next byte to read */
    unsigned line;   /* 1-based position of `offset`; the column counts */
    unsigned column; /* UTF-8 characters, as jansson does */
    size_t released; /* bytes before this offset were given back */
    size_t page_size;
    json_t *key; /* the last member name read */
    /* Set by the caller: the JSON path and the hint of syntax errors. */
    char location[NHI_JSTREAM_LOCATION_SIZE];
    const char *syntax_hint;
} nhi_jstream;

/*
 * Map `path` read-only and skip a UTF-8 byte order mark. A file that cannot
 * be opened or is larger than `max_size` is reported in `diags`. Returns
 * NHI_OK, NHI_EIO or NHI_ELIMIT. The stream must be closed in every case.
 */
int nhi_jstream_open(nhi_jstream *stream, const char *path, size_t max_size,
                     nhi_diags *diags);
void nhi_jstream_close(nhi_jstream *stream);

/* The next byte after whitespace, or -1 at the end of the file. */
int nhi_jstream_peek(nhi_jstream *stream);

/*
 * Consume `{` or `[` after whitespace. The status functions below return
 * NHI_OK, NHI_EINPUT after reporting a syntax error, or NHI_ENOMEM.
 */
int nhi_jstream_open_object(nhi_jstream *stream);
int nhi_jstream_open_array(nhi_jstream *stream);

/*
 * Read the next member name of the object being walked, with the `,` before
 * it when `index` > 0 and the `:` after it. Stores the name (valid until
 * the next call) in `*key`, or NULL when `}` ended the object. The line and
 * column of the name are stored in `*line` and `*column`.
 */
int nhi_jstream_next_member(nhi_jstream *stream, size_t index, const char **key,
                            unsigned *line, unsigned *column);

/*
 * Move to the next element of the array being walked, consuming the `,`
 * before it when `index` > 0. Sets `*more` to false when `]` ended the
 * array; otherwise the element's line and column are stored.
 */
int nhi_jstream_next_element(nhi_jstream *stream, size_t index, bool *more,
                             unsigned *line, unsigned *column);

/*
 * Parse the one value that starts at the current position with jansson
 * (`flags` are json_loadb flags; JSON_DISABLE_EOF_CHECK is added), move
 * past it and release the pages consumed so far. The caller owns `*out`.
 */
int nhi_jstream_load(nhi_jstream *stream, size_t flags, json_t **out);

/* Check that only whitespace follows the outer value. */
int nhi_jstream_finish(nhi_jstream *stream);

/*
 * Report a syntax error found by the caller at `line`:`column`, with the
 * stream's location and hint. Returns NHI_EINPUT.
 */
int nhi_jstream_error(nhi_jstream *stream, unsigned line, unsigned column,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "an object", "a list", "a string"...: a JSON value's type, for messages. */
const char *nhi_json_type_name(const json_t *value);

#endif
