#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Escalation paths on small exports, one per case: known paths must be
# found and look-alikes must not be. Usage: paths.sh NHI SOURCE_ROOT
set -u

nhi=$(realpath "$1")
root=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

python3 "$root/tests/integration/paths_cases.py" "$work" >"$work/cases.txt" || exit 1
while read -r name expected; do
    (cd "$work" && "$nhi" audit --no-state --now 2026-12-01 --format json \
        "$name.json" >"$work/$name.report" 2>"$work/$name.stderr")
    status=$?
    if [ "$status" -gt 1 ]; then
        echo "FAIL: $name: exit status $status: $(head -1 "$work/$name.stderr")"
        failures=$((failures + 1))
        continue
    fi
    actual=$(python3 -c "
import json, sys
report = json.load(open(sys.argv[1]))
found = [f for f in report['findings'] if f['rule'] == 'move.escalation-path'
         and f['identity'].endswith(':user/caller')]
if not found:
    print('no')
else:
    print('possible' if found[0]['message'].startswith('can possibly') else 'definite')" "$work/$name.report")
    if [ "$actual" != "$expected" ]; then
        echo "FAIL: $name: escalation found: $actual, expected $expected"
        failures=$((failures + 1))
    fi
done <"$work/cases.txt"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "paths: $(wc -l <"$work/cases.txt") cases passed"
