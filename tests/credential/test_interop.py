#!/usr/bin/python3
"""test_interop.py - Assay's VC-JWT proofs against an independent implementation.

Debian's python3-jwt (PyJWT) with python3-cryptography checks what `assay credential
sign` and `assay issuer jwks` produce, and `assay credential verify` checks what PyJWT
signs, for RS256 (PKCS#8 and PKCS#1 keys) and EdDSA (Ed25519, PKCS#8), with keys made
here by python3-cryptography. Then the rejections (tampered payload, wrong key, alg none,
a key-confusion HS256 token, a header jwk with a private member, each claim that does not
match, expired, not yet valid), hostile tokens (truncated, huge, non-JSON payloads, deep
nesting, binary junk) which must give a clear reason and never a crash or a sanitizer
report, and the command-line errors. Every credential made or decoded here is validated
with python3-jsonschema against achievementcredential.schema.json; no output of any run
may contain a line of a private key.

Environment: ASSAY_CLI (the assay tool), ASSAY_CREDENTIAL_EXAMPLES (credential-examples,
which prints credentials built by the C library), ASSAY_CREDENTIAL_DIR (this folder).
Output: TAP.
"""
import base64
import copy
import datetime
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import tempfile
import uuid

import jsonschema
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

ASSAY = os.environ["ASSAY_CLI"]
# ASSAY_CLI_WRAPPER (e.g. "valgrind --error-exitcode=99 ..."): run every assay command under
# it; fewer credentials, cuts and junk inputs then, to keep the run within minutes.
WRAPPER = os.environ.get("ASSAY_CLI_WRAPPER", "").split()
EXAMPLES = os.environ["ASSAY_CREDENTIAL_EXAMPLES"]
HERE = os.environ["ASSAY_CREDENTIAL_DIR"]
CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                   "runtime error:")

count = 0
failed = 0
secret_lines = {"PRIVATE KEY-----"}  # PEM armour and the private numbers of every key


def ok(cond, desc, diag=None):
    global count, failed
    count += 1
    if not cond:
        failed += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (count, desc))
    if not cond and diag:
        for line in str(diag).splitlines()[:25]:
            print("#   " + line)
    return cond


