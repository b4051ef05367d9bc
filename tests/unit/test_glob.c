/* SPDX-License-Identifier: MIT */
/* Unit tests for glob matching and the automaton-based set questions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "nhi/error.h"

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))
#define EXACT NHI_GLOB_CASE_SENSITIVE
#define FOLD NHI_GLOB_FOLD_CASE

typedef struct match_case {
    const char *pattern;
    const char *text;
    int flags;
    bool expected;
} match_case;

static void check_match_cases(const match_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const match_case *c = &cases[i];
        bool got = nhi_glob_match(c->pattern, c->text, c->flags);

        if (got != c->expected)
            print_error("match \"%s\" against \"%s\" (flags %d): expected %d\n",
                        c->pattern, c->text, c->flags, c->expected);
        assert_int_equal(got, c->expected);
    }
}

static void glob_match_star_start(void **state)
{
    static const match_case cases[] = {
        {"*PassRole", "iam:PassRole", EXACT, true},
        {"*PassRole", "PassRole", EXACT, true},
        {"*PassRole", "iam:PassRoles", EXACT, false},
        {"*ab", "aab", EXACT, true},
        {"*aab", "aaab", EXACT, true},
        {"*a", "b", EXACT, false},
    };

    (void)state;
    check_match_cases(cases, ARRAY_SIZE(cases));
}

static void glob_match_star_middle(void **state)
{
    static const match_case cases[] = {
        {"iam:*Role", "iam:PassRole", EXACT, true},
        {"iam:*Role", "iam:Role", EXACT, true},
        {"iam:*Role", "iam:Rol", EXACT, false},
        {"a*ab", "aab", EXACT, true},
        {"a*ab", "ab", EXACT, false},
    };

    (void)state;
    check_match_cases(cases, ARRAY_SIZE(cases));
}

static void glob_match_star_end(void **state)
{
    static const match_case cases[] = {
        {"iam:*", "iam:PassRole", EXACT, true},
        {"iam:*", "iam:", EXACT, true},
        {"iam:*", "iam", EXACT, false},
        {"iam:*", "sts:iam:", EXACT, false},
    };

    (void)state;
    check_match_cases(cases, ARRAY_SIZE(cases));
}

static void glob_match_multiple_stars(void **state)
{
    static const match_case cases[] = {
        {"*:*Role*", "iam:PassRoleX", EXACT, true},
        {"a*b*c", "abc", EXACT, true},
        {"a*b*c", "aXbYbZc", EXACT, true},
        {"a*b*c", "acb", EXACT, false},
        {"*a*a*a", "aa", EXACT, false},
        {"*a*a*a", "bababa", EXACT, true},
        {"a**b", "ab", EXACT, true},
        {"**", "", EXACT, true},
    };

    (void)state;
    check_match_cases(cases, ARRAY_SIZE(cases));
}

static void glob_match_question_mark(void **state)
{
    static const match_case cases[] = {
        {"??", "ab", EXACT, true},
        {"??", "a", EXACT, false},
        {"??", "abc", EXACT, false},
        {"s3:Get?bject", "s3:GetObject", EXACT, true},
        {"?*", "", EXACT, false},
        {"?*", "x", EXACT, true},
        {"*?", "", EXACT, false},
        {"*?", "a", EXACT, true},
        {"a?*c", "abc", EXACT, true},
        {"a?*c", "ac", EXACT, false},
    };

    (void)state;
    check_match_cases(cases, ARRAY_SIZE(cases));
}

static void glob_match_fold_case(void **state)
{
    static const match_case cases[] = {
        {"iam:PassRole", "IAM:passrole", FOLD, true},
        {"iam:PassRole", "IAM:passrole", EXACT, false},
        {"IAM:*", "iam:x", FOLD, true},
        {"IAM:*", "iam:x", EXACT, false},
        {"a[", "A[", FOLD, true},
        /* `[` and `{` differ only in bit 0x20, but they are not letters. */
        {"a[", "A{", FOLD, false},
        /* Bytes above ASCII never fold. */
        {"\xC3*", "\xE3x", FOLD, false},
        {"\xC3*", "\xC3x", FOLD, true},
    };

    (void)state;
    check_match_cases(cases, ARRAY_SIZE(cases));
}

