#!/usr/bin/env bash
# run_golden.sh - one golden test of the assay command-line tool.
#
# Usage: run_golden.sh ASSAY SOURCE_ROOT CASE [MODE]
#
#   ASSAY        the assay binary
#   SOURCE_ROOT  the project's source root. The tool runs from there with relative paths, so
#                the file names in diagnostics are stable ("tests/golden/invalid/x.json").
#   CASE         either an invalid rubric or credential definition:
#                tests/golden/invalid/CASE.json, whose `assay lint` (definitions checked
#                against the example rubrics: ASSAY_RUBRICS=rubrics) must exit 1 with exactly
#                tests/golden/invalid/CASE.err on stderr and nothing on stdout;
#                or a valid rubric with warnings: tests/golden/warnings/CASE.json, whose
#                `assay lint` must exit 0 with exactly tests/golden/warnings/CASE.err on
#                stderr and its "ok" line on stdout, and `assay lint --werror` exit 1 with
#                nothing on stdout;
#                or a submission RUBRIC-ID.NAME: rubrics/submissions/CASE.json (or
#                tests/golden/submissions/CASE.json) graded with rubrics/RUBRIC-ID.json, whose
#                `assay grade ... --graded-at 2026-01-01T00:00:00Z --pretty` must print exactly
#                tests/golden/expected/CASE.json and exit 0 when its "status" is "graded",
#                1 otherwise.
#   MODE         "diff" (the default) as above; "repeat": grade the submission twice (compact
#                and --pretty) and require byte-identical output (cmp).
#
# Environment:
#   ASSAY_VALGRIND=1       run the tool under valgrind memcheck; any error or leak
#                          (definite, indirect, possible) fails the test. Skipped (exit 77)
#                          when valgrind is not installed. (The ASan build cannot run under
#                          valgrind: meson.build adds these tests only without sanitizers.)
#   ASSAY_GOLDEN_UPDATE=1  write the tool's output to the expected file instead of comparing
#                          (to regenerate after an intended change; read every changed file
#                          critically against docs/rubric-format.md before committing it).
#
# Exit status: 0 pass, 1 fail (the differences are printed), 77 skipped, 99 bad usage.
set -uo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
    echo "usage: run_golden.sh ASSAY SOURCE_ROOT CASE [diff|repeat]" >&2
    exit 99
fi
assay=$(realpath -e "$1") || { echo "run_golden: no assay binary at $1" >&2; exit 99; }
src=$2
case_name=$3
mode=${4:-diff}
graded_at=2026-01-01T00:00:00Z
cd "$src" || { echo "run_golden: cannot cd to $src" >&2; exit 99; }
export ASSAY_RUBRICS=rubrics

