/* SPDX-License-Identifier: MIT */
/*
 * Run a libFuzzer harness without libFuzzer: call LLVMFuzzerTestOneInput
 * once per file named on the command line, or per file in a named folder,
 * so that the test suite replays saved crashes and seeds.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Saved inputs stay far below the -max_len of 64 KiB used when fuzzing. */
#define MAX_INPUT_SIZE (1024u * 1024)

static int replay_file(const char *path)
{
    char *data = NULL;
    size_t length = 0;

    if (nhi_read_file(path, MAX_INPUT_SIZE, &data, &length) != 0) {
        fprintf(stderr, "replay: cannot read '%s'\n", path);
        return -1;
    }
    printf("replay: %s (%zu bytes)\n", path, length);
    fflush(stdout);
    LLVMFuzzerTestOneInput((const uint8_t *)data, length);
    free(data);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay the regular files of `folder` in name order, skipping dot files.
 * Returns the number replayed, or -1. */
static long replay_folder(const char *folder)
{
    DIR *directory = opendir(folder);
    struct dirent *entry;
    char **paths = NULL;
    size_t count = 0, capacity = 0;
    long replayed = 0;

    if (directory == NULL) {
        fprintf(stderr, "replay: cannot open folder '%s'\n", folder);
        return -1;
    }
    while ((entry = readdir(directory)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        if (nhi_grow((void **)&paths, &capacity, count + 1, sizeof(*paths)) <
                0 ||
            (paths[count] = nhi_asprintf("%s/%s", folder, entry->d_name)) ==
                NULL) {
            fprintf(stderr, "replay: out of memory\n");
            replayed = -1;
            break;
        }
        count++;
    }
    closedir(directory);
    qsort(paths, count, sizeof(*paths), compare_names);

    for (size_t i = 0; i < count; i++) {
        struct stat info;
        if (replayed >= 0 && stat(paths[i], &info) == 0 &&
            S_ISREG(info.st_mode))
            replayed = replay_file(paths[i]) < 0 ? -1 : replayed + 1;
        free(paths[i]);
    }
    free(paths);
    return replayed;
}

int main(int argc, char **argv)
{
    long total = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_FOLDER...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat info;
        long replayed;

        if (stat(argv[i], &info) == 0 && S_ISDIR(info.st_mode))
            replayed = replay_folder(argv[i]);
        else
            replayed = replay_file(argv[i]) < 0 ? -1 : 1;
        if (replayed < 0)
            return 1;
        total += replayed;
    }
    /* An empty folder is a mistake in the test setup, not a pass. */
    if (total == 0) {
        fprintf(stderr, "replay: no input files found\n");
        return 1;
    }
    printf("replay: %ld inputs, no crash\n", total);
    return 0;
}