static void glob_match_empty(void **state)
{
    static const match_case cases[] = {
        {"", "", EXACT, true},
        {"", "a", EXACT, false},
        {"*", "", EXACT, true},
        {"*", "anything", EXACT, true},
        {"a", "", EXACT, false},
        {"?", "", EXACT, false},
    };

    (void)state;
    check_match_cases(cases, ARRAY_SIZE(cases));
}

typedef struct pair_case {
    const char *a;
    const char *b;
    int flags;
    int expected;
} pair_case;

static void check_intersect_cases(const pair_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const pair_case *c = &cases[i];
        int got = nhi_glob_intersects(c->a, c->b, c->flags);

        if (got != c->expected)
            print_error("intersect \"%s\" with \"%s\" (flags %d): "
                        "expected %d, got %d\n",
                        c->a, c->b, c->flags, c->expected, got);
        assert_int_equal(got, c->expected);
    }
}

static void glob_intersects_overlap(void **state)
{
    static const pair_case cases[] = {
        {"iam:*", "*:PassRole", EXACT, 1},     /* iam:PassRole */
        {"*Object", "s3:Get*", EXACT, 1},      /* s3:GetObject */
        {"a*", "*b", EXACT, 1},                /* ab */
        {"*a*", "*b*", EXACT, 1},              /* ab */
        {"a?c", "?b?", EXACT, 1},              /* abc */
        {"ab*", "*ba", EXACT, 1},              /* aba */
        {"*ab*", "*ba*", EXACT, 1},            /* aba */
        {"a*a*a", "???", EXACT, 1},            /* aaa */
        {"", "*", EXACT, 1},                   /* the empty string */
    };

    (void)state;
    check_intersect_cases(cases, ARRAY_SIZE(cases));
}

static void glob_intersects_disjoint(void **state)
{
    static const pair_case cases[] = {
        {"s3:Get*", "s3:Put*", EXACT, 0},
        /* The first byte would have to be both `a` and `b`. */
        {"a*b", "b*a", EXACT, 0},
        {"??", "???", EXACT, 0},
        {"x*y", "x", EXACT, 0},
        {"", "?", EXACT, 0},
        {"a*", "b*", EXACT, 0},
        {"*a", "*b", EXACT, 0},
        {"?*?", "a", EXACT, 0},
        {"a*a*a", "?", EXACT, 0},
    };

    (void)state;
    check_intersect_cases(cases, ARRAY_SIZE(cases));
}

static void glob_intersects_fold_case(void **state)
{
    static const pair_case cases[] = {
        {"IAM:Pass*", "iam:passrole", FOLD, 1},
        {"IAM:Pass*", "iam:passrole", EXACT, 0},
        {"a[*", "A{*", FOLD, 0},
    };

    (void)state;
    check_intersect_cases(cases, ARRAY_SIZE(cases));
}

typedef struct cover_case {
    const char *pattern;
    const char *cover[3];
    size_t count;
    int flags;
    int expected;
    const char *witness; /* the only shortest escape, or NULL if several */
} cover_case;

/* Check that `witness` matches the pattern and escapes every cover pattern. */
static void check_escape(const cover_case *c, const char *witness)
{
    assert_non_null(witness);
    assert_true(nhi_glob_match(c->pattern, witness, c->flags));
    for (size_t j = 0; j < c->count; j++) {
        if (nhi_glob_match(c->cover[j], witness, c->flags))
            print_error("witness \"%s\" matches cover \"%s\"\n", witness,
                        c->cover[j]);
        assert_false(nhi_glob_match(c->cover[j], witness, c->flags));
    }
}

