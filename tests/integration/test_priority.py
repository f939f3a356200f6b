"""Live submissions go before regrading, and each queue is served oldest first.

1. Stop the world: with no worker running, 200 regrade then 200 live submissions are pushed;
   one worker (--batch 10 --inflight 40) then answers all 400, within each queue in push
   order. No regrade submission is claimed while live ones are queued, so the first 160
   results (200 minus what can be in flight when the live queue empties) are live ones,
   and regrade results come before the last live one only for regrade work claimed while
   the last live batches were still being graded (each queue's acknowledgements keep their
   own order; regrade runs on threads of its own).
2. A live submission arriving while a large regrade backlog is being worked through is
   claimed next, and answered while the backlog still runs: between the push and its last
   result come only the regrade submissions in flight (at most --regrade-inflight, 10
   here) and what those threads finish meanwhile - at most --inflight (40) in all. The LMS
   push and the count of results are taken in one MULTI, so "between" is exact.
"""

import time

from harness import (RedisServer, T, Worker, make_submission, notes_on_failure, processing_keys,
                     push_all, reap_children_at_exit, results_in_order, wait_for)

BATCH, INFLIGHT, REGRADE_INFLIGHT = 10, 40, 10
t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer()
r = srv.client()

regrade = [f"rg-{i:03d}" for i in range(200)]
live = [f"live-{i:03d}" for i in range(200)]
push_all(r, "assay:regrade", [make_submission(i) for i in regrade])
push_all(r, "assay:submissions", [make_submission(i) for i in live])

w = Worker(srv.url, "--batch", str(BATCH), "--inflight", str(INFLIGHT), "--regrade-inflight",
           str(REGRADE_INFLIGHT), "--worker-id", "prio-1")
t.ok(wait_for(lambda: r.llen("assay:results") >= 400, 30), "400 results arrive")
order = [x["id"] for x in results_in_order(r)]
t.eq(len(order), 400, "exactly 400 results")
t.eq(sorted(order), sorted(live + regrade), "one result per submission")
kinds = "".join("l" if i.startswith("live-") else "r" for i in order)
first_regrade = kinds.find("r")
last_live = kinds.rfind("l")
t.ok(first_regrade >= 200 - INFLIGHT,
     f"the first {200 - INFLIGHT} results are live ones (first regrade at {first_regrade})")
early = kinds[:last_live].count("r")
t.ok(early <= INFLIGHT, f"at most {INFLIGHT} regrade results come before the last live one "
                        f"({early}, last live at {last_live})")
t.eq([i for i in order if i.startswith("live-")], live, "live results in push order")
t.eq([i for i in order if i.startswith("rg-")], regrade, "regrade results in push order")
t.ok(all(x["status"] == "graded" for x in results_in_order(r)), "all graded")

# 2. Live work overtakes a running regrade backlog.
r.delete("assay:results")
backlog = [f"bk-{i:04d}" for i in range(3000)]
push_all(r, "assay:regrade", [make_submission(i) for i in backlog])
t.ok(wait_for(lambda: r.llen("assay:results") >= 300, 20), "the regrade backlog is being worked")
urgent = [f"urgent-{i:02d}" for i in range(20)]
p = r.pipeline(transaction=True)
p.llen("assay:results")
for i in urgent:
    p.lpush("assay:submissions", make_submission(i))
before = p.execute()[0]
backlog_left = r.llen("assay:regrade")
t.ok(wait_for(lambda: r.llen("assay:results") >= 3020, 30), "3020 results arrive")
order = [x["id"] for x in results_in_order(r)]
after = order[before:]
last_urgent = max(k for k, i in enumerate(after) if i.startswith("urgent-"))
overtaken = sum(1 for i in after[:last_urgent] if i.startswith("bk-"))
t.ok(overtaken <= INFLIGHT,
     f"between the live push and its last result at most {INFLIGHT} regrade results "
     f"({overtaken}; {backlog_left} regrade were still queued)")
t.ok(any(i.startswith("bk-") for i in after[last_urgent:]),
     "the live ones are answered while the backlog still runs")
t.eq([i for i in order if i.startswith("urgent-")], urgent, "the live ones in push order")
t.eq([i for i in order if i.startswith("bk-")], backlog, "the backlog still in push order")
t.eq(len(order), len(set(order)), "no id answered twice")

t.eq(w.stop(), 0, "the worker drains and exits 0")
t.eq(processing_keys(r), [], "no processing list left")
t.note(f"priority: 400 + 3020 results; regrade results overtaking the live push: "
       f"{overtaken}; {time.time() - started:.1f} s")
notes_on_failure(t, w)
srv.stop()
t.done()
