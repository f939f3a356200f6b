"""SIGHUP reloads the rubrics: a changed rubric grades new submissions (their rubric sha256 is
the new content's, as `assay grade` computes it) and the log says "reloaded"; a rubric broken
by a syntax error is reported with file:line:column, the set loaded before stays in service
(same sha256 as the last good one) and the worker keeps grading; fixing it and SIGHUP again
brings the fix in. A submission id answered before the change is answered again under the new
content (de-duplication is per id and rubric content)."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from harness import (CLI, RUBRICS, RedisServer, T, Worker, log_lines, make_submission,
                     notes_on_failure, processing_keys, reap_children_at_exit, results, wait_for)

t = T()
reap_children_at_exit()
started = time.time()
tmp = tempfile.mkdtemp(prefix="assay-sighup-")
rub = os.path.join(tmp, "rubrics")
shutil.copytree(RUBRICS, rub, ignore=shutil.ignore_patterns("submissions"))
path = os.path.join(rub, "chem-molarity.json")
original = open(path, encoding="utf-8").read()
srv = RedisServer()
r = srv.client()
w = Worker(srv.url, "--worker-id", "hup-1", rubrics=rub)


def offline_sha(rubric_text):
    """The sha256 `assay grade` reports for a rubric text."""
    f = os.path.join(tmp, "offline.json")
    with open(f, "w", encoding="utf-8") as out:
        out.write(rubric_text)
    s = os.path.join(tmp, "sub.json")
    with open(s, "w", encoding="utf-8") as out:
        out.write(make_submission("offline"))
    p = subprocess.run([CLI, "grade", f, s], capture_output=True, check=False)
    return json.loads(p.stdout)["rubric"]["sha256"]


def grade(sid):
    """Pushes one submission and returns its new result (None if none comes)."""
    before = len([x for x in results(r) if x["id"] == sid])
    r.lpush("assay:submissions", make_submission(sid))
    found = wait_for(lambda: len([x for x in results(r) if x["id"] == sid]) > before, 10)
    return [x for x in results(r) if x["id"] == sid][0] if found else None


def hup_and_wait(text, count):
    w.signal(signal.SIGHUP)
    return wait_for(lambda: len(log_lines(w, text)) >= count, 10)


def sha(res):
    return (res or {}).get("rubric", {}).get("sha256") if res else None


first = grade("hup-1")
sha0 = sha(first)
t.eq(sha0, offline_sha(original), "before: the result names the rubric's sha256")
t.eq(first["items"][0]["checks"][0]["feedback"] if first else None,
     json.loads(original)["items"][0]["checks"][0]["feedback"]["fail"],
     "before: the original feedback")

# A valid change: a feedback text.
changed = original.replace("Find the amount first", "First find the amount")
t.ok(changed != original, "the rubric text is changed")
with open(path, "w", encoding="utf-8") as f:
    f.write(changed)
t.ok(hup_and_wait("SIGHUP: reloaded", 1), "SIGHUP: the worker logs 'reloaded'")
second = grade("hup-2")
sha1 = sha(second)
t.ok(sha1 is not None and sha1 != sha0, "after the change: a different sha256")
t.eq(sha1, offline_sha(changed), "after the change: the changed content's sha256")
t.ok(second and second["items"][0]["checks"][0]["feedback"].startswith("First find"),
     "after the change: the new feedback")
again = grade("hup-1")
t.eq(sha(again), sha1, "an id answered before the change is answered again under the new "
     "content")

# A syntax error: reported where it is, the loaded set stays in service.
broken = changed.replace('"title": "CHEM 101', '"title" "CHEM 101', 1)
line = broken[:broken.index('"title" "CHEM')].count("\n") + 1
with open(path, "w", encoding="utf-8") as f:
    f.write(broken)
t.ok(hup_and_wait("stay in service", 1), "SIGHUP with a broken rubric: 'stay in service'")
where = [x for x in log_lines(w, "chem-molarity.json:")
         if re.search(r"chem-molarity\.json:\d+:\d+:", x)]
t.ok(where, "the error is logged with file:line:column")
m = re.search(r"chem-molarity\.json:(\d+):(\d+):", where[0]) if where else None
t.eq(int(m.group(1)) if m else None, line, f"at the line of the error ({line})")
t.ok(log_lines(w, "stay in service") and "5 loaded before" in log_lines(w, "stay in service")[0],
     "the log says the 5 rubrics loaded before stay in service")
third = grade("hup-3")
t.eq((third or {}).get("status"), "graded", "grading continues")
t.eq(sha(third), sha1, "with the last good rubric (same sha256)")
t.ok(w.proc.poll() is None, "the worker is still running")

# Fixed again: the fix comes in.
fixed = changed.replace("First find the amount", "Begin with the amount")
with open(path, "w", encoding="utf-8") as f:
    f.write(fixed)
t.ok(hup_and_wait("SIGHUP: reloaded", 2), "SIGHUP after the fix: 'reloaded'")
fourth = grade("hup-4")
t.eq(sha(fourth), offline_sha(fixed), "the fixed content grades")

# An emptied rubric directory is refused: it would dead-letter everything.
moved = os.path.join(tmp, "moved-away")
os.makedirs(moved)
for name in os.listdir(rub):
    if name.endswith(".json"):
        shutil.move(os.path.join(rub, name), moved)
t.ok(hup_and_wait("no rubric found", 1), "SIGHUP with no rubric left: refused")
fifth = grade("hup-5")
t.eq(sha(fifth), offline_sha(fixed), "the loaded rubrics stay in service")

t.eq(w.stop(), 0, "the worker drains and exits 0")
t.eq(processing_keys(r), [], "no processing list left")
t.note(f"sighup: 3 reloads (1 refused), shas {sha0[:8] if sha0 else None} -> "
       f"{sha1[:8] if sha1 else None} -> {sha(fourth)[:8] if sha(fourth) else None}; "
       f"{time.time() - started:.1f} s")
notes_on_failure(t, w)
srv.stop()
shutil.rmtree(tmp, ignore_errors=True)
t.done()
