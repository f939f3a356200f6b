"""Learner records in the worker (issue 9 item 4): after a run with identical and differing
duplicates, forced regrades, a regrade under a newer rubric version, out-of-order
submitted_at and several learners across two rubrics, every record in Redis equals
`assay record rebuild` over P:results in push order (parsed documents compared), and the
results' "record" members chain: each competency's "before" is the "after" of the learner's
previous result that touched it. Then a second worker grades the same learners at the same
time as the first, in small batches: record conflicts happen (P:stats record_conflicts and
the log say so), are read and computed again, and the records still equal the rebuild.
Bad input loses nothing: a bad submitted_at is answered with an error and dead-lettered, and
a damaged stored record refuses the evidence (the result says why, the submission is kept
in P:dead). Finally --records off writes no record and no "record" member."""

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess

from harness import (CLI, RUBRICS, RedisServer, T, Worker, load_submission,
                     notes_on_failure, processing_keys, reap_children_at_exit, scratch_dir,
                     wait_for)

t = T()
reap_children_at_exit()
rng = random.Random(9)
work = scratch_dir("assay-records-")
rubrics = os.path.join(work, "rubrics")
os.mkdir(rubrics)
for name in os.listdir(RUBRICS):
    if name.endswith(".json"):
        shutil.copy(os.path.join(RUBRICS, name), rubrics)
# A newer version of chem-molarity (other content, so another SHA-256).
with open(os.path.join(RUBRICS, "chem-molarity.json"), encoding="utf-8") as f:
    newer = json.load(f)
newer["version"] = "1.2.0"
newer["title"] = newer["title"] + " (revised)"
with open(os.path.join(rubrics, "chem-molarity-1.2.0.json"), "w", encoding="utf-8") as f:
    json.dump(newer, f)

RESPONSES = {
    "chem-molarity": [json.loads(load_submission(n))["responses"] for n in
                      ("chem-molarity.perfect.json", "chem-molarity.blank.json",
                       "chem-molarity.sigfigs.json", "chem-molarity.wrong-unit.json",
                       "chem-molarity.decimal-comma.json")],
    "stats-confidence": [json.loads(load_submission(n))["responses"] for n in
                         ("stats-confidence.perfect.json", "stats-confidence.incomplete.json",
                          "stats-confidence.misconceptions.json",
                          "stats-confidence.z-critical.json")],
}


def sub(sid, learner, rubric, k, day, **extra):
    s = {"id": sid, "rubric": rubric, "learner": learner,
         "responses": RESPONSES[rubric][k % len(RESPONSES[rubric])],
         "submitted_at": f"2026-03-{day:02d}T09:00:00+01:00"}
    if rubric == "chem-molarity":
        s["rubric_version"] = "1.1.0"
    s.update(extra)
    return json.dumps(s)


def run(args, **kw):
    return subprocess.run([CLI] + args, capture_output=True, text=True, timeout=120,
                          check=False, **kw)


def settled(r, n_pushed_before):
    """Every queue and processing list empty."""
    def idle():
        return (r.llen("assay:submissions") == 0 and r.llen("assay:regrade") == 0 and
                all(r.llen(k) == 0 for k in processing_keys(r)))
    return wait_for(idle, 60)


def records_in_redis(r):
    out = {}
    for key in r.scan_iter("assay:record:*"):
        ver, doc = r.hmget(key, "ver", "doc")
        d = json.loads(doc)
        out[d["learner"]] = (int(ver), d)
    return out


