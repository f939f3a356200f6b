"""chaos.py - the shared part of Assay's chaos scenarios (tests/chaos/scenario_*.py).

A scenario starts a private redis-server and assay-worker processes (tests/integration's
harness), enqueues generated submissions through a Producer that logs every id whose push
Redis acknowledged, injects its faults, waits for the queues to drain, and ends with
Scenario.audit():

  - every acknowledged id has exactly one result on P:results (none missing, none doubled),
    and no result names an id that was not sent;
  - the dead-letter list holds exactly the submissions meant to be bad, each once;
  - no queue, processing list, redelivery count or registered worker is left behind;
  - each result equals what `assay grade` gives offline for the same submission (all
    fields but graded_at);
  - the faults really hit (the workers' logs count redelivered submissions).

and prints one summary line, "chaos NAME: enqueued N, results N, duplicates N, missing N,
dead N, redelivered N, duration S s", which scripts/test.sh repeats at the end of CI.
Everything listens on 127.0.0.1 and every wait is bounded.
"""

import json
import os
import random
import re
import subprocess
import sys
import threading
import time

import redis

from harness import (scratch_dir, CLI, RUBRICS, SUBMISSIONS, RedisServer, T, Worker, log_lines,
                     processing_keys, reap_children_at_exit, wait_for)

GRADED_AT = "2026-01-01T00:00:00Z"
# A submission whose raw text holds this marker makes a worker started with
# ASSAY_FAULT_ABORT_ON set to it abort() while grading it: a real poison message.
POISON_MARKER = "chaos-poison-abort"


def _examples():
    """rubric id -> list of example submissions (dicts) for it."""
    by_rubric = {}
    for name in sorted(os.listdir(SUBMISSIONS)):
        if name.endswith(".json"):
            with open(os.path.join(SUBMISSIONS, name), encoding="utf-8") as f:
                sub = json.load(f)
            by_rubric.setdefault(sub["rubric"], []).append(sub)
    return by_rubric


def make_corpus(n, prefix, seed=1):
    """n good submissions (id -> raw JSON text), answers mixed per item from the examples of
    each rubric so the results differ; deterministic for a seed."""
    rnd = random.Random(seed)
    by_rubric = _examples()
    rubrics = sorted(by_rubric)
    pools = {}
    for rid, subs in by_rubric.items():
        items = {}
        for s in subs:
            for k, v in s["responses"].items():
                items.setdefault(k, []).append(v)
        pools[rid] = items
    out = {}
    for i in range(n):
        rid = rubrics[i % len(rubrics)]
        responses = {}
        for item, answers in sorted(pools[rid].items()):
            if rnd.random() < 0.9:
                responses[item] = rnd.choice(answers)
        sid = f"{prefix}-{i:06d}"
        out[sid] = json.dumps({"id": sid, "rubric": rid, "learner": f"learner-{i % 977:04d}",
                               "responses": responses, "meta": {"chaos": prefix, "n": i}},
                              ensure_ascii=False, separators=(",", ":"))
    return out


def make_poison(n, prefix):
    """n submissions meant to be bad (id -> (raw, expected error code)): crashes of the worker
    (with ASSAY_FAULT_ABORT_ON), an unknown rubric, a missing field, a wrong type."""
    kinds = ["crash", "unknown_rubric", "missing_field", "wrong_type"]
    out = {}
    for i in range(n):
        kind = kinds[i % len(kinds)]
        sid = f"{prefix}-poison-{i:05d}"
        sub = {"id": sid, "rubric": "chem-molarity", "responses": {"q1": "1.46 g"}}
        if kind == "crash":
            sub["meta"] = {"note": POISON_MARKER}
            code = "grading_error"
        elif kind == "unknown_rubric":
            sub["rubric"] = "chem-molarty"
            code = "unknown_rubric"
        elif kind == "missing_field":
            del sub["responses"]
            code = "missing_field"
        else:
            sub["responses"] = ["1.46 g"]
            code = "wrong_type"
        out[sid] = (json.dumps(sub, separators=(",", ":")), code)
    return out


def queued_and_claimed(r, worker_ids):
    """(queued, claimed by these workers) on the live queue, read in one transaction."""
    p = r.pipeline(transaction=True)
    p.llen("assay:submissions")
    for wid in worker_ids:
        p.llen(f"assay:processing:{wid}:submissions")
    queued, *claimed = p.execute()
    return queued, sum(claimed)


