"""Every kind of bad message gets exactly one result with the right error.code and exactly one
dead letter holding the reason and the untouched message; valid submissions pushed between
them are still graded.

One worker (--max-bytes 2048) takes the messages in push order, so the i-th result (oldest
first) answers the i-th message: each result is checked against the message it answers, not
just counted. Dead letters are matched to messages by the bytes they keep.
"""

import base64
import hashlib
import json
import time

from harness import (RedisServer, T, Worker, dead, make_submission, notes_on_failure,
                     processing_keys, reap_children_at_exit, results_in_order, wait_for)

t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer()
r = srv.client()

sub = make_submission
big = sub("big-1", responses={"q1": "1.25 g " + "x" * 4000}).encode()
# (name, raw bytes, expected error code or None for graded, expected result id)
cases = [
    ("valid before", sub("ok-1").encode(), None, "ok-1"),
    ("malformed JSON", b'{"id":"mj-1","rubric":', "malformed_json", None),
    ("empty message", b"", "malformed_json", None),
    ("repeated key", b'{"id":"rk-1","id":"rk-2","rubric":"chem-molarity","responses":{}}',
     "malformed_json", None),
    ("not an object (array)", b'["id","arr-1"]', "not_an_object", None),
    # Valid JSON (RFC 8259) that is no object: docs/protocol.md says not_an_object.
    ("not an object (string)", b'"just a string"', "not_an_object", None),
    ("not an object (number)", b'42', "not_an_object", None),
    ("missing id", json.dumps({"rubric": "chem-molarity", "responses": {"q1": "1 g"}}).encode(),
     "missing_field", None),
    ("missing rubric", json.dumps({"id": "mr-1", "responses": {"q1": "1 g"}}).encode(),
     "missing_field", "mr-1"),
    ("missing responses", json.dumps({"id": "mresp-1", "rubric": "chem-molarity"}).encode(),
     "missing_field", "mresp-1"),
    ("valid between", sub("ok-2").encode(), None, "ok-2"),
    ("unknown rubric", sub("ur-1", rubric="chem-molarty").encode(), "unknown_rubric", "ur-1"),
    ("unknown rubric version", sub("uv-1", rubric_version="9.9.9").encode(),
     "unknown_rubric_version", "uv-1"),
    ("too large", big, "too_large", "big-1"),
    ("invalid UTF-8",
     b'{"id":"u1","rubric":"chem-molarity","responses":{"q1":"\xff"}}', "invalid_utf8", None),
    ("NUL byte inside",
     b'{"id":"nul-1","rubric":"chem-molarity","responses":{"q1":"1.25\x00 g"}}',
     "malformed_json", None),
    # An escaped NUL is valid JSON: in an answer it is graded, that answer's checks invalid
    # with reason nul_byte (docs/protocol.md); in the id it makes the id no usable string.
    ("escaped NUL in an answer",
     b'{"id":"nul-2","rubric":"chem-molarity","responses":{"q5":"per litre\\u0000 of solution"}}',
     None, "nul-2"),
    ("escaped NUL in the id", b'{"id":"n\\u0000l-3","rubric":"chem-molarity","responses":{}}',
     "wrong_type", None),
    ("responses wrong type", sub("wt-1", responses=["1.25 g"]).encode(), "wrong_type", "wt-1"),
    ("id wrong type", json.dumps({"id": 17, "rubric": "chem-molarity",
                                  "responses": {}}).encode(), "wrong_type", None),
    # Over 256 bytes: refused, and not echoed (only a valid id is; the dead letter keeps
    # the whole message, so the operator still sees it).
    ("id too long", sub("x" * 257).encode(), "wrong_type", None),
    ("valid after", sub("ok-3").encode(), None, "ok-3"),
]
for _, raw, _, _ in cases:
    r.lpush("assay:submissions", raw)

