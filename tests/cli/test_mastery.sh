#!/usr/bin/env bash
# test_mastery.sh - `assay mastery` as a user runs it: the worked examples of
# docs/records.md, every method, ungraded attempts (null, -), "no value" as distinct from 0,
# exact non-terminating values, --json, and exit status 2 with a message naming the bad
# value for every kind of bad command line. Output is TAP.
#
# Usage: test_mastery.sh ASSAY
# Every case compares the whole of stdout (exit 0) or the whole of stderr (exit 2) with the
# expected text, and requires the other stream to be empty.
set -uo pipefail

if [ $# -ne 1 ]; then
    echo "usage: test_mastery.sh ASSAY" >&2
    exit 99
fi
assay=$(realpath -e "$1") || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/assay-mastery.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

count=0
failed=0
# expect DESC WANT_RC WANT_TEXT ARGS...: runs `assay mastery ARGS`; passes when the exit
# status is WANT_RC, the stream that matters (stdout on 0, stderr otherwise) is WANT_TEXT
# plus a newline, and the other stream is empty.
expect() {
    local desc=$1 want_rc=$2 want=$3 got_rc
    shift 3
    count=$((count + 1))
    "$assay" mastery "$@" >"$tmp/out" 2>"$tmp/err"
    got_rc=$?
    local main=$tmp/out other=$tmp/err
    if [ "$want_rc" -ne 0 ]; then
        main=$tmp/err
        other=$tmp/out
    fi
    if [ "$got_rc" -eq "$want_rc" ] && [ "$(cat "$main")" = "$want" ] &&
        [ "$(tail -c 1 "$main" | od -An -c | tr -d ' ')" = '\n' ] && [ ! -s "$other" ]; then
        echo "ok $count - $desc"
        return
    fi
    failed=$((failed + 1))
    echo "not ok $count - $desc"
    echo "#   assay mastery $*"
    echo "#   exit status $got_rc, expected $want_rc; expected:"
    printf '%s\n' "$want" | sed 's/^/#     /'
    echo "#   stdout:"
    sed 's/^/#     /' "$tmp/out"
    echo "#   stderr:"
    sed 's/^/#     /' "$tmp/err"
}
# json DESC WANT_JSON ARGS...: expect exit 0 and exactly WANT_JSON from `--json ARGS`.
json() {
    local desc=$1 want=$2
    shift 2
    expect "$desc" 0 "$want" --json "$@"
}

# --- the worked examples (0-5 scale, mastery at 3) ---------------------------------------
json "n_mastery(3) of [4,5,1,3,2,3] is 3.75" \
    '{"method":"n_mastery","param":3,"value":3.75,"value_exact":"3.75","mastered":true,"scores_used":6}' \
    --method n_mastery --param 3 --mastery-points 3 4 5 1 3 2 3
json "n_mastery(3) of [3,1] has no value (null, not 0) and is not mastered" \
    '{"method":"n_mastery","param":3,"value":null,"value_exact":null,"mastered":false,"scores_used":2}' \
    --method n_mastery --param 3 --mastery-points 3 3 1
json "decaying_average(65) of [2,3,4] is 3.5275" \
    '{"method":"decaying_average","param":65,"value":3.5275,"value_exact":"3.5275","mastered":true,"scores_used":3}' \
    --method decaying_average --param 65 --mastery-points 3 2 3 4
json "weighted_average(65) of [2,3,4] is 3.475" \
    '{"method":"weighted_average","param":65,"value":3.475,"value_exact":"3.475","mastered":true,"scores_used":3}' \
    --method weighted_average --param 65 --mastery-points 3 2 3 4
json "weighted_average(75) of [3,1,5,4] is 3.75" \
    '{"method":"weighted_average","param":75,"value":3.75,"value_exact":"3.75","mastered":true,"scores_used":4}' \
    --method weighted_average --param 75 --mastery-points 3 3 1 5 4

# --- every method, the plain output ------------------------------------------------------
expect "the plain output of the issue's example" 0 "method:         n_mastery(3)
mastery points: 3
value:          3.75
mastered:       yes
scores used:    6, 4 at mastery" --method n_mastery --param 3 --mastery-points 3 4 5 1 3 2 3
expect "no value says why, and null and - are ungraded attempts skipped" 0 \
    "method:         n_mastery(3)
mastery points: 3
value:          none (1 of the 3 scores needed reach the mastery points)
mastered:       no
scores used:    2 (2 ungraded skipped), 1 at mastery" \
    --method n_mastery --param 3 --mastery-points 3 null 3 - 1
expect "highest" 0 "method:         highest
value:          5
scores used:    3" --method highest 2 5 3
expect "latest skips a trailing ungraded attempt" 0 "method:         latest
value:          5
scores used:    2 (1 ungraded skipped)" --method latest 2 5 null
expect "a non-terminating average is exact, with its double beside it" 0 "method:         average
value:          5/3 (1.66666666666667)
scores used:    3" --method average 1 2 2
expect "only ungraded attempts give no value" 0 "method:         average
mastery points: 3
value:          none (no graded score)
mastered:       no
scores used:    0 (2 ungraded skipped), 0 at mastery" --method average --mastery-points 3 null -
expect "options may follow the scores" 0 "method:         decaying_average(65)
value:          3.5275
scores used:    3" 2 3 4 --method decaying_average --param 65

# --- --json details ------------------------------------------------------------------
json "a method without a parameter has param null; no mastery points: mastered null" \
    '{"method":"average","param":null,"value":1.66666666666667,"value_exact":"5/3","mastered":null,"scores_used":3}' \
    --method average 1 2 2
json "an integer value is a JSON integer" \
    '{"method":"average","param":null,"value":4,"value_exact":"4","mastered":null,"scores_used":2}' \
    --method average 4 null - 4
json "a single 0 is a value, not no value" \
    '{"method":"latest","param":null,"value":0,"value_exact":"0","mastered":false,"scores_used":1}' \
    --method latest --mastery-points 0.5 0
json "only ungraded attempts: value null" \
    '{"method":"highest","param":null,"value":null,"value_exact":null,"mastered":null,"scores_used":0}' \
    --method highest null null
json "negative scores after --" \
    '{"method":"average","param":null,"value":-0.75,"value_exact":"-0.75","mastered":null,"scores_used":2}' \
    --method average -- -1 -0.5
json "fractions and e-notation as scores, and as mastery points" \
    '{"method":"average","param":null,"value":1.755,"value_exact":"1.755","mastered":true,"scores_used":2}' \
    --method average --mastery-points 351/200 1e-2 7/2
json "exactly at the mastery points is mastered" \
    '{"method":"average","param":null,"value":1.66666666666667,"value_exact":"5/3","mastered":true,"scores_used":3}' \
    --method average --mastery-points 5/3 1 2 2
json "just below the mastery points is not" \
    '{"method":"average","param":null,"value":1.66666666666667,"value_exact":"5/3","mastered":false,"scores_used":3}' \
    --method average --mastery-points 1.6666666666666667 1 2 2

# --- parameter bounds ----------------------------------------------------------------
for p in 1 10; do
    expect "n_mastery accepts --param $p" 0 "method:         n_mastery($p)
mastery points: 3
value:          4
mastered:       yes
scores used:    10, 10 at mastery" --method n_mastery --param "$p" --mastery-points 3 4 4 4 4 4 4 4 4 4 4
done
for p in 0 11; do
    expect "n_mastery refuses --param $p" 2 \
        "assay mastery: n_mastery takes a parameter from 1 to 10, got $p" \
        --method n_mastery --param "$p" --mastery-points 3 4
done
for m in decaying_average weighted_average; do
    for p in 50 99; do
        expect "$m accepts --param $p" 0 "method:         $m($p)
value:          4
scores used:    1" --method "$m" --param "$p" 4
    done
    for p in 49 100; do
        expect "$m refuses --param $p" 2 \
            "assay mastery: $m takes a weight in percent from 50 to 99, got $p" \
            --method "$m" --param "$p" 4
    done
    expect "$m needs --param" 2 "assay mastery: $m needs a weight in percent from 50 to 99" \
        --method "$m" 4
done
expect "highest takes no --param" 2 "assay mastery: highest takes no parameter, got 3" \
    --method highest --param 3 4

# --- bad command lines -----------------------------------------------------------------
expect "--help" 0 "$("$assay" mastery --help)" --help
expect "no --method" 2 "assay mastery: --method NAME is required (highest, latest, average, n_mastery, decaying_average or weighted_average)" 4 5
expect "an unknown method is named" 2 'assay mastery: unknown calculation method "median" (expected highest, latest, average, n_mastery, decaying_average or weighted_average)' \
    --method median 4
expect "no score" 2 "assay mastery: no SCORE given (null or - stands for an attempt that could not be graded)" \
    --method latest
expect "a bad score is named with its position" 2 'assay mastery: score 3: "4,5" is not a decimal number' \
    --method latest 1 null 4,5
expect "a zero denominator" 2 'assay mastery: score 1: "7/0" has a zero denominator' --method latest 7/0
expect "a fraction that is not of integers" 2 \
    'assay mastery: score 2: "1.5/2" is not a number (write a decimal such as 4.5 or 1e-2, or a fraction of two integers such as 7/2)' \
    --method latest 1 1.5/2
expect "a score out of range" 2 \
    'assay mastery: score 1: "1e16" is out of range (a score lies from -10^15 to 10^15)' \
    --method latest 1e16
expect "bad mastery points" 2 'assay mastery: mastery points: "three" is not a decimal number' \
    --method latest --mastery-points three 4
expect "n_mastery without --mastery-points" 2 \
    "assay mastery: n_mastery needs --mastery-points X (the score that counts as mastery)" \
    --method n_mastery --param 2 4 4
expect "a non-integer --param" 2 'assay mastery: --param needs a whole number, got "3.5"' \
    --method n_mastery --param 3.5 --mastery-points 3 4
expect "an empty --param" 2 'assay mastery: --param needs a whole number, got ""' \
    --method n_mastery --param "" --mastery-points 3 4
expect "a huge --param" 2 "assay mastery: --param 99999999999999999999 is out of range" \
    --method n_mastery --param 99999999999999999999 --mastery-points 3 4
expect "a negative score without -- gets a hint" 2 \
    "assay mastery: unknown option -1
Usage: assay mastery --method NAME [--param N] [--mastery-points X] [--json] SCORE...
(assay mastery --help for more)
assay mastery: put -- before the scores when one is negative" \
    --method latest 2 -1
expect "an unknown long option" 2 "assay mastery: unknown option --frob
Usage: assay mastery --method NAME [--param N] [--mastery-points X] [--json] SCORE...
(assay mastery --help for more)" \
    --method latest --frob 1
expect "an option without its value" 2 "assay mastery: --param needs a value
Usage: assay mastery --method NAME [--param N] [--mastery-points X] [--json] SCORE...
(assay mastery --help for more)" --method latest --param

# The command is listed in the tool's help.
count=$((count + 1))
if "$assay" --help | grep -q '^  mastery --method NAME'; then
    echo "ok $count - assay --help lists mastery"
else
    failed=$((failed + 1))
    echo "not ok $count - assay --help lists mastery"
fi

echo "1..$count"
[ "$failed" -eq 0 ]