# Every message queued, claimed or answered, read in one script so none moves in between.
ALL_MESSAGES = """
local out = {}
local keys = redis.call('KEYS', ARGV[1] .. ':processing:*')
table.insert(keys, ARGV[1] .. ':submissions')
table.insert(keys, ARGV[1] .. ':results')
for _, k in ipairs(keys) do
  for _, m in ipairs(redis.call('LRANGE', k, 0, -1)) do out[#out + 1] = m end
end
return out
"""


def ids_in_redis(r, prefix="assay"):
    """The ids of every message queued, claimed or answered."""
    return {json.loads(m)["id"] for m in r.eval(ALL_MESSAGES, 0, prefix)}


def reconnected(w):
    """Whether every connection the worker lost is connected again (each loss of a ready
    connection is logged once, and so is its next connect)."""
    return (len(log_lines(w, "connected to Redis at"))
            == 2 + len(log_lines(w, "lost the Redis connection")))


def offline_results(messages, workdir):
    """id -> the result `assay grade --jsonl` gives for each raw message, without graded_at."""
    src = os.path.join(workdir, "offline-in.jsonl")
    dst = os.path.join(workdir, "offline-out.jsonl")
    with open(src, "w", encoding="utf-8") as f:
        for raw in messages:
            f.write(raw + "\n")
    subprocess.run([CLI, "grade", "--rubrics", RUBRICS, "--jsonl", src, "-o", dst, "--jobs",
                    "2", "--graded-at", GRADED_AT], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False, timeout=600)
    out = {}
    with open(dst, encoding="utf-8") as f:
        for line in f:
            res = json.loads(line)
            res.pop("graded_at", None)
            out[res["id"]] = res
    return out


class Producer:
    """Pushes messages (oldest first) onto a queue in pipelined chunks, optionally at a steady
    rate (messages per second, a chunk at a time), in a thread. Every id whose push Redis acknowledged is appended to a log file; a
    chunk whose reply was lost (Redis killed, connection cut) is pushed again after a
    reconnect, so it may be in the queue twice - which the workers must answer once."""

    def __init__(self, scn, key, items, chunk=200, rate=None, stamp=False):
        self.scn, self.key, self.items = scn, key, list(items)
        self.chunk, self.rate, self.stamp = chunk, rate, stamp
        self.acked = []
        self.retried = 0
        self.sent_at = {}
        self.log = open(os.path.join(scn.dir, f"producer-{key.replace(':', '_')}.log"), "a",
                        encoding="utf-8")
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.done = threading.Event()

    def start(self):
        self.thread.start()
        return self

    def _run(self):
        r = self.scn.client(timeout=2)
        step = self.chunk
        t0 = time.time()
        i = 0
        deadline = time.time() + 600
        while i < len(self.items) and time.time() < deadline:
            if self.rate:
                delay = t0 + i / self.rate - time.time()
                if delay > 0:
                    time.sleep(delay)
            part = self.items[i:i + step]
            try:
                p = r.pipeline(transaction=False)
                for _sid, raw in part:
                    p.lpush(self.key, raw)
                now = time.time()
                p.execute()
            except redis.exceptions.RedisError:
                self.retried += 1
                time.sleep(0.1)
                r = self.scn.client(timeout=2)
                continue
            for sid, _raw in part:
                self.acked.append(sid)
                self.sent_at[sid] = now
                self.log.write(sid + "\n")
            self.log.flush()
            i += step
        self.log.close()
        self.done.set()

    def wait(self, timeout=600):
        self.thread.join(timeout)
        return self.done.is_set()


