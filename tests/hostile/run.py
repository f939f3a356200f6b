#!/usr/bin/python3
"""run.py - hostile-input tests of the assay command-line tool, as TAP.

Every case runs the built tool on one hostile input and checks what comes out:

  * submissions.tsv: `assay grade RUBRIC SUBMISSION` on bad submissions (broken JSON,
    invalid UTF-8, NUL bytes, wrong types, limits, catastrophic backtracking...); the exit
    code and chosen fields of the result JSON must be exactly as listed;
  * rubrics.tsv: `assay lint RUBRIC` on bad rubrics; the exit code and the first line of
    stderr (file:line:column: error: ...) must be exactly as listed.

Whatever the case, the tool must not crash (no signal), not hang (ASSAY_HOSTILE_TIMEOUT
seconds, default 10), exit with a documented code (0, 1, 2 or 3), write UTF-8 only, and
for grade print one JSON result whose status agrees with the exit code; an error result
always has a non-empty error.code and error.message. A case that takes longer than 2 s is
noted (machines are noisy), never failed for it. Cases flagged "time" are run five times
and their fastest and median times printed, so the docs can quote them.

Inputs too big for the repository (10 MB submissions, a 50 MB rubric, 64 KiB answers...)
are written by gen.py into a temporary directory ("gen:NAME" in the manifests).

Environment:
  ASSAY_CLI              the assay binary (required)
  ASSAY_SOURCE_ROOT      the project's source root (default: two levels up from here); the
                         tool runs there, with paths relative to it
  ASSAY_HOSTILE_VALGRIND=1  run only the cases flagged "vg", each under valgrind memcheck
                         (--error-exitcode=99, leaks of every kind are errors); only
                         valgrind errors, crashes and hangs fail, wrong output is noted
  ASSAY_HOSTILE_TIMEOUT  seconds per case (default 10; 120 under valgrind)

Usage: run.py [SUBSTRING...]   (only the cases whose name contains one of them)

Manifest columns are separated by tabs; '#' starts a comment line. See the headers of
submissions.tsv and rubrics.tsv.
"""
import json
import os
import re
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import gen  # noqa: E402

GRADED_AT = "2026-01-01T00:00:00Z"
DOCUMENTED_EXITS = {0, 1, 2, 3}
SLOW_NOTE_S = 2.0
TIME_RUNS = 5  # for cases flagged "time"
DEFAULT_DATA_LIMIT_MIB = 1024  # no case needs more; a runaway allocation fails instead
sys.setrecursionlimit(20000)  # results may echo deeply nested "meta"


class Case:
    def __init__(self, kind, name, target, sub, exit_code, expect, flags, line):
        self.kind = kind  # "grade" or "lint"
        self.name = name
        self.target = target  # rubric
        self.sub = sub  # submission (grade only)
        self.exit = exit_code
        self.expect = expect
        self.flags = flags
        self.line = line


def read_manifest(path, kind):
    cases = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.split("\t")
            where = "%s:%d" % (os.path.basename(path), n)
            if kind == "grade":
                if len(cols) not in (5, 6):
                    raise SystemExit("%s: expected 5 or 6 tab-separated columns" % where)
                name, rubric, sub, ex, expect = cols[:5]
                try:
                    expect = json.loads(expect)
                except ValueError as e:
                    raise SystemExit("%s: expectation is not JSON: %s" % (where, e))
            else:
                if len(cols) not in (4, 5):
                    raise SystemExit("%s: expected 4 or 5 tab-separated columns" % where)
                name, rubric, ex, expect = cols[:4]
                sub = None
            nflags = 6 if kind == "grade" else 5
            flags = set(cols[-1].split(",")) - {""} if len(cols) == nflags else set()
            cases.append(Case(kind, name, rubric, sub, int(ex), expect, flags, where))
    return cases


# ---------------------------------------------------------------------------------------
# Running the tool.


class Run:
    pass


