#!/usr/bin/python3
"""test_issue.py - credential definitions and offline issuance through the assay tool.

The example submissions (rubrics/submissions/all.jsonl) are graded, their learners' records
rebuilt, and `assay credential issue` run over them with the example definition
(rubrics/chem-solutions.credential.json) and keys made here by python3-cryptography (RSA in
PKCS#8 and PKCS#1, Ed25519). Every credential issued must verify with Debian's python3-jwt
(RS256 and EdDSA, claims checked against the credential) and with `assay credential
verify`, validate against achievementcredential.schema.json (python3-jsonschema), be the one
the definition describes (learner, levels, evidence, validFrom, the award UUID), and come
out byte for byte the same when the same input is issued again. Then a hashed subject and
its salt, `assay credential list|show` from issue's output and from a real redis-server
(P:credentials:<hex sha256 of the learner>, as the worker writes it), `assay lint` of
definitions (against --rubrics, $ASSAY_RUBRICS or their own folder; duplicates), and the
command-line errors (a missing or unreadable key, a missing salt, before any record is
read).

Environment: ASSAY_CLI (the assay tool), ASSAY_SOURCE (the source root), PYTHONPATH with
tests/integration (harness.py). Output: TAP.
"""
import copy
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import uuid

import jsonschema
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from harness import RedisServer, T

ASSAY = os.environ["ASSAY_CLI"]
SOURCE = os.environ["ASSAY_SOURCE"]
HERE = os.path.join(SOURCE, "tests", "credential")
RUBRICS = os.path.join(SOURCE, "rubrics")
GRADED_AT = "2026-01-05T10:00:00Z"
CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")

t = T()
tmp = tempfile.mkdtemp(prefix="assay-issue-")
with open(os.path.join(HERE, "achievementcredential.schema.json"), encoding="utf-8") as f:
    SCHEMA = json.load(f)


def run(args, env=None, stdin=None):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("ASSAY_ISSUER") and k not in ("ASSAY_RUBRICS", "ASSAY_SUBJECT_SALT")}
    e.update(env or {})
    p = subprocess.run([ASSAY] + args, capture_output=True, env=e, input=stdin, timeout=120,
                       cwd=tmp)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def path(name):
    return os.path.join(tmp, name)


def write(name, text):
    with open(path(name), "w", encoding="utf-8") as f:
        f.write(text)
    return path(name)


def write_key(name, key, fmt):
    data = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
    with open(path(name), "wb") as f:
        f.write(data)
    os.chmod(path(name), 0o600)
    return path(name)


def lines(text):
    return [json.loads(x) for x in text.splitlines() if x.strip()]


# ---------------------------------------------------------------------------------------
# Records from the graded example submissions.
results = path("results.jsonl")
rc, _, err = run(["grade", "--rubrics", RUBRICS, "--jsonl",
                  os.path.join(RUBRICS, "submissions", "all.jsonl"), "-o", results,
                  "--graded-at", GRADED_AT])
t.eq(rc, 0, "the example submissions are graded")
records = path("records.jsonl")
rc, _, err = run(["record", "rebuild", "--jsonl", results, "--rubrics", RUBRICS, "-o", records])
t.eq(rc, 0, "their records are rebuilt")

rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ed_key = ed25519.Ed25519PrivateKey.generate()
keys = {
    "RS256 PKCS#8": (write_key("rsa8.pem", rsa_key, serialization.PrivateFormat.PKCS8),
                     rsa_key.public_key(), "RS256"),
    "RS256 PKCS#1": (write_key("rsa1.pem", rsa_key,
                               serialization.PrivateFormat.TraditionalOpenSSL),
                     rsa_key.public_key(), "RS256"),
    "EdDSA": (write_key("ed.pem", ed_key, serialization.PrivateFormat.PKCS8),
              ed_key.public_key(), "EdDSA"),
}
for name, (_, public, _) in keys.items():
    with open(path(name.split()[0] + ".pub.pem"), "wb") as f:
        f.write(public.public_bytes(serialization.Encoding.PEM,
                                    serialization.PublicFormat.SubjectPublicKeyInfo))

# The one learner of the examples whose record meets chem-solutions: learner-0042 (every
# competency of chem-molarity at 1); learner-0233 is Proficient in stoichiometry but only
# Approaching in quantities and units.
WANT_LEARNER = "learner-0042"
WANT_UUID = str(uuid.uuid5(uuid.NAMESPACE_URL, "\0".join((WANT_LEARNER, "chem-solutions", "1"))))


