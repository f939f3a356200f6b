"""Connecting: an ACL user with a password (the default user disabled), a wrong password, a unix
socket, and a hash-tagged prefix.

- REDIS_URL=redis://assay:PASS@host:port grades; the password never appears in the log.
- Refused before the first claim - a wrong password (WRONGPASS), no password (NOAUTH), a user
  without EVALSHA (NOPERM), a database that does not exist - the worker exits at once with
  status 78 (EX_CONFIG) and one message naming the user, never the password.
- Refused after that (the password rotated under a running worker): logged once, retried
  with backoff, exit 78 on SIGTERM while it lasts; once the password is accepted again, the
  worker carries on and exits 0.
- REDIS_URL=unix:///path/redis.sock works.
- --prefix "{assay}" puts every key under "{assay}:" and nothing under "assay:".
"""

import os
import time

import redis

from harness import (scratch_dir, RedisServer, T, Worker, log_lines, make_submission, processing_keys,
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
t.eq(log_lines(w, "refuses user"), [], "no refusal")
t.eq(w.stop(), 0, "the worker drains and exits 0")

# --- Refused at start: fail fast, exit 78, one message naming the user. ------------------
def refused_at_start(url, wid, user, code, what):
    """A worker whose user Redis refuses before its first claim exits 78 at once."""
    bad = Worker(url, "--worker-id", wid)
    t.ok(wait_for(lambda: bad.proc.poll() is not None, 10), f"{what}: the worker stops")
    t.eq(bad.proc.returncode, 78, f"{what}: exit status 78 (EX_CONFIG), not 0")
    lines = log_lines(bad, f'refuses user "{user}"')
    t.eq(len(lines), 1, f"{what}: one message naming user {user}")
    t.ok(lines and code in lines[0] and "cannot start" in lines[0],
         f"{what}: it says {code} and that the worker cannot start")
    out = bad.output()
    t.ok(WRONG not in out and GOOD not in out, f"{what}: no password in the log")
    return bad


bad_url = f"redis://assay:{WRONG}@127.0.0.1:{srv.port}"
refused_at_start(bad_url, "auth-bad", "assay", "WRONGPASS", "a wrong password")
refused_at_start(f"redis://127.0.0.1:{srv.port}", "auth-none", "default", "NOAUTH",
                 "no password, the default user off")
# An ACL user that may not run the scripts (no +evalsha): NOPERM.
admin.execute_command("ACL", "SETUSER", "weak", "on", ">" + GOOD, "resetkeys", "~assay:*",
                      "+@all", "-evalsha")
refused_at_start(f"redis://weak:{GOOD}@127.0.0.1:{srv.port}", "auth-weak", "weak", "NOPERM",
                 "a user without EVALSHA")
refused_at_start(f"redis://assay:{GOOD}@127.0.0.1:{srv.port}/99", "auth-db", "assay",
                 "ERR", "a database that does not exist")

# --- Refused after a first start (the password rotated): keep retrying, exit 78 on
# SIGTERM; and once the password is accepted again, carry on. -----------------------------
for restore in (False, True):
    admin.delete("assay:results")
    w = Worker(good_url, "--worker-id", f"auth-rot-{int(restore)}")
    admin.lpush("assay:submissions", make_submission(f"rot-{int(restore)}-a"))
    t.ok(wait_for(lambda: admin.llen("assay:results") >= 1, 15), "rotation: graded before")
    admin.execute_command("ACL", "SETUSER", "assay", "resetpass", ">" + WRONG)
    admin.execute_command("CLIENT", "KILL", "USER", "assay")
    t.ok(w.wait_log('now refuses user "assay"', 10), "rotation: the refusal is logged")
    conns0 = admin.info("stats")["total_connections_received"]
    time.sleep(3)
    conns = admin.info("stats")["total_connections_received"] - conns0
    t.ok(w.proc.poll() is None, "rotation: the worker stays up, retrying")
    t.eq(len(log_lines(w, "refuses user")), 1, "rotation: logged once, not per retry")
    t.ok(conns <= 14, f"rotation: reconnects with backoff ({conns} connections in 3 s)")
    t.ok(WRONG not in w.output() and GOOD not in w.output(), "rotation: no password logged")
    if restore:
        admin.execute_command("ACL", "SETUSER", "assay", "resetpass", ">" + GOOD)
        admin.lpush("assay:submissions", make_submission("rot-1-b"))
        t.ok(wait_for(lambda: admin.llen("assay:results") >= 2, 15),
             "password restored: the retrying worker connects and grades")
        t.ok(w.wait_log('accepts user "assay" again', 5), "and says the user is accepted again")
        t.eq(w.stop(), 0, "then it drains and exits 0")
    else:
        t.eq(w.stop(), 78, "SIGTERM while refused: exit 78, so the failure shows")
        admin.execute_command("ACL", "SETUSER", "assay", "resetpass", ">" + GOOD)
srv.stop()

# --- Unix socket. ----------------------------------------------------------------------
sockdir = scratch_dir("assay-sock-")
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
t.note(f"auth: ACL user, refusals at start and after a rotation, unix socket, {{assay}} "
       f"prefix; {time.time() - started:.1f} s")
t.done()