static void check_cover_cases(const cover_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const cover_case *c = &cases[i];
        char *witness = (char *)"unset";
        int got = nhi_glob_covered(c->pattern, c->cover, c->count, c->flags,
                                   &witness);

        if (got != c->expected)
            print_error("cover \"%s\" (case %zu, flags %d): expected %d, "
                        "got %d\n",
                        c->pattern, i, c->flags, c->expected, got);
        assert_int_equal(got, c->expected);
        if (got == 1) {
            assert_null(witness);
            continue;
        }
        check_escape(c, witness);
        if (c->witness != NULL)
            assert_string_equal(witness, c->witness);
        free(witness);
    }
}

static void glob_covered_yes(void **state)
{
    static const cover_case cases[] = {
        {"s3:GetObject", {"s3:Get*"}, 1, EXACT, 1, NULL},
        {"iam:Put*", {"iam:*"}, 1, EXACT, 1, NULL},
        {"a*", {"a", "a?*"}, 2, EXACT, 1, NULL},
        {"ab*", {"a*b", "a*"}, 2, EXACT, 1, NULL},
        {"*", {"?*", ""}, 2, EXACT, 1, NULL},
        {"*", {"*"}, 1, EXACT, 1, NULL},
        {"a?", {"ab", "a*"}, 2, EXACT, 1, NULL},
        {"IAM:PassRole", {"iam:pass*"}, 1, FOLD, 1, NULL},
    };

    (void)state;
    check_cover_cases(cases, ARRAY_SIZE(cases));
}

static void glob_covered_no(void **state)
{
    static const cover_case cases[] = {
        {"s3:*", {"s3:Get*", "s3:Put*"}, 2, EXACT, 0, "s3:"},
        {"*", {NULL}, 0, EXACT, 0, ""},
        {"*", {"?*"}, 1, EXACT, 0, ""},
        {"a*", {"a*b"}, 1, EXACT, 0, "a"},
        {"a*a", {"a*b*a"}, 1, EXACT, 0, "aa"},
        {"s3:Get*", {"s3:GetObject", "s3:GetBucket*"}, 2, EXACT, 0, "s3:Get"},
        {"IAM:PassRole", {"iam:pass*"}, 1, EXACT, 0, "IAM:PassRole"},
        {"a?", {"ab", "ac"}, 2, EXACT, 0, NULL},
    };

    (void)state;
    check_cover_cases(cases, ARRAY_SIZE(cases));
}

static void glob_covered_witness_folded(void **state)
{
    const char *cover[] = {"IAM:*"};
    char *witness = NULL;
    int got = nhi_glob_covered("iam*", cover, 1, FOLD, &witness);

    (void)state;
    assert_int_equal(got, 0);
    /* Folding reports lowercase letters, so the shortest escape is `iam`. */
    assert_string_equal(witness, "iam");
    free(witness);
}

static void glob_covered_other_symbol(void **state)
{
    /* Every one-byte string escapes unless it starts with `z` or `Z`. */
    const char *cover[] = {"Z*", ""};
    char *witness = NULL;
    int got = nhi_glob_covered("*", cover, 2, FOLD, &witness);

    (void)state;
    assert_int_equal(got, 0);
    assert_non_null(witness);
    assert_int_equal(strlen(witness), 1);
    assert_int_not_equal(witness[0], 'z');
    assert_int_not_equal(witness[0], 'Z');
    assert_false(nhi_glob_match("Z*", witness, FOLD));
    free(witness);
}

static void glob_covered_shortest(void **state)
{
    /* Strings of two or more bytes minus those of three or more. */
    const char *cover[] = {"???*"};
    char *witness = NULL;
    int got = nhi_glob_covered("??*", cover, 1, EXACT, &witness);

    (void)state;
    assert_int_equal(got, 0);
    assert_non_null(witness);
    assert_int_equal(strlen(witness), 2);
    assert_true(nhi_glob_match("??*", witness, EXACT));
    assert_false(nhi_glob_match("???*", witness, EXACT));
    free(witness);
}

/* True for strings in patterns[0] and in none of the others. */
static bool first_only(const bool *member, size_t count, void *context)
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

typedef struct call_counter {
    size_t calls;
    bool answer;
} call_counter;