tmp=$(mktemp -d "${TMPDIR:-/tmp}/assay-golden.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

vg=()
if [ "${ASSAY_VALGRIND:-0}" = 1 ]; then
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "run_golden: valgrind is not installed; skipping"
        exit 77
    fi
    # --error-exitcode=1 alone could not be told from the tool's own exit 1 (an invalid
    # rubric), so the test also fails on anything valgrind writes to its log (-q: errors
    # only). pcre2-jit.supp hides the PCRE2 JIT's known false positives, nothing else.
    # shellcheck disable=SC2054 # the commas are inside option values
    vg=(valgrind -q --log-file="$tmp/valgrind.log" --error-exitcode=1 --leak-check=full
        --errors-for-leak-kinds=definite,indirect,possible
        --show-leak-kinds=definite,indirect,possible
        --suppressions="$PWD/tests/golden/pcre2-jit.supp")
fi

# Runs the tool; stdout and stderr go to $tmp/$1.out and $tmp/$1.err; sets $rc.
run() {
    local tag=$1
    shift
    "${vg[@]}" "$assay" "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err"
    rc=$?
    if [ -s "$tmp/valgrind.log" ]; then
        echo "FAIL: valgrind reported problems running: assay $*"
        cat "$tmp/valgrind.log"
        exit 1
    fi
}

fail=0
# Compares the expected file $1 with the actual file $2; prints a unified diff when they differ.
compare() {
    if [ "${ASSAY_GOLDEN_UPDATE:-0}" = 1 ]; then
        cp "$2" "$1"
        echo "updated $1"
        return
    fi
    if ! diff -u --label "expected: $1" --label "actual: $3" "$1" "$2"; then
        echo "FAIL: output differs from $1"
        fail=1
    fi
}

expect_rc() { # expected, what
    if [ "$rc" -ne "$1" ]; then
        echo "FAIL: $2 exited with $rc, expected $1"
        fail=1
    fi
}

if [ -f "tests/golden/invalid/$case_name.json" ]; then
    [ "$mode" = diff ] || { echo "run_golden: mode $mode is for submissions" >&2; exit 99; }
    rubric="tests/golden/invalid/$case_name.json"
    run lint lint "$rubric"
    compare "tests/golden/invalid/$case_name.err" "$tmp/lint.err" "stderr of assay lint $rubric"
    expect_rc 1 "assay lint $rubric"
    if [ -s "$tmp/lint.out" ]; then
        echo "FAIL: assay lint $rubric printed on stdout:"
        cat "$tmp/lint.out"
        fail=1
    fi
    exit $fail
fi

if [ -f "tests/golden/warnings/$case_name.json" ]; then
    [ "$mode" = diff ] || { echo "run_golden: mode $mode is for submissions" >&2; exit 99; }
    rubric="tests/golden/warnings/$case_name.json"
    run lint lint "$rubric"
    compare "tests/golden/warnings/$case_name.err" "$tmp/lint.err" "stderr of assay lint $rubric"
    expect_rc 0 "assay lint $rubric"
    if ! grep -q "^$rubric: ok: " "$tmp/lint.out"; then
        echo "FAIL: assay lint $rubric printed no ok line:"
        cat "$tmp/lint.out"
        fail=1
    fi
    run werror lint --werror "$rubric"
    expect_rc 1 "assay lint --werror $rubric"
    if [ -s "$tmp/werror.out" ]; then
        echo "FAIL: assay lint --werror $rubric printed on stdout:"
        cat "$tmp/werror.out"
        fail=1
    fi
    if ! grep -q "(errors with --werror)" "$tmp/werror.err"; then
        echo "FAIL: assay lint --werror $rubric does not say its warnings are errors:"
        cat "$tmp/werror.err"
        fail=1
    fi
    exit $fail
fi

submission="rubrics/submissions/$case_name.json"
if [ ! -f "$submission" ]; then
    submission="tests/golden/submissions/$case_name.json"
fi
rubric="rubrics/${case_name%%.*}.json"
if [ ! -f "$submission" ] || [ ! -f "$rubric" ]; then
    echo "run_golden: unknown case $case_name (no submission or no rubric $rubric)" >&2
    exit 99
fi
expected="tests/golden/expected/$case_name.json"

case $mode in
diff)
    run grade grade "$rubric" "$submission" --graded-at "$graded_at" --pretty
    compare "$expected" "$tmp/grade.out" "assay grade $rubric $submission"
    want=1
    if grep -q '^  "status": "graded",$' "$expected"; then
        want=0
    fi
    expect_rc "$want" "assay grade $rubric $submission"
    if [ -s "$tmp/grade.err" ]; then
        echo "FAIL: assay grade printed on stderr:"
        cat "$tmp/grade.err"
        fail=1
    fi
    ;;
repeat)
    for style in compact pretty; do
        flags=(--graded-at "$graded_at")
        [ $style = pretty ] && flags+=(--pretty)
        run "$style-1" grade "$rubric" "$submission" "${flags[@]}"
        rc1=$rc
        run "$style-2" grade "$rubric" "$submission" "${flags[@]}"
        if [ ! -s "$tmp/$style-1.out" ]; then
            echo "FAIL: assay grade ($style) printed nothing"
            fail=1
        elif ! cmp "$tmp/$style-1.out" "$tmp/$style-2.out"; then
            echo "FAIL: two $style runs on the same input differ:"
            diff -u "$tmp/$style-1.out" "$tmp/$style-2.out"
            fail=1
        fi
        if [ "$rc1" -ne "$rc" ]; then
            echo "FAIL: two $style runs exited differently ($rc1, $rc)"
            fail=1
        fi
    done
    ;;
*)
    echo "run_golden: unknown mode $mode" >&2
    exit 99
    ;;
esac
exit $fail
