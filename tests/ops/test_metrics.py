"""test_metrics.py - assay-worker --metrics against a real redis-server:

  - /healthz 200 and /readyz 200 once ready; /metrics parses with python3-prometheus-
    client's parser (and `promtool check metrics` when promtool is installed);
  - its counters equal what the test pushed: N graded and M not graded on the live queue,
    R graded on the regrade queue, K duplicates, M dead letters, no redelivery; the grading
    histogram counts every message graded (duplicates too); the enqueue-to-result histogram
    counts exactly the answered submissions that carry enqueued_at, with the two enqueued
    100 s ago (one written with a +02:00 offset) between its 60 and 120 s buckets;
  - the queue depths the heartbeat samples equal LLEN; rubrics loaded; in flight back to 0;
    build info names `assay-worker --version`'s version;
  - SIGHUP reloads counted by result (a broken rubric: failed, the set kept);
  - Redis killed: /readyz 503 naming Redis, /healthz still 200, assay_redis_connected 0;
    Redis back: /readyz 200 and two reconnects (main and block) counted;
  - HEAD answers without a body, POST gets 405 with Allow, other paths 404;
  - SIGTERM: exit 0 (under the memcheck variant: no leak or error in the worker).
"""

import datetime
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

from harness import (RUBRICS, WORKER, T, Worker, free_port, load_submission,
                     make_submission, notes_on_failure, processing_keys, push_all,
                     reap_children_at_exit, RedisServer, results, wait_for)
from opslib import http, metric, parse_metrics, scrape, skip_without, try_http

skip_without("metrics")
t = T()
reap_children_at_exit()

tmp = tempfile.mkdtemp(prefix="assay-metrics-")
rub = os.path.join(tmp, "rubrics")
shutil.copytree(RUBRICS, rub, ignore=shutil.ignore_patterns("submissions"))
# The rubrics: files with the rubric format key (not the JSON Schemas, nor the credential
# definitions, which the catalog holds apart).
n_rubrics = 0
for f in os.listdir(rub):
    if f.endswith(".json"):
        with open(os.path.join(rub, f), encoding="utf-8") as fh:
            n_rubrics += "assay" in json.load(fh)

srv = RedisServer()
r = srv.client()
mport = free_port()
valgrind = bool(os.environ.get("ASSAY_WORKER_WRAPPER"))
slow = 10 if valgrind else 1
w = Worker(srv.url, "--worker-id", "metrics-1", "--metrics", f"127.0.0.1:{mport}",
           rubrics=rub)

t.ok(wait_for(lambda: try_http(mport, "/readyz")[0] == 200, 30 * slow),
     "/readyz answers 200 once the worker is ready")
t.eq(try_http(mport, "/healthz")[:1], (200,), "/healthz answers 200")

status, headers, body = http(mport, "/metrics")
t.eq(status, 200, "/metrics answers 200")
t.eq(headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8",
     "/metrics: Content-Type of the text format 0.0.4")
try:
    samples, families = parse_metrics(body)
    parsed = True
except ValueError as e:
    parsed = False
    t.note(f"parse error: {e}")
t.ok(parsed, "/metrics parses with prometheus_client's text parser")
if parsed:
    t.ok(all(f.documentation for f in families), "every family has a HELP text")
    t.eq(metric(samples, "assay_rubrics_loaded"), n_rubrics, f"{n_rubrics} rubrics loaded")
    version = subprocess.run([WORKER, "--version"], capture_output=True,
                             text=True).stdout.split()[-1]
    info = [k for k in samples if k[0] == "assay_build_info"]
    t.ok(len(info) == 1 and dict(info[0][1]).get("version") == version,
         f"assay_build_info names version {version}")
    t.ok((metric(samples, "process_start_time_seconds") or 0) > 1e9,
         "process_start_time_seconds is a Unix time")

promtool = shutil.which("promtool")
if promtool:
    p = subprocess.run([promtool, "check", "metrics"], input=body.encode(), capture_output=True)
    t.eq((p.returncode, p.stdout + p.stderr), (0, b""), "promtool check metrics: no problem")
else:
    t.note("promtool not installed: `promtool check metrics` not run")