static bool count_calls(const bool *member, size_t count, void *context)
{
    call_counter *counter = context;

    (void)member;
    (void)count;
    counter->calls++;
    return counter->answer;
}

static void glob_exists_difference(void **state)
{
    const char *patterns[] = {"iam:*", "iam:Get*", "iam:List*"};
    char *witness = NULL;
    int got = nhi_glob_exists(patterns, 3, EXACT, first_only, NULL, 0,
                              &witness);

    (void)state;
    assert_int_equal(got, 1);
    assert_non_null(witness);
    assert_true(nhi_glob_match("iam:*", witness, EXACT));
    assert_false(nhi_glob_match("iam:Get*", witness, EXACT));
    assert_false(nhi_glob_match("iam:List*", witness, EXACT));
    /* `iam:` is the only four-byte string in iam:* and none is shorter. */
    assert_string_equal(witness, "iam:");
    free(witness);
}

static void glob_exists_difference_empty(void **state)
{
    const char *patterns[] = {"iam:Get*", "iam:*"};
    char *witness = (char *)"unset";
    int got = nhi_glob_exists(patterns, 2, EXACT, first_only, NULL, 0,
                              &witness);

    (void)state;
    assert_int_equal(got, 0);
    assert_null(witness);
}

static void glob_exists_calls_per_state(void **state)
{
    /* The DFA of `ab` has 4 states (start, after `a`, after `ab`, dead). */
    const char *patterns[] = {"ab"};
    call_counter counter = {0, false};
    int got =
        nhi_glob_exists(patterns, 1, EXACT, count_calls, &counter, 0, NULL);

    (void)state;
    assert_int_equal(got, 0);
    assert_int_equal(counter.calls, 4);
}

static void glob_exists_cap_boundary(void **state)
{
    const char *patterns[] = {"ab"};
    call_counter counter = {0, false};
    int got;

    (void)state;
    got = nhi_glob_exists(patterns, 1, EXACT, count_calls, &counter, 4, NULL);
    assert_int_equal(got, 0);
    got = nhi_glob_exists(patterns, 1, EXACT, count_calls, &counter, 3, NULL);
    assert_int_equal(got, NHI_ELIMIT);
}

static void glob_exists_state_cap(void **state)
{
    /* Each pattern alone has 9 reachable states, their product far more. */
    const char *patterns[] = {
        "*a*b*c*d*e*f*g*h*", "*h*g*f*e*d*c*b*a*", "*b*d*f*h*a*c*e*g*",
        "*g*e*c*a*h*f*d*b*", "*c*f*a*d*g*b*e*h*", "*e*a*f*b*g*c*h*d*",
    };
    call_counter counter = {0, false};
    char *witness = (char *)"unset";
    int got = nhi_glob_exists(patterns, ARRAY_SIZE(patterns), EXACT,
                              count_calls, &counter, 10, &witness);

    (void)state;
    assert_int_equal(got, NHI_ELIMIT);
    assert_int_equal(counter.calls, 10);
    assert_null(witness);
}

static bool in_none(const bool *member, size_t count, void *context)
{
    (void)context;
    for (size_t i = 0; i < count; i++) {
        if (member[i])
            return false;
    }
    return true;
}

static void glob_exists_outside_all(void **state)
{
    /* Only strings that reach the dead state match neither pattern. */
    const char *patterns[] = {"a*", ""};
    char *witness = NULL;
    int got = nhi_glob_exists(patterns, 2, EXACT, in_none, NULL, 0, &witness);

    (void)state;
    assert_int_equal(got, 1);
    assert_non_null(witness);
    assert_int_equal(strlen(witness), 1);
    assert_false(nhi_glob_match("a*", witness, EXACT));
    assert_false(nhi_glob_match("", witness, EXACT));
    free(witness);
}

