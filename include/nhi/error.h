/* SPDX-License-Identifier: MIT */
/* The one error type of libnhi: a code, a message and where it happened. */
#ifndef NHI_ERROR_H
#define NHI_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/* Library functions return 0 on success or a negative nhi_code. */
typedef enum nhi_code {
    NHI_OK = 0,
    NHI_ENOMEM = -1,   /* allocation failed */
    NHI_EINPUT = -2,   /* an input is invalid: its diagnostics say where */
    NHI_EIO = -3,      /* a file could not be read or written */
    NHI_ELIMIT = -4,   /* a documented size, depth or count limit was hit */
    NHI_EUSAGE = -5,   /* the caller passed an invalid argument */
    NHI_EINTERNAL = -6 /* a bug in nhi */
} nhi_code;

typedef enum nhi_level {
    NHI_LEVEL_ERROR,
    NHI_LEVEL_WARNING,
    NHI_LEVEL_NOTE
} nhi_level;

/*
 * One diagnostic. `path` is NULL for problems that belong to no file;
 * `line` and `column` are 1-based and 0 when unknown. `location` is an
 * optional JSON path (such as `RoleDetailList[3].RolePolicyList[0]`) for
 * inputs whose reader cannot give a line. `hint` says what to do.
 * All strings are owned by the error.
 */
typedef struct nhi_error {
    int code;
    nhi_level level;
    char *path;
    unsigned line;
    unsigned column;
    char *location;
    char *message;
    char *hint;
} nhi_error;

/* A growing list of diagnostics, filled by readers and validators. */
typedef struct nhi_diags {
    nhi_error *items;
    size_t count;
    size_t capacity;
    size_t errors; /* items whose level is NHI_LEVEL_ERROR */
} nhi_diags;

void nhi_diags_init(nhi_diags *diags);
void nhi_diags_free(nhi_diags *diags);

/*
 * Append a diagnostic. `path`, `location` and `hint` may be NULL; the
 * message is a printf format. Returns the new item, or NULL when memory
 * ran out (the list then keeps counting errors so that a failed run can
 * never look clean).
 */
nhi_error *nhi_diags_add(nhi_diags *diags, nhi_level level, int code,
                         const char *path, unsigned line, unsigned column,
                         const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
nhi_error *nhi_diags_addv(nhi_diags *diags, nhi_level level, int code,
                          const char *path, unsigned line, unsigned column,
                          const char *fmt, va_list args)
    __attribute__((format(printf, 7, 0)));

/* Set the hint or JSON path of a diagnostic (formats, like the message). */
void nhi_error_set_hint(nhi_error *error, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void nhi_error_set_location(nhi_error *error, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Move every item of `from` to the end of `to`; `from` is left empty. */
int nhi_diags_move(nhi_diags *to, nhi_diags *from);

/* The diagnostics of one path, in the order they were added. */
size_t nhi_diags_count_for(const nhi_diags *diags, const char *path);

#endif
