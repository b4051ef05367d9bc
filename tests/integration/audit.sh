#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration tests of `nhi audit`, `nhi review` and `nhi diff` on the
# example workspace and on inputs this script breaks on purpose.
# Usage: audit.sh NHI SOURCE_ROOT
set -u

nhi=$(realpath "$1")
root=$(realpath "$2")
findings="python3 $root/tests/integration/findings.py"
now=2026-12-04T00:00:00Z
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

expect_status() { # expected actual what
    [ "$1" -eq "$2" ] || fail "$3: exit status $2, expected $1"
}

fresh_workspace() {
    rm -rf "$work/ws"
    cp -r "$root/examples" "$work/ws"
    rm -rf "$work/ws/.nhi"
}

# --- the example workspace: exact findings, worked out by hand ---
fresh_workspace
cd "$work/ws" || exit 1
"$nhi" audit --no-state --now "$now" --format json . >"$work/report.json" 2>"$work/stderr"
expect_status 1 $? "examples audit"
$findings "$work/report.json" >"$work/findings.txt"
diff -u "$root/tests/integration/expected/examples-findings.txt" "$work/findings.txt" ||
    fail "examples findings differ from the golden list"
python3 - "$work/report.json" <<'PY' || fail "examples report fields"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["schema_version"] == "1.1", report["schema_version"]
assert report["generated_at"] == "2026-12-04T00:00:00Z", report["generated_at"]
assert [i["status"] for i in report["inputs"]] == ["ok"] * 13, report["inputs"]
assert len(report["identities"]) == 13, len(report["identities"])
classes = {i["name"]: i["class"] for i in report["identities"]}
assert classes["AWSServiceRoleForSupport"] == "provider-managed", classes
assert classes["AWSReservedSSO_AdministratorAccess_0123456789abcdef"] == "human", classes
assert classes["nightly-etl"] == "workload", classes
assert classes["break-glass"] == "unknown", classes
# Blast radius, by hand. An admin can become the other 9 identities of
# its account, and the 2 service accounts of payments through
# ci-deployer's aws-auth group, which creates pods there. ci-deployer can
# rewrite the trust of break-glass (admin). staging-smoke-tests can assume
# ledger-writer only. The invoices-api service account becomes its IRSA
# role only.
radius = {i["name"]: i["blast_radius"] for i in report["identities"]}
assert radius["legacy-batch"] == 11, radius
assert radius["ci-deployer"] == 11, radius
assert radius["staging-smoke-tests"] == 1, radius
assert radius["ledger-writer"] == 0, radius
reach = {i["name"]: i["reachable_capabilities"] for i in report["identities"]}
assert reach["staging-smoke-tests"] == [], reach
assert reach["ci-deployer"][0] == "admin", reach
assert report["summary"]["blast_radius_bounded"] is False
assert report["summary"]["total"] == 43, report["summary"]
assert report["summary"]["by_severity"] == {"critical": 4, "high": 13, "medium": 13, "low": 12, "info": 1}
for finding in report["findings"]:
    for key in ("fingerprint", "rule", "severity", "identity", "consumer", "declaration",
                "message", "evidence", "path", "owasp", "remedy"):
        assert key in finding, key
    assert len(finding["fingerprint"]) == 32
    assert finding["evidence"], finding["rule"]
PY

# The same audit twice gives the same fingerprints, in the same order.
"$nhi" audit --no-state --now "$now" --format json . >"$work/again.json" 2>/dev/null
cmp -s "$work/report.json" "$work/again.json" || fail "two audits differ"

# --- graph and explain ---
"$nhi" graph --now "$now" --from staging-smoke-tests . >"$work/graph.txt" 2>/dev/null
expect_status 0 $? "graph --from"
printf '%s\n' 'arn:aws:iam::444455556666:role/staging-smoke-tests -> arn:aws:iam::111122223333:role/ledger-writer (assume-role)' |
    diff -u - "$work/graph.txt" || fail "graph --from output"
