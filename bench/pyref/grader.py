"""grader.py - grading one submission with the reference grader: the bytes of a submission in,
the JSON text of its result out, as `assay grade` writes it (engine/src/catalog.c and
score.c are the model, docs/protocol.md the contract).

The submission is parsed with the standard library's json, made as strict as jansson is in
the engine (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL): strict UTF-8, no
repeated keys, integers within 64 bits, no reals beyond a double, no NaN or Infinity, no lone
surrogate escapes, no NUL in keys. The result is written as text straight away, in the
engine's field order, from fragments the rubric fixed at load (rubric.py).

Codes and fields agree with the engine; the wording of a malformed_json or invalid_utf8
message does not (jansson's parser messages are its own), and no check ever ends in "error"
(Python's re has no match limits).
"""

import json
import math
import re
import time

import decimals
import jsonout

ENGINE = '"assay 0.1.0"'
MAX_SUBMISSION = 1 << 20
MAX_RESPONSES = 10000
MAX_ANSWER = 64 << 10
_ANSWER_CHARS_SURELY_OK = MAX_ANSWER // 4  # at most 4 bytes a character
_INT_LO, _INT_HI = -(1 << 63), (1 << 63) - 1
_INF = float("inf")
_COLLAPSE = re.compile("[" + re.escape(decimals.WHITE) + "]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_WHITE_SPACE = re.compile("[\x1c-\x1f]")
_WHITE_SET = frozenset(decimals.WHITE)
_REPLY_TO = re.compile("[A-Za-z0-9._:-]{1,64}")
_META_MAX_DEPTH = 64
_ANSWER_MAX = 1024
_TIME_FORM = 'an RFC 3339 date-time with a time zone, e.g. "2026-03-01T09:00:00Z"'
_DIGITS = frozenset(b"0123456789")


class _Bad(ValueError):
    pass


def _pairs(pairs):
    d = dict(pairs)
    if len(d) != len(pairs):
        raise _Bad("duplicate object key")
    return d


def _int(s):
    v = int(s)
    if v < _INT_LO or v > _INT_HI:
        raise _Bad("too big integer")
    return v


def _float(s):
    v = float(s)
    if v == _INF or v == -_INF:
        raise _Bad("real number overflow")
    return v


def _constant(s):
    raise _Bad("invalid token")


_decode = json.JSONDecoder(
    object_pairs_hook=_pairs, parse_int=_int, parse_float=_float, parse_constant=_constant
).decode


def _escapes_ok(v):
    """False when a string holds a lone surrogate or a key holds NUL (jansson refuses both)."""
    if isinstance(v, str):
        return _SURROGATE.search(v) is None
    if isinstance(v, dict):
        for k, x in v.items():
            if "\0" in k or _SURROGATE.search(k) or not _escapes_ok(x):
                return False
        return True
    if isinstance(v, list):
        return all(_escapes_ok(x) for x in v)
    return True


def _scrub_cut(s, nbytes):
    """s cut to nbytes bytes of UTF-8 without leaving half a character (printf's "%.*s" then
    assay__utf8_scrub)."""
    b = s.encode("utf-8")
    if len(b) <= nbytes:
        return s
    return b[:nbytes].decode("utf-8", "ignore")


def _utf8_len(s):
    return len(s) if s.isascii() else len(s.encode("utf-8"))


def _double_digits(v):
    for prec in range(1, 17):
        if float("%.*e" % (prec - 1, v)) == v:
            return prec
    return 17


def _days_from_civil(y, m, d):
    """Days from 1970-01-01 (engine/src/rfc3339.c's calendar, which has a year 0)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _civil_from_days(z):
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _num(b, i, n):
    """The n ASCII digits of b at i as an int, or None."""
    part = b[i:i + n]
    if len(part) != n or any(c not in _DIGITS for c in part):
        return None
    return int(part)


def rfc3339_utc(s):
    """(UTC text, None) for an RFC 3339 date-time with a time zone, else (None, problem), with
    the engine's phrases (rfc3339.c), on the UTF-8 bytes as the engine reads them."""
    b = s.encode("utf-8")
    n = len(b)
    if n < 19 or b[4:5] != b"-" or b[7:8] != b"-" or b[10:11] not in (b"T", b"t") or \
            b[13:14] != b":" or b[16:17] != b":":
        return None, "it does not start with a date and time in the form YYYY-MM-DDTHH:MM:SS"
    y, mo, d, h, mi, sec = (_num(b, 0, 4), _num(b, 5, 2), _num(b, 8, 2), _num(b, 11, 2),
                            _num(b, 14, 2), _num(b, 17, 2))
    if None in (y, mo, d, h, mi, sec):
        return None, "it does not start with a date and time in the form YYYY-MM-DDTHH:MM:SS"
    if not 1 <= mo <= 12:
        return None, "the month is not 01 to 12"
    leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
    if d < 1 or d > (29 if mo == 2 and leap else _MONTH_DAYS[mo - 1]):
        return None, "that month has no such day"
    if h > 23 or mi > 59 or sec > 60:
        return None, "the time of day is out of range (hours 00-23, minutes 00-59, seconds 00-60)"
    i = 19
    frac = b""
    if i < n and b[i] == 0x2E:
        i += 1
        j = i
        while j < n and b[j] in _DIGITS:
            j += 1
        frac = b[i:j]
        i = j
        if not frac:
            return None, "the decimal point after the seconds has no digits after it"
        if len(frac) > 9:
            return None, "the seconds have more than 9 fraction digits"
    if i == n:
        return None, "it has no time zone: add Z or an offset such as +01:00"
    if b[i] in (0x5A, 0x7A) and i + 1 == n:
        off = 0
    elif b[i] in (0x2B, 0x2D) and n - i == 6 and b[i + 3] == 0x3A:
        oh, om = _num(b, i + 1, 2), _num(b, i + 4, 2)
        if oh is None or om is None:
            return None, "the time zone offset is not in the form +HH:MM or -HH:MM"
        if oh > 23 or om > 59:
            return None, "the time zone offset is out of range (hours 00-23, minutes 00-59)"
        off = (oh * 60 + om) * (-1 if b[i] == 0x2D else 1)
    else:
        return None, "it does not end with a time zone: Z or an offset such as +01:00"
    minutes = _days_from_civil(y, mo, d) * 1440 + h * 60 + mi - off
    days, mod = divmod(minutes, 1440)
    uy, um, ud = _civil_from_days(days)
    if not 0 <= uy <= 9999:
        return None, "in UTC it falls outside the years 0000 to 9999"
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (uy, um, ud, mod // 60, mod % 60, sec)
    if frac:
        text += "." + frac.decode()
    return text + "Z", None


def _time(v):
    """(UTC text or None, problem or None) of an optional time field."""
    if v is None:
        return None, None
    if v.__class__ is not str:
        return None, "it is not a string"
    return rfc3339_utc(v)


def _deeper(v, limit):
    """Are lists and dicts nested in v deeper than limit levels?"""
    t = v.__class__
    if t is dict:
        if limit == 0:
            return True
        return any(_deeper(x, limit - 1) for x in v.values())
    if t is list:
        if limit == 0:
            return True
        return any(_deeper(x, limit - 1) for x in v)
    return False


class _Envelope:
    """A submission's envelope (engine/src/result.c's rs_envelope): each field judged alone."""

    __slots__ = ("submitted", "submitted_problem", "enqueued_problem", "reply_to_bad",
                 "force_bad", "meta_json")

    def __init__(self, sub):
        self.submitted, self.submitted_problem = _time(sub.get("submitted_at"))
        self.enqueued_problem = _time(sub.get("enqueued_at"))[1]
        rt = sub.get("reply_to")
        self.reply_to_bad = rt is not None and not (rt.__class__ is str and _REPLY_TO.fullmatch(rt))
        f = sub.get("force")
        self.force_bad = f is not None and f.__class__ is not bool
        meta = sub.get("meta")
        if meta is None or meta.__class__ not in (dict, list):
            self.meta_json = jsonout.value(meta)
        elif _deeper(meta, _META_MAX_DEPTH):
            self.meta_json = None  # too deep: echoed as null, and an error
        else:
            self.meta_json = jsonout.value(meta)


def _cut(s):
    """(s cut to _ANSWER_MAX bytes of UTF-8 on a character boundary, whether it was cut)."""
    if len(s) * 4 <= _ANSWER_MAX:
        return s, False
    b = s.encode("utf-8")
    if len(b) <= _ANSWER_MAX:
        return s, False
    return b[:_ANSWER_MAX].decode("utf-8", "ignore"), True


def _explain(reason, text):
    return ',"reason":"' + reason + '","explanation":' + jsonout.string(text)


_FORBIDDEN = _explain("forbidden", "The answer contains something it must not.")
_NOT_WHOLE = _explain("no_match", "The answer as a whole is not in the expected form.")
_NO_MATCH = _explain("no_match", "The answer does not contain what this check looks for.")
_NOT_FOUND = _explain("number_not_found", "No number was found where the question expects it.")
_NO_NUMBER = _explain("no_answer", "No number was given.")
_PARTIAL_GROUP = _explain("partial_group", "Some of what this question looks for is there.")
_GROUP_NOT_MET = _explain("group_not_met", "Not enough of what this question looks for is there.")


def _match_json(subj, ascii_subj, a, b):
    text = jsonout.string(subj[a:b])
    if not ascii_subj:
        a, b = len(subj[:a].encode("utf-8")), len(subj[:b].encode("utf-8"))
    return '{"start":%d,"end":%d,"text":%s}' % (a, b, text)


class Grader:
    """Grades submissions against a catalog (rubric.Catalog). graded_at: a fixed time, or None
    for the time of grading."""

    def __init__(self, catalog, graded_at=None):
        self.cat = catalog
        self.fixed_at = jsonout.string(graded_at) if graded_at is not None else None
        self._sec = -1
        self._at = None
        self.graded = 0  # results written with "status": "graded"
        self.failed = 0  # and with "status": "error"

    def _graded_at(self):
        if self.fixed_at is not None:
            return self.fixed_at
        now = int(time.time())
        if now != self._sec:
            self._sec = now
            self._at = '"' + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)) + '"'
        return self._at

    # -- errors ------------------------------------------------------------------------------

    def _tail(self, env):
        meta_json = env.meta_json if env is not None and env.meta_json is not None else "null"
        return ',"graded_at":' + self._graded_at() + ',"engine":' + ENGINE + ',"meta":' + meta_json + "}"

    def error(self, sub, r, code, message, env=None):
        """The result of a submission that is not graded."""
        self.failed += 1
        obj = isinstance(sub, dict)
        if obj and env is None:
            env = _Envelope(sub)
        sid = sub.get("id") if obj else None
        echo = isinstance(sid, str) and 1 <= _utf8_len(sid) <= 256 and "\0" not in sid
        learner = sub.get("learner") if obj else None
        return (
            '{"id":' + (jsonout.string(sid) if echo else "null")
            + ',"learner":' + (jsonout.string(learner) if isinstance(learner, str) else "null")
            + (',"submitted_at":"' + env.submitted + '"' if env is not None and env.submitted else "")
            + ',"rubric":' + (r.ref_json if r is not None else "null")
            + ',"status":"error","error":{"code":"' + code + '","message":'
            + jsonout.string(_scrub_cut(message, 599)) + "}" + self._tail(env)
        )

    # -- the whole submission --------------------------------------------------------------------

    def grade_bytes(self, raw):
        """The result, as JSON text, of one submission given as bytes."""
        if len(raw) > MAX_SUBMISSION:
            try:
                big = json.loads(raw.decode("utf-8"))
            except (ValueError, RecursionError):
                big = None
            return self.error(
                big, None, "too_large",
                "the submission is %d bytes, more than the limit of %d" % (len(raw), MAX_SUBMISSION),
            )
        if raw[:3] == b"\xef\xbb\xbf":
            return self.error(
                None, None, "malformed_json",
                "the submission starts with a UTF-8 byte order mark (BOM): send the JSON without it",
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            return self.error(
                None, None, "invalid_utf8",
                "the submission is not valid UTF-8 (byte %d): unable to decode byte 0x%02x"
                % (e.start, raw[e.start]),
            )
        try:
            sub = _decode(text)
            if "\\u" in text and not _escapes_ok(sub):
                raise _Bad("invalid Unicode escape or NUL in an object key")
        except (ValueError, RecursionError) as e:
            return self.error(None, None, "malformed_json", "the submission is not valid JSON: %s" % e)
        r = None
        if isinstance(sub, dict):
            rid = sub.get("rubric")
            ver = sub.get("rubric_version")
            if isinstance(rid, str):
                r = self.cat.find(rid, ver if isinstance(ver, str) else None)
                if r is None and isinstance(ver, str):
                    r = self.cat.find(rid, None)
        return self.grade(r, sub)

    def _validate(self, r, sub, env):
        if not isinstance(sub, dict):
            return self.error(sub, None, "not_an_object", "a submission must be a JSON object")
        e = self.error
        error = lambda sub, r, code, message: e(sub, r, code, message, env)  # noqa: E731
        sid = sub.get("id")
        if sid is None and "id" not in sub:
            return error(sub, None, "missing_field", 'the submission has no "id"')
        if not isinstance(sid, str) or not 1 <= _utf8_len(sid) <= 256 or "\0" in sid:
            return error(sub, None, "wrong_type", '"id" must be a string of 1 to 256 bytes without NUL')
        if "rubric" not in sub:
            return error(sub, None, "missing_field", 'the submission has no "rubric" (the rubric\'s id)')
        rid = sub["rubric"]
        if not isinstance(rid, str) or "\0" in rid:
            return error(sub, None, "wrong_type", '"rubric" must be a string (the rubric\'s id)')
        if r is None or rid != r.id:
            return error(sub, None, "unknown_rubric", 'no rubric with id "%s" is loaded' % _scrub_cut(rid, 128))
        ver = sub.get("rubric_version")
        if ver is not None:
            if not isinstance(ver, str) or "\0" in ver:
                return error(sub, None, "wrong_type", '"rubric_version" must be a string')
            if ver != r.version:
                return error(
                    sub, None, "unknown_rubric_version",
                    'rubric "%s" has no version "%s" loaded' % (r.id, _scrub_cut(ver, 64)),
                )
        learner = sub.get("learner")
        if learner is not None and not (isinstance(learner, str) and "\0" not in learner):
            return error(sub, r, "wrong_type", '"learner" must be a string')
        if env.submitted_problem:
            return error(sub, r, "wrong_type", '"submitted_at" must be %s: %s' % (_TIME_FORM, env.submitted_problem))
        if env.enqueued_problem:
            return error(sub, r, "wrong_type", '"enqueued_at" must be %s: %s' % (_TIME_FORM, env.enqueued_problem))
        if env.reply_to_bad:
            return error(
                sub, r, "wrong_type",
                '"reply_to" must be a string of 1 to 64 characters, each a letter, a digit or one of . _ : -',
            )
        if env.force_bad:
            return error(sub, r, "wrong_type", '"force" must be true or false')
        if env.meta_json is None:
            return error(
                sub, r, "too_large",
                '"meta" is nested more than %d levels deep: send deeper structures as a string' % _META_MAX_DEPTH,
            )
        if "responses" not in sub:
            return error(sub, r, "missing_field", 'the submission has no "responses"')
        resp = sub["responses"]
        if not isinstance(resp, dict):
            return error(sub, r, "wrong_type", '"responses" must be an object: item id -> answer')
        if len(resp) > MAX_RESPONSES:
            return error(
                sub, r, "too_large",
                "%d responses is more than the limit of %d" % (len(resp), MAX_RESPONSES),
            )
        return None

    def grade(self, r, sub):
        """The result, as JSON text, of a parsed submission for rubric r (None: not found)."""
        env = _Envelope(sub) if sub.__class__ is dict else None
        bad = self._validate(r, sub, env)
        if bad is not None:
            return bad
        responses = sub["responses"]
        BC = r.BC
        comp_num = [0] * len(r.comps)
        score_units = 0
        learner = sub.get("learner")
        out = [
            '{"id":', jsonout.string(sub["id"]),
            ',"learner":', jsonout.string(learner) if learner.__class__ is str else "null",
            ',"submitted_at":"' + env.submitted + '"' if env.submitted else "",
            ',"rubric":', r.ref_json, ',"status":"graded","score":', None,
            ',"max_score":', r.max_str, ',"feedback":', None, ',"check_errors":0,"competencies":[', None,
            '],"items":[',
        ]
        add = out.append
        first_item = True
        for it in r.items:
            a = responses.get(it.id)
            if a.__class__ is str and len(a) <= _ANSWER_CHARS_SURELY_OK and "\0" not in a:
                answer = a if a.strip(decimals.WHITE) else None
                problem = None
            else:
                answer, problem = _answer(a)
            iscore = 0
            if not first_item:
                add(",")
            first_item = False
            add(it.head)
            if answer is not None or problem:
                add('true,"answer":')
                echo = a if a.__class__ is str else answer if answer is not None else jsonout.value(a)
                echo, cut = _cut(echo)
                add(jsonout.string(echo))
                if cut:
                    add(',"answer_truncated":true')
            else:
                add("false")
            add(',"score":')
            score_at = len(out)
            add(None)
            add(it.max_tail)
            if answer is None and problem is None:
                add(it.no_answer_checks)
                add("]}")
                out[score_at] = "0"
                continue
            first_check = True
            subjects = [None, None, None, None]
            for c in it.checks:
                if not first_check:
                    add(",")
                first_check = False
                if problem is not None:
                    add(_problem_json(c, problem))
                    continue
                credit, text = _check(c, answer, subjects, r, False)
                add(text)
                if credit:
                    iscore += c.p_units * credit
                    for k, wu in c.ev:
                        comp_num[k] += wu * credit
            add("]}")
            score_units += iscore
            out[score_at] = it.max_str if iscore == it.max_units else jsonout.ratio(iscore, BC)
        score_text = jsonout.ratio(score_units, BC)
        out[8] = score_text

        comps_out = []
        mastered = 0
        for k, n in zip(r.comps, comp_num):
            if k.total:
                lv = 0
                for li, (q, t) in enumerate(k.levels):
                    if n * q >= t:
                        lv = li
                comps_out.append(k.head + jsonout.ratio(n, k.score_den) + ',"score_exact":"'
                                 + _exact(n, k.score_den) + '"' + k.level_tail[lv])
            else:  # named by no check (lint refuses that): score 0, the first level
                lv = 0
                comps_out.append(k.head + '0,"score_exact":"0"' + k.level_tail[0])
            mastered += lv >= k.mastery
        out[14] = ",".join(comps_out)
        nc = len(r.comps)
        line = "%s of %s point%s" % (score_text, r.max_str, "" if r.max_str == "1" else "s")
        if nc:
            line += "; %d of %d %s mastered" % (mastered, nc, "competency" if nc == 1 else "competencies")
        out[12] = jsonout.string(line)

        add('],"warnings":[')
        index = r.item_index
        if len(responses) != len(index) or any(key not in index for key in responses):
            add(
                ",".join(
                    jsonout.string('response "%s" matches no item of the rubric' % _scrub_cut(key, 64))
                    for key in responses
                    if key not in index
                )
            )
        add("]")
        add(self._tail(env))
        self.graded += 1
        return "".join(out)


def _exact(n, d):
    """n/d in lowest terms as the engine's score_exact writes it: "p/q", or "p" when q is 1."""
    g = math.gcd(n, d)
    n //= g
    d //= g
    return "%d" % n if d == 1 else "%d/%d" % (n, d)


def _answer(v):
    """(answer text or None for no answer, problem code or None)."""
    if v is None:
        return None, None
    if isinstance(v, str):
        if len(v) * 4 > MAX_ANSWER and len(v.encode("utf-8")) > MAX_ANSWER:
            return v, "too_long"
        if "\0" in v:
            return v, "nul_byte"
        s = v
    elif isinstance(v, bool) or not isinstance(v, (int, float)):
        return None, "wrong_type"
    elif isinstance(v, int):
        s = str(v)
    else:
        s = "%.*g" % (_double_digits(v), v)
    if not s.strip(decimals.WHITE):
        return None, None
    return s, None


_PROBLEM_TEXT = {
    "too_long": "The answer is longer than %d bytes." % MAX_ANSWER,
    "nul_byte": "The answer contains a NUL character.",
    "wrong_type": "The answer must be text or a number.",
}


def _problem_json(c, problem):
    return (
        c.head + 'invalid","points":0,"max_points":' + c.max_str + ',"feedback":' + c.fb_fail
        + _explain(problem, _PROBLEM_TEXT[problem]) + "}"
    )


def _collapse(s):
    """Each run of White_Space as one space. str.split() splits on White_Space and also on
    U+001C..U+001F, which are not White_Space: a text holding those takes the regex."""
    if _NOT_WHITE_SPACE.search(s) is not None:
        return _COLLAPSE.sub(" ", s)
    if not s:
        return s
    inner = " ".join(s.split())
    if not inner:
        return " "
    head = " " if s[0] in _WHITE_SET else ""
    tail = " " if s[-1] in _WHITE_SET else ""
    return head + inner + tail


def _subject(c, answer, subjects):
    """The answer as c's pattern wants it (trimmed, collapsed), made once per item: subjects
    is the item's list of four slots."""
    s = subjects[c.slot]
    if s is None:
        s = answer
        if c.trim:
            s = s.strip(decimals.WHITE)
        if c.collapse:
            s = _collapse(s)
        s = (s, s.isascii())
        subjects[c.slot] = s
    return s


def _check(c, answer, subjects, r, member):
    """(credit in units of 1/r.C, JSON text) of one check on an answer (None: no answer)."""
    if answer is None:
        return 0, c.no_answer_json
    credit, status, body = c.evaluate(c, answer, subjects, r)
    if status == "correct":
        return credit, c.correct_head + body + "}"
    if status == "incorrect":
        return credit, c.incorrect_head + body + "}"
    if status == "invalid":
        return credit, c.invalid_head + body + "}"
    # partial
    C = r.C
    if member:
        nums = '","credit":' + jsonout.ratio(credit, C)
    else:
        nums = '","points":' + jsonout.ratio(c.p_units * credit, r.BC) + ',"max_points":' + c.max_str
    return credit, c.head + status + nums + ',"feedback":' + c.fb_partial + body + "}"


def _pattern(c, answer, subjects, r):
    C = r.C
    subj, ascii_subj = _subject(c, answer, subjects)
    if c.mode == "count":
        n = len(subj)
        count = 0
        start = 0
        first = "null"
        search = c.rx.search
        while start <= n:
            m = search(subj, start)
            if m is None:
                break
            a, b = m.span()
            if count == 0:
                first = _match_json(subj, ascii_subj, a, b)
            count += 1
            start = b if b > a else b + 1
            if b == n and a == b:
                break
        body = c.mode_json + ',"match":' + first + ',"count":%d' % count
        if count >= c.count_min and (c.count_max is None or count <= c.count_max):
            return C, "correct", body
        es = "" if count == 1 else "es"
        if c.count_max is None:
            why = "Found %d match%s; at least %d needed." % (count, es, c.count_min)
        else:
            why = "Found %d match%s; between %d and %d needed." % (count, es, c.count_min, c.count_max)
        return 0, "incorrect", body + _explain("count", why)
    m = c.match(subj)
    body = c.mode_json + ',"match":' + ("null" if m is None else _match_json(subj, ascii_subj, m.start(), m.end()))
    if c.mode == "forbid":
        if m is None:
            return C, "correct", body
        return 0, "incorrect", body + _FORBIDDEN
    if m is not None:
        return C, "correct", body
    if c.mode == "whole":
        return 0, "incorrect", body + _NOT_WHOLE
    return 0, "incorrect", body + _NO_MATCH


def _compare(c, x):
    cmp = c.cmp
    ctx = decimals.CTX
    if cmp == "exact":
        return x == c.expected, "not_equal"
    if cmp == "abs":
        return ctx.subtract(c.expected, c.below) <= x <= ctx.add(c.expected, c.above), "out_of_tolerance"
    if cmp == "rel":
        return ctx.abs(ctx.subtract(x, c.expected)) <= ctx.multiply(ctx.abs(c.expected), c.rel), "out_of_tolerance"
    if cmp == "interval":
        lo_ok = c.lo < x if c.lo_open else c.lo <= x
        hi_ok = x < c.hi if c.hi_open else x <= c.hi
        return lo_ok and hi_ok, "outside_interval"
    if cmp == "places":
        return decimals.round_places(x, c.round_n) == decimals.round_places(c.expected, c.round_n), "not_equal_when_rounded"
    return decimals.round_figures(x, c.round_n) == decimals.round_figures(c.expected, c.round_n), "not_equal_when_rounded"


def _numeric(c, answer, subjects, r):
    C = r.C
    body = ""
    text = answer
    if c.source is not None:
        m = c.source.search(answer)
        if m is None or m.start(c.source_group) < 0:
            return 0, "incorrect", _NOT_FOUND
        a, b = m.span(c.source_group)
        text = answer[a:b]
        body = ',"match":' + _match_json(answer, answer.isascii(), a, b)
    try:
        nr = decimals.read_answer(text, r.dsep, r.grouping, c.has_units)
    except decimals.Empty:
        return 0, "incorrect", body + _NO_NUMBER
    except decimals.NumberError as e:
        return 0, "invalid", body + _explain("not_a_number", str(e))
    body += ',"value":"' + decimals.to_text(nr.value) + '","sig_figs":%d' % nr.sig_figs
    x = nr.value
    unit_reason = None
    unit_problem = ""
    if c.has_units:
        if nr.unit is not None:
            body += ',"unit":' + jsonout.string(nr.unit)
            mult = c.units.get(nr.unit)
            if mult is not None:
                x = decimals.CTX.multiply(x, mult)
            else:
                unit_reason = "unknown_unit"
                unit_problem = 'The unit "%s" is not one this question accepts.' % _scrub_cut(nr.unit, 40)
        else:
            body += ',"unit":null'
            if c.unit_required:
                unit_reason = "missing_unit"
                unit_problem = "The answer needs a unit."
        body += ',"value_in_base_unit":"' + decimals.to_text(x) + '"'
    ok, reason = _compare(c, x)
    if not ok:
        why = "The value is not right. " + unit_problem if unit_reason else "The value is not right."
        return 0, "incorrect", body + _explain(reason, why)
    penalty = 0
    notes = ""
    why = None
    if unit_reason:
        penalty += c.unit_pen_c
        notes = unit_problem
        why = unit_reason
    sig = c.sig
    sig_ok = sig is None or (nr.sig_figs == c.sig_n if sig == "exactly" else nr.sig_figs >= c.sig_n)
    if not sig_ok:
        notes += "%sThe answer has %d significant figure%s; the question asks for %s%d." % (
            " " if notes else "", nr.sig_figs, "" if nr.sig_figs == 1 else "s",
            "at least " if sig == "at_least" else "", c.sig_n,
        )
        if not c.sig_has_penalty:
            return 0, "incorrect", body + _explain("sig_figs", notes)
        penalty += c.sig_pen_c
        why = "unit_and_sig_figs" if why else "sig_figs"
    if penalty == 0:
        return C, "correct", body
    credit = C - penalty
    body += _explain(why, "The value is right. " + notes)
    if credit <= 0:
        return 0, "incorrect", body
    return credit, "partial", body


def _group(c, answer, subjects, r):
    C = r.C
    total = 0
    members = []
    for m in c.members:
        credit, text = _check(m, answer, subjects, r, True)
        total += credit
        members.append(text)
    credit = total // c.needed
    if credit > C:
        credit = C
    if not c.partial_credit and credit < C:
        credit = 0
    body = ',"needed":%d,"checks":[' % c.needed + ",".join(members) + "]"
    if credit == C:
        return C, "correct", body
    if credit > 0:
        return credit, "partial", body + _PARTIAL_GROUP
    return 0, "incorrect", body + _GROUP_NOT_MET
