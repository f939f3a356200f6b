"""Commands of a dropped connection that reach Redis late must not strand submissions.

When Redis stops answering, the worker drops the connection after --command-timeout,
reconnects and returns whatever is in its processing lists to the queues. But bytes it wrote
on the old connection before dropping it (an acknowledgement and the next claim) can still
reach Redis afterwards: TCP delivers data written before close(), and a retransmission, a
proxy, or a Redis busy reading a large acknowledgement delays them. Such a late claim moves
submissions into the processing list of a worker that is alive (so no other worker recovers
them) and that will never see them (the reply goes to a closed socket).

A small loopback proxy makes that timing deterministic: it stops forwarding what the worker
sends on its open connections (replies still flow), the worker times out and reconnects
through the proxy, and only after the new connection has done its recovery does the proxy
deliver the held bytes to Redis. Every submission must still end with exactly one result,
while the worker runs and after it stops, and nothing may stay in a processing list.
"""

import socket
import threading
import time

from harness import (RedisServer, T, Worker, exactly_once, log_lines, make_submission,
                     notes_on_failure, processing_keys, push_all, reap_children_at_exit, wait_for)


class StallProxy:
    """127.0.0.1 TCP proxy to Redis that can hold what clients send on existing connections."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(64)
        self.port = self.lsock.getsockname()[1]
        self.lock = threading.Lock()
        self.conns = []
        self.released = threading.Event()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            u = socket.create_connection(("127.0.0.1", self.upstream_port))
            conn = {"c": c, "u": u, "stalled": False, "held": bytearray(), "client_gone": False}
            with self.lock:
                self.conns.append(conn)
            threading.Thread(target=self._up, args=(conn,), daemon=True).start()
            threading.Thread(target=self._down, args=(conn,), daemon=True).start()

    def _up(self, conn):
        """Client to Redis: forwarded, or held while the connection is stalled."""
        while True:
            try:
                data = conn["c"].recv(65536)
            except OSError:
                data = b""
            with self.lock:
                stalled = conn["stalled"] and not self.released.is_set()
                if data and stalled:
                    conn["held"] += data
                    continue
            if not data:
                break
            try:
                conn["u"].sendall(data)
            except OSError:
                break
        conn["client_gone"] = True
        if conn["stalled"]:
            self.released.wait(30)  # the late delivery happens in release()
        else:
            self._shut(conn["u"])

    def _down(self, conn):
        """Redis to client: always forwarded (to a closed client: dropped)."""
        while True:
            try:
                data = conn["u"].recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            try:
                conn["c"].sendall(data)
            except OSError:
                pass
        self._shut(conn["c"])

    @staticmethod
    def _shut(s):
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def stall(self):
        """Holds from now on whatever clients send on the connections open now."""
        with self.lock:
            for conn in self.conns:
                conn["stalled"] = True
            return len(self.conns)

    def release(self):
        """Delivers the held bytes to Redis (late), then closes those that the client closed."""
        with self.lock:
            self.released.set()
            held = 0
            for conn in self.conns:
                if conn["stalled"] and conn["held"]:
                    held += len(conn["held"])
                    try:
                        conn["u"].sendall(bytes(conn["held"]))
                    except OSError:
                        pass
                    conn["held"].clear()
                if conn["stalled"] and conn["client_gone"]:
                    self._shut(conn["u"])
        return held

    def close(self):
        self.closed = True
        self.lsock.close()


N = 3000
t = T()
reap_children_at_exit()
started = time.time()
srv = RedisServer()
r = srv.client()
proxy = StallProxy(srv.port)
ids = [f"stale-{i:04d}" for i in range(N)]
push_all(r, "assay:submissions", [make_submission(i) for i in ids])
w = Worker(f"redis://127.0.0.1:{proxy.port}", "--batch", "20", "--worker-id", "stale-1")
t.ok(wait_for(lambda: r.llen("assay:results") >= 300, 20, 0.002), "the worker is mid-run")
t.eq(proxy.stall(), 2, "the proxy holds what the worker sends on its two connections")
t.ok(w.wait_log("lost the Redis connection (main)", 5), "the worker drops the silent connection")
t.ok(wait_for(lambda: len(log_lines(w, "connected to Redis at")) >= 3, 10),
     "and reconnects")
mark = r.llen("assay:results")
t.ok(wait_for(lambda: r.llen("assay:results") > mark + 100, 10),
     "it answers again on the new connection (its own lists were reconciled)")
held = proxy.release()
t.ok(held > 0, f"the held commands reach Redis late ({held} bytes)")
t.ok(wait_for(lambda: r.llen("assay:results") >= N, 8), f"all {N} submissions are answered")
time.sleep(0.5)
exactly_once(t, r, ids, "while running: ")
stranded = {k: r.llen(k) for k in processing_keys(r)}
t.eq(stranded, {}, "nothing is stranded in a processing list of the running worker")
t.eq(w.stop(), 0, "the worker drains and exits 0")
left = {k: r.llen(k) for k in processing_keys(r)}
t.eq(left, {}, "after it stops, no processing list is left")
t.ok(not left or r.sismember("assay:workers", "stale-1"),
     "a worker that leaves work in a processing list stays registered (so it is recovered)")
proxy.close()

# 2. The late commands arrive after the worker has stopped: whatever they move must belong to
# a registered worker, so the next worker returns it.
proxy = StallProxy(srv.port)
ids2 = [f"stale2-{i:04d}" for i in range(2000)]
push_all(r, "assay:submissions", [make_submission(i) for i in ids2])
w2 = Worker(f"redis://127.0.0.1:{proxy.port}", "--batch", "20", "--worker-id", "stale-2")
t.ok(wait_for(lambda: r.llen("assay:results") >= N + 300, 20, 0.002), "stale-2 is mid-run")
proxy.stall()
t.ok(w2.wait_log("lost the Redis connection (main)", 5), "stale-2 drops the silent connection")
t.ok(wait_for(lambda: len(log_lines(w2, "connected to Redis at")) >= 3, 10), "and reconnects")
t.eq(w2.stop(), 0, "stale-2 drains and exits 0")
held2 = proxy.release()
time.sleep(0.5)
registered = {m.decode() for m in r.smembers("assay:workers")}
orphans = {k: r.llen(k) for k in processing_keys(r) if k.split(":")[2] not in registered}
t.eq(orphans, {}, "every processing list belongs to a registered worker")
w3 = Worker(srv.url, "--batch", "20", "--worker-id", "stale-3")
t.ok(wait_for(lambda: r.llen("assay:results") >= N + len(ids2), 10),
     f"the next worker answers everything ({held2} bytes arrived late)")
time.sleep(0.5)
exactly_once(t, r, ids + ids2, "in the end: ")
t.eq(w3.stop(), 0, "stale-3 drains and exits 0")
t.eq(processing_keys(r), [], "no processing list left")
t.note(f"stale connection: {N} + {len(ids2)} submissions, {held} + {held2} bytes delivered "
       f"late, {sum(stranded.values())} stranded while running, {sum(left.values())} left "
       f"after stop, {sum(orphans.values())} orphaned; {time.time() - started:.1f} s")
proxy.close()
notes_on_failure(t, w, w2, w3)
srv.stop()
t.done()