def rebuild(r, what):
    """assay record rebuild over P:results in push order; the records by learner."""
    pushed = [x.decode() for x in reversed(r.lrange("assay:results", 0, -1))]
    path = os.path.join(work, f"results-{what}.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(pushed) + "\n")
    p = run(["record", "rebuild", "--jsonl", path, "--rubrics", rubrics])
    t.eq(p.returncode, 0, f"{what}: assay record rebuild exits 0")
    if p.returncode:
        t.note(p.stderr)
    return {d["learner"]: d for d in map(json.loads, p.stdout.splitlines())}, pushed


def check_chain(pushed, what):
    """Each result's before is the after of the learner's previous result touching it."""
    last, bad, members = {}, [], 0
    for line in pushed:
        res = json.loads(line)
        rec = res.get("record")
        if res.get("status") != "graded" or not res.get("learner"):
            continue
        if rec is None:
            bad.append(f"{res['id']}: no record member")
            continue
        members += 1
        if rec["status"] != "applied":
            continue
        for c in rec["competencies"]:
            key = (res["learner"], c["id"])
            if c["before"] != last.get(key):
                bad.append(f"{res['id']} {c['id']}: before {c['before']} != {last.get(key)}")
            last[key] = c["after"]
    t.ok(members > 0 and not bad, f"{what}: {members} record members chain before -> after")
    for b in bad[:5]:
        t.note(b)
    return last


def compare(r, what):
    got = records_in_redis(r)
    want, pushed = rebuild(r, what)
    t.eq(sorted(got), sorted(want), f"{what}: the same learners have records")
    diff = [k for k in want if k in got and got[k][1] != want[k]]
    t.eq(diff, [], f"{what}: every record in Redis equals the rebuild ({len(want)} records)")
    last = check_chain(pushed, what)
    # The last "after" of each competency is the record's standing.
    mism = []
    for (learner, comp), after in last.items():
        doc = got.get(learner, (0, {}))[1].get("competencies", {}).get(comp)
        if (after is None) != (doc is None) or (
                after and after["value_exact"] != doc["value_exact"]):
            mism.append((learner, comp))
    t.eq(mism, [], f"{what}: each competency's last 'after' is the record's value")
    return got


srv = RedisServer()
r = srv.client()
learners = [f"learner-{i:03d}" for i in range(6)]
msgs, forced, newer_regrades = [], [], []
for li, learner in enumerate(learners):
    days = list(range(1, 9))
    rng.shuffle(days)  # submitted_at out of order against the push order
    for k in range(5):
        rubric = "chem-molarity" if k < 3 else "stats-confidence"
        sid = f"s-{li}-{k}"
        m = sub(sid, learner, rubric, k + li, days[k])
        msgs.append(m)
        if k == 0:
            msgs.append(m)  # an identical duplicate
        if k == 1:
            msgs.append(sub(sid, learner, rubric, k + li + 1, days[k]))  # differing copy
        if k == 2:
            forced.append(sub(sid, learner, rubric, k + li + 2, days[k], force=True))
            newer_regrades.append(sub(sid, learner, rubric, k + li + 3, days[7],
                                      force=True, rubric_version="1.2.0"))
r.lpush("assay:submissions", *msgs)
w = Worker(srv.url, "--worker-id", "rec-1", "--rubrics", rubrics, "--batch", "4",
           "--inflight", "8")
t.ok(settled(r, len(msgs)), "first pass: everything graded")
r.lpush("assay:submissions", *newer_regrades)  # newer rubric version first...
t.ok(settled(r, 0), "regrades under chem-molarity 1.2.0 graded")
r.lpush("assay:submissions", *forced)  # ...then a late forced regrade under 1.1.0: stale
t.ok(settled(r, 0), "late forced regrades under 1.1.0 graded")
stats = {k.decode(): int(v) for k, v in r.hgetall("assay:stats").items()}
t.ok(stats.get("duplicates", 0) >= 12, f"duplicates suppressed ({stats.get('duplicates')})")
results = [json.loads(x) for x in r.lrange("assay:results", 0, -1)]
stale = [x["id"] for x in results if (x.get("record") or {}).get("status") == "stale"]
t.eq(sorted(stale), sorted(json.loads(m)["id"] for m in forced),
     "the late 1.1.0 regrades are stale: the record keeps the 1.2.0 evidence")
replaced = [x["id"] for x in results
            if (x.get("record") or {}).get("replaced") and x["rubric"]["version"] == "1.2.0"]
t.eq(len(replaced), len(newer_regrades), "each 1.2.0 regrade replaced its evidence")
got = compare(r, "one worker")
t.ok(all(v[0] >= 1 for v in got.values()), "each record has a version")
n_sub = sum(len(d["competencies"]) for _, d in got.values())
t.ok(n_sub > 0, f"{n_sub} competencies across {len(got)} learners")

# Two workers grading the same learners at once, in small batches.
w2 = Worker(srv.url, "--worker-id", "rec-2", "--rubrics", rubrics, "--batch", "2",
            "--inflight", "6")
# Both workers running before the burst (under valgrind a start takes seconds, and the
# first worker would otherwise grade it all alone, with nothing to conflict with).
t.ok(w2.wait_log("ready:", 120), "worker 2 is ready")
before = int(r.hget("assay:stats", "record_conflicts") or 0)
burst = []
for n in range(240):
    learner = learners[n % 2]  # two learners, every batch touches both
    rubric = "chem-molarity" if n % 3 else "stats-confidence"
    burst.append(sub(f"b-{n}", learner, rubric, n, 1 + n % 28))
r.lpush("assay:submissions", *burst)
t.ok(settled(r, len(burst)), "the burst is graded by two workers")
after = int(r.hget("assay:stats", "record_conflicts") or 0)
t.ok(after > before, f"record conflicts happened and were retried ({after - before})")
logs = w.output() + w2.output()
t.ok("record conflict:" in logs, "a conflict is logged")
t.ok("record_conflict_gave_up" not in logs and "gave up committing" not in logs,
     "no batch gave up")
ids = [json.loads(x).get("id") for x in r.lrange("assay:results", 0, -1)]
t.eq(sorted(i for i in ids if i.startswith("b-")), sorted(f"b-{n}" for n in range(240)),
     "each burst submission answered exactly once")
compare(r, "two workers")
t.eq(w2.stop(), 0, "worker 2 drains and exits 0")

# The worker keeps the records it wrote (reccache.h); a record another worker changed since
# is read again, never served from the copy: worker 1 writes learner-cache twice, is
# paused while worker 5 adds a result, then adds one more. A stale copy would lose c-3.
for n in (1, 2):
    r.lpush("assay:submissions", sub(f"c-{n}", "learner-cache", "chem-molarity", n, n))
    t.ok(settled(r, 0), f"c-{n} graded by worker 1")


def graded_by_another(n, message, what):
    """Worker 1 paused while worker n, started for it, grades `message` and drains."""
    w.signal(signal.SIGSTOP)
    other = Worker(srv.url, "--worker-id", f"rec-{n}", "--rubrics", rubrics)
    r.lpush("assay:submissions", message)
    t.ok(settled(r, 0), what)
    t.eq(other.stop(), 0, f"worker {n} drains and exits 0")
    w.signal(signal.SIGCONT)
    return other


w5 = graded_by_another(5, sub("c-3", "learner-cache", "stats-confidence", 3, 3),
                       "c-3 graded by worker 5 while worker 1 is paused")
h = hashlib.sha256(b"learner-cache").hexdigest()
ver_before = int(r.hget(f"assay:record:{h}", "ver"))
r.lpush("assay:submissions", sub("c-4", "learner-cache", "chem-molarity", 4, 4))
t.ok(settled(r, 0), "c-4 graded by worker 1")
t.eq(int(r.hget(f"assay:record:{h}", "ver")), ver_before + 1, "c-4 wrote the record")
last = json.loads(r.lindex("assay:results", 0))
t.eq(last["id"], "c-4", "c-4 was pushed last")
comps = records_in_redis(r)["learner-cache"][1]["competencies"]
t.ok(any("stats-confidence" in c for c in comps) and any("chem-molarity" in c for c in comps),
     f"the record holds both rubrics' competencies, c-3's too ({sorted(comps)})")
compare(r, "a record changed by another worker since")

# Redis loses worker 1's last write (a restart while appendfsync everysec had postponed it,
# a failover to a replica that lacked it): RESTORE puts the record back as it was before c-5.
# Worker 6 then writes c-6 over that older state, reaching the same "ver" worker 1's copy
# has. Each write has a "gen" of its own, so worker 1 must read c-6's record, not take its
# copy for current: a copy taken would drop c-6 from the record.
key = f"assay:record:{h}"
before_c5 = r.dump(key)
ver_c4 = int(r.hget(key, "ver"))
r.lpush("assay:submissions", sub("c-5", "learner-cache", "stats-confidence", 5, 5))
t.ok(settled(r, 0) and int(r.hget(key, "ver")) == ver_c4 + 1, "c-5 graded by worker 1")
gen_c5 = r.hget(key, "gen")
r.restore(key, 0, before_c5, replace=True)
w6 = graded_by_another(6, sub("c-6", "learner-cache", "chem-molarity", 6, 6),
                       "c-6 graded by worker 6 over the record without c-5")
t.eq(int(r.hget(key, "ver")), ver_c4 + 1, "c-6's record has the version c-5's had")
t.ok(r.hget(key, "gen") != gen_c5, "but another gen")


def evidence_ids():
    doc = json.loads(r.hget(key, "doc"))
    return {e["submission"] for c in doc["competencies"].values() for e in c["evidence"]}


t.ok("c-6" in evidence_ids() and "c-5" not in evidence_ids(), "c-6 is in the record, c-5 not")
r.lpush("assay:submissions", sub("c-7", "learner-cache", "chem-molarity", 7, 7))
t.ok(settled(r, 0), "c-7 graded by worker 1")
t.eq(json.loads(r.lindex("assay:results", 0))["id"], "c-7", "c-7 was pushed last")
t.eq(int(r.hget(key, "ver")), ver_c4 + 2, "c-7 wrote the record")
t.ok({"c-6", "c-7"} <= evidence_ids() and "c-5" not in evidence_ids(),
     f"worker 1 built c-7 on c-6's record, not on its copy ({sorted(evidence_ids())})")
t.eq(w.stop(), 0, "worker 1 drains and exits 0")

# Bad input loses nothing: a bad submitted_at is an error result, dead-lettered, and
# touches no record; a record the worker cannot read (damaged) refuses the evidence: the
# result is still answered, with the reason, and the submission is kept in P:dead.
r.flushall()
w4 = Worker(srv.url, "--worker-id", "rec-4", "--rubrics", rubrics)
bad_time = json.loads(sub("bad-time", "learner-bt", "chem-molarity", 0, 1))
bad_time["submitted_at"] = "2026-02-30T09:00:00Z"
r.lpush("assay:submissions", json.dumps(bad_time))
t.ok(wait_for(lambda: r.llen("assay:results") == 1, 20), "bad submitted_at: answered")
res = json.loads(r.lindex("assay:results", 0))
t.eq((res["status"], res["error"]["code"]), ("error", "wrong_type"),
     "bad submitted_at: an error result (wrong_type)")
t.ok("submitted_at" in res["error"]["message"] and "no such day" in res["error"]["message"],
     "naming the field and what is wrong with it")
t.ok(r.llen("assay:dead") == 1 and not list(r.scan_iter("assay:record:*")),
     "dead-lettered, and no record written")
h = hashlib.sha256(b"learner-damaged").hexdigest()
r.hset(f"assay:record:{h}", mapping={"ver": "3", "doc": "{not a record"})
r.lpush("assay:submissions", sub("dmg-1", "learner-damaged", "chem-molarity", 0, 2))
t.ok(wait_for(lambda: r.llen("assay:results") == 2, 20), "damaged record: answered")
res = json.loads(r.lindex("assay:results", 0))
rec = res.get("record") or {}
t.eq((res["status"], rec.get("status")), ("graded", "refused"),
     "graded, the record member says refused")
t.ok("damaged" in (rec.get("reason") or "") and h in (rec.get("reason") or ""),
     "the reason names the damaged record")
dead = [json.loads(x) for x in r.lrange("assay:dead", 0, -1)]
t.ok(any(d.get("id") == "dmg-1" and d.get("reason") == "record_refused" for d in dead),
     "the submission is kept in P:dead (record_refused)")
t.eq(r.hget(f"assay:record:{h}", "doc"), b"{not a record", "the damaged record is left as it was")
t.eq(w4.stop(), 0, "it drains and exits 0")

# --records off: no record written, no member.
r.flushall()
w3 = Worker(srv.url, "--worker-id", "rec-3", "--rubrics", rubrics, "--records", "off")
r.lpush("assay:submissions", sub("off-1", "learner-x", "chem-molarity", 0, 1))
t.ok(wait_for(lambda: r.llen("assay:results") == 1, 20), "records off: graded")
res = json.loads(r.lindex("assay:results", 0))
t.ok("record" not in res and not list(r.scan_iter("assay:record:*")),
     "records off: no record member, no record key")
t.eq(w3.stop(), 0, "records off: exits 0")
p = subprocess.run([os.environ.get("ASSAY_WORKER", "assay-worker"), "--records", "maybe"],
                   capture_output=True, text=True, timeout=30, check=False)
t.ok(p.returncode == 2 and "--records must be on or off" in p.stderr,
     "--records maybe is a usage error (exit 2)")
notes_on_failure(t, w, w2, w3, w4, w5, w6)
t.done()
