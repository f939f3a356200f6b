"""Duplicates are answered once: the same 100 ids enqueued twice (identical bytes) give exactly
100 results; one pushed again after its result exists gets no second one; the same id with
different answers (same rubric content) is a duplicate too; a repeated bad message with an
id is answered once. The worker counts what it suppressed and logs each duplicate with its
id; P:stats counts graded, errors and duplicates exactly; and the de-duplication record is
the documented key (the id's SHA-256, the rubric's sha256, the engine's version) with the
--dedupe-ttl expiry."""

import hashlib
import time

from harness import (RedisServer, T, Worker, id_counts, log_lines, make_submission,
                     notes_on_failure, processing_keys, push_all, reap_children_at_exit, results,
                     stopped_counts, wait_for)

t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer()
r = srv.client()

ids = [f"dup-{i:03d}" for i in range(100)]
msgs = [make_submission(i) for i in ids]
# Twice, interleaved differently: the second copy of some ids lands in the same claim batch
# as the first, of others in a later batch.
push_all(r, "assay:submissions", msgs + list(reversed(msgs)))
w = Worker(srv.url, "--batch", "16", "--worker-id", "dup-1", "--dedupe-ttl", "3600")
t.ok(wait_for(lambda: r.llen("assay:submissions") == 0 and not processing_keys(r), 20),
     "both copies of all 100 are taken")
time.sleep(0.3)
res = results(r)
counts = id_counts(res)
t.eq(len(res), 100, "exactly 100 results for 200 messages")
t.eq(sorted(counts), ids, "every id answered")
t.eq(max(counts.values()), 1, "no id answered twice")
t.eq(r.llen("assay:dead"), 0, "no dead letter")

sha = res[0]["rubric"]["sha256"]
engine = res[0]["engine"].split()[-1]  # "assay 0.1.0": the engine's version
key = f"assay:done:{hashlib.sha256(ids[0].encode()).hexdigest()}:{sha}:{engine}"
ttl = r.ttl(key)
t.ok(0 < ttl <= 3600, f"the de-duplication record {key[:40]}... expires with --dedupe-ttl "
     f"(ttl {ttl})")

# Pushed again after its result exists: no second result.
r.lpush("assay:submissions", msgs[5])
# Same id, different answers, same rubric content: a duplicate by contract.
r.lpush("assay:submissions", make_submission(ids[6], responses={"q1": "1.25 g"}))
# A bad message with an id, twice: answered (and dead-lettered) once.
bad = make_submission("dup-bad-1", rubric="no-such-rubric")
r.lpush("assay:submissions", bad)
r.lpush("assay:submissions", bad)
# A fresh id after them proves the worker got past them.
r.lpush("assay:submissions", make_submission("dup-last"))
t.ok(wait_for(lambda: "dup-last" in id_counts(results(r)), 10), "the marker after them is graded")
time.sleep(0.3)
counts = id_counts(results(r))
t.eq(counts.get(ids[5]), 1, "re-enqueued after the result: still one result")
t.eq(counts.get(ids[6]), 1, "same id with other answers: still one result")
t.eq(counts.get("dup-bad-1"), 1, "a repeated bad message with an id: one result")
t.eq(r.llen("assay:dead"), 1, "and one dead letter")
t.eq(len(results(r)), 102, "102 results in all")
mine = [x for x in results(r) if x["id"] == ids[6]]
t.eq([x["items"][0]["checks"][0].get("value") for x in mine], ["1.46"],
     "the result kept is the first one's (1.46 g, not the later 1.25 g)")

t.eq(w.stop(), 0, "the worker drains and exits 0")
counts_line = stopped_counts(w)
t.ok(counts_line is not None, "the worker logs its counts when it stops")
if counts_line:
    graded, failed, dups = counts_line
    t.eq(dups, 100 + 3, "it counts 103 duplicates suppressed (100 + re-enqueued + other "
         "answers + the repeated bad one)")
    t.eq(failed, 1, "it counts the bad message's first copy as not graded (the second is a "
         "duplicate)")
    t.eq(graded, 101, "and 101 graded: what it acknowledged, not what it graded twice")
dup_lines = log_lines(w, "duplicate suppressed: ")
t.eq(len(dup_lines), 103, "each duplicate is a log line")
t.ok(any("duplicate suppressed: dup-005 " in x for x in dup_lines)
     and any("duplicate suppressed: dup-bad-1 " in x for x in dup_lines),
     "naming its id")
stats = {k.decode(): int(v) for k, v in r.hgetall("assay:stats").items()}
conflicts = stats.pop("record_conflicts", 0)
t.eq(stats, {"graded": 101, "errors": 1, "dead": 1, "duplicates": 103, "records": 101},
     "P:stats: 101 graded, 1 error (dead-lettered), 103 duplicates, 101 records: exact")
t.note(f"record conflicts (read and computed again): {conflicts}")
t.eq(processing_keys(r), [], "no processing list left")
t.note(f"duplicates: 205 messages, {len(results(r))} results, suppressed "
       f"{counts_line[2] if counts_line else '?'}; {time.time() - started:.1f} s")
notes_on_failure(t, w)
srv.stop()
t.done()
