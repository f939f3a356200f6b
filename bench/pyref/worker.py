#!/usr/bin/env python3
"""worker.py - a careful Python worker for the end-to-end comparison with assay-worker
(bench/side_by_side.py --redis): it drains the same queue with plain Redis commands, no Lua.

Each round, pipelined in one round trip: up to --batch (default 256) LMOVE queue ->
processing list (RIGHT to LEFT, so a claimed message always has a copy in Redis); then every
message is graded with the reference grader (or, with --stub, answered with a canned
1,023-byte result, as assay-worker's ASSAY_BENCH_STUB_GRADER does); then, in one more round
trip, one LPUSH of all the results and an LREM of each message from the processing list.
With the queue empty it waits with BLMOVE queue queue RIGHT RIGHT (which moves nothing), as
assay-worker does, and with --exit-when-empty it exits instead.

What it leaves out, compared with assay-worker: de-duplication records, delivery counts,
dead letters, heartbeats and recovery of dead workers' lists, reconnection. It is the
"plain commands" peer the issue asks for, not a replacement.

Usage: worker.py --redis URL --rubrics DIR [--prefix P] [--batch N] [--stub]
                 [--worker-id ID] [--exit-when-empty] [--ready-file PATH]
Needs python3-redis (scripts/deps.sh installs it).
"""

import argparse
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import redis  # noqa: E402

import grader  # noqa: E402
import rubric  # noqa: E402

CANNED = '{"stub":"' + "x" * (1023 - 11) + '"}'


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--redis", required=True)
    ap.add_argument("--rubrics", required=True)
    ap.add_argument("--prefix", default="assay")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--stub", action="store_true")
    ap.add_argument("--worker-id", default="py-%s:%d" % (socket.gethostname(), os.getpid()))
    ap.add_argument("--exit-when-empty", action="store_true")
    ap.add_argument("--ready-file")
    a = ap.parse_args(argv)

    cat = rubric.load_dir(a.rubrics, lambda m: sys.stderr.write("worker.py: %s\n" % m))
    g = grader.Grader(cat)
    grade = g.grade_bytes
    r = redis.Redis.from_url(a.redis)
    queue = a.prefix + ":submissions"
    results = a.prefix + ":results"
    processing = "%s:processing:%s:submissions" % (a.prefix, a.worker_id)
    r.ping()
    if a.ready_file:
        with open(a.ready_file, "w") as f:
            f.write("ready\n")
    claim = r.pipeline(transaction=False)
    ack = r.pipeline(transaction=False)
    while True:
        for _ in range(a.batch):
            claim.lmove(queue, processing, "RIGHT", "LEFT")
        msgs = [m for m in claim.execute() if m is not None]
        if not msgs:
            if a.exit_when_empty:
                return 0
            r.blmove(queue, queue, 1.0, "RIGHT", "RIGHT")
            continue
        if a.stub:
            out = [CANNED] * len(msgs)
        else:
            out = [grade(m) for m in msgs]
        ack.lpush(results, *[t.encode("utf-8") for t in out])
        for m in msgs:
            ack.lrem(processing, 1, m)
        ack.execute()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(0)
