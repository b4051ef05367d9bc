#!/bin/sh
# SPDX-License-Identifier: MIT
# Build one libFuzzer harness with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer) and fuzz it for a number of seconds.
#
#   sh tests/fuzz/run.sh BUILD_DIR SECONDS [HARNESS]
#
# HARNESS is the NAME of tests/fuzz/fuzz_NAME.c (default: yaml). New
# inputs go to BUILD_DIR/corpus/NAME, so the seed corpus in the repository
# only changes by hand. A crash or leak stops the run and is written to
# BUILD_DIR/artifacts/NAME/; minimise it with
#   BUILD_DIR/fuzz_NAME -minimize_crash=1 -runs=100000 CRASH_FILE
# and save the result under tests/fuzz/regressions/NAME/, which the test
# suite replays.
set -eu

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: sh tests/fuzz/run.sh BUILD_DIR SECONDS [HARNESS]" >&2
    exit 2
fi
build=$1
seconds=$2
name=${3:-yaml}
root=$(cd "$(dirname "$0")/../.." && pwd)

if [ ! -f "$root/tests/fuzz/fuzz_$name.c" ]; then
    echo "run.sh: no harness tests/fuzz/fuzz_$name.c" >&2
    exit 2
fi
mkdir -p "$build/corpus/$name" "$build/artifacts/$name"
python3 "$root/tools/embed.py" "$root/data/catalog.csv" \
    "$build/catalog_csv.c" nhi_builtin_catalog_csv

# Every library source is compiled into the harness, so that all of them
# are instrumented.
lib=$root/src/lib
# shellcheck disable=SC2046
clang -g -O1 -std=c17 -D_DEFAULT_SOURCE -DNHI_VERSION=\"fuzz\" \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/include" -I"$root/src/lib" \
    "$root/tests/fuzz/fuzz_$name.c" $(ls "$lib"/*.c) \
    "$build/catalog_csv.c" \
    -lyaml -lcsv -ljansson -lsqlite3 -lcrypto -lm -o "$build/fuzz_$name"

dict=
if [ -f "$root/tests/fuzz/$name.dict" ]; then
    dict=-dict=$root/tests/fuzz/$name.dict
fi
seeds=
if [ -d "$root/tests/fuzz/corpus/$name" ]; then
    seeds=$root/tests/fuzz/corpus/$name
fi

# -max_len 65536: inputs of a few KiB exercise every branch, and longer
# ones only slow the search. Seeds and regressions are read, never written.
# shellcheck disable=SC2086
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
"$build/fuzz_$name" \
    -max_len=65536 \
    -max_total_time="$seconds" \
    $dict \
    -artifact_prefix="$build/artifacts/$name/" \
    -print_final_stats=1 \
    "$build/corpus/$name" \
    $seeds \
    "$root/tests/fuzz/regressions/$name"
