"""rubric.py - rubrics for the reference grader: loading a rubric file into checks ready to
grade, with every quantity that does not depend on the answers fixed at load.

What is fixed at load (engine/src/rubric.c is the model; docs/rubric-format.md the
contract):
- exact scores as integers on common denominators: a check's credit in units of 1/C, where C
  is a multiple of every denominator a credit can have (penalties, and a group's division
  by the members it needs); points in units of 1/B; evidence weights in units of 1/W. So a
  check earns points_units * credit_units / (B * C) and a competency scores
  sum(weight_units * credit_units) / (C * total_weight_units), compared with each level's
  threshold by cross-multiplying integers;
- the JSON text of everything a result repeats: check heads, points at full and no credit,
  feedback, competency and level fragments, the rubric reference with its SHA-256 (of the
  canonical content: keys sorted, compact, reals with 17 digits, without "$schema");
- the patterns, translated to `re` (patterns.py) or refused.

The loader expects a rubric that `assay lint` accepts; it does not repeat the engine's
diagnostics, but refuses (RubricError) what it does not understand.
"""

import hashlib
import json
import math
import os
import re
from fractions import Fraction

import decimals
import jsonout
import patterns


_DIGITS = re.compile(r"\d+")


class RubricError(Exception):
    """A rubric the reference grader cannot load."""


def _frac(v, what):
    try:
        d = decimals.rubric_number(v)
    except ValueError as e:
        raise RubricError("%s: %s" % (what, e))
    return Fraction(d)


def _lcm(a, b):
    return a * b // math.gcd(a, b)


class Check:
    """One check. Pattern: rx, mode, trim, collapse, count_min, count_max. Numeric: cmp and
    its operands, sig rule, units, source. Group: members, needed, partial_credit."""

    __slots__ = (
        "id", "type", "head", "points", "p_units", "ev", "fb_pass", "fb_fail", "fb_partial",
        "full_str", "max_str", "rx", "match", "mode", "mode_json", "trim", "collapse",
        "count_min", "count_max", "cmp", "expected", "below", "above", "rel", "lo", "hi",
        "lo_open", "hi_open", "round_n", "sig", "sig_n", "sig_has_penalty", "sig_penalty",
        "sig_pen_c", "units", "has_units", "unit_required", "unit_penalty", "unit_pen_c",
        "source", "source_group", "members", "needed", "partial_credit", "den", "member_head",
        "slot", "evaluate", "no_answer_json", "correct_head", "incorrect_head", "invalid_head",
    )


class Competency:
    __slots__ = ("id", "head", "total", "levels", "mastery", "level_tail", "score_den")


class Item:
    __slots__ = ("id", "head", "checks", "max_units", "max_str", "max_tail", "no_answer_checks")