"$nhi" graph --now "$now" --from ci-deployer --to break-glass . >"$work/path.txt" 2>/dev/null
printf '%s\n' 'arn:aws:iam::111122223333:role/ci/ci-deployer -> update-assume-role-policy * (update-assume-role-policy)' \
    'update-assume-role-policy * -> arn:aws:iam::111122223333:role/break-glass (update-assume-role-policy)' |
    diff -u - "$work/path.txt" || fail "graph --from --to output"
"$nhi" graph --now "$now" --format dot . >"$work/graph.dot" 2>/dev/null
head -1 "$work/graph.dot" | grep -q '^digraph nhi {$' || fail "graph DOT header"
"$nhi" graph --now "$now" --from nobody . >/dev/null 2>&1
expect_status 2 $? "graph --from an unknown identity"
fingerprint=$(python3 -c "import json,sys; print([f['fingerprint'] for f in json.load(open(sys.argv[1]))['findings'] if f['rule'] == 'move.cross-environment'][0])" "$work/report.json")
"$nhi" explain --now "$now" "${fingerprint:0:12}" . >"$work/explain.txt" 2>/dev/null
expect_status 0 $? "explain a fingerprint"
grep -q "move.cross-environment" "$work/explain.txt" || fail "explain shows the rule"
grep -q "fingerprint $fingerprint" "$work/explain.txt" || fail "explain shows the fingerprint"
"$nhi" explain --now "$now" no-such-thing . >/dev/null 2>&1
expect_status 2 $? "explain an unknown id"

# --- gates ---
"$nhi" audit --no-state --now "$now" --fail-on high declarations >/dev/null 2>&1
expect_status 0 $? "declarations alone, gate high"
"$nhi" audit --no-state --now "$now" --fail-on medium declarations >/dev/null 2>&1
expect_status 1 $? "declarations alone, gate medium (owner-missing is medium here)"
"$nhi" audit --no-state --fail-on severe . >/dev/null 2>&1
expect_status 2 $? "invalid --fail-on"
"$nhi" audit --no-state --now yesterday . >/dev/null 2>&1
expect_status 2 $? "invalid --now"

# --- text report: no colour when not a terminal, fits 80 columns ---
"$nhi" audit --no-state --now "$now" . >"$work/report.txt" 2>/dev/null
grep -q $'\033' "$work/report.txt" && fail "colour codes in a report to a file"
awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$work/report.txt" ||
    fail "text report has lines over 80 columns"
head -1 "$work/report.txt" | grep -q '^43 findings (4 critical, 13 high, 13 medium, 12 low, 1 info) in 13 identities$' ||
    fail "text summary line: $(head -1 "$work/report.txt")"
sed -n 2p "$work/report.txt" | grep -q '^inputs: 13 read, 0 failed, 0 skipped$' ||
    fail "text inputs line: $(sed -n 2p "$work/report.txt")"

# --- bad input: the run goes on, exit 3, the report covers the rest ---
printf '{"RoleDetailList": [\n  {"RoleName": "cut",\n' >aws/broken.json
printf 'not an export\n' >notes.txt
"$nhi" audit --no-state --now "$now" --format json --output "$work/partial.json" . 2>"$work/stderr"
expect_status 3 $? "truncated export"
grep -q '^aws/broken.json:3:1: error: ' "$work/stderr" ||
    fail "truncated export error position: $(grep error "$work/stderr" | head -1)"
python3 - "$work/partial.json" <<'PY' || fail "partial report"
import json, sys
report = json.load(open(sys.argv[1]))
status = {i["path"]: i["status"] for i in report["inputs"]}
assert status["aws/broken.json"] == "error", status
assert status["notes.txt"] == "skipped", status
assert status["aws/authz-payments-prod.json"] == "ok", status
assert report["summary"]["total"] == 43, report["summary"]
PY
ls "$work" | grep -q 'partial.json.tmp' && fail "temporary output file left behind"
"$nhi" audit --no-state notes.txt >/dev/null 2>"$work/stderr"
expect_status 3 $? "a named file nothing recognises"
grep -q '^notes.txt: error: input format not recognised$' "$work/stderr" ||
    fail "unrecognised named file message: $(head -1 "$work/stderr")"
