#!/usr/bin/env bash
# scripts/demo.sh - the README's main command: Assay end to end.
#
# Installs what is missing, builds, and (unless REDIS_URL names a Redis to use) starts a
# private redis-server on a free loopback port in a temporary folder; checks the example
# rubrics, enqueues the example submissions, runs assay-worker until every one is graded,
# prints the results, and cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

bash scripts/deps.sh
build=${BUILD_DIR:-_build/demo}
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" -Dbuildtype=release -Dtests=false -Dbench=false >/dev/null
fi
ninja -C "$build" >/dev/null
assay="$build/cli/assay"
worker="$build/worker/assay-worker"

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

echo "== assay lint rubrics/*.json"
"$assay" lint rubrics/[a-z]*-*.json

jsonl=rubrics/submissions/all.jsonl
total=$(grep -c . "$jsonl")
echo "== enqueueing $total example submissions"
"$assay" enqueue --prefix "$prefix" "$jsonl"

echo "== running assay-worker (log: $tmp/worker.log)"
"$worker" --rubrics "$src/rubrics" --prefix "$prefix" --log-format text 2>"$tmp/worker.log" &
worker_pid=$!
for _ in $(seq 300); do
    n=$(redis-cli -u "$REDIS_URL" LLEN "$prefix:results")
    [ "$n" -ge "$total" ] && break
    sleep 0.1
done

echo "== results"
redis-cli -u "$REDIS_URL" --raw LRANGE "$prefix:results" 0 -1 | tac | python3 scripts/show_results.py
"$assay" stats --prefix "$prefix" || true

kill -TERM "$worker_pid"
wait "$worker_pid" && echo "== worker drained and stopped" || echo "== worker exit status $?"
worker_pid=
if [ -z "$redis_pid" ]; then
    redis-cli -u "$REDIS_URL" --scan --pattern "$prefix:*" | xargs -r redis-cli -u "$REDIS_URL" DEL >/dev/null
fi
