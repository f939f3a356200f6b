#!/usr/bin/env python3
"""Prints Assay results (JSON, one per line on stdin) as a readable table: id, learner,
rubric, score, and each competency's level (mastered ones marked). Used by scripts/demo.sh."""

import json
import sys

for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)
    head = "{:<34} {:<14}".format(r["id"] or "(no id)", r.get("learner") or "-")
    if r["status"] != "graded":
        print("{} NOT GRADED: {}: {}".format(head, r["error"]["code"], r["error"]["message"]))
        continue
    comps = ", ".join("{}={}{}".format(c["id"], c["level"], " (mastered)" if c["mastered"] else "")
                      for c in r["competencies"])
    print("{} {:<21} {:>5g}/{:<3g} {}".format(head, r["rubric"]["id"], r["score"],
                                              r["max_score"], comps))
