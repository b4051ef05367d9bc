#!/bin/bash
# SPDX-License-Identifier: MIT
# Integration tests of `nhi check` and `nhi catalog`: each fixture's exact
# stderr and stdout against a golden file, exit statuses, the example
# workspace, and the catalog as JSON.
#
#   bash tests/integration/check.sh NHI SOURCE_ROOT
#
# nhi runs inside the fixture folder, so that the paths it prints are
# relative. The workspace line of stdout contains the absolute folder of
# the workspace, so the source root is removed from it before comparing.
# With NHI_UPDATE_GOLDEN=1 the golden files are rewritten instead of
# compared. Review every changed line by hand before keeping it.
set -u

if [ $# -ne 2 ]; then
    echo "usage: bash check.sh NHI SOURCE_ROOT" >&2
    exit 2
fi
nhi=$(realpath "$1")
root=$(cd "$2" && pwd -P)
fixtures=$root/tests/fixtures/decl
expected=$root/tests/integration/expected
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NO_COLOR=1
failures=0
passes=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

pass() {
    echo "ok: $*"
    passes=$((passes + 1))
}

# Compare output file $2 of case $1 with its golden file $3.
compare() {
    local name=$1 actual=$2 golden=$3

    if [ "${NHI_UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$actual" "$golden"
        return 0
    fi
    if [ ! -f "$golden" ]; then
        fail "$name: golden file $golden is missing"
        return 1
    fi
    if ! diff -u "$golden" "$actual"; then
        fail "$name: output differs from $(basename "$golden")"
        return 1
    fi
    return 0
}

# run_check NAME STATUS FOLDER ARGS...: run `nhi check ARGS` in FOLDER and
# compare its exit status with STATUS and its stderr and stdout with
# expected/NAME.stderr and expected/NAME.stdout.
run_check() {
    local name=$1 want=$2 folder=$3 status ok=1
    shift 3

    (cd "$folder" && "$nhi" check "$@") >"$work/$name.raw-stdout" \
        2>"$work/$name.stderr"
    status=$?
    sed "s|$root/||g" "$work/$name.raw-stdout" >"$work/$name.stdout"
    if [ "$status" -ne "$want" ]; then
        fail "$name: exit status $status, expected $want"
        ok=0
    fi
    compare "$name" "$work/$name.stderr" "$expected/$name.stderr" || ok=0
    compare "$name" "$work/$name.stdout" "$expected/$name.stdout" || ok=0
    if [ "$ok" = 1 ]; then
        pass "$name"
    fi
}

# One case per fixture; the valid files pass, every broken one exits 3.
run_check valid-minimal 0 "$fixtures" valid-minimal.yaml
run_check valid-documents 0 "$fixtures" valid-documents.yaml
run_check tab-indent 3 "$fixtures" tab-indent.yaml
run_check truncated-flow 3 "$fixtures" truncated-flow.yaml
run_check truncated-quote 3 "$fixtures" truncated-quote.yaml
run_check invalid-utf8 3 "$fixtures" invalid-utf8.yaml
run_check duplicate-key 3 "$fixtures" duplicate-key.yaml
run_check repeated-list 3 "$fixtures" repeated-list.yaml
run_check deep-nesting 3 "$fixtures" deep-nesting.yaml
run_check unknown-key 3 "$fixtures" unknown-key.yaml
run_check missing-key 3 "$fixtures" missing-key.yaml
run_check unknown-action 3 "$fixtures" unknown-action.yaml
run_check unknown-alias 3 "$fixtures" unknown-alias.yaml
run_check allowed-and-prohibited 3 "$fixtures" allowed-and-prohibited.yaml
run_check duplicate-name 3 "$fixtures" duplicate-name-first.yaml \
    duplicate-name-second.yaml
run_check identity-bound-twice 3 "$fixtures" identity-bound-twice.yaml
run_check bad-review 3 "$fixtures" bad-review.yaml
run_check bad-max-credential-age 3 "$fixtures" bad-max-credential-age.yaml
run_check bad-last-reviewed 3 "$fixtures" bad-last-reviewed.yaml
run_check multi-document 3 "$fixtures" multi-document.yaml

# Every fixture in one run: no broken file stops the others from loading,
# so each valid declaration is still listed.
fixture_names=$(cd "$fixtures" && echo *.yaml)
# shellcheck disable=SC2086 # the names hold no spaces
run_check all-fixtures 3 "$fixtures" $fixture_names

# A folder with one broken and one valid file: the valid declaration is
# listed and applied, and the run still exits 3.
run_check mixed-folder 3 "$fixtures" mixed
if grep -qx 'mixed/valid.yaml: 1 declaration' "$work/mixed-folder.stdout" &&
    grep -qx '  mixed-valid (line 1)' "$work/mixed-folder.stdout" &&
    grep -qx '    owner: platform-team' "$work/mixed-folder.stdout"; then
    pass "mixed-folder: valid declaration listed"
else
    fail "mixed-folder: mixed/valid.yaml or its declaration is not listed"
fi

# The example workspace is clean.
run_check examples 0 "$root/examples" .

# The built-in catalog as JSON contains exactly the 21 neutral actions.
if (cd "$work" && "$nhi" catalog --format json) >"$work/catalog.json" \
    2>"$work/catalog.stderr"; then
    if python3 - "$work/catalog.json" <<'EOF'
import json
import sys

EXPECTED = {
    "queue.read", "queue.write", "object.get", "object.put", "object.delete",
    "object.list", "db.read", "db.write", "secrets.read", "secrets.write",
    "keys.use", "keys.admin", "logs.read", "logs.write", "compute.run",
    "compute.admin", "network.admin", "iam.read", "iam.admin",
    "billing.read", "billing.export",
}
PROVIDERS = ("aws", "gcp", "azure", "kubernetes")

with open(sys.argv[1], encoding="utf-8") as handle:
    catalog = json.load(handle)
problems = []
if catalog.get("schema_version") != 1:
    problems.append("schema_version is %r, expected 1"
                    % catalog.get("schema_version"))
actions = catalog.get("actions", [])
names = [action["name"] for action in actions]
if len(names) != len(EXPECTED) or set(names) != EXPECTED:
    problems.append("names: missing %s, unexpected %s"
                    % (sorted(EXPECTED - set(names)),
                       sorted(set(names) - EXPECTED)))
if names != sorted(names):
    problems.append("actions are not in name order")
for action in actions:
    if action.get("origin") != "built-in":
        problems.append("%s: origin %r" % (action["name"], action.get("origin")))
    if not action.get("description"):
        problems.append("%s: no description" % action["name"])
    for provider in PROVIDERS:
        if not isinstance(action.get(provider), list):
            problems.append("%s: %s is not a list" % (action["name"], provider))
    if not action.get("aws"):
        problems.append("%s: no aws pattern" % action["name"])
for problem in problems:
    print("catalog json: " + problem)
sys.exit(1 if problems else 0)
EOF
    then
        pass "catalog-json"
    else
        fail "catalog-json: unexpected content"
    fi
else
    fail "catalog-json: nhi catalog exited with an error"
    cat "$work/catalog.stderr"
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
