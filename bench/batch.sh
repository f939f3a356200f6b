#!/usr/bin/env bash
# batch.sh - how batch mode scales: grades N generated submissions for the example rubrics
# with `assay grade --rubrics DIR --jsonl IN -o /dev/null --jobs J` for J = 1 and J = 2 and
# reports wall times, submissions/s and the speed-up of 2 jobs over 1.
#
# Usage: bench/batch.sh [BUILD_DIR] [N]
#   BUILD_DIR  a meson build directory holding cli/assay and bench/bench-engine
#              (default: _build/gcc if it exists, else build)
#   N          submissions to generate (default: 50000)
# Environment:
#   ASSAY, BENCH  the assay and bench-engine programs (default: inside BUILD_DIR)
#   RUBRICS       the rubric directory (default: rubrics)
#   RUNS          timed runs per job count (default: 5)
#   SEED          generator seed (default: 1)
#
# Timing uses hyperfine when it is installed (apt-get install hyperfine), else a loop of
# `date` stamps; either way the median run counts. Run it on an otherwise idle machine: a
# second core busy with other work shows up directly as poor scaling.
set -euo pipefail

cd "$(dirname "$0")/.."

build=${1:-}
if [[ -z $build ]]; then
    if [[ -d _build/gcc ]]; then
        build=_build/gcc
    else
        build=build
    fi
fi
n=${2:-50000}
assay=${ASSAY:-$build/cli/assay}
bench=${BENCH:-$build/bench/bench-engine}
rubrics=${RUBRICS:-rubrics}
runs=${RUNS:-5}
seed=${SEED:-1}

for prog in "$assay" "$bench"; do
    if [[ ! -x $prog ]]; then
        echo "batch.sh: $prog is not built (pass the build directory, or set ASSAY / BENCH)" >&2
        exit 2
    fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
in=$tmp/submissions.jsonl

"$bench" --rubrics "$rubrics" --seed "$seed" --gen-jsonl "$n" "$in"
bytes=$(wc -c <"$in")
echo "batch.sh: $n submissions, $((bytes / 1024)) KiB, rubrics from $rubrics"
echo "batch.sh: $(nproc) CPUs online; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"

cmd() {
    printf '%q grade --rubrics %q --jsonl %q -o /dev/null --jobs %d' "$assay" "$rubrics" "$in" "$1"
}

# One checked run first: every generated submission must be graded.
if ! "$assay" grade --rubrics "$rubrics" --jsonl "$in" -o /dev/null --jobs 1 2>"$tmp/check.log"; then
    cat "$tmp/check.log" >&2
    echo "batch.sh: assay grade failed on the generated submissions" >&2
    exit 1
fi
head -n 1 "$tmp/check.log"

median() {
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A secs cpu
if command -v hyperfine >/dev/null 2>&1; then
    echo "batch.sh: timing with $(hyperfine --version), $runs runs each"
    hyperfine --style basic --warmup 1 --runs "$runs" --export-csv "$tmp/times.csv" \
        -n "jobs 1" "$(cmd 1)" -n "jobs 2" "$(cmd 2)"
    # command,mean,stddev,median,user,system,min,max (user and system are means)
    for jobs in 1 2; do
        secs[$jobs]=$(awk -F, -v c="jobs $jobs" '$1 == c { print $4 }' "$tmp/times.csv")
        cpu[$jobs]=$(awk -F, -v c="jobs $jobs" '$1 == c { print $5 + $6 }' "$tmp/times.csv")
    done
else
    echo "batch.sh: timing with the shell's time, $runs runs each (hyperfine not installed)"
    TIMEFORMAT='%R %U %S'
    for jobs in 1 2; do
        eval "$(cmd "$jobs")" 2>/dev/null # warm-up
        : >"$tmp/runs.$jobs"
        for ((r = 0; r < runs; r++)); do
            { time eval "$(cmd "$jobs")" 2>/dev/null; } 2>>"$tmp/runs.$jobs"
        done
        secs[$jobs]=$(awk '{ print $1 }' "$tmp/runs.$jobs" | median)
        cpu[$jobs]=$(awk '{ s += $2 + $3 } END { print s / NR }' "$tmp/runs.$jobs")
    done
fi

# on-CPU: CPU time over (wall time x jobs); well under 100% means other work held the cores
# and the scaling figure says more about the machine than about assay.
awk -v n="$n" -v t1="${secs[1]}" -v t2="${secs[2]}" -v c1="${cpu[1]}" -v c2="${cpu[2]}" 'BEGIN {
    printf "%-6s %10s %14s %10s %8s\n", "jobs", "median s", "submissions/s", "CPU s", "on-CPU"
    printf "%-6d %10.3f %14.0f %10.3f %7.0f%%\n", 1, t1, n / t1, c1, 100 * c1 / t1
    printf "%-6d %10.3f %14.0f %10.3f %7.0f%%\n", 2, t2, n / t2, c2, 100 * c2 / (2 * t2)
    printf "scaling 1 -> 2 jobs: %.2fx (CPU time with 2 jobs / with 1: %.2f)\n", t1 / t2, c2 / c1
    printf "{\"bench\":\"assay-batch\",\"submissions\":%d,\"jobs1_s\":%.4f,\"jobs2_s\":%.4f,", n, t1, t2
    printf "\"jobs1_cpu_s\":%.4f,\"jobs2_cpu_s\":%.4f,\"scaling\":%.3f}\n", c1, c2, t1 / t2
}'
