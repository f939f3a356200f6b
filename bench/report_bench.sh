#!/usr/bin/env bash
# report_bench.sh - `assay report` and `assay diff` over large results files: throughput per
# core (results per CPU second) and peak RSS at each size, to show memory does not grow with
# the input (report) and what the diff's index costs per result.
#
# Usage: bench/report_bench.sh [BUILD_DIR] [N...]
#   BUILD_DIR  a meson build directory holding cli/assay (default: _build/release if it
#              exists, else _build/gcc)
#   N...       result counts (default: 100000 1000000)
# Environment:
#   ASSAY      the assay program (default: BUILD_DIR/cli/assay)
#   RUBRICS    the rubric directory (default: rubrics)
#   WORKDIR    where the generated files go (default: a new folder under TMPDIR; about
#              4.7 KB per result, so 4.7 GB for 1,000,000); removed at the end unless KEEP=1
#   SEED       generator seed (default: 1)
#   DIFF=0     skip the diff runs
#
# The results are the graded examples (rubrics/submissions/all.jsonl) repeated and perturbed
# by bench/report_gen.py. Each run is one process under /usr/bin/time -v: user + system CPU
# seconds give the throughput of the one core it runs on (the commands are single-threaded),
# "Maximum resident set size" the peak RSS. Figures go in docs/performance.md ("Reports").
set -euo pipefail

cd "$(dirname "$0")/.."

build=${1:-}
if [[ -z $build ]]; then
    if [[ -d _build/release ]]; then build=_build/release; else build=_build/gcc; fi
fi
shift || true
sizes=("$@")
((${#sizes[@]})) || sizes=(100000 1000000)
assay=${ASSAY:-$build/cli/assay}
rubrics=${RUBRICS:-rubrics}
seed=${SEED:-1}
python=/usr/bin/python3

if [[ ! -x $assay ]]; then
    echo "report_bench.sh: $assay is not built (pass the build directory, or set ASSAY)" >&2
    exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
    echo "report_bench.sh: /usr/bin/time is missing (apt-get install time)" >&2
    exit 2
fi

work=${WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/assay-report-bench.XXXXXX")}
mkdir -p "$work"
cleanup() { [[ ${KEEP:-0} == 1 ]] || rm -rf "$work"; }
trap cleanup EXIT

"$assay" grade --rubrics "$rubrics" --jsonl rubrics/submissions/all.jsonl \
    -o "$work/examples.jsonl" --graded-at 2026-01-01T00:00:00Z 2>/dev/null || true

# measure LABEL N CMD...: one run under /usr/bin/time -v; prints a table row.
measure() {
    local label=$1 n=$2
    shift 2
    /usr/bin/time -v "$@" 2>"$work/time.txt" >/dev/null || true
    local user sys wall rss
    user=$(awk -F': ' '/User time/ {print $2}' "$work/time.txt")
    sys=$(awk -F': ' '/System time/ {print $2}' "$work/time.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    awk -v l="$label" -v n="$n" -v u="$user" -v s="$sys" -v w="$wall" -v r="$rss" \
        -v mb="$(stat -c %s "$file")" 'BEGIN {
            cpu = u + s
            printf "| %s | %d | %.1f MB | %.2f s | %s | %.0f | %.1f | %.1f MiB |\n",
                l, n, mb / 1e6, cpu, w, n / cpu, mb / 1e6 / cpu, r / 1024
        }'
}

echo "| command | results | input | CPU (user+sys) | wall | results per CPU s | MB per CPU s | peak RSS |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
    file="$work/results-$n.jsonl"
    "$python" bench/report_gen.py "$work/examples.jsonl" "$n" "$seed" >"$file"
    measure report "$n" "$assay" report "$file" --rubrics "$rubrics" -o /dev/null
    if [[ ${DIFF:-1} != 0 ]]; then
        measure "diff (file against itself)" "$n" "$assay" diff "$file" "$file" -o /dev/null
    fi
    rm -f "$file"
done