def check_issued(label, out, key_path, public, alg):
    got = lines(out)
    if not t.eq([(x["event"], x["learner"], x["id"], x["version"]) for x in got],
                [("issued", WANT_LEARNER, "chem-solutions", "1")],
                "%s: one credential, chem-solutions 1 for %s" % (label, WANT_LEARNER)):
        return None
    line = got[0]
    token = line["jws"]
    header = jwt.get_unverified_header(token)
    t.eq(header.get("alg"), alg, "%s: alg %s" % (label, alg))
    t.eq(header.get("typ"), "JWT", "%s: typ JWT" % label)
    try:
        claims = jwt.decode(token, public, algorithms=[alg],
                            options={"require": ["iss", "jti", "nbf", "sub", "exp"]})
        t.ok(True, "%s: PyJWT verifies the token" % label)
    except jwt.PyJWTError as e:
        t.ok(False, "%s: PyJWT verifies the token (%s)" % (label, e))
        return None
    cred = line["credential"]
    t.eq({k: v for k, v in claims.items() if k not in CLAIMS}, cred,
         "%s: the payload is the line's credential plus the claims" % label)
    t.eq((claims["iss"], claims["jti"], claims["sub"]),
         (cred["issuer"]["id"], cred["id"], cred["credentialSubject"]["id"]),
         "%s: iss, jti, sub match the credential" % label)
    t.eq((claims["nbf"], claims["exp"]), (1767607200, 1767607200 + 1826 * 86400),
         "%s: nbf and exp are validFrom and validUntil" % label)
    try:
        jsonschema.validate(cred, SCHEMA)
        t.ok(True, "%s: the credential validates against the AchievementCredential schema"
             % label)
    except jsonschema.ValidationError as e:
        t.ok(False, "%s: schema: %s at %s" % (label, e.message, list(e.path)))
    t.eq(cred["id"], "urn:uuid:" + WANT_UUID, "%s: id is the award UUID" % label)
    t.eq(cred["validFrom"], GRADED_AT, "%s: validFrom is the time of the evidence" % label)
    t.eq(cred["validUntil"], "2031-01-05T10:00:00Z", "%s: validUntil is 1826 days later" % label)
    subj = cred["credentialSubject"]
    t.eq(subj["id"], "urn:example:learner:" + WANT_LEARNER, "%s: the subject id" % label)
    ach = subj["achievement"]
    t.eq((ach["name"], ach["achievementType"]), ("Standard solutions", "MicroCredential"),
         "%s: the achievement's name and type" % label)
    t.eq([a["targetUrl"] for a in ach["alignment"]],
         ["https://case.example.edu/ims/case/v1p0/CFItems/6f1c2d0a-8b4e-4c1f-9a57-3e2b7d9c0a14",
          "https://case.example.edu/ims/case/v1p0/CFItems/0b9e4a77-2c31-4d8e-b6f0-51a8c3e2d965"],
         "%s: aligned to the competencies' CASE items" % label)
    levels = {}
    for rd in ach["resultDescription"]:
        by_id = {lv["id"]: lv["level"] for lv in rd["rubricCriterionLevel"]}
        levels[rd["id"]] = (rd["name"], by_id[rd["requiredLevel"]], by_id)
    achieved = sorted((levels[r["resultDescription"]][0], levels[r["resultDescription"]][1],
                       levels[r["resultDescription"]][2][r["achievedLevel"]])
                      for r in subj["result"])
    t.eq(achieved, [("Quantities, units and significant figures", "secure", "secure"),
                    ("Solution stoichiometry", "proficient", "exemplary")],
         "%s: required and achieved levels" % label)
    t.eq([(e["name"], "rubric chem-molarity version 1.1.0" in e["description"])
          for e in cred["evidence"]],
         [("Submission sub-chem-7f3a01", True)], "%s: the evidence names the submission and "
         "rubric" % label)
    rc, vout, verr = run(["credential", "verify", "-", "--key",
                          path(label.split()[0] + ".pub.pem"), "--now",
                          "2026-06-01T00:00:00Z"], stdin=token.encode())
    t.ok(rc == 0 and "verified: signed by" in vout,
         "%s: assay credential verify accepts it" % label)
    return line


