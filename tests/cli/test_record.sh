#!/usr/bin/env bash
# test_record.sh - `assay record` as a user runs it: rebuild on the example submissions
# graded, regraded and attempted again (a regrade replaces, a new attempt adds; values
# checked against an independent computation in Python fractions), determinism, arrival
# order, bad lines reported with their line numbers and skipped (exit 1), ungraded and
# learner-less results, the progress bar on a terminal, show --file, exit codes of bad
# command lines, and, with "ops", show and delete against a real redis-server started here
# on a free loopback port. Output is TAP.
#
# Usage: test_record.sh ASSAY SOURCE_ROOT [ops]
# Runs from SOURCE_ROOT (the example rubrics and submissions); scratch files go to a
# temporary directory removed at exit. Needs python3.
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 99

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: test_record.sh ASSAY SOURCE_ROOT [ops]" >&2
    exit 99
fi
assay=$(realpath -e "$1") || exit 99
cd "$2" || exit 99
with_ops=${3:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/assay-record.XXXXXX") || exit 99
redis_pid=
cleanup() {
    [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
unset SOURCE_DATE_EPOCH REDIS_URL ASSAY_PREFIX ASSAY_RUBRICS

# py EXPR-PROGRAM ARGS...: runs a Python program (json and fractions imported).
py() { python3 -c "import json, sys; from fractions import Fraction as F
$1" "${@:2}"; }

# --- results: the examples graded, one of them regraded, then all graded again as second
# attempts ---------------------------------------------------------------------------------
T1=2026-01-01T00:00:00Z T2=2026-01-02T00:00:00Z T3=2026-01-03T00:00:00Z
"$assay" grade --rubrics rubrics --jsonl rubrics/submissions/all.jsonl --graded-at $T1 \
    -o "$tmp/first.jsonl" 2>/dev/null
py '
sub = json.load(open("rubrics/submissions/chem-molarity.perfect.json"))
sub["responses"]["q1"] = "2.50 g"          # the regrade: a wrong answer now
print(json.dumps(sub), file=open(sys.argv[1], "w"))
with open(sys.argv[2], "w") as out:       # every example attempted a second time
    for line in open("rubrics/submissions/all.jsonl"):
        sub = json.loads(line)
        sub["id"] += "-b"
        print(json.dumps(sub), file=out)' "$tmp/regrade-sub.jsonl" "$tmp/second-sub.jsonl"
"$assay" grade --rubrics rubrics --jsonl "$tmp/regrade-sub.jsonl" --graded-at $T2 \
    -o "$tmp/regrade.jsonl" 2>/dev/null
"$assay" grade --rubrics rubrics --jsonl "$tmp/second-sub.jsonl" --graded-at $T3 \
    -o "$tmp/second.jsonl" 2>/dev/null
cat "$tmp/first.jsonl" "$tmp/regrade.jsonl" "$tmp/second.jsonl" >"$tmp/results.jsonl"
results=$(wc -l <"$tmp/results.jsonl")

run record rebuild --jsonl "$tmp/results.jsonl" -o "$tmp/records.jsonl"
check "rebuild exits 0" rc_is 0
check "the summary counts every result as applied" \
    err_has "assay record rebuild: $results results: $results applied, 0 stale, 0 not graded, 0 without a learner, 0 bad"
sorted() {
    py '
docs = [json.loads(l) for l in open(sys.argv[1])]
learners = [d["learner"] for d in docs]
sys.exit(not (learners == sorted(learners) and len(set(learners)) == len(learners)
              and all(d["assay_record"] == 1 for d in docs) and len(docs) > 1))' "$tmp/records.jsonl"
}
check "one record per learner, sorted by learner" sorted

# The regrade replaced sub-chem-7f3a01's evidence (now at T2, scored lower); the second
# attempt added one: two entries, values as weighted_average 65 gives them.
regraded() {
    py '
docs = {d["learner"]: d for d in map(json.loads, open(sys.argv[1]))}
res = [json.loads(l) for l in open(sys.argv[2])]
rg = next({c["id"]: c["score"] for c in r["competencies"]} for r in res
          if r["id"] == "sub-chem-7f3a01" and r["graded_at"] == sys.argv[3])
ok = True
for cid, c in docs["learner-0042"]["competencies"].items():
    if not cid.startswith("rubric:chem-molarity/"):
        continue
    ev = c["evidence"]
    subs = [(e["submission"], e["at"]) for e in ev]
    want = [("sub-chem-7f3a01", sys.argv[3]), ("sub-chem-7f3a01-b", sys.argv[4])]
    scores = [F(e["score"]) for e in ev]
    value = scores[-1] * F(65, 100) + sum(scores[:-1], F(0)) / (len(scores) - 1) * F(35, 100)
    exact = F(c["value_exact"])
    ok &= subs == want and exact == value and c["method"] == {"name": "weighted_average", "param": 65}
    ok &= abs(float(scores[0]) - rg[cid.split("/")[1]]) < 1e-12
    print("# %s: %s -> %s" % (cid, [str(s) for s in scores], c["value_exact"]))
sys.exit(not ok)' "$tmp/records.jsonl" "$tmp/results.jsonl" $T2 $T3
}
check "a regrade replaces its submission's evidence, a new attempt adds one" regraded
lower() {
    py '
docs = {d["learner"]: d for d in map(json.loads, open(sys.argv[1]))}
c = docs["learner-0042"]["competencies"]["rubric:chem-molarity/quantities-and-units"]
sys.exit(not F(c["evidence"][0]["score"]) < 1)' "$tmp/records.jsonl"
}
check "... and the regraded score is the lower one" lower

run record rebuild --jsonl "$tmp/results.jsonl"
check "rebuild to standard output gives the same bytes" cmp -s "$tmp/last.out" "$tmp/records.jsonl"
cat "$tmp/second.jsonl" "$tmp/first.jsonl" "$tmp/regrade.jsonl" >"$tmp/shuffled.jsonl"
run record rebuild --jsonl "$tmp/shuffled.jsonl"
check "a new attempt arriving first gives the same records (order is by time)" \
    cmp -s "$tmp/last.out" "$tmp/records.jsonl"
cat "$tmp/first.jsonl" "$tmp/second.jsonl" >"$tmp/no-regrade.jsonl"
run record rebuild --jsonl - <"$tmp/no-regrade.jsonl"
check "rebuild reads standard input" rc_is 0
check "... and without the regrade the records differ" \
    bash -c "! cmp -s '$tmp/last.out' '$tmp/records.jsonl'"

# --- bad lines, ungraded and learner-less results --------------------------------------
py '
lines = open(sys.argv[1]).read().splitlines()
chem = next(l for l in lines if "\"sub-chem-7f3a01\"" in l)
bad_rubric = json.loads(chem); bad_rubric["rubric"]["id"] = "chem-molarty"
bad_time = json.loads(chem); bad_time["id"] = "sub-late"
items = list(bad_time.items()); items.insert(2, ("submitted_at", "2026-02-30T09:00:00Z"))
out = [lines[0], "{not json", json.dumps(bad_rubric), json.dumps(dict(items)), "", lines[1]]
open(sys.argv[2], "w").write("\n".join(out) + "\n")' "$tmp/first.jsonl" "$tmp/bad.jsonl"
run record rebuild --jsonl "$tmp/bad.jsonl" -o "$tmp/bad-records.jsonl"
check "bad lines: exit 1" rc_is 1
check "... a line that is not JSON, named by its line number" err_has "$tmp/bad.jsonl:2: not JSON"
check "... an unknown rubric, named" \
    err_has "$tmp/bad.jsonl:3: submission \"sub-chem-7f3a01\": rubric \"chem-molarty\" version \"1.1.0\""
check "... a bad submitted_at, named" \
    err_has "$tmp/bad.jsonl:4: submission \"sub-late\": time \"2026-02-30T09:00:00Z\": that month has no such day"
check "... and the good lines are applied" err_has "5 results: 2 applied, 0 stale, 0 not graded, 0 without a learner, 3 bad; 2 records"
check "... and written" test "$(wc -l <"$tmp/bad-records.jsonl")" -eq 2

printf '%s\n' '{"id":"anon-1","rubric":"chem-molarity","responses":{"q1":"1.25 g"}}' \
    '{"id":"nope-1","rubric":"chem-molarty","learner":"learner-0042","responses":{}}' \
    >"$tmp/odd-subs.jsonl"
"$assay" grade --rubrics rubrics --jsonl "$tmp/odd-subs.jsonl" --graded-at $T1 \
    -o "$tmp/odd.jsonl" 2>/dev/null
run record rebuild --jsonl "$tmp/odd.jsonl"
check "an ungraded and a learner-less result change nothing and are no error" rc_is 0
check "... and are counted" err_has "2 results: 0 applied, 0 stale, 1 not graded, 1 without a learner, 0 bad; 0 records"
check "... no record is written" test ! -s "$tmp/last.out"

# --- command lines -----------------------------------------------------------------------
run record rebuild
check "rebuild without --jsonl exits 2" rc_is 2
check "... saying so" err_has "--jsonl RESULTS is missing"
run record rebuild --jsonl "$tmp/results.jsonl" --rubrics "$tmp/no-such-dir"
check "rebuild with a missing rubric directory exits 3" rc_is 3
run record rebuild --jsonl "$tmp/no-such-file.jsonl"
check "rebuild with a missing RESULTS exits 3" rc_is 3
run record rebuild --jsonl "$tmp/results.jsonl" -o "$tmp/no-such-dir/out.jsonl"
check "rebuild with an unwritable output exits 3" rc_is 3
run record frobnicate
check "an unknown subcommand exits 2" rc_is 2
run record
check "no subcommand exits 2" rc_is 2
run record --help
check "record --help exits 0 with the usage on stdout" out_has "assay record rebuild --jsonl RESULTS"
run record show --file "$tmp/records.jsonl"
check "show without LEARNER exits 2" rc_is 2
run record delete --json learner-0042
check "delete --json exits 2" rc_is 2

# --- show --file -------------------------------------------------------------------------
run record show --file "$tmp/records.jsonl" learner-0042
check "show --file exits 0" rc_is 0
check "... names the learner" out_has "learner   learner-0042"
check "... and each competency with its method and evidence" \
    out_has "rubric:chem-molarity/solution-stoichiometry"
check "... the evidence, oldest first" out_has "evidence  2, oldest first"
run record show --json --file "$tmp/records.jsonl" learner-0042
check "show --json --file prints the record document as rebuild wrote it" \
    test "$(cat "$tmp/last.out")" = "$(grep -F '"learner":"learner-0042"' "$tmp/records.jsonl")"
run record show --file "$tmp/records.jsonl" learner-9999
check "show --file of an unknown learner exits 1" rc_is 1
check "... saying so" err_has "no record for learner \"learner-9999\" in $tmp/records.jsonl"

# --- the progress bar on a terminal ------------------------------------------------------
on_tty record rebuild --jsonl "$tmp/results.jsonl" -o "$tmp/tty-records.jsonl"
bar_full() { tr '\r' '\n' <"$tmp/tty.err" | grep -Eq "^rebuilding \[#{30}\] 100%  $results results"; }
check "a progress bar on a terminal, ending at 100%" bar_full

# --- show and delete with Redis ----------------------------------------------------------
if [ "$with_ops" != ops ] || ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    ok "show and delete with Redis # SKIP no redis-server, or not built with hiredis"
    tap_done
    exit
fi
for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
        --logfile "$tmp/redis.log" >/dev/null 2>&1 &
    redis_pid=$!
    for _ in $(seq 50); do
        redis-cli -p "$port" PING 2>/dev/null | grep -q PONG && break 2
        sleep 0.1
    done
    kill "$redis_pid" 2>/dev/null
    wait "$redis_pid" 2>/dev/null
    redis_pid=
done
if [ -z "$redis_pid" ]; then
    not_ok "redis-server started"
    tap_done
    exit
fi
export REDIS_URL=redis://127.0.0.1:$port
rcli() { redis-cli -p "$port" "$@"; }
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
doc=$(grep -F '"learner":"learner-0042"' "$tmp/records.jsonl")
rcli HSET "t:record:$(sha learner-0042)" ver 3 doc "$doc" >/dev/null
rcli HSET "t:credentials:$(sha learner-0042)" chem-101@1 eyJ.a.b chem-102@1 eyJ.c.d >/dev/null
rcli HSET "t:credentials:$(sha learner-0107)" chem-101@1 eyJ.e.f >/dev/null

run record show --prefix t learner-0042
check "show from Redis exits 0" rc_is 0
check "... with the record's version" out_has "learner   learner-0042  (record version 3)"
run record show --prefix t --json learner-0042
check "show --json from Redis prints the stored document" test "$(cat "$tmp/last.out")" = "$doc"
run record show --prefix t learner-0107
check "show of a learner without a record exits 1" rc_is 1
check "... naming the key" err_has "no record for learner \"learner-0107\" (t:record:$(sha learner-0107))"
rcli HSET "t:record:$(sha learner-0233)" ver 1 doc '{"assay_record":1}' >/dev/null
run record show --prefix t learner-0233
check "show of a damaged record exits 1" rc_is 1
check "... saying what is wrong" err_has "holds no valid record: \"learner\" must be a non-empty string"
run record show --redis redis://127.0.0.1:1 learner-0042
check "show with Redis unreachable exits 3" rc_is 3

run record delete --prefix t learner-0042
check "delete exits 0" rc_is 0
check "... saying what it erased" out_has "deleted the record and 2 credentials of learner \"learner-0042\""
check "... the record is gone" test "$(rcli EXISTS "t:record:$(sha learner-0042)")" = 0
check "... and so are the credentials" test "$(rcli EXISTS "t:credentials:$(sha learner-0042)")" = 0
check "... another learner's credentials are not" test "$(rcli HLEN "t:credentials:$(sha learner-0107)")" = 1
run record delete --prefix t learner-0042
check "delete again exits 1" rc_is 1
check "... saying there is nothing" err_has "learner \"learner-0042\" has no record and no credentials"
run record delete --prefix t learner-0107
check "delete of credentials without a record exits 0" rc_is 0
check "... saying so" out_has "deleted no record and 1 credential of learner \"learner-0107\""

tap_done
