#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration test of `nhi audit` on public AWS exports: the five
# authorization-details files and the five credential reports of the shared
# corpus, with the declarations in tests/fixtures/corpus-decl. Each golden
# list in tests/integration/expected/corpus-*.txt was worked out by hand from
# the policies; corpus-NOTES.md explains the subtle lines.
# Usage: corpus.sh NHI SOURCE_ROOT
# Exits 77 (skipped) when SOURCE_ROOT/../shared/corpus does not exist.
set -u

nhi=$(realpath "$1")
root=$(realpath "$2")
if [ ! -d "$root/../shared/corpus" ]; then
    echo "skip: ../shared/corpus not found"
    exit 77
fi
corpus=$(realpath "$root/../shared/corpus")
authz="$corpus/aws-authz"
credreport="$corpus/aws-credreport"
decl="$root/tests/fixtures/corpus-decl"
expected="$root/tests/integration/expected"
findings="python3 $root/tests/integration/findings.py"
now=2026-12-01T00:00:00Z
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# Audit INPUT... into $work/NAME.json and compare its findings with
# expected/corpus-GOLDEN.txt. The run is from an empty folder, so no
# nhi.yaml changes the defaults.
audit_case() { # name golden expected-status input...
    local name=$1 golden=$2 status=$3
    shift 3
    (cd "$work" && "$nhi" audit --no-state --now "$now" --format json "$@" \
        >"$work/$name.json" 2>"$work/$name.stderr")
    local actual=$?
    [ "$actual" -eq "$status" ] ||
        fail "$name: exit status $actual, expected $status: $(grep -m1 error "$work/$name.stderr")"
    $findings "$work/$name.json" >"$work/$name.txt" ||
        { fail "$name: no JSON report"; return; }
    diff -u "$expected/corpus-$golden.txt" "$work/$name.txt" ||
        fail "$name: findings differ from expected/corpus-$golden.txt"
}

# Check the class of each identity named in a Python dict of id to class.
check_identities() { # name python-dict-of-id-to-class
    python3 - "$work/$1.json" "$2" <<'PY' || fail "$1: identity classes"
import ast, json, sys
report = json.load(open(sys.argv[1]))
expected = ast.literal_eval(sys.argv[2])
classes = {i["id"]: i["class"] for i in report["identities"]}
wrong = {k: (classes.get(k), v) for k, v in expected.items() if classes.get(k) != v}
assert not wrong, "actual, expected: %r" % wrong
PY
}

check_identity_count() { # name count
    python3 -c "import json,sys; n=len(json.load(open(sys.argv[1]))['identities']); assert n == int(sys.argv[2]), n" \
        "$work/$1.json" "$2" || fail "$1: identity count, expected $2"
}

a=arn:aws:iam::111122223333
b=arn:aws:iam::012345678901

# --- the IAM Vulnerable lab account: 44 users, 78 roles, 5 groups ---
audit_case iam-vulnerable iam-vulnerable 1 \
    "$authz/cloudsplaining_iam-vulnerable-account.json" "$decl/iam-vulnerable.yaml"
check_identity_count iam-vulnerable 122
check_identities iam-vulnerable "{
    # Trusted by an SSO assumed-role session: a person's session.
    '$a:role/fn1-privesc3-partial-role': 'human',
    # Trusted by intermediate, trusted by starting, trusted by an SSO session.
    '$a:role/privesc-AssumeRole-ending-role': 'human',
    '$a:role/privesc-AssumeRole-intermediate-role': 'human',
    # Trusted by AdministrationRole, which cloudformation.amazonaws.com assumes.
    '$a:role/AWS-QuickSetup-StackSet-Local-ExecutionRole': 'workload',
    # Trusted by a role of account 444455556666, which is not in the export.
    '$a:role/stacksets-exec-b5520cb2730c2f54b523d6375a319abb': 'unknown',
    '$a:role/OrganizationAccountAccessRole': 'unknown',
    '$a:role/privesc-permissive-role-trust': 'unknown',
    # Trusted by an IAM user with no credential report. Declared, so workload.
    '$a:role/privesc-sre-role': 'workload',
    # Trusted by an SSO session, but a declaration binds it.
    '$a:role/fp1-allow-and-deny-role': 'workload',
    '$a:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc': 'human',
    '$a:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport': 'provider-managed',
    '$a:user/privesc-sre-user': 'unknown',
    '$b:user/userwithlotsofpermissions': 'workload',
    '$b:role/MyRole': 'workload',
}"
python3 - "$work/iam-vulnerable.json" <<'PY' || fail "iam-vulnerable: escalation starts"
import json, sys
report = json.load(open(sys.argv[1]))
paths = {f["identity"].rsplit("/", 1)[1]: f["message"] for f in report["findings"]
         if f["rule"] == "move.escalation-path"}
