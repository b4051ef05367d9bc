#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Integration tests of CI and Kubernetes inputs: the example workspace's
# chain across providers, a GitLab chain, odd and broken inputs, and the
# public corpus of workflows and cluster exports (skipped when absent).
# Usage: workloads.sh NHI SOURCE_ROOT
set -u

nhi=$(realpath "$1")
root=$(realpath "$2")
findings="python3 $root/tests/integration/findings.py"
expected=$root/tests/integration/expected
fixtures=$root/tests/fixtures/workloads
corpus=${NHI_CORPUS:-$root/../shared/corpus}
now=2026-12-04T00:00:00Z
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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

expect_status() { # expected actual what
    if [ "$1" -eq "$2" ]; then
        pass "$3"
    else
        fail "$3: exit status $2, expected $1"
    fi
}

same() { # expected-file actual-file what
    if diff -u "$1" "$2"; then
        pass "$3"
    else
        fail "$3 differs from $(basename "$1")"
    fi
}

# Edges of a report, one per line: kind from -> to valid possible.
edges() {
    python3 - "$1" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for e in report["edges"]:
    print(e["kind"], e["from"], "->", e["to"],
          "valid" if e["valid"] else "invalid",
          "possible" if e["possible"] else "definite")
PY
}

# Logins of a report, one per line: consumer kind target secret key-id.
logins() {
    python3 - "$1" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
lines = []
for c in report["consumers"]:
    for l in c["logins"]:
        lines.append(" ".join([c["id"], l["kind"], l["target"] or "-",
                               l["secret"] or "-", l["key_id"] or "-"]))
print("\n".join(sorted(lines)))
PY
}

# --- the example workspace: GitHub -> OIDC -> role -> aws-auth -> RBAC,
# --- and a service account -> IRSA -> role ---
cp -r "$root/examples" "$work/ws"
rm -rf "$work/ws/.nhi"
(cd "$work/ws" && "$nhi" audit --no-state --now "$now" --format json .) \
    >"$work/examples.json" 2>"$work/examples.stderr"
expect_status 1 $? "examples audit"
edges "$work/examples.json" >"$work/examples-edges.txt"
same "$expected/examples-edges.txt" "$work/examples-edges.txt" "examples edges"
python3 - "$work/examples.json" <<'PY' || fail "examples chain findings"
import json, sys
report = json.load(open(sys.argv[1]))
found = {(f["rule"], f["identity"] or f["consumer"], f["subject"]): f
         for f in report["findings"]}
role = "arn:aws:iam::111122223333:role/ci/ci-deployer"
account = "payments-prod/system:serviceaccount:payments:invoices-api"
# The role the deploy job assumes is mapped to payments-deployers, whose
# Role reads secrets and creates pods in payments, where invoices-api
# (which has a cloud role through IRSA) runs.
f = found[("k8s.secrets-read", role, "payments")]
assert f["severity"] == "medium", f
assert "aws-auth maps" in f["evidence"][0]["detail"], f["evidence"]
f = found[("k8s.pod-create-escalation", role, account)]
assert f["path"][0]["to"] == account, f["path"]
# The reports job logs in with a stored key named after reports-exporter.
f = found[("cred.ci-static-cloud-key",
           "northwind/payments/.github/workflows/reports.yml#export",
           "secrets.REPORTS_EXPORTER_ACCESS_KEY_ID")]
assert f["severity"] == "high", f
# The declaration lists the Deployment only; the CronJob shares the account.
f = found[("reuse.shared-identity", account, None)]
assert f["declaration"] == "invoices-api", f
assert len(f["evidence"]) == 2, f["evidence"]
assert ("cred.legacy-token-secret",
        "payments-prod/system:serviceaccount:payments:default",
        "legacy-deployer-token") in found
assert ("k8s.default-sa-used",
        "payments-prod/system:serviceaccount:payments:default", None) in found
# The CI consumers are declared: the deploy job's declaration binds them.
consumers = {c["id"]: c for c in report["consumers"]}
deploy = consumers["northwind/payments/.github/workflows/deploy.yml#deploy"]
assert deploy["id_token"] is True, deploy
assert deploy["repository"] == "northwind/payments", deploy
assert consumers["payments-prod/payments/Deployment/invoices-api"]["environment"] == "production"
PY

# The chain in `nhi graph`: job -> OIDC -> role -> aws-auth group, and
# workload -> service account -> IRSA role.
(cd "$work/ws" && "$nhi" graph --now "$now" \
    --from 'northwind/payments/.github/workflows/deploy.yml#deploy' \
    --to group:payments-deployers .) >"$work/chain.txt" 2>&1
