/* SPDX-License-Identifier: MIT */
/* YAML streams to trees, from libyaml events, with the checks it lacks. */
#include "ytree.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "arena.h"
#include "util.h"

typedef struct anchor {
    const char *name;
    nhi_ynode *node;
} anchor;

typedef struct builder {
    nhi_yfile *file;
    nhi_arena *arena;
    nhi_diags *diags;
    nhi_ynode *stack[NHI_YAML_MAX_DEPTH + 1];
    size_t depth;
    anchor *anchors;
    size_t anchor_count;
    size_t anchor_capacity;
} builder;

static nhi_error *add_error(builder *b, unsigned line, unsigned column,
                            const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static nhi_error *add_error(builder *b, unsigned line, unsigned column,
                            const char *fmt, ...)
{
    va_list args;
    nhi_error *error;

    va_start(args, fmt);
    error = nhi_diags_addv(b->diags, NHI_LEVEL_ERROR, NHI_EINPUT,
                           b->file->path, line, column, fmt, args);
    va_end(args);
    return error;
}

static int push_item(builder *b, nhi_ynode *parent, nhi_ynode *child)
{
    if (parent->count == parent->capacity) {
        size_t capacity = parent->capacity ? parent->capacity * 2 : 8;
        nhi_ynode **items = nhi_arena_alloc(b->arena, capacity * sizeof(*items));
        if (items == NULL)
            return NHI_ENOMEM;
        if (parent->count)
            memcpy(items, parent->items, parent->count * sizeof(*items));
        parent->items = items;
        parent->capacity = capacity;
    }
    parent->items[parent->count++] = child;
    return NHI_OK;
}

static int add_document(builder *b, nhi_ynode *root)
{
    nhi_yfile *file = b->file;

    return nhi_grow((void **)&file->documents, &file->capacity,
                    file->count + 1, sizeof(*file->documents)) < 0
               ? NHI_ENOMEM
               : (file->documents[file->count++] = root, NHI_OK);
}

/* Attach a finished node to its parent, or make it a document root. */
static int attach(builder *b, nhi_ynode *node)
{
    if (b->depth == 0)
        return add_document(b, node);
    return push_item(b, b->stack[b->depth - 1], node);
}

/* FNV-1a with its 32-bit constants: enough to spread anchor names. */
static size_t hash_name(const char *name)
{
    size_t hash = 2166136261u;

    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        hash = (hash ^ *c) * 16777619u;
    return hash;
}

/* The slot of `name` in the open-addressing table, or the empty slot
 * where it belongs. The table is never full, so the probe ends. */
static anchor *anchor_slot(const builder *b, const char *name)
{
    size_t mask = b->anchor_capacity - 1;
    size_t index = hash_name(name) & mask;

    while (b->anchors[index].name != NULL &&
           strcmp(b->anchors[index].name, name) != 0)
        index = (index + 1) & mask;
    return &b->anchors[index];
}

/* Double the table once it is half full, so that probes stay short. */
static int grow_anchors(builder *b)
{
    anchor *old = b->anchors;
    size_t old_capacity = b->anchor_capacity;
    size_t capacity = old_capacity ? old_capacity * 2 : 64;

    if (capacity > SIZE_MAX / sizeof(*old))
        return NHI_ENOMEM;
    b->anchors = calloc(capacity, sizeof(*old));
    if (b->anchors == NULL) {
        b->anchors = old;
        return NHI_ENOMEM;
    }
    b->anchor_capacity = capacity;
    for (size_t i = 0; i < old_capacity; i++)
        if (old[i].name != NULL)
            *anchor_slot(b, old[i].name) = old[i];
    free(old);
    return NHI_OK;
}

static int remember_anchor(builder *b, const unsigned char *name,
                           nhi_ynode *node)
{
    anchor *entry;

    if (name == NULL)
        return NHI_OK;
    if (2 * (b->anchor_count + 1) > b->anchor_capacity &&
        grow_anchors(b) < 0)
        return NHI_ENOMEM;
    entry = anchor_slot(b, (const char *)name);
    /* The latest definition wins, because an alias refers to the most
     * recent node with its anchor. */
    if (entry->name == NULL) {
        entry->name = nhi_arena_strdup(b->arena, (const char *)name);
        if (entry->name == NULL)
            return NHI_ENOMEM;
        b->anchor_count++;
    }
    entry->node = node;
    return NHI_OK;
}

static nhi_ynode *find_anchor(builder *b, const char *name)
{
    return b->anchor_count > 0 ? anchor_slot(b, name)->node : NULL;
}

/* Anchors belong to their document: an alias cannot reach into an earlier
 * one. Freeing the table keeps later small documents cheap. */
static void forget_anchors(builder *b)
{
    free(b->anchors);
    b->anchors = NULL;
    b->anchor_count = 0;
    b->anchor_capacity = 0;
}

static nhi_ynode *new_node(builder *b, nhi_ynode_kind kind,
                           const yaml_mark_t *mark)
{
    nhi_ynode *node = nhi_arena_alloc(b->arena, sizeof(*node));

    if (node == NULL)
        return NULL;
    node->kind = kind;
    node->line = (unsigned)mark->line + 1;
    node->column = (unsigned)mark->column + 1;
    return node;
}

static int compare_keys(const void *left, const void *right)
{
    const nhi_ynode *a = *(nhi_ynode *const *)left;
    const nhi_ynode *b = *(nhi_ynode *const *)right;
    int order;

    if (a->length != b->length)
        return a->length < b->length ? -1 : 1;
    order = memcmp(a->value, b->value, a->length);
    if (order != 0)
        return order;
    /* Equal keys sort by position so that the later one is reported. */
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return a->column < b->column ? -1 : (a->column > b->column);
}

/*
 * Report every repeated scalar key of a finished mapping, at the later
 * occurrence. Sorting keeps this O(n log n) for mappings of any size.
 */
static int check_duplicate_keys(builder *b, const nhi_ynode *map)
{
    size_t pairs = map->count / 2, keys = 0;
    nhi_ynode **sorted;
    int result = NHI_OK;

    if (pairs < 2)
        return NHI_OK;
    sorted = malloc(pairs * sizeof(*sorted));
    if (sorted == NULL)
        return NHI_ENOMEM;
    for (size_t i = 0; i < pairs; i++)
        if (map->items[2 * i]->kind == NHI_YNODE_SCALAR)
            sorted[keys++] = map->items[2 * i];
    qsort(sorted, keys, sizeof(*sorted), compare_keys);

    /* `first` is the earliest key of the current run of equal keys. */
    for (size_t i = 1, run = 0; i < keys; i++) {
        const nhi_ynode *first = sorted[run], *again = sorted[i];
        if (first->length != again->length ||
            memcmp(first->value, again->value, first->length) != 0) {
            run = i;
            continue;
        }
        nhi_error *error = add_error(b, again->line, again->column,
                                     "duplicate key '%s' (first at line %u)",
                                     again->value, first->line);
        nhi_error_set_hint(error, "remove one of the two '%s' entries",
                           again->value);
        result = NHI_EINPUT;
    }
    free(sorted);
    return result;
}

/* libyaml's reader errors carry a byte offset and no line or column. */
static void report_yaml_error(builder *b, const yaml_parser_t *parser)
{
    const nhi_yfile *file = b->file;
    unsigned line, column;
    nhi_error *error;

    if (parser->error == YAML_READER_ERROR) {
        nhi_offset_position(file->text, file->length, parser->problem_offset,
                            &line, &column);
        /* problem_value is -1 for a sequence cut short, so the byte is
         * read from the text itself. */
        error = add_error(b, line, column, "invalid text: %s (byte 0x%02x)",
                          parser->problem ? parser->problem : "unreadable",
                          parser->problem_offset < file->length
                              ? (unsigned char)file->text[parser->problem_offset]
                              : 0u);
        nhi_error_set_hint(error, "save the file as UTF-8");
        return;
    }
    if (parser->error == YAML_MEMORY_ERROR) {
        add_error(b, 0, 0, "out of memory while reading YAML");
        return;
    }

    line = (unsigned)parser->problem_mark.line + 1;
    column = (unsigned)parser->problem_mark.column + 1;
    if (parser->context)
        error = add_error(b, line, column, "invalid YAML: %s %s (line %u)",
                          parser->problem ? parser->problem : "syntax error",
                          parser->context,
                          (unsigned)parser->context_mark.line + 1);
    else
        error = add_error(b, line, column, "invalid YAML: %s",
                          parser->problem ? parser->problem : "syntax error");

    if (parser->problem_mark.index < file->length &&
        file->text[parser->problem_mark.index] == '\t')
        nhi_error_set_hint(error, "indent with spaces: YAML does not allow "
                                  "tabs in indentation");
    else if (parser->problem_mark.index >= file->length)
        nhi_error_set_hint(error, "the file ends too early; check that it "
                                  "was not truncated");
    else
        nhi_error_set_hint(error, "fix the YAML syntax at this position");
}

static int handle_scalar(builder *b, const yaml_event_t *event)
{
    nhi_ynode *node = new_node(b, NHI_YNODE_SCALAR, &event->start_mark);

    if (node == NULL)
        return NHI_ENOMEM;
    node->value = nhi_arena_strndup(b->arena,
                                    (const char *)event->data.scalar.value,
                                    event->data.scalar.length);
    if (node->value == NULL)
        return NHI_ENOMEM;
    node->length = event->data.scalar.length;
    node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (remember_anchor(b, event->data.scalar.anchor, node) < 0)
        return NHI_ENOMEM;
    return attach(b, node);
}

static int handle_start(builder *b, const yaml_event_t *event,
                        nhi_ynode_kind kind, const unsigned char *anchor_name)
{
    nhi_ynode *node;

    if (b->depth >= NHI_YAML_MAX_DEPTH) {
        nhi_error *error = add_error(
            b, (unsigned)event->start_mark.line + 1,
            (unsigned)event->start_mark.column + 1,
            "nesting deeper than %d levels", NHI_YAML_MAX_DEPTH);
        nhi_error_set_hint(error, "flatten the document; no nhi input needs "
                                  "this depth");
        return NHI_ELIMIT;
    }
    node = new_node(b, kind, &event->start_mark);
    if (node == NULL || remember_anchor(b, anchor_name, node) < 0)
        return NHI_ENOMEM;
    b->stack[b->depth++] = node;
    return NHI_OK;
}

static int handle_end(builder *b)
{
    nhi_ynode *node = b->stack[--b->depth];
    int result = NHI_OK;

    if (node->kind == NHI_YNODE_MAPPING)
        result = check_duplicate_keys(b, node);
    if (result == NHI_ENOMEM)
        return result;
    if (attach(b, node) < 0)
        return NHI_ENOMEM;
    return result;
}

/* Whether `node` is a mapping or sequence still being built. */
static bool is_open(const builder *b, const nhi_ynode *node)
{
    for (size_t i = 0; i < b->depth; i++)
        if (b->stack[i] == node)
            return true;
    return false;
}

/*
 * Attach the anchored node. An alias to a node that contains it would make
 * the tree a cycle, on which every recursive consumer loops forever, so it
 * is an error like an unknown anchor.
 * NOTE: an alias to a deep node inside another deep node still nests past
 * NHI_YAML_MAX_DEPTH, because only the events' own depth is counted.
 */
static int handle_alias(builder *b, const yaml_event_t *event)
{
    const char *name = (const char *)event->data.alias.anchor;
    nhi_ynode *target = find_anchor(b, name);
    unsigned line = (unsigned)event->start_mark.line + 1;
    unsigned column = (unsigned)event->start_mark.column + 1;
    nhi_error *error;

    if (target != NULL && !is_open(b, target))
        return attach(b, target);

    if (target == NULL) {
        error = add_error(b, line, column, "alias '*%s' names no anchor",
                          name);
        nhi_error_set_hint(error, "define '&%s' before using it", name);
    } else {
        error = add_error(b, line, column,
                          "alias '*%s' refers to a node that contains it",
                          name);
        nhi_error_set_hint(error, "write the values out: nhi reads no "
                                  "recursive YAML");
    }
    /* A null scalar takes the alias's place, so that a mapping keeps its
     * keys and values paired. */
    target = new_node(b, NHI_YNODE_SCALAR, &event->start_mark);
    if (target == NULL ||
        (target->value = nhi_arena_strndup(b->arena, "", 0)) == NULL)
        return NHI_ENOMEM;
    target->plain = true;
    return attach(b, target) < 0 ? NHI_ENOMEM : NHI_EINPUT;
}

/* Handle one event; returns < 0 to stop at a structural error. */
static int handle_event(builder *b, const yaml_event_t *event, bool *semantic)
{
    int result = NHI_OK;

    switch (event->type) {
    case YAML_SCALAR_EVENT:
        return handle_scalar(b, event);
    case YAML_SEQUENCE_START_EVENT:
        return handle_start(b, event, NHI_YNODE_SEQUENCE,
                            event->data.sequence_start.anchor);
    case YAML_MAPPING_START_EVENT:
        return handle_start(b, event, NHI_YNODE_MAPPING,
                            event->data.mapping_start.anchor);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        result = handle_end(b);
        break;
    case YAML_ALIAS_EVENT:
        result = handle_alias(b, event);
        break;
    case YAML_DOCUMENT_END_EVENT:
        forget_anchors(b);
        break;
    default:
        break;
    }
    /* Duplicate keys and unknown aliases do not stop the parse: the
     * other problems of the file are still worth reporting. */
    if (result == NHI_EINPUT) {
        *semantic = true;
        result = NHI_OK;
    }
    return result;
}

int nhi_yaml_parse(const char *path, const char *text, size_t length,
                   nhi_yfile **out, nhi_diags *diags)
{
    yaml_parser_t parser;
    yaml_event_t event;
    builder b;
    bool done = false, semantic = false;
    int result = NHI_OK;

    memset(&b, 0, sizeof(b));
    b.diags = diags;
    b.file = calloc(1, sizeof(*b.file));
    b.arena = nhi_arena_new();
    if (b.file == NULL || b.arena == NULL) {
        free(b.file);
        nhi_arena_free(b.arena);
        return NHI_ENOMEM;
    }
    b.file->arena = b.arena;
    b.file->path = strdup(path);
    b.file->text = (char *)text;
    b.file->length = length;
    *out = b.file;
    if (b.file->path == NULL)
        return NHI_ENOMEM;

    if (!yaml_parser_initialize(&parser))
        return NHI_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, length);

    while (!done) {
        if (!yaml_parser_parse(&parser, &event)) {
            report_yaml_error(&b, &parser);
            result = parser.error == YAML_MEMORY_ERROR ? NHI_ENOMEM : NHI_EINPUT;
            break;
        }
        done = event.type == YAML_STREAM_END_EVENT;
        result = handle_event(&b, &event, &semantic);
        yaml_event_delete(&event);
        if (result < 0)
            break;
    }

    yaml_parser_delete(&parser);
    forget_anchors(&b);
    b.file->text = NULL;
    if (result == NHI_ELIMIT)
        result = NHI_EINPUT;
    if (result == NHI_OK && semantic)
        result = NHI_EINPUT;
    return result;
}

