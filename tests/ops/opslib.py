"""opslib.py - helpers of the ops tests, next to tests/integration/harness.py (which starts
the real redis-servers and workers): HTTP requests to the --metrics endpoint, its body parsed
by python3-prometheus-client's text parser (the reference parser, not ours), and a
NOTIFY_SOCKET the test owns (an AF_UNIX datagram socket, as systemd's) collecting what the
worker sends through sd_notify."""

import http.client as httpc
import os
import socket
import sys
import tempfile
import time

FEATURES = {"systemd": os.environ.get("ASSAY_HAVE_SYSTEMD") == "1",
            "metrics": os.environ.get("ASSAY_HAVE_METRICS") == "1"}


def skip_without(feature):
    if not FEATURES[feature]:
        print(f"1..0 # SKIP assay-worker was built without {feature}")
        sys.exit(0)


def http(port, path, method="GET", host="127.0.0.1", timeout=10):
    """(status, headers dict, body text) of one request on a new connection."""
    c = httpc.HTTPConnection(host, port, timeout=timeout)
    try:
        c.request(method, path)
        r = c.getresponse()
        body = r.read().decode("utf-8", "replace")
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        c.close()


def try_http(port, path, **kw):
    """As http, or (None, {}, why) when the request fails (the server is not up)."""
    try:
        return http(port, path, **kw)
    except (OSError, httpc.HTTPException) as e:
        return None, {}, str(e)


def parse_metrics(text):
    """{(sample name, frozenset of labels): value} and the families, parsed by
    prometheus_client (every line must parse)."""
    from prometheus_client.parser import text_string_to_metric_families
    samples, families = {}, []
    for fam in text_string_to_metric_families(text):
        families.append(fam)
        for s in fam.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples, families


def metric(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def scrape(port):
    status, headers, body = http(port, "/metrics")
    if status != 200:
        raise RuntimeError(f"/metrics answered {status}: {body[:200]}")
    return parse_metrics(body)[0]


class NotifySocket:
    """A datagram socket at a fresh path, like systemd's NOTIFY_SOCKET; messages() returns
    every notification received so far, each a dict of its NAME=value lines."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="assay-notify-")
        self.path = os.path.join(self.dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.setblocking(False)
        self.received = []

    def messages(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                break
            fields = {}
            for line in data.decode("utf-8", "replace").split("\n"):
                if "=" in line:
                    k, v = line.split("=", 1)
                    fields[k] = v
            self.received.append((time.time(), fields))
        return [f for _, f in self.received]

    def mark(self):
        """The number of messages received so far, for wait(since=...)."""
        return len(self.messages())

    def wait(self, predicate, timeout=20, since=0):
        """The first message matching predicate among those received after the first
        `since` ones, waiting up to timeout seconds for it; None if none comes."""
        deadline = time.time() + timeout
        while True:
            for m in self.messages()[since:]:
                if predicate(m):
                    return m
            if time.time() >= deadline:
                return None
            time.sleep(0.05)

    def close(self):
        self.sock.close()
        try:
            os.unlink(self.path)
            os.rmdir(self.dir)
        except OSError:
            pass
