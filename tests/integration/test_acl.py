"""The least-privilege ACL of docs/security.md, applied exactly as written there: the worker
runs through it (claim, grade, acknowledge, dead-letter, heartbeats, recovery) and a user
with that ACL cannot touch keys outside the prefix."""

import os
import re

import redis

from harness import SOURCE, RedisServer, T, Worker, make_submission, results, wait_for

t = T()
doc = open(os.path.join(SOURCE, "docs", "security.md"), encoding="utf-8").read()
m = re.search(r"<!-- acl: worker -->\s*```\n(ACL SETUSER .*?)\n```", doc, re.S)
t.ok(m is not None, "docs/security.md has the worker ACL")
acl = m.group(1).split() if m else []

srv = RedisServer()
admin = srv.client()
password = "acl-test-pass-81723"
args = [">" + password if a == ">CHANGE-ME" else a for a in acl[2:]]
admin.execute_command("ACL", "SETUSER", *args)

url = f"redis://assay-worker:{password}@127.0.0.1:{srv.port}/0"
limited = redis.Redis.from_url(url)
t.ok(limited.ping(), "the ACL user can connect")
try:
    limited.set("elsewhere:key", "x")
    t.ok(False, "the ACL user cannot write outside the prefix")
except redis.exceptions.NoPermissionError:
    t.ok(True, "the ACL user cannot write outside the prefix")

for i in range(20):
    admin.lpush("assay:submissions", make_submission(f"acl-{i}"))
admin.lpush("assay:submissions", b"{broken")
w = Worker(url)
t.ok(wait_for(lambda: len(results(admin)) >= 21), "21 results through the ACL user")
t.eq(admin.llen("assay:dead"), 1, "the broken message is dead-lettered")
t.eq(len({r["id"] for r in results(admin) if r["id"]}), 20, "20 distinct graded ids")
out = w.output()
t.ok("NOPERM" not in out and "no permissions" not in out.lower(),
     "the worker needed no command outside the ACL")
t.ok(password not in out, "the password never appears in the log")
t.eq(w.stop(), 0, "the worker drains and exits 0")
if "NOPERM" in out:
    t.note(out)
srv.stop()
t.done()
