"""The operator commands of the assay tool against a private redis-server and a real
assay-worker: `assay enqueue` (order, --regrade, blank lines, stdin, bytes kept, hash-tag
prefix), `assay stats` (text and --json, alive and stale workers, in flight, rate),
`assay dead list` and `assay dead requeue` (by id, --all, base64 entries, attempts cleared,
what the worker's de-duplication does to a requeued message), connection errors, AUTH with
a password and an ACL user (the password is never printed), SELECT and unix sockets.

Checked precisely below: a dead letter with an id, requeued without fixing its cause, is
answered again: requeue deletes the de-duplication record P:done:<sha256(id)>:error that the
first error left, so the worker answers with a second error result and a second dead
letter instead of suppressing it as a duplicate (nothing is ever dropped). A message
without an id has no record and is answered again too. After the cause is fixed (the
rubric loaded), the requeued submission is graded normally."""

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile

from harness import (CLI, RUBRICS, RedisServer, T, Worker, free_port, make_submission,
                     results, wait_for)

t = T()
work = tempfile.mkdtemp(prefix="assay-ops-")


def run(args, url, stdin=None, env=None, prefix=None):
    """Runs `assay ARGS`; REDIS_URL is url (None: unset). Returns (rc, stdout, stderr)."""
    full = dict(os.environ)
    full.pop("REDIS_URL", None)
    full.pop("ASSAY_PREFIX", None)
    if url is not None:
        full["REDIS_URL"] = url
    if prefix is not None:
        full["ASSAY_PREFIX"] = prefix
    full.update(env or {})
    p = subprocess.run([CLI] + args, input=stdin, capture_output=True, env=full, timeout=60,
                       check=False)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8",
                                                                              "replace")


def write(name, data):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def sha1hex(b):
    return hashlib.sha1(b).hexdigest()


def stats_json(url, *extra):
    rc, out, err = run(["stats", "--json", *extra], url)
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, err + out


def text_value(out, label):
    """The value after `label` in `assay stats` text output."""
    m = re.search(r"^" + re.escape(label) + r"\s+(\S+)$", out, re.M)
    return m.group(1) if m else None


srv = RedisServer()
r = srv.client()
url = srv.url

# --- enqueue ----------------------------------------------------------------------------
lines = [make_submission(f"ord-{i}").encode() for i in range(50)]
body = b""
for i, line in enumerate(lines):
    body += line + b"\n"
    if i % 10 == 3:
        body += b"\n   \n\t\n"  # blank lines (also whitespace-only) are skipped
path = write("order.jsonl", body)
rc, out, err = run(["enqueue", path], url, prefix="ord")
t.eq(rc, 0, "enqueue exits 0")
t.ok("enqueued 50 submissions onto ord:submissions" in err,
     "enqueue says how many, onto which key, on stderr")
t.eq(out, "", "enqueue prints nothing on stdout")
t.eq(r.llen("ord:submissions"), 50, "50 lines pushed, blank lines skipped")
t.eq(r.lrange("ord:submissions", 0, -1)[::-1], lines,
     "file order: the first line is at the right end (taken first by workers)")
t.eq(r.rpop("ord:submissions"), lines[0], "RPOP gives the first line")
t.eq(r.exists("ord:regrade"), 0, "nothing went to the regrade queue")

rc, out, err = run(["enqueue", "--regrade", path], url, prefix="ord")
t.eq(rc, 0, "enqueue --regrade exits 0")
t.ok("onto ord:regrade" in err, "--regrade names ord:regrade")
t.eq(r.lrange("ord:regrade", 0, -1)[::-1], lines, "--regrade pushes onto P:regrade in order")
t.eq(r.llen("ord:submissions"), 49, "--regrade leaves P:submissions alone")

raw = [b'{"id":"crlf-1"}', b"{not json at all", b"x\xff\x00y", b'  {"lead":"space"}  ']
rc, out, err = run(["enqueue", "-"], url, stdin=b"\r\n".join(raw) + b"\r\n\n",
                   env={"ASSAY_PREFIX": "raw"})
t.eq(rc, 0, "enqueue - reads standard input")
t.ok("enqueued 4 submissions onto raw:submissions" in err, "stdin: 4 counted")
t.eq(r.lrange("raw:submissions", 0, -1)[::-1], raw,
     "bytes are pushed as they are (invalid JSON, NUL, invalid UTF-8, spaces); only the "
     "\\r\\n line ending is removed")

rc, out, err = run(["enqueue", "--prefix", "{t1}", "-"], url,
                   stdin=b"\n".join(lines[:3]) + b"\n")
