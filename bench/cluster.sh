#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Benchmark `nhi audit` on synthetic Kubernetes clusters (gen_cluster.py)
# with the AWS roles their aws-auth entries and IRSA annotations name.
# Prints a Markdown table: input sizes, graph sizes, wall time and peak
# memory of the whole audit and of each stage.
#
# usage: bench/cluster.sh [ACCOUNTS...]   (default: 1000 10000 25000)

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
nhi=$root/${NHI:-build/nhi}
out=$root/bench/out
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 25000)
[ -x "$nhi" ] || { echo "cluster.sh: error: $nhi not built" >&2; exit 2; }

echo "| service accounts | cluster export | AWS export | identities | consumers | edges | findings | read s | graph s | rules s | paths s | report s | total s | peak MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for size in "${sizes[@]}"; do
    dir=$out/cluster-$size
    if [ ! -f "$dir/cluster.json" ]; then
        mkdir -p "$dir"
        python3 "$root/bench/gen_cluster.py" "$size" "$dir/cluster.json" \
            "$dir/authz.json"
    fi
    scratch=$(mktemp -d)
    /usr/bin/time -f "%e %M" -o "$scratch/time" env NHI_STAGE_TIMES=1 \
        "$nhi" audit --no-state --now 2026-12-04 --format json \
        --output "$scratch/report.json" "$dir" 2>"$scratch/stderr" || true
    read -r total kib < <(tail -1 "$scratch/time")
    counts=$(python3 - "$scratch/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(len(report["identities"]), len(report["consumers"]),
      len(report["edges"]), len(report["findings"]))
PY
)
    read -r identities consumers edges findings <<<"$counts"
    stage() { awk -v name="$1" '$2 == "stage" && $3 == name { print $4 }' "$scratch/stderr"; }
    mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
    echo "| $size | $(mib "$(stat -c %s "$dir/cluster.json")") MiB | $(mib "$(stat -c %s "$dir/authz.json")") MiB | $identities | $consumers | $edges | $findings | $(stage read) | $(stage graph) | $(stage rules) | $(stage paths) | $(stage report) | $total | $(awk -v k="$kib" 'BEGIN { printf "%.0f", k / 1024 }') |"
    rm -rf "$scratch"
done
