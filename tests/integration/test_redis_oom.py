"""Redis out of memory (maxmemory with noeviction, the policy the worker asks for): Redis still
accepts connections and PING but refuses writes (OOM). Nothing is wrong with the connection,
so the worker keeps it, backs off what was refused (100 ms doubling to 5 s, jittered) and
logs one line per change of state: "Redis refuses writes ... backing off", then "Redis
accepts writes again".

1. An idle worker (empty queues): its blocking wait (BLMOVE, a write) is refused. It must
   not retry every 100 ms nor log each retry.
2. A worker with submissions queued: the claims are refused; once memory is freed every
   submission is answered exactly once.
"""

import time

from harness import (RedisServer, T, Worker, exactly_once, log_lines, make_submission,
                     notes_on_failure, processing_keys, push_all, reap_children_at_exit,
                     wait_for)

t = T()
reap_children_at_exit()
started = time.time()


def fill(r, spare_kb=0, keys=200):
    """Fills Redis with `keys` keys of 10 kB (2 MB more than it held by default), then sets
    maxmemory below what it uses, so that every write is refused (not only the ones that
    would cross the line); spare_kb leaves that much room below the limit instead. Deleting
    them frees the room their results need. Returns the keys set."""
    for k in range(keys):
        r.set(f"junk:{k}", "x" * 10000)
    used = r.info("memory")["used_memory"]
    r.config_set("maxmemory", str(used - 200 * 1024 + spare_kb * 1024))
    return keys


def calls(r, cmd):
    return r.info("commandstats").get(f"cmdstat_{cmd}", {}).get("calls", 0)


# 1. Idle.
srv = RedisServer(extra=["--maxmemory-policy", "noeviction"])
r = srv.client()
w = Worker(srv.url, "--worker-id", "oom-idle")
t.ok(w.wait_log("connected to Redis", 10) and wait_for(lambda: calls(r, "blmove") > 0, 10),
     "the idle worker waits for work")
junk = fill(r)
t.ok(w.wait_log("Redis refuses writes", 10), "Redis is full: the refusal is logged")
lines0 = len(w.output().splitlines())
blmove0, conns0 = calls(r, "blmove"), r.info("stats")["total_connections_received"]
time.sleep(4)
lines = len(w.output().splitlines()) - lines0
blmoves = calls(r, "blmove") - blmove0
conns = r.info("stats")["total_connections_received"] - conns0
t.ok(w.proc.poll() is None, "the worker stays alive")
t.ok(blmoves <= 8, f"it backs off: {blmoves} blocking waits tried in 4 s (every 100 ms "
     "would be 40)")
t.ok(lines <= 2, f"no log flood ({lines} lines in 4 s)")
t.eq(conns, 0, "the connection is kept: Redis is reachable")
t.eq(len(log_lines(w, "Redis refuses writes")), 1, "one line for the change of state")
r.delete(*[f"junk:{k}" for k in range(junk)])
t.ok(w.wait_log("Redis accepts writes again", 12), "memory freed: 'accepts writes again'")
r.lpush("assay:submissions", make_submission("oom-idle-1"))
t.ok(wait_for(lambda: r.llen("assay:results") >= 1, 10), "and it grades again")
t.eq(len(log_lines(w, "Redis accepts writes again")), 1, "logged once")
t.eq(w.stop(), 0, "the worker drains and exits 0")
notes_on_failure(t, w)
srv.stop()

# 2. Submissions queued while Redis is full.
srv = RedisServer(extra=["--maxmemory-policy", "noeviction"])
r = srv.client()
ids = [f"oom-{i:03d}" for i in range(200)]
push_all(r, "assay:submissions", [make_submission(i) for i in ids])
# Room for 200 results (about 6 kB each with their record member), their learners' records
# and de-duplication keys once the junk is deleted: about 6 MB. (Writes past maxmemory are
# refused, not squeezed in: records are staged with a plain HSET in the acknowledgement's
# transaction.)
junk = fill(r, keys=600)

w = Worker(srv.url, "--worker-id", "oom-1")
t.ok(w.wait_log("Redis refuses writes", 10), "the claims are refused (OOM)")
conns0 = r.info("stats")["total_connections_received"]
lines0 = len(w.output().splitlines())
time.sleep(4)
conns = r.info("stats")["total_connections_received"] - conns0
lines = len(w.output().splitlines()) - lines0
t.ok(w.proc.poll() is None, "the worker stays alive")
t.ok(conns <= 2, f"it does not reconnect for a refused write ({conns} connections in 4 s)")
t.ok(lines <= 3, f"no log flood ({lines} lines in 4 s)")
refusals = log_lines(w, "Redis refuses writes")
t.ok(1 <= len(refusals) <= 3, f"the refusal is logged once per change of state (memory can "
     f"free up for a moment), not per retry ({len(refusals)})")

r.delete(*[f"junk:{k}" for k in range(junk)])
t.ok(wait_for(lambda: r.llen("assay:results") >= len(ids), 12),
     "memory freed: every submission is answered (within the 5 s backoff)")
time.sleep(0.3)
exactly_once(t, r, ids)
t.eq(w.stop(), 0, "the worker drains and exits 0")
t.eq(processing_keys(r), [], "no processing list left")
t.note(f"redis oom: {conns} connections and {lines} log lines in 4 s of OOM; "
       f"{len(ids)} answered once; {time.time() - started:.1f} s")
notes_on_failure(t, w)
srv.stop()
t.done()
