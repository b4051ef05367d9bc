/* SPDX-License-Identifier: MIT */
/* Glob matching, and exact set questions over glob patterns. */
#include "glob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nhi/error.h"
#include "util.h"

#define WORD_BITS 64

static unsigned char fold_byte(unsigned char byte, int flags)
{
    /* Only ASCII letters fold, so `[` and `{` (or 0xC3 and 0xE3) differ. */
    if ((flags & NHI_GLOB_FOLD_CASE) && byte >= 'A' && byte <= 'Z')
        return (unsigned char)(byte - 'A' + 'a');
    return byte;
}

/*
 * NOTE: after a mismatch the scan restarts one byte past the last `*`, so
 * the worst case is O(len(pattern) * len(text)), for example `*aaaab`
 * against a long run of `a`. Policy patterns stay close to linear.
 */
bool nhi_glob_match(const char *pattern, const char *text, int flags)
{
    const char *star = NULL;
    const char *star_text = NULL;

    while (*text != '\0') {
        unsigned char p = (unsigned char)*pattern;
        unsigned char t = (unsigned char)*text;

        if (p == '*') {
            star = pattern++;
            star_text = text;
            continue;
        }
        if (p != '\0' &&
            (p == '?' || fold_byte(p, flags) == fold_byte(t, flags))) {
            pattern++;
            text++;
            continue;
        }
        if (star == NULL)
            return false;

        /*
         * Retrying only the last star suffices, because moving an earlier
         * one cannot produce a match that the last star cannot.
         */
        pattern = star + 1;
        text = ++star_text;
    }

    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

/*
 * The NFAs of all patterns side by side. A product state is a bitset of
 * `words` 64-bit words: pattern i owns words [offset[i], offset[i + 1]),
 * and bit p of that segment means "p pattern bytes consumed", so position
 * length[i] is accepting. Shifts start only at positions below length[i],
 * which lie below the segment's top bit, so they never carry into the next
 * pattern.
 */
typedef struct glob_automaton {
    size_t count;
    size_t words;
    size_t *offset;
    size_t *length;
    uint64_t *star;  /* positions holding `*`, which loop on every symbol */
    uint64_t *match; /* per symbol, a row of `words`: positions it advances */
    unsigned char *literal; /* per bit, 1 + its literal's symbol index, or 0 */
    unsigned char symbols[256];
    size_t symbol_count; /* the last symbol represents every unused byte */
} glob_automaton;

static void automaton_free(glob_automaton *automaton)
{
    free(automaton->offset);
    free(automaton->length);
    free(automaton->star);
    free(automaton->match);
    free(automaton->literal);
    memset(automaton, 0, sizeof(*automaton));
}

/*
 * Every byte that is no literal of any pattern behaves the same in every
 * NFA, so one such byte represents all of them. Readable choices come first. A
 * pattern can never contain a literal `?`, so the last resort always works.
 */
static unsigned char pick_other_symbol(const bool used[256], int flags)
{
    static const char preferred[] = "zqx0_";

    for (const char *c = preferred; *c != '\0'; c++) {
        if (!used[(unsigned char)*c])
            return (unsigned char)*c;
    }
    for (int byte = 1; byte < 256; byte++) {
        unsigned char folded = fold_byte((unsigned char)byte, flags);

        if (byte == '*' || byte == '?')
            continue;
        if (!used[folded])
            return folded;
    }
    return '?';
}

static void set_bit(uint64_t *bits, size_t word, size_t position)
{
    bits[word + position / WORD_BITS] |= (uint64_t)1 << (position % WORD_BITS);
}

static int automaton_build(glob_automaton *automaton,
                           const char *const *patterns, size_t count,
                           int flags)
{
    bool used[256] = {false};
    size_t symbol_index[256] = {0};
    size_t words = 0;

    memset(automaton, 0, sizeof(*automaton));
    automaton->count = count;
    automaton->offset = calloc(count + 1, sizeof(*automaton->offset));
    automaton->length = calloc(count, sizeof(*automaton->length));
    if (automaton->offset == NULL || automaton->length == NULL)
        return NHI_ENOMEM;

    for (size_t i = 0; i < count; i++) {
        size_t length = strlen(patterns[i]);
        size_t segment = length / WORD_BITS + 1;

        if (segment > SIZE_MAX - words)
            return NHI_ENOMEM;
        automaton->offset[i] = words;
        automaton->length[i] = length;
        words += segment;
        for (size_t p = 0; p < length; p++) {
            unsigned char byte = (unsigned char)patterns[i][p];

            if (byte != '*' && byte != '?')
                used[fold_byte(byte, flags)] = true;
        }
    }
    automaton->offset[count] = words;
    automaton->words = words;

    for (int byte = 1; byte < 256; byte++) {
        if (!used[byte])
            continue;
        symbol_index[byte] = automaton->symbol_count;
        automaton->symbols[automaton->symbol_count++] = (unsigned char)byte;
    }
    automaton->symbols[automaton->symbol_count++] =
        pick_other_symbol(used, flags);

    if (words > SIZE_MAX / sizeof(uint64_t) / automaton->symbol_count)
        return NHI_ENOMEM;
    automaton->star = calloc(words, sizeof(uint64_t));
    automaton->match =
        calloc(words * automaton->symbol_count, sizeof(uint64_t));
    automaton->literal = calloc(words, WORD_BITS);
    if (automaton->star == NULL || automaton->match == NULL ||
        automaton->literal == NULL)
        return NHI_ENOMEM;

    for (size_t i = 0; i < count; i++) {
        size_t offset = automaton->offset[i];

        for (size_t p = 0; p < automaton->length[i]; p++) {
            unsigned char byte = (unsigned char)patterns[i][p];

            if (byte == '*') {
                set_bit(automaton->star, offset, p);
            } else if (byte == '?') {
                for (size_t s = 0; s < automaton->symbol_count; s++)
                    set_bit(automaton->match + s * words, offset, p);
            } else {
                size_t s = symbol_index[fold_byte(byte, flags)];

                set_bit(automaton->match + s * words, offset, p);
                automaton->literal[offset * WORD_BITS + p] =
                    (unsigned char)(s + 1);
            }
        }
    }
    return NHI_OK;
}

/* Add the positions reachable by letting `*` match nothing. */
static void automaton_close(const glob_automaton *automaton, uint64_t *set)
{
    uint64_t carry = 0;

    /*
     * Words are closed in order, so a star in the top bit of one word
     * carries into the next. The inner loop moves past one more star of a
     * run such as `**` per round.
     */
    for (size_t w = 0; w < automaton->words; w++) {
        uint64_t bits = set[w] | carry;
        uint64_t grown;

        while ((grown = bits | ((bits & automaton->star[w]) << 1)) != bits)
            bits = grown;
        set[w] = bits;
        carry = (bits & automaton->star[w]) >> (WORD_BITS - 1);
    }
}

static void automaton_start(const glob_automaton *automaton, uint64_t *set)
{
    memset(set, 0, automaton->words * sizeof(uint64_t));
    for (size_t i = 0; i < automaton->count; i++)
        set_bit(set, automaton->offset[i], 0);
    automaton_close(automaton, set);
}

static void automaton_step(const glob_automaton *automaton,
                           const uint64_t *from, size_t symbol, uint64_t *to)
{
    const uint64_t *match = automaton->match + symbol * automaton->words;
    uint64_t carry = 0;

    for (size_t w = 0; w < automaton->words; w++) {
        uint64_t advancing = from[w] & match[w];

        to[w] = (from[w] & automaton->star[w]) | (advancing << 1) | carry;
        carry = advancing >> (WORD_BITS - 1);
    }
    automaton_close(automaton, to);
}

static bool set_is_empty(const uint64_t *set, size_t words)
{
    for (size_t w = 0; w < words; w++) {
        if (set[w] != 0)
            return false;
    }
    return true;
}

static bool state_satisfies(const glob_automaton *automaton,
                            const uint64_t *set, bool *member,
                            nhi_glob_predicate predicate, void *context)
{
    for (size_t i = 0; i < automaton->count; i++) {
        size_t final = automaton->length[i];
        uint64_t word = set[automaton->offset[i] + final / WORD_BITS];

        member[i] = ((word >> (final % WORD_BITS)) & 1) != 0;
    }
    return predicate(member, automaton->count, context);
}

typedef struct glob_state {
    uint64_t hash;
    size_t parent;        /* the state this one was first reached from */
    unsigned char symbol; /* the byte read on that transition */
} glob_state;

/*
 * The visited states in discovery order, which is breadth-first order, so
 * the array doubles as the search queue. `slots` is an open-addressing
 * table of state index + 1, with 0 marking a free slot.
 */
typedef struct glob_states {
    size_t words;
    size_t max;
    uint64_t *keys;
    size_t key_capacity;
    glob_state *items;
    size_t count;
    size_t capacity;
    size_t *slots;
    size_t slot_count;
} glob_states;

static void states_free(glob_states *states)
{
    free(states->keys);
    free(states->items);
    free(states->slots);
    memset(states, 0, sizeof(*states));
}

static uint64_t hash_set(const uint64_t *set, size_t words)
{
    uint64_t hash = 0x9E3779B97F4A7C15u;

    for (size_t w = 0; w < words; w++) {
        hash ^= set[w];
        hash *= 0xBF58476D1CE4E5B9u;
        hash ^= hash >> 31;
    }
    hash ^= hash >> 30;
    hash *= 0x94D049BB133111EBu;
    hash ^= hash >> 31;
    return hash;
}

static size_t states_probe(const glob_states *states, uint64_t hash,
                           const uint64_t *set)
{
    size_t mask = states->slot_count - 1;
    size_t slot = (size_t)hash & mask;

    while (states->slots[slot] != 0) {
        size_t index = states->slots[slot] - 1;

        if (states->items[index].hash == hash &&
            memcmp(states->keys + index * states->words, set,
                   states->words * sizeof(uint64_t)) == 0)
            break;
        slot = (slot + 1) & mask;
    }
    return slot;
}

static int states_rehash(glob_states *states, size_t slot_count)
{
    size_t *old_slots = states->slots;

    states->slots = calloc(slot_count, sizeof(*states->slots));
    if (states->slots == NULL) {
        states->slots = old_slots;
        return NHI_ENOMEM;
    }
    states->slot_count = slot_count;
    for (size_t i = 0; i < states->count; i++) {
        size_t slot = (size_t)states->items[i].hash & (slot_count - 1);

        while (states->slots[slot] != 0)
            slot = (slot + 1) & (slot_count - 1);
        states->slots[slot] = i + 1;
    }
    free(old_slots);
    return NHI_OK;
}

/*
 * Find `set` among the visited states or append it, and set `*added` to
 * whether it was new. Returns NHI_ELIMIT when appending would exceed
 * `states->max`.
 *
 * NOTE: memory grows by about words * 8 bytes per state, so hundreds of
 * long patterns can need gigabytes before the default state cap is reached.
 */
static int states_add(glob_states *states, const uint64_t *set, size_t parent,
                      unsigned char symbol, size_t *index, bool *added)
{
    uint64_t hash = hash_set(set, states->words);
    size_t slot;
    int result;

    *added = false;
    slot = states_probe(states, hash, set);
    if (states->slots[slot] != 0) {
        *index = states->slots[slot] - 1;
        return NHI_OK;
    }
    if (states->count >= states->max)
        return NHI_ELIMIT;

    result = nhi_grow((void **)&states->items, &states->capacity,
                      states->count + 1, sizeof(*states->items));
    if (result < 0)
        return result;
    if (states->count + 1 > SIZE_MAX / states->words)
        return NHI_ENOMEM;
    result = nhi_grow((void **)&states->keys, &states->key_capacity,
                      (states->count + 1) * states->words, sizeof(uint64_t));
    if (result < 0)
        return result;

    /* Keep the load factor at or below one half so probes stay short. */
    if ((states->count + 1) * 2 > states->slot_count) {
        if (states->slot_count > SIZE_MAX / 2 / sizeof(*states->slots))
            return NHI_ENOMEM;
        result = states_rehash(states, states->slot_count * 2);
        if (result < 0)
            return result;
        slot = states_probe(states, hash, set);
    }

    memcpy(states->keys + states->count * states->words, set,
           states->words * sizeof(uint64_t));
    states->items[states->count].hash = hash;
    states->items[states->count].parent = parent;
    states->items[states->count].symbol = symbol;
    states->slots[slot] = states->count + 1;
    *index = states->count;
    states->count++;
    *added = true;
    return NHI_OK;
}

static char *witness_build(const glob_states *states, size_t index)
{
    size_t length = 0;
    char *text;

    for (size_t i = index; i != 0; i = states->items[i].parent)
        length++;
    text = malloc(length + 1);
    if (text == NULL)
        return NULL;
    text[length] = '\0';
    for (size_t i = index; i != 0; i = states->items[i].parent)
        text[--length] = (char)states->items[i].symbol;
    return text;
}

/*
 * Mark the symbols whose successor of `set` can differ from that of the
 * last symbol, which represents unused bytes. Only a live position holding
 * that literal can tell a symbol apart, so every other symbol would lead to
 * the same state as the last one and need not be tried.
 */
static void mark_live_symbols(const glob_automaton *automaton,
                              const uint64_t *set, bool live[256])
{
    memset(live, 0, 256 * sizeof(bool));
    live[automaton->symbol_count - 1] = true;
    for (size_t w = 0; w < automaton->words; w++) {
        uint64_t bits = set[w];

        while (bits != 0) {
            size_t bit = (size_t)__builtin_ctzll(bits);
            unsigned char code = automaton->literal[w * WORD_BITS + bit];

            if (code != 0)
                live[code - 1] = true;
            bits &= bits - 1;
        }
    }
}

/*
 * Search the product automaton breadth-first. Returns 1 with the first
 * state whose vector satisfies the predicate in `*hit`, 0 when no reachable
 * state does, or an error.
 */
static int automaton_search(const glob_automaton *automaton,
                            glob_states *states, nhi_glob_predicate predicate,
                            void *context, size_t *hit)
{
    size_t words = automaton->words;
    uint64_t *current = calloc(words, sizeof(uint64_t));
    uint64_t *next = calloc(words, sizeof(uint64_t));
    bool *member = calloc(automaton->count, sizeof(bool));
    bool live[256];
    size_t index;
    bool added;
    int result = NHI_ENOMEM;

    if (current == NULL || next == NULL || member == NULL)
        goto out;

    automaton_start(automaton, next);
    result = states_add(states, next, 0, 0, &index, &added);
    if (result < 0)
        goto out;
    if (state_satisfies(automaton, next, member, predicate, context)) {
        *hit = index;
        result = 1;
        goto out;
    }

    for (size_t head = 0; head < states->count; head++) {
        /* Copied because states_add may move the key array. */
        memcpy(current, states->keys + head * words, words * sizeof(uint64_t));

        /* The dead state only leads to itself, which was already offered. */
        if (set_is_empty(current, words))
            continue;

        mark_live_symbols(automaton, current, live);
        for (size_t s = 0; s < automaton->symbol_count; s++) {
            if (!live[s])
                continue;
            automaton_step(automaton, current, s, next);
            result = states_add(states, next, head, automaton->symbols[s],
                                &index, &added);
            if (result < 0)
                goto out;
            if (!added)
                continue;
            if (state_satisfies(automaton, next, member, predicate, context)) {
                *hit = index;
                result = 1;
                goto out;
            }
        }
    }
    result = 0;

out:
    free(current);
    free(next);
    free(member);
    return result;
}

int nhi_glob_exists(const char *const *patterns, size_t count, int flags,
                    nhi_glob_predicate predicate, void *context,
                    size_t max_states, char **witness)
{
    glob_automaton automaton = {0};
    glob_states states = {0};
    size_t hit = 0;
    int result;

    if (witness != NULL)
        *witness = NULL;

    /* NOTE: glob.h does not list NHI_EUSAGE, which only a caller bug yields. */
    if (predicate == NULL || (count > 0 && patterns == NULL))
        return NHI_EUSAGE;
    for (size_t i = 0; i < count; i++) {
        if (patterns[i] == NULL)
            return NHI_EUSAGE;
    }

    /* With no patterns every string has the same empty vector. */
    if (count == 0) {
        bool none = false;

        if (!predicate(&none, 0, context))
            return 0;
        if (witness != NULL) {
            *witness = nhi_strndup("", 0);
            if (*witness == NULL)
                return NHI_ENOMEM;
        }
        return 1;
    }

    result = automaton_build(&automaton, patterns, count, flags);
    if (result < 0)
        goto out;

    states.words = automaton.words;
    states.max = max_states != 0 ? max_states : NHI_GLOB_MAX_STATES;
    result = states_rehash(&states, 64);
    if (result < 0)
        goto out;

    result = automaton_search(&automaton, &states, predicate, context, &hit);
    if (result == 1 && witness != NULL) {
        *witness = witness_build(&states, hit);
        if (*witness == NULL)
            result = NHI_ENOMEM;
    }

out:
    automaton_free(&automaton);
    states_free(&states);
    return result;
}

static bool in_both(const bool *member, size_t count, void *context)
{
    (void)context;
    return count == 2 && member[0] && member[1];
}

int nhi_glob_intersects(const char *a, const char *b, int flags)
{
    const char *patterns[2] = {a, b};

    return nhi_glob_exists(patterns, 2, flags, in_both, NULL, 0, NULL);
}

static bool escapes_cover(const bool *member, size_t count, void *context)
{
    (void)context;
    if (count == 0 || !member[0])
        return false;
    for (size_t i = 1; i < count; i++) {
        if (member[i])
            return false;
    }
    return true;
}

int nhi_glob_covered(const char *pattern, const char *const *cover,
                     size_t count, int flags, char **witness)
{
    const char **patterns;
    int result;

    if (witness != NULL)
        *witness = NULL;
    if (pattern == NULL || (count > 0 && cover == NULL))
        return NHI_EUSAGE;
    if (count > SIZE_MAX / sizeof(*patterns) - 1)
        return NHI_ENOMEM;

    patterns = malloc((count + 1) * sizeof(*patterns));
    if (patterns == NULL)
        return NHI_ENOMEM;
    patterns[0] = pattern;
    if (count > 0)
        memcpy(patterns + 1, cover, count * sizeof(*patterns));

    /* The pattern is covered exactly when no string escapes the cover. */
    result = nhi_glob_exists(patterns, count + 1, flags, escapes_cover, NULL,
                             0, witness);
    free(patterns);
    if (result < 0)
        return result;
    return result == 1 ? 0 : 1;
}
