#!/usr/bin/python3
"""report_gen.py - N results for `assay report` benchmarks, made by repeating and perturbing
graded example results: each line is one of the examples (picked at random) with a new id, a
learner among 50,000, and, for items with a check short of full credit, often a variant of
the wrong answer drawn from a heavy-tailed distribution (so the sketches see many distinct
answers and a few frequent ones). Statuses and scores stay the examples': the figures are
not the point, the volume is.

Usage: report_gen.py RESULTS.jsonl N [SEED] > OUT.jsonl
"""

import json
import random
import sys


def templates(path):
    """Each graded example as a list of text pieces and slots ("id", "learner", answers)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("status") != "graded":
                continue
            slots = ["id", "learner"]
            r["id"] = "\u0001slot\u0001"
            r["learner"] = "\u0001slot\u0001"
            for item in r["items"]:
                if isinstance(item.get("answer"), str):
                    wrong = any(c["status"] != "correct" for c in item["checks"])
                    slots.append((json.dumps(item["answer"], ensure_ascii=False)[1:-1], wrong))
                    item["answer"] = "\u0001slot\u0001"
            text = json.dumps(r, ensure_ascii=False, separators=(",", ":"))
            out.append((text.split("\\u0001slot\\u0001"), slots))
    return out


def main():
    src, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    tpl = templates(src)
    out = sys.stdout
    buf = []
    for i in range(n):
        pieces, slots = tpl[rng.randrange(len(tpl))]
        parts = [pieces[0]]
        for k, slot in enumerate(slots):
            if slot == "id":
                value = f"bench-{i}"
            elif slot == "learner":
                value = f"learner-{rng.randrange(50000)}"
            else:
                answer, wrong = slot
                value = answer
                if wrong and rng.random() < 0.5:
                    value = f"{answer} v{int(rng.paretovariate(1.1))}"
            parts.append(value)
            parts.append(pieces[k + 1])
        buf.append("".join(parts))
        if len(buf) == 4096:
            out.write("\n".join(buf) + "\n")
            buf.clear()
    if buf:
        out.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