issued = {}
for label, (key_path, public, alg) in keys.items():
    out_path = path("issued-%s.jsonl" % label.replace(" ", "").replace("#", ""))
    rc, _, err = run(["credential", "issue", "--records", records, "--rubrics", RUBRICS,
                      "--key", key_path, "-o", out_path])
    t.eq(rc, 0, "%s: assay credential issue exits 0" % label)
    t.ok("14 records, 1 definition: 1 issued, 13 not met, 0 bad" in err,
         "%s: the summary on stderr" % label)
    with open(out_path, encoding="utf-8") as f:
        text = f.read()
    issued[label] = text
    check_issued(label, text, key_path, public, alg)
    rc, again, _ = run(["credential", "issue", "--records", records, "--rubrics", RUBRICS],
                       env={"ASSAY_ISSUER_KEY": key_path})
    t.ok(rc == 0 and again == text, "%s: the same input again gives the same bytes (key from "
         "$ASSAY_ISSUER_KEY, standard output)" % label)
t.eq(issued["RS256 PKCS#8"], issued["RS256 PKCS#1"],
     "the same RSA key in PKCS#8 and PKCS#1 gives the same credential and token")

# ---------------------------------------------------------------------------------------
# A hashed subject: the salt from the environment variable the definition names.
rubrics2 = path("rubrics2")
os.mkdir(rubrics2)
for name in os.listdir(RUBRICS):
    if name.endswith(".json"):
        shutil.copy(os.path.join(RUBRICS, name), rubrics2)
with open(os.path.join(RUBRICS, "chem-solutions.credential.json"), encoding="utf-8") as f:
    example = json.load(f)
hashed = copy.deepcopy(example)
hashed["id"] = "chem-solutions-private"
hashed["subject"] = {"hashed": True, "salt_from": "BADGE_SALT", "identity_type": "sisSourcedId"}
with open(os.path.join(rubrics2, "private.json"), "w", encoding="utf-8") as f:
    json.dump(hashed, f)
ed_path = keys["EdDSA"][0]
rc, out, err = run(["credential", "issue", "--records", records, "--rubrics", rubrics2,
                    "--key", ed_path], env={"ASSAY_SUBJECT_SALT": "x" * 32})
t.ok(rc == 2 and "publishes the learner hashed with the salt in $BADGE_SALT, which is not set"
     in err and out == "", "a hashed subject without its salt: exit 2, named, nothing issued")
salt = "3c1f0a5e9b7d2c4a8e6f1b3d5a7c9e0f"
rc, out, err = run(["credential", "issue", "--records", records, "--rubrics", rubrics2,
                    "--key", ed_path], env={"BADGE_SALT": salt})
got = {x["id"]: x for x in lines(out)}
t.eq(sorted(got), ["chem-solutions", "chem-solutions-private"],
     "with the salt: both definitions issued")
t.ok(salt not in err, "the salt is not printed")
if "chem-solutions-private" in got:
    line = got["chem-solutions-private"]
    subj = line["credential"]["credentialSubject"]
    ident = subj["identifier"][0]
    t.eq((ident["identityHash"], ident["identityType"], ident["salt"], ident["hashed"]),
         ("sha256$" + hashlib.sha256((WANT_LEARNER + salt).encode()).hexdigest(),
          "sisSourcedId", salt, True), "the hashed identity is sha256(learner + salt)")
    t.ok("id" not in subj, "no subject id")
    claims = jwt.decode(line["jws"], keys["EdDSA"][1], algorithms=["EdDSA"])
    t.ok("sub" not in claims, "no sub claim")
    try:
        jsonschema.validate(line["credential"], SCHEMA)
        t.ok(True, "the hashed credential validates against the schema")
    except jsonschema.ValidationError as e:
        t.ok(False, "hashed schema: %s" % e.message)
rc, _, err = run(["credential", "issue", "--records", records, "--rubrics", rubrics2,
                  "--key", ed_path], env={"BADGE_SALT": "short"})
t.ok(rc == 2 and "shorter than 16 characters" in err, "a salt under 16 characters is refused")

# ---------------------------------------------------------------------------------------
# list and show, from issue's output.
issued_path = path("issued-EdDSA.jsonl")
line = lines(issued["EdDSA"])[0]
rc, out, err = run(["credential", "list", "--file", issued_path, WANT_LEARNER])
t.ok(rc == 0 and out.startswith("chem-solutions@1  valid from 2026-01-05T10:00:00Z until "
                                "2031-01-05T10:00:00Z  urn:uuid:" + WANT_UUID),
     "list --file: one line per credential")
