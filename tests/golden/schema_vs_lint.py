#!/usr/bin/python3
"""schema_vs_lint.py - rubrics/schema.json against `assay lint`, as TAP.

The JSON Schema is for editors; `assay lint` is the authority. This test keeps them
agreeing wherever JSON Schema can say what lint says:

  * the schema must never reject a rubric that lint accepts;
  * a rubric that lint rejects but the schema accepts must be listed in schema-gaps.tsv,
    with the reason JSON Schema cannot express the rule (a cross-reference, a regular
    expression that must compile...); a listed case that no longer is such a gap fails too,
    so the list stays true.

The rubrics: the examples (rubrics/*.json but the JSON Schemas and credential definitions
there), every broken rubric
of tests/golden/invalid and tests/hostile/rubrics, the valid ones with warnings of
tests/golden/warnings, tests/golden/limits/at-limits.json (every limit at its edge, which
both must accept) and the mutations of it in
tests/golden/limits/mutations.tsv (one value changed each: just beyond a limit, or still on
it).

A file that is not strict JSON (invalid UTF-8, a byte order mark, duplicate keys, NaN, a
number beyond a double, \\u0000) is rejected by lint's parser before any rule applies;
the schema is taken to reject it too, as it never sees a document.

Usage: schema_vs_lint.py ASSAY SOURCE_ROOT. Exit 77 (skipped) without python3-jsonschema.
"""
import glob
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("1..0 # SKIP python3-jsonschema is not installed")
    sys.exit(0)  # TAP: the plan says skip

HERE = os.path.dirname(os.path.abspath(__file__))
LIMITS = os.path.join(HERE, "limits")


def strict_json(data):
    """The document in data (bytes), or None when jansson would refuse it."""

    def pairs(items):
        d = {}
        for k, v in items:
            if k in d or "\0" in k:
                raise ValueError("duplicate or NUL key")
            d[k] = v
        return d

    def real(text):
        v = float(text)
        if math.isinf(v):
            raise ValueError("beyond a double")
        return v

    def no_constant(text):
        raise ValueError(text)

    def no_nul(v):
        if isinstance(v, str):
            if "\0" in v:
                raise ValueError("NUL")
        elif isinstance(v, dict):
            for x in v.values():
                no_nul(x)
        elif isinstance(v, list):
            for x in v:
                no_nul(x)
        elif isinstance(v, int) and not isinstance(v, bool) and not -(2**63) <= v < 2**63:
            raise ValueError("integer beyond 64 bits")

    try:
        text = data.decode("utf-8")
        doc = json.loads(
            text, object_pairs_hook=pairs, parse_float=real, parse_constant=no_constant
        )
        no_nul(doc)
        return doc
    except (UnicodeDecodeError, ValueError):
        return None


def is_json_schema(doc):
    return isinstance(doc, dict) and "assay" not in doc and "$schema" in doc and (
        "://json-schema.org/" in str(doc.get("$schema")) or "properties" in doc
    )


def lint(assay, root, paths):
    """Lints every path in one run: the set of those lint accepts."""
    r = subprocess.run(
        [assay, "lint", "--"] + paths, cwd=root, capture_output=True, text=True, errors="replace"
    )
    ok = set()
    for line in r.stdout.splitlines():
        name, sep, rest = line.partition(": ok: ")
        if sep:
            ok.add(name)
    firsts = {}
    for line in r.stderr.splitlines():
        for p in paths:
            if line.startswith(p + ":") and p not in firsts:
                firsts[p] = line[len(p) + 1 :].strip()
    return ok, firsts


def set_pointer(doc, pointer, value):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node = doc
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def read_tsv(path, ncols):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != ncols:
                sys.exit(f"{path}:{n}: expected {ncols} tab-separated columns")
            rows.append(cols)
    return rows


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: schema_vs_lint.py ASSAY SOURCE_ROOT")
    assay, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.chdir(root)
    schema = json.load(open("rubrics/schema.json", encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)

    cases = {}  # name -> path given to lint (relative to root)
    for path in sorted(
        glob.glob("rubrics/*.json")
        + glob.glob("tests/golden/invalid/*.json")
        + glob.glob("tests/hostile/rubrics/*.json")
        + glob.glob("tests/golden/limits/*.json")
        + glob.glob("tests/golden/warnings/*.json")
    ):
        with open(path, "rb") as f:
            doc = strict_json(f.read())
            # Credential definitions are not rubrics: rubrics/credential.schema.json is theirs.
            if is_json_schema(doc) or (isinstance(doc, dict) and "assay_credential" in doc
                                       and "assay" not in doc):
                continue
        cases[path] = path

    tmp = tempfile.mkdtemp(prefix="assay-schema-")
    base = json.load(open(os.path.join(LIMITS, "at-limits.json"), encoding="utf-8"))
    for name, pointer, value in read_tsv(os.path.join(LIMITS, "mutations.tsv"), 3):
        doc = json.loads(json.dumps(base))
        set_pointer(doc, pointer, json.loads(value))
        path = os.path.join(tmp, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
        cases["mutation:" + name] = path

    gaps = {}
    for name, reason in read_tsv(os.path.join(HERE, "schema-gaps.tsv"), 2):
        gaps[name] = reason

    accepted, firsts = lint(assay, root, list(cases.values()))
    n = failed = 0
    for name, path in cases.items():
        with open(path, "rb") as f:
            doc = strict_json(f.read())
        errors = [] if doc is None else list(validator.iter_errors(doc))
        schema_ok = doc is not None and not errors
        lint_ok = path in accepted
        n += 1
        problem = None
        if lint_ok and not schema_ok:
            why = errors[0].message[:200] if errors else "not strict JSON"
            problem = f"the schema rejects a rubric lint accepts: {why}"
        elif not lint_ok and schema_ok and name not in gaps:
            problem = (
                "lint rejects it but the schema accepts it, and schema-gaps.tsv does not "
                f"say why: {firsts.get(path, '')}"
            )
        elif name in gaps and not (not lint_ok and schema_ok):
            problem = "listed in schema-gaps.tsv but not a gap (any more)"
        verdict = (
            "both accept" if lint_ok and schema_ok
            else "both reject" if not lint_ok and not schema_ok
            else "gap: " + gaps.get(name, "?") if not lint_ok
            else "schema rejects"
        )
        if problem:
            failed += 1
            print(f"not ok {n} - {name}: {problem}")
        else:
            print(f"ok {n} - {name}: {verdict}")
    for name in sorted(set(gaps) - set(cases)):
        n += 1
        failed += 1
        print(f"not ok {n} - schema-gaps.tsv lists {name}, which is no rubric of the test")
    print(f"1..{n}")
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