int nhi_yaml_load(const char *path, nhi_yfile **out, nhi_diags *diags)
{
    char *text = NULL;
    size_t length = 0;
    int result;

    *out = NULL;
    result = nhi_read_file(path, NHI_YAML_MAX_SIZE, &text, &length);
    if (result == NHI_ELIMIT) {
        nhi_error *error = nhi_diags_add(
            diags, NHI_LEVEL_ERROR, NHI_ELIMIT, path, 0, 0,
            "file is larger than the YAML limit of %u MiB",
            NHI_YAML_MAX_SIZE / (1024 * 1024));
        nhi_error_set_hint(error, "split the file into smaller files");
        return NHI_EINPUT;
    }
    if (result < 0) {
        nhi_diags_add(diags, NHI_LEVEL_ERROR, NHI_EIO, path, 0, 0,
                      "cannot read file: %s", strerror(errno));
        return NHI_EINPUT;
    }
    result = nhi_yaml_parse(path, text, length, out, diags);
    if (*out) {
        (*out)->text = text;
        (*out)->length = length;
    } else {
        free(text);
    }
    return result;
}

void nhi_yfile_free(nhi_yfile *file)
{
    if (file == NULL)
        return;
    nhi_arena_free(file->arena);
    free(file->documents);
    free(file->path);
    free(file->text);
    free(file);
}

const nhi_ynode *nhi_ymap_get(const nhi_ynode *map, const char *key)
{
    if (map == NULL || map->kind != NHI_YNODE_MAPPING)
        return NULL;
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const nhi_ynode *name = map->items[i];
        if (name->kind == NHI_YNODE_SCALAR && strcmp(name->value, key) == 0)
            return map->items[i + 1];
    }
    return NULL;
}

bool nhi_ynode_is_null(const nhi_ynode *node)
{
    if (node == NULL)
        return true;
    if (node->kind != NHI_YNODE_SCALAR || !node->plain)
        return false;
    return node->length == 0 || strcmp(node->value, "~") == 0 ||
           strcmp(node->value, "null") == 0 ||
           strcmp(node->value, "Null") == 0 ||
           strcmp(node->value, "NULL") == 0;
}

const char *nhi_ynode_kind_name(nhi_ynode_kind kind)
{
    switch (kind) {
    case NHI_YNODE_SCALAR:
        return "a scalar";
    case NHI_YNODE_SEQUENCE:
        return "a list";
    case NHI_YNODE_MAPPING:
        return "a mapping";
    }
    return "a node";
}