t.eq(rc, 0, "enqueue --prefix {t1} exits 0")
t.ok("onto {t1}:submissions" in err, "hash-tag prefix named")
t.eq(r.lrange("{t1}:submissions", 0, -1)[::-1], lines[:3], "hash-tag prefix keys are used")
rc, st, _ = stats_json(url, "--prefix={t1}")
t.eq(st["queues"]["submissions"] if st else None, 3, "stats --prefix={t1} sees the depth")

rc, out, err = run(["enqueue", "-"], url, stdin=b"", env={"ASSAY_PREFIX": "empty"})
t.ok(rc == 0 and "enqueued 0 submissions" in err, "an empty input enqueues nothing, exit 0")
rc, out, err = run(["enqueue", os.path.join(work, "missing.jsonl")], url)
t.ok(rc == 3 and "missing.jsonl" in err, "a missing file: exit 3 naming it")

dead_port = free_port()
rc, out, err = run(["enqueue", path], f"redis://127.0.0.1:{dead_port}")
t.eq(rc, 3, "Redis unreachable: exit 3")
t.ok(f"cannot connect to Redis at redis://127.0.0.1:{dead_port}/0: Connection refused"
     in err, "Redis unreachable: says where and why")
rc, out, err = run(["stats"], None, env={"REDIS_URL": f"redis://127.0.0.1:{dead_port}"})
t.ok(rc == 3 and "cannot connect" in err, "stats: REDIS_URL is used, exit 3 when refused")

r.set("wt:submissions", "a string")
rc, out, err = run(["enqueue", path], url, prefix="wt")
t.ok(rc == 3 and "WRONGTYPE" in err and "0 submissions were acknowledged" in err,
     "a Redis error reply: exit 3, the error and the acknowledged count")

# --- usage ------------------------------------------------------------------------------
rc, out, _ = run(["--help"], url)
t.ok(rc == 0 and all(w in out for w in ("enqueue", "stats", "dead list", "dead requeue")),
     "assay --help lists the operator commands")
for cmd in (["enqueue"], ["stats"], ["dead"], ["dead", "list"], ["dead", "requeue"]):
    rc, out, _ = run(cmd + ["--help"], url)
    t.ok(rc == 0 and out.startswith("Usage: assay " + cmd[0]), f"{' '.join(cmd)} --help")
for cmd in (["enqueue"], ["dead"], ["dead", "requeue"], ["dead", "requeue", "--all", "x"],
            ["stats", "--bogus"], ["dead", "list", "--limit", "x"], ["enqueue", "a", "b"]):
    rc, out, err = run(cmd, url)
    t.ok(rc == 2 and "Usage:" in err, f"`assay {' '.join(cmd)}` is a usage error (exit 2)")

# --- stats: alive and stale workers, without a running worker (prefix st) --------------
hb = {"pid": 4242, "started": 1700000000, "inflight": 1, "graded": 7, "failed": 2}
r.sadd("st:workers", "alive-1", "ghost-1")
r.set("st:worker:alive-1", json.dumps(hb), px=60000)
r.lpush("st:processing:alive-1:regrade", "c")
r.lpush("st:processing:ghost-1:submissions", "a", "b")
r.lpush("st:submissions", "x", "y", "z")
r.lpush("st:dead", "{}")
rc, st, err = stats_json(url, "--prefix", "st")
t.eq(rc, 0, "stats --json exits 0")
t.ok(st is not None, "stats --json prints one JSON object")
st = st or {}
t.eq(st.get("queues"), {"submissions": 3, "regrade": 0, "results": 0, "dead": 1,
                        "dead_oversize": 0}, "stats --json: queue depths")
t.eq((st.get("workers_alive"), st.get("workers_stale"), st.get("in_flight")), (1, 1, 3),
     "stats --json: 1 alive, 1 stale (heartbeat expired), 3 in flight")
ws = {w["id"]: w for w in st.get("workers", [])}
t.eq(ws.get("alive-1", {}).get("heartbeat"), hb, "the alive worker's heartbeat is shown")
t.eq(ws.get("ghost-1", {}).get("processing"), {"submissions": 2, "regrade": 0},
     "the stale worker's processing lists are counted")
t.eq(ws.get("ghost-1", {}).get("alive"), False, "the stale worker is not alive")
rc, out, err = run(["stats"], url, prefix="st")
t.eq(rc, 0, "stats exits 0")
t.eq([text_value(out, k) for k in ("st:submissions", "st:dead", "in flight",
                                   "workers alive", "workers stale")],
     ["3", "1", "3", "1", "1"], "stats text: depths, in flight, alive and stale")
