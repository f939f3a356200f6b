"""figures.py - the figures of `assay report` and `assay diff`, computed here independently
from the results files and the rubric JSON, as docs/reports.md defines them: the tests
compare what the commands show with these.

Nothing here calls assay: rubric normalisations are read from the rubric files, White_Space
is Unicode's list, correlations are computed in two passes, wrong answers counted exactly.
"""

import collections
import json
import math
import os
import re

STATUSES = ["correct", "partial", "incorrect", "invalid", "error"]
WHITE_SPACE = ("\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f"
               "\u205f\u3000")
_RUN = re.compile(f"[{WHITE_SPACE}]+")
_EDGES = re.compile(f"^[{WHITE_SPACE}]+|[{WHITE_SPACE}]+$")


def read_jsonl(path):
    """(results, bad line numbers): every line that parses as a JSON object with a status."""
    results, bad = [], []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except ValueError:
                bad.append(n)
                continue
            if not isinstance(r, dict) or r.get("status") not in ("graded", "error"):
                bad.append(n)
                continue
            results.append(r)
    return results, bad


def normaliser(trim, collapse):
    def norm(text):
        if trim:
            text = _EDGES.sub("", text)
        if collapse:
            text = _RUN.sub(" ", text)
        return text

    return norm


def rubric_norms(rubric_dir):
    """rubric sha-less key (id, version) -> {check id: (trim, collapse)} from the files."""
    out = {}
    for name in sorted(os.listdir(rubric_dir)):
        if not name.endswith(".json") or name.endswith("schema.json"):
            continue
        with open(os.path.join(rubric_dir, name), encoding="utf-8") as f:
            doc = json.load(f)
        if doc.get("assay") != 1:
            continue
        checks = {}

        def own(c):
            if c["type"] == "pattern":
                n = c.get("normalize", [])
                return ("trim" in n, "collapse" in n)
            if c["type"] == "numeric":
                return (True, False)
            members = [own(m) for m in c["checks"]]
            return (all(m[0] for m in members), all(m[1] for m in members))

        for item in doc["items"]:
            for c in item["checks"]:
                checks[c["id"]] = own(c)
                for m in c.get("checks", []):
                    checks[m["id"]] = own(m)
        levels = {}
        default = doc.get("scale", {}).get("levels", [])
        for k in doc.get("competencies", []):
            levels[k["id"]] = [lv["id"] for lv in k.get("scale", {}).get("levels", default)]
        out[(doc["id"], doc["version"])] = {"checks": checks, "levels": levels}
    return out


def pearson(pairs):
    n = len(pairs)
    if n < 2:
        return None
    mx = sum(p[0] for p in pairs) / n
    my = sum(p[1] for p in pairs) / n
    sxx = sum((p[0] - mx) ** 2 for p in pairs)
    syy = sum((p[1] - my) ** 2 for p in pairs)
    sxy = sum((p[0] - mx) * (p[1] - my) for p in pairs)
    if sxx <= 1e-12 * n or syy <= 1e-12 * n:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def score_bin(frac):
    return max(0, min(9, math.floor(frac * 10 + 1e-9)))


