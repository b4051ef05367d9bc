/* SPDX-License-Identifier: MIT */
/* The only module that writes to stderr: diagnostics and messages. */
#include "diag.h"

#include "nhi/consumer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Width of the source excerpt shown under an error (minified JSON is one
 * long line, so only a window around the column is printed). */
#define EXCERPT_WIDTH 72

static int verbosity;
static bool use_color;

void cli_set_verbosity(int level)
{
    verbosity = level;
}

int cli_verbosity(void)
{
    return verbosity;
}

void cli_set_color(bool color)
{
    use_color = color;
}

bool cli_color_wanted(int fd, bool disabled)
{
    const char *no_color = getenv("NO_COLOR");

    if (disabled || (no_color && no_color[0] != '\0'))
        return false;
    return isatty(fd) == 1;
}

static const char *level_name(nhi_level level)
{
    switch (level) {
    case NHI_LEVEL_ERROR:
        return "error";
    case NHI_LEVEL_WARNING:
        return "warning";
    case NHI_LEVEL_NOTE:
        return "note";
    }
    return "error";
}

static const char *level_color(nhi_level level)
{
    switch (level) {
    case NHI_LEVEL_ERROR:
        return "\033[1;31m";
    case NHI_LEVEL_WARNING:
        return "\033[1;35m";
    case NHI_LEVEL_NOTE:
        return "\033[1;36m";
    }
    return "";
}

static bool shown(nhi_level level)
{
    if (level == NHI_LEVEL_ERROR)
        return true;
    if (verbosity < 0)
        return false;
    return true;
}

static void print_level(nhi_level level)
{
    if (use_color)
        fprintf(stderr, "%s%s:\033[0m ", level_color(level),
                level_name(level));
    else
        fprintf(stderr, "%s: ", level_name(level));
}

static void vmessage(nhi_level level, const char *fmt, va_list args)
    __attribute__((format(printf, 2, 0)));

static void vmessage(nhi_level level, const char *fmt, va_list args)
{
    if (!shown(level))
        return;
    fputs("nhi: ", stderr);
    print_level(level);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vmessage(NHI_LEVEL_ERROR, fmt, args);
    va_end(args);
}

void cli_warning(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vmessage(NHI_LEVEL_WARNING, fmt, args);
    va_end(args);
}

void cli_note(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vmessage(NHI_LEVEL_NOTE, fmt, args);
    va_end(args);
}

/* Maximum line length read for an excerpt; a longer line shows its
 * start. */
#define EXCERPT_LINE_MAX (64u * 1024)

/* Block size for finding line starts. */
#define EXCERPT_BLOCK (64u * 1024)

/*
 * The start of the last excerpt's line. The next excerpt of the same file
 * further down reads on from there: diagnostics mostly come in file
 * order, so a file is read once, not once per diagnostic.
 */
static char *known_path;
static unsigned known_line;
static long known_offset;

/* Move `file` to the start of line `line`; false when it has fewer. */
static bool seek_line(FILE *file, const char *path, unsigned line)
{
    static char block[EXCERPT_BLOCK];
    unsigned current = 1;
    long offset = 0;

    if (known_path && strcmp(known_path, path) == 0 && known_line <= line) {
        current = known_line;
        offset = known_offset;
    }
    if (fseek(file, offset, SEEK_SET) != 0)
        return false;
    while (current < line) {
        size_t got = fread(block, 1, sizeof(block), file);
        const char *at = block, *end = block + got;
        if (got == 0)
            return false;
        while (current < line && (at = memchr(at, '\n', (size_t)(end - at)))) {
            at++;
            current++;
        }
        offset += current == line ? (long)(at - block) : (long)got;
    }
    if (fseek(file, offset, SEEK_SET) != 0)
        return false;
    free(known_path);
    known_path = strdup(path);
    known_line = line;
    known_offset = offset;
    return true;
}

/* Print line `line` of `path` with a caret under `column`. Credential
 * literals on the line are shown as `*`, never as their value. */
static void print_excerpt(const char *path, unsigned line, unsigned column)
{
    FILE *file = fopen(path, "rb");
    unsigned start, caret;
    char *text;
    char window[EXCERPT_WIDTH + 1];
    size_t length = 0, used = 0, got;

    if (file == NULL)
        return;
    text = malloc(EXCERPT_LINE_MAX + 1);
    if (text == NULL || !seek_line(file, path, line)) {
        free(text);
        fclose(file);
        return;
    }
    got = fread(text, 1, EXCERPT_LINE_MAX, file);
    fclose(file);
    /* Control bytes (tabs too) print as spaces to keep the caret
     * aligned. */
    while (length < got && text[length] != '\n' && text[length] != '\r') {
        unsigned char c = (unsigned char)text[length];
        if (c < 0x20 || c == 0x7f)
            text[length] = ' ';
        length++;
    }
    text[length] = '\0';
    nhi_redact_line(text);

    start = column > EXCERPT_WIDTH / 2 ? column - EXCERPT_WIDTH / 2 : 1;
    for (size_t i = start - 1; i < length && used < EXCERPT_WIDTH; i++)
        window[used++] = text[i];
    window[used] = '\0';
    free(text);
    caret = column >= start ? column - start : 0;
    fprintf(stderr, "  %s\n  %*s^\n", window, (int)caret, "");
}

static void print_position(const nhi_error *error)
{
    if (error->path && error->line)
        fprintf(stderr, "%s:%u:%u: ", error->path, error->line, error->column);
    else if (error->path)
        fprintf(stderr, "%s: ", error->path);
    else
        fputs("nhi: ", stderr);
}

/* Print a message with any credential literal it quotes shown as `*`. */
static void print_redacted(const char *text)
{
    char *copy = strdup(text);

    if (copy == NULL) {
        fputs("(message not shown: out of memory)", stderr);
        return;
    }
    nhi_redact_line(copy);
    fputs(copy, stderr);
    free(copy);
}

void cli_print_diags(const nhi_diags *diags)
{
    for (size_t i = 0; i < diags->count; i++) {
        const nhi_error *error = &diags->items[i];

        if (!shown(error->level))
            continue;
        print_position(error);
        print_level(error->level);
        print_redacted(error->message);
        if (error->location)
            fprintf(stderr, " (at %s)", error->location);
        fputc('\n', stderr);
        if (error->path && error->line && error->level == NHI_LEVEL_ERROR)
            print_excerpt(error->path, error->line, error->column);
        if (error->hint) {
            print_position(error);
            print_level(NHI_LEVEL_NOTE);
            print_redacted(error->hint);
            fputc('\n', stderr);
        }
    }
}

void cli_stage(const char *name, double seconds, size_t peak_kib)
{
    fprintf(stderr, "nhi: stage %s %.3f %zu\n", name, seconds, peak_kib);
}

void cli_count(const char *name, size_t value)
{
    fprintf(stderr, "nhi: count %s %zu\n", name, value);
}
