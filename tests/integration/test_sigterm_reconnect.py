"""SIGTERM just after the worker's connections were cut, with Redis still there: the worker
waits for its reconnect and leaves the registry properly, instead of taking Redis for
unreachable and leaving its entry behind (found by tests/chaos/scenario_client_kill.py).
Redis really unreachable at SIGTERM is test_redis_down's case: exit 0 at once."""

import signal
import time

from harness import (RedisServer, T, Worker, notes_on_failure, reap_children_at_exit,
                     wait_for)

t = T()
reap_children_at_exit()
srv = RedisServer()
r = srv.client()
for round_ in range(3):
    wid = f"cut-{round_}"
    w = Worker(srv.url, "--worker-id", wid)
    t.ok(wait_for(lambda: r.sismember("assay:workers", wid), 10), f"{wid} registered")
    t.ok(w.wait_log("connected to Redis", 5), f"{wid} connected")
    time.sleep(0.2)
    killed = r.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
    t.ok(killed >= 2, f"{wid}: both connections cut ({killed})")
    time.sleep(0.02 * round_)
    w.signal(signal.SIGTERM)
    try:
        code = w.proc.wait(15)
    except Exception:  # noqa: BLE001 - a hang is a failure, reported below
        code = None
    t.eq(code, 0, f"{wid} exits 0")
    t.eq(r.sismember("assay:workers", wid), False, f"{wid} left the registry")
    t.eq(r.exists(f"assay:worker:{wid}"), 0, f"{wid}'s heartbeat is gone")
    t.ok("leaving the registry to expire" not in w.output(),
         f"{wid} did not take Redis for unreachable")
    notes_on_failure(t, w)
srv.stop()
t.done()