w = Worker(srv.url, "--max-bytes", "2048", "--worker-id", "bad-1")
n_bad = sum(1 for c in cases if c[2])
t.ok(wait_for(lambda: r.llen("assay:results") >= len(cases)), f"{len(cases)} results arrive")
time.sleep(0.3)  # nothing more may come
res = results_in_order(r)
t.eq(len(res), len(cases), "exactly one result per message")
dl = dead(r)
t.eq(len(dl), n_bad, f"exactly one dead letter per bad message ({n_bad})")


def kept(d):
    """The message a dead letter keeps, as bytes."""
    if "submission" in d:
        return d["submission"].encode("utf-8")
    if "submission_base64" in d:
        return base64.b64decode(d["submission_base64"])
    return None


for k, (name, raw, code, rid) in enumerate(cases):
    x = res[k] if k < len(res) else {}
    mine = [d for d in dl if kept(d) == raw]
    if code is None:
        t.ok(x.get("status") == "graded" and x.get("id") == rid,
             f"{name}: graded, id {rid}")
        t.eq(len(mine), 0, f"{name}: no dead letter")
        continue
    err = x.get("error") or {}
    good = t.eq((x.get("status"), err.get("code"), x.get("id")), ("error", code, rid),
                f"{name}: result status error, code {code}, id {rid}")
    if not good:
        t.note(json.dumps(x)[:400])
    t.ok(isinstance(err.get("message"), str) and err.get("message"),
         f"{name}: the error has a message")
    if code == "too_large":
        # Its body never left Redis: the entry says how big it was, its SHA-1 and where the
        # body is kept (P:dead:oversize), instead of the message.
        mine = [d for d in dl if d.get("sha1") == hashlib.sha1(raw).hexdigest()]
        t.eq([(d.get("bytes"), d.get("kept_in"), "submission" in d) for d in mine],
             [(len(raw), "assay:dead:oversize", False)],
             f"{name}: one dead letter with its size, SHA-1 and where the body is")
        t.eq(r.lrange("assay:dead:oversize", 0, -1), [raw],
             f"{name}: the body is kept in assay:dead:oversize, byte for byte")
    else:
        t.eq(len(mine), 1, f"{name}: exactly one dead letter keeps the message byte for byte")
    d = mine[0] if mine else {}
    t.eq((d.get("reason"), d.get("id"), d.get("attempts"), d.get("queue"), d.get("worker")),
         (code, rid, 1, "submissions", "bad-1"),
         f"{name}: dead letter with reason, id, attempts 1, queue, worker")
    if name == "invalid UTF-8":
        t.ok("submission_base64" in d and "submission" not in d,
             "invalid UTF-8: kept in submission_base64")

nul = [x for x in res if x.get("id") == "nul-2"]
q5 = [c for i in (nul[0].get("items") or []) if i["id"] == "q5" for c in i["checks"]] if nul else []
t.eq([c.get("reason") for c in q5], ["nul_byte", "nul_byte"],
     "escaped NUL in an answer: its checks say nul_byte")

# A bad message on the regrade queue is dead-lettered with queue "regrade".
rg = sub("rg-bad-1", rubric="nope").encode()
r.lpush("assay:regrade", rg)
t.ok(wait_for(lambda: [d for d in dead(r) if kept(d) == rg]), "the regrade bad message is answered")
d = ([d for d in dead(r) if kept(d) == rg] or [{}])[0]
t.eq((d.get("reason"), d.get("id"), d.get("queue")), ("unknown_rubric", "rg-bad-1", "regrade"),
     "regrade: dead letter says queue regrade")

t.eq(r.llen("assay:submissions"), 0, "the queue is empty")
t.eq(w.stop(), 0, "the worker drains and exits 0")
t.eq(processing_keys(r), [], "no processing list left")
t.note(f"bad messages: {len(cases) + 1} messages, {n_bad + 1} dead letters, "
       f"{len(cases) - n_bad} graded; {time.time() - started:.1f} s")
notes_on_failure(t, w)
srv.stop()
t.done()
