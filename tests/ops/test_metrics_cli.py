"""test_metrics_cli.py - --metrics values at start:

  - not HOST:PORT, a port out of range, a bare IPv6 address, a host that does not resolve:
    exit 2 at once with a message naming the value (and, for IPv6, the bracket form);
  - a port another process listens on: exit 1 with "cannot listen on HOST:PORT";
  - ASSAY_METRICS works as the flag does, and the flag wins over it;
  - [::1]:PORT serves over IPv6 (when the machine has ::1);
  - port 0: any free port, named in the log.
None of these needs Redis to be reachable: the address is checked before anything else."""

import re
import socket
import subprocess

from harness import WORKER, T, Worker, free_port, reap_children_at_exit, RedisServer, wait_for
from opslib import skip_without, try_http

skip_without("metrics")
t = T()
reap_children_at_exit()


def run(*args, env=None):
    import os
    e = dict(os.environ, REDIS_URL="redis://127.0.0.1:1", ASSAY_LOG_FORMAT="text")
    e.pop("ASSAY_METRICS", None)
    e.update(env or {})
    p = subprocess.run([WORKER, *args], capture_output=True, env=e, timeout=30)
    return p.returncode, p.stderr.decode("utf-8", "replace")


for value, says in [
    ("nonsense", "expected HOST:PORT"),
    ("127.0.0.1", "expected HOST:PORT"),
    ("127.0.0.1:70000", "PORT from 0 to 65535"),
    ("127.0.0.1:http", "PORT from 0 to 65535"),
    (":9464", "no host"),
    ("::1:9464", "put an IPv6 address in brackets ([::1]:9464)"),
    ("[::1]", "in brackets, then :PORT"),
    ("no-such-host.invalid:9464", "cannot resolve \"no-such-host.invalid\""),
]:
    code, err = run("--metrics", value)
    t.eq(code, 2, f"--metrics {value!r}: exit 2")
    t.ok(f'"{value}"' in err and says in err, f"--metrics {value!r}: the message names it "
                                                f"and says {says!r}")
    if not (f'"{value}"' in err and says in err):
        t.note(err)

code, err = run(env={"ASSAY_METRICS": "bad"})
t.eq(code, 2, "ASSAY_METRICS=bad: exit 2")
t.ok('"bad"' in err, "ASSAY_METRICS=bad: the message names it")

# A port in use.
busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
busy.bind(("127.0.0.1", 0))
busy.listen(1)
port = busy.getsockname()[1]
code, err = run("--metrics", f"127.0.0.1:{port}")
t.eq(code, 1, "a port in use: exit 1")
t.ok(f"cannot listen on 127.0.0.1:{port} for --metrics: Address already in use" in err,
     "a port in use: the message names HOST:PORT and the reason")
if code != 1:
    t.note(err)
busy.close()

srv = RedisServer()

# The flag wins over the environment; port 0 picks a free port and says which.
w = Worker(srv.url, "--metrics", "127.0.0.1:0", env={"ASSAY_METRICS": "bad"})
t.ok(w.wait_log("metrics on 127.0.0.1:0 (port ", 20), "port 0: the log names the port")
m = re.search(r"metrics on 127\.0\.0\.1:0 \(port (\d+)\)", w.output())
chosen = int(m.group(1)) if m else 0
t.ok(chosen > 0 and wait_for(lambda: try_http(chosen, "/readyz")[0] == 200, 30),
     "port 0: /readyz answers on the port logged (the flag won over ASSAY_METRICS)")
t.eq(w.stop(), 0, "exit 0")

# ASSAY_METRICS alone.
mport = free_port()
w = Worker(srv.url, env={"ASSAY_METRICS": f"127.0.0.1:{mport}"})
t.ok(wait_for(lambda: try_http(mport, "/readyz")[0] == 200, 30),
     "ASSAY_METRICS=127.0.0.1:PORT: /readyz answers 200")
t.eq(w.stop(), 0, "exit 0")

# IPv6 loopback, when there is one.
try:
    probe = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    probe.bind(("::1", 0))
    v6port = probe.getsockname()[1]
    probe.close()
except OSError:
    v6port = None
if v6port:
    w = Worker(srv.url, "--metrics", f"[::1]:{v6port}")
    t.ok(wait_for(lambda: try_http(v6port, "/readyz", host="::1")[0] == 200, 30),
         "[::1]:PORT: /readyz answers over IPv6")
    t.eq(w.stop(), 0, "exit 0")
else:
    t.note("no IPv6 loopback here: [::1] not tried")

srv.stop()
t.done()