class Scenario:
    """One chaos scenario: its redis-server, its workers, its clock and its audit."""

    def __init__(self, name, appendonly=False, redis_extra=None, prefix="assay", records=False):
        reap_children_at_exit()
        self.name = name
        # Learner records are audited by the records scenario alone; elsewhere they would
        # only slow the drain (about 5x under ASan) without being checked.
        self.records = records
        self.prefix = prefix
        self.t = T()
        self.started = time.time()
        self.dir = scratch_dir(f"assay-chaos-{name}-")
        self.srv = RedisServer(appendonly=appendonly, extra=redis_extra)
        self.workers = []
        self.t.note(f"{name}: redis on {self.srv.url}, logs in {self.dir}")

    def client(self, timeout=10):
        return self.srv.client(timeout=timeout)

    def worker(self, *args, env=None, hooks=False):
        base = {"ASSAY_HEARTBEAT_TTL_MS": "1500", "ASSAY_COMMAND_TIMEOUT_MS": "1000",
                "ASSAY_RECORDS": "on" if self.records else "off"}
        base.update(env or {})
        w = Worker(self.srv.url, *args, env=base, log_dir=self.dir, hooks=hooks)
        self.workers.append(w)
        return w

    def redelivered(self):
        """Submissions returned to the queues from dead workers, summed over every log."""
        total = 0
        for w in self.workers:
            for m in re.finditer(r"returned (\d+) submissions? of worker", w.output()):
                total += int(m.group(1))
        return total

    def wait_drained(self, expected, timeout=180):
        """Waits until the queues and processing lists are empty and `expected` results (or
        more) exist; returns whether that happened in time."""
        r = self.client()
        p = self.prefix

        def drained():
            return (r.llen(f"{p}:results") >= expected and r.llen(f"{p}:submissions") == 0
                    and r.llen(f"{p}:regrade") == 0 and not processing_keys(r, p))
        return bool(wait_for(drained, timeout, 0.2))

    def wait_registry(self, timeout=15):
        """Waits until the registry holds only the workers still running: the dead ones'
        heartbeats expire and a live worker's recovery pass removes them (and returns
        anything they held). Returns whether that happened in time."""
        r = self.client()
        live = sum(1 for w in self.workers if w.proc.poll() is None)
        return bool(wait_for(lambda: r.scard(f"{self.prefix}:workers") <= live, timeout, 0.2))

    def stop_workers(self):
        codes = []
        for w in self.workers:
            if w.proc.poll() is None:
                codes.append(w.stop(60))
        return codes

    def audit(self, sent, acked, poison=None, results=None, offline_extra=None,
              need_redelivered=True):
        """The end-of-scenario audit. sent: id -> raw for everything pushed (good and bad);
        acked: ids whose push Redis acknowledged; poison: id -> expected error code for
        the submissions meant to be bad; results: the results, when a consumer took them off
        the list (else the list is read)."""
        t, p = self.t, self.prefix
        poison = poison or {}
        r = self.client(timeout=60)
        if results is None:
            results = [json.loads(x) for x in r.lrange(f"{p}:results", 0, -1)]
        dead = [json.loads(x) for x in r.lrange(f"{p}:dead", 0, -1)]
        # The audit is against the producers' logs of acknowledged pushes, which must agree
        # with what they reported.
        logged = set()
        for name in sorted(os.listdir(self.dir)):
            if name.startswith("producer-") and name.endswith(".log"):
                with open(os.path.join(self.dir, name), encoding="utf-8") as f:
                    logged.update(line.strip() for line in f if line.strip())
        t.eq(sorted(logged ^ set(acked))[:10], [],
             f"the producers' logs hold the {len(logged)} acknowledged ids")
        acked_set = logged
        counts = {}
        for res in results:
            counts[res.get("id")] = counts.get(res.get("id"), 0) + 1
        missing = sorted(i for i in acked_set if counts.get(i, 0) == 0)
        doubled = sorted(i for i, c in counts.items() if c > 1)
        unknown = sorted(str(i) for i in counts if i not in sent)
        t.eq(missing[:10], [], f"every acknowledged id has a result ({len(missing)} missing)")
        t.eq(doubled[:10], [], f"no id has two results ({len(doubled)} doubled)")
        if doubled:
            for res in results:
                if res.get("id") == doubled[0]:
                    t.note(f"doubled: {json.dumps(res)[:400]}")
        t.eq(unknown[:10], [], "no result for an id that was not sent")

        dead_ids = {}
        for d in dead:
            dead_ids[d.get("id")] = dead_ids.get(d.get("id"), 0) + 1
        t.eq(sorted(i for i, c in dead_ids.items() if c > 1), [], "no dead letter twice")
        t.eq(sorted(str(i) for i in dead_ids), sorted(poison),
             f"the dead letters are exactly the {len(poison)} bad submissions")
        wrong_reason = [d.get("id") for d in dead
                        if d.get("id") in poison and d.get("reason") != poison[d.get("id")]]
        t.eq(wrong_reason[:10], [], "each dead letter has its expected reason")
        untouched = [d.get("id") for d in dead
                     if d.get("id") in sent and d.get("submission") != sent[d.get("id")]]
        t.eq(untouched[:10], [], "each dead letter keeps the message as it was pushed")

        t.eq(processing_keys(r, p), [], "no processing list is left")
        t.eq((r.llen(f"{p}:submissions"), r.llen(f"{p}:regrade")), (0, 0),
             "the queues are empty")
        t.eq(r.hlen(f"{p}:attempts"), 0, "no redelivery count is left")
        t.eq(r.scard(f"{p}:workers"), 0, "no worker is left registered")

        # The same results as offline grading (graded_at aside); crashes are not graded
        # offline, so they are checked for their error code instead.
        offline = offline_results([sent[i] for i in sorted(sent) if i not in poison
                                   or poison[i] != "grading_error"], self.dir)
        differ = []
        for res in results:
            sid = res.get("id")
            if poison.get(sid) == "grading_error":
                if res.get("status") != "error" or \
                        (res.get("error") or {}).get("code") != "grading_error":
                    differ.append(sid)
                continue
            want = offline.get(sid)
            got = dict(res)
            got.pop("graded_at", None)
            got.pop("record", None)  # the learner's record: audit_records
            got.pop("credentials", None)  # credentials earned (scenario_records)
            if got != want:
                differ.append(sid)
        t.eq(differ[:5], [], f"all {len(results)} results equal offline grading "
                             f"({len(differ)} differ)")
        if differ:
            sid = differ[0]
            t.note(f"worker: {json.dumps([x for x in results if x.get('id') == sid][0])}")
            t.note(f"offline: {json.dumps(offline.get(sid))}")

        redelivered = self.redelivered()
        if need_redelivered:
            t.ok(redelivered > 0, f"the faults hit: {redelivered} submissions redelivered")
        duration = time.time() - self.started
        line = (f"chaos {self.name}: enqueued {len(acked_set)}, results {len(results)}, "
                f"duplicates {len(doubled)}, missing {len(missing)}, dead {len(dead)}, "
                f"redelivered {redelivered}, duration {duration:.1f} s")
        self.summary = line
        return line

    def audit_records(self):
        """Every learner record in Redis equals `assay record rebuild` over P:results in push
        order (parsed documents compared), every graded result with a learner has its record
        member, and each competency's "before" is the "after" of the learner's previous result
        that touched it. Returns the number of records."""
        t, p = self.t, self.prefix
        r = self.client(timeout=60)
        pushed = [x.decode() for x in reversed(r.lrange(f"{p}:results", 0, -1))]
        path = os.path.join(self.dir, "results-pushed.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(pushed) + "\n")
        out = subprocess.run([CLI, "record", "rebuild", "--jsonl", path, "--rubrics", RUBRICS],
                             capture_output=True, text=True, check=False, timeout=600)
        t.eq(out.returncode, 0, "assay record rebuild over the results exits 0")
        want = {d["learner"]: d for d in map(json.loads, out.stdout.splitlines())}
        got = {}
        for key in r.scan_iter(f"{p}:record:*", count=1000):
            doc = json.loads(r.hget(key, "doc"))
            got[doc["learner"]] = doc
        t.eq(sorted(set(got) ^ set(want))[:10], [],
             f"the same {len(want)} learners have a record in Redis and in the rebuild")
        differ = sorted(k for k in want if k in got and got[k] != want[k])
        t.eq(differ[:5], [], f"every record in Redis equals the rebuild ({len(differ)} differ)")
        last, bad, members = {}, [], 0
        for line in pushed:
            res = json.loads(line)
            if res.get("status") != "graded" or not res.get("learner"):
                continue
            rec = res.get("record")
            if rec is None:
                bad.append(f"{res.get('id')}: no record member")
                continue
            members += 1
            for c in rec.get("competencies") or []:
                key = (res["learner"], c["id"])
                if c["before"] != last.get(key):
                    bad.append(f"{res.get('id')} {c['id']}: before is not the last after")
                last[key] = c["after"]
        t.eq(bad[:5], [], f"{members} record members chain, before to after ({len(bad)} bad)")
        return len(want)

    def finish(self, extra=""):
        t = self.t
        if t.failed:
            for w in self.workers[-4:]:
                out = [x for x in w.output().splitlines() if " graded " not in x]
                t.note(f"--- {w.log_path} (last 40 lines)")
                t.note("\n".join(out[-40:]))
        print(f"# {getattr(self, 'summary', f'chaos {self.name}: no audit')}{extra}", flush=True)
        for w in self.workers:
            if w.proc.poll() is None:
                w.kill()
        self.srv.stop()
        t.done()


def main_guard(fn):
    """Runs a scenario; an exception is a failed assertion, not a silent pass."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - reported as a TAP failure
        import traceback
        print("not ok 999 - the scenario raised " + type(e).__name__ + ": " + str(e))
        traceback.print_exc(file=sys.stdout)
        print("1..999")
        sys.exit(1)
