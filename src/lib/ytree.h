/* SPDX-License-Identifier: MIT */
/*
 * YAML documents as small trees, built from libyaml's event API with the
 * checks libyaml lacks: a nesting depth cap, duplicate mapping keys, and
 * line:column for every error (invalid UTF-8 included). Aliases point at
 * the anchored node, so a tree may share subtrees; nothing is expanded.
 */
#ifndef NHI_YTREE_H
#define NHI_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "nhi/error.h"

/*
 * Nesting deeper than this is rejected. Real inputs stay far below it:
 * declarations nest 4 levels, Kubernetes objects about 20. The cap bounds
 * the recursion of every consumer of the tree.
 */
#define NHI_YAML_MAX_DEPTH 100
/* Largest YAML file read: 64 MiB, above any manifest or workflow seen. */
#define NHI_YAML_MAX_SIZE (64u * 1024 * 1024)

typedef enum nhi_ynode_kind {
    NHI_YNODE_SCALAR,
    NHI_YNODE_SEQUENCE,
    NHI_YNODE_MAPPING
} nhi_ynode_kind;

typedef struct nhi_ynode nhi_ynode;

/* One node. Mapping items alternate key, value; positions are 1-based. */
struct nhi_ynode {
    nhi_ynode_kind kind;
    unsigned line;
    unsigned column;
    bool plain;      /* a plain (unquoted) scalar: may mean null or bool */
    char *value;     /* scalars: NUL-terminated text */
    size_t length;   /* scalars: byte length of value */
    nhi_ynode **items;
    size_t count;    /* items: sequence entries, or 2 x mapping pairs */
    size_t capacity;
};

/* The documents of one file; every node lives in the file's arena. */
typedef struct nhi_yfile {
    char *path;
    char *text;       /* the file's bytes, kept for error context */
    size_t length;
    nhi_ynode **documents;
    size_t count;
    size_t capacity;
    void *arena;
} nhi_yfile;

/*
 * Parse `text` (not copied; must outlive the call) as a YAML stream. On a
 * syntax error the documents before it are kept, the error is added to
 * `diags` and NHI_EINPUT returned: the rest of a file cannot be read after
 * a syntax error. `*out` is set in both cases and freed by the caller.
 */
int nhi_yaml_parse(const char *path, const char *text, size_t length,
                   nhi_yfile **out, nhi_diags *diags);

/* Read `path` and parse it; a file that cannot be read is an error too. */
int nhi_yaml_load(const char *path, nhi_yfile **out, nhi_diags *diags);

void nhi_yfile_free(nhi_yfile *file);

/* Lookup helpers; they borrow. */
const nhi_ynode *nhi_ymap_get(const nhi_ynode *map, const char *key);
/* A plain scalar spelling null: empty, `~`, `null`. */
bool nhi_ynode_is_null(const nhi_ynode *node);
const char *nhi_ynode_kind_name(nhi_ynode_kind kind);

#endif
