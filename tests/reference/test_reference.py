#!/usr/bin/env python3
"""test_reference.py - the Python reference grader (bench/pyref) and `assay grade` agree, field
for field, on every example submission and on the bench generator's output, so that the
side-by-side benchmark (bench/side_by_side.sh) compares equal work.

Usage: test_reference.py ASSAY BENCH_ENGINE SOURCE_ROOT   (TAP on stdout)

Inputs, each graded by both with the same --graded-at:
  - every rubrics/submissions/*.json against its rubric file (`assay grade RUBRIC FILE`);
  - rubrics/submissions/all.jsonl, tests/reference/edge.jsonl (the number grammar, answer
    types, validation errors, echoed values with escapes and reals) and
    tests/reference/pcre-edges.jsonl (patterns whose meaning differs between PCRE2 and
    Python's re unless translated), in batch mode;
  - bench-engine --gen-jsonl for each example rubric, the example rubrics mixed, and the
    generated 10-check rubric (written with --write-rubric), seed 7: 4,000 submissions.
Results are compared as ordered trees (field order included) without "graded_at" and
"engine". The test fails on the first difference of each input and names its path; it also
fails when either grader fails to run or the line counts differ. A last group checks that the
reference grader refuses, at load, the PCRE2 constructs it cannot run with the engine's
meaning (so a rubric it cannot grade equally is never graded differently).
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ASSAY, BENCH, SOURCE = sys.argv[1:4]
PYREF = os.path.join(SOURCE, "bench", "pyref", "grade.py")
PYTHON = sys.executable
GRADED_AT = "2025-01-01T00:00:00Z"
SEED = "7"
PER_RUBRIC = 600
ESSAYS = 1000

tests = 0
failures = 0


def tap(ok, name, diag=""):
    global tests, failures
    tests += 1
    if not ok:
        failures += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", tests, name))
    for line in diag.splitlines():
        print("# " + line)
    sys.stdout.flush()


def tree(text):
    """A result as nested lists of (key, value) pairs, without graded_at and engine."""
    v = json.loads(text, object_pairs_hook=list)
    if isinstance(v, list):
        v = [(k, x) for k, x in v if k not in ("graded_at", "engine")]
    return v


def first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return "%s: %r vs %r" % (path, a, b)
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d vs %d members (%r vs %r)" % (path, len(a), len(b), a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            if isinstance(x, tuple):
                if x[0] != y[0]:
                    return "%s: field %r vs %r" % (path, x[0], y[0])
                d = first_difference(x[1], y[1], "%s.%s" % (path, x[0]))
            else:
                d = first_difference(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r vs %r" % (path, a, b)


def compare(name, assay_out, py_out):
    a = [l for l in assay_out.split("\n") if l]
    p = [l for l in py_out.split("\n") if l]
    if len(a) != len(p):
        tap(False, name, "assay wrote %d results, the reference grader %d" % (len(a), len(p)))
        return
    for i, (x, y) in enumerate(zip(a, p)):
        d = first_difference(tree(x), tree(y))
        if d:
            tap(False, name, "result %d differs (assay vs reference): %s" % (i + 1, d))
            return
    same_bytes = all(x == y for x, y in zip(a, p))
    tap(True, "%s: %d results agree%s" % (name, len(a), ", byte for byte" if same_bytes else ""))


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode not in (0, 1):
        raise RuntimeError("%s exited with %d: %s" % (cmd[0], r.returncode, r.stderr.decode(errors="replace")))
    return r.stdout.decode("utf-8")


def batch(name, rubrics, jsonl):
    try:
        a = run([ASSAY, "grade", "--rubrics", rubrics, "--jsonl", jsonl, "--graded-at", GRADED_AT, "--jobs", "1"])
        p = run([PYTHON, PYREF, "--rubrics", rubrics, "--jsonl", jsonl, "--graded-at", GRADED_AT])
    except RuntimeError as e:
        tap(False, name, str(e))
        return
    compare(name, a, p)


# PCRE2 constructs that Python's re cannot run with the same meaning (bench/pyref/patterns.py).
REFUSED = ["\\p{L}", "\\P{Lu}", "[[:alpha:]]", "(?|(a)|(b))", "a(?i)b", "(?R)", "(?1)", "(?&n)",
           "\\G", "\\K", "\\X", "\\g{1}", "(?(R)a|b)", "(*UCP)a", "(?<=a|bc)x", "\\12", "(?x)a b",
           "[\\S]", "(?U)a+"]


def refusals():
    sys.path.insert(0, os.path.join(SOURCE, "bench", "pyref"))
    import patterns  # noqa: PLC0415

    for src in REFUSED:
        try:
            text = patterns.translate(src)
            patterns.compile_pattern(src)
            tap(False, "the reference grader refuses %s" % src, "translated as %r" % text)
        except patterns.Untranslatable as e:
            tap(True, "the reference grader refuses %s (%s)" % (src, e))


def main():
    print("TAP version 13")
    tmp = tempfile.mkdtemp(prefix="assay-reference-")
    try:
        rubrics = os.path.join(tmp, "rubrics")
        os.mkdir(rubrics)
        files = {}
        for f in sorted(glob.glob(os.path.join(SOURCE, "rubrics", "*.json"))):
            with open(f, encoding="utf-8") as fh:
                doc = json.load(fh)
            if "assay" not in doc:
                continue  # a JSON Schema, a framework or a credential definition
            shutil.copy(f, rubrics)
            files[doc["id"]] = f
        for f in glob.glob(os.path.join(SOURCE, "tests", "reference", "rubrics", "*.json")):
            shutil.copy(f, rubrics)
        subprocess.run([BENCH, "--write-rubric", os.path.join(rubrics, "bench-energy.json")], check=True)

        # each example submission on its own, as `assay grade RUBRIC FILE` grades it
        for sub in sorted(glob.glob(os.path.join(SOURCE, "rubrics", "submissions", "*.json"))):
            with open(sub, encoding="utf-8") as fh:
                rubric = files[json.load(fh)["rubric"]]
            name = "rubrics/submissions/" + os.path.basename(sub)
            try:
                a = run([ASSAY, "grade", "--graded-at", GRADED_AT, rubric, sub])
                p = run([PYTHON, PYREF, "--graded-at", GRADED_AT, rubric, sub])
            except RuntimeError as e:
                tap(False, name, str(e))
                continue
            compare(name, a, p)

        batch("rubrics/submissions/all.jsonl", rubrics, os.path.join(SOURCE, "rubrics", "submissions", "all.jsonl"))
        batch("tests/reference/edge.jsonl", rubrics, os.path.join(SOURCE, "tests", "reference", "edge.jsonl"))
        batch("tests/reference/pcre-edges.jsonl", rubrics, os.path.join(SOURCE, "tests", "reference", "pcre-edges.jsonl"))

        cases = [(rid, ["--only", rid], PER_RUBRIC) for rid in sorted(files)]
        cases.append(("examples mixed", [], PER_RUBRIC))
        cases.append(("10-check essays", ["--only", "10-check"], ESSAYS))
        for name, only, n in cases:
            out = os.path.join(tmp, "gen.jsonl")
            subprocess.run(
                [BENCH, "--rubrics", os.path.join(SOURCE, "rubrics"), "--seed", SEED, "--gen-jsonl", str(n), out] + only,
                check=True,
            )
            batch("bench generator, %s (%d submissions)" % (name, n), rubrics, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    refusals()
    print("1..%d" % tests)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
