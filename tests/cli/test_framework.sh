#!/usr/bin/env bash
# test_framework.sh - competency frameworks from the command line: `assay lint` of a
# framework and of a rubric that names one (resolved from the rubric's directory, from
# --rubrics, or from a framework named on the command line), the errors when it is missing
# or broken, `assay grade` of such a rubric (the result's "framework" is the framework's id)
# and `assay record rebuild`, whose records key the competencies by it. Output is TAP.
#
# Usage: test_framework.sh ASSAY SOURCE_ROOT
set -uo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 99

if [ $# -ne 2 ]; then
    echo "usage: test_framework.sh ASSAY SOURCE_ROOT" >&2
    exit 99
fi
assay=$(realpath -e "$1") || exit 99
cd "$2" || exit 99
tmp=$(mktemp -d "${TMPDIR:-/tmp}/assay-fw.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
at=2026-01-01T00:00:00Z
fw=rubrics/chem-101.framework.json
rub=rubrics/chem-dilution.json
sub=tests/golden/submissions/chem-dilution.framework.json

# --- lint -------------------------------------------------------------------------------
run lint "$fw"
fw_ok() { rc_is 0 && out_has "^$fw: ok: framework chem-101 2026.1, 4 competencies, sha256 [0-9a-f]\{64\}$"; }
check "assay lint FRAMEWORK: an ok line naming the framework and its competencies" fw_ok
run lint "$rub"
check "assay lint RUBRIC finds the framework in the rubric's own directory" rc_is 0
mkdir -p "$tmp/alone" "$tmp/course"
cp "$rub" "$tmp/alone/"
run lint "$tmp/alone/chem-dilution.json"
missing() {
    rc_is 1 && err_has "^$tmp/alone/chem-dilution.json:8:16: error: unknown framework \"chem-101\": no framework with this id is loaded" &&
        err_has "(at /framework)$" && err_has "^1 of 1 rubric invalid$"
}
check "a rubric whose framework is not there: an error at the \"framework\" key's value" missing
run lint --rubrics rubrics "$tmp/alone/chem-dilution.json"
check "... found with --rubrics DIR" rc_is 0
ASSAY_RUBRICS=rubrics run lint "$tmp/alone/chem-dilution.json"
check "... found with ASSAY_RUBRICS" rc_is 0
run lint "$fw" "$tmp/alone/chem-dilution.json"
both_ok() { rc_is 0 && test "$(grep -c ': ok: ' "$tmp/last.out")" -eq 2 && ! err_has "invalid"; }
check "... found when the framework is linted with it (assay lint FRAMEWORK RUBRIC)" both_ok
run lint "$tmp/alone/chem-dilution.json" "$fw"
check "... in either order on the command line" both_ok

# A course directory: the framework, the rubric, and a broken copy of the framework's id.
cp "$fw" "$rub" "$tmp/course/"
run lint "$tmp/course/"*.json
check "assay lint DIR/*.json with a framework and a rubric naming it: both ok" both_ok
sed 's/"param": 2 }/"param": 11 }/' "$fw" >"$tmp/course/chem-101.framework.json"
run lint "$tmp/course/"*.json
broken() {
    rc_is 1 && err_has "chem-101.framework.json:41:49: error: n_mastery takes a parameter from 1 to 10, got 11 (at /competencies/1/method/param)$" &&
        err_has "chem-dilution.json:8:16: error: unknown framework \"chem-101\": .*one with errors is not: lint it to see them" &&
        err_has "^2 of 2 files invalid$"
}
check "a broken framework: its error at its place, and the rubric naming it is invalid too" broken
run lint --werror "$fw"
check "assay lint --werror FRAMEWORK without warnings exits 0" rc_is 0

# A credential definition names the framework by its id; each competency keeps its scale.
python3 - "$tmp/badge.json" <<'PY'
import json, sys
d = json.load(open("rubrics/chem-solutions.credential.json"))
d.update(id="chem-dilution-badge", framework="chem-101")
d["requirements"] = {"competencies": [{"id": "dilution", "level": "proficient"},
                                      {"id": "quantities-and-units", "level": "secure"}],
                     "rubrics": ["chem-dilution"]}
d.pop("alignments", None)
json.dump(d, open(sys.argv[1], "w"), indent=2)
PY
run lint --rubrics rubrics "$tmp/badge.json"
check "a credential definition with \"framework\": \"chem-101\" is checked against the framework" \
    out_has "^$tmp/badge.json: ok: credential chem-dilution-badge 1, 3 requirements"
sed -i 's/"secure"/"proficient"/' "$tmp/badge.json"
run lint --rubrics rubrics "$tmp/badge.json"
badge_level() { rc_is 1 && err_has 'level "proficient" is not on the scale of competency "quantities-and-units" (its levels, lowest first: not-yet, approaching, secure)'; }
check "... a level of another scale than the framework gives the competency is an error" badge_level

sed -i 's/"framework": "chem-101"/"framework": "rubric:chem-dilution"/' "$tmp/badge.json"
run lint --rubrics rubrics "$tmp/badge.json"
check "... \"rubric:ID\" of a rubric that names a framework is an error naming the framework" \
    err_has 'unknown framework "rubric:chem-dilution": rubric chem-dilution takes its competencies from framework "chem-101" (did you mean "chem-101"?)'

# A framework named on the command line wins over the directory's copy of the same version;
# the rubric's sha256 covers the framework, so it tells which one was used.
mkdir -p "$tmp/draft"
sed 's/"Dilution"/"Diluting solutions"/' "$fw" >"$tmp/draft/chem-101.framework.json"
run lint "$rub"
sha_dir=$(sed -n 's/^.*chem-dilution.json: ok: .* sha256 //p' "$tmp/last.out")
run lint "$tmp/draft/chem-101.framework.json" "$rub"
sha_draft=$(sed -n 's/^.*chem-dilution.json: ok: .* sha256 //p' "$tmp/last.out")
differ() { rc_is 0 && [ -n "$sha_dir" ] && [ -n "$sha_draft" ] && [ "$sha_dir" != "$sha_draft" ]; }
check "a framework named on the command line is used over the directory's same version" differ

# --- grade and records ------------------------------------------------------------------
run grade --graded-at "$at" "$rub" "$sub"
graded() { rc_is 0 && test "$(json_fw "$tmp/last.out")" = "chem-101 chem-101 chem-101"; }
json_fw() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(" ".join(c["framework"] for c in r["competencies"]))' "$1"; }
check "assay grade RUBRIC: every competency's \"framework\" is the framework's id" graded
run grade --graded-at "$at" "$tmp/alone/chem-dilution.json" "$sub"
nothing() { rc_is 1 && err_has "unknown framework \"chem-101\"" && ! test -s "$tmp/last.out"; }
check "assay grade of a rubric whose framework is not there exits 1, naming it" nothing
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$sub" >"$tmp/sub.jsonl"
run grade --graded-at "$at" --rubrics rubrics --jsonl "$tmp/sub.jsonl"
cp "$tmp/last.out" "$tmp/results.jsonl"
graded_batch() { rc_is 0 && test "$(json_fw "$tmp/results.jsonl")" = "chem-101 chem-101 chem-101"; }
check "assay grade --rubrics DIR (a catalog with the framework) grades it too" graded_batch
run record rebuild --rubrics rubrics --jsonl "$tmp/results.jsonl"
keys() {
    rc_is 0 && test "$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); print(" ".join(sorted(r["competencies"])))' "$tmp/last.out")" = \
        "chem-101/dilution chem-101/quantities-and-units chem-101/solution-stoichiometry"
}
check "assay record rebuild keys the competencies by \"<framework id>/<competency id>\"" keys
methods() {
    test "$(python3 -c 'import json,sys; c=json.loads(open(sys.argv[1]).readline())["competencies"]; print(" ".join("%s:%s" % (k.split("/")[1], c[k]["method"]["name"]) for k in sorted(c)))' "$tmp/last.out")" = \
        "dilution:weighted_average quantities-and-units:n_mastery solution-stoichiometry:decaying_average"
}
check "... with each competency's calculation method from the framework" methods

tap_done
