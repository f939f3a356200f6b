"""test_notify.py - assay-worker speaks sd_notify to a NOTIFY_SOCKET this test owns (an
AF_UNIX datagram socket, as systemd's), started the way systemd starts a Type=notify service
with WatchdogSec=1:

  - with Redis down: STATUS= lines saying it waits for Redis, WATCHDOG=1 pings, and no
    READY=1 (its rubrics are loaded, but Redis is not reached);
  - Redis started on that port: READY=1 arrives, with a STATUS= saying it grades;
  - a submission graded: a later periodic STATUS= counts it;
  - SIGHUP: RELOADING=1 (with MONOTONIC_USEC) then READY=1 with the reload's outcome;
  - Redis killed: a STATUS= saying it waits for Redis again, and no second READY=1;
  - SIGTERM: STOPPING=1, then a clean exit 0.
WATCHDOG_PID names another process in a second worker: no WATCHDOG=1 then (sd_watchdog_
enabled's rule)."""

import os
import signal
import time

from harness import (T, Worker, free_port, make_submission, notes_on_failure,
                     reap_children_at_exit, redis_server_on, results, wait_for)
from opslib import NotifySocket, skip_without

skip_without("systemd")
t = T()
reap_children_at_exit()

ns = NotifySocket()
port = free_port()
w = Worker(f"redis://127.0.0.1:{port}", "--worker-id", "notify-1",
           env={"NOTIFY_SOCKET": ns.path, "WATCHDOG_USEC": "1000000"})

# Redis down.
first = ns.wait(lambda m: "STATUS" in m, 10)
t.ok(first is not None and "Waiting for Redis" in first.get("STATUS", ""),
     "Redis down: a STATUS= line says it waits for Redis")
t.note(f"first status: {first}")
t.ok(ns.wait(lambda m: m.get("WATCHDOG") == "1", 10) is not None,
     "Redis down: WATCHDOG=1 pings arrive (WATCHDOG_USEC set)")
time.sleep(2.0)
t.ok(all("READY" not in m for m in ns.messages()), "Redis down for 2 s: no READY=1")
t.ok(w.proc.poll() is None, "the worker keeps running while Redis is down")

# Redis up on that port.
srv = redis_server_on(port)
r = srv.client()
ready = ns.wait(lambda m: m.get("READY") == "1", 20)
t.ok(ready is not None, "Redis started: READY=1 arrives")
t.ok(ready is not None and ready.get("STATUS", "").startswith("Grading:"),
     "READY=1 comes with STATUS=Grading: ...")
t.ok(any("queue scripts loaded" in line for line in w.output().splitlines()),
     "the log says it is ready once the queue scripts are loaded")

# A graded submission shows in a later periodic STATUS line.
r.lpush("assay:submissions", make_submission("notify-a"))
t.ok(wait_for(lambda: len(results(r)) == 1, 20), "a submission is graded")
counted = ns.wait(lambda m: "STATUS" in m and "1 graded" in m["STATUS"], 15)
t.ok(counted is not None, "a periodic STATUS= line counts it (1 graded)")
t.note(f"status: {counted}")

# SIGHUP: RELOADING=1, then READY=1.
mark = ns.mark()
w.signal(signal.SIGHUP)
reloading = ns.wait(lambda m: m.get("RELOADING") == "1", 10, since=mark)
t.ok(reloading is not None, "SIGHUP: RELOADING=1")
t.ok(reloading is not None and reloading.get("MONOTONIC_USEC", "").isdigit(),
     "RELOADING=1 carries MONOTONIC_USEC")
again = ns.wait(lambda m: m.get("READY") == "1", 10, since=mark)
t.ok(again is not None and "Reloaded the rubrics" in again.get("STATUS", ""),
     "after the reload: READY=1 with STATUS=Reloaded the rubrics: N rubrics in service")

# Redis lost: the status says so; READY=1 is not repeated when it comes back.
mark = ns.mark()
srv.kill()
lost = ns.wait(lambda m: "Waiting for Redis" in m.get("STATUS", ""), 15, since=mark)
t.ok(lost is not None, "Redis killed: STATUS= says it waits for Redis")
srv.start(port=port)
back = ns.wait(lambda m: m.get("STATUS", "").startswith("Grading:"), 20, since=mark)
t.ok(back is not None, "Redis back: STATUS=Grading: ...")
t.ok(all("READY" not in m for m in ns.messages()[mark:]),
     "no second READY=1 for a reconnect")

# SIGTERM: STOPPING=1 and a clean exit.
mark = ns.mark()
code = w.stop()
t.eq(code, 0, "SIGTERM: exit 0 after draining")
stopping = ns.wait(lambda m: m.get("STOPPING") == "1", 5, since=mark)
t.ok(stopping is not None, "SIGTERM: STOPPING=1")
t.ok(stopping is not None and stopping.get("STATUS", "").startswith("Draining"),
     "STOPPING=1 comes with STATUS=Draining: ...")
notes_on_failure(t, w)

# WATCHDOG_PID naming another process: the watchdog is not ours.
ns2 = NotifySocket()
w2 = Worker(srv.url, "--worker-id", "notify-2",
            env={"NOTIFY_SOCKET": ns2.path, "WATCHDOG_USEC": "1000000",
                 "WATCHDOG_PID": str(os.getpid())})
t.ok(ns2.wait(lambda m: m.get("READY") == "1", 20) is not None, "second worker: READY=1")
time.sleep(1.5)
t.ok(all("WATCHDOG" not in m for m in ns2.messages()),
     "WATCHDOG_PID of another process: no WATCHDOG=1")
t.eq(w2.stop(), 0, "second worker: exit 0")
notes_on_failure(t, w2)

ns.close()
ns2.close()
srv.stop()
t.done()
