#!/usr/bin/python3
"""test_report.py - `assay report` and `assay describe` as a user runs them.

The example submissions are graded with `assay grade` (plus submissions whose answers and
learner are markup, and lines that are not results); the report of that file is rendered in
headless Chromium and every figure the page shows (score bands, summary, levels and mastery
rates, check statuses, difficulty, discrimination, flags, wrong answers) is compared with the
same figure computed here from the results file (figures.py), as is the --json output. The
page must pass a strict HTML parser, hold no script, handler or fetch, show the markup as
text, and render to a screenshot that is not blank. Exit codes and messages; `assay
describe` against the rubric files.

Environment: ASSAY_CLI (the assay tool), ASSAY_SOURCE (the source root). TAP on stdout.
Exits 77 when Chromium is not installed.
"""

import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import figures  # noqa: E402
import page  # noqa: E402
from harness import T  # noqa: E402
from tool import RUBRICS, SOURCE, on_tty, run  # noqa: E402

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'

HOSTILE = [
    {"id": "xss-1", "rubric": "bio-cell-respiration", "learner": XSS_IMG,
     "responses": {"q1": XSS_SCRIPT, "q2": XSS_IMG, "q3": "water\u0007 & <b>CO2</b>",
                   "q4": "  nitrogen  ", "q5": "'single' \"double\""}},
    {"id": "xss-2", "rubric": "bio-cell-respiration", "learner": "learner-x",
     "responses": {"q1": XSS_SCRIPT, "q4": "nitrogen", "q5": "no"}},
    {"id": "xss-3", "rubric": "chem-molarity", "learner": "learner-y",
     "responses": {"q1": XSS_SCRIPT, "q2": "\u00a00.625  M\u00a0"}},
]


def display(s):
    """An answer as the page shows it: characters HTML cannot hold as U+XXXX."""
    out = []
    for ch in s:
        c = ord(ch)
        bad = (c < 0x20 and ch not in "\t\n\f\r") or 0x7f <= c <= 0x9f or \
            0xfdd0 <= c <= 0xfdef or (c & 0xfffe) == 0xfffe
        out.append(f"U+{c:04X}" if bad else ch)
    return "".join(out) or "(empty)"


def pct(part, whole):
    return f"{100.0 * part / whole if whole else 0.0:.1f}%"


def close(shown, value, decimals):
    if value is None:
        return shown == "n/a"
    try:
        return abs(float(shown) - value) <= 0.5 * 10 ** -decimals + 1e-9
    except (TypeError, ValueError):
        return False


def make_results(tmp, t):
    """Grades the examples and the hostile submissions; appends lines that are not results.
    Returns (path, bad line numbers)."""
    clean = os.path.join(tmp, "results.jsonl")
    got = run("grade", "--rubrics", RUBRICS, "--jsonl",
              os.path.join(RUBRICS, "submissions", "all.jsonl"), "-o", clean,
              "--graded-at", "2026-01-01T00:00:00Z")
    t.eq(got.returncode, 0, "the examples grade")
    subs = os.path.join(tmp, "hostile.jsonl")
    with open(subs, "w", encoding="utf-8") as f:
        for s in HOSTILE:
            f.write(json.dumps(s) + "\n")
    hostile = os.path.join(tmp, "hostile-results.jsonl")
    got = run("grade", "--rubrics", RUBRICS, "--jsonl", subs, "-o", hostile,
              "--graded-at", "2026-01-01T00:00:00Z")
    t.eq(got.returncode, 0, "the hostile submissions grade")
    path = os.path.join(tmp, "mixed.jsonl")
    with open(path, "w", encoding="utf-8") as out:
        lines = open(clean, encoding="utf-8").read().splitlines()
        lines[3:3] = ["{\"not\": \"closed\"", "", "[1, 2]"]
        lines += open(hostile, encoding="utf-8").read().splitlines()
        lines.append('{"status": "graded", "rubric": {"id": "x", "version": "1", '
                     '"sha256": "y"}, "score": 1, "max_score": 2, "competencies": [], '
                     '"items": [{"id": "q", "checks": [{"id": "c", "type": "pattern", '
                     '"status": "maybe", "points": 0, "max_points": 1}]}]}')
        out.write("\n".join(lines) + "\n")
    return path, clean, [4, 6, len(lines)]


