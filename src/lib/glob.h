/* SPDX-License-Identifier: MIT */
/*
 * Exact reasoning over sets of glob patterns, as used in provider policies:
 * `*` matches any run of characters (also none), `?` exactly one, every
 * other byte itself. Questions such as "can this allowed pattern match a
 * prohibited action that no deny removes?" or "is this granted pattern
 * covered by the union of the declared ones?" are decided over the
 * patterns themselves, with no list of every provider action: the patterns
 * are compiled into one product automaton and its reachable states are
 * explored once.
 */
#ifndef NHI_GLOB_H
#define NHI_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/* Options for the functions below. */
typedef enum nhi_glob_flags {
    NHI_GLOB_CASE_SENSITIVE = 0,
    NHI_GLOB_FOLD_CASE = 1 /* ASCII case-insensitive, as AWS action names */
} nhi_glob_flags;

/*
 * Default cap on the number of automaton states one question may explore.
 * Real policy patterns stay far below it (a few hundred states for dozens
 * of patterns); the cap turns an adversarial input into an NHI_ELIMIT
 * result instead of exponential time.
 */
#define NHI_GLOB_MAX_STATES 200000

/*
 * Whether `text` matches `pattern`, with no recursion. Linear in their
 * lengths for typical patterns; a pattern such as `*aaaab` against a long
 * run of `a` costs pattern length times text length.
 */
bool nhi_glob_match(const char *pattern, const char *text, int flags);

/*
 * A membership vector: member[i] is true when the string matches
 * patterns[i]. The predicate returns whether such a string is wanted.
 */
typedef bool (*nhi_glob_predicate)(const bool *member, size_t count,
                                   void *context);

/*
 * Decide whether some string w exists for which `predicate` holds on the
 * membership vector of w against `patterns`. Every membership vector that
 * some string realises is offered to the predicate exactly once per
 * reachable automaton state, so any boolean formula over the patterns can
 * be decided: intersection, difference, containment in a union.
 *
 * Returns 1 (such a string exists), 0 (none does), NHI_ELIMIT (more than
 * `max_states` states; 0 means NHI_GLOB_MAX_STATES), NHI_ENOMEM, or
 * NHI_EUSAGE for a NULL predicate or pattern.
 * When the answer is 1 and `witness` is not NULL, `*witness` receives a
 * shortest such string, allocated with malloc, owned by the caller.
 */
int nhi_glob_exists(const char *const *patterns, size_t count, int flags,
                    nhi_glob_predicate predicate, void *context,
                    size_t max_states, char **witness);

/* 1 when some string matches both `a` and `b`, 0 when none; or an error. */
int nhi_glob_intersects(const char *a, const char *b, int flags);

/*
 * 1 when every string that matches `pattern` matches at least one of
 * `cover[0..count)`, 0 when not (then `*witness`, if asked, is a string
 * that escapes the cover), or an error.
 */
int nhi_glob_covered(const char *pattern, const char *const *cover,
                     size_t count, int flags, char **witness);

#endif
