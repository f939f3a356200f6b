#!/usr/bin/python3
"""test_diff.py - `assay diff` on a regrade of the example submissions.

OLD is the examples graded with the rubrics of rubrics/; NEW is the same submissions graded
with changed copies of two rubrics (a lower mastery threshold, a wider tolerance), one
submission left out, one added (with markup for id and learner), one that now fails
(graded -> error), one result repeated, and a line that is not a result. Every figure of
the --json output and of the page as Chromium builds it is compared with figures.diff; the
page passes a strict HTML parser, holds no script, handler or fetch, shows the markup as
text and renders to a screenshot that is not blank.

Environment: ASSAY_CLI, ASSAY_SOURCE. TAP on stdout; exits 77 without Chromium.
"""

import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import figures  # noqa: E402
import page  # noqa: E402
from harness import T  # noqa: E402
from tool import RUBRICS, run  # noqa: E402

STATES = figures.STATUSES + ["absent"]
XSS_IMG = '"><img src=x onerror=alert(1)>'
NEW_ID = "<i>new</i>"


def grade(t, rubrics, subs, out):
    got = run("grade", "--rubrics", rubrics, "--jsonl", subs, "-o", out,
              "--graded-at", "2026-01-01T00:00:00Z")
    t.ok(got.returncode in (0, 1), f"grade {os.path.basename(subs)}")


