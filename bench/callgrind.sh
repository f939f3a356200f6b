#!/usr/bin/env bash
# callgrind.sh - the engine's overhead counted in instructions instead of time: runs
# bench-engine under valgrind's callgrind, which counts every instruction executed whatever
# else the machine is doing, and prints per case the instructions per submission of the
# engine, of the floor and of each of its parts, and the ratio engine / floor. On a shared,
# noisy machine this is the figure to compare before and after a change; wall time still
# decides (cache misses and allocator behaviour cost time but few instructions).
#
# Usage: bench/callgrind.sh [BUILD_DIR] [CASE...]
#   BUILD_DIR  a meson build directory holding bench/bench-engine
#              (default: _build/gcc if it exists, else build)
#   CASE       a substring of a case name as bench-engine prints it (default: "mixed" and
#              "10-check"; e.g. chem-molarity for one example rubric)
# Environment: BENCH (the program), RUBRICS (default: rubrics), CALLS (calls of each
# measured operation per round, default 256: each runs twice that, warm-up included).
set -euo pipefail

cd "$(dirname "$0")/.."

build=${1:-}
[[ $# -gt 0 ]] && shift
if [[ -z $build ]]; then
    if [[ -d _build/gcc ]]; then
        build=_build/gcc
    else
        build=build
    fi
fi
bench=${BENCH:-$build/bench/bench-engine}
rubrics=${RUBRICS:-rubrics}
calls=${CALLS:-256}
if [[ $# -gt 0 ]]; then
    cases=("$@")
else
    cases=(mixed 10-check)
fi

if ! command -v valgrind >/dev/null 2>&1 || ! command -v callgrind_annotate >/dev/null 2>&1; then
    echo "callgrind.sh: needs valgrind (apt-get install valgrind)" >&2
    exit 2
fi
if [[ ! -x $bench ]]; then
    echo "callgrind.sh: $bench is not built (pass the build directory, or set BENCH)" >&2
    exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%-18s %10s %10s %9s %9s %9s %9s %10s %6s %6s\n' case engine floor parse regex build \
    dump result_dumps ratio dumps
for c in "${cases[@]}"; do
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$bench" --rubrics "$rubrics" \
        --only "$c" --calls "$calls" --rounds 1 --threads 1 >"$tmp/out.txt" 2>"$tmp/vg.log" || {
        cat "$tmp/vg.log" >&2
        exit 1
    }
    callgrind_annotate --inclusive=yes --tree=caller --threshold=100 "$tmp/cg.out" \
        >"$tmp/ann.txt" 2>/dev/null
    # In the caller tree each function's block lists its callers ("<", with call counts)
    # and then the function itself ("*", with its inclusive instruction count).
    awk -v name="$c" '
        / < / {
            if (match($0, /\([0-9,]+x\)/)) {
                n = substr($0, RSTART + 1, RLENGTH - 3)
                gsub(",", "", n)
                calls += n
            }
            next
        }
        / \* / {
            split("engine floor parse regex build dump dumps", ops, " ")
            for (k in ops) {
                if (index($0, ":op_" ops[k] " [") > 0 && calls > 0) {
                    ir = $1
                    gsub(",", "", ir)
                    per[ops[k]] = ir / calls
                }
            }
            calls = 0
            next
        }
        /^$/ { calls = 0 }
        END {
            if (per["engine"] == 0 || per["floor"] == 0) {
                printf "%-18s no figures (is the case name right? are symbols there?)\n", name
                exit 1
            }
            printf "%-18s %10.0f %10.0f %9.0f %9.0f %9.0f %9.0f %10.0f %6.3f %6.3f\n", name,
                per["engine"], per["floor"], per["parse"], per["regex"], per["build"],
                per["dump"], per["dumps"], per["engine"] / per["floor"],
                per["dumps"] / per["dump"]
        }' "$tmp/ann.txt"
done
echo "instructions per submission (per result for dump and result_dumps); ratio = engine / floor"