# --- What the test pushes. ---------------------------------------------------------------
N, M, R, K = 24, 5, 6, 4
now = datetime.datetime.now(datetime.timezone.utc)
ago = now - datetime.timedelta(seconds=100)
stamp_now = now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
stamp_ago_z = ago.strftime("%Y-%m-%dT%H:%M:%SZ")
stamp_ago_plus2 = (ago + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00")

live = []
for i in range(N):
    extra = {}
    if i < 8:
        extra["enqueued_at"] = stamp_now
    elif i == 8:
        extra["enqueued_at"] = stamp_ago_z
    elif i == 9:
        extra["enqueued_at"] = stamp_ago_plus2
    live.append(make_submission(f"g-{i}", **extra))
bad = [make_submission("e-0", rubric="no-such-rubric", enqueued_at=stamp_now),
       make_submission("e-1", rubric="no-such-rubric"),
       make_submission("e-2", rubric="no-such-rubric"),
       make_submission("e-3", enqueued_at="not a time"),  # wrong_type; not in the histogram
       '{"id": "e-broken", "rubric": ']  # not JSON
assert len(bad) == M
regrade = [make_submission(f"r-{i}") for i in range(R)]
e2r_expected = 8 + 2 + 1  # the answered ones carrying a valid enqueued_at

push_all(r, "assay:submissions", live + bad)
push_all(r, "assay:regrade", regrade)
t.ok(wait_for(lambda: len(results(r)) == N + M + R, 60 * slow),
     f"{N + M + R} results pushed")
# Duplicates: the same bytes again, after their results are there.
push_all(r, "assay:submissions", live[:K])


def settled():
    if r.llen("assay:submissions") or r.llen("assay:regrade") or any(
            r.llen(k) for k in processing_keys(r)):
        return False
    s = scrape(mport)
    return metric(s, "assay_duplicates_total") == K and metric(s, "assay_inflight") == 0


t.ok(wait_for(settled, 60 * slow), "the queues are drained and the duplicates counted")
time.sleep(0.6)
s = scrape(mport)
t.eq(metric(s, "assay_results_total", queue="submissions", status="graded"), N,
     f"assay_results_total{{submissions,graded}} = {N}")
t.eq(metric(s, "assay_results_total", queue="submissions", status="error"), M,
     f"assay_results_total{{submissions,error}} = {M}")
t.eq(metric(s, "assay_results_total", queue="regrade", status="graded"), R,
     f"assay_results_total{{regrade,graded}} = {R}")
t.eq(metric(s, "assay_results_total", queue="regrade", status="error"), 0,
     "assay_results_total{regrade,error} = 0")
t.eq(metric(s, "assay_dead_letters_total"), M, f"assay_dead_letters_total = {M}")
t.eq(r.llen("assay:dead"), M, f"(and P:dead holds {M})")
t.eq(metric(s, "assay_duplicates_total"), K, f"assay_duplicates_total = {K}")
t.eq(metric(s, "assay_redeliveries_total"), 0, "assay_redeliveries_total = 0")
t.eq(metric(s, "assay_grading_seconds_count"), N + M + R + K,
     f"assay_grading_seconds_count = {N + M + R + K} (duplicates are graded too)")
t.eq(metric(s, "assay_grading_seconds_bucket", le="+Inf"), N + M + R + K,
     "assay_grading_seconds_bucket{le=+Inf} = the count")
t.ok((metric(s, "assay_grading_seconds_sum") or 0) > 0, "assay_grading_seconds_sum > 0")
t.eq(metric(s, "assay_enqueue_to_result_seconds_count"), e2r_expected,
     f"assay_enqueue_to_result_seconds_count = {e2r_expected} (answered, with enqueued_at)")
t.eq(metric(s, "assay_enqueue_to_result_seconds_bucket", le="60"), e2r_expected - 2,
     "enqueue-to-result: all but the two enqueued 100 s ago within 60 s")
t.eq(metric(s, "assay_enqueue_to_result_seconds_bucket", le="120"), e2r_expected,
     "enqueue-to-result: those two (Z and +02:00) within 120 s")
t.eq(metric(s, "assay_inflight"), 0, "assay_inflight = 0")
t.eq(metric(s, "assay_ready"), 1, "assay_ready = 1")
t.eq(metric(s, "assay_redis_connected"), 1, "assay_redis_connected = 1")


def depths_match():
    x = scrape(mport)
    want = {"submissions": r.llen("assay:submissions"), "regrade": r.llen("assay:regrade"),
            "results": r.llen("assay:results"), "dead": r.llen("assay:dead")}
    got = {q: metric(x, "assay_queue_depth", queue=q) for q in want}
    return got == want and got


t.ok(wait_for(depths_match, 10 * slow),
     "assay_queue_depth{submissions,regrade,results,dead} = LLEN (sampled by the heartbeat)")

# --- Reloads. ----------------------------------------------------------------------------
w.signal(signal.SIGHUP)
t.ok(wait_for(lambda: metric(scrape(mport), "assay_rubric_reloads_total", result="ok") == 1,
              10 * slow), "SIGHUP: assay_rubric_reloads_total{ok} = 1")
with open(os.path.join(rub, "zz-broken.json"), "w", encoding="utf-8") as f:
    f.write('{"assay": 1, "id": ')
w.signal(signal.SIGHUP)
t.ok(wait_for(lambda: metric(scrape(mport), "assay_rubric_reloads_total",
                             result="failed") == 1, 10 * slow),
     "SIGHUP with a broken rubric: assay_rubric_reloads_total{failed} = 1")
s = scrape(mport)
t.eq(metric(s, "assay_rubrics_loaded"), n_rubrics, "the loaded rubrics stay in service")
os.unlink(os.path.join(rub, "zz-broken.json"))

# --- HTTP details. -----------------------------------------------------------------------
status, headers, body = http(mport, "/metrics", method="HEAD")
t.eq((status, body), (200, ""), "HEAD /metrics: 200 without a body")
status, headers, body = http(mport, "/metrics", method="POST")
t.eq(status, 405, "POST /metrics: 405")
t.eq(headers.get("allow"), "GET, HEAD", "405 says Allow: GET, HEAD")
t.eq(http(mport, "/")[0], 404, "GET /: 404")
t.eq(http(mport, "/metrics/extra")[0], 404, "GET /metrics/extra: 404")
t.eq(http(mport, "/metrics?x=1")[0], 200, "GET /metrics?x=1: the query is ignored")

# --- Redis down and back. ----------------------------------------------------------------
srv.kill()
t.ok(wait_for(lambda: try_http(mport, "/readyz")[0] == 503, 15 * slow),
     "Redis killed: /readyz answers 503")
status, _, body = try_http(mport, "/readyz")
t.ok(status == 503 and "Redis" in body, f"the 503 says why: {body.strip()!r}")
t.eq(try_http(mport, "/healthz")[0], 200, "Redis down: /healthz still 200")
s = scrape(mport)
t.eq((metric(s, "assay_ready"), metric(s, "assay_redis_connected")), (0, 0),
     "Redis down: assay_ready 0, assay_redis_connected 0")
srv.start(port=srv.port)
t.ok(wait_for(lambda: try_http(mport, "/readyz")[0] == 200, 30 * slow),
     "Redis back: /readyz answers 200 again")
t.eq(metric(scrape(mport), "assay_redis_reconnects_total"), 2,
     "assay_redis_reconnects_total = 2 (main and block lost once)")

# --- Stop. -------------------------------------------------------------------------------
t.eq(w.stop(timeout=60 * slow), 0, "SIGTERM: exit 0" + (" (valgrind-clean)" if valgrind else ""))
t.ok(try_http(mport, "/healthz", timeout=2)[0] is None, "after exit: the port is closed")
notes_on_failure(t, w)

# --- A SIGTERM while the rubrics load. ----------------------------------------------------
# The metrics line comes before the rubric directory is read; 300 copies of the examples
# make that take a while, and a SIGTERM sent then must stop the worker cleanly (exit 0),
# not kill it with the default action before its handlers are in place.
many = os.path.join(tmp, "many")
os.mkdir(many)
for name in sorted(os.listdir(RUBRICS)):
    if not name.endswith(".json") or "schema" in name or "credential" in name:
        continue
    with open(os.path.join(RUBRICS, name), encoding="utf-8") as f:
        doc = json.load(f)
    if doc.get("assay_framework"):
        shutil.copy(os.path.join(RUBRICS, name), many)
        continue
    for k in range(60):
        copy = dict(doc, id=f"{doc['id']}-{k}")
        with open(os.path.join(many, f"{copy['id']}.json"), "w", encoding="utf-8") as f:
            json.dump(copy, f)
mport2 = free_port()
early = Worker(srv.url, "--worker-id", "early-term", "--metrics", f"127.0.0.1:{mport2}",
               rubrics=many)
t.ok(early.wait_log("metrics on", 20 * slow), "a worker loading 300 rubrics has begun")
loaded = "starting as early-term" in early.output()
t.eq(early.stop(timeout=60 * slow), 0, "a SIGTERM while it loads them: exit 0 "
     f"({'after' if loaded else 'before'} the load had ended)")
notes_on_failure(t, early)
srv.stop()
shutil.rmtree(tmp, ignore_errors=True)
t.done()