class Rubric:
    """A loaded rubric; see the module comment for the units."""

    def __init__(self, doc, source="<rubric>"):
        if not isinstance(doc, dict):
            raise RubricError("%s: a rubric must be a JSON object" % source)
        self.source = source
        self.id = doc["id"]
        self.version = doc["version"]
        canon = {k: v for k, v in doc.items() if k != "$schema"}
        text = jsonout.value(canon, precision=17, sort_keys=True)
        self.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.ref_json = (
            '{"id":' + jsonout.string(self.id) + ',"version":' + jsonout.string(self.version)
            + ',"sha256":"' + self.sha256 + '","title":' + jsonout.string(doc["title"]) + "}"
        )
        settings = doc.get("settings") or {}
        self.dsep = settings.get("decimal_separator", ".")
        self.grouping = bool(settings.get("grouping", False))
        default_scale = self._scale(doc["scale"], "scale")
        comp_index = {}
        comp_docs = doc["competencies"]
        for i, c in enumerate(comp_docs):
            comp_index[c["id"]] = i
        # Checks first: the denominators C, B and W depend on all of them.
        raw_items = []
        for it in doc["items"]:
            raw_items.append((it["id"], [self._check(c, False, comp_index) for c in it["checks"]]))
        top = [c for _, cs in raw_items for c in cs]
        C = 1
        for c in top:
            C = _lcm(C, c.den)
        B = 1
        W = 1
        for c in top:
            B = _lcm(B, c.points.denominator)
            for _, w in c.ev:
                W = _lcm(W, w.denominator)
        self.C, self.B, self.W = C, B, W
        self.BC = B * C
        self.item_index = set()
        self.items = []
        total_max = 0
        weight_totals = [0] * len(comp_docs)
        for item_id, checks in raw_items:
            for c in checks:
                self._finish(c, C, B, W, weight_totals)
            it = Item()
            it.id = item_id
            it.head = '{"id":' + jsonout.string(item_id) + ',"answered":'
            it.checks = checks
            it.max_units = sum(c.p_units for c in checks) * C
            it.max_str = jsonout.ratio(it.max_units, B * C)
            it.max_tail = ',"max_score":' + it.max_str + ',"checks":['
            it.no_answer_checks = ",".join(c.no_answer_json for c in checks)
            self.items.append(it)
            self.item_index.add(item_id)
            total_max += it.max_units
        self.max_units = total_max
        self.max_str = jsonout.ratio(total_max, B * C)
        self.comps = []
        for i, c in enumerate(comp_docs):
            k = Competency()
            k.id = c["id"]
            head = '{"id":' + jsonout.string(c["id"]) + ',"name":' + jsonout.string(c["name"])
            if "ref" in c:
                head += ',"ref":' + jsonout.string(c["ref"])
            k.head = head + ',"framework":' + jsonout.string("rubric:" + self.id) + ',"score":'
            k.total = weight_totals[i]
            k.score_den = C * k.total
            scale = self._scale(c["scale"], "competency scale") if "scale" in c else default_scale
            levels, mastery = scale
            # level l is reached when N / (C * total) >= min = p / q, i.e. N * q >= p * C * total
            k.levels = [(m.denominator, m.numerator * k.score_den) for _, _, m in levels]
            k.mastery = mastery
            k.level_tail = [
                ',"level":' + jsonout.string(lid) + ',"level_name":' + jsonout.string(name)
                + ',"mastered":' + ("true" if li >= mastery else "false") + "}"
                for li, (lid, name, _) in enumerate(levels)
            ]
            self.comps.append(k)

    # -- parts -------------------------------------------------------------------------------

    def _scale(self, sc, what):
        levels = []
        mastery = None
        for i, lv in enumerate(sc["levels"]):
            levels.append((lv["id"], lv["name"], _frac(lv["min"], what + " min")))
            if lv.get("mastery") is True and mastery is None:
                mastery = i
        if mastery is None or len(levels) < 2:
            raise RubricError("%s: %s needs two levels and a mastery level" % (self.source, what))
        return levels, mastery

    def _check(self, d, member, comp_index):
        c = Check()
        c.id = d["id"]
        c.type = d["type"]
        if c.type not in ("pattern", "numeric", "group"):
            raise RubricError("%s: check %s: unknown type %r" % (self.source, c.id, c.type))
        c.points = Fraction(1) if member or "points" not in d else _frac(d["points"], "points")
        c.ev = []
        if not member:
            for cid, w in d["evidence"].items():
                if cid not in comp_index:
                    raise RubricError("%s: check %s: unknown competency %s" % (self.source, c.id, cid))
                c.ev.append((comp_index[cid], _frac(w, "evidence weight")))
        fb = d.get("feedback") or {}
        c.fb_pass = jsonout.string(fb["pass"]) if "pass" in fb else "null"
        c.fb_fail = jsonout.string(fb["fail"]) if "fail" in fb else "null"
        c.fb_partial = jsonout.string(fb["partial"]) if "partial" in fb else c.fb_pass
        head = '{"id":' + jsonout.string(c.id) + ',"type":"' + c.type + '","status":"'
        c.head = head
        c.den = 1
        try:
            if c.type == "pattern":
                self._pattern(c, d)
            elif c.type == "numeric":
                self._numeric(c, d)
            else:
                c.members = [self._check(m, True, comp_index) for m in d["checks"]]
                rule = d["rule"]
                n = len(c.members)
                if rule == "all":
                    c.needed = n
                elif rule == "any":
                    c.needed = 1
                else:
                    c.needed = int(rule["at_least"])
                c.needed = max(1, c.needed)
                c.partial_credit = d.get("partial_credit", True) is not False
                den = 1
                for m in c.members:
                    den = _lcm(den, m.den)
                c.den = den * c.needed
        except patterns.Untranslatable as e:
            raise RubricError("%s: check %s: the pattern cannot run in Python's re: %s" % (self.source, c.id, e))
        return c

    def _pattern(self, c, d):
        c.mode = d.get("mode", "search")
        c.mode_json = ',"mode":"' + c.mode + '"'
        c.rx = patterns.compile_pattern(d["pattern"], d.get("flags", ()), d.get("ascii") is True)
        c.match = c.rx.fullmatch if c.mode == "whole" else c.rx.search
        norm = d.get("normalize", ())
        c.trim = "trim" in norm
        c.collapse = "collapse" in norm
        c.count_min = int(d.get("min", 1))
        c.count_max = int(d["max"]) if "max" in d else None

    def _numeric(self, c, d):
        c.cmp = "exact"
        num = decimals.rubric_number
        c.expected = num(d["expected"]) if "expected" in d else decimals.ZERO
        c.below = c.above = c.rel = decimals.ZERO
        tol = d.get("tolerance")
        if isinstance(tol, dict):
            c.cmp = "abs"
            c.below = num(tol["below"]) if "below" in tol else decimals.ZERO
            c.above = num(tol["above"]) if "above" in tol else decimals.ZERO
        elif tol is not None:
            c.cmp = "abs"
            c.below = c.above = num(tol)
        if "relative" in d:
            c.cmp = "rel"
            c.rel = num(d["relative"])
        if "interval" in d:
            s = d["interval"].strip(" ")
            inner = s[1:-1]
            lo, hi = inner.split(",", 1)
            c.lo, c.hi = num(lo.strip(" ")), num(hi.strip(" "))
            c.lo_open, c.hi_open = s[0] == "(", s[-1] == ")"
            c.cmp = "interval"
        if "round" in d:
            r = d["round"]
            c.cmp, c.round_n = ("places", int(r["places"])) if "places" in r else ("figures", int(r["figures"]))
        c.sig = None
        c.sig_has_penalty = False
        c.sig_penalty = Fraction(0)
        sig = d.get("sig_figs")
        if sig is not None:
            c.sig, c.sig_n = ("exactly", int(sig["exactly"])) if "exactly" in sig else ("at_least", int(sig["at_least"]))
            if "penalty" in sig:
                c.sig_has_penalty = True
                c.sig_penalty = _frac(sig["penalty"], "sig_figs penalty")
        c.has_units = "units" in d
        c.units = {}
        c.unit_required = False
        c.unit_penalty = Fraction(0)
        if c.has_units:
            u = d["units"]
            c.unit_required = u.get("required", True) is not False
            c.unit_penalty = _frac(u["penalty"], "units penalty") if "penalty" in u else Fraction(1, 2)
            for name, mult in u["table"].items():
                c.units[name] = num(mult)
        c.source = None
        if "source" in d:
            s = d["source"]
            c.source = patterns.compile_pattern(s["pattern"], s.get("flags", ()), s.get("ascii") is True)
            c.source_group = s["group"]
            if c.source_group not in c.source.groupindex:
                raise RubricError("%s: check %s: no group %r" % (self.source, c.id, c.source_group))
        c.den = _lcm(c.unit_penalty.denominator, c.sig_penalty.denominator)

    def _finish(self, c, C, B, W, weight_totals):
        """Fixes a check's integers and texts once C, B and W are known."""
        if c.type == "numeric":
            c.unit_pen_c = int(c.unit_penalty * C)
            c.sig_pen_c = int(c.sig_penalty * C)
        if c.type == "group":
            for m in c.members:
                self._finish(m, C, B, W, None)
        import grader  # the evaluators live there; the rubric only points at them

        c.evaluate = {"pattern": grader._pattern, "numeric": grader._numeric, "group": grader._group}[c.type]
        c.slot = (1 if getattr(c, "trim", False) else 0) | (2 if getattr(c, "collapse", False) else 0)
        if weight_totals is None:  # a group member: credit, no points
            c.member_head = True
            zero = '","credit":0,"feedback":'
            full = '","credit":1,"feedback":'
        else:
            c.member_head = False
            c.p_units = int(c.points * B)
            c.full_str = jsonout.ratio(c.p_units, B)
            c.max_str = c.full_str
            ev = []
            for k, w in c.ev:
                wu = int(w * W)
                weight_totals[k] += wu
                ev.append((k, wu))
            c.ev = ev
            zero = '","points":0,"max_points":' + c.max_str + ',"feedback":'
            full = '","points":' + c.full_str + ',"max_points":' + c.max_str + ',"feedback":'
        c.correct_head = c.head + "correct" + full + c.fb_pass
        c.incorrect_head = c.head + "incorrect" + zero + c.fb_fail
        c.invalid_head = c.head + "invalid" + zero + c.fb_fail
        c.no_answer_json = (
            c.incorrect_head + ',"reason":"no_answer","explanation":"No answer was given."}'
        )


