#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Benchmark `nhi audit` against a bare jansson parse on synthetic AWS
# authorization-details exports. See bench/README.md for the columns.
#
# usage: bench/run.sh [--write FILE] [--repeat N] [SIZE...]

set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/run.sh [--write FILE] [--repeat N] [SIZE...]

Generate synthetic exports of SIZE principals (default: 1000 10000 50000
100000), cached as bench/out/authz-SIZE.json, and measure wall time and peak
memory of a bare jansson parse and of 'nhi audit' on each. Prints a Markdown
table on standard output.

options:
  --write FILE  also write a whole Markdown page (machine, method, results)
                to FILE, for example docs/BENCHMARKS.md
  --repeat N    run each measurement N times and keep the fastest run
                (default 1)
  -h, --help    show this help and exit

environment:
  NHI           the nhi binary to measure, relative to the repository root
                (default build/nhi)
EOF
}

die() {
    echo "run.sh: error: $*" >&2
    exit 2
}

log() {
    echo "run.sh: $*" >&2
}

start_dir="$PWD"
cd "$(dirname "$0")/.."

write_file=""
repeat=1
sizes=()
while [ $# -gt 0 ]; do
    case "$1" in
    --write)
        [ $# -ge 2 ] || die "--write needs a FILE argument"
        write_file="$2"
        shift 2
        ;;
    --repeat)
        [ $# -ge 2 ] || die "--repeat needs a count"
        repeat="$2"
        shift 2
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    -*)
        die "unknown option '$1'; run 'bench/run.sh --help'"
        ;;
    *)
        sizes+=("$1")
        shift
        ;;
    esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000 100000)
for size in "${sizes[@]}"; do
    [[ "$size" =~ ^[1-9][0-9]*$ ]] ||
        die "invalid size '$size': expected a number of principals, such as 10000"
done
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] ||
    die "invalid --repeat '$repeat': expected a count of 1 or more"