printf '%s\n' \
    'northwind/payments/.github/workflows/deploy.yml#deploy -> arn:aws:iam::111122223333:role/ci/ci-deployer (oidc)' \
    'arn:aws:iam::111122223333:role/ci/ci-deployer -> group:payments-deployers (aws-auth)' \
    >"$work/chain-expected.txt"
same "$work/chain-expected.txt" "$work/chain.txt" "graph from a job to its group"
(cd "$work/ws" && "$nhi" graph --now "$now" \
    --from payments-prod/payments/Deployment/invoices-api .) >"$work/irsa.txt" 2>&1
printf '%s\n' \
    'payments-prod/payments/Deployment/invoices-api -> payments-prod/system:serviceaccount:payments:invoices-api (runs-as)' \
    'payments-prod/system:serviceaccount:payments:invoices-api -> arn:aws:iam::111122223333:role/eks/invoices-api (irsa)' \
    >"$work/irsa-expected.txt"
same "$work/irsa-expected.txt" "$work/irsa.txt" "graph from a workload to its role"

# `nhi explain` on a consumer shows its logins and edges.
(cd "$work/ws" && "$nhi" explain --now "$now" \
    'northwind/payments/.github/workflows/reports.yml#export' .) \
    >"$work/explain.txt" 2>&1
expect_status 0 $? "explain a consumer"
grep -q '^  login aws-key secrets.REPORTS_EXPORTER_ACCESS_KEY_ID at github/northwind/payments/.github/workflows/reports.yml:14:9$' \
    "$work/explain.txt" && pass "explain shows the login" ||
    fail "explain shows the login: $(cat "$work/explain.txt")"
grep -q '^  -> arn:aws:iam::111122223333:user/reports-exporter static-key (valid, possible): ' \
    "$work/explain.txt" && pass "explain shows the edge" ||
    fail "explain shows the edge"

# --- GitLab: ID token to a role, by branch; a stored key in variables ---
(cd "$fixtures/gitlab-chain" && "$nhi" audit --no-state --now "$now" --format json .) \
    >"$work/gitlab.json" 2>"$work/gitlab.stderr"
expect_status 1 $? "gitlab chain audit"
edges "$work/gitlab.json" >"$work/gitlab-edges.txt"
same "$expected/gitlab-chain-edges.txt" "$work/gitlab-edges.txt" "gitlab chain edges"
$findings "$work/gitlab.json" >"$work/gitlab-findings.txt"
same "$expected/gitlab-chain-findings.txt" "$work/gitlab-findings.txt" \
    "gitlab chain findings"

# --- a named cluster: RBAC against a declaration, an EKS access entry
# --- mapping a role to a cluster-admin group, a literal token in env ---
(cd "$fixtures/k8s-scope" && "$nhi" audit --no-state --now "$now" --format json .) \
    >"$work/scope.json" 2>"$work/scope.stderr"
expect_status 1 $? "k8s scope audit"
$findings "$work/scope.json" >"$work/scope-findings.txt"
same "$expected/k8s-scope-findings.txt" "$work/scope-findings.txt" \
    "k8s scope findings"
python3 - "$work/scope.json" <<'PY' || fail "k8s scope details"
import json, sys
report = json.load(open(sys.argv[1]))
found = {f["rule"]: f for f in report["findings"]}
excess = found["scope.exceeds-declaration"]["message"]
assert excess.endswith("list configmaps, get secrets, patch deployments.apps"), excess
literal = found["cred.plaintext-secret"]
assert "glpat-" not in json.dumps(report), "a secret value reached the report"
assert literal["evidence"][0]["line"] == 26, literal["evidence"]
edges = [(e["kind"], e["to"]) for e in report["edges"]]
assert ("access-entry", "group:platform-admins") in edges, edges
capabilities = {i["id"]: i["reachable_capabilities"] for i in report["identities"]}
assert capabilities["arn:aws:iam::111122223333:role/shop-deployer"] == ["kubernetes-admin"], capabilities
kinds = sorted({e["kind"] for e in report["edges"]})
assert kinds == ["access-entry", "create-pod", "create-workload", "impersonate", "read-token-secret", "runs-as"], kinds
PY

# --- an error on a line with a credential quotes it without the value ---
(cd "$fixtures/leak" && "$nhi" audit --no-state --now "$now" .) \
    >"$work/leak.stdout" 2>"$work/leak.stderr"
