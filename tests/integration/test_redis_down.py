"""Redis absent, then frozen.

1. The worker starts before any Redis listens on its port: it stays alive and says it cannot
   reach Redis once per connection, not once per retry (3 s of retries); when Redis starts on
   that port it connects by itself and grades what was pushed.
2. Redis frozen with SIGSTOP for longer than --command-timeout (1000 ms here) while the worker
   is mid-run, with more submissions pushed during the freeze: the worker logs "no reply
   within", reconnects after SIGCONT, and every submission ends with exactly one result.
"""

import signal
import threading
import time

from harness import (T, Worker, exactly_once, free_port, log_lines, make_submission,
                     notes_on_failure, processing_keys, push_all, reap_children_at_exit,
                     redis_server_on, wait_for)

t = T()
reap_children_at_exit()
started = time.time()
port = free_port()
url = f"redis://127.0.0.1:{port}"
w = Worker(url, "--worker-id", "down-1")
time.sleep(3)
t.ok(w.proc.poll() is None, "no Redis: the worker stays alive")
unreachable = log_lines(w, "cannot reach Redis")
t.ok(1 <= len(unreachable) <= 2,
     f"'cannot reach Redis' logged once per connection, not per retry ({len(unreachable)} "
     f"lines in 3 s)")
t.ok(len(w.output().splitlines()) < 5, "no log flood while Redis is absent")

srv = redis_server_on(port)
r = srv.client()
ids = [f"down-{i:03d}" for i in range(100)]
push_all(r, "assay:submissions", [make_submission(i) for i in ids])
t0 = time.time()
t.ok(wait_for(lambda: r.llen("assay:results") >= 100, 15),
     "Redis comes up on the port: the worker connects and grades")
t.note(f"graded 100 within {time.time() - t0:.1f} s of Redis starting")
t.ok(wait_for(lambda: len(log_lines(w, "connected to Redis")) >= 2, 6),
   "both connections connect (each within its backoff of at most 5 s)")
t.eq(len(log_lines(w, "connected to Redis")), 2, "it logs one 'connected' per connection")

# 2. Frozen Redis.
more = [f"frozen-{i:04d}" for i in range(3000)]
push_all(r, "assay:submissions", [make_submission(i) for i in more[:2000]])
t.ok(wait_for(lambda: r.llen("assay:results") >= 400, 15, 0.002), "the worker is mid-run")
srv.proc.send_signal(signal.SIGSTOP)
frozen_at = time.time()
late = {}


def push_during_freeze():
    c = srv.client(timeout=30)
    try:
        push_all(c, "assay:submissions", [make_submission(i) for i in more[2000:]])
        late["ok"] = True
    except Exception as e:  # reported by the assertion below
        late["error"] = repr(e)


th = threading.Thread(target=push_during_freeze)
th.start()
time.sleep(2.5)
srv.proc.send_signal(signal.SIGCONT)
th.join(30)
t.ok(late.get("ok"), f"1000 more pushed during the freeze are accepted after it "
     f"{late.get('error', '')}")
t.ok(w.wait_log("no reply within", 2), "the worker logs 'no reply within'")
t.ok(wait_for(lambda: r.llen("assay:results") >= 100 + len(more), 30),
     "every submission is answered after SIGCONT")
time.sleep(0.5)
exactly_once(t, r, ids + more)
t.ok(w.proc.poll() is None, "the worker kept running")
lost = log_lines(w, "lost the Redis connection")
# main always has a command pending; block only when it was waiting on an empty queue.
t.ok(len(log_lines(w, "lost the Redis connection (main)")) == 1 and len(lost) <= 2,
     f"the loss is logged once per connection ({len(lost)})")
t.eq(len(log_lines(w, "connected to Redis")), 2 + len(lost), "and one reconnect each")
t.eq(w.stop(), 0, "the worker drains and exits 0")
t.eq(processing_keys(r), [], "no processing list left")
t.eq(r.scard("assay:workers"), 0, "the registry is empty")
t.note(f"redis down: 3 s absent ({len(unreachable)} log lines), frozen 2.5 s "
       f"({len(lost)} lost-connection lines); {100 + len(more)} answered once; "
       f"{time.time() - started:.1f} s")
# SIGTERM while Redis is gone and nothing is in flight: exit 0 at once, not after the
# drain timeout.
w2 = Worker(srv.url, "--worker-id", "down-2", "--drain-timeout", "20000")
t.ok(w2.wait_log("connected to Redis", 10), "a second worker connects")
srv.kill()
t.ok(w2.wait_log("lost the Redis connection", 10), "and sees Redis go")
t0 = time.time()
t.eq(w2.stop(timeout=15), 0, "SIGTERM with Redis unreachable and nothing in flight: exit 0")
t.ok(time.time() - t0 < 5, f"without waiting for the drain timeout ({time.time() - t0:.1f} s)")
notes_on_failure(t, w)
srv.stop()
t.done()
