#!/usr/bin/env bash
# test_cli.sh - the assay command-line tool as a user runs it: the conventions every
# command follows (--help on stdout, --version, unknown options), every documented exit code
# of every command (cli/cli.h: 0 ok, 1 invalid rubric or ungraded submission, 2 bad command
# line, 3 a file or Redis that could not be read or reached), lint skipping JSON Schema
# files, standard input, batch mode (with its progress bar on a terminal) and explain.
# Output is TAP.
#
# Usage: test_cli.sh ASSAY SOURCE_ROOT [ops]
# Runs from SOURCE_ROOT (the example rubrics and submissions are read from there); scratch
# files go to a temporary directory that is removed at exit. "ops": the operator commands
# (enqueue, stats, dead) are built, so their command lines are tested too (their work with
# Redis is tested in tests/integration/test_ops.py). Needs python3 for JSON parsing.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 99

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: test_cli.sh ASSAY SOURCE_ROOT [ops]" >&2
    exit 99
fi
assay=$(realpath -e "$1") || exit 99
cd "$2" || exit 99
with_ops=${3:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/assay-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
unset SOURCE_DATE_EPOCH
at=2026-01-01T00:00:00Z
examples=(rubrics/bio-cell-respiration.json rubrics/chem-molarity.json
    rubrics/phys-kinematik.json rubrics/stats-confidence.json)

# json_get FILE EXPR: prints EXPR evaluated on the JSON document in FILE (as r).
json_get() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# ids FILE: the "id" of every non-blank JSON line of FILE, one per line ("<not an object>" for
# a line that is not a JSON object).
ids() {
    python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip(" \t\r\n"):
        try:
            doc = json.loads(line)
        except ValueError:
            doc = None
        print(doc.get("id") if isinstance(doc, dict) else "<not an object>")' "$1"
}

# --- help, version, bad command lines --------------------------------------------------
version_re='^assay [0-9]+\.[0-9]+\.[0-9]+ \(rubric format 1\)$'
run --help
check "assay --help exits 0" rc_is 0
check "assay --help prints the usage on stdout" out_has "^Usage: assay COMMAND"
run --version
check "assay --version exits 0" rc_is 0
check "assay --version names the version and rubric format" grep -Eq "$version_re" "$tmp/last.out"
run frobnicate
check "an unknown command exits 2" rc_is 2
check "an unknown command is named on stderr" err_has 'unknown command "frobnicate"'
run
check "no command at all exits 2" rc_is 2
run --frobnicate
check "an unknown option before the command exits 2" rc_is 2
run grade --frobnicate rubrics/chem-molarity.json
check "assay grade with an unknown option exits 2" rc_is 2
run grade --rubrics rubrics --jsonl rubrics/submissions/all.jsonl --jobs 0
check "assay grade --jobs 0 exits 2" rc_is 2
run grade --rubrics rubrics
check "batch mode without --jsonl exits 2" rc_is 2
run explain rubrics/chem-molarity.json
check "assay explain with one argument exits 2" rc_is 2

# Every command: --help and -h print the usage on stdout and exit 0; --version prints the
# version and exits 0 (never taken for a file name); an unknown option is a usage error.
commands=(lint grade explain)
[ "$with_ops" = ops ] && commands+=(enqueue stats dead "dead list" "dead requeue")
for cmd in "${commands[@]}"; do
    read -ra words <<<"$cmd"
    for help in --help -h; do
        run "${words[@]}" $help
        helped() { rc_is 0 && out_has "^Usage: assay ${words[0]}" && test ! -s "$tmp/last.err"; }
        check "assay $cmd $help prints the usage on stdout (nothing on stderr) and exits 0" helped
    done
    run "${words[@]}" --version
    versioned() { rc_is 0 && grep -Eq "$version_re" "$tmp/last.out" && test "$(wc -l <"$tmp/last.out")" -eq 1 && test ! -s "$tmp/last.err"; }
    check "assay $cmd --version prints the version and exits 0" versioned
    run "${words[@]}" --no-such-option
    bad_option() { rc_is 2 && err_has "no-such-option" && err_has "Usage: assay ${words[0]}" && test ! -s "$tmp/last.out"; }
    check "assay $cmd --no-such-option exits 2, naming it, with the usage on stderr" bad_option
    run "${words[@]}" --help
    check "assay $cmd --help documents the exit status" out_has "Exit status"
done
# A file named --version is not what `lint --version` means.
mkdir "$tmp/cwd" && cp rubrics/chem-molarity.json "$tmp/cwd/--version"
(cd "$tmp/cwd" && "$assay" lint --version >"$tmp/last.out" 2>"$tmp/last.err")
rc=$?
versioned() { rc_is 0 && grep -Eq "$version_re" "$tmp/last.out" && test "$(wc -l <"$tmp/last.out")" -eq 1; }
check "assay lint --version with a file named --version prints the version" versioned
(cd "$tmp/cwd" && "$assay" lint -- --version >"$tmp/last.out" 2>"$tmp/last.err")
rc=$?
check "... and assay lint -- --version lints that file" out_has "^--version: ok: chem-molarity"
run lint --graded-at "$at" rubrics/chem-molarity.json
check "assay lint with an option of another command exits 2" rc_is 2
run grade --graded-at
check "an option without its value exits 2" rc_is 2
check "... and says the value is missing" err_has "graded-at"
run grade --graded-at="$at" rubrics/chem-molarity.json rubrics/submissions/chem-molarity.perfect.json
check "--option=VALUE is accepted" rc_is 0

# --- lint ------------------------------------------------------------------------------
run lint "${examples[@]}"
check "assay lint on every example rubric exits 0" rc_is 0
check "assay lint prints one ok line per example rubric" \
    test "$(grep -c '^rubrics/[a-z-]*\.json: ok: [a-z-]* [0-9.]*, [0-9]* checks, sha256 [0-9a-f]\{64\}$' "$tmp/last.out")" -eq ${#examples[@]}
check "assay lint on valid rubrics prints nothing on stderr" test ! -s "$tmp/last.err"
run lint
check "assay lint without a rubric exits 2" rc_is 2
check "assay lint without a file says so on stderr" err_has "no file given"
run lint tests/golden/invalid/misspelt-key.json
check "assay lint on a broken rubric exits 1" rc_is 1
check "assay lint reports file:line:column: error: message (at pointer) on stderr" \
    grep -Eq '^tests/golden/invalid/misspelt-key\.json:[0-9]+:[0-9]+: error: unknown key "feedbak" .*\(did you mean "feedback"\?\) \(at /items/0/checks/0/feedbak\)$' "$tmp/last.err"
check "assay lint on a broken rubric prints nothing on stdout" test ! -s "$tmp/last.out"
run lint rubrics/chem-molarity.json tests/golden/invalid/unknown-flag.json
check "assay lint with one good and one broken rubric exits 1" rc_is 1
check "... still prints the ok line of the good one" out_has "^rubrics/chem-molarity.json: ok:"
check "... and counts the broken one" err_has "^1 of 2 rubrics invalid$"
run lint "$tmp/no-such-rubric.json"
lint_missing() { rc_is 3 && err_has "no-such-rubric.json: error: cannot open"; }
check "assay lint on a missing file exits 3 and names the file" lint_missing
run lint "$tmp/no-such-rubric.json" tests/golden/invalid/unknown-flag.json rubrics/chem-molarity.json
lint_missing_and_bad() { rc_is 3 && err_has "no-such-rubric.json: error: cannot open" && err_has "unknown-flag.json:[0-9]*:[0-9]*: error:" && out_has "^rubrics/chem-molarity.json: ok:"; }
check "assay lint: a missing file and an invalid rubric exit 3, every file still reported" lint_missing_and_bad

# Warnings: printed on stderr, the rubric still valid (exit 0); with --werror, invalid (1).
warn=tests/golden/warnings/empty-pattern.json
run lint "${examples[@]}" "$warn"
lint_warn() { rc_is 0 && err_has "empty-pattern.json:[0-9]*:[0-9]*: warning: the pattern is empty" && err_has "^1 warning$" && out_has "^$warn: ok:" && test "$(grep -c ': ok: ' "$tmp/last.out")" -eq 5; }
check "assay lint: a rubric with a warning prints it on stderr, is ok, and lint exits 0" lint_warn
run lint --werror "${examples[@]}" "$warn"
lint_werror() { rc_is 1 && err_has "^1 warning (errors with --werror)$" && err_has "^1 of 5 rubrics invalid$" && ! out_has "^$warn: ok:" && test "$(grep -c ': ok: ' "$tmp/last.out")" -eq 4; }
check "assay lint --werror: the rubric with a warning is invalid (exit 1), the others ok" lint_werror
run lint --werror "${examples[@]}"
check "assay lint --werror on rubrics without warnings exits 0" rc_is 0
run lint --werror=yes "$warn"
check "assay lint --werror=yes exits 2 (the option takes no value)" rc_is 2

# JSON Schema files among the rubrics (rubrics/*.json includes rubrics/schema.json and
# rubrics/credential.schema.json) and the example credential definition.
run lint rubrics/*.json
check "assay lint rubrics/*.json exits 0" rc_is 0
check "... skipping the JSON Schemas with a note on stderr" \
    grep -qx "skipped: rubrics/schema.json is a JSON Schema, not a rubric" "$tmp/last.err"
check "... and nothing else on stderr" test "$(grep -vc '^skipped: rubrics/[a-z.]*schema.json is a JSON Schema, not a rubric$' "$tmp/last.err")" -eq 0
check "... and an ok line for every rubric, the framework, the rubric naming it and the credential definition" \
    test "$(grep -c ': ok: ' "$tmp/last.out")" -eq $((${#examples[@]} + 3))
printf '{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}\n' >"$tmp/draft7.json"
printf '{"$schema": "./schema.json", "properties": {"a": {}}}\n' >"$tmp/local-schema.json"
run lint "$tmp/draft7.json" "$tmp/local-schema.json"
check "a draft-07 schema, and one with \$schema and properties, are skipped too (exit 0)" rc_is 0
check "... each with its note" test "$(grep -c "is a JSON Schema, not a rubric" "$tmp/last.err")" -eq 2
python3 -c '
import json, sys
r = json.load(open("rubrics/chem-molarity.json"))
del r["assay"]
json.dump(r, open(sys.argv[1], "w"))' "$tmp/no-assay.json"
run lint "$tmp/no-assay.json"
no_assay() { rc_is 1 && ! err_has "JSON Schema" && err_has "no-assay.json:"; }
check "a rubric without \"assay\" but with \$schema is still linted (exit 1)" no_assay
printf '{"assay": 1, "$schema": "https://json-schema.org/draft/2020-12/schema", "properties": {}}\n' >"$tmp/assay-key.json"
run lint "$tmp/assay-key.json"
check "a file with an \"assay\" key is linted as a rubric whatever its \$schema" rc_is 1

# --- grade one submission --------------------------------------------------------------
run grade "$tmp/missing-rubric.json" rubrics/submissions/chem-molarity.perfect.json
check "assay grade with a missing rubric file exits 3" rc_is 3
check "... and names the file on stderr" err_has "missing-rubric.json"
run grade tests/golden/invalid/negative-tolerance.json rubrics/submissions/chem-molarity.perfect.json
grade_bad_rubric() { rc_is 1 && err_has "^tests/golden/invalid/negative-tolerance.json:23:24: error:" && test ! -s "$tmp/last.out"; }
check "assay grade with an invalid rubric exits 1 and prints its diagnostics" grade_bad_rubric
run grade rubrics/chem-molarity.json "$tmp/missing-submission.json"
check "assay grade with a missing submission file exits 3" rc_is 3

run grade rubrics/chem-molarity.json rubrics/submissions/chem-molarity.perfect.json --graded-at "$at"
cp "$tmp/last.out" "$tmp/perfect.json"
check "assay grade on a good submission exits 0" rc_is 0
check "... and prints one compact JSON line" test "$(wc -l <"$tmp/perfect.json")" -eq 1
check "... whose status is graded" test "$(json_get "$tmp/perfect.json" 'r["status"]')" = graded
run grade rubrics/chem-molarity.json - --graded-at "$at" <rubrics/submissions/chem-molarity.perfect.json
check "assay grade RUBRIC - reads the submission from stdin (exit 0)" rc_is 0
check "... with the same result as from the file" cmp -s "$tmp/last.out" "$tmp/perfect.json"
run grade rubrics/chem-molarity.json --graded-at "$at" <rubrics/submissions/chem-molarity.perfect.json
check "assay grade RUBRIC without a submission also reads stdin" cmp -s "$tmp/last.out" "$tmp/perfect.json"
SOURCE_DATE_EPOCH=1767225600 run grade rubrics/chem-molarity.json rubrics/submissions/chem-molarity.perfect.json
check "SOURCE_DATE_EPOCH fixes graded_at like --graded-at" cmp -s "$tmp/last.out" "$tmp/perfect.json"

printf '{"id": "sub-x1", "rubric": "chem-molarity", "responses": {"q1": "1.25 g"' >"$tmp/truncated.json"
run grade rubrics/chem-molarity.json - --graded-at "$at" <"$tmp/truncated.json"
cp "$tmp/last.out" "$tmp/truncated.result"
check "a malformed submission exits 1" rc_is 1
check "... with a result whose status is error" test "$(json_get "$tmp/truncated.result" 'r["status"]')" = error
check "... and error code malformed_json" test "$(json_get "$tmp/truncated.result" 'r["error"]["code"]')" = malformed_json
echo '{"id": "sub-x2", "rubric": "bio-cell-respiration", "responses": {}}' >"$tmp/other-rubric.json"
run grade rubrics/chem-molarity.json "$tmp/other-rubric.json" --graded-at "$at"
other_rubric() { rc_is 1 && test "$(json_get "$tmp/last.out" 'r["error"]["code"]')" = unknown_rubric; }
check "a submission for another rubric exits 1 with error code unknown_rubric" other_rubric

# --- batch mode ------------------------------------------------------------------------
jsonl=rubrics/submissions/all.jsonl
run grade --rubrics rubrics --jsonl "$jsonl" --jobs 1 --graded-at "$at"
rc1=$rc
cp "$tmp/last.out" "$tmp/batch1.jsonl"
cp "$tmp/last.err" "$tmp/batch1.err"
run grade --rubrics rubrics --jsonl "$jsonl" --jobs 2 --graded-at "$at"
rc2=$rc
cp "$tmp/last.out" "$tmp/batch2.jsonl"
check "batch mode on all.jsonl exits 0 with --jobs 1 and --jobs 2" test "$rc1:$rc2" = 0:0
check "batch mode output is byte-identical with --jobs 1 and --jobs 2" \
    cmp "$tmp/batch1.jsonl" "$tmp/batch2.jsonl"
ids "$jsonl" >"$tmp/in.ids"
ids "$tmp/batch1.jsonl" >"$tmp/out.ids"
check "batch mode gives one result per input line" \
    test "$(wc -l <"$tmp/batch1.jsonl")" -eq "$(wc -l <"$tmp/in.ids")"
check "batch mode results are in input order (ids match line by line)" cmp "$tmp/in.ids" "$tmp/out.ids"
check "batch mode prints a summary on stderr with the graded count" \
    grep -q "^assay: 17 submissions in .*: 17 graded, 0 not graded" "$tmp/batch1.err"
run grade --rubrics rubrics --jsonl "$jsonl" --jobs 2 --graded-at "$at" -o "$tmp/batch-o.jsonl"
batch_o() { rc_is 0 && cmp -s "$tmp/batch-o.jsonl" "$tmp/batch1.jsonl" && test ! -s "$tmp/last.out"; }
check "batch mode -o OUT writes the same results to OUT and nothing to stdout" batch_o
# Each batch result equals `assay grade` of the same line with that line's rubric.
same=0
lineno=0
while IFS= read -r line; do
    lineno=$((lineno + 1))
    rubric=$(printf '%s' "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rubric"])')
    printf '%s\n' "$line" | "$assay" grade "rubrics/$rubric.json" - --graded-at "$at" >"$tmp/one.json" 2>/dev/null
    if sed -n "${lineno}p" "$tmp/batch1.jsonl" | cmp -s - "$tmp/one.json"; then
        same=$((same + 1))
    fi
done <"$jsonl"
check "every batch result equals assay grade of that line alone" test "$same" -eq "$lineno"

# Blank and whitespace-only lines are skipped; a malformed line still gets its result.
{
    echo
    sed -n 1p "$jsonl"
    printf '   \t\n'
    sed -n 6p "$jsonl"
    printf '\r\n'
    echo '{"id": "sub-broken", "rubric": "chem-molarity", "responses": {"q1": "1.25 g"}'
    echo
    sed -n 10p "$jsonl"
    echo '[1, 2, 3]'
    sed -n 14p "$jsonl"
    printf '\n\n'
} >"$tmp/mixed.jsonl"
for jobs in 1 2; do
    run grade --rubrics rubrics --jsonl "$tmp/mixed.jsonl" --jobs $jobs --graded-at "$at"
    cp "$tmp/last.out" "$tmp/mixed$jobs.out"
    cp "$tmp/last.err" "$tmp/mixed$jobs.err"
    mixed_rc[jobs]=$rc
done
check "batch mode exits 1 when a line cannot be graded (--jobs 1 and 2)" \
    test "${mixed_rc[1]}:${mixed_rc[2]}" = 1:1
check "... with the same output for --jobs 1 and 2" cmp "$tmp/mixed1.out" "$tmp/mixed2.out"
ids "$tmp/mixed.jsonl" >"$tmp/mixed-in.ids"
six_results() { test "$(wc -l <"$tmp/mixed1.out")" -eq 6 && test "$(wc -l <"$tmp/mixed-in.ids")" -eq 6; }
check "... skipping blank lines: one result per non-blank line (6)" six_results
python3 -c '
import json, sys
want = ["graded", "graded", "error:malformed_json", "graded", "error:not_an_object", "graded"]
got = []
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    got.append(r["status"] + (":" + r["error"]["code"] if r["status"] == "error" else ""))
sys.exit(0 if got == want else 1)' "$tmp/mixed1.out"
rc=$?
check "... in input order, the malformed lines as status error (malformed_json, not_an_object)" rc_is 0
python3 -c '
import json, sys
ins = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip(" \t\r\n")]
outs = open(sys.argv[2], encoding="utf-8").read().splitlines()
ok = all(json.loads(o)["id"] == json.loads(i)["id"]
         for i, o in zip(ins, outs) if not i.startswith(("[", "{\"id\": \"sub-broken\"")))
sys.exit(0 if ok and len(ins) == len(outs) else 1)' "$tmp/mixed.jsonl" "$tmp/mixed1.out"
rc=$?
check "... and the graded lines keep their ids in order" rc_is 0
check "... and the summary counts 4 graded and 2 not graded" \
    grep -q "^assay: 6 submissions in .*: 4 graded, 2 not graded" "$tmp/mixed1.err"
error_codes() { grep -q "^  malformed_json  *1$" "$tmp/mixed1.err" && grep -q "^  not_an_object  *1$" "$tmp/mixed1.err"; }
check "... listing the error codes" error_codes

# Many windows (512 lines each, two graded and written at once): the mixed lines and
# all.jsonl 150 times over, 3,450 results, each in its place whatever the number of jobs.
for _ in $(seq 150); do cat "$tmp/mixed.jsonl" "$jsonl"; done >"$tmp/many.jsonl"
for _ in $(seq 150); do cat "$tmp/mixed1.out" "$tmp/batch1.jsonl"; done >"$tmp/many.want"
many_ok=
for jobs in 1 2 3; do
    run grade --rubrics rubrics --jsonl "$tmp/many.jsonl" --jobs $jobs --graded-at "$at"
    if rc_is 1 && cmp -s "$tmp/last.out" "$tmp/many.want" &&
        grep -q "^assay: 3450 submissions in .*: 3150 graded, 300 not graded" "$tmp/last.err"; then
        many_ok+=$jobs
    fi
done
check "batch mode over 7 windows: every result in input order with --jobs 1, 2 and 3" \
    test "$many_ok" = 123
# The same 150 copies with each copy's ids numbered (id.K), so that a window written twice,
# skipped, or shifted by a multiple of the 23-line repeat is caught; and the first 512 and
# 1,024 non-blank lines of it, exactly one and two windows.
python3 - "$tmp/mixed.jsonl" "$jsonl" "$tmp" <<'PY'
import json, sys
src = [l.rstrip("\n") for f in sys.argv[1:3] for l in open(f, encoding="utf-8")]
def numbered(line, k):
    try:
        sub = json.loads(line)
    except ValueError:
        return line
    if isinstance(sub, dict) and "id" in sub:
        sub["id"] = f"{sub['id']}.{k}"
        return json.dumps(sub)
    return line
lines = [numbered(l, k) for k in range(150) for l in src]
nonblank = [l for l in lines if l.strip(" \t\r")]
for name, body in (("ids", lines), ("w512", nonblank[:512]), ("w1024", nonblank[:1024])):
    with open(f"{sys.argv[3]}/{name}.jsonl", "w", encoding="utf-8") as f:
        f.write("\n".join(body) + "\n")
PY
# in_order IN OUT: OUT has a result per non-blank line of IN, and each result of a line that
# names an id names the same id.
in_order() {
    python3 - "$1" "$2" <<'PY'
import json, sys
ins = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip(" \t\r\n")]
outs = open(sys.argv[2], encoding="utf-8").read().splitlines()
def sent(line):
    try:
        sub = json.loads(line)
    except ValueError:
        return None
    return sub.get("id") if isinstance(sub, dict) else None
pairs = [(sent(i), json.loads(o).get("id")) for i, o in zip(ins, outs)]
sys.exit(0 if len(ins) == len(outs) and all(s is None or s == g for s, g in pairs) else 1)
PY
}
for input in ids w512 w1024; do
    same=
    for jobs in 1 2 3; do
        run grade --rubrics rubrics --jsonl "$tmp/$input.jsonl" --jobs $jobs --graded-at "$at"
        cp "$tmp/last.out" "$tmp/$input.$jobs.out"
        if [ "$rc" -le 1 ] && in_order "$tmp/$input.jsonl" "$tmp/last.out" &&
            cmp -s "$tmp/last.out" "$tmp/$input.1.out"; then
            same+=$jobs
        fi
    done
    lines=$(grep -c . "$tmp/$input.1.out")
    check "batch mode, $input.jsonl ($lines results): each id in its place, the same bytes with --jobs 1, 2 and 3" \
        test "$same" = 123
done
: >"$tmp/empty.jsonl"
run grade --rubrics rubrics --jsonl "$tmp/empty.jsonl" --jobs 2
empty_ok() { rc_is 0 && ! [ -s "$tmp/last.out" ] && err_has "^assay: 0 submissions in .*: 0 graded"; }
check "batch mode on an empty input with --jobs 2 exits 0 with no result" empty_ok
if [ -w /dev/full ]; then
    for jobs in 1 2; do
        for input in "$jsonl" "$tmp/ids.jsonl"; do
            run grade --rubrics rubrics --jsonl "$input" -o /dev/full --jobs $jobs
            full_ok() { rc_is 3 && err_has "^assay grade: /dev/full: writing the results failed: No space left on device$" &&
                [ "$(grep -c "writing the results failed" "$tmp/last.err")" = 1 ]; }
            check "batch mode writing to a full device exits 3 saying so once (--jobs $jobs, $(basename "$input"))" full_ok
        done
    done
fi
run grade --rubrics rubrics --jsonl "$tmp/no-such-input.jsonl"
check "batch mode with a missing input file exits 3" rc_is 3
run grade --rubrics "$tmp/no-such-dir" --jsonl "$jsonl"
check "batch mode with a missing rubric directory exits 3" rc_is 3
mkdir "$tmp/rubrics-one-bad"
cp "${examples[@]}" "$tmp/rubrics-one-bad/"
cp tests/golden/invalid/negative-tolerance.json "$tmp/rubrics-one-bad/"
run grade --rubrics "$tmp/rubrics-one-bad" --jsonl "$jsonl" --graded-at "$at"
one_bad() { rc_is 1 && err_has "negative-tolerance.json:23:24: error:" && cmp -s "$tmp/last.out" "$tmp/batch1.jsonl"; }
check "batch mode with an invalid rubric in the directory grades with the others, exits 1" one_bad
run grade --rubrics "$tmp/rubrics-one-bad" --jsonl "$tmp/no-such-input.jsonl"
check "... and a missing input file still exits 3" rc_is 3

# The progress bar (drawn when stderr is a terminal) reaches 100% when the input has blank
# lines (on_tty: lib.sh).
# last_bar: the last frame of the progress bar drawn in $tmp/tty.err.
last_bar() { tr '\r' '\n' <"$tmp/tty.err" | grep '^grading \[' | tail -1; }
on_tty grade --rubrics rubrics --jsonl "$tmp/mixed.jsonl" --jobs 1 --graded-at "$at"
bar_full() { last_bar | grep -Eq '^grading \[#{30}\] 100% 6/6 '; }
check "the progress bar ends at 100% (6/6) on input with blank lines" bar_full
last_bar | sed -e 's/^/# last frame: /'
printf '%s' "$(cat "$jsonl")" >"$tmp/no-final-newline.jsonl"
on_tty grade --rubrics rubrics --jsonl "$tmp/no-final-newline.jsonl" --jobs 2 --graded-at "$at"
bar_full17() { rc_is 0 && last_bar | grep -Eq '^grading \[#{30}\] 100% 17/17 '; }
check "... and at 100% (17/17) when the last line has no line ending" bar_full17

# --- explain ---------------------------------------------------------------------------
check_ids() { # rubric file: every check id, group members included
    python3 -c '
import json, sys
def walk(cs):
    for c in cs:
        print(c["id"])
        walk(c.get("checks", []))
for it in json.load(open(sys.argv[1]))["items"]:
    walk(it["checks"])' "$1"
}
# (the biology rubric has no numeric checks, so no number is read there)
for pair in chem-molarity:sigfigs bio-cell-respiration:partial-group stats-confidence:z-critical; do
    r=${pair%%:*}
    s=${pair#*:}
    number="read the number "
    [ "$r" = bio-cell-respiration ] && number="matched"
    run explain "rubrics/$r.json" "rubrics/submissions/$r.$s.json"
    check "assay explain $r.$s exits 0" rc_is 0
    missing=0
    while read -r id; do
        grep -q -- " $id (" "$tmp/last.out" || { echo "# check id $id not in the output"; missing=1; }
    done < <(check_ids "rubrics/$r.json")
    check "assay explain $r.$s names every check of the rubric" test $missing -eq 0
    explained() { out_has 'matched "' && out_has "$number" && out_has "^Competencies$"; }
    check "assay explain $r.$s shows matches, numbers read and competencies" explained
done
run explain rubrics/chem-molarity.json "$tmp/truncated.json"
not_graded() { rc_is 1 && out_has "^NOT GRADED: malformed_json"; }
check "assay explain of a malformed submission exits 1 and says NOT GRADED" not_graded
run explain rubrics/chem-molarity.json "$tmp/missing-submission.json"
check "assay explain with a missing submission exits 3" rc_is 3
run explain "$tmp/missing-rubric.json" rubrics/submissions/chem-molarity.perfect.json
check "assay explain with a missing rubric exits 3" rc_is 3
run explain tests/golden/invalid/negative-tolerance.json rubrics/submissions/chem-molarity.perfect.json
explain_bad_rubric() { rc_is 1 && err_has "^tests/golden/invalid/negative-tolerance.json:23:24: error:"; }
check "assay explain with an invalid rubric exits 1 and prints its diagnostics" explain_bad_rubric

# --- operator commands: the exit codes that need no Redis (test_ops.py has the others) ---
if [ "$with_ops" = ops ]; then
    for cmd in enqueue stats "dead list" "dead requeue"; do
        read -ra words <<<"$cmd"
        args=()
        [ "$cmd" = enqueue ] && args=(rubrics/submissions/all.jsonl)
        [ "$cmd" = "dead requeue" ] && args=(--all)
        run "${words[@]}" --redis redis://127.0.0.1:1 "${args[@]}"
        unreachable() { rc_is 3 && err_has "cannot connect to Redis at redis://127.0.0.1:1"; }
        check "assay $cmd with Redis unreachable exits 3" unreachable
        run "${words[@]}" --redis=redis://:pw@127.0.0.1:1 --prefix "" "${args[@]}"
        check "assay $cmd with an empty --prefix exits 2" rc_is 2
        run "${words[@]}" --redis "http://127.0.0.1:1" "${args[@]}"
        check "assay $cmd with a bad Redis URL exits 2" rc_is 2
    done
    run enqueue --redis redis://127.0.0.1:1 "$tmp/no-such-input.jsonl"
    check "assay enqueue with a missing file exits 3" rc_is 3
    run dead requeue --redis redis://127.0.0.1:1 -- -starts-with-a-dash
    unreachable() { rc_is 3 && err_has "cannot connect"; }
    check "assay dead requeue -- ID takes an ID starting with a dash" unreachable
    run dead
    check "assay dead without a subcommand exits 2" rc_is 2
    run dead frob
    check "assay dead with an unknown subcommand exits 2" rc_is 2
    run enqueue --redis=redis://:s3cr3t@127.0.0.1:1 --reddis=redis://:s3cr3t@127.0.0.1:1 -
    hidden() { rc_is 2 && ! grep -q s3cr3t "$tmp/last.err" "$tmp/last.out" && err_has -- "--reddis"; }
    check "a mistyped option is named without its value (no password printed)" hidden
fi

tap_done