static void glob_exists_no_patterns(void **state)
{
    call_counter accept_all = {0, true};
    call_counter reject_all = {0, false};
    char *witness = NULL;
    int got;

    (void)state;
    got = nhi_glob_exists(NULL, 0, EXACT, count_calls, &accept_all, 0,
                          &witness);
    assert_int_equal(got, 1);
    assert_int_equal(accept_all.calls, 1);
    assert_non_null(witness);
    assert_string_equal(witness, "");
    free(witness);

    got = nhi_glob_exists(NULL, 0, EXACT, count_calls, &reject_all, 0,
                          &witness);
    assert_int_equal(got, 0);
    assert_int_equal(reject_all.calls, 1);
    assert_null(witness);
}

static void glob_exists_long_pattern(void **state)
{
    /* Patterns longer than 64 bytes span several bitset words. */
    char literal[201];
    char prefix[201];
    const char *patterns[2] = {prefix, literal};
    char *witness = NULL;
    int got;

    (void)state;
    memset(literal, 'a', 200);
    literal[200] = '\0';
    memset(prefix, 'a', 200);
    prefix[199] = '*';
    prefix[200] = '\0';

    /* Prefix is 199 `a` then `*`, so 199 `a` escapes the 200-byte literal. */
    got = nhi_glob_exists(patterns, 2, EXACT, first_only, NULL, 0, &witness);
    assert_int_equal(got, 1);
    assert_non_null(witness);
    assert_int_equal(strlen(witness), 199);
    assert_true(nhi_glob_match(prefix, witness, EXACT));
    assert_false(nhi_glob_match(literal, witness, EXACT));
    free(witness);

    got = nhi_glob_intersects(prefix, literal, EXACT);
    assert_int_equal(got, 1);
}

static void glob_exists_word_boundary(void **state)
{
    /* Lengths where the final position or a `*` sits at a word's top bit. */
    static const size_t lengths[] = {63, 64, 65, 127, 128};

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(lengths); i++) {
        size_t n = lengths[i];
        char literal[129];
        char prefix[129];
        const char *cover_literal[1] = {literal};
        const char *cover_prefix[1] = {prefix};
        char *witness = NULL;
        int got;

        /* `literal` is n `a`, and `prefix` is n - 1 `a` then `*`. */
        memset(literal, 'a', n);
        literal[n] = '\0';
        memcpy(prefix, literal, n + 1);
        prefix[n - 1] = '*';

        got = nhi_glob_intersects(literal, prefix, EXACT);
        assert_int_equal(got, 1);
        got = nhi_glob_covered(literal, cover_prefix, 1, EXACT, NULL);
        assert_int_equal(got, 1);
        got = nhi_glob_covered(prefix, cover_literal, 1, EXACT, &witness);
        assert_int_equal(got, 0);
        assert_non_null(witness);
        assert_int_equal(strlen(witness), n - 1);
        assert_int_equal(strspn(witness, "a"), n - 1);
        free(witness);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(glob_match_star_start),
        cmocka_unit_test(glob_match_star_middle),
        cmocka_unit_test(glob_match_star_end),
        cmocka_unit_test(glob_match_multiple_stars),
        cmocka_unit_test(glob_match_question_mark),
        cmocka_unit_test(glob_match_fold_case),
        cmocka_unit_test(glob_match_empty),
        cmocka_unit_test(glob_intersects_overlap),
        cmocka_unit_test(glob_intersects_disjoint),
        cmocka_unit_test(glob_intersects_fold_case),
        cmocka_unit_test(glob_covered_yes),
        cmocka_unit_test(glob_covered_no),
        cmocka_unit_test(glob_covered_witness_folded),
        cmocka_unit_test(glob_covered_other_symbol),
        cmocka_unit_test(glob_covered_shortest),
        cmocka_unit_test(glob_exists_difference),
        cmocka_unit_test(glob_exists_difference_empty),
        cmocka_unit_test(glob_exists_calls_per_state),
        cmocka_unit_test(glob_exists_cap_boundary),
        cmocka_unit_test(glob_exists_state_cap),
        cmocka_unit_test(glob_exists_outside_all),
        cmocka_unit_test(glob_exists_no_patterns),
        cmocka_unit_test(glob_exists_long_pattern),
        cmocka_unit_test(glob_exists_word_boundary),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
