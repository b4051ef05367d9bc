/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the library: checked growth, strings, files. */
#ifndef NHI_UTIL_H
#define NHI_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Grow `*items` so that it holds at least `needed` elements of `size`
 * bytes, doubling the capacity. Returns NHI_OK or NHI_ENOMEM (on overflow
 * too); `*items` is unchanged on failure.
 */
int nhi_grow(void **items, size_t *capacity, size_t needed, size_t size);

char *nhi_vasprintf(const char *fmt, va_list args)
    __attribute__((format(printf, 1, 0)));
char *nhi_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *nhi_strndup(const char *text, size_t length);

/* ASCII case-insensitive comparison. */
bool nhi_streq_nocase(const char *a, const char *b);

/* Whether `text` contains `needle`, ASCII case-insensitively. */
bool nhi_contains_nocase(const char *text, const char *needle);

/* Maximum number of threads one stage runs. */
#define NHI_THREADS_MAX 8

/*
 * How many threads a stage runs: NHI_THREADS from the environment (1 to
 * NHI_THREADS_MAX) when set, else the number of online processors, at
 * most NHI_THREADS_MAX.
 */
size_t nhi_thread_count(void);

/* Units of work that threads take in turn; see nhi_units_run. */
typedef struct nhi_units {
    size_t count;
    void *context; /* passed to every callback */
    /* A thread's own state before its first unit; NULL is allowed. */
    void *(*begin)(void *context);
    /* Do unit `index`, writing only what belongs to that unit. */
    void (*run)(void *context, void *state, size_t index);
    /* Release a thread's state after its last unit. */
    void (*end)(void *context, void *state);
} nhi_units;

/*
 * Run every unit once, on nhi_thread_count() threads, the calling thread
 * among them; fewer when threads cannot be started. Returns when all are
 * done. Units run in any order and on any thread.
 */
void nhi_units_run(nhi_units *units);

/* A growable byte buffer with a sticky out-of-memory flag. */
typedef struct nhi_buf {
    char *data;
    size_t length;
    size_t capacity;
    bool failed;
} nhi_buf;

void nhi_buf_append(nhi_buf *buf, const char *text, size_t length);
void nhi_buf_puts(nhi_buf *buf, const char *text);
void nhi_buf_printf(nhi_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void nhi_buf_free(nhi_buf *buf);

/*
 * Read a whole regular file into a NUL-terminated buffer of at most
 * `max_size` bytes. Returns NHI_OK, NHI_EIO (errno kept) or NHI_ELIMIT.
 */
int nhi_read_file(const char *path, size_t max_size, char **out,
                  size_t *out_length);

/* Characters of a value quoted in a message before it is cut. */
#define NHI_EXCERPT_MAX 80

/* `text` quoted for a message, cut after NHI_EXCERPT_MAX bytes. */
const char *nhi_excerpt(const char *text, char *buffer, size_t size);

/* Line and column (1-based, columns count UTF-8 characters) of `offset`. */
void nhi_offset_position(const char *text, size_t length, size_t offset,
                         unsigned *line, unsigned *column);

#endif