t.ok(re.search(r"^ghost-1\s+stale\s", out, re.M) and re.search(r"^alive-1\s+alive\s+4242\s",
                                                               out, re.M),
     "stats text: one line per worker with its state and pid")

# --- requeue mechanics, without a worker (prefix rq) ------------------------------------
sub_a = make_submission("rq-a").encode()
sub_b = b"x\xff\x00y"


def entry(sid, sub, queue, **kw):
    e = {"reason": "unknown_rubric", "message": "m", "id": sid, "worker": "w",
         "time": "2026-01-01T00:00:00.000Z", "attempts": 1, "queue": queue}
    try:
        e["submission"] = sub.decode("utf-8")
    except UnicodeDecodeError:
        e["submission_base64"] = base64.b64encode(sub).decode()
    e.update(kw)
    return json.dumps(e, separators=(",", ":"))


r.lpush("rq:dead", entry("rq-a", sub_a, "regrade"), entry(None, sub_b, "submissions"),
        entry("rq-c", b'{"id":"rq-c"}', "submissions"))
r.hset("rq:attempts", sha1hex(sub_a), 3)
r.hset("rq:attempts", sha1hex(sub_b), 2)
rc, out, err = run(["dead", "requeue", "rq-a", "nope"], url, prefix="rq")
t.eq(rc, 1, "requeue with an unknown id exits 1")
t.eq(out.strip(), "requeued 1, 1 not found", "requeue prints how many, and not found")
t.ok('"nope"' in err, "the id not found is named on stderr")
t.eq(r.lrange("rq:regrade", 0, -1), [sub_a], "the entry's submission is back on its queue")
t.eq(r.llen("rq:dead"), 2, "and the entry left P:dead")
t.eq(r.hexists("rq:attempts", sha1hex(sub_a)), False,
     "its redelivery count (field: SHA-1 hex of the submission) is cleared")
t.eq(r.hexists("rq:attempts", sha1hex(sub_b)), True, "other counts are kept")
rc, out, err = run(["dead", "requeue", "rq-a"], url, prefix="rq")
t.ok(rc == 1 and out.strip() == "requeued 0, 1 not found", "the same id again: not found")
rc, out, err = run(["dead", "requeue", "--all"], url, prefix="rq")
t.ok(rc == 0 and out.strip() == "requeued 2, 0 not found", "--all requeues the rest")
t.eq(r.lrange("rq:submissions", 0, -1)[::-1], [sub_b, b'{"id":"rq-c"}'],
     "--all: the oldest entry is taken first (an id-less base64 entry decoded byte for byte)")
t.eq(r.hexists("rq:attempts", sha1hex(sub_b)), False, "its count is cleared too")
t.eq(r.llen("rq:dead"), 0, "P:dead is empty")
r.lpush("rq:dead", "not json")
rc, out, err = run(["dead", "requeue", "--all"], url, prefix="rq")
t.ok(rc == 1 and "1 unreadable" in out and r.llen("rq:dead") == 1,
     "an unreadable entry is left in place, reported, exit 1")

# --- with a worker: stats, dead list, requeue and de-duplication -----------------------
rubrics = os.path.join(work, "rubrics")
shutil.copytree(RUBRICS, rubrics)
w = Worker(url, "--worker-id", "ops-w1", rubrics=rubrics)
good = [make_submission(f"ok-{i}") for i in range(20)]
mixed = good[:10] + ["{not json"] + good[10:] + [make_submission("unk-1", rubric="no-such")]
rc, out, err = run(["enqueue", "-"], url, stdin=("\n".join(mixed) + "\n").encode())
t.eq(rc, 0, "enqueue to the worker's queue")
rc, out, err = run(["enqueue", "--regrade", "-"], url, stdin=b"{regrade broken\n")
t.ok(wait_for(lambda: len(results(r)) >= 23), "23 results arrive")
key = "assay:worker:ops-w1"
t.ok(wait_for(lambda: r.get(key) and json.loads(r.get(key))["failed"] == 3),
     "the worker's heartbeat counts 3 not graded")

rc, st, err = stats_json(url)
st = st or {}
t.eq(st.get("queues"), {"submissions": 0, "regrade": 0, "results": 23, "dead": 3,
                        "dead_oversize": 0}, "stats with a worker: depths")
t.eq({k: v for k, v in (st.get("counters") or {}).items() if v},
     {"graded": 20, "errors": 3, "dead": 3}, "stats with a worker: the counters")
