"""Connecting: an ACL user with a password (the default user disabled), a wrong password, a unix
socket, and a hash-tagged prefix.

- REDIS_URL=redis://assay:PASS@host:port grades; the password never appears in the log.
- With a wrong password the worker logs "authentication failed" (once per connection, not per
  retry) and never the password, stays alive and keeps retrying: once the ACL is changed to
  accept that password, it connects by itself and grades.
- REDIS_URL=unix:///path/redis.sock works.
- --prefix "{assay}" puts every key under "{assay}:" and nothing under "assay:".
"""

import os
import tempfile
import time

import redis

from harness import (RedisServer, T, Worker, log_lines, make_submission, processing_keys,
                     reap_children_at_exit, results, wait_for)

t = T()
reap_children_at_exit()
started = time.time()
GOOD, WRONG = "w0rker-pass-5521", "n0t-the-pass-7731"

# --- ACL user, default user off. -------------------------------------------------------
srv = RedisServer()
admin = srv.client()
admin.execute_command("ACL", "SETUSER", "admin", "on", ">adm1n-pass-9090", "~*", "&*", "+@all")
admin.execute_command("ACL", "SETUSER", "assay", "on", ">" + GOOD, "resetkeys", "~assay:*",
                      "+@all", "-@dangerous")
admin.execute_command("ACL", "SETUSER", "default", "off")
admin = srv.client(username="admin", password="adm1n-pass-9090")
t.ok(admin.ping(), "the admin user connects")
try:
    srv.client().ping()
    t.ok(False, "the default user is disabled")
except redis.exceptions.RedisError:
    t.ok(True, "the default user is disabled")

good_url = f"redis://assay:{GOOD}@127.0.0.1:{srv.port}"
w = Worker(good_url, "--worker-id", "auth-good")
for i in range(20):
    admin.lpush("assay:submissions", make_submission(f"auth-{i}"))
t.ok(wait_for(lambda: admin.llen("assay:results") >= 20, 15), "20 results through the ACL user")
t.ok(all(x["status"] == "graded" for x in results(admin)), "all graded")
out = w.output()
t.ok(GOOD not in out, "the password is not in the log")
t.ok("redis://assay:***@" in out, "the log names the user with the password masked")
t.eq(log_lines(w, "authentication failed"), [], "no authentication failure")
t.eq(w.stop(), 0, "the worker drains and exits 0")

bad_url = f"redis://assay:{WRONG}@127.0.0.1:{srv.port}"
bad = Worker(bad_url, "--worker-id", "auth-bad")
t.ok(bad.wait_log("authentication failed", 5), "a wrong password: 'authentication failed'")
time.sleep(2.5)
t.ok(bad.proc.poll() is None, "the worker is still alive after 2.5 s")
failures = log_lines(bad, "authentication failed")
t.ok(1 <= len(failures) <= 2, f"logged once per connection, not per retry ({len(failures)})")
out = bad.output()
t.ok(WRONG not in out and GOOD not in out, "no password in the log")
for i in range(5):
    admin.lpush("assay:submissions", make_submission(f"auth-late-{i}"))
time.sleep(0.3)
t.eq(admin.llen("assay:results"), 20, "nothing is graded with the wrong password")
# Now the password the worker has becomes the right one: it keeps retrying, so it gets in.
admin.execute_command("ACL", "SETUSER", "assay", ">" + WRONG)
t.ok(wait_for(lambda: admin.llen("assay:results") >= 25, 15),
     "once the password is accepted, the retrying worker connects and grades")
t.ok(bad.wait_log("connected to Redis", 1), "and logs that it connected")
t.ok(WRONG not in bad.output(), "still no password in the log")
t.eq(bad.stop(), 0, "it drains and exits 0")
srv.stop()

# --- Unix socket. ----------------------------------------------------------------------
sockdir = tempfile.mkdtemp(prefix="assay-sock-")
sock = os.path.join(sockdir, "redis.sock")
srv = RedisServer(extra=["--unixsocket", sock, "--unixsocketperm", "700"])
r = srv.client()
w = Worker(f"unix://{sock}", "--worker-id", "auth-unix")
for i in range(10):
    r.lpush("assay:submissions", make_submission(f"unix-{i}"))
t.ok(wait_for(lambda: r.llen("assay:results") >= 10, 15), "10 results over the unix socket")
t.eq(len([c for c in r.client_list() if c.get("addr", "").startswith(sock)]), 2,
     "both of the worker's connections use the socket")
t.ok(w.wait_log(f"connected to Redis at unix://{sock}", 1), "the log names the socket")
t.eq(w.stop(), 0, "the worker drains and exits 0")

# --- A hash-tagged prefix. -------------------------------------------------------------
r.flushall()
w = Worker(srv.url, "--prefix", "{assay}", "--worker-id", "auth-tag")
for i in range(10):
    r.lpush("{assay}:submissions", make_submission(f"tag-{i}"))
r.lpush("{assay}:submissions", b"{broken")
t.ok(wait_for(lambda: r.llen("{assay}:results") >= 11, 15), "11 results under {assay}:")
t.eq(r.llen("{assay}:dead"), 1, "the broken one is dead-lettered under {assay}:")
t.ok(r.exists("{assay}:worker:auth-tag") and r.sismember("{assay}:workers", "auth-tag"),
     "heartbeat and registry under {assay}:")
t.eq(w.stop(), 0, "the worker drains and exits 0")
keys = sorted(k.decode() for k in r.keys("*"))
t.eq([k for k in keys if not k.startswith("{assay}:")], [], "every key starts with {assay}:")
t.ok(any(k.startswith("{assay}:done:") for k in keys), "de-duplication records too")
t.eq(processing_keys(r, "{assay}"), [], "no processing list left")
srv.stop()
t.note(f"auth: ACL user, wrong password ({len(failures)} failure lines in 2.5 s), unix "
       f"socket, {{assay}} prefix; {time.time() - started:.1f} s")
t.done()