names = {i["id"].rsplit("/", 1)[1] for i in report["identities"]}
# Principals of the privesc sets that have no path in this export:
no_path = {
    # Targets, not starts: admin already, or trusted only by other roles.
    "privesc-high-priv-service-role", "privesc-AssumeRole-ending-role",
    "privesc-permissive-role-trust",
    # The export contains no policy of this user, and no role trusts it.
    "privesc-AssumeRole-start-user",
    # Role-editing users with no way to become a role.
    "privesc9-AttachRolePolicy-user", "privesc12-PutRolePolicy-user",
    # User- and group-editing roles with no way to become a user.
    "privesc7-AttachUserPolicy-role", "privesc8-AttachGroupPolicy-role",
    "privesc10-PutUserPolicy-role", "privesc11-PutGroupPolicy-role",
    "privesc13-AddUserToGroup-role",
}
# 76 users and roles of the export are named privesc* or fn*, and 11 of
# them are above, which leaves 65 starts.
starts = {n for n in names if n.startswith(("privesc", "fn"))} - no_path
assert len(starts) == 65, len(starts)
missing = sorted(starts - set(paths))
assert not missing, missing
assert not no_path & set(paths), sorted(no_path & set(paths))
false_positives = sorted(n for n in paths if n.startswith("fp"))
assert not false_positives, false_positives
# Possible, not definite: no version of its policy allows everything.
for name in ("privesc2-SetExistingDefaultPolicyVersion-user",
             "privesc2-SetExistingDefaultPolicyVersion-role"):
    assert paths[name].startswith("can possibly reach"), paths[name]
PY
python3 - "$work/iam-vulnerable.json" <<'PY' || fail "iam-vulnerable: bindings"
import json, sys
report = json.load(open(sys.argv[1]))
bound = {i["id"]: i["declaration"] for i in report["identities"] if i["declaration"]}
assert bound["arn:aws:iam::012345678901:role/MyRole"] == "MyRole", bound
assert len(bound) == 8, bound
PY

# --- the other authorization details, each alone ---
audit_case overrides overrides 1 \
    "$authz/cloudsplaining_authz-details-for-overrides.json" "$decl/overrides.yaml"
check_identity_count overrides 3
audit_case example-authz example-authz 1 "$authz/cloudsplaining_example-authz-details.json"
check_identity_count example-authz 6
# One group and no users or roles: only the declaration can give findings.
audit_case managed-policy-mismatch managed-policy-mismatch 1 \
    "$authz/cloudsplaining_managed-policy-mismatch.json" "$decl/managed-policy-mismatch.yaml"
check_identity_count managed-policy-mismatch 0

# --- the CloudMapper demo account with its credential report ---
# Its two users and its group have ARNs with the account "aws", which is
# not a 12-digit account: errors that leave them out, so the exit status is 3.
audit_case cloudmapper cloudmapper 3 \
    "$authz/cloudmapper_demo-authz-details.json" \
    "$credreport/cloudmapper_get-credential-report-response.json" "$decl/cloudmapper.yaml"
grep -q "invalid ARN.*arn:aws:iam::aws:user/USER_WITH_BAD_INLINE_POLICY" "$work/cloudmapper.stderr" ||
    fail "cloudmapper: no error for the user ARN with account 'aws'"
check_identity_count cloudmapper 7
check_identities cloudmapper "{
    'arn:aws:iam::123456789012:root': 'human',
    'arn:aws:iam::123456789012:user/auditor_tmp': 'workload',
    'arn:aws:iam::123456789012:user/user': 'unknown',
    'arn:aws:iam::123456789012:role/bad_role': 'unknown',
    'arn:aws:iam::123456789012:role/service-role/level1': 'workload',
}"

# --- credential reports without authorization details ---
audit_case testbench testbench 1 "$credreport/aws-testbench_credential_report.csv"
check_identities testbench "{
    'arn:aws:iam::123412341234:user/cloudgoat': 'workload',
    'arn:aws:iam::123412341234:user/dev-user1': 'unknown',
    'arn:aws:iam::123412341234:user/test_account': 'human',
}"

# The CSV and the recorded JSON response contain the same report.
custodian_classes="{
    'arn:aws:iam::777788889999:user/c7n-iam-test': 'workload',
    'arn:aws:iam::777788889999:user/c7n-test': 'unknown',
    'arn:aws:iam::777788889999:user/user-a': 'unknown',
    'arn:aws:iam::777788889999:user/user-b': 'human',
    'arn:aws:iam::777788889999:user/user-e': 'human',
}"
audit_case custodian-csv custodian 1 "$credreport/custodian_credential-report.csv" "$decl/custodian.yaml"
check_identity_count custodian-csv 20
check_identities custodian-csv "$custodian_classes"
grep -q "duplicate row for arn:aws:iam::777788889999:user/user-e" "$work/custodian-csv.stderr" ||
    fail "custodian-csv: no warning for the duplicated user-e row"
audit_case custodian-json custodian 1 "$credreport/custodian_GetCredentialReport-placebo.json" "$decl/custodian.yaml"
check_identity_count custodian-json 20
check_identities custodian-json "$custodian_classes"

audit_case saa-notes saa-notes 1 "$credreport/saa-notes_credential-report-2025.csv" "$decl/saa-notes.yaml"
check_identities saa-notes "{
    'arn:aws:iam::567856785678:user/Ad': 'workload',
    'arn:aws:iam::567856785678:user/Regular': 'human',
    'arn:aws:iam::567856785678:root': 'human',
}"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "corpus: all checks passed"