rc, out, err = run(["credential", "list", "--file", issued_path, "--json", WANT_LEARNER])
t.ok(rc == 0 and json.loads(out)["credentials"] == [
    {"id": "chem-solutions", "version": "1", "credential": "urn:uuid:" + WANT_UUID,
     "valid_from": GRADED_AT, "valid_until": "2031-01-05T10:00:00Z"}], "list --file --json")
rc, out, err = run(["credential", "show", "--file", issued_path, WANT_LEARNER, "chem-solutions"])
t.ok(rc == 0 and out.strip() == line["jws"], "show --file prints the token")
rc, out, err = run(["credential", "show", "--file", issued_path, "--decode", WANT_LEARNER,
                    "chem-solutions@1"])
t.ok(rc == 0 and json.loads(out) == line["credential"] and "not verified" in err,
     "show --decode prints the credential, saying it is not verified")
rc, out, err = run(["credential", "show", "--file", issued_path, WANT_LEARNER,
                    "chem-solutions@2"])
t.ok(rc == 1 and "has no credential chem-solutions@2" in err, "show of another version: exit 1")
rc, out, err = run(["credential", "list", "--file", issued_path, "learner-0233"])
t.ok(rc == 1 and "has no credential" in err, "list for a learner without credentials: exit 1")
rc, out, err = run(["credential", "list", "--file", path("none.jsonl"), WANT_LEARNER])
t.ok(rc == 3 and "none.jsonl" in err, "list of a file that cannot be read: exit 3")

# ---------------------------------------------------------------------------------------
# list and show from Redis, where the worker keeps them.
srv = RedisServer()
try:
    r = srv.client()
    h = hashlib.sha256(WANT_LEARNER.encode()).hexdigest()
    r.hset("t:credentials:" + h, mapping={"chem-solutions@1": line["jws"],
                                          "chem-solutions@1.10": lines(issued["RS256 PKCS#8"])[0]["jws"],
                                          "chem-solutions@1.9": "not.a-token"})
    base = ["--redis", srv.url, "--prefix", "t"]
    rc, out, err = run(["credential", "list"] + base + [WANT_LEARNER])
    t.ok(rc == 1 and out.count("\n") == 2 and "chem-solutions@1.9: the stored token cannot be "
         "decoded" in err, "list from Redis: every credential, a damaged one named (exit 1)")
    rc, out, err = run(["credential", "show"] + base + [WANT_LEARNER, "chem-solutions"])
    t.ok(rc == 0 and out.strip() == lines(issued["RS256 PKCS#8"])[0]["jws"],
         "show without a version: the newest (1.10 after 1.9)")
    rc, out, err = run(["credential", "show"] + base + [WANT_LEARNER, "chem-solutions@1"],
                       env={"REDIS_URL": srv.url})
    t.ok(rc == 0 and out.strip() == line["jws"], "show ID@VERSION from Redis")
    rc, out, err = run(["credential", "list"] + base + ["learner-0233"])
    t.ok(rc == 1 and "has no credential" in err, "list from Redis without credentials: exit 1")
finally:
    srv.stop()
rc, out, err = run(["credential", "list", "--redis", srv.url, WANT_LEARNER])
t.eq(rc, 3, "list when Redis cannot be reached: exit 3")

# ---------------------------------------------------------------------------------------
# assay lint of definitions.
lintdir = path("lint")
os.mkdir(lintdir)
shutil.copy(os.path.join(RUBRICS, "chem-molarity.json"), lintdir)
shutil.copy(os.path.join(RUBRICS, "chem-solutions.credential.json"), lintdir)
shutil.copy(os.path.join(RUBRICS, "chem-solutions.credential.json"),
            os.path.join(lintdir, "copy.json"))
alone = path("alone.json")
with open(alone, "w", encoding="utf-8") as f:
    json.dump(dict(example, id="chem-solutions-alone"), f)
rc, out, err = run(["lint", os.path.join(RUBRICS, "chem-solutions.credential.json")])
t.ok(rc == 0 and ": ok: credential chem-solutions 1, 3 requirements, sha256 " in out,
     "lint of a definition: checked against its own folder")
rc, out, err = run(["lint", alone])
t.ok(rc == 1 and "unknown framework \"rubric:chem-molarity\"" in err,
     "a definition in a folder without its rubric: unknown framework")
