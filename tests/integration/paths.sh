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

# Scope rules and edges are found in units of 256 to 512 identities on
# several threads, and the units are joined in order. So a synthetic
# organisation of 3,000 principals (12 edge units) must give the same
# report on one thread and on three, byte for byte, with findings.
python3 "$root/bench/gen_authz.py" --principals 3000 --seed 7 \
    --output "$work/org.json" 2>"$work/gen.log" || exit 1
for threads in 1 3; do
    (cd "$work" && NHI_THREADS=$threads "$nhi" audit --no-state --now 2026-12-01 \
        --format json --output "threads-$threads.json" org.json 2>/dev/null)
done
if ! cmp -s "$work/threads-1.json" "$work/threads-3.json"; then
    echo "FAIL: threads: the report on 3 threads differs from the one on 1"
    failures=$((failures + 1))
fi
python3 - "$work/threads-3.json" <<'PY' || failures=$((failures + 1))
import json, sys
report = json.load(open(sys.argv[1]))
rules = {f["rule"] for f in report["findings"]}
assert len(report["identities"]) == 3000, len(report["identities"])
assert {"move.escalation-path", "scope.full-admin",
        "scope.sensitive-wildcard"} <= rules, sorted(rules)
PY

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "paths: $(wc -l <"$work/cases.txt") cases passed"
