#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the YAML libFuzzer harness with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer) and fuzz it for a number of seconds.
#
#   sh tests/fuzz/run.sh BUILD_DIR SECONDS
#
# New inputs go to BUILD_DIR/corpus/yaml, so the seed corpus in the
# repository only changes by hand. A crash or leak stops the run and is
# written to BUILD_DIR/artifacts/yaml/; minimise it with
#   BUILD_DIR/fuzz_yaml -minimize_crash=1 -runs=100000 CRASH_FILE
# and save the result under tests/fuzz/regressions/yaml/, which the test
# suite replays.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: sh tests/fuzz/run.sh BUILD_DIR SECONDS" >&2
    exit 2
fi
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/../.." && pwd)

mkdir -p "$build/corpus/yaml" "$build/artifacts/yaml"
python3 "$root/tools/embed.py" "$root/data/catalog.csv" \
    "$build/catalog_csv.c" nhi_builtin_catalog_csv

# The library sources that the YAML and declaration readers need, compiled
# into the harness so that all of them are instrumented.
lib=$root/src/lib
clang -g -O1 -std=c17 -D_DEFAULT_SOURCE \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/include" -I"$root/src/lib" \
    "$root/tests/fuzz/fuzz_yaml.c" \
    "$lib/arena.c" "$lib/catalog.c" "$lib/common.c" "$lib/csvread.c" \
    "$lib/decl.c" "$lib/error.c" "$lib/util.c" "$lib/ytree.c" \
    "$build/catalog_csv.c" \
    -lyaml -lcsv -o "$build/fuzz_yaml"

# -max_len 65536: declarations are a few KiB, so longer inputs only slow
# the search. The seed corpus and the regressions are read, never written.
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
"$build/fuzz_yaml" \
    -max_len=65536 \
    -max_total_time="$seconds" \
    -dict="$root/tests/fuzz/yaml.dict" \
    -artifact_prefix="$build/artifacts/yaml/" \
    -print_final_stats=1 \
    "$build/corpus/yaml" \
    "$root/tests/fuzz/corpus/yaml" \
    "$root/tests/fuzz/regressions/yaml"
