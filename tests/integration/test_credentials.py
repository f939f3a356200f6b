"""Credentials in the worker (issue 10 items 2 and 5): a learner's second attempt meets the
example definition (chem-solutions@1): its result says "issued" with the credential's id,
the signed credential is in P:credentials:<h> and announced once on P:credentials, it
verifies with the issuer's public key, and it is byte for byte what `assay credential
issue` gives offline from the rebuilt records. A regrade that drops the learner below the
requirement is reported (result, event, P:stats, log), never revoked nor re-issued; meeting
it again issues nothing. Without an issuer key, with definitions loaded, the worker does
not start (exit 2), nor with an unreadable or a public key."""

import base64
import hashlib
import json
import os
import subprocess

from harness import (CLI, ISSUER_KEY, ISSUER_PUBLIC, RUBRICS, WORKER, RedisServer, T, Worker,
                     load_submission, notes_on_failure, reap_children_at_exit, scratch_dir,
                     wait_for)

t = T()
reap_children_at_exit()
work = scratch_dir("assay-credentials-")
srv = RedisServer()
r = srv.client()
w = Worker(srv.url, "--worker-id", "cred-1")
LEARNER = "learner-badge"
H = hashlib.sha256(LEARNER.encode()).hexdigest()


def attempt(sid, example, day, **extra):
    sub = json.loads(load_submission(example))
    sub.update(id=sid, learner=LEARNER, submitted_at=f"2026-03-{day:02d}T09:00:00Z", **extra)
    n = r.llen("assay:results")
    r.lpush("assay:submissions", json.dumps(sub))
    t.ok(wait_for(lambda: r.llen("assay:results") > n, 20), f"{sid} answered")
    return json.loads(r.lindex("assay:results", 0))


def stat(name):
    return int(r.hget("assay:stats", name) or 0)


first = attempt("badge-1", "chem-molarity.sigfigs.json", 1)
t.ok("credentials" not in first, "attempt 1 does not meet the requirement: no credentials member")
second = attempt("badge-2", "chem-molarity.perfect.json", 8)
creds = second.get("credentials") or []
t.eq([(c.get("id"), c.get("version"), c.get("status")) for c in creds],
     [("chem-solutions", "1", "issued")], "attempt 2 meets it: the result says issued")
jws = r.hget(f"assay:credentials:{H}", "chem-solutions@1")
t.ok(jws is not None, "the token is in P:credentials:<sha256 of learner>")
events = [json.loads(x) for x in r.lrange("assay:credentials", 0, -1)]
t.eq([(e["event"], e["learner"], e["id"], e["version"]) for e in events],
     [("issued", LEARNER, "chem-solutions", "1")], "one issued event on P:credentials")
t.ok(events and events[0]["jws"] == (jws or b"").decode(), "the event carries the stored token")
raw_event = r.lindex("assay:credentials", 0) or b"{}"
t.eq(list(json.loads(raw_event)), ["event", "learner", "id", "version", "jws", "credential"],
     "the event's members, in order")
t.ok(b"\n" not in raw_event and b'":"' in raw_event and b'", "' not in raw_event,
     "the event is compact JSON, one line")


def credential_in(token):
    """The credential a VC-JWT carries: its payload without the JWT claims."""
    payload = json.loads(base64.urlsafe_b64decode(token.split(b".")[1] + b"=="))
    return {k: v for k, v in payload.items() if k not in ("iss", "sub", "nbf", "exp", "jti")}


t.eq(events[0]["credential"] if events else None, credential_in(jws) if jws else 1,
     "its credential is the token's payload without the JWT claims")
t.eq(creds[0].get("jti") if creds else None, events[0]["credential"]["id"] if events else 1,
     "the result's jti is the credential's id")
t.eq(stat("credentials_issued"), 1, "P:stats credentials_issued 1")