rm -f aws/broken.json notes.txt

# A policy document that is not JSON after URL-decoding, an unknown
# statement field: errors with a JSON path; the other identities stay.
python3 - "$work/ws/aws/authz-payments-prod.json" "$work/ws/aws/bad-doc.json" <<'PY'
import json, sys
export = json.load(open(sys.argv[1]))
role = export["RoleDetailList"][1]
role["RolePolicyList"][0]["PolicyDocument"] = "%7B%22Version%22%3A%222012-10-17%22%2C"
export["RoleDetailList"][2]["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Effects"] = "Allow"
export["RoleDetailList"] = export["RoleDetailList"][1:3]
for item in export["RoleDetailList"]:
    item["Arn"] = item["Arn"].replace("111122223333", "444455556666")
export["UserDetailList"] = export["GroupDetailList"] = export["Policies"] = []
json.dump(export, open(sys.argv[2], "w"), indent=2)
PY
"$nhi" audit --no-state --now "$now" --format json --output "$work/bad-doc.json" . 2>"$work/stderr"
expect_status 3 $? "bad policy documents"
grep -q 'RoleDetailList\[0\].RolePolicyList\[0\].PolicyDocument' "$work/stderr" ||
    fail "URL-encoded document error has no JSON path"
grep -q "Effects" "$work/stderr" || fail "unknown statement field not named"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); ids=[i['id'] for i in r['identities']]; assert 'arn:aws:iam::444455556666:role/invoices-processor' in ids, ids" \
    "$work/bad-doc.json" || fail "identities of a partly bad export were dropped"
rm -f aws/bad-doc.json

# --- state: snapshots, diff, reviews ---
db="$work/state.db"
"$nhi" audit --db "$db" --now 2026-12-01 . >/dev/null 2>"$work/stderr"
expect_status 1 $? "first audit with state"
grep -q 'recorded snapshot 1' "$work/stderr" || fail "snapshot 1 not recorded"

# The next export: nightly-etl is gone, legacy-batch lost AdministratorAccess.
python3 - aws/authz-payments-prod.json <<'PY'
import json, sys
export = json.load(open(sys.argv[1]))
export["RoleDetailList"] = [r for r in export["RoleDetailList"] if r["RoleName"] != "nightly-etl"]
for role in export["RoleDetailList"]:
    if role["RoleName"] == "legacy-batch":
        role["AttachedManagedPolicies"] = []
json.dump(export, open(sys.argv[1], "w"), indent=2)
PY
"$nhi" audit --db "$db" --now 2026-12-04 . >/dev/null 2>&1
"$nhi" diff --db "$db" --format json >"$work/diff.json" 2>"$work/stderr"
expect_status 0 $? "diff"
python3 - "$work/diff.json" <<'PY' || fail "diff content"
import json, sys
diff = json.load(open(sys.argv[1]))
assert (diff["from"], diff["to"]) == (1, 2), diff
changes = {(c["change"], c["identity"], c["subject"]) for c in diff["changes"]}
etl = "arn:aws:iam::111122223333:role/nightly-etl"
batch = "arn:aws:iam::111122223333:role/legacy-batch"
assert ("identity-removed", etl, "aws-role") in changes, changes
assert ("finding-resolved", batch, "scope.full-admin") in changes, changes
assert ("finding-resolved", etl, "scope.sensitive-wildcard") in changes, changes
assert not any(c[0] == "identity-added" for c in changes), changes
PY

"$nhi" review attest ledger-writer --decision keep --by alice@example.com \
    --note "grants match" --now 2026-12-02 --db "$db" >/dev/null 2>&1
