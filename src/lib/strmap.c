/* SPDX-License-Identifier: MIT */
/* An open-addressing hash map from strings to pointers (linear probing). */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "nhi/error.h"

uint64_t nhi_hash_bytes(const void *data, size_t length)
{
    /* FNV-1a, 64-bit: fast on the short keys here (ARNs, action names). */
    const unsigned char *bytes = data;
    uint64_t hash = 0xcbf29ce484222325u;

    for (size_t i = 0; i < length; i++) {
        hash ^= bytes[i];
        hash *= 0x100000001b3u;
    }
    return hash;
}

void nhi_strmap_free(nhi_strmap *map)
{
    free(map->slots);
    memset(map, 0, sizeof(*map));
}

static nhi_strmap_slot *find_slot(nhi_strmap_slot *slots, size_t capacity,
                                  const char *key, size_t length,
                                  uint64_t hash)
{
    size_t mask = capacity - 1;

    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        nhi_strmap_slot *slot = &slots[i];
        if (slot->key == NULL)
            return slot;
        if (slot->hash == hash && slot->length == length &&
            memcmp(slot->key, key, length) == 0)
            return slot;
    }
}

void *nhi_strmap_get(const nhi_strmap *map, const char *key, size_t length)
{
    nhi_strmap_slot *slot;

    if (map->capacity == 0)
        return NULL;
    slot = find_slot(map->slots, map->capacity, key, length,
                     nhi_hash_bytes(key, length));
    return slot->key ? slot->value : NULL;
}

static int grow(nhi_strmap *map)
{
    size_t capacity = map->capacity ? map->capacity * 2 : 64;
    nhi_strmap_slot *slots;

    if (capacity > SIZE_MAX / sizeof(*slots))
        return NHI_ENOMEM;
    slots = calloc(capacity, sizeof(*slots));
    if (slots == NULL)
        return NHI_ENOMEM;
    for (size_t i = 0; i < map->capacity; i++) {
        const nhi_strmap_slot *old = &map->slots[i];
        if (old->key)
            *find_slot(slots, capacity, old->key, old->length, old->hash) =
                *old;
    }
    free(map->slots);
    map->slots = slots;
    map->capacity = capacity;
    return NHI_OK;
}

int nhi_strmap_put(nhi_strmap *map, const char *key, size_t length,
                   void *value)
{
    uint64_t hash = nhi_hash_bytes(key, length);
    nhi_strmap_slot *slot;

    /* Keep the load under 3/4 so probes stay short. */
    if ((map->count + 1) * 4 > map->capacity * 3 && grow(map) < 0)
        return NHI_ENOMEM;
    slot = find_slot(map->slots, map->capacity, key, length, hash);
    if (slot->key == NULL) {
        slot->key = key;
        slot->length = length;
        slot->hash = hash;
        map->count++;
    }
    slot->value = value;
    return NHI_OK;
}