# Verified with the public key; and the same bytes as offline issuance.
tok = os.path.join(work, "badge.jwt")
with open(tok, "wb") as f:
    f.write(jws or b"")
p = subprocess.run([CLI, "credential", "verify", "--key", ISSUER_PUBLIC, "--now",
                    "2026-06-01T00:00:00Z", tok], capture_output=True, text=True, check=False)
t.eq(p.returncode, 0, "assay credential verify accepts it")
if p.returncode:
    t.note(p.stdout + p.stderr)
results = os.path.join(work, "results.jsonl")
with open(results, "w", encoding="utf-8") as f:
    f.write("\n".join(x.decode() for x in reversed(r.lrange("assay:results", 0, -1))) + "\n")
records = os.path.join(work, "records.jsonl")
issued = os.path.join(work, "issued.jsonl")
p1 = subprocess.run([CLI, "record", "rebuild", "--jsonl", results, "--rubrics", RUBRICS, "-o",
                     records], capture_output=True, text=True, check=False)
p2 = subprocess.run([CLI, "credential", "issue", "--records", records, "--rubrics", RUBRICS,
                     "--key", ISSUER_KEY, "-o", issued], capture_output=True, text=True,
                    check=False)
t.ok(p1.returncode == 0 and p2.returncode == 0, "rebuild and assay credential issue exit 0")
offline = [json.loads(x) for x in open(issued, encoding="utf-8") if x.strip()]
t.eq([x["jws"] for x in offline if x["learner"] == LEARNER], [(jws or b"").decode()],
     "offline issuance gives the same token, byte for byte")
t.eq(offline[0]["credential"] if offline else None, events[0]["credential"] if events else 1,
     "and the same credential")

# A regrade below the requirement: reported, not revoked, not re-issued.
low = attempt("badge-2", "chem-molarity.blank.json", 8, force=True)
t.eq([(c.get("id"), c.get("status")) for c in low.get("credentials") or []],
     [("chem-solutions", "requirement_no_longer_met")],
     "a regrade below it: the result says requirement_no_longer_met")
events = [json.loads(x) for x in r.lrange("assay:credentials", 0, -1)]
t.eq([e["event"] for e in events], ["requirement_no_longer_met", "issued"],
     "and a requirement_no_longer_met event")
t.ok(events and events[0].get("submission") == "badge-2" and events[0].get("reason"),
     "naming the submission and the unmet requirement")
t.eq(stat("credentials_no_longer_met"), 1, "P:stats credentials_no_longer_met 1")
t.eq(r.hget(f"assay:credentials:{H}", "chem-solutions@1"), jws, "the credential stays")
t.ok(w.wait_log("no longer meets it", 5), "a log line says so")
again = attempt("badge-3", "chem-molarity.perfect.json", 9)
t.ok("credentials" not in again and stat("credentials_issued") == 1
     and r.llen("assay:credentials") == 2, "meeting it again issues nothing")
t.eq(w.stop(), 0, "the worker drains and exits 0")


def start_fails(key, what):
    env = dict(os.environ, REDIS_URL=srv.url, ASSAY_RUBRICS=RUBRICS, ASSAY_LOG_FORMAT="text")
    env.pop("ASSAY_ISSUER_KEY", None)
    args = [WORKER] + (["--issuer-key", key] if key else [])
    p = subprocess.run(args, env=env, capture_output=True, text=True, timeout=30, check=False)
    t.eq(p.returncode, 2, f"{what}: exit 2")
    return p.stderr


err = start_fails(None, "no issuer key with a definition loaded")
t.ok("no issuer key is given" in err and "chem-solutions@1" in err,
     "it says a key is needed, and for which definition")
err = start_fails(os.path.join(work, "missing.pem"), "a key file that does not exist")
t.ok("missing.pem" in err, "it names the file")
err = start_fails(ISSUER_PUBLIC, "a public key")
t.ok("issuer key" in err, "it says the key is not usable")
notes_on_failure(t, w)
t.done()