expect_status 0 $? "review attest"
"$nhi" review attest no-such-name --decision keep --by alice --db "$db" >/dev/null 2>&1
expect_status 3 $? "review of an unknown declaration"
"$nhi" review attest ledger-writer --decision maybe --by alice --db "$db" >/dev/null 2>&1
expect_status 2 $? "review with an invalid decision"
"$nhi" review list --now "$now" --db "$db" >"$work/reviews.txt" 2>&1
grep -Eq '^ledger-writer +30d +2026-12-02 +2027-01-01 +ok$' "$work/reviews.txt" ||
    fail "review list: $(grep ledger "$work/reviews.txt")"
grep -Eq '^ci-deployer +quarterly +2026-10-01 +2027-01-01 +ok$' "$work/reviews.txt" ||
    fail "review list uses last_reviewed: $(grep ci-deployer "$work/reviews.txt")"
"$nhi" audit --db "$db" --now "$now" --format json . >"$work/reviewed.json" 2>/dev/null
$findings "$work/reviewed.json" | grep -q 'life.review-overdue arn:aws:iam::111122223333:role/ledger-writer' &&
    fail "a recorded review did not count"

# Key rotation: a credential-report key slot whose last-rotated date moved.
report_head='user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated'
report_row() { # last_rotated of key 1
    printf '%s\nreports-exporter,arn:aws:iam::111122223333:user/reports-exporter,2024-01-15T12:00:00+00:00,false,N/A,N/A,N/A,false,true,%s,2026-11-30T10:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n' \
        "$report_head" "$1"
}
rotation_db="$work/rotation.db"
report_row 2026-01-10T09:00:00+00:00 >aws/credential-report.csv
"$nhi" audit --db "$rotation_db" --now 2026-12-01 --format json . >"$work/keys-old.json" 2>/dev/null
$findings "$work/keys-old.json" | grep -q '^medium cred.not-rotated arn:aws:iam::111122223333:user/reports-exporter access-key 1$' ||
    fail "a 325-day-old key under a 60-day max_credential_age is not reported"
report_row 2026-11-20T09:00:00+00:00 >aws/credential-report.csv
"$nhi" audit --db "$rotation_db" --now 2026-12-04 --format json . >"$work/keys-new.json" 2>/dev/null
$findings "$work/keys-new.json" | grep -q 'cred.not-rotated' && fail "a rotated key is still reported"
"$nhi" diff --db "$rotation_db" --format json >"$work/rotation.json" 2>/dev/null
python3 - "$work/rotation.json" <<'PY' || fail "key rotation in diff"
import json, sys
changes = json.load(open(sys.argv[1]))["changes"]
rotated = [c for c in changes if c["change"] == "key-rotated"]
assert len(rotated) == 1, changes
assert rotated[0]["identity"] == "arn:aws:iam::111122223333:user/reports-exporter", rotated
assert rotated[0]["subject"] == "access-key slot 1", rotated
assert "2026-01-10T09:00:00Z" in rotated[0]["detail"], rotated
assert "2026-11-20T09:00:00Z" in rotated[0]["detail"], rotated
assert not [c for c in changes if c["change"] in ("credential-added", "credential-removed")], changes
resolved = [c for c in changes if c["change"] == "finding-resolved"]
assert [c["subject"] for c in resolved] == ["cred.not-rotated"], resolved
PY
rm -f aws/credential-report.csv

# A killed audit leaves the earlier snapshots and no half snapshot.
before=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from snapshots').fetchone()[0])" "$db")
NHI_TEST_PAUSE_IN_SNAPSHOT=30 "$nhi" audit --db "$db" --now "$now" . >/dev/null 2>&1 &
pid=$!
for _ in $(seq 50); do
    [ -s "$db-wal" ] && break
    sleep 0.1
done
sleep 0.5
kill -9 "$pid"
wait "$pid" 2>/dev/null
python3 - "$db" "$before" <<'PY' || fail "state after a killed audit"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
count = db.execute("select count(*) from snapshots").fetchone()[0]
assert count == int(sys.argv[2]), (count, sys.argv[2])
orphans = db.execute("select count(*) from identities where snapshot_id not in (select id from snapshots)").fetchone()[0]
assert orphans == 0, orphans
PY

