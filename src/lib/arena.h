/* SPDX-License-Identifier: MIT */
/* A bump allocator: many small objects freed together, one per input. */
#ifndef NHI_ARENA_H
#define NHI_ARENA_H

#include <stddef.h>

typedef struct nhi_arena nhi_arena;

nhi_arena *nhi_arena_new(void);
void nhi_arena_free(nhi_arena *arena);
/* Zeroed memory aligned for any type, or NULL when memory ran out. */
void *nhi_arena_alloc(nhi_arena *arena, size_t size);
char *nhi_arena_strndup(nhi_arena *arena, const char *text, size_t length);
char *nhi_arena_strdup(nhi_arena *arena, const char *text);
/* Bytes handed out so far, for memory accounting. */
size_t nhi_arena_used(const nhi_arena *arena);

#endif
