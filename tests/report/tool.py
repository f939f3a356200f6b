"""tool.py - the assay tool under test: where it and the source tree are (ASSAY_CLI,
ASSAY_SOURCE), running it, and running it with stderr on a terminal (util-linux `script`
gives it a pseudo-terminal)."""

import os
import shlex
import subprocess

CLI = os.environ["ASSAY_CLI"]
SOURCE = os.environ["ASSAY_SOURCE"]
RUBRICS = os.path.join(SOURCE, "rubrics")


def run(*args, stdin=None):
    return subprocess.run([CLI, *args], capture_output=True, input=stdin, check=False)


def on_tty(*args):
    """What assay drew on its terminal (stdout and stderr both go there: send the output
    elsewhere with -o)."""
    got = subprocess.run(["script", "-qec", shlex.join([CLI, *args]), "/dev/null"],
                         capture_output=True, stdin=subprocess.DEVNULL, check=False)
    return got.stdout.decode("utf-8", "replace")