# A locked database: an error naming the file, and the report is printed.
python3 -c "
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute('begin exclusive')
time.sleep(6)
" "$db" &
locker=$!
sleep 1
"$nhi" audit --db "$db" --now "$now" . >"$work/locked.txt" 2>"$work/stderr"
expect_status 3 $? "locked database"
grep -q "state database $db: .*locked" "$work/stderr" ||
    fail "locked database message: $(grep error "$work/stderr" | head -1)"
head -1 "$work/locked.txt" | grep -q '^[0-9]* findings' || fail "no report with a locked database"
wait "$locker"

# A file that is not a database.
head -c 4096 /dev/urandom >"$work/corrupt.db"
"$nhi" audit --db "$work/corrupt.db" --now "$now" . >"$work/corrupt.txt" 2>"$work/stderr"
expect_status 3 $? "corrupt database"
grep -q "state database $work/corrupt.db: " "$work/stderr" || fail "corrupt database message"
head -1 "$work/corrupt.txt" | grep -q '^[0-9]* findings' || fail "no report with a corrupt database"

# A read-only database (permissions do not bind root, so only as a user).
if [ "$(id -u)" -ne 0 ]; then
    cp "$db" "$work/readonly.db"
    chmod 444 "$work/readonly.db"
    "$nhi" audit --db "$work/readonly.db" --now "$now" . >/dev/null 2>"$work/stderr"
    expect_status 3 $? "read-only database"
    grep -q "readonly.db" "$work/stderr" || fail "read-only database message"
else
    echo "note: read-only database case skipped: permissions do not apply to root"
fi

# A 10,000-hop chain of roles, closed into a cycle, with a trust principal
# of an unknown type: every role gets its path, in linear time, and the
# bad statement is an input error.
mkdir -p "$work/chain"
python3 - "$work/chain/chain.json" <<'PY'
import json, sys
account, count = "111122223333", 10000
roles = []
for i in range(count):
    caller = "arn:aws:iam::%s:role/hop-%d" % (account, (i - 1) % count)
    role = {"Path": "/", "RoleName": "hop-%d" % i, "RoleId": "AROAEXAMPLE%012d" % i,
            "Arn": "arn:aws:iam::%s:role/hop-%d" % (account, i),
            "CreateDate": "2025-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "sts:AssumeRole"}]},
            "InstanceProfileList": [], "RolePolicyList": [], "AttachedManagedPolicies": [],
            "Tags": [], "RoleLastUsed": {}}
    roles.append(role)
roles[-1]["RolePolicyList"] = [{"PolicyName": "all", "PolicyDocument": {
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}]
roles[5]["AssumeRolePolicyDocument"]["Statement"].append(
    {"Effect": "Allow", "Principal": {"Robot": "r2d2"}, "Action": "sts:AssumeRole"})
json.dump({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles,
           "Policies": []}, open(sys.argv[1], "w"))
PY
(cd "$work/chain" && "$nhi" audit --no-state --now "$now" --format json chain.json \
    >"$work/chain.json" 2>"$work/chain.stderr")
expect_status 3 $? "chain with an unknown principal type"
grep -q "Robot" "$work/chain.stderr" || fail "unknown principal type not reported"
python3 - "$work/chain.json" <<'PY' || fail "10,000-hop chain"
import json, sys
report = json.load(open(sys.argv[1]))
paths = {f["identity"].rsplit("/", 1)[1]: f for f in report["findings"]
         if f["rule"] == "move.escalation-path"}
assert len(paths) == 9999, len(paths)
assert "9999 steps" in paths["hop-0"]["message"], paths["hop-0"]["message"]
assert "1 step:" in paths["hop-9998"]["message"], paths["hop-9998"]["message"]
assert len(paths["hop-0"]["path"]) == 32, len(paths["hop-0"]["path"])
assert paths["hop-0"]["path"][0]["to"].endswith("role/hop-1")
PY

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "audit: all checks passed"
