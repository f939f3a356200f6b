# lib.sh - what the command-line test scripts share (sourced by test_cli.sh and
# test_record.sh): TAP output that keeps going after a failure, running the tool with its
# output and exit status kept, and running it with stderr on a pseudo-terminal.
#
# The sourcing script sets $assay (the tool) and $tmp (a scratch directory) first, and ends
# with tap_done.

n=0
failures=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
# not_ok DESCRIPTION [FILE...]: a failure, with the files shown as diagnostics.
not_ok() {
    n=$((n + 1))
    failures=$((failures + 1))
    echo "not ok $n - $1"
    shift
    local f
    for f in "$@"; do
        [ -f "$f" ] && sed -e 's/^/#   /' "$f" | head -20
    done
}
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds; shows the last run's output if not.
check() {
    local desc=$1
    shift
    if "$@"; then
        ok "$desc"
    else
        not_ok "$desc" "$tmp/last.out" "$tmp/last.err"
    fi
}
# run [< input] ARGS...: runs assay; stdout, stderr in $tmp/last.{out,err}, exit status in $rc.
run() {
    "$assay" "$@" >"$tmp/last.out" 2>"$tmp/last.err"
    rc=$?
}
rc_is() { [ "$rc" -eq "$1" ]; }
out_has() { grep -q -- "$1" "$tmp/last.out"; }
err_has() { grep -q -- "$1" "$tmp/last.err"; }
# on_tty ARGS...: runs assay with stderr on a pseudo-terminal; what it drew goes to
# $tmp/tty.err, its exit status to $rc.
on_tty() {
    python3 - "$assay" "$@" >"$tmp/tty.err" <<'PY'
import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=slave)
os.close(slave)
drawn = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: the other side is closed
        break
    if not chunk:
        break
    drawn += chunk
sys.stdout.buffer.write(drawn)
sys.exit(p.wait())
PY
    rc=$?
}
# tap_done: the plan; the exit status says whether every check passed.
tap_done() {
    echo "1..$n"
    [ "$failures" -eq 0 ]
}
