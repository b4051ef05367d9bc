/* SPDX-License-Identifier: MIT */
/* A bump allocator: many small objects freed together, one per input. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64u * 1024)
#define ALIGNMENT (_Alignof(max_align_t))

typedef struct chunk {
    struct chunk *next;
    size_t size;
    size_t used;
    _Alignas(max_align_t) unsigned char data[];
} chunk;

struct nhi_arena {
    chunk *head;
    size_t used;
};

nhi_arena *nhi_arena_new(void)
{
    return calloc(1, sizeof(nhi_arena));
}

void nhi_arena_free(nhi_arena *arena)
{
    if (arena == NULL)
        return;
    for (chunk *current = arena->head, *next; current; current = next) {
        next = current->next;
        free(current);
    }
    free(arena);
}

void *nhi_arena_alloc(nhi_arena *arena, size_t size)
{
    chunk *current = arena->head;
    size_t rounded;
    void *memory;

    if (size > SIZE_MAX - ALIGNMENT)
        return NULL;
    rounded = (size + ALIGNMENT - 1) & ~(ALIGNMENT - 1);
    if (current == NULL || current->size - current->used < rounded) {
        size_t chunk_size = rounded > CHUNK_SIZE ? rounded : CHUNK_SIZE;
        if (chunk_size > SIZE_MAX - sizeof(chunk))
            return NULL;
        current = malloc(sizeof(chunk) + chunk_size);
        if (current == NULL)
            return NULL;
        current->size = chunk_size;
        current->used = 0;
        /* A large object gets its own chunk behind the head, so the
         * head's free space is not wasted. */
        if (arena->head && rounded > CHUNK_SIZE) {
            current->next = arena->head->next;
            arena->head->next = current;
        } else {
            current->next = arena->head;
            arena->head = current;
        }
    }
    memory = current->data + current->used;
    current->used += rounded;
    arena->used += rounded;
    memset(memory, 0, size);
    return memory;
}

char *nhi_arena_strndup(nhi_arena *arena, const char *text, size_t length)
{
    char *copy;

    if (length == SIZE_MAX)
        return NULL;
    copy = nhi_arena_alloc(arena, length + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

char *nhi_arena_strdup(nhi_arena *arena, const char *text)
{
    return nhi_arena_strndup(arena, text, strlen(text));
}

size_t nhi_arena_used(const nhi_arena *arena)
{
    return arena->used;
}