def load_file(path):
    """A Rubric from a file; RubricError when it cannot be loaded."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise RubricError("%s: not JSON: %s" % (path, e))
    try:
        return Rubric(doc, path)
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise RubricError("%s: not a rubric the reference grader understands: %r" % (path, e))


def _version_key_cmp(a, b):
    """Dotted numbers compared numerically, then as strings (catalog.c's version_cmp)."""
    pa, pb = a, b
    while pa and pb:
        ma, mb = _DIGITS.match(pa), _DIGITS.match(pb)
        if not ma or not mb:
            break
        x, y = int(ma.group(0)), int(mb.group(0))
        if x != y:
            return -1 if x < y else 1
        pa, pb = pa[ma.end():], pb[mb.end():]
        if pa[:1] == "." and pb[:1] == ".":
            pa, pb = pa[1:], pb[1:]
        else:
            break
    ab, bb = a.encode(), b.encode()
    return (ab > bb) - (ab < bb)


class Catalog:
    """The rubrics of a directory (*.json but schema.json, in name order), found by id and
    version as the engine finds them."""

    def __init__(self):
        self.by_id = {}

    def add(self, r):
        self.by_id.setdefault(r.id, []).append(r)

    def find(self, rid, version):
        best = None
        for r in self.by_id.get(rid, ()):
            if version is not None:
                if r.version == version:
                    return r
            elif best is None or _version_key_cmp(r.version, best.version) > 0:
                best = r
        return best

    def count(self):
        return sum(len(v) for v in self.by_id.values())


def is_rubric_file(path):
    """False for the other documents of a rubric directory (a JSON Schema, a competency
    framework, a credential definition): JSON objects without the "assay" key. A file that
    is no JSON object is a rubric to report."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return True
    return not isinstance(doc, dict) or "assay" in doc


def load_dir(path, warn):
    """A Catalog of the rubrics in path; each one that cannot be loaded is reported with
    warn(message) and left out."""
    cat = Catalog()
    for name in sorted(os.listdir(path)):
        full = os.path.join(path, name)
        if not name.endswith(".json") or len(name) < 6 or name.startswith(".") or name == "schema.json":
            continue
        if not os.path.isfile(full) or not is_rubric_file(full):
            continue
        try:
            r = load_file(full)
        except RubricError as e:
            warn(str(e))
            continue
        if cat.find(r.id, r.version):
            warn("%s: rubric %s version %s is already loaded" % (full, r.id, r.version))
            continue
        cat.add(r)
    return cat
