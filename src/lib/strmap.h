/* SPDX-License-Identifier: MIT */
/* An open-addressing hash map from strings to pointers; keys are borrowed. */
#ifndef NHI_STRMAP_H
#define NHI_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct nhi_strmap_slot {
    const char *key;
    size_t length;
    uint64_t hash;
    void *value;
} nhi_strmap_slot;

typedef struct nhi_strmap {
    nhi_strmap_slot *slots;
    size_t capacity; /* a power of two, or 0 */
    size_t count;
} nhi_strmap;

uint64_t nhi_hash_bytes(const void *data, size_t length);

void nhi_strmap_free(nhi_strmap *map);
/* The value stored under the key, or NULL. */
void *nhi_strmap_get(const nhi_strmap *map, const char *key, size_t length);
/* Store `value` under `key` (which must outlive the map); replaces. */
int nhi_strmap_put(nhi_strmap *map, const char *key, size_t length,
                   void *value);

#endif