if [ -n "$write_file" ] && [[ "$write_file" != /* ]]; then
    write_file="$start_dir/$write_file"
fi

nhi="${NHI:-build/nhi}"
time_tool=/usr/bin/time
out=bench/out
now=2026-12-01

# GNU time is needed for -f with %e (wall seconds) and %M (maximum resident
# set size in KiB), because the shell keyword 'time' reports no memory.
[ -x "$time_tool" ] ||
    die "$time_tool not found; install GNU time (Debian package 'time')"
"$time_tool" -f '%e %M' -o /dev/null true 2>/dev/null ||
    die "$time_tool does not accept -f and -o; GNU time is needed"

mkdir -p "$out"
if [ ! -x "$out/bare_parse" ] || [ bench/bare_parse.c -nt "$out/bare_parse" ]; then
    log "compiling $out/bare_parse"
    cc -O2 bench/bare_parse.c -ljansson -o "$out/bare_parse"
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/nhi-bench.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

# measure COMMAND...: run COMMAND $repeat times with standard output
# discarded. From the fastest run, set measured_s (wall seconds) and
# measured_kib (peak resident set size), and keep its standard error in
# $scratch/stderr. measured_status is the exit status of the last run.
measure() {
    local run status best_s="" best_kib="" s kib
    for ((run = 1; run <= repeat; run++)); do
        status=0
        "$time_tool" -f '%e %M' -o "$scratch/time" "$@" \
            >/dev/null 2>"$scratch/stderr.$run" || status=$?
        # GNU time writes "Command exited with non-zero status N" before the
        # numbers, so the numbers are on the last line.
        read -r s kib < <(tail -n 1 "$scratch/time")
        if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
            best_s="$s"
            best_kib="$kib"
            cp "$scratch/stderr.$run" "$scratch/stderr"
        fi
    done
    measured_s="$best_s"
    measured_kib="$best_kib"
    measured_status="$status"
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

declare -A file_bytes gen_s bare_s bare_kib audit_s audit_kib stage_s stage_kib counts
stages=()
notes=()

for size in "${sizes[@]}"; do
    file="$out/authz-$size.json"
    # A cached input is reused unless the generator changed after it.
    if [ -s "$file" ] && [ -s "$file.gen" ] && [ "$file" -nt bench/gen_authz.py ]; then
        log "using cached $file"
    else
        log "generating $file"
        "$time_tool" -f '%e' -o "$scratch/gen-time" \
            python3 bench/gen_authz.py --principals "$size" --output "$file.tmp"
        mv "$file.tmp" "$file"
        tail -n 1 "$scratch/gen-time" >"$file.gen"
    fi
    gen_s[$size]="$(cat "$file.gen")"
    file_bytes[$size]="$(stat -c %s "$file")"

    # Read the file once so that every measurement starts from a warm page
    # cache and none pays for the disk.
    cat "$file" >/dev/null

    log "bare parse of $file"
    measure "$out/bare_parse" "$file"
    if [ "$measured_status" -eq 0 ]; then
        bare_s[$size]="$measured_s"
        bare_kib[$size]="$measured_kib"
    else
        bare_s[$size]="n/a"
        notes+=("bare parse of $size principals failed: $(head -n 1 "$scratch/stderr")")
    fi

    # The report goes to standard output, which measure discards.
    # NOTE: '--output /dev/null' is avoided on purpose. nhi writes FILE
    # through FILE.tmp.XXXXXX and a rename, so as root it would replace the
    # /dev/null device node with a regular file.
    audit_s[$size]="n/a"
    if [ -x "$nhi" ]; then
        log "$nhi audit of $file"
        measure env NHI_STAGE_TIMES=1 "$nhi" audit --no-state \
            --format json --output - --now "$now" "$file"
        # Exit status 0 means no finding at the gate and 1 means findings;
        # both are complete runs. 2 is a usage error and 3 a failed input.
        if [ "$measured_status" -le 1 ]; then
            audit_s[$size]="$measured_s"
            audit_kib[$size]="$measured_kib"
            while read -r _ _ name seconds kib; do
                if [ -z "${stage_s[$size,$name]+set}" ]; then
                    stage_s[$size,$name]="$seconds"
                    stage_kib[$size,$name]="$kib"
                fi
                case " ${stages[*]} " in
                *" $name "*) ;;
                *) stages+=("$name") ;;
                esac
            done < <(grep -E '^nhi: stage [^ ]+ [0-9.]+ [0-9]+$' "$scratch/stderr" || true)
            while read -r _ _ name value; do
                counts[$size,$name]="$value"
            done < <(grep -E '^nhi: count [^ ]+ [0-9]+$' "$scratch/stderr" || true)
        else
            notes+=("nhi audit of $size principals exited with status $measured_status: $(grep -m 1 . "$scratch/stderr" || true)")
        fi
    else
        notes+=("$nhi not found or not executable; build it first")
    fi
done

label() {
    local n="$1"
    if ((n % 1000 == 0)); then echo "$((n / 1000))k"; else echo "$n"; fi
}

print_table() {
    local header="| size | principals | file MiB | bare parse s | bare parse peak MiB | audit s | audit peak MiB | audit/bare time | bare peak/file | audit peak/file |"
    local rule="|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
    local name size row file_mib
    for name in "${stages[@]}"; do
        header+=" $name s | $name peak MiB |"
        rule+="--:|--:|"
    done
    echo "$header"
    echo "$rule"
    for size in "${sizes[@]}"; do
        file_mib="$(awk -v b="${file_bytes[$size]}" 'BEGIN { printf "%.1f", b / 1048576 }')"
        row="| $(label "$size") | $size | $file_mib"
        if [ "${bare_s[$size]}" = "n/a" ]; then
            row+=" | n/a | n/a"
        else
            row+=" | ${bare_s[$size]} | $(mib "${bare_kib[$size]}")"
        fi
        if [ "${audit_s[$size]}" = "n/a" ]; then
            row+=" | n/a | n/a | n/a"
        else
            row+=" | ${audit_s[$size]} | $(mib "${audit_kib[$size]}")"
            if [ "${bare_s[$size]}" = "n/a" ]; then
                row+=" | n/a"
            else
                row+=" | $(ratio "${audit_s[$size]}" "${bare_s[$size]}")"
            fi
        fi
        if [ "${bare_s[$size]}" = "n/a" ]; then
            row+=" | n/a"
        else
            row+=" | $(ratio "$(mib "${bare_kib[$size]}")" "$file_mib")"
        fi
        if [ "${audit_s[$size]}" = "n/a" ]; then
            row+=" | n/a"
        else
            row+=" | $(ratio "$(mib "${audit_kib[$size]}")" "$file_mib")"
        fi
        for name in "${stages[@]}"; do
            if [ -n "${stage_s[$size,$name]+set}" ]; then
                row+=" | ${stage_s[$size,$name]} | $(mib "${stage_kib[$size,$name]}")"
            else
                row+=" | n/a | n/a"
            fi
        done
        echo "$row |"
    done
}

# The analysis stages (graph, rules and paths) against the parse: the
# bare jansson parse and nhi's own read stage.
print_analysis_table() {
    local size name total row missing
    echo "| size | bare parse s | read s | analysis s (graph + rules + paths) | analysis/bare parse | analysis/read |"
    echo "|---|--:|--:|--:|--:|--:|"
    for size in "${sizes[@]}"; do
        total=0
        missing=""
        for name in graph rules paths; do
            if [ -n "${stage_s[$size,$name]+set}" ]; then
                total="$(awk -v a="$total" -v b="${stage_s[$size,$name]}" 'BEGIN { printf "%.3f", a + b }')"
            else
                missing=yes
            fi
        done
        if [ -n "$missing" ] || [ -z "${stage_s[$size,read]+set}" ] ||
            [ "${bare_s[$size]}" = "n/a" ]; then
            echo "| $(label "$size") | n/a | n/a | n/a | n/a | n/a |"
            continue
        fi
        row="| $(label "$size") | ${bare_s[$size]} | ${stage_s[$size,read]} | $total"
        row+=" | $(ratio "$total" "${bare_s[$size]}") | $(ratio "$total" "${stage_s[$size,read]}")"
        echo "$row |"
    done
}

# The threads nhi uses: NHI_THREADS when set, else the online processors.
nhi_threads() {
    local count="${NHI_THREADS:-$(nproc)}"
    [ "$count" -gt 8 ] && count=8
    echo "$count"
}

# Graph sizes, from the lines `nhi: count NAME VALUE` of the audit.
print_counts_table() {
    local size name row
    echo "| size | identities | steps (edges) | pattern nodes | findings |"
    echo "|---|--:|--:|--:|--:|"
    for size in "${sizes[@]}"; do
        row="| $(label "$size")"
        for name in identities steps pattern-nodes findings; do
            row+=" | ${counts[$size,$name]:-n/a}"
        done
        echo "$row |"
    done
}

print_generation_table() {
    echo "| size | principals | file MiB | generation s |"
    echo "|---|--:|--:|--:|"
    for size in "${sizes[@]}"; do
        echo "| $(label "$size") | $size | $(awk -v b="${file_bytes[$size]}" 'BEGIN { printf "%.1f", b / 1048576 }') | ${gen_s[$size]} |"
    done
}

print_notes() {
    local note
    for note in "${notes[@]}"; do
        echo "- $note"
    done
}

print_page() {
    local model memory os kernel commit nhi_version
    model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    memory="$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    os="$(. /etc/os-release && echo "${PRETTY_NAME:-$NAME}")"
    kernel="$(uname -sr)"
    commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    nhi_version="$("$nhi" --version 2>/dev/null | head -n 1 || true)"
    cat <<EOF
# Benchmarks

\`nhi audit\` should be bound by reading and parsing its inputs, not by the
analysis: time linear or near-linear in the input size, and peak memory
within a small multiple of the input size. This page compares the audit of
synthetic AWS organisations of growing size with a bare parse of the same
file by jansson, which is the cost of reading the input into a whole JSON
tree before any analysis.

The page is generated by \`bench/run.sh --write FILE\`; bench/README.md
explains how to run it and what each column means.

## Machine

- CPU: ${model:-unknown} (\`nproc\`: $(nproc))
- memory: ${memory:-unknown}
- OS: ${os:-unknown}, kernel $kernel
- compiler: $(cc --version | head -n 1)
- jansson: $(pkg-config --modversion jansson 2>/dev/null || echo unknown)
- Python: $(python3 --version 2>&1)
- nhi: ${nhi_version:-unknown}, commit $commit
- date: $(date -u +%Y-%m-%d)

## Method

- Inputs: \`bench/gen_authz.py --principals N\` (seed 1) writes one
  \`aws iam get-account-authorization-details\` export of N principals, about
  70% roles and 30% users, spread over several accounts, with groups,
  customer and AWS managed policies of several versions, inline policies,
  permission boundaries, and trust by services, GitHub OIDC, EKS, SAML and
  role chains with cycles.
- Bare parse: \`bench/out/bare_parse FILE\`, which calls
  \`json_load_file(FILE, 0, ...)\` and exits, built with \`cc -O2\`.
- Audit: \`NHI_STAGE_TIMES=1 $nhi audit --no-state --format json --output -
  --now $now FILE\`, with the report discarded.
- Each command runs under GNU time (\`/usr/bin/time -f '%e %M'\`): wall
  seconds and maximum resident set size. The file is read once before the
  measurements, so every run starts from a warm page cache. Each
  measurement is the fastest of $repeat run(s), one command at a time.
- Per-stage columns come from the lines \`nhi: stage NAME SECONDS PEAK_KIB\`
  that nhi prints on standard error when \`NHI_STAGE_TIMES=1\` is set.
  They appear only when nhi prints such lines.
- The bare parse runs on one thread. nhi runs the scope rules and the
  edge-finding phases of the paths stage on $(nhi_threads) thread(s)
  (\`NHI_THREADS\` unset: one per online processor, at most 8); reading,
  reporting and the rest of the analysis run on one.

## Results

EOF
    print_table
    echo
    print_counts_table
    echo
    print_analysis_table
    if [ ${#notes[@]} -gt 0 ]; then
        echo
        echo "Notes:"
        echo
        print_notes
    fi
    cat <<EOF

## Input generation

Time for \`python3 bench/gen_authz.py\` to write each input (single
process, standard library only), measured when the input was generated.

EOF
    print_generation_table
    print_cluster_section
}

# The Kubernetes section: bench/cluster.sh on its default sizes.
print_cluster_section() {
    cat <<'EOF'

## Kubernetes clusters

`bench/cluster.sh` measures the Kubernetes reader, RBAC evaluation and the
edges across providers. `bench/gen_cluster.py N` writes one `kubectl get
... -A -o json` List of N service accounts in namespaces of 20. Each
account has a Deployment (one in five on the namespace's `default`
account), a Role and a RoleBinding. One namespace in ten has a deployer
Role (create pods, read secrets) bound to a group that aws-auth maps a
role to, and one account in fifty has an IRSA role whose trust admits
it. The matching AWS roles are a second, small export. Times are wall
seconds of one run; peak memory is the maximum resident set size.

EOF
    bash bench/cluster.sh
}

print_table
echo
print_counts_table
echo
print_analysis_table
if [ ${#notes[@]} -gt 0 ]; then
    echo
    print_notes
fi
if [ -n "$write_file" ]; then
    print_page >"$write_file.tmp"
    mv "$write_file.tmp" "$write_file"
    log "wrote $write_file"
fi