rc, out, err = run(["lint", "--rubrics", RUBRICS, alone])
t.ok(rc == 0, "... and valid with --rubrics")
rc, out, err = run(["lint", alone], env={"ASSAY_RUBRICS": RUBRICS})
t.ok(rc == 0, "... or with $ASSAY_RUBRICS")
rc, out, err = run(["lint", alone, os.path.join(RUBRICS, "chem-molarity.json")])
t.ok(rc == 0 and out.count(": ok: ") == 2, "... or with its rubric named on the command line")
rc, out, err = run(["lint", os.path.join(lintdir, "copy.json")])
t.ok(rc == 1 and "copy.json: error: credential \"chem-solutions\" version \"1\" is also "
     "defined in " in err, "two definitions with one id and version: an error")
rc, out, err = run(["lint", "--rubrics", RUBRICS, os.path.join(RUBRICS, "chem-solutions.credential.json")])
t.ok(rc == 0, "a definition of DIR itself is no duplicate of itself")
rc, out, err = run(["lint", "--rubrics", RUBRICS, alone, alone.replace("alone", "./alone")])
t.ok(rc == 0, "nor is one file named twice")
rc, out, err = run(["lint", "--rubrics", RUBRICS, alone, os.path.join(lintdir, "copy.json")])
t.ok(rc == 1 and "copy.json: error: credential \"chem-solutions\" version \"1\" is also "
     "defined in" in err, "a copy of one of DIR: an error")
shutil.copy(alone, path("alone2.json"))
rc, out, err = run(["lint", "--rubrics", RUBRICS, alone, path("alone2.json")])
t.ok(rc == 1 and "alone2.json: error: credential \"chem-solutions-alone\" version \"1\" is "
     "also defined in " + alone in err, "... also between files of the command line")

# ---------------------------------------------------------------------------------------
# Command-line errors: each found before any record is read.
missing_records = path("no-records.jsonl")
rc, out, err = run(["credential", "issue", "--records", records, "--rubrics", RUBRICS])
t.ok(rc == 2 and "no key: give --key PRIVATE.pem or set ASSAY_ISSUER_KEY" in err, "no key: exit 2")
rc, out, err = run(["credential", "issue", "--records", missing_records, "--key",
                    path("no-key.pem")])
t.ok(rc == 3 and "no-key.pem" in err and "no-records" not in err,
     "an unreadable key: exit 3, before the records are opened")
rc, out, err = run(["credential", "issue", "--records", missing_records, "--key",
                    os.path.join(HERE, "data", "ed25519-rfc8037-spki.pem")])
t.ok(rc == 3 and "public key" in err, "a public key: exit 3")
rc, out, err = run(["credential", "issue", "--records", missing_records, "--key", ed_path,
                    "--rubrics", RUBRICS])
t.ok(rc == 3 and "no-records.jsonl" in err, "records that cannot be read: exit 3")
rc, out, err = run(["credential", "issue", "--records", records, "--key", ed_path,
                    "--rubrics", os.path.join(SOURCE, "tests", "golden", "expected")])
t.ok(rc in (1, 3) and "no credential definition in" in err, "a folder without definitions")
rc, out, err = run(["credential", "issue", "--key", ed_path])
t.ok(rc == 2 and "--records RECORDS.jsonl is required" in err, "--records is required")
bad = write("bad.jsonl", "not json\n" + open(records, encoding="utf-8").read())
rc, out, err = run(["credential", "issue", "--records", bad, "--key", ed_path],
                   env={"ASSAY_RUBRICS": RUBRICS})
t.ok(rc == 1 and "bad.jsonl:1: " in err and len(lines(out)) == 1,
     "a line that is no record: named, the rest issued, exit 1")
for words in (["issue"], ["list"], ["show"]):
    rc, out, err = run(["credential"] + words + ["--help"])
    t.ok(rc == 0 and out.startswith("Usage: assay credential"), "credential %s --help" % words[0])
    rc, out, err = run(["credential"] + words + ["--bogus"])
    t.ok(rc == 2 and "unknown option --bogus" in err, "credential %s --bogus: exit 2" % words[0])
rc, out, err = run(["credential", "show", "--file", issued_path, WANT_LEARNER])
t.ok(rc == 2 and "LEARNER and ID[@VERSION] are needed" in err, "show without ID: exit 2")
rc, out, err = run(["credential", "list", "--decode", "--file", issued_path, WANT_LEARNER])
t.ok(rc == 2 and "--decode is for show" in err, "list --decode: exit 2")

shutil.rmtree(tmp, ignore_errors=True)
t.done()
