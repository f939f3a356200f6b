#!/usr/bin/env python3
"""Sum meson test logs (testlog.json, one JSON object per line) into 'N passed, N failed'.

Usage: summary.py BUILDDIR/meson-logs/testlog*.json ...
Prints the chaos scenarios' one-line summaries ("# chaos NAME: enqueued ..." in a test's
output), one line per failed test with its first failing TAP lines, then the plain summary line. Exit 1 when any test failed
or when no test ran at all (so a run that executed nothing cannot pass unseen).
"""
import json
import os
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    # "extra:NAME:OK" or "extra:NAME:FAIL" counts a step that is not a meson test.
    if path.startswith("extra:"):
        _, name, result = path.split(":", 2)
        if result == "OK":
            passed += 1
        else:
            failed += 1
            print(f"FAILED: {name}")
        continue
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                t = json.loads(line)
                for out in (t.get("stdout") or "").splitlines():
                    if out.startswith("# chaos ") and ": enqueued " in out:
                        build = os.path.basename(path).split(".")[0]
                        print(f"{out[2:]} [{build}]")
                result = t.get("result", "")
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                else:
                    failed += 1
                    print(f"FAILED: {path}: {t.get('name')} ({result})")
                    # What failed inside it, so that the tail of a CI log says why.
                    bad = [o for o in (t.get("stdout") or "").splitlines()
                           if o.startswith("not ok") or o.startswith("Bail out")]
                    for o in bad[:5]:
                        print(f"  {o}")
                    if len(bad) > 5:
                        print(f"  ... and {len(bad) - 5} more")
    except FileNotFoundError:
        print(f"missing test log: {path}")
        failed += 1

summary = f"{passed} passed, {failed} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary)
sys.exit(1 if failed or passed == 0 else 0)
