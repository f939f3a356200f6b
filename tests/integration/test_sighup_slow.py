"""A slow SIGHUP reload (many heavy rubrics: a few seconds of compiling, well past the 1 s
command timeout and the 1.5 s heartbeat TTL the tests run with) does not stop the worker:
the rubrics are compiled off the event loop, so while they compile

- submissions pushed meanwhile are graded and acknowledged (results whose graded_at falls
  between the "reloading" and the "reloaded" lines),
- the heartbeat key never expires, no connection is dropped or reconnected and nothing is
  returned to the queues as a dead worker's;

two more SIGHUPs during the reload are coalesced into one more reload (three signals, two
reloads), and every submission gets exactly one result.
"""

import json
import os
import random
import shutil
import signal
import tempfile
import threading
import time

from harness import (RUBRICS, RedisServer, T, Worker, exactly_once, log_lines, make_submission,
                     notes_on_failure, reap_children_at_exit, wait_for)

t = T()
reap_children_at_exit()
started = time.time()
tmp = tempfile.mkdtemp(prefix="assay-sighup-slow-")
rub = os.path.join(tmp, "rubrics")
shutil.copytree(RUBRICS, rub, ignore=shutil.ignore_patterns("submissions"))

# 40 rubrics of 40 items, each a caseless alternation of 300 words: about 5 MB that take
# seconds to compile (JIT), far more than the time to grade a submission.
rnd = random.Random(5)
words = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8)) for _ in range(400)]
for k in range(40):
    items = []
    for i in range(40):
        pat = "(?:" + "|".join(rnd.sample(words, 300)) + r")\s+(?:\w+\s+){0,3}end"
        items.append({"id": f"q{i}", "title": "t", "prompt": "p", "checks": [
            {"id": f"q{i}-p", "type": "pattern", "mode": "search", "pattern": pat,
             "flags": ["caseless"], "points": 1, "evidence": {"c": 1},
             "feedback": {"pass": "yes", "fail": "no"}}]})
    doc = {"assay": 1, "id": f"heavy-{k}", "version": "1.0.0", "title": "Heavy",
           "scale": {"levels": [{"id": "a", "name": "A", "min": 0},
                                {"id": "b", "name": "B", "min": 0.5, "mastery": True}]},
           "competencies": [{"id": "c", "name": "C"}], "items": items}
    with open(os.path.join(rub, f"heavy-{k:02d}.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f)

srv = RedisServer()
r = srv.client()
w = Worker(srv.url, "--worker-id", "hup-slow", rubrics=rub)
t.ok(w.wait_log("connected to Redis", 60) and wait_for(
    lambda: r.exists("assay:worker:hup-slow"), 30), "the worker starts with 45 rubrics (40 + the 5 examples)")

ids = []
stop = threading.Event()


def produce():
    p = srv.client()
    n = 0
    while not stop.is_set():
        sid = f"slow-{n:05d}"
        p.lpush("assay:submissions", make_submission(sid))
        ids.append(sid)
        n += 1
        time.sleep(0.02)


heartbeat_gone = []


def watch_heartbeat():
    p = srv.client()
    while not stop.is_set():
        if not p.exists("assay:worker:hup-slow"):
            heartbeat_gone.append(time.time())
        time.sleep(0.05)


threads = [threading.Thread(target=produce, daemon=True),
           threading.Thread(target=watch_heartbeat, daemon=True)]
for th in threads:
    th.start()
time.sleep(0.5)
w.signal(signal.SIGHUP)
t.ok(w.wait_log("SIGHUP: reloading", 10), "SIGHUP: 'reloading'")
w.signal(signal.SIGHUP)
w.signal(signal.SIGHUP)
t.ok(wait_for(lambda: len(log_lines(w, "SIGHUP: reloaded")) >= 2, 120),
     "the reload and the one more that the two signals during it asked for")
time.sleep(1.0)
stop.set()
for th in threads:
    th.join(10)
t.ok(wait_for(lambda: r.llen("assay:results") >= len(ids), 30), "everything pushed is answered")
time.sleep(0.3)
exactly_once(t, r, ids, "reload under load: ")

reloaded = log_lines(w, "SIGHUP: reloaded")
t.eq(len(reloaded), 2, "three SIGHUPs, two reloads: the ones during the first are coalesced")
t.eq(len(log_lines(w, "one more reload follows")), 1, "the coalescing is logged once")
t.ok(all("45 rubrics" in x for x in reloaded), "each reload loaded the 45 rubrics")


def stamp(line):
    """The time of a text log line (its first field, RFC 3339 UTC)."""
    return line.split()[0]


begin = stamp(log_lines(w, "SIGHUP: reloading")[0])
end = stamp(reloaded[0])
during = [x for x in r.lrange("assay:results", 0, -1)
          if begin < json.loads(x)["graded_at"] < end]
t.ok(len(during) > 0, f"graded and acknowledged while the first reload compiled "
     f"({len(during)} results between {begin} and {end})")
t.eq(heartbeat_gone[:3], [], "the heartbeat key never expired")
t.eq(log_lines(w, "lost the Redis connection"), [], "no connection dropped")
t.eq(log_lines(w, "no reply within"), [], "no reply overdue")
t.eq(log_lines(w, "returned"), [], "nothing returned to the queues")
t.eq(w.stop(), 0, "the worker drains and exits 0")
notes_on_failure(t, w)
t.note(f"sighup slow: {len(ids)} submissions, {len(during)} graded during the first reload "
       f"({begin} .. {end}); {time.time() - started:.1f} s")
srv.stop()
shutil.rmtree(tmp, ignore_errors=True)
t.done()
