/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the library: checked growth, strings, files. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nhi/error.h"

int nhi_grow(void **items, size_t *capacity, size_t needed, size_t size)
{
    size_t new_capacity;
    void *grown;

    if (needed <= *capacity)
        return NHI_OK;
    new_capacity = *capacity ? *capacity : 8;
    while (new_capacity < needed) {
        if (new_capacity > SIZE_MAX / 2)
            return NHI_ENOMEM;
        new_capacity *= 2;
    }
    if (size != 0 && new_capacity > SIZE_MAX / size)
        return NHI_ENOMEM;
    grown = realloc(*items, new_capacity * size);
    if (grown == NULL)
        return NHI_ENOMEM;
    *items = grown;
    *capacity = new_capacity;
    return NHI_OK;
}

char *nhi_vasprintf(const char *fmt, va_list args)
{
    va_list copy;
    int length;
    char *text;

    va_copy(copy, args);
    length = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (length < 0)
        return NULL;
    text = malloc((size_t)length + 1);
    if (text == NULL)
        return NULL;
    vsnprintf(text, (size_t)length + 1, fmt, args);
    return text;
}

char *nhi_asprintf(const char *fmt, ...)
{
    va_list args;
    char *text;

    va_start(args, fmt);
    text = nhi_vasprintf(fmt, args);
    va_end(args);
    return text;
}

char *nhi_strndup(const char *text, size_t length)
{
    char *copy = malloc(length + 1);

    if (copy == NULL)
        return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}


static char fold_ascii(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool nhi_streq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (fold_ascii(*a) != fold_ascii(*b))
            return false;
    return *a == *b;
}

bool nhi_contains_nocase(const char *text, const char *needle)
{
    for (; *text; text++) {
        size_t i = 0;
        while (needle[i] && text[i] &&
               fold_ascii(text[i]) == fold_ascii(needle[i]))
            i++;
        if (needle[i] == '\0')
            return true;
    }
    return *needle == '\0';
}

size_t nhi_thread_count(void)
{
    const char *text = getenv("NHI_THREADS");
    long count;

    if (text && *text) {
        char *end;
        count = strtol(text, &end, 10);
        if (*end == '\0' && count >= 1)
            return count > NHI_THREADS_MAX ? NHI_THREADS_MAX : (size_t)count;
    }
    count = sysconf(_SC_NPROCESSORS_ONLN);
    if (count < 1)
        return 1;
    return count > NHI_THREADS_MAX ? NHI_THREADS_MAX : (size_t)count;
}

typedef struct units_queue {
    nhi_units *units;
    atomic_size_t next; /* the next unit to take */
} units_queue;

static void *units_worker(void *data)
{
    units_queue *queue = data;
    nhi_units *units = queue->units;
    void *state = units->begin ? units->begin(units->context) : NULL;

    for (;;) {
        size_t index = atomic_fetch_add(&queue->next, 1);
        if (index >= units->count)
            break;
        units->run(units->context, state, index);
    }
    if (units->end)
        units->end(units->context, state);
    return NULL;
}

void nhi_units_run(nhi_units *units)
{
    units_queue queue = {units, 0};
    pthread_t threads[NHI_THREADS_MAX];
    size_t count = nhi_thread_count(), started = 0;

    atomic_init(&queue.next, 0);
    if (count > units->count)
        count = units->count;
    for (; started + 1 < count; started++)
        if (pthread_create(&threads[started], NULL, units_worker, &queue) != 0)
            break; /* fewer threads: the others take the units */
    units_worker(&queue);
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
}

void nhi_buf_append(nhi_buf *buf, const char *text, size_t length)
{
    if (buf->failed)
        return;
    if (length > SIZE_MAX - buf->length - 1 ||
        nhi_grow((void **)&buf->data, &buf->capacity, buf->length + length + 1,
                 1) < 0) {
        buf->failed = true;
        return;
    }
    memcpy(buf->data + buf->length, text, length);
    buf->length += length;
    buf->data[buf->length] = '\0';
}

void nhi_buf_puts(nhi_buf *buf, const char *text)
{
    nhi_buf_append(buf, text, strlen(text));
}

void nhi_buf_printf(nhi_buf *buf, const char *fmt, ...)
{
    va_list args;
    char *text;

    va_start(args, fmt);
    text = nhi_vasprintf(fmt, args);
    va_end(args);
    if (text == NULL) {
        buf->failed = true;
        return;
    }
    nhi_buf_puts(buf, text);
    free(text);
}

void nhi_buf_free(nhi_buf *buf)
{
    free(buf->data);
    memset(buf, 0, sizeof(*buf));
}

int nhi_read_file(const char *path, size_t max_size, char **out,
                  size_t *out_length)
{
    struct stat info;
    char *data = NULL;
    size_t length = 0;
    int fd;
    int result = NHI_EIO;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NHI_EIO;
    if (fstat(fd, &info) < 0)
        goto out;
    if (!S_ISREG(info.st_mode)) {
        errno = EISDIR;
        goto out;
    }
    if ((uintmax_t)info.st_size > max_size) {
        result = NHI_ELIMIT;
        goto out;
    }
    data = malloc((size_t)info.st_size + 1);
    if (data == NULL) {
        result = NHI_ENOMEM;
        goto out;
    }
    while (length < (size_t)info.st_size) {
        ssize_t got = read(fd, data + length, (size_t)info.st_size - length);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            goto out;
        length += (size_t)got;
    }
    data[length] = '\0';
    *out = data;
    *out_length = length;
    data = NULL;
    result = NHI_OK;
out:
    free(data);
    close(fd);
    return result;
}

void nhi_offset_position(const char *text, size_t length, size_t offset,
                         unsigned *line, unsigned *column)
{
    unsigned current_line = 1, current_column = 1;

    if (offset > length)
        offset = length;
    for (size_t i = 0; i < offset; i++) {
        unsigned char byte = (unsigned char)text[i];
        if (byte == '\n') {
            current_line++;
            current_column = 1;
        } else if ((byte & 0xC0) != 0x80) {
            current_column++;
        }
    }
    *line = current_line;
    *column = current_column;
}

const char *nhi_excerpt(const char *text, char *buffer, size_t size)
{
    if (strlen(text) <= NHI_EXCERPT_MAX)
        snprintf(buffer, size, "'%s'", text);
    else
        snprintf(buffer, size, "'%.*s...'", NHI_EXCERPT_MAX, text);
    return buffer;
}
