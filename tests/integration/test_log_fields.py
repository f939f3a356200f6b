"""The worker's JSON log (the default format) carries what log tools filter on in fields of
their own, next to the sentence for people: every line is one JSON object with "ts",
"level", "msg", "worker" (this worker's id) and "src"; an "event" names the kind of line,
and ids, queues, counts, durations, error codes, connections and servers each have their own
field (docs/architecture.md, "The worker's log"). Answers and passwords never appear.
"""

import json
import os
import signal
import time

from harness import (RUBRICS, RedisServer, T, Worker, make_submission, notes_on_failure,
                     reap_children_at_exit, wait_for)

t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer()
admin = srv.client()
PASSWORD = "l0g-secret-pass-4411"
admin.execute_command("ACL", "SETUSER", "logger", "on", ">" + PASSWORD, "~*", "&*", "+@all")
url = f"redis://logger:{PASSWORD}@127.0.0.1:{srv.port}"
ANSWER = "1.46 g answer-text-never-logged-8812"

w = Worker(url, "--worker-id", "log-1", "--log-level", "debug",
           env={"ASSAY_LOG_FORMAT": "json"})
admin.lpush("assay:submissions", make_submission("log-ok-1", responses={"q1": ANSWER}))
admin.lpush("assay:submissions", make_submission("log-bad-1", rubric="no-such-rubric",
                                                 responses={"q1": ANSWER}))
admin.lpush("assay:regrade", make_submission("log-rg-1", responses={"q1": ANSWER}))
t.ok(wait_for(lambda: admin.llen("assay:results") >= 3, 15), "three results")
w.signal(signal.SIGTERM)
w.proc.wait(30)
out = w.output()
lines = []
bad = []
for raw in out.splitlines():
    try:
        lines.append(json.loads(raw))
    except ValueError:
        bad.append(raw)
t.eq(bad, [], "every line is one JSON object")
t.ok(all({"ts", "level", "msg", "worker", "src"} <= set(x) for x in lines),
     "each has ts, level, msg, worker and src")
t.eq(sorted({x.get("worker") for x in lines}), ["log-1"], "worker: this worker's id")
t.ok(all("event" in x for x in lines), "each has an event")


def event(name, **fields):
    """The lines of an event whose fields include these."""
    return [x for x in lines if x.get("event") == name
            and all(x.get(k) == v for k, v in fields.items())]


start = event("starting")
def is_rubric(name):
    """A rubric of the folder (not a JSON Schema nor a credential definition)."""
    with open(os.path.join(RUBRICS, name), encoding="utf-8") as f:
        return "assay" in json.load(f)


t.ok(start and start[0].get("count") == len([n for n in os.listdir(RUBRICS)
                                            if n.endswith(".json") and is_rubric(n)])
     and start[0].get("path") == RUBRICS and "redis" in start[0],
     "starting: count (rubrics), path, redis")
conn = event("connected")
t.eq(sorted(x.get("conn") for x in conn), ["block", "main"], "connected: conn main and block")
t.ok(all(x.get("redis") == f"redis://logger:***@127.0.0.1:{srv.port}/0" for x in conn),
     "connected: redis, the password masked")
g = event("graded", id="log-ok-1", queue="submissions")
t.ok(g and isinstance(g[0].get("ms"), (int, float)), "graded (debug): id, queue, ms")
t.ok(event("graded", id="log-rg-1", queue="regrade"), "graded from the regrade queue")
ng = event("not_graded", id="log-bad-1", code="unknown_rubric", queue="submissions")
t.ok(ng and ng[0]["level"] == "info", "not_graded: id, code, queue")
d = event("draining", code="SIGTERM")
t.ok(d and "count" in d[0], "draining: the signal and the count in flight")
s = event("stopped")
t.ok(s and s[0].get("count") == 2, "stopped: count graded")
t.ok(ANSWER not in out and "answer-text-never-logged" not in out, "no answer in the log")
t.ok(PASSWORD not in out, "no password in the log")
t.eq(w.proc.returncode, 0, "the worker exits 0")

# The text format keeps the sentences for people, without the fields.
admin.flushall()
w2 = Worker(url, "--worker-id", "log-2", env={"ASSAY_LOG_FORMAT": "text"})
admin.lpush("assay:submissions", make_submission("log-bad-2", rubric="nope"))
t.ok(wait_for(lambda: admin.llen("assay:results") >= 1, 15), "text: the result")
t.eq(w2.stop(), 0, "text: exits 0")
text = w2.output().splitlines()
t.ok(text and not any(x.startswith("{") for x in text), "text lines are not JSON")
t.ok(any("not graded: unknown_rubric (log-bad-2)" in x for x in text),
     "text: the sentence as before")
notes_on_failure(t, w, w2)
srv.stop()
t.note(f"log fields: {len(lines)} JSON lines; {time.time() - started:.1f} s")
t.done()