expect_status 3 $? "leaking inputs audit"
if grep -q 'Zx9TqWm2Lp8Rv4Ks\|glpat-Zq8V' "$work/leak.stdout" "$work/leak.stderr"; then
    fail "a credential value reached the output"
else
    pass "no credential value in the output"
fi
grep -q '^ *AWS_SECRET_ACCESS_KEY: \*\{40\}$' "$work/leak.stderr" &&
    pass "the quoted line shows the value as stars" ||
    fail "the quoted line: $(cat "$work/leak.stderr")"

# --- odd and broken inputs: exact errors, the other files still read ---
(cd "$fixtures/odd" && "$nhi" audit --no-state --now "$now" --format json .) \
    >"$work/odd.json" 2>"$work/odd.stderr"
expect_status 3 $? "odd inputs audit"
same "$expected/workloads-odd.stderr" "$work/odd.stderr" "odd inputs errors"
logins "$work/odd.json" >"$work/odd-logins.txt"
same "$expected/workloads-odd-logins.txt" "$work/odd-logins.txt" \
    "odd inputs logins"
$findings "$work/odd.json" >"$work/odd-findings.txt"
same "$expected/workloads-odd-findings.txt" "$work/odd-findings.txt" \
    "odd inputs findings"

# --- the public corpus ---
if [ ! -d "$corpus/gha-workflows" ] || [ ! -d "$corpus/k8s-rbac" ]; then
    echo "skip: corpus not found at $corpus (set NHI_CORPUS); corpus cases not run"
else
    # 69 real and test workflows: every login and finding, checked by hand.
    "$nhi" audit --no-state --now "$now" --format json "$corpus/gha-workflows" \
        >"$work/gha.json" 2>"$work/gha.stderr"
    expect_status 1 $? "gha-workflows audit"
    same /dev/null "$work/gha.stderr" "gha-workflows read without errors"
    logins "$work/gha.json" >"$work/gha-logins.txt"
    same "$expected/corpus-gha-logins.txt" "$work/gha-logins.txt" \
        "gha-workflows logins"
    $findings "$work/gha.json" >"$work/gha-findings.txt"
    same "$expected/corpus-gha.txt" "$work/gha-findings.txt" \
        "gha-workflows findings"

    # One minikube cluster, dumped as JSON and as YAML: the same findings.
    dump=$corpus/k8s-rbac/kubiscan_minikube-cluster-dump
    "$nhi" audit --no-state --now "$now" --format json "$dump.json" \
        >"$work/dump-json.json" 2>/dev/null
    expect_status 1 $? "cluster dump (JSON) audit"
    "$nhi" audit --no-state --now "$now" --format json "$dump.yaml" \
        >"$work/dump-yaml.json" 2>/dev/null
    expect_status 1 $? "cluster dump (YAML) audit"
    $findings "$work/dump-json.json" >"$work/dump-json.txt"
    $findings "$work/dump-yaml.json" >"$work/dump-yaml.txt"
    same "$expected/corpus-kubiscan.txt" "$work/dump-json.txt" \
        "cluster dump findings"
    same "$work/dump-json.txt" "$work/dump-yaml.txt" \
        "cluster dump JSON and YAML agree"

    "$nhi" audit --no-state --now "$now" --format json \
        "$corpus/k8s-rbac/kube-prometheus" >"$work/kp.json" 2>/dev/null
    expect_status 1 $? "kube-prometheus audit"
    $findings "$work/kp.json" >"$work/kp.txt"
    same "$expected/corpus-kube-prometheus.txt" "$work/kp.txt" \
        "kube-prometheus findings"

    # Kubescape's own expectations for automounted tokens: one alert per
    # workload that mounts one, in each of its nine cases.
    for case in "$corpus"/k8s-rbac/regolibrary-tests/automount-service-account/*/; do
        want=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" \
            "$case/expected.json")
        "$nhi" audit --no-state --now "$now" --format json "$case/input" \
            >"$work/case.json" 2>/dev/null
        got=$(python3 -c "import json,sys; print(sum(f['rule'] == 'k8s.automount-token' for f in json.load(open(sys.argv[1]))['findings']))" \
            "$work/case.json")
        if [ "$want" = "$got" ]; then
            pass "automount $(basename "$case")"
        else
            fail "automount $(basename "$case"): $got findings, kubescape expects $want"
        fi
    done
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