def check_json_figures(t, doc, want):
    t.eq([g["sha256"] for g in doc["rubrics"]], list(want), "--json: rubrics in order")
    for g in doc["rubrics"]:
        w = want[g["sha256"]]
        name = g["id"]
        t.eq((g["results"], g["graded"]), (w["results"], w["graded"]), f"{name}: counts")
        t.eq([b["count"] for b in g["score"]["histogram"]], w["hist"], f"{name}: histogram")
        t.ok(abs(g["score"]["mean"] - w["mean"]) < 1e-9, f"{name}: mean score")
        t.ok(abs(g["score"]["sd"] - w["sd"]) < 1e-9, f"{name}: score deviation")
        comps = {k["id"]: k for k in g["competencies"]}
        t.eq(list(comps), list(w["comps"]), f"{name}: competencies")
        for cid, wk in w["comps"].items():
            k = comps[cid]
            t.eq([lv["id"] for lv in k["levels"] if lv["count"] or k["level_order"] == "rubric"],
                 wk["order"], f"{name}/{cid}: level order")
            t.eq({lv["id"]: lv["count"] for lv in k["levels"] if lv["count"]},
                 dict(wk["levels"]), f"{name}/{cid}: level counts")
            t.eq(k["mastered"], wk["mastered"], f"{name}/{cid}: mastered")
        checks = {c["id"]: c for c in g["checks"]}
        bad = []
        for cid, wc in w["checks"].items():
            c = checks[cid]
            if [c["statuses"][s] for s in figures.STATUSES] != \
                    [wc["status"][s] for s in figures.STATUSES]:
                bad.append(f"{cid} statuses")
            if abs(c["difficulty"] - wc["difficulty"]) > 1e-12:
                bad.append(f"{cid} difficulty")
            d = c["discrimination"]
            if (d is None) != (wc["discrimination"] is None) or \
                    (d is not None and abs(d - wc["discrimination"]) > 1e-9):
                bad.append(f"{cid} discrimination {d} != {wc['discrimination']}")
            if c["flags"] != wc["flags"]:
                bad.append(f"{cid} flags {c['flags']} != {wc['flags']}")
            top = {a["answer"]: a["count"] for a in c["wrong_answers"]["top"]}
            if top != dict(wc["wrong"].most_common(10)) or \
                    c["wrong_answers"]["no_answer"] != wc["no_answer"]:
                bad.append(f"{cid} wrong answers {top} != {dict(wc['wrong'])}")
        t.ok(not bad, f"{name}: every check's figures ({len(w['checks'])} checks)")
        for b in bad:
            t.note(b)