def run_tool(argv, cwd, timeout, workdir, data_limit=None):
    """Runs argv with stdout and stderr in files; kills the process group on timeout.

    data_limit (bytes) caps the tool's heap (RLIMIT_DATA): an allocation beyond it fails.
    (Peak RSS cannot be measured from here: a child forked from Python starts with Python's
    resident pages, and ru_maxrss keeps them after exec.)"""
    out_path = os.path.join(workdir, "stdout")
    err_path = os.path.join(workdir, "stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err, \
            open(os.devnull, "rb") as devnull:
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:  # child: its own process group, so a timeout kills all of it
            try:
                os.setpgid(0, 0)
                os.chdir(cwd)
                if data_limit:
                    resource.setrlimit(resource.RLIMIT_DATA, (data_limit, data_limit))
                os.dup2(devnull.fileno(), 0)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                os.execv(argv[0], argv)
            finally:
                os._exit(127)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, _ = os.wait4(pid, 0)
        timer.cancel()
        elapsed = time.monotonic() - t0
    r = Run()
    r.elapsed = elapsed
    r.timed_out = timed_out.is_set()
    r.signal = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    r.code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    with open(out_path, "rb") as f:
        r.stdout = f.read()
    with open(err_path, "rb") as f:
        r.stderr = f.read()
    return r


# ---------------------------------------------------------------------------------------
# Looking into a result.

MISSING = object()


def find_check(checks, cid):
    for c in checks or []:
        if c.get("id") == cid:
            return c
        found = find_check(c.get("checks"), cid)
        if found is not None:
            return found
    return None


def lookup(result, path):
    """'a.b.0.c' into the result; 'check:ID.field' starts at the check named ID."""
    parts = path.split(".")
    cur = result
    if parts[0].startswith("check:"):
        cid = parts.pop(0)[len("check:"):]
        cur = None
        for it in result.get("items") or []:
            cur = find_check(it.get("checks"), cid)
            if cur is not None:
                break
        if cur is None:
            return MISSING
    for p in parts:
        if isinstance(cur, dict) and p in cur:
            cur = cur[p]
        elif isinstance(cur, list) and p.isdigit() and int(p) < len(cur):
            cur = cur[int(p)]
        else:
            return MISSING
    return cur


def show(v):
    if v is MISSING:
        return "<absent>"
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 200 else s[:200] + "...(%d chars)" % len(s)


def check_expectations(result, expect, problems):
    for key, want in expect.items():
        if key.endswith("~"):
            got = lookup(result, key[:-1])
            if not isinstance(got, str) or want not in got:
                problems.append("%s: want a string containing %s, got %s" %
                                (key[:-1], show(want), show(got)))
        elif key.endswith("|"):
            got = lookup(result, key[:-1])
            if got is MISSING or got not in want:
                problems.append("%s: want one of %s, got %s" % (key[:-1], show(want), show(got)))
        elif key.endswith("#"):
            got = lookup(result, key[:-1])
            n = len(got) if isinstance(got, (list, str, dict)) else MISSING
            if n != want:
                problems.append("%s: want length %s, got %s" % (key[:-1], want, show(n)))
        else:
            got = lookup(result, key)
            if got is MISSING or got != want or type(got) is not type(want):
                problems.append("%s: want %s, got %s" % (key, show(want), show(got)))


def count_error_checks(result):
    n = 0
    for it in result.get("items") or []:
        for c in it.get("checks") or []:
            n += c.get("status") == "error"
    return n


def judge_grade(case, r, problems):
    try:
        text = r.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append("stdout is not UTF-8: %s" % e)
        return
    if r.code == 3:
        problems.append("the rubric could not be loaded: %s" %
                        r.stderr.decode("utf-8", "replace").strip()[:300])
        return
    if r.stderr:
        problems.append("grade wrote to stderr: %s" % r.stderr[:300])
    lines = text.splitlines()
    if len(lines) != 1:
        problems.append("want exactly one line of JSON on stdout, got %d lines" % len(lines))
        if not lines:
            return
    try:
        result = json.loads(lines[0])
    except ValueError as e:
        problems.append("stdout is not JSON: %s" % e)
        return
    status = result.get("status")
    if r.code == 0 and status != "graded" or r.code == 1 and status != "error":
        problems.append("exit %s does not agree with status %s" % (r.code, show(status)))
    if status == "error":
        err = result.get("error")
        if not isinstance(err, dict):
            problems.append("an error result without an \"error\" object")
        else:
            for k in ("code", "message"):
                if not isinstance(err.get(k), str) or not err.get(k):
                    problems.append("error.%s is missing or empty: %s" % (k, show(err)))
    elif status == "graded":
        want = count_error_checks(result)
        if result.get("check_errors") != want:
            problems.append("check_errors is %s but %d checks have status error" %
                            (show(result.get("check_errors")), want))
    check_expectations(result, case.expect, problems)


def judge_lint(case, r, file_arg, problems):
    try:
        out = r.stdout.decode("utf-8")
        err = r.stderr.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append("output is not UTF-8 (a message cut inside a character?): %s" % e)
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace")
    expect = case.expect
    if expect.startswith("~ "):
        expect = expect.replace("{file}", re.escape(file_arg))
    else:
        expect = expect.replace("{file}", file_arg)
    if expect.startswith("ok "):
        want = "%s: ok: " % file_arg
        checks = ", %s checks, sha256 " % expect[3:]
        if not out.startswith(want) or checks not in out or err:
            problems.append("want a valid rubric with%s\n  got stdout: %s\n  got stderr: %s" %
                            (checks.rstrip(", sha256 "), out.strip()[:300],
                             err.strip()[:300]))
        return
    lines = err.splitlines()
    first = lines[0] if lines else ""
    if out:
        problems.append("an invalid rubric wrote to stdout: %s" % out.strip()[:300])
    if not lines or lines[-1] != "1 of 1 rubric invalid":
        problems.append("stderr does not end with \"1 of 1 rubric invalid\"")
    if expect.startswith("= "):
        if first != expect[2:]:
            problems.append("first line of stderr:\n  want: %s\n  got:  %s" %
                            (expect[2:], first[:600]))
    elif expect.startswith("~ "):
        if not re.fullmatch(expect[2:], first):
            problems.append("first line of stderr does not match:\n  want (regex): %s\n"
                            "  got:          %s" % (expect[2:], first[:600]))
    else:
        raise SystemExit("%s: the expectation must start with 'ok ', '= ' or '~ '" % case.line)


# ---------------------------------------------------------------------------------------


def resolve(spec, base_dir, gendir, root):
    """A manifest path: gen:NAME (written now), or relative to base_dir under root."""
    if spec.startswith("gen:"):
        return gen.generate(spec[4:], gendir)
    path = os.path.join(base_dir, spec)
    if not os.path.exists(os.path.join(root, path)):
        raise FileNotFoundError(path)
    return path


def main():
    cli = os.environ.get("ASSAY_CLI")
    if not cli:
        print("Bail out! ASSAY_CLI is not set (the assay binary)")
        return 1
    cli = os.path.abspath(cli)
    root = os.environ.get("ASSAY_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
    root = os.path.abspath(root)
    vg_mode = os.environ.get("ASSAY_HOSTILE_VALGRIND") == "1"
    timeout = float(os.environ.get("ASSAY_HOSTILE_TIMEOUT") or (120 if vg_mode else 10))

    rel_here = os.path.relpath(HERE, root)
    cases = (read_manifest(os.path.join(HERE, "submissions.tsv"), "grade") +
             read_manifest(os.path.join(HERE, "rubrics.tsv"), "lint"))
    names = ["%s %s" % (c.kind, c.name) for c in cases]
    dups = {n for n in names if names.count(n) > 1}
    if dups:
        print("Bail out! duplicate case names: %s" % ", ".join(sorted(dups)))
        return 1
    if vg_mode:
        cases = [c for c in cases if "vg" in c.flags]
    if len(sys.argv) > 1:
        cases = [c for c in cases if any(s in "%s %s" % (c.kind, c.name) for s in sys.argv[1:])]

    valgrind = None
    if vg_mode:
        valgrind = shutil.which("valgrind")
        if not valgrind:
            print("1..0 # SKIP valgrind is not installed")
            return 0

    tmp = tempfile.mkdtemp(prefix="assay-hostile.")
    gendir = os.path.join(tmp, "gen")
    os.makedirs(gendir)
    timings = []
    print("1..%d" % len(cases))
    sys.stdout.flush()
    failed = 0
    try:
        for i, case in enumerate(cases, 1):
            problems = []
            notes = []
            try:
                if case.kind == "grade":
                    rubric = resolve(case.target, "", gendir, root)
                    sub = resolve(case.sub, os.path.join(rel_here, "submissions"), gendir, root)
                    argv = [cli, "grade", "--graded-at", GRADED_AT, rubric, sub]
                    file_arg = sub
                else:
                    rubric = resolve(case.target, os.path.join(rel_here, "rubrics"), gendir,
                                     root)
                    argv = [cli, "lint", rubric]
                    file_arg = rubric
            except (FileNotFoundError, KeyError) as e:
                print("not ok %d - %s\n# %s: no such input: %s" % (i, case.name, case.line, e))
                failed += 1
                continue

            vg_log = os.path.join(tmp, "valgrind.log")
            if valgrind:
                if os.path.exists(vg_log):
                    os.unlink(vg_log)
                argv = [valgrind, "-q", "--error-exitcode=99", "--leak-check=full",
                        "--errors-for-leak-kinds=definite,indirect,possible",
                        "--show-leak-kinds=definite,indirect,possible",
                        "--suppressions=" + os.path.join(HERE, "valgrind.supp"),
                        "--log-file=" + vg_log] + argv
            m = re.search(r"maxdata<=(\d+)M", ",".join(case.flags))
            data_mib = int(m.group(1)) if m else DEFAULT_DATA_LIMIT_MIB
            sanitized = os.environ.get("ASSAY_SANITIZED") == "1"
            limit = None if valgrind or sanitized else data_mib << 20
            r = run_tool(argv, root, timeout, tmp, limit)

            if r.timed_out:
                problems.append("no answer after %.0f s: killed (a hang, or unbounded work)"
                                % timeout)
            elif r.signal is not None:
                problems.append("crashed: killed by signal %d (%s)" %
                                (r.signal, signal.Signals(r.signal).name))
            elif valgrind and r.code == 99:
                with open(vg_log, encoding="utf-8", errors="replace") as f:
                    problems.append("valgrind found errors:\n" + f.read()[:4000])
            elif r.code not in DOCUMENTED_EXITS:
                problems.append("exit code %s is not one of the documented 0, 1, 2, 3" % r.code)
            else:
                # Under valgrind only memory errors, crashes and hangs fail; wrong output is
                # the hostile suite's business and is only noted here.
                found = notes if valgrind else problems
                if r.code != case.exit:
                    found.append("exit code: want %d, got %d" % (case.exit, r.code))
                if case.kind == "grade":
                    judge_grade(case, r, found)
                else:
                    judge_lint(case, r, file_arg, found)

            if r.elapsed > SLOW_NOTE_S and not r.timed_out:
                notes.append("slow: %.2f s (more than %.0f s; noted, not failed)" %
                             (r.elapsed, SLOW_NOTE_S))
            if "time" in case.flags and not valgrind and not problems:
                runs = [r.elapsed] + [run_tool(argv, root, timeout, tmp, limit).elapsed
                                      for _ in range(TIME_RUNS - 1)]
                t = (min(runs), statistics.median(runs))
                timings.append((case.kind, case.name, t))
                notes.append("time: fastest %.1f ms, median %.1f ms of %d runs" %
                             (t[0] * 1e3, t[1] * 1e3, TIME_RUNS))

            desc = "%s %s (%.2f s)" % (case.kind, case.name, r.elapsed)
            if problems:
                failed += 1
                print("not ok %d - %s" % (i, desc))
                print("# %s: %s" % (case.line, " ".join(os.path.relpath(a, root)
                                                       if a.startswith(root) else a
                                                       for a in argv[argv.index(cli):])))
                for p in problems:
                    for ln in p.splitlines():
                        print("#   " + ln)
            else:
                print("ok %d - %s" % (i, desc))
            for n in notes:
                for k, ln in enumerate(n.splitlines()):
                    print("# %s%s" % (case.name + ": " if k == 0 else "    ", ln))
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if timings:
        print("# Timings of the whole CLI run (process start to exit, rubric load included):")
        for kind, name, (fast, med) in timings:
            print("#   %-5s %-32s fastest %8.1f ms  median %8.1f ms" %
                  (kind, name, fast * 1e3, med * 1e3))
    if failed:
        print("# %d of %d failed" % (failed, len(cases)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
