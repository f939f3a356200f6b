"""Every example submission goes through the worker and comes back graded exactly as
`assay grade` grades it offline; a malformed message gets an error result and a dead letter;
SIGTERM drains and exits 0."""

import json
import os
import subprocess

from harness import (CLI, RUBRICS, SUBMISSIONS, RedisServer, T, Worker, dead,
                     example_submissions, load_submission, processing_keys, results,
                     wait_for)

t = T()
srv = RedisServer()
r = srv.client()
names = example_submissions()
for n in names:
    r.lpush("assay:submissions", load_submission(n))
r.lpush("assay:submissions", b"{not json")

w = Worker(srv.url)
got = wait_for(lambda: len(results(r)) >= len(names) + 1)
t.ok(got, f"{len(names) + 1} results arrive")
res = results(r)
by_id = {x["id"]: x for x in res if x["id"] is not None}

for n in names:
    sub = json.loads(load_submission(n))
    rubric = os.path.join(RUBRICS, sub["rubric"] + ".json")
    offline = json.loads(subprocess.run([CLI, "grade", rubric, os.path.join(SUBMISSIONS, n)],
                                        capture_output=True, check=False).stdout)
    online = by_id.get(sub["id"])
    if online is None:
        t.ok(False, f"{n}: a result")
        continue
    for x in (offline, online):
        x.pop("graded_at", None)
    # The worker's result also says what it did to the learner's record (records on).
    record = online.pop("record", None)
    online.pop("credentials", None)  # a credential earned: test_credentials.py
    t.eq(online, offline, f"{n}: the worker's result equals `assay grade`, but for \"record\"")
    t.ok(not sub.get("learner") or (record or {}).get("status") == "applied",
         f"{n}: its record member says applied")

bad = [x for x in res if x["id"] is None]
t.eq(len(bad), 1, "one result for the malformed message")
t.eq(bad[0]["error"]["code"] if bad else None, "malformed_json", "its error code")
d = dead(r)
t.eq(len(d), 1, "one dead letter")
t.eq(d[0].get("submission") if d else None, "{not json", "the dead letter keeps the message")
t.eq(d[0].get("reason") if d else None, "malformed_json", "and says why")
t.eq(r.llen("assay:submissions"), 0, "the queue is empty")

status = w.stop()
t.eq(status, 0, "SIGTERM: the worker exits 0")
t.eq(processing_keys(r), [], "no processing list is left behind")
t.eq(r.scard("assay:workers"), 0, "the worker left the registry")
if status != 0:
    t.note(w.output())
srv.stop()
t.done()
