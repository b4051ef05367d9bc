/* SPDX-License-Identifier: MIT */
/* A JSON reader that parses one value at a time over a memory map. */
#include "jstream.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Consumed pages are given back to the kernel in steps of at least this
 * many bytes, so that a file of small elements does not make one madvise
 * call per element.
 */
#define RELEASE_STEP ((size_t)256 * 1024)

static int syntax_errorv(nhi_jstream *stream, int code, unsigned line,
                         unsigned column, const char *fmt, va_list args)
    __attribute__((format(printf, 5, 0)));
static int syntax_error(nhi_jstream *stream, int code, unsigned line,
                        unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int syntax_errorv(nhi_jstream *stream, int code, unsigned line,
                         unsigned column, const char *fmt, va_list args)
{
    nhi_error *error = nhi_diags_addv(stream->diags, NHI_LEVEL_ERROR, code,
                                      stream->path, line, column, fmt, args);

    if (stream->location[0] != '\0')
        nhi_error_set_location(error, "%s", stream->location);
    if (stream->syntax_hint)
        nhi_error_set_hint(error, "%s", stream->syntax_hint);
    return NHI_EINPUT;
}

static int syntax_error(nhi_jstream *stream, int code, unsigned line,
                        unsigned column, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    syntax_errorv(stream, code, line, column, fmt, args);
    va_end(args);
    return NHI_EINPUT;
}

int nhi_jstream_error(nhi_jstream *stream, unsigned line, unsigned column,
                      const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    syntax_errorv(stream, NHI_EINPUT, line, column, fmt, args);
    va_end(args);
    return NHI_EINPUT;
}

static int open_error(nhi_jstream *stream, int code, const char *operation)
{
    nhi_error *error =
        nhi_diags_add(stream->diags, NHI_LEVEL_ERROR, code, stream->path, 0, 0,
                      "failed to %s file: %s", operation, strerror(errno));

    nhi_error_set_hint(error, "check the path and that the file is readable");
    return code;
}

int nhi_jstream_open(nhi_jstream *stream, const char *path, size_t max_size,
                     nhi_diags *diags)
{
    struct stat info;
    void *data;
    int fd;
    int result = NHI_OK;

    memset(stream, 0, sizeof(*stream));
    stream->path = path;
    stream->diags = diags;
    stream->data = "";
    stream->line = 1;
    stream->column = 1;
    stream->page_size = (size_t)sysconf(_SC_PAGESIZE);

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return open_error(stream, NHI_EIO, "open");
    if (fstat(fd, &info) < 0) {
        result = open_error(stream, NHI_EIO, "read");
        goto out;
    }
    if (!S_ISREG(info.st_mode)) {
        nhi_error *error = nhi_diags_add(diags, NHI_LEVEL_ERROR, NHI_EIO, path,
                                         0, 0, "not a regular file");
        nhi_error_set_hint(error, "give the path of a JSON file");
        result = NHI_EIO;
        goto out;
    }
    if ((uintmax_t)info.st_size > max_size) {
        nhi_error *error = nhi_diags_add(
            diags, NHI_LEVEL_ERROR, NHI_ELIMIT, path, 0, 0,
            "file is too large: %jd bytes, the limit is %zu bytes",
            (intmax_t)info.st_size, max_size);
        nhi_error_set_hint(error, "check that this is the expected file");
        result = NHI_ELIMIT;
        goto out;
    }
    if (info.st_size == 0)
        goto out;

    data = mmap(NULL, (size_t)info.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
        result = open_error(stream, NHI_EIO, "map");
        goto out;
    }
    /* NOTE: a file truncated by another process while it is mapped makes
     * reads past its new end raise SIGBUS. */
    stream->data = data;
    stream->length = (size_t)info.st_size;
    stream->mapped = true;
    madvise(data, stream->length, MADV_SEQUENTIAL);

    if (stream->length >= 3 && memcmp(stream->data, "\xEF\xBB\xBF", 3) == 0)
        stream->offset = 3;
out:
    close(fd);
    return result;
}

void nhi_jstream_close(nhi_jstream *stream)
{
    if (stream->mapped)
        munmap((void *)stream->data, stream->length);
    json_decref(stream->key);
    memset(stream, 0, sizeof(*stream));
}

/* Move to `to`, counting the newlines and UTF-8 characters passed. */
static void advance(nhi_jstream *stream, size_t to)
{
    const char *start = stream->data + stream->offset;
    const char *end = stream->data + to;
    const char *line_start = start;

    for (const char *cursor = start; cursor < end; cursor++) {
        cursor = memchr(cursor, '\n', (size_t)(end - cursor));
        if (cursor == NULL)
            break;
        stream->line++;
        line_start = cursor + 1;
    }
    if (line_start != start)
        stream->column = 1;
    for (const char *cursor = line_start; cursor < end; cursor++)
        if (((unsigned char)*cursor & 0xC0) != 0x80)
            stream->column++;
    stream->offset = to;
}

static void skip_whitespace(nhi_jstream *stream)
{
    size_t end = stream->offset;

    while (end < stream->length) {
        char byte = stream->data[end];
        if (byte != ' ' && byte != '\t' && byte != '\n' && byte != '\r')
            break;
        end++;
    }
    advance(stream, end);
}

int nhi_jstream_peek(nhi_jstream *stream)
{
    skip_whitespace(stream);
    if (stream->offset >= stream->length)
        return -1;
    return (unsigned char)stream->data[stream->offset];
}

/* The next byte for a message: 'x', byte 0xNN, or end of file. */
static const char *describe_next(const nhi_jstream *stream, char *buffer,
                                 size_t size)
{
    unsigned char byte;

    if (stream->offset >= stream->length)
        return "end of file";
    byte = (unsigned char)stream->data[stream->offset];
    if (byte >= 0x20 && byte < 0x7F)
        snprintf(buffer, size, "'%c'", byte);
    else
        snprintf(buffer, size, "byte 0x%02X", byte);
    return buffer;
}

static int expect(nhi_jstream *stream, char expected_byte, const char *expected)
{
    char buffer[16];

    if (nhi_jstream_peek(stream) == (unsigned char)expected_byte) {
        advance(stream, stream->offset + 1);
        return NHI_OK;
    }
    return syntax_error(stream, NHI_EINPUT, stream->line, stream->column,
                        "invalid JSON: %s expected near %s", expected,
                        describe_next(stream, buffer, sizeof(buffer)));
}

int nhi_jstream_open_object(nhi_jstream *stream)
{
    return expect(stream, '{', "'{'");
}

int nhi_jstream_open_array(nhi_jstream *stream)
{
    return expect(stream, '[', "'['");
}

/*
 * Step over the `,` between two items of a container closed by `close`,
 * or over `close` itself, which sets `*more` to false.
 */
static int next_item(nhi_jstream *stream, size_t index, char close,
                     const char *expected, bool *more)
{
    char buffer[16];
    int next = nhi_jstream_peek(stream);

    *more = false;
    if (next == (unsigned char)close) {
        advance(stream, stream->offset + 1);
        return NHI_OK;
    }
    if (index > 0) {
        if (next != ',')
            return syntax_error(stream, NHI_EINPUT, stream->line,
                                stream->column,
                                "invalid JSON: %s expected near %s", expected,
                                describe_next(stream, buffer, sizeof(buffer)));
        advance(stream, stream->offset + 1);
        nhi_jstream_peek(stream);
    }
    *more = true;
    return NHI_OK;
}

int nhi_jstream_next_member(nhi_jstream *stream, size_t index, const char **key,
                            unsigned *line, unsigned *column)
{
    char buffer[16];
    bool more;
    json_t *name;
    int result;

    *key = NULL;
    result = next_item(stream, index, '}', "',' or '}'", &more);
    if (result < 0 || !more)
        return result;

    *line = stream->line;
    *column = stream->column;
    if (stream->offset >= stream->length || stream->data[stream->offset] != '"')
        return syntax_error(stream, NHI_EINPUT, stream->line, stream->column,
                            "invalid JSON: string expected near %s",
                            describe_next(stream, buffer, sizeof(buffer)));
    result = nhi_jstream_load(stream, JSON_DECODE_ANY, &name);
    if (result < 0)
        return result;
    json_decref(stream->key);
    stream->key = name;

    result = expect(stream, ':', "':'");
    if (result < 0)
        return result;
    nhi_jstream_peek(stream);
    *key = json_string_value(name);
    return NHI_OK;
}

int nhi_jstream_next_element(nhi_jstream *stream, size_t index, bool *more,
                             unsigned *line, unsigned *column)
{
    int result = next_item(stream, index, ']', "',' or ']'", more);

    *line = stream->line;
    *column = stream->column;
    return result;
}

/* Give back the pages before the current offset, at least RELEASE_STEP. */
static void release_pages(nhi_jstream *stream)
{
    size_t boundary = stream->offset - stream->offset % stream->page_size;

    if (!stream->mapped || boundary < stream->released + RELEASE_STEP)
        return;
    madvise((char *)stream->data + stream->released,
            boundary - stream->released, MADV_DONTNEED);
    stream->released = boundary;
}

/*
 * Report a jansson error. Its line and column count from the start of the
 * buffer passed to jansson, which is the current offset of the stream.
 */
static int load_error(nhi_jstream *stream, const json_error_t *error)
{
    unsigned line = stream->line, column = stream->column;

    if (error->line > 1) {
        line += (unsigned)error->line - 1;
        column = (unsigned)error->column;
    } else if (error->line == 1 && error->column > 0) {
        column += (unsigned)error->column - 1;
    }
    /* jansson gives column 0 when the last byte it read was a newline. The
     * position in the file is then the start of the next line. */
    if (column == 0)
        column = 1;

    switch (json_error_code(error)) {
    case json_error_out_of_memory:
        return NHI_ENOMEM;
    case json_error_stack_overflow:
        syntax_error(stream, NHI_ELIMIT, line, column,
                     "invalid JSON: nested deeper than %d levels",
                     JSON_PARSER_MAX_DEPTH);
        return NHI_EINPUT;
    default:
        return syntax_error(stream, NHI_EINPUT, line, column,
                            "invalid JSON: %s", error->text);
    }
}

int nhi_jstream_load(nhi_jstream *stream, size_t flags, json_t **out)
{
    size_t remaining = stream->length - stream->offset;
    size_t length = remaining > INT_MAX ? INT_MAX : remaining;
    json_error_t error;
    json_t *value;

    /* jansson counts the bytes it read in an int. */
    *out = NULL;
    value = json_loadb(stream->data + stream->offset, length,
                       flags | JSON_DISABLE_EOF_CHECK, &error);
    if (value == NULL) {
        if (length < remaining &&
            json_error_code(&error) == json_error_premature_end_of_input)
            return syntax_error(stream, NHI_ELIMIT, stream->line,
                                stream->column,
                                "JSON value is larger than %d bytes", INT_MAX);
        return load_error(stream, &error);
    }
    if (error.position <= 0 || (size_t)error.position > length) {
        json_decref(value);
        return syntax_error(stream, NHI_EINTERNAL, stream->line, stream->column,
                            "internal error: jansson read %d bytes of %zu",
                            error.position, length);
    }
    advance(stream, stream->offset + (size_t)error.position);
    release_pages(stream);
    *out = value;
    return NHI_OK;
}

int nhi_jstream_finish(nhi_jstream *stream)
{
    char buffer[16];

    if (nhi_jstream_peek(stream) < 0)
        return NHI_OK;
    return syntax_error(stream, NHI_EINPUT, stream->line, stream->column,
                        "invalid JSON: end of file expected near %s",
                        describe_next(stream, buffer, sizeof(buffer)));
}

const char *nhi_json_type_name(const json_t *value)
{
    if (value == NULL)
        return "nothing";
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "a list";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a JSON value";
}
