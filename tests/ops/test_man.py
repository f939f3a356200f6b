"""test_man.py - the man pages, as scdoc built them: each renders with man(1) at 80 columns
without a single warning (man --warnings, and groff -ww), no rendered line is wider than 80
columns, each has the sections a man page needs; and they are complete: every command of
`assay --help` has its section in assay(1) naming every option its own --help lists, and
every option and environment variable of `assay-worker --help` is in assay-worker(8).

Usage: test_man.py PAGE.roff... (built by docs/man/meson.build). Skipped (TAP "1..0 # SKIP") without man."""

import os
import re
import shutil
import subprocess
import sys

from harness import CLI, WORKER, T

t = T()
pages = sys.argv[1:]
if not shutil.which("man") or not shutil.which("groff"):
    print("1..0 # SKIP man or groff not installed")
    sys.exit(0)
if not pages:
    print("1..0 # SKIP the man pages were not built (scdoc not found)")
    sys.exit(0)


def render(path, width, warnings=True):
    env = dict(os.environ, MANWIDTH=str(width), LC_ALL="C.UTF-8", MANPAGER="cat", PAGER="cat")
    args = ["man"] + (["--warnings"] if warnings else []) + ["-l", path]
    p = subprocess.run(args, capture_output=True, env=env, check=False)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def flat(path):
    """The page's text on very long lines, ASCII hyphens: for looking words up."""
    env = dict(os.environ, MANWIDTH="4000", LC_ALL="C", MANPAGER="cat", PAGER="cat")
    p = subprocess.run(["man", "-l", path], capture_output=True, env=env, check=False)
    return re.sub(r"[ \t]+", " ", p.stdout.decode("ascii", "replace"))


def help_text(*argv):
    p = subprocess.run(list(argv) + ["--help"], capture_output=True, check=False)
    return p.returncode, p.stdout.decode("utf-8", "replace")


by_name = {}
for path in pages:
    name = os.path.basename(path)
    by_name[name] = path
    rc, out, err = render(path, 80)
    t.eq(rc, 0, f"{name}: man -l renders it")
    t.eq(err.strip(), "", f"{name}: no warning from man --warnings")
    g = subprocess.run(["groff", "-ww", "-z", "-man", "-Tutf8", path], capture_output=True,
                       check=False)
    t.eq(g.stderr.decode("utf-8", "replace").strip(), "", f"{name}: no warning from groff -ww")
    wide = [line for line in out.splitlines() if len(line) > 80]
    t.eq(wide, [], f"{name}: no rendered line wider than 80 columns")
    for section in ("NAME", "DESCRIPTION", "SEE ALSO"):
        t.ok(re.search(rf"^{section}$", out, re.M) is not None, f"{name}: has {section}")
    if not name.endswith(".5"):
        for section in ("SYNOPSIS", "EXIT STATUS", "ENVIRONMENT"):
            t.ok(re.search(rf"^{section}$", out, re.M) is not None, f"{name}: has {section}")

OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]+")

# assay(1): every command of `assay --help`, and every option of each command's --help.
if "assay.1" in by_name and os.path.exists(CLI):
    page = flat(by_name["assay.1"])
    rc, top = help_text(CLI)
    t.eq(rc, 0, "assay --help")
    commands = []
    for line in top.splitlines():
        m = re.match(r"^  ([a-z]+)(?: ([a-z]+)\b)?", line)
        if not m or help_text(CLI, m.group(1))[0] != 0:
            continue  # not a command ("with --redis URL ...")
        cmd = [m.group(1)] + ([m.group(2)] if m.group(2) else [])
        if len(cmd) == 2 and help_text(CLI, *cmd)[0] != 0:
            cmd = cmd[:1]
        if cmd not in commands:
            commands.append(cmd)
    t.ok(len(commands) >= 10, f"assay --help lists the commands ({len(commands)} found)")
    for cmd in commands:
        words = " ".join(cmd)
        t.ok(re.search(rf"^ *assay {re.escape(words)}\b", page, re.M) is not None,
             f"assay(1) has a section for `assay {words}`")
        rc, text = help_text(CLI, *cmd)
        missing = sorted({o for o in OPTION.findall(text) if o not in page})
        t.eq(missing, [], f"assay(1) names every option of `assay {words} --help`")
    missing = sorted({o for o in OPTION.findall(top) if o not in page})
    t.eq(missing, [], "assay(1) names every option of `assay --help`")
    for code in ("0", "1", "2", "3"):
        t.ok(re.search(rf"^ *{code}$", page, re.M) is not None,
             f"assay(1) explains exit status {code}")

# assay-worker(8): every option and environment variable of `assay-worker --help`.
if "assay-worker.8" in by_name and os.path.exists(WORKER):
    page = flat(by_name["assay-worker.8"])
    rc, text = help_text(WORKER)
    t.eq(rc, 0, "assay-worker --help")
    options = sorted(set(OPTION.findall(text)))
    t.ok(len(options) >= 15, f"assay-worker --help lists its options ({len(options)})")
    t.eq([o for o in options if o not in page], [], "assay-worker(8) names every option")
    env = sorted(set(re.findall(r"\b(?:ASSAY_[A-Z_]+|REDIS_URL)\b", text)))
    t.eq([e for e in env if e not in page], [],
         "assay-worker(8) names every environment variable")
    for sig in ("SIGTERM", "SIGINT", "SIGHUP"):
        t.ok(sig in page, f"assay-worker(8) explains {sig}")
    for what in ("READY=1", "STOPPING=1", "WATCHDOG=1", "/metrics", "/healthz", "/readyz"):
        t.ok(what in page, f"assay-worker(8) explains {what}")

t.done()
