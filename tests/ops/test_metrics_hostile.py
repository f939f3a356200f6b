"""test_metrics_hostile.py - hostile HTTP clients cannot stall grading or exhaust memory:

  1. 200 slowloris connections trickle a header line each second, and another sends a
     1 MB header: meanwhile 300 submissions are all graded, exactly once, /metrics still
     answers on a new connection, the 1 MB request is refused (431, or the connection
     closed), and the worker's resident memory grows by far less than the bytes thrown
     at it (each connection may hold 16 KiB);
  2. a connection that sends nothing is closed by the worker (idle timeout);
  3. 700 connections at once, more than the limit: the worker keeps grading and does not
     crash; once they close, /metrics answers again.
No assertion is on time: every wait is a generous deadline for something that must happen."""

import os
import resource
import selectors
import socket
import threading
import time

from harness import (T, Worker, free_port, make_submission, notes_on_failure, push_all,
                     reap_children_at_exit, RedisServer, exactly_once, wait_for)
from opslib import skip_without, try_http

skip_without("metrics")
t = T()
reap_children_at_exit()

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < 2048:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))

srv = RedisServer()
r = srv.client()
mport = free_port()
# Under AddressSanitizer freed memory waits in a quarantine (256 MB by default) before it
# is reused, so the resident size would grow with every allocation, kept or not; a small
# quarantine keeps the memory bound below about what the worker holds. (Ignored by a
# build without ASan.)
asan = os.environ.get("ASAN_OPTIONS", "")
w = Worker(srv.url, "--worker-id", "hostile-1", "--metrics", f"127.0.0.1:{mport}",
           env={"ASAN_OPTIONS": (asan + ":" if asan else "") + "quarantine_size_mb=1"})
t.ok(wait_for(lambda: try_http(mport, "/readyz")[0] == 200, 30), "the worker is ready")


def rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


rss_before = rss_kib(w.proc.pid)

# --- 1. Slowloris + a huge header, while grading. -----------------------------------------
stop = threading.Event()
slow = []
for i in range(200):
    s = socket.create_connection(("127.0.0.1", mport), timeout=5)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    slow.append(s)


def trickle():
    n = 0
    while not stop.is_set():
        for s in slow:
            try:
                s.sendall(b"X-Slow-%d: y\r\n" % n)
            except OSError:
                pass
        n += 1
        stop.wait(1.0)


trickler = threading.Thread(target=trickle, daemon=True)
trickler.start()

big_result = {}


def send_big():
    s = socket.create_connection(("127.0.0.1", mport), timeout=20)
    sent = 0
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ")
        chunk = b"a" * 65536
        for _ in range(16):
            s.sendall(chunk)
            sent += len(chunk)
        s.sendall(b"\r\n\r\n")
        big_result["reply"] = s.recv(200)
    except OSError as e:
        big_result["error"] = str(e)
    finally:
        big_result["sent"] = sent
        s.close()


big = threading.Thread(target=send_big, daemon=True)
big.start()

ids = [f"h-{i}" for i in range(300)]
push_all(r, "assay:submissions", [make_submission(i) for i in ids])
t.ok(wait_for(lambda: r.llen("assay:results") >= len(ids), 120),
     "300 submissions graded while 200 slow connections hang")
exactly_once(t, r, ids, "with slowloris: ")

status, _, body = try_http(mport, "/metrics", timeout=20)
t.eq(status, 200, "with 200 slow connections held: /metrics answers 200 on a new one")
t.ok("assay_results_total" in body, "... with the metrics")

big.join(60)
reply = big_result.get("reply", b"")
t.note(f"1 MB header: sent {big_result.get('sent')} bytes, reply {reply[:40]!r}, "
       f"error {big_result.get('error')}")
t.ok(not big.is_alive(), "the 1 MB header request ended")
t.ok(reply.startswith(b"HTTP/1.1 431") or reply == b"" or "error" in big_result,
     f"the 1 MB header is refused (431 or closed): {reply[:40]!r} {big_result.get('error')}")
t.ok(not reply.startswith(b"HTTP/1.1 200"), "the 1 MB header request got no 200")

open_slow = 0
for s in slow:
    s.setblocking(False)
    try:
        open_slow += s.recv(100) != b""  # an answer (431 when their headers outgrew 16 KiB)
    except BlockingIOError:
        open_slow += 1  # nothing to read and not closed: still held
    except OSError:
        pass
    s.setblocking(True)
t.note(f"slow connections still open: {open_slow} of 200")
rss_after = rss_kib(w.proc.pid)
grown = rss_after - rss_before
t.note(f"worker RSS {rss_before} KiB -> {rss_after} KiB")
t.ok(grown < 32 * 1024, f"resident memory grew by {grown} KiB, under 32 MiB "
                        "(16 KiB per connection; 1 MB header not kept)")
stop.set()
trickler.join(5)
for s in slow:
    s.close()

# --- 2. An idle connection is closed. ------------------------------------------------------
idle = socket.create_connection(("127.0.0.1", mport), timeout=40)
t0 = time.time()
try:
    closed = idle.recv(100) == b""
except OSError:
    closed = True
t.ok(closed, "a connection that sends nothing is closed by the worker")
t.note(f"closed after {time.time() - t0:.1f} s (timeout 10 s)")
idle.close()

# --- 3. More connections than the limit. ---------------------------------------------------
many = []
for i in range(700):
    try:
        many.append(socket.create_connection(("127.0.0.1", mport), timeout=5))
    except OSError:
        break
t.note(f"opened {len(many)} connections")
ids2 = [f"m-{i}" for i in range(100)]
push_all(r, "assay:submissions", [make_submission(i) for i in ids2])
t.ok(wait_for(lambda: r.llen("assay:results") >= len(ids) + len(ids2), 120),
     "100 more graded while 700 connections are open")
t.ok(w.proc.poll() is None, "the worker is still running")
for s in many:
    s.close()
t.ok(wait_for(lambda: try_http(mport, "/metrics", timeout=5)[0] == 200, 60),
     "once they close, /metrics answers again")

t.eq(w.stop(), 0, "SIGTERM: exit 0")
notes_on_failure(t, w)
srv.stop()
t.done()
