/* SPDX-License-Identifier: MIT */
/*
 * Baseline for the benchmark: parse one JSON file into a whole jansson tree
 * with json_load_file (flags 0) and exit. Its time and peak memory are the
 * cost of reading the input before any analysis, the reference that
 * `nhi audit` is compared against.
 */
#include <jansson.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    json_error_t error;
    json_t *root;

    if (argc != 2) {
        fprintf(stderr, "usage: bare_parse FILE\n");
        return 2;
    }
    root = json_load_file(argv[1], 0, &error);
    if (root == NULL) {
        fprintf(stderr, "%s:%d:%d: error: %s\n", argv[1], error.line,
                error.column, error.text);
        return 1;
    }
    /* The tree is not freed, because freeing is not part of parsing and
     * the process exits next. */
    return 0;
}
