#!/usr/bin/env bash
# scripts/demo.sh - the README's main command: Assay end to end.
#
# Installs what is missing, builds, and (unless REDIS_URL names a Redis to use) starts a
# private redis-server on a free loopback port in a temporary folder; checks the example
# rubrics, enqueues the example submissions, runs assay-worker until every one is graded,
# prints the results, then shows one learner's competency record moving across two
# attempts, and cleans up after itself. Every command it runs is shown first, as
# "== COMMAND", exactly as run (tests/cli/test_demo.sh checks this).
#
# Environment: REDIS_URL (a Redis to use), ASSAY_PREFIX (its key prefix), BUILD_DIR (default
# _build/demo); ASSAY_CLI and ASSAY_WORKER, both set, name binaries already built (no
# install, no build).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${ASSAY_CLI:-}" ] && [ -n "${ASSAY_WORKER:-}" ]; then
    assay=$ASSAY_CLI
    worker=$ASSAY_WORKER
else
    bash scripts/deps.sh
    build=${BUILD_DIR:-_build/demo}
    if [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" -Dbuildtype=release -Dtests=false -Dbench=false >/dev/null
    fi
    ninja -C "$build" >/dev/null
    assay="$build/cli/assay"
    worker="$build/worker/assay-worker"
fi

# shown PROGRAM ARGS...: "PROGRAM ARGS" as a shell would need it typed.
shown() {
    local line
    printf -v line '%q ' "$@"
    echo "${line% }"
}
# run_assay ARGS...: shows "== assay ARGS", then runs exactly that with the built assay.
run_assay() {
    echo "== $(shown assay "$@")"
    "$assay" "$@"
}

tmp=$(mktemp -d /tmp/assay-demo.XXXXXX)
redis_pid=
worker_pid=
cleanup() {
    [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null
    [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

prefix=${ASSAY_PREFIX:-assay-demo-$$}
if [ -z "${REDIS_URL:-}" ]; then
    for _ in $(seq 20); do
        port=$((20000 + RANDOM % 40000))
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --dir "$tmp" --logfile "$tmp/redis.log" &
        redis_pid=$!
        for _ in $(seq 50); do
            redis-cli -p "$port" ping >/dev/null 2>&1 && break
            sleep 0.1
        done
        if redis-cli -p "$port" ping >/dev/null 2>&1; then
            break
        fi
        kill "$redis_pid" 2>/dev/null || true
        redis_pid=
    done
    [ -n "$redis_pid" ] || { echo "demo: could not start redis-server" >&2; exit 1; }
    export REDIS_URL="redis://127.0.0.1:$port"
    echo "== a private redis-server on 127.0.0.1:$port"
else
    echo "== using the Redis at REDIS_URL, keys under the prefix $prefix"
fi

# The rubrics folder holds the JSON Schema for editors too: lint says it skips it.
run_assay lint rubrics/*.json

jsonl=rubrics/submissions/all.jsonl
total=$(grep -c . "$jsonl")
run_assay enqueue --prefix "$prefix" "$jsonl"

# The example rubrics define a credential (rubrics/chem-solutions.credential.json): the
# worker signs the badges it awards with an issuer key, here a fresh Ed25519 key.
echo "== openssl genpkey -algorithm ed25519 (the issuer's key, in $tmp)"
openssl genpkey -algorithm ed25519 -out "$tmp/issuer.pem" 2>/dev/null
openssl pkey -in "$tmp/issuer.pem" -pubout -out "$tmp/issuer.pub.pem"
worker_args=(--rubrics rubrics --prefix "$prefix" --log-format text --issuer-key "$tmp/issuer.pem")
echo "== $(shown assay-worker "${worker_args[@]}")"
echo "   (in the background until the $total results are in; its log: $tmp/worker.log)"
"$worker" "${worker_args[@]}" 2>"$tmp/worker.log" &
worker_pid=$!
for _ in $(seq 300); do
    n=$(redis-cli -u "$REDIS_URL" LLEN "$prefix:results")
    [ "$n" -ge "$total" ] && break
    sleep 0.1
done

echo "== results"
redis-cli -u "$REDIS_URL" --raw LRANGE "$prefix:results" 0 -1 | tac | python3 scripts/show_results.py
run_assay stats --prefix "$prefix" || true

# One learner's record across two attempts: a nearly right first attempt, then a right one.
# Each result's "record" member says what it changed; the record keeps both as evidence.
echo "== one learner's competency record across two attempts"
python3 - "$tmp" <<'PY'
import json, sys
def sub(n, example, day):
    with open(f"rubrics/submissions/{example}", encoding="utf-8") as f:
        s = json.load(f)
    s.update(id=f"demo-attempt-{n}", learner="learner-demo",
             submitted_at=f"2026-03-{day:02d}T09:00:00Z")
    with open(f"{sys.argv[1]}/attempt-{n}.jsonl", "w", encoding="utf-8") as f:
        f.write(json.dumps(s) + "\n")
sub(1, "chem-molarity.sigfigs.json", 1)
sub(2, "chem-molarity.perfect.json", 8)
PY
# Prints what a result's "record" member says, one line per competency.
read -r -d '' show_record <<'PY' || true
import json, sys
res = json.loads(sys.stdin.read())
rec = res.get("record") or {}
print(f"   attempt {res['id'][-1]} ({res['score']} of {res['max_score']} points): "
      f"record {rec.get('status')}")
def show(v):
    return "none" if v is None else f"{v['value_exact']} ({v['level']})"
for c in rec.get("competencies", []):
    now = ", mastered now" if c["mastered_now"] else ""
    print(f"     {c['id']}: {show(c['before'])} -> {show(c['after'])}{now}")
PY
for k in 1 2; do
    run_assay enqueue --prefix "$prefix" "$tmp/attempt-$k.jsonl"
    for _ in $(seq 300); do
        n=$(redis-cli -u "$REDIS_URL" LLEN "$prefix:results")
        [ "$n" -ge $((total + k)) ] && break
        sleep 0.1
    done
    redis-cli -u "$REDIS_URL" --raw LINDEX "$prefix:results" 0 | python3 -c "$show_record"
done
run_assay record show --prefix "$prefix" learner-demo

# The second attempt completed the badge's requirement: the worker signed it in the same
# step. Its token, decoded, then verified with the issuer's public key.
echo "== the badge learner-demo earned"
run_assay credential list --prefix "$prefix" learner-demo
read -r -d '' show_badge <<'PY' || true
import json, sys
c = json.load(sys.stdin)
print(f"   {c['name']}: {c['credentialSubject']['achievement']['name']}")
print(f"   id {c['id']}, valid from {c['validFrom']} until {c.get('validUntil')}")
print(f"   subject {c['credentialSubject'].get('id')}, issuer {c['issuer']['name']}")
PY
echo "== $(shown assay credential show --prefix "$prefix" --decode learner-demo chem-solutions)"
"$assay" credential show --prefix "$prefix" --decode learner-demo chem-solutions |
    python3 -c "$show_badge"
echo "== $(shown assay credential show --prefix "$prefix" learner-demo chem-solutions) (the token, into $tmp/badge.jwt)"
"$assay" credential show --prefix "$prefix" learner-demo chem-solutions >"$tmp/badge.jwt"
run_assay credential verify --key "$tmp/issuer.pub.pem" "$tmp/badge.jwt"

kill -TERM "$worker_pid"
wait "$worker_pid" && echo "== worker drained and stopped" || echo "== worker exit status $?"
worker_pid=
if [ -z "$redis_pid" ]; then
    redis-cli -u "$REDIS_URL" --scan --pattern "$prefix:*" | xargs -r redis-cli -u "$REDIS_URL" DEL >/dev/null
fi
