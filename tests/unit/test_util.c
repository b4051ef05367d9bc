/* SPDX-License-Identifier: MIT */
/* Unit tests of the shared helpers: thread counts and units of work. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "util.h"

#define UNIT_COUNT 1000

typedef struct counts {
    atomic_int runs[UNIT_COUNT];
    atomic_int begun;
    atomic_int ended;
    atomic_int wrong_state; /* runs given another thread's state */
} counts;

static void *count_begin(void *context)
{
    counts *c = context;

    atomic_fetch_add(&c->begun, 1);
    return c;
}

static void count_run(void *context, void *state, size_t index)
{
    counts *c = context;

    /* cmocka asserts only on the main thread: count, check later. */
    if (state != context)
        atomic_fetch_add(&c->wrong_state, 1);
    atomic_fetch_add(&c->runs[index], 1);
}

static void count_end(void *context, void *state)
{
    counts *c = context;

    (void)state;
    atomic_fetch_add(&c->ended, 1);
}

/* Run UNIT_COUNT units with NHI_THREADS set to `threads`. */
static void run_counted(const char *threads, counts *c)
{
    nhi_units units = {UNIT_COUNT, c, count_begin, count_run, count_end};

    for (size_t i = 0; i < UNIT_COUNT; i++)
        atomic_init(&c->runs[i], 0);
    atomic_init(&c->begun, 0);
    atomic_init(&c->ended, 0);
    atomic_init(&c->wrong_state, 0);
    setenv("NHI_THREADS", threads, 1);
    nhi_units_run(&units);
    unsetenv("NHI_THREADS");
}

static void units_run_once_on_four_threads(void **state)
{
    counts *c = calloc(1, sizeof(*c));

    (void)state;
    assert_non_null(c);
    run_counted("4", c);
    for (size_t i = 0; i < UNIT_COUNT; i++)
        assert_int_equal(atomic_load(&c->runs[i]), 1);
    assert_int_equal(atomic_load(&c->begun), 4);
    assert_int_equal(atomic_load(&c->ended), 4);
    assert_int_equal(atomic_load(&c->wrong_state), 0);
    free(c);
}

static void units_run_once_on_one_thread(void **state)
{
    counts *c = calloc(1, sizeof(*c));

    (void)state;
    assert_non_null(c);
    run_counted("1", c);
    for (size_t i = 0; i < UNIT_COUNT; i++)
        assert_int_equal(atomic_load(&c->runs[i]), 1);
    assert_int_equal(atomic_load(&c->begun), 1);
    assert_int_equal(atomic_load(&c->ended), 1);
    assert_int_equal(atomic_load(&c->wrong_state), 0);
    free(c);
}

static void thread_count_reads_environment(void **state)
{
    (void)state;
    setenv("NHI_THREADS", "3", 1);
    assert_int_equal(nhi_thread_count(), 3);
    setenv("NHI_THREADS", "1000", 1);
    assert_int_equal(nhi_thread_count(), NHI_THREADS_MAX);
    /* Not a positive number: the processors decide, as when unset. */
    setenv("NHI_THREADS", "0", 1);
    assert_true(nhi_thread_count() >= 1);
    assert_true(nhi_thread_count() <= NHI_THREADS_MAX);
    setenv("NHI_THREADS", "two", 1);
    assert_true(nhi_thread_count() >= 1);
    unsetenv("NHI_THREADS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(units_run_once_on_four_threads),
        cmocka_unit_test(units_run_once_on_one_thread),
        cmocka_unit_test(thread_count_reads_environment),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