def check_dom_group(t, sec, w):
    name = w["id"]
    t.eq(page.text(page.find_all(sec, data_f="results")[0]), str(w["results"]),
         f"page {name}: results")
    for b in range(10):
        row = page.find_all(sec, "tr", data_bin=str(b))[0]
        if not t.eq((page.cell(row, "count"), page.cell(row, "share")),
                    (str(w["hist"][b]), pct(w["hist"][b], len(w["fracs"]))),
                    f"page {name}: score band {b}"):
            break
    summ = page.find_all(sec, "table", **{"class": "score-summary"})[0]
    t.ok(close(page.cell(summ, "mean"), 100 * w["mean"], 1)
         and close(page.cell(summ, "sd"), 100 * w["sd"], 1)
         and close(page.cell(summ, "min"), 100 * min(w["fracs"]), 1)
         and close(page.cell(summ, "max"), 100 * max(w["fracs"]), 1),
         f"page {name}: mean, deviation, lowest, highest")
    for cid, wk in w["comps"].items():
        table = page.find_all(sec, "table", data_comp=cid)[0]
        rows = page.find_all(table, "tr")[1:]
        shown = [(r.get("data-level"), page.cell(r, "count"), page.cell(r, "share"))
                 for r in rows]
        want = [(lv, str(wk["levels"][lv]), pct(wk["levels"][lv], wk["n"]))
                for lv in wk["order"]]
        t.eq([s for s in shown if s[1] != "0" or w["rubric"]], want,
             f"page {name}/{cid}: levels in order, counts and shares")
    rates = page.find_all(sec, data_f="mastery_rate")
    t.eq([page.text(r) for r in rates],
         [pct(k["mastered"], k["n"]) for k in w["comps"].values()],
         f"page {name}: mastery rates")
    bad = []
    for cid, wc in w["checks"].items():
        row = page.find_all(sec, "tr", data_check=cid)[0]
        got = [page.cell(row, s) for s in ["n", *figures.STATUSES]]
        if got != [str(wc["n"])] + [str(wc["status"][s]) for s in figures.STATUSES]:
            bad.append(f"{cid}: statuses {got}")
        if not close(page.cell(row, "difficulty"), wc["difficulty"], 2):
            bad.append(f"{cid}: difficulty {page.cell(row, 'difficulty')}")
        if not close(page.cell(row, "discrimination"), wc["discrimination"], 2):
            bad.append(f"{cid}: discrimination {page.cell(row, 'discrimination')} "
                       f"!= {wc['discrimination']}")
        flags = [f.get("data-flag") for f in page.find_all(row, "span")]
        if flags != wc["flags"]:
            bad.append(f"{cid}: flags {flags} != {wc['flags']}")
        tables = page.find_all(sec, "table", data_check=cid, **{"class": "wrong"})
        shown = []
        if tables:
            for r in page.find_all(tables[0], "tr")[1:]:
                shown.append((page.cell(r, "answer"), page.cell(r, "count")))
        want = sorted(wc["wrong"].items(), key=lambda kv: (-kv[1], kv[0].encode()))[:10]
        if shown != [(display(a), str(n)) for a, n in want]:
            bad.append(f"{cid}: wrong answers {shown} != {want}")
    t.ok(not bad, f"page {name}: every check's row and wrong answers ({len(w['checks'])})")
    for b in bad:
        t.note(b)


def check_page(t, tmp, html, want, label):
    with open(html, "rb") as f:
        data = f.read()
    t.eq(page.strict_errors(data), None, f"{label}: a strict HTML parser accepts it")
    dom = page.parse(page.dump_dom(html))
    t.ok(page.find_all(dom, "section", **{"class": "rubric"}), f"{label}: Chromium built it")
    t.eq(page.unsafe(dom), [], f"{label}: no script, handler or fetch in the DOM")
    t.eq(page.csp(page.parse(data)),
         "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
         f"{label}: the Content Security Policy allows no script and no fetch")
    for sha, w in want.items():
        secs = page.find_all(dom, "section", data_sha=sha)
        if t.ok(len(secs) == 1, f"{label}: a section for {w['id']}"):
            check_dom_group(t, secs[0], w)
    return dom


def check_markup_as_text(t, dom):
    answers = [page.text(el) for el in page.find_all(dom, "td", data_f="answer")]
    t.ok(XSS_SCRIPT in answers, "the <script> answer is shown as text")
    t.ok(XSS_IMG in answers, 'the "><img onerror> answer is shown as text')
    t.ok("water\u0007 & <b>CO2</b>" not in answers
         and any("waterU+0007 & <b>CO2</b>" == a for a in answers),
         "a control character is shown as U+0007, markup as text")
    t.eq([b for b in page.find_all(dom, "b") if "CO2" in page.text(b)], [],
         "no <b> element made from an answer")


def paths(value, at=()):
    yield at
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, at + (i,))


