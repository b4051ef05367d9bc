/* SPDX-License-Identifier: MIT */
/* Diagnostics collected by readers and validators; printing is the CLI's. */
#include "nhi/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void nhi_diags_init(nhi_diags *diags)
{
    memset(diags, 0, sizeof(*diags));
}

static void error_free(nhi_error *error)
{
    free(error->path);
    free(error->location);
    free(error->message);
    free(error->hint);
}

void nhi_diags_free(nhi_diags *diags)
{
    if (diags == NULL)
        return;
    for (size_t i = 0; i < diags->count; i++)
        error_free(&diags->items[i]);
    free(diags->items);
    nhi_diags_init(diags);
}

nhi_error *nhi_diags_addv(nhi_diags *diags, nhi_level level, int code,
                          const char *path, unsigned line, unsigned column,
                          const char *fmt, va_list args)
{
    nhi_error *error;

    if (level == NHI_LEVEL_ERROR)
        diags->errors++;
    if (nhi_grow((void **)&diags->items, &diags->capacity, diags->count + 1,
                 sizeof(*diags->items)) < 0)
        return NULL;

    error = &diags->items[diags->count];
    memset(error, 0, sizeof(*error));
    error->code = code;
    error->level = level;
    error->line = line;
    error->column = column;
    error->path = path ? strdup(path) : NULL;
    error->message = nhi_vasprintf(fmt, args);
    if ((path && error->path == NULL) || error->message == NULL) {
        error_free(error);
        return NULL;
    }
    diags->count++;
    return error;
}

nhi_error *nhi_diags_add(nhi_diags *diags, nhi_level level, int code,
                         const char *path, unsigned line, unsigned column,
                         const char *fmt, ...)
{
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error = nhi_diags_addv(diags, level, code, path, line, column, fmt, args);
    va_end(args);
    return error;
}

void nhi_error_set_hint(nhi_error *error, const char *fmt, ...)
{
    va_list args;

    if (error == NULL)
        return;
    va_start(args, fmt);
    free(error->hint);
    error->hint = nhi_vasprintf(fmt, args);
    va_end(args);
}

void nhi_error_set_location(nhi_error *error, const char *fmt, ...)
{
    va_list args;

    if (error == NULL)
        return;
    va_start(args, fmt);
    free(error->location);
    error->location = nhi_vasprintf(fmt, args);
    va_end(args);
}

int nhi_diags_move(nhi_diags *to, nhi_diags *from)
{
    if (nhi_grow((void **)&to->items, &to->capacity, to->count + from->count,
                 sizeof(*to->items)) < 0)
        return NHI_ENOMEM;
    if (from->count > 0)
        memcpy(&to->items[to->count], from->items,
               from->count * sizeof(*from->items));
    to->count += from->count;
    to->errors += from->errors;
    free(from->items);
    nhi_diags_init(from);
    return NHI_OK;
}

size_t nhi_diags_count_for(const nhi_diags *diags, const char *path)
{
    size_t count = 0;

    for (size_t i = 0; i < diags->count; i++)
        if (diags->items[i].path && strcmp(diags->items[i].path, path) == 0)
            count++;
    return count;
}