def changed_rubrics(tmp):
    """A copy of rubrics/ where bio's mastery threshold is lower and its q1-inner-membrane
    also accepts "matrix" (same ids and versions, other content)."""
    out = os.path.join(tmp, "rubrics-new")
    shutil.copytree(RUBRICS, out)
    bio = os.path.join(out, "bio-cell-respiration.json")
    with open(bio, encoding="utf-8") as f:
        doc = json.load(f)
    doc["scale"]["levels"][2]["min"] = 0.5
    check = doc["items"][0]["checks"][1]
    assert check["id"] == "q1-inner-membrane"
    check["pattern"] += "|matrix"
    with open(bio, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
    return out


def make_sides(t, tmp):
    with open(os.path.join(RUBRICS, "submissions", "all.jsonl"), encoding="utf-8") as f:
        subs = [json.loads(x) for x in f if x.strip()]
    old_subs = os.path.join(tmp, "old-subs.jsonl")
    with open(old_subs, "w", encoding="utf-8") as f:
        for s in subs:
            f.write(json.dumps(s) + "\n")
    new = [dict(s) for s in subs[1:]]  # subs[0] left out: only in OLD
    new[2]["rubric_version"] = "9.9.9"  # graded -> error
    new.append({"id": NEW_ID, "rubric": "chem-molarity", "learner": XSS_IMG,
                "responses": {"q1": "1.25 g"}})
    new_subs = os.path.join(tmp, "new-subs.jsonl")
    with open(new_subs, "w", encoding="utf-8") as f:
        for s in new:
            f.write(json.dumps(s) + "\n")
    old_path = os.path.join(tmp, "old.jsonl")
    new_path = os.path.join(tmp, "new.jsonl")
    grade(t, RUBRICS, old_subs, old_path)
    grade(t, changed_rubrics(tmp), new_subs, new_path)
    with open(new_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    lines.insert(5, lines[4])  # a repeated result
    lines.insert(1, "not json")
    with open(new_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return old_path, new_path


def check_json(t, doc, want, trans, changes, only_old, only_new):
    for key in ["matched", "graded_both", "score_changed", "level_changed",
                "learners_changed", "score_raised", "score_lowered", "level_raised",
                "level_lowered", "mastery_gained", "mastery_lost", "graded_to_error",
                "error_to_graded"]:
        t.eq(doc[key], want[key], f"--json: {key}")
    t.eq(doc["new"]["duplicates"], want["new_duplicates"], "--json: repeated ids in NEW")
    t.eq((doc["new"]["skipped"], doc["old"]["skipped"]), (1, 0), "--json: skipped lines")
    t.eq(doc["transitions"]["states"], STATES, "--json: the matrix's states")
    t.eq(doc["transitions"]["matrix"],
         [[trans[(o, n)] for n in STATES] for o in STATES], "--json: the transition matrix")
    got = [(c["learner"], c["submission"], c["competency"],
            c.get("old_level", c.get("old_status")), c.get("new_level", c.get("new_status")))
           for c in doc["changes"]]
    t.eq(got, changes, "--json: the changed learners, in NEW's order")
    t.eq([x["submission"] for x in doc["only_old"]], only_old, "--json: ids only in OLD")
    t.eq([x["submission"] for x in doc["only_new"]], only_new, "--json: ids only in NEW")
    t.eq(sum(c["compared"] for c in doc["checks"]), sum(trans.values()),
         "--json: per-check counts add up to the matrix")
    t.eq(sum(c["changed"] for c in doc["checks"]),
         sum(v for (o, n), v in trans.items() if o != n), "--json: per-check changes too")


def check_page(t, html, want, trans, changes, only_old, only_new):
    with open(html, "rb") as f:
        data = f.read()
    t.eq(page.strict_errors(data), None, "diff page: a strict HTML parser accepts it")
    dom = page.parse(page.dump_dom(html))
    t.eq(page.unsafe(dom), [], "diff page: no script, handler or fetch in the DOM")
    t.ok(page.csp(dom) is not None, "diff page: a Content Security Policy")
    summary = page.find_all(dom, "table", **{"class": "summary"})[0]
    for key in ["score_raised", "score_lowered", "level_raised", "level_lowered",
                "mastery_gained", "mastery_lost", "graded_to_error", "error_to_graded"]:
        t.eq(page.cell(summary, key), str(want[key]), f"diff page: {key}")
    t.eq(page.text(page.find_all(dom, data_f="matched")[0]), str(want["matched"]),
         "diff page: matched")
    matrix = page.find_all(dom, "table", **{"class": "matrix"})[0]
    shown = [[page.cell(page.find_all(matrix, "tr", data_old=o)[0], n) for n in STATES]
             for o in STATES]
    t.eq(shown, [[str(trans[(o, n)]) for n in STATES] for o in STATES],
         "diff page: the transition matrix")
    rows = page.find_all(page.find_all(dom, "table", **{"class": "changes"})[0], "tr")[1:]
    got = [(page.cell(r, "learner"), page.cell(r, "submission"), page.cell(r, "competency"),
            page.cell(r, "old"), page.cell(r, "new")) for r in rows]
    t.eq(got, [(c[0] or "none", c[1], c[2] or "whole result", c[3], c[4]) for c in changes],
         "diff page: the changed learners")
    for cls, ids in (("only-old", only_old), ("only-new", only_new)):
        table = page.find_all(dom, "table", **{"class": cls})[0]
        t.eq([page.text(r.findall("td")[0]) for r in page.find_all(table, "tr")[1:]], ids,
             f"diff page: {cls}")
    learners = [page.text(r.findall("td")[1]) for r in
                page.find_all(page.find_all(dom, "table", **{"class": "only-new"})[0], "tr")[1:]]
    t.ok(XSS_IMG in learners and NEW_ID in only_new and
         not [i for i in page.find_all(dom, "i") if page.text(i) == "new"],
         "diff page: markup in an id and a learner is shown as text")
    return dom


def main():
    t = T()
    if page.chromium() is None:
        print("1..0 # SKIP chromium not installed (scripts/deps.sh installs it)")
        return 77
    with tempfile.TemporaryDirectory(prefix="assay-diff-") as tmp:
        old_path, new_path = make_sides(t, tmp)
        old, _ = figures.read_jsonl(old_path)
        new, _ = figures.read_jsonl(new_path)
        want, trans, changes, only_old, only_new = figures.diff(old, new)
        t.ok(want["mastery_gained"] > 0 and want["level_changed"] > 0
             and want["score_changed"] > 0 and want["graded_to_error"] == 1,
             "the regrade changes scores, levels and mastery (the test is not empty)")
        got = run("diff", old_path, new_path, "--json")
        t.eq(got.returncode, 1, "diff: a line that is not a result exits 1")
        t.ok(b"new.jsonl:2: not a result" in got.stderr, "diff: the bad line is named")
        check_json(t, json.loads(got.stdout), want, trans, changes, only_old, only_new)
        html = os.path.join(tmp, "diff.html")
        run("diff", old_path, new_path, "-o", html)
        check_page(t, html, want, trans, changes, only_old, only_new)
        w, h, colours = page.screenshot(html, os.path.join(tmp, "diff.png"))
        t.ok(w == 1000 and h == 800 and len(colours) > 8,
             f"diff: the screenshot is not blank ({len(colours)} colours)")
        t.eq(run("diff", old_path, old_path, "-o", os.devnull).returncode, 0,
             "diff: a file against itself exits 0")
        got = run("diff", old_path, old_path, "--json")
        same = json.loads(got.stdout)
        t.ok(same["matched"] == len(old) and same["score_changed"] == 0 and
             not same["changes"] and all(
                 same["transitions"]["matrix"][i][j] == 0
                 for i in range(6) for j in range(6) if i != j),
             "diff: a file against itself changes nothing")
        t.eq(run("diff", old_path).returncode, 2, "diff: one file only exits 2")
        t.eq(run("diff", old_path, os.path.join(tmp, "missing")).returncode, 3,
             "diff: a missing file exits 3")
        t.eq(run("diff", old_path, new_path, "-o", os.path.join(tmp, "no", "x")).returncode,
             3, "diff: an output that cannot be written exits 3")
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