def test_hostile_lines(t, tmp, clean):
    """Every field of a graded result replaced by each other JSON type, or removed: the
    commands skip or count each line, never crash, and the page stays strict HTML."""
    with open(clean, encoding="utf-8") as f:
        base = json.loads(f.readline())
    lines = []
    for at in list(paths(base))[1:]:
        for value in (None, 0, -1.5e300, "\u0000<x>", [], {}, True, "__removed__"):
            doc = json.loads(json.dumps(base))
            parent = doc
            for k in at[:-1]:
                parent = parent[k]
            if value == "__removed__":
                if not isinstance(parent, dict):
                    continue
                del parent[at[-1]]
            else:
                parent[at[-1]] = value
            lines.append(json.dumps(doc))
    path = os.path.join(tmp, "hostile-lines.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    got = run("report", path, "--rubrics", RUBRICS, "--json")
    doc = json.loads(got.stdout) if got.returncode in (0, 1) else None
    t.ok(doc is not None and doc["results"] + doc["skipped"] == len(lines) and
         doc["skipped"] > 0, f"report: {len(lines)} mutated lines each counted or skipped")
    html = os.path.join(tmp, "hostile.html")
    got = run("report", path, "-o", html)
    with open(html, "rb") as f:
        t.ok(got.returncode == 1 and page.strict_errors(f.read()) is None,
             "report: the page of mutated lines is strict HTML")
    got = run("diff", clean, path, "-o", html)
    with open(html, "rb") as f:
        t.ok(got.returncode == 1 and page.strict_errors(f.read()) is None,
             "diff: mutated lines against their source: exit 1, strict HTML")
    got = run("diff", path, clean, "--json")
    t.ok(got.returncode == 1 and json.loads(got.stdout)["diff"] == 1,
         "diff: mutated lines as OLD")


def test_describe(t, tmp):
    got = run("describe", os.path.join(RUBRICS, "bio-cell-respiration.json"), "--json")
    t.eq(got.returncode, 0, "describe --json: exit 0")
    d = json.loads(got.stdout)
    with open(os.path.join(RUBRICS, "bio-cell-respiration.json"), encoding="utf-8") as f:
        src = json.load(f)
    t.eq((d["id"], d["version"], d["title"]), (src["id"], src["version"], src["title"]),
         "describe: id, version, title")
    default = [lv["id"] for lv in src["scale"]["levels"]]
    t.eq([(k["id"], k["name"], [lv["id"] for lv in k["levels"]]) for k in d["competencies"]],
         [(k["id"], k["name"], [lv["id"] for lv in k.get("scale", {}).get("levels", [])]
           or default) for k in src["competencies"]],
         "describe: competencies and their levels in scale order")
    lv = d["competencies"][0]["levels"]
    t.eq([(x["min_exact"], x["mastery"], x["mastered"]) for x in lv],
         [("0", False, False), ("2/5", False, False), ("3/4", True, True),
          ("19/20", False, True)], "describe: exact minimums and mastery")
    t.eq([[c["id"] for c in it["checks"]] for it in d["items"]],
         [[c["id"] for c in it["checks"]] for it in src["items"]], "describe: checks")
    grp = d["items"][1]["checks"][0]
    t.eq(([m["id"] for m in grp["checks"]], grp["needed"], grp["points"]),
         (["q2-glycolysis", "q2-krebs", "q2-etc"], 3, 3.0), "describe: a group's members")
    t.eq(d["items"][3]["checks"][0]["normalize"], ["trim", "collapse"],
         "describe: a check's normalisation")
    got = run("describe", os.path.join(RUBRICS, "chem-molarity.json"))
    t.ok(got.returncode == 0 and b"q1-mass  numeric  2 points  normalise: trim" in got.stdout,
         "describe: text form")
    t.eq(run("describe", os.path.join(tmp, "missing.json")).returncode, 3,
         "describe: a missing rubric exits 3")
    broken = os.path.join(SOURCE, "tests", "golden", "invalid", "duplicate-check-id.json")
    got = run("describe", broken)
    t.ok(got.returncode == 1 and b"duplicate-check-id.json:" in got.stderr,
         "describe: an invalid rubric exits 1 with file:line:column")
    t.eq(run("describe").returncode, 2, "describe: no RUBRIC exits 2")


def test_progress(t, clean, tmp):
    drawn = on_tty("report", clean, "-o", os.devnull)
    last = [x for x in drawn.replace("\r", "\n").splitlines() if x.startswith("reading [")]
    t.ok(last and "100%" in last[-1] and "#" * 30 in last[-1],
         "report: a progress bar on a terminal, ending at 100%")
    got = run("report", clean, "-o", os.devnull)
    t.eq(got.stderr, b"", "report: no progress bar when stderr is not a terminal")
    drawn = on_tty("diff", clean, clean, "-o", os.devnull)
    t.ok("reading OLD [" in drawn and "reading NEW [" in drawn,
         "diff: a progress bar per file on a terminal")


def test_exit_codes(t, tmp, clean):
    out = os.path.join(tmp, "ok.html")
    t.eq(run("report", clean, "-o", out).returncode, 0, "report: a clean file exits 0")
    with open(clean, "rb") as f:
        got = run("report", "-", "--json", stdin=f.read())
    t.ok(got.returncode == 0 and json.loads(got.stdout)["input"] == "standard input",
         "report: - reads standard input")
    t.eq(run("report").returncode, 2, "report: no RESULTS exits 2")
    t.eq(run("report", clean, "--bogus").returncode, 2, "report: an unknown option exits 2")
    got = run("report", os.path.join(tmp, "missing.jsonl"))
    t.ok(got.returncode == 3 and b"missing.jsonl" in got.stderr,
         "report: a missing file exits 3 and is named")
    t.eq(run("report", clean, "-o", os.path.join(tmp, "no", "dir", "r.html")).returncode, 3,
         "report: an output that cannot be written exits 3")
    t.eq(run("report", clean, "--rubrics", os.path.join(tmp, "nodir")).returncode, 3,
         "report: a --rubrics DIR that cannot be read exits 3")
    got = run("report", "--help")
    t.ok(got.returncode == 0 and b"Usage: assay report" in got.stdout, "report --help")


def main():
    t = T()
    if page.chromium() is None:
        print("1..0 # SKIP chromium not installed (scripts/deps.sh installs it)")
        return 77
    with tempfile.TemporaryDirectory(prefix="assay-report-") as tmp:
        path, clean, bad = make_results(tmp, t)
        # The last line (a status that is none) passes figures.read_jsonl but is no result.
        results = figures.read_jsonl(path)[0][:-1]
        norms = figures.rubric_norms(RUBRICS)
        want = figures.report(results, norms)
        html = os.path.join(tmp, "report.html")
        got = run("report", path, "--rubrics", RUBRICS, "-o", html)
        t.eq(got.returncode, 1, "report: lines that are not results exit 1")
        err = got.stderr.decode()
        t.ok(all(f"mixed.jsonl:{n}: not a result" in err for n in bad),
             "report: each bad line is named with its number")
        t.ok("/items/0/checks/0/status" in err, "report: a bad field is named by its pointer")
        got = run("report", path, "--rubrics", RUBRICS, "--json")
        doc = json.loads(got.stdout)
        t.eq((doc["results"], doc["skipped"], [s["line"] for s in doc["skipped_lines"]]),
             (len(results), 3, bad), "--json: results and skipped lines")
        check_json_figures(t, doc, want)
        dom = check_page(t, tmp, html, want, "report")
        t.eq(page.text(page.find_all(dom, "section", id="skipped")[0]
                       .find(".//span[@data-f='skipped']")), "3", "page: skipped lines counted")
        check_markup_as_text(t, dom)
        w, h, colours = page.screenshot(html, os.path.join(tmp, "report.png"))
        t.ok(w == 1000 and h == 800 and len(colours) > 8,
             f"report: the screenshot is not blank ({len(colours)} colours)")
        # Without the rubrics: levels ordered by score, answers as sent.
        bare = os.path.join(tmp, "bare.html")
        run("report", clean, "-o", bare)
        want_bare = figures.report(figures.read_jsonl(clean)[0])
        check_page(t, tmp, bare, want_bare, "report without --rubrics")
        with open(bare, encoding="utf-8") as f:
            t.ok("Level order from the results" in f.read(),
                 "without --rubrics the page says where the level order comes from")
        test_exit_codes(t, tmp, clean)
        test_progress(t, clean, tmp)
        test_hostile_lines(t, tmp, clean)
        test_describe(t, tmp)
    print(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