def report(results, rubrics=None):
    """The figures of `assay report` per rubric sha, in order of first appearance."""
    groups = collections.OrderedDict()
    for r in results:
        rub = r.get("rubric")
        if not isinstance(rub, dict):
            continue
        g = groups.get(rub["sha256"])
        if g is None:
            known = (rubrics or {}).get((rub["id"], rub["version"]))
            g = groups[rub["sha256"]] = {
                "id": rub["id"], "version": rub["version"], "results": 0, "graded": 0,
                "codes": collections.Counter(), "hist": [0] * 10, "fracs": [],
                "comps": collections.OrderedDict(), "checks": collections.OrderedDict(),
                "rubric": known,
            }
        g["results"] += 1
        if r["status"] != "graded":
            g["codes"][r["error"]["code"]] += 1
            continue
        g["graded"] += 1
        if r["max_score"] > 0:
            frac = r["score"] / r["max_score"]
            g["hist"][score_bin(frac)] += 1
            g["fracs"].append(frac)
        for k in r["competencies"]:
            c = g["comps"].setdefault(k["id"], {"n": 0, "mastered": 0,
                                                "levels": collections.Counter(),
                                                "min": {}})
            c["n"] += 1
            c["mastered"] += bool(k["mastered"])
            c["levels"][k["level"]] += 1
            c["min"][k["level"]] = min(c["min"].get(k["level"], 9), k["score"])
        for item in r["items"]:
            for top in item["checks"]:
                entries = [(top, top["points"] / top["max_points"] if top["max_points"] > 0
                            else float(top["status"] == "correct"))]
                entries += [(m, m["credit"]) for m in top.get("checks", [])]
                for c, credit in entries:
                    x = g["checks"].setdefault(c["id"], {
                        "item": item["id"], "status": collections.Counter(), "pairs": [],
                        "wrong": collections.Counter(), "no_answer": 0})
                    x["status"][c["status"]] += 1
                    x["pairs"].append((credit, r["score"] - top["points"]))
                    if c["status"] in ("partial", "incorrect", "invalid"):
                        if isinstance(item.get("answer"), str):
                            trim, collapse = (False, False)
                            if g["rubric"]:
                                trim, collapse = g["rubric"]["checks"][c["id"]]
                            x["wrong"][normaliser(trim, collapse)(item["answer"])] += 1
                        elif item.get("answered") is False:
                            x["no_answer"] += 1
    for g in groups.values():
        fr = g["fracs"]
        g["mean"] = sum(fr) / len(fr) if fr else None
        g["sd"] = math.sqrt(sum((f - g["mean"]) ** 2 for f in fr) / len(fr)) if fr else None
        for cid, x in g["checks"].items():
            n = len(x["pairs"])
            x["n"] = n
            x["difficulty"] = sum(p[0] for p in x["pairs"]) / n
            x["discrimination"] = pearson(x["pairs"])
            flags = []
            if x["status"]["correct"] == 0:
                flags.append("nobody_passes")
            if x["status"]["correct"] == n:
                flags.append("everybody_passes")
            if x["discrimination"] is not None and x["discrimination"] < 0:
                flags.append("negative_discrimination")
            if x["status"]["invalid"] > 0.10 * n:
                flags.append("many_invalid")
            if x["status"]["error"] > 0:
                flags.append("errors")
            x["flags"] = flags
        for cid, c in g["comps"].items():
            if g["rubric"]:
                c["order"] = g["rubric"]["levels"][cid]
            else:
                c["order"] = sorted(c["min"], key=lambda lv: c["min"][lv])
    return groups


def diff(old, new):
    """The figures of `assay diff` for two lists of results."""
    index = {}
    for r in old:
        if isinstance(r.get("id"), str):
            index[r["id"]] = r
    out = collections.Counter()
    trans = collections.Counter()
    changes, seen, only_new = [], set(), []
    for r in new:
        rid = r.get("id")
        if not isinstance(rid, str):
            continue
        o = index.get(rid)
        if o is None:
            only_new.append(rid)
            continue
        if rid in seen:
            out["new_duplicates"] += 1
            continue
        seen.add(rid)
        out["matched"] += 1
        if (o["status"] == "graded") != (r["status"] == "graded"):
            out["graded_to_error" if o["status"] == "graded" else "error_to_graded"] += 1
            changes.append((r.get("learner"), rid, None, o["status"], r["status"]))
            continue
        if r["status"] != "graded":
            continue
        out["graded_both"] += 1
        fo = o["score"] / o["max_score"] if o["max_score"] > 0 else o["score"]
        fn = r["score"] / r["max_score"] if r["max_score"] > 0 else r["score"]
        if abs(fo - fn) > 1e-9:
            out["score_changed"] += 1
            out["score_raised" if fn > fo else "score_lowered"] += 1
        ok = {k["id"]: k for k in o["competencies"]}
        changed = False
        for k in r["competencies"]:
            p = ok.get(k["id"])
            if p is None:
                continue
            if p["level"] != k["level"]:
                out["level_changed"] += 1
                if k["score"] > p["score"]:
                    out["level_raised"] += 1
                elif k["score"] < p["score"]:
                    out["level_lowered"] += 1
            if p["mastered"] != k["mastered"]:
                out["mastery_gained" if k["mastered"] else "mastery_lost"] += 1
            if p["level"] != k["level"] or p["mastered"] != k["mastered"]:
                changed = True
                changes.append((r.get("learner"), rid, k["id"], p["level"], k["level"]))
        out["learners_changed"] += changed

        def statuses(res):
            st = {}
            for item in res["items"]:
                for c in item["checks"]:
                    st[c["id"]] = c["status"]
                    for m in c.get("checks", []):
                        st[m["id"]] = m["status"]
            return st

        so, sn = statuses(o), statuses(r)
        for cid in set(so) | set(sn):
            trans[(so.get(cid, "absent"), sn.get(cid, "absent"))] += 1
    only_old = sorted(i for i in index if i not in seen)
    return out, trans, changes, only_old, only_new