t.eq((st.get("workers_alive"), st.get("workers_stale"), st.get("in_flight")), (1, 0, 0),
     "stats with a worker: 1 alive, 0 stale, nothing in flight")
wk = (st.get("workers") or [{}])[0]
t.eq((wk.get("id"), (wk.get("heartbeat") or {}).get("pid")), ("ops-w1", w.proc.pid),
     "the worker and its pid")
rate = st.get("rate", {})
t.eq(sum(rate.get("results_per_minute", [])), 23,
     "the per-minute counters add up to the results pushed")
t.ok(rate.get("last_1m_per_s", 0) > 0 and rate.get("last_5m_per_s", 0) > 0,
     "the recent rate is above 0")
rc, out, err = run(["stats"], url)
t.ok(rc == 0 and text_value(out, "workers alive") == "1"
     and text_value(out, "assay:results") == "23", "stats text with a worker")

rc, out, err = run(["dead", "list"], url)
rows = out.splitlines()
t.eq(rc, 0, "dead list exits 0")
t.eq(len(rows), 4, "dead list: a header and 3 entries")
t.ok(rows and rows[0].split()[:3] == ["time", "reason", "id"], "dead list: the header")
fields = [row.split(None, 5) for row in rows[1:]]
# Newest first, as the list holds them: the regrade entry is graded on its own threads, so
# its place among the live ones depends on which batch was acknowledged first.
in_redis = [json.loads(x) for x in r.lrange("assay:dead", 0, -1)]
t.eq([f[1:5] for f in fields],
     [[d["reason"], d.get("id") or "-", str(d["attempts"]), d["queue"]] for d in in_redis],
     "dead list: newest first; reason, id (- for none), attempts, queue")
t.eq(sorted(tuple(f[1:5]) for f in fields),
     sorted([("malformed_json", "-", "1", "regrade"), ("unknown_rubric", "unk-1", "1",
             "submissions"), ("malformed_json", "-", "1", "submissions")]),
     "dead list: the three entries")
t.ok(all(re.match(r"\d{4}-\d\d-\d\dT", f[0]) for f in fields), "dead list: the time first")
t.ok("no rubric with id" in out and "not json" not in out,
     "dead list shows the message, not the submission")
rc, out, err = run(["dead", "list", "--json"], url)
entries = [json.loads(x) for x in out.splitlines()]
t.eq([e.get("submission") for e in entries], [d["submission"] for d in in_redis],
     "dead list --json: the entries, with the submission")
t.eq(sorted(e.get("submission") for e in entries),
     sorted(["{regrade broken", mixed[-1], "{not json"]), "dead list --json: the messages")
rc, out, err = run(["dead", "list", "--limit", "1"], url)
t.ok(len(out.splitlines()) == 2 and "1 of 3" in err, "dead list --limit 1")

# Requeue unk-1 without fixing anything: it is answered and dead-lettered again.
sid_hash = hashlib.sha256(b"unk-1").hexdigest()
done_key = f"assay:done:{sid_hash}:error"
t.eq(r.exists(done_key), 1, "the first error left a de-duplication record P:done:...:error")
rc, out, err = run(["dead", "requeue", "unk-1"], url)
t.ok(rc == 0 and out.strip() == "requeued 1, 0 not found", "requeue unk-1")
t.ok(wait_for(lambda: len(results(r)) >= 24), "a second error result for unk-1")
t.eq(sorted(str(e.get("id")) for e in map(json.loads, r.lrange("assay:dead", 0, -1))),
     ["None", "None", "unk-1"], "and a new dead letter: nothing is dropped")
t.eq(len(results(r)), 24, "exactly one more result")

# Requeue everything: the id-less messages are answered and dead-lettered again.
rc, out, err = run(["dead", "requeue", "--all"], url)
t.ok(rc == 0 and out.strip() == "requeued 3, 0 not found", "requeue --all")
t.ok(wait_for(lambda: len(results(r)) >= 27), "three more error results")
t.ok(wait_for(lambda: r.llen("assay:dead") == 3), "and three new dead letters")
again = [json.loads(x) for x in r.lrange("assay:dead", 0, -1)]
t.eq(sorted((e.get("queue"), e.get("submission")) for e in again if e.get("id") is None),
     [("regrade", "{regrade broken"), ("submissions", "{not json")],
     "each went back to its own queue and was dead-lettered from there")
t.eq(len(results(r)), 27, "exactly three more results")

# Fix the cause, then requeue: graded (the record names the rubric's sha256).
rc, out, err = run(["enqueue", "-"], url,
                   stdin=make_submission("fix-1", rubric="chem-fixed").encode() + b"\n")
