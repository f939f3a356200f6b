#!/usr/bin/env bash
# test_demo.sh - scripts/demo.sh end to end with this build's binaries: it exits 0, prints a
# result for every example submission, and each command it shows ("== assay ..." or
# "== assay-worker ...") is exactly the command it runs, in order: the binaries it is given
# are wrappers that log the arguments they are run with. Output is TAP.
#
# Usage: test_demo.sh ASSAY ASSAY_WORKER SOURCE_ROOT
# The demo starts its own redis-server (REDIS_URL is unset here); skipped (a TAP skip plan) without
# redis-server and redis-cli.
set -uo pipefail

if [ $# -ne 3 ]; then
    echo "usage: test_demo.sh ASSAY ASSAY_WORKER SOURCE_ROOT" >&2
    exit 99
fi
assay=$(realpath -e "$1") || exit 99
worker=$(realpath -e "$2") || exit 99
src=$(realpath -e "$3") || exit 99
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    echo "1..0 # SKIP redis-server or redis-cli not found"
    exit 0 # TAP: the plan says skip
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/assay-demo-test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# wrapper NAME REAL: $tmp/bin/NAME logs "NAME ARGS" (quoted as a shell needs) to $tmp/ran,
# then runs REAL.
wrapper() {
    cat >"$tmp/bin/$1" <<WRAP
#!/usr/bin/env bash
line=\$(printf '%q ' "$1" "\$@")
echo "\${line% }" >>"$tmp/ran"
exec "$2" "\$@"
WRAP
    chmod +x "$tmp/bin/$1"
}
mkdir "$tmp/bin"
wrapper assay "$assay"
wrapper assay-worker "$worker"
: >"$tmp/ran"

env -u REDIS_URL -u ASSAY_PREFIX ASSAY_CLI="$tmp/bin/assay" ASSAY_WORKER="$tmp/bin/assay-worker" \
    bash "$src/scripts/demo.sh" >"$tmp/out" 2>"$tmp/err"
rc=$?

n=0
failures=0
check() { # DESCRIPTION COMMAND...
    local desc=$1
    shift
    n=$((n + 1))
    if "$@"; then
        echo "ok $n - $desc"
    else
        failures=$((failures + 1))
        echo "not ok $n - $desc"
        sed -e 's/^/#   /' "$tmp/out" "$tmp/err" | tail -40
    fi
}
check "the demo exits 0" test "$rc" -eq 0
sed -n -e 's/ (the token, into .*)$//' -e 's/^== \(assay\(-worker\)\? .*\)$/\1/p' "$tmp/out" >"$tmp/shown"
check "the demo shows the commands it runs (lint, enqueue, the worker, stats, two attempts, the record, the badge)" \
    test "$(cut -d' ' -f1-2 "$tmp/shown" | tr '\n' ,)" = "assay lint,assay enqueue,assay-worker --rubrics,assay stats,assay enqueue,assay enqueue,assay record,assay credential,assay credential,assay credential,assay credential,"
check "the first attempt starts the learner's record" \
    grep -q "^   attempt 1 .*: record applied" "$tmp/out"
check "the second attempt moves a competency to mastered" \
    grep -q -- "-> .*, mastered now$" "$tmp/out"
check "the record shows the learner's evidence" grep -q "learner-demo" "$tmp/out"
check "the badge the second attempt earned is shown decoded" \
    grep -q "^   id urn:uuid:.*, valid from 2026-03-08T09:00:00Z" "$tmp/out"
check "... and verified with the issuer's public key" grep -q "^verified" "$tmp/out"
check "each command shown is exactly the command run, in order" cmp -s "$tmp/shown" "$tmp/ran"
if ! cmp -s "$tmp/shown" "$tmp/ran"; then
    diff "$tmp/shown" "$tmp/ran" | sed -e 's/^/#   /'
fi
check "assay lint is run on rubrics/*.json, schema.json included" \
    grep -qx "assay lint $(cd "$src" && echo rubrics/*.json)" "$tmp/ran"
check "... which skips the schema with a note" \
    grep -qx "skipped: rubrics/schema.json is a JSON Schema, not a rubric" "$tmp/err"
missing=0
while read -r id; do
    grep -q "^$id " "$tmp/out" || { echo "# no result line for $id"; missing=1; }
done < <(python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if line.strip():
        print(json.loads(line)["id"])' "$src/rubrics/submissions/all.jsonl")
check "the demo prints a result for every example submission" test "$missing" -eq 0
echo "1..$n"
[ "$failures" -eq 0 ]