def b64e(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def run(args, stdin=None, env_extra=None, desc=""):
    """Runs assay; checks it neither crashed nor leaked a secret; returns the result."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSAY_ISSUER")}
    env.update(env_extra or {})
    p = subprocess.run(WRAPPER + [ASSAY] + args, input=stdin, capture_output=True, env=env,
                       timeout=600 if WRAPPER else 60)
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    sane = p.returncode in (0, 1, 2, 3) and not any(m in err for m in SANITIZER_MARKS)
    leak = [s for s in secret_lines if s in out or s in err or s.lower() in out.lower()]
    if not sane or leak:
        ok(False, "assay %s: no crash, no sanitizer report, no key material (%s)"
           % (" ".join(args[:3]), desc), "exit %d\n%s\nleaked: %s" % (p.returncode, err, leak))
    return p.returncode, out, err


# ---------------------------------------------------------------------------------------
# Keys, made here with python3-cryptography.

tmp = tempfile.TemporaryDirectory(prefix="assay-credential-")
T = tmp.name


def write_key(name, key, fmt):
    pem = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
    path = os.path.join(T, name)
    with open(path, "wb") as f:
        f.write(pem)
    os.chmod(path, 0o600)
    add_secrets(key)
    return path


def add_secrets(key):
    """Remembers the key's private numbers as they could be printed: base64url, base64, hex."""
    if isinstance(key, rsa.RSAPrivateKey):
        nums = key.private_numbers()
        values = [nums.d, nums.p, nums.q]
        raws = [v.to_bytes((v.bit_length() + 7) // 8, "big") for v in values]
    else:
        raws = [key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                  serialization.NoEncryption())]
    for raw in raws:
        secret_lines.add(b64e(raw)[:32])
        secret_lines.add(base64.b64encode(raw).decode()[:32])
        secret_lines.add(raw.hex()[:32])


def write_pub(name, key):
    path = os.path.join(T, name)
    with open(path, "wb") as f:
        f.write(key.public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def jwk_of(key):
    """The public JWK and its RFC 7638 thumbprint, computed here from the key's numbers."""
    pub = key.public_key()
    if isinstance(key, rsa.RSAPrivateKey):
        nums = pub.public_numbers()
        n = nums.n.to_bytes((nums.n.bit_length() + 7) // 8, "big")
        e = nums.e.to_bytes((nums.e.bit_length() + 7) // 8, "big")
        jwk = {"kty": "RSA", "n": b64e(n), "e": b64e(e)}
    else:
        raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64e(raw)}
    canon = json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode()
    return jwk, b64e(hashlib.sha256(canon).digest())


rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ed_key = ed25519.Ed25519PrivateKey.generate()
other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
weak_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
PKCS8 = serialization.PrivateFormat.PKCS8
PKCS1 = serialization.PrivateFormat.TraditionalOpenSSL
keys = {
    "rsa-pkcs8": (write_key("rsa8.pem", rsa_key, PKCS8), rsa_key, "RS256"),
    "rsa-pkcs1": (write_key("rsa1.pem", rsa_key, PKCS1), rsa_key, "RS256"),
    "ed25519-pkcs8": (write_key("ed8.pem", ed_key, PKCS8), ed_key, "EdDSA"),
}
rsa_pub = write_pub("rsa.pub.pem", rsa_key)
ed_pub = write_pub("ed.pub.pem", ed_key)
other_pub = write_pub("other.pub.pem", other_key)
other_priv = write_key("other8.pem", other_key, PKCS8)
weak_priv = write_key("weak.pem", weak_key, PKCS8)
pub_of = {"RS256": rsa_pub, "EdDSA": ed_pub}

with open(os.path.join(HERE, "achievementcredential.schema.json")) as f:
    schema = json.load(f)
validator = jsonschema.Draft202012Validator(schema)
checked = 0


def schema_ok(cred, desc):
    global checked
    errors = sorted(validator.iter_errors(cred), key=str)
    checked += 1
    return ok(not errors, "schema: " + desc, "\n".join(e.message for e in errors[:5]))


# ---------------------------------------------------------------------------------------
# The schema is not vacuous: it rejects what the spec requires.

p = subprocess.run([EXAMPLES], capture_output=True, check=True)
examples = [json.loads(line) for line in p.stdout.decode().splitlines()]
ok(len(examples) == 3, "credential-examples printed 3 credentials")
# The award ids, derived independently with Python's uuid5 (RFC 9562 version 5).
awards = [("L-1001", "https://example.edu/credentials/chem-basics", "1"),
          ("L-1002", "https://example.edu/credentials/chem-basics", "1"),
          ("L-1003", "https://example.edu/credentials/lab-safety", "2")]
for c, award in zip(examples, awards):
    want = "urn:uuid:%s" % uuid.uuid5(uuid.NAMESPACE_URL, "\0".join(award))
    ok(c["id"] == want, "award id of %s is uuid5(URL, learner NUL credential NUL version)"
       % award[0], "%s != %s" % (c["id"], want))
broken = copy.deepcopy(examples[0])
del broken["name"]
ok(not validator.is_valid(broken), "schema rejects a credential without name")
broken = copy.deepcopy(examples[0])
broken["credentialSubject"]["achievement"].pop("criteria")
ok(not validator.is_valid(broken), "schema rejects an achievement without criteria")
broken = copy.deepcopy(examples[0])
broken["@context"].reverse()
ok(not validator.is_valid(broken), "schema rejects the contexts in the wrong order")

minimal = {
    "@context": ["https://www.w3.org/ns/credentials/v2",
                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:0b9d1a5e-3e51-4d31-9f6e-3c0c2c8a2b11",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://example.org/issuer", "type": ["Profile"], "name": "Example"},
    "validFrom": "2025-06-01T12:00:00Z",
    "validUntil": "2099-06-01T12:00:00Z",
    "name": "Minimal badge",
    "credentialSubject": {
        "id": "did:example:learner-9",
        "type": ["AchievementSubject"],
        "achievement": {"id": "https://example.org/badges/minimal", "type": ["Achievement"],
                        "name": "Minimal", "description": "A minimal badge.",
                        "criteria": {"narrative": "Exist."}},
    },
}
credentials = examples + [minimal]
for i, c in enumerate(credentials):
    schema_ok(c, "credential %d as made" % (i + 1))
if WRAPPER:
    credentials = [examples[0], minimal]


# ---------------------------------------------------------------------------------------
# assay issuer jwks: the public JWK Set, compared with what cryptography says.

rc, out, err = run(["issuer", "jwks", "--key", keys["rsa-pkcs8"][0], "--key",
                    keys["ed25519-pkcs8"][0], "--key", rsa_pub])
jwks = json.loads(out) if rc == 0 else {"keys": []}
ok(rc == 0 and len(jwks["keys"]) == 2, "issuer jwks: two keys (the public PEM repeats one)",
   err)
ok("listed once" in err, "issuer jwks: says the repeated key is listed once", err)
rsa_jwk, rsa_tp = jwk_of(rsa_key)
ed_jwk, ed_tp = jwk_of(ed_key)
for got, (want, tp, alg) in zip(jwks["keys"], [(rsa_jwk, rsa_tp, "RS256"),
                                               (ed_jwk, ed_tp, "EdDSA")]):
    same = all(got.get(k) == v for k, v in want.items())
    ok(same and got["kid"] == tp and got["alg"] == alg and got["use"] == "sig",
       "issuer jwks: %s members, kid = RFC 7638 thumbprint, alg, use" % alg, json.dumps(got))
    ok(not set(got) & {"d", "p", "q", "dp", "dq", "qi", "oth", "k"},
       "issuer jwks: %s has no private member" % alg)
rc, out, err = run(["issuer", "jwks", "--key", keys["rsa-pkcs1"][0], "--kid-base",
                    "https://example.edu/issuer/jwks.json"])
ok(rc == 0 and json.loads(out)["keys"][0]["kid"] ==
   "https://example.edu/issuer/jwks.json#" + rsa_tp,
   "issuer jwks: PKCS#1 key, kid under --kid-base", out + err)
jwks_path = os.path.join(T, "jwks.json")
with open(jwks_path, "w") as f:
    json.dump(jwks, f)


# ---------------------------------------------------------------------------------------
# assay credential sign, checked by PyJWT.

def write_json(name, obj):
    path = os.path.join(T, name)
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


def decode_verify(token, args=()):
    """assay credential verify --json on token; returns (rc, parsed output)."""
    rc, out, err = run(["credential", "verify", "-", "--json"] + list(args),
                       stdin=token.encode())
    try:
        return rc, json.loads(out)
    except ValueError:
        return rc, {"verified": False, "reasons": [], "stderr": err}


def codes(result):
    return [r["code"] for r in result.get("reasons", [])]


signed = []  # (token, credential, alg)
for ci, cred in enumerate(credentials):
    cpath = write_json("cred%d.json" % ci, cred)
    for name, (path, key, alg) in keys.items():
        args = ["credential", "sign", "--key", path, cpath]
        if ci == 0:
            args[2:2] = ["--alg", alg]
        rc, out, err = run(args)
        token = out.strip()
        if not ok(rc == 0 and token.count(".") == 2, "sign credential %d with %s" % (ci + 1, name),
                  err):
            continue
        header = jwt.get_unverified_header(token)
        jwk, tp = jwk_of(key)
        ok(header == {"alg": alg, "typ": "JWT", "kid": tp},
           "credential %d, %s: header alg, typ JWT, kid = thumbprint" % (ci + 1, name), header)
        try:
            with open(pub_of[alg]) as f:
                payload = jwt.decode(token, f.read(), algorithms=[alg],
                                     options={"require": ["iss", "jti", "nbf"]})
            pyjwk = jwt.PyJWK({**jwk, "alg": alg})
            jwt.decode(token, pyjwk.key, algorithms=[alg])
            verified = True
        except jwt.PyJWTError as e:
            verified, payload = False, {"error": str(e)}
        ok(verified, "PyJWT verifies credential %d signed with %s (PEM and JWK)" % (ci + 1, name),
           payload)
        if not verified:
            continue
        want_claims = {"iss": cred["issuer"]["id"], "jti": cred["id"]}
        if "id" in cred["credentialSubject"]:
            want_claims["sub"] = cred["credentialSubject"]["id"]
        ok(all(payload.get(k) == v for k, v in want_claims.items()) and
           ("sub" in payload) == ("sub" in want_claims),
           "credential %d, %s: iss, jti, sub match the credential" % (ci + 1, name), payload)
        vf = datetime.datetime.strptime(cred["validFrom"], "%Y-%m-%dT%H:%M:%SZ")
        vf = int(vf.replace(tzinfo=datetime.timezone.utc).timestamp())
        ok(payload["nbf"] == vf, "credential %d, %s: nbf = validFrom" % (ci + 1, name))
        if "validUntil" in cred:
            vu = datetime.datetime.strptime(cred["validUntil"], "%Y-%m-%dT%H:%M:%SZ")
            vu = int(vu.replace(tzinfo=datetime.timezone.utc).timestamp())
            ok(payload.get("exp") == vu, "credential %d, %s: exp = validUntil" % (ci + 1, name))
        else:
            ok("exp" not in payload, "credential %d, %s: no exp without validUntil"
               % (ci + 1, name))
        body = {k: v for k, v in payload.items() if k not in CLAIMS}
        ok(body == cred, "credential %d, %s: the payload is the credential plus the claims"
           % (ci + 1, name))
        signed.append((token, cred, alg))

# assay verifies its own tokens with the public key and with the JWK Set.
for i, (token, cred, alg) in enumerate(signed):
    rc, res = decode_verify(token, ["--key", pub_of[alg]])
    ok(rc == 0 and res["verified"], "verify token %d (%s) with --key" % (i + 1, alg), res)
    rc, res = decode_verify(token, ["--jwks", jwks_path])
    ok(rc == 0 and res["verified"] and res.get("credential") == cred,
       "verify token %d (%s) with --jwks: decoded credential is the credential" % (i + 1, alg),
       res)
    if i % 3 == 0 and res.get("credential"):
        schema_ok(res["credential"], "decoded credential of token %d" % (i + 1))
rc, out, err = run(["credential", "verify", "-", "--key", rsa_pub],
                   stdin=(signed[0][0] + "\n").encode())
ok(rc == 0 and "verified: signed by " + rsa_tp + " (RS256)" in out and
   '"@context"' in out, "verify prints the decoded credential and verified", out + err)

# The public JWK in the header instead of a kid.
rc, out, err = run(["credential", "sign", "--key", keys["ed25519-pkcs8"][0], "--embed-jwk",
                    write_json("m.json", minimal)])
token = out.strip()
header = jwt.get_unverified_header(token) if rc == 0 else {}
ok(header.get("jwk") == ed_jwk and "kid" not in header, "sign --embed-jwk: public jwk header",
   header)
try:
    jwt.decode(token, jwt.PyJWK({**header["jwk"], "alg": "EdDSA"}).key, algorithms=["EdDSA"])
    ok(True, "PyJWT verifies the embedded-jwk token with that jwk")
except (jwt.PyJWTError, KeyError) as e:
    ok(False, "PyJWT verifies the embedded-jwk token with that jwk", e)
rc, res = decode_verify(token, ["--jwks", jwks_path])
ok(rc == 0 and res["verified"], "verify the embedded-jwk token against the JWK Set", res)
rc, res = decode_verify(token, ["--key", other_pub])
ok(rc == 1 and codes(res) == ["KEY_UNTRUSTED"], "an embedded jwk that is not trusted",
   res)


# ---------------------------------------------------------------------------------------
# PyJWT signs, assay verifies.

def claims_for(cred):
    def ts(text):
        d = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
        return int(d.replace(tzinfo=datetime.timezone.utc).timestamp())
    payload = dict(cred)
    payload["iss"] = cred["issuer"]["id"]
    payload["jti"] = cred["id"]
    payload["nbf"] = ts(cred["validFrom"])
    if "id" in cred["credentialSubject"]:
        payload["sub"] = cred["credentialSubject"]["id"]
    if "validUntil" in cred:
        payload["exp"] = ts(cred["validUntil"])
    return payload


def pyjwt_token(payload, key, alg, headers=None):
    if headers is None:
        headers = {"kid": jwk_of(key)[1]}
    return jwt.encode(payload, key, algorithm=alg, headers=headers)


for ci, cred in enumerate(credentials):
    for key, alg in ((rsa_key, "RS256"), (ed_key, "EdDSA")):
        token = pyjwt_token(claims_for(cred), key, alg)
        rc, res = decode_verify(token, ["--key", pub_of[alg]])
        ok(rc == 0 and res["verified"], "assay verifies PyJWT's %s token of credential %d "
           "(--key)" % (alg, ci + 1), res)
        rc, res = decode_verify(token, ["--jwks", jwks_path])
        ok(rc == 0 and res["verified"] and res["kid"] == jwk_of(key)[1],
           "assay verifies PyJWT's %s token of credential %d (--jwks, by kid)" % (alg, ci + 1),
           res)
        if res.get("credential"):
            schema_ok(res["credential"], "credential %d decoded from PyJWT's %s token"
                      % (ci + 1, alg))
token = pyjwt_token(claims_for(minimal), rsa_key, "RS256", headers={"jwk": rsa_jwk})
rc, res = decode_verify(token, ["--jwks", jwks_path])
ok(rc == 0 and res["verified"], "assay verifies PyJWT's token with a public jwk header", res)


# ---------------------------------------------------------------------------------------
# Rejections.

base = claims_for(examples[0])
good = pyjwt_token(base, rsa_key, "RS256")


def rejected(desc, token, want, args=None):
    rc, res = decode_verify(token, args or ["--key", rsa_pub])
    ok(rc == 1 and not res["verified"] and codes(res) == want,
       "rejected: %s (%s)" % (desc, ", ".join(want)), res.get("reasons", res))


h, pl, s = good.split(".")
tampered_payload = dict(base, name="Chemistry mastery (forged)")
tampered = h + "." + b64e(json.dumps(tampered_payload).encode()) + "." + s
rejected("tampered payload", tampered, ["SIGNATURE"])
rejected("signature from another key", pyjwt_token(base, other_key, "RS256",
                                                   headers={"kid": rsa_tp}), ["SIGNATURE"])
rejected("verified with the wrong public key", good, ["SIGNATURE"], ["--key", other_pub])
rejected("kid not in the JWK Set", pyjwt_token(base, other_key, "RS256"), ["KEY_NOT_FOUND"],
         ["--jwks", jwks_path])
none_token = (b64e(b'{"alg":"none","typ":"JWT"}') + "." + b64e(json.dumps(base).encode()) + ".")
rejected("alg none", none_token, ["ALG_NONE"])
try:
    pyjwt_none = jwt.encode(base, None, algorithm="none")
    rejected("PyJWT's own alg none token", pyjwt_none, ["ALG_NONE"])
except Exception as e:  # PyJWT may refuse to make one: the hand-made token above stands
    ok(True, "PyJWT refuses to make an alg none token (%s)" % type(e).__name__)
with open(rsa_pub, "rb") as f:
    pem_secret = f.read()
signing_input = (b64e(json.dumps({"alg": "HS256", "typ": "JWT", "kid": rsa_tp}).encode()) +
                 "." + b64e(json.dumps(base).encode()))
hs = signing_input + "." + b64e(hmac.new(pem_secret, signing_input.encode(),
                                         hashlib.sha256).digest())
rejected("HS256 keyed with the public key (key confusion)", hs, ["ALG_UNSUPPORTED"])
private_jwk = dict(ed_jwk)
private_jwk["d"] = b64e(ed_key.private_bytes(serialization.Encoding.Raw,
                                             serialization.PrivateFormat.Raw,
                                             serialization.NoEncryption()))
secret_lines.add(private_jwk["d"])
rejected("header jwk with the private member d",
         pyjwt_token(base, ed_key, "EdDSA", headers={"jwk": private_jwk}), ["JWK_PRIVATE"],
         ["--jwks", jwks_path])
rejected("header with crit", pyjwt_token(base, rsa_key, "RS256",
                                         headers={"kid": rsa_tp, "crit": ["exp"]}),
         ["HEADER_MEMBER"])
rejected("EdDSA header on an RSA key", pyjwt_token(base, ed_key, "EdDSA",
                                                   headers={"kid": rsa_tp}),
         ["ALG_KEY_MISMATCH"], ["--jwks", jwks_path])
for claim, value, code in (("iss", "https://evil.example/issuer", "CLAIM_ISS"),
                           ("jti", "urn:uuid:00000000-0000-4000-8000-000000000000", "CLAIM_JTI"),
                           ("nbf", base["nbf"] + 60, "CLAIM_NBF"),
                           ("sub", "urn:example:learner:L-9999", "CLAIM_SUB"),
                           ("exp", base["exp"] - 86400, "CLAIM_EXP")):
    rejected("%s does not match" % claim, pyjwt_token(dict(base, **{claim: value}), rsa_key,
                                                     "RS256"), [code])
    rejected("%s missing" % claim,
             pyjwt_token({k: v for k, v in base.items() if k != claim}, rsa_key, "RS256"),
             [code])
rejected("expired", good, ["EXPIRED"], ["--key", rsa_pub, "--now", "2100-01-01T00:00:00Z"])
rejected("not yet valid", good, ["NOT_YET_VALID"],
         ["--key", rsa_pub, "--now", "2024-12-31T23:59:59Z"])
rejected("credential without name", pyjwt_token({k: v for k, v in base.items()
                                                 if k != "name"}, rsa_key, "RS256"),
         ["CREDENTIAL"])
rc, out, err = run(["credential", "verify", "-", "--key", rsa_pub], stdin=tampered.encode())
ok(rc == 1 and "not verified: 1 reason" in out and "SIGNATURE: signature:" in out and
   '"@context"' not in out, "a bad signature is reported, its payload not printed", out)


# ---------------------------------------------------------------------------------------
# Hostile tokens: a clear reason, never a crash.

def hostile(desc, data, want=None):
    rc, out, err = run(["credential", "verify", "-", "--key", rsa_pub, "--json"], stdin=data,
                       desc=desc)
    try:
        res = json.loads(out)
    except ValueError:
        res = {"reasons": []}
    reasons = res.get("reasons", [])
    good_reason = rc == 1 and reasons and all(r["message"] for r in reasons)
    if want:
        good_reason = good_reason and [r["code"] for r in reasons] == want
    ok(good_reason, "hostile: %s -> %s" % (desc, ", ".join(r["code"] for r in reasons) or "?"),
       out + err)


cuts = sorted(set(range(0, len(good), 300 if WRAPPER else 37)) |
              {1, len(h), len(h) + 1, len(good) - 1})
bad_cuts = []
for cut in cuts:
    rc, res = decode_verify(good[:cut], ["--key", rsa_pub])
    if not (rc == 1 and res.get("reasons") and res["reasons"][0]["message"]):
        bad_cuts.append((cut, res))
ok(not bad_cuts, "hostile: %d truncations of a token each give a reason" % len(cuts), bad_cuts)
hostile("empty input", b"", ["MALFORMED"])
hostile("2 MiB token", (h + "." + "A" * (2 << 20) + "." + s).encode(), ["TOO_LARGE"])
hostile("1 MiB without a dot", b"A" * ((1 << 20) - 1), ["MALFORMED"])
hostile("NUL inside", (h + "." + pl[:10] + "\0" + pl[10:] + "." + s).encode(), ["BASE64"])
hostile("garbage after the signature", (good + " extra").encode(), ["TRAILING"])
hostile("JWE-shaped", b"a.b.c.d.e", ["MALFORMED"])
rng = random.Random(20260101)
for i in range(2 if WRAPPER else 8):
    junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4000)))
    hostile("random bytes %d" % (i + 1), junk)
kid = {"kid": rsa_tp}
api = jwt.api_jws.PyJWS()
hostile("signed payload that is not JSON",
        api.encode(b"this is not json", rsa_key, algorithm="RS256", headers=kid).encode(),
        ["PAYLOAD"])
hostile("signed payload nested 100000 deep",
        api.encode(b"[" * 100000, rsa_key, algorithm="RS256", headers=kid).encode(),
        ["PAYLOAD"])
hostile("signed payload null", api.encode(b"null", rsa_key, algorithm="RS256",
                                          headers=kid).encode(), ["PAYLOAD"])
hostile("signed payload of invalid UTF-8",
        api.encode(b'{"name":"\xff\xfe"}', rsa_key, algorithm="RS256", headers=kid).encode(),
        ["PAYLOAD"])
hostile("signed payload with duplicate claims",
        api.encode(b'{"iss":"a","iss":"b"}', rsa_key, algorithm="RS256", headers=kid).encode(),
        ["PAYLOAD"])
hostile("signed payload of 900 KiB",
        api.encode(json.dumps(dict(base, description="x" * (900 << 10))).encode(), rsa_key,
                   algorithm="RS256", headers=kid).encode(), ["TOO_LARGE"])
hostile("header nested deep", (b64e(b"[" * 50000) + "." + pl + "." + s).encode(), ["HEADER"])


# ---------------------------------------------------------------------------------------
# Command-line errors.

def cli(desc, args, want_rc, text, stdin=None, env=None, stream="err"):
    rc, out, err = run(args, stdin=stdin, env_extra=env, desc=desc)
    where = err if stream == "err" else out
    ok(rc == want_rc and text in where, "cli: %s (exit %d)" % (desc, want_rc),
       "exit %d\nstdout: %s\nstderr: %s" % (rc, out[:600], err))


tok_path = os.path.join(T, "token.jwt")
with open(tok_path, "w") as f:
    f.write(good + "\n")
cli("verify without a key", ["credential", "verify", tok_path], 2, "no trusted key")
cli("verify with $ASSAY_ISSUER_JWKS", ["credential", "verify", tok_path], 0, "verified",
    env={"ASSAY_ISSUER_JWKS": jwks_path}, stream="out")
cli("verify with a private key as --key", ["credential", "verify", tok_path, "--key",
                                           keys["rsa-pkcs8"][0]], 3,
    "a private key: give the public key")
cli("verify a missing token file", ["credential", "verify", os.path.join(T, "none.jwt"),
                                    "--key", rsa_pub], 3, "cannot read")
cli("verify with a missing key file", ["credential", "verify", tok_path, "--key",
                                       os.path.join(T, "none.pem")], 3, "none.pem: cannot read")
cli("verify with a bad --now", ["credential", "verify", tok_path, "--key", rsa_pub, "--now",
                                "tomorrow"], 2, "not an RFC 3339 date-time")
bad_jwks = write_json("bad-jwks.json", {"keys": [dict(ed_jwk, d=private_jwk["d"])]})
cli("verify with a JWK Set holding a private key", ["credential", "verify", tok_path, "--jwks",
                                                    bad_jwks], 3,
    "key 1: has the private member \"d\"")
with open(os.path.join(T, "notjson.json"), "w") as f:
    f.write("{\"keys\": [")
cli("verify with a JWK Set that is not JSON", ["credential", "verify", tok_path, "--jwks",
                                               os.path.join(T, "notjson.json")], 3,
    "notjson.json: 1:")
cred_path = write_json("c.json", examples[0])
cli("sign with a weak key", ["credential", "sign", "--key", weak_priv, cred_path], 3,
    "RSA key of 1024 bits: at least 2048 required")
cli("sign with an encrypted key", ["credential", "sign", "--key",
                                   os.path.join(HERE, "data", "rsa2048-pkcs8-encrypted.pem"),
                                   cred_path], 3, "encrypted PKCS#8 key")
cli("sign with --alg EdDSA and an RSA key", ["credential", "sign", "--key",
                                             keys["rsa-pkcs8"][0], "--alg", "EdDSA",
                                             cred_path], 2, "needs an Ed25519 key")
cli("sign with --alg HS256", ["credential", "sign", "--key", keys["rsa-pkcs8"][0], "--alg",
                              "HS256", cred_path], 2, "RS256 or EdDSA")
cli("sign without a key", ["credential", "sign", cred_path], 2, "no key")
cli("sign with $ASSAY_ISSUER_KEY", ["credential", "sign", cred_path], 0, "eyJ",
    env={"ASSAY_ISSUER_KEY": keys["ed25519-pkcs8"][0]}, stream="out")
noname = {k: v for k, v in examples[0].items() if k != "name"}
cli("sign a credential without name", ["credential", "sign", "--key", keys["rsa-pkcs8"][0],
                                       write_json("noname.json", noname)], 1,
    "required member \"name\" missing")
with open(os.path.join(T, "broken.json"), "w") as f:
    f.write("{\"@context\": ")
cli("sign a file that is not JSON", ["credential", "sign", "--key", keys["rsa-pkcs8"][0],
                                     os.path.join(T, "broken.json")], 3, "broken.json:1:")
open_key = write_key("open.pem", ed_key, PKCS8)
os.chmod(open_key, 0o644)
cli("sign with a group-readable key warns", ["credential", "sign", "--key", open_key,
                                             cred_path], 0, "readable by group or others")
rc, out, err = run(["credential", "sign", "--key", keys["ed25519-pkcs8"][0], cred_path])
ok(rc == 0 and "warning" not in err, "cli: no warning for a mode 0600 key", err)
cli("issuer jwks with a bad --kid-base", ["issuer", "jwks", "--key", rsa_pub, "--kid-base",
                                          "not a url"], 2, "not an absolute URI")
cli("issuer jwks without a key", ["issuer", "jwks"], 2, "no key")
cli("credential without a command", ["credential"], 2, "no command")
cli("an unknown credential command", ["credential", "frobnicate"], 2, "unknown command")
cli("credential --help", ["credential", "--help"], 0, "assay credential verify", stream="out")
cli("issuer without a command", ["issuer"], 2, "no command")
for words in (["credential"], ["credential", "verify"], ["credential", "sign"], ["issuer"],
              ["issuer", "jwks"]):
    name = " ".join(words)
    cli("%s --help on stdout" % name, words + ["--help"], 0, "Usage: assay " + words[0],
        stream="out")
    cli("%s --version" % name, words + ["--version"], 0, "assay ", stream="out")
    cli("%s with an unknown option" % name, words + ["--frobnicate"], 2,
        "unknown option --frobnicate")
cli("verify --key without its value", ["credential", "verify", tok_path, "--key"], 2,
    "--key needs a value")
cli("verify two token files", ["credential", "verify", tok_path, tok_path, "--key", rsa_pub],
    2, "one token file only")
cli("verify options after the file, --opt=value", ["credential", "verify", tok_path,
                                                   "--key=" + rsa_pub, "--json"], 0,
    '"verified": true', stream="out")
cli("verify from standard input", ["credential", "verify", "-", "--key", rsa_pub], 0,
    "verified", stdin=(good + "\n").encode(), stream="out")
cli("sign two credential files", ["credential", "sign", "--key", keys["rsa-pkcs8"][0],
                                  cred_path, cred_path], 2, "one credential file only")
cli("sign with --kid and --kid-base", ["credential", "sign", "--key", keys["rsa-pkcs8"][0],
                                       "--kid", "k", "--kid-base", "https://x.example/",
                                       cred_path], 2, "exclude each other")
cli("issuer jwks with an operand", ["issuer", "jwks", rsa_pub], 2, "unexpected operand")
cli("assay --help lists the credential commands", ["--help"], 0, "credential verify",
    stream="out")

ok(checked >= len(credentials) + (4 if WRAPPER else 10), "validated %d credentials against the schema" % checked)
print("1..%d" % count)
sys.exit(1 if failed else 0)