t.ok(wait_for(lambda: r.llen("assay:dead") == 4), "fix-1 (rubric not loaded) dead-lettered")
rubric = json.load(open(os.path.join(RUBRICS, "chem-molarity.json"), encoding="utf-8"))
rubric["id"] = "chem-fixed"
with open(os.path.join(rubrics, "chem-fixed.json"), "w", encoding="utf-8") as f:
    json.dump(rubric, f)
w.signal(signal.SIGHUP)
t.ok(w.wait_log("SIGHUP: reloaded"), "the worker reloads its rubrics")
rc, out, err = run(["dead", "requeue", "fix-1"], url)
t.ok(rc == 0 and out.strip() == "requeued 1, 0 not found", "requeue fix-1 after the fix")
got = wait_for(lambda: [x for x in results(r) if x["id"] == "fix-1"
                        and x["status"] == "graded"])
t.ok(got, "fix-1 is graded after the requeue")
t.eq(r.llen("assay:dead"), 3, "and its entry left P:dead")
t.eq(w.stop(), 0, "the worker drains and exits 0")
t.ok("0 duplicates suppressed" in w.output(),
     "the worker suppressed nothing: every requeue was answered")

# --- AUTH, ACL user, SELECT -------------------------------------------------------------
password = "s3cret"
r.config_set("requirepass", password)
ra = srv.client(password=password)
good_url = f"redis://:{password}@127.0.0.1:{srv.port}"
rc, out, err = run(["enqueue", "-"], good_url, stdin=b'{"id":"auth-1"}\n',
                   env={"ASSAY_PREFIX": "auth"})
t.ok(rc == 0 and ra.lrange("auth:submissions", 0, -1) == [b'{"id":"auth-1"}'],
     "enqueue with redis://:s3cret@host works")
rc, out, err = run(["stats", "--redis", f"redis://:wrong-pw-9@127.0.0.1:{srv.port}"], None)
t.eq(rc, 3, "a wrong password: exit 3")
t.ok("wrong-pw-9" not in out + err and "***" in err and "WRONGPASS" in err,
     "a wrong password is never printed (the URL shows ***)")
rc, out, err = run(["enqueue", "-"], f"redis://:wrong-pw-9@127.0.0.1:{srv.port}",
                   stdin=b"x\n")
t.ok(rc == 3 and "wrong-pw-9" not in out + err, "enqueue: the same")
rc, out, err = run(["dead", "list", "--redis", f"redis://:{password}@127.0.0.1:1"], None)
t.ok(rc == 3 and password not in out + err and "cannot connect" in err,
     "connection refused: the password is not printed either")
rc, out, err = run(["stats"], url)
t.ok(rc == 3 and "needs a password" in err, "no password given: exit 3, says so")
rc, out, err = run(["stats", "--reddis=" + good_url], None)
t.ok(rc == 2 and password not in out + err, "a mistyped option is echoed without its value")

ra.execute_command("ACL", "SETUSER", "operator", "on", ">p@ss:w/rd", "~*", "+@all")
acl_url = f"redis://operator:p%40ss%3Aw%2Frd@127.0.0.1:{srv.port}/3"
rc, out, err = run(["enqueue", "-"], acl_url, stdin=b'{"id":"acl-1"}\n')
ra3 = srv.client(password=password, db=3)
t.ok(rc == 0 and ra3.lrange("assay:submissions", 0, -1) == [b'{"id":"acl-1"}'],
     "an ACL user with an escaped password, database 3 selected")
rc, out, err = run(["stats", "--json"], acl_url)
t.ok(rc == 0 and json.loads(out)["queues"]["submissions"] == 1, "stats in database 3")
rc, out, err = run(["stats"], acl_url.replace("p%40ss", "bad"))
t.ok(rc == 3 and "operator:***@" in err and "w%2Frd" not in err and "w/rd" not in err,
     "an ACL user's wrong password is not printed")
srv.stop()

# --- a unix socket ----------------------------------------------------------------------
sock = os.path.join(work, "redis.sock")
usrv = RedisServer(extra=["--unixsocket", sock, "--unixsocketperm", "700"])
rc, out, err = run(["enqueue", "-"], f"unix://{sock}?db=2", stdin=b"u1\nu2\n")
t.ok(rc == 0 and usrv.client(db=2).lrange("assay:submissions", 0, -1) == [b"u2", b"u1"],
     "enqueue over a unix socket, database 2")
usrv.stop()

shutil.rmtree(work, ignore_errors=True)
t.done()
