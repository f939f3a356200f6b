#!/usr/bin/env python3
"""grade.py - the reference grader's command line, shaped like `assay grade`:

    grade.py [--graded-at TIME] RUBRIC [SUBMISSION.json | -]
    grade.py --rubrics DIR --jsonl IN [-o OUT] [--graded-at TIME]

The first form grades one submission against one rubric file and prints its result; the
second grades a JSON Lines file (blank lines skipped, results in input order, written in
batches) against every rubric of a directory, and prints a summary to stderr. Exit status as
assay's: 0 when everything was graded, 1 when a submission got an error result, 2 for a bad
command line, 3 when a rubric or the input cannot be read.

The reference grader is a benchmark peer (bench/side_by_side.sh) and a second opinion
(tests/reference): it implements the engine's semantics for the bench rubrics in careful,
fast Python. See bench/pyref/README.md.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grader  # noqa: E402
import rubric  # noqa: E402

USAGE = (
    "Usage: grade.py [--graded-at TIME] RUBRIC [SUBMISSION.json | -]\n"
    "       grade.py --rubrics DIR --jsonl IN [-o OUT] [--graded-at TIME]\n"
)
BATCH = 1024


def _warn(msg):
    sys.stderr.write("pyref: %s\n" % msg)


def batch(g, fin, fout):
    """Grades every non-blank line of fin (binary) to fout (binary); returns the number of
    submissions."""
    out = []
    n = 0
    grade = g.grade_bytes
    for line in fin:
        if not line.strip(b" \t\r\n"):
            continue
        out.append(grade(line))
        n += 1
        if len(out) >= BATCH:
            out.append("")
            fout.write("\n".join(out).encode("utf-8"))
            out = []
    if out:
        out.append("")
        fout.write("\n".join(out).encode("utf-8"))
    fout.flush()
    return n


def main(argv):
    rubrics = jsonl = out = graded_at = None
    pos = []
    i = 0
    while i < len(argv):
        a = argv[i]
        has = i + 1 < len(argv)
        if a in ("-h", "--help"):
            sys.stdout.write(USAGE)
            return 0
        if a == "--rubrics" and has:
            rubrics = argv[i + 1]
            i += 2
        elif a == "--jsonl" and has:
            jsonl = argv[i + 1]
            i += 2
        elif a in ("-o", "--output") and has:
            out = argv[i + 1]
            i += 2
        elif a == "--graded-at" and has:
            graded_at = argv[i + 1]
            i += 2
        elif a.startswith("-") and a != "-":
            sys.stderr.write("grade.py: unknown option or missing value: %s\n%s" % (a, USAGE))
            return 2
        else:
            pos.append(a)
            i += 1
    if rubrics or jsonl:
        if not (rubrics and jsonl) or pos:
            sys.stderr.write(USAGE)
            return 2
        cat = rubric.load_dir(rubrics, _warn)
        if cat.count() == 0:
            _warn("no rubric loaded from %s" % rubrics)
            return 3
        g = grader.Grader(cat, graded_at)
        t0 = time.monotonic()
        try:
            fin = sys.stdin.buffer if jsonl == "-" else open(jsonl, "rb")
            fout = sys.stdout.buffer if out is None else open(out, "wb")
        except OSError as e:
            _warn(str(e))
            return 3
        with fin, fout:
            n = batch(g, fin, fout)
        _warn(
            "%d submissions in %.2f s: %d graded, %d not graded"
            % (n, time.monotonic() - t0, g.graded, g.failed)
        )
        return 1 if g.failed else 0
    if not 1 <= len(pos) <= 2:
        sys.stderr.write(USAGE)
        return 2
    try:
        r = rubric.load_file(pos[0])
    except (OSError, rubric.RubricError) as e:
        _warn(str(e))
        return 3
    cat = rubric.Catalog()
    cat.add(r)
    path = pos[1] if len(pos) > 1 else "-"
    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as f:
                raw = f.read()
    except OSError as e:
        _warn(str(e))
        return 3
    g = grader.Grader(cat, graded_at)
    text = g.grade_bytes(raw)
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    return 1 if g.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
