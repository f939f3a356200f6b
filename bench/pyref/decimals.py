"""decimals.py - numbers for the reference grader: the learner number grammar, rubric numbers,
exact comparison and rounding, and the engine's canonical text of a value.

A port of engine/src/decimal.c (docs/rubric-format.md, "Numbers learners write" and "Numbers
in a rubric"). Values are decimal.Decimal in a context wide enough that every sum, difference
and product a check makes is exact (Inexact is trapped, so a rounding would raise instead of
passing silently). The grammar works on str: each multi-byte UTF-8 sequence the engine
compares bytewise (U+2212, U+00D7, U+00A0, U+202F) is one code point here.
"""

import decimal
import re

CTX = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    rounding=decimal.ROUND_HALF_UP,
    traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow],
)
# Rounding is meant to be inexact: the same range, without the trap.
ROUNDING = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    rounding=decimal.ROUND_HALF_UP,
    traps=[decimal.InvalidOperation, decimal.Overflow],
)
D = decimal.Decimal
ZERO = D(0)

MAX_DIGITS = 1000
MAX_EXP = 1000
POWER_CAP = 100000000
PLAIN_MAX = 40

# Unicode White_Space (engine/src/text.h).
WHITE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_WHITE_SET = frozenset(WHITE)
MINUS = "\u2212"
TIMES = "\u00d7"
_DIGITS = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")


class NumberError(Exception):
    """An answer that is not a number as the question expects it (the reason is for people)."""


class Empty(Exception):
    """An empty or whitespace-only answer."""


def _normal(d):
    """d without trailing zeros in its coefficient (zero as 0E+0)."""
    if not d:
        return ZERO
    return d.normalize(CTX)


# ---- rubric numbers ------------------------------------------------------------------------


def _written_value(neg, digits, intd, power):
    """The value of digits (a str) with intd of them before the point, times 10^power;
    None when out of range (the checks of build_value in decimal.c)."""
    if len(digits) > MAX_DIGITS:
        return "digits"
    k = 0
    n = len(digits)
    while k < n and digits[k] == "0":
        k += 1
    if k == n:
        return ZERO
    if power is None:
        return "range"
    lead = intd - 1 - k + power
    if lead > MAX_EXP or lead < -MAX_EXP:
        return "range"
    return _normal(D((1 if neg else 0, tuple(int(c) for c in digits[k:]), power - (n - intd))))


def _scan_power(s, pos, end, unicode):
    """(bytes read, power or None when beyond POWER_CAP); (0, 0) when no signed integer."""
    neg = False
    p = pos
    if p < end and s[p] in "+-":
        neg = s[p] == "-"
        p += 1
    elif unicode and p < end and s[p] == MINUS:
        neg = True
        p += 1
    if p >= end or s[p] not in _DIGITS:
        return 0, 0
    v = 0
    big = False
    while p < end and s[p] in _DIGITS:
        if not big:
            v = v * 10 + ord(s[p]) - 48
            if v > POWER_CAP:
                big = True
        p += 1
    return p - pos, (None if big else (-v if neg else v))


def rubric_number(v):
    """A rubric number (JSON int, float or decimal string) as an exact Decimal; ValueError
    when it is not one."""
    if isinstance(v, bool) or v is None:
        raise ValueError("not a number")
    if isinstance(v, int):
        return _normal(D(v))
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("the number is not finite")
        # repr is the shortest decimal that reads back as v, which is what the engine
        # recovers with "%.*e" at the fewest digits that round-trip.
        return _normal(D(repr(v)))
    if not isinstance(v, str) or "\0" in v:
        raise ValueError("not a decimal number")
    s, n, pos = v, len(v), 0
    neg = False
    if pos < n and s[pos] in "+-":
        neg = s[pos] == "-"
        pos += 1
    start = pos
    while pos < n and s[pos] in _DIGITS:
        pos += 1
    digits = s[start:pos]
    intd = len(digits)
    if pos < n and s[pos] == ".":
        pos += 1
        f = pos
        while pos < n and s[pos] in _DIGITS:
            pos += 1
        digits += s[f:pos]
    if not digits:
        raise ValueError('"%s" is not a decimal number' % v)
    power = 0
    if pos < n and s[pos] in "eE":
        used, power = _scan_power(s, pos + 1, n, False)
        if used == 0:
            raise ValueError('"%s" is not a decimal number' % v)
        pos += 1 + used
    if pos != n:
        raise ValueError('"%s" is not a decimal number' % v)
    r = _written_value(neg, digits, intd, power)
    if isinstance(r, str):
        raise ValueError('"%s" is out of range' % v)
    return r


# ---- exact arithmetic and text ---------------------------------------------------------------


def round_places(x, places):
    """x rounded half away from zero to `places` digits after the point."""
    if not x:
        return ZERO
    return _normal(x.quantize(D((0, (1,), -places)), context=ROUNDING))


def round_figures(x, figures):
    """x rounded half away from zero to `figures` significant figures."""
    if not x:
        return ZERO
    x = _normal(x)
    nd = len(x.as_tuple().digits)
    if figures >= nd:
        return x
    target = x.as_tuple().exponent + nd - figures
    return _normal(x.quantize(D((0, (1,), target)), context=ROUNDING))


def to_text(d):
    """The engine's canonical text: plain notation without trailing fractional zeros, or
    d.ddde<exp> when the plain form would be longer than 40 characters."""
    if not d:
        return "0"
    d = _normal(d)
    plain = format(d, "f")
    if len(plain) <= PLAIN_MAX:
        return plain
    sign, digs, exp = d.as_tuple()
    dig = "".join(map(str, digs))
    nd = len(dig)
    s = 1 if sign else 0
    plain = PLAIN_MAX + 1
    if nd + s <= PLAIN_MAX:
        if exp >= 0:
            if exp <= PLAIN_MAX - nd - s:
                plain = nd + s + exp
        else:
            frac = -exp
            if frac < nd:
                plain = nd + s + 1
            elif frac <= PLAIN_MAX:
                plain = s + 2 + frac
    neg = "-" if sign else ""
    if plain <= PLAIN_MAX:
        if exp >= 0:
            return neg + dig + "0" * exp
        frac = -exp
        if frac < nd:
            return neg + dig[: nd - frac] + "." + dig[nd - frac :]
        return neg + "0." + "0" * (frac - nd) + dig
    sci = exp + nd - 1
    return neg + dig[0] + ("." + dig[1:] if nd > 1 else "") + "e%d" % sci


# ---- learner answers -----------------------------------------------------------------------


class Read:
    """A number read from an answer: value (Decimal), sig_figs, unit (str or None)."""

    __slots__ = ("value", "sig_figs", "unit")

    def __init__(self, value, sig_figs, unit):
        self.value = value
        self.sig_figs = sig_figs
        self.unit = unit


def _space_end(s, pos, end):
    while pos < end and s[pos] in _WHITE_SET:
        pos += 1
    return pos


class _Reader:
    __slots__ = ("s", "end", "dsep", "other", "grouping")


def _wrong_separator(rd):
    raise NumberError(
        "this question expects a decimal point, not a comma"
        if rd.dsep == "."
        else "this question expects a decimal comma, not a point"
    )


def _bad_grouping(rd, other_sep):
    if not other_sep:
        raise NumberError(
            "badly formed digit groups: groups must have three digits (the first one to "
            "three), as in 1 500 000"
        )
    raise NumberError(
        "badly formed digit groups (write 1,500 or 1500); this question expects a decimal "
        "point, not a comma"
        if rd.dsep == "."
        else "badly formed digit groups (write 1.500 or 1500); this question expects a "
        "decimal comma, not a point"
    )


def _group_char(rd, pos):
    if pos >= rd.end:
        return None
    c = rd.s[pos]
    if c == rd.other or c == " " or c == "\xa0" or c == "\u202f":
        return c
    return None


def _digit_run(s, pos, end):
    p = pos
    while p < end and s[p] in _DIGITS:
        p += 1
    return p


def _sign_at(s, pos, end):
    """(length, negative) of a sign '+', '-' or U+2212 at pos; (0, False) when none."""
    if pos < end:
        c = s[pos]
        if c == "+" or c == "-" or c == MINUS:
            return 1, c != "+"
    return 0, False


# The plain forms almost every answer takes: an ASCII sign, digits with an optional fraction,
# and optionally a unit after optional White_Space that starts with none of the characters
# that could make it an exponent, a grouping, a fraction or a mistake. What this matches,
# the full reader below reads the same way; everything else goes to the full reader.
_UNIT_FIRST = "[^0-9.,*^+\\-\u2212\u00d7xXeE/" + WHITE + "]"
_FAST = {}
for _sep in ".,":
    _num = "([+-]?)([0-9]*)(?:(" + re.escape(_sep) + ")([0-9]*))?"
    _FAST[_sep, False] = re.compile(_num)
    _FAST[_sep, True] = re.compile(_num + "(?:[" + WHITE + "]*(" + _UNIT_FIRST + ".*))?", re.S)


def _read_fast(t, dsep, allow_unit):
    m = _FAST[dsep, allow_unit].fullmatch(t)
    if m is None:
        return None
    intp, frac = m.group(2), m.group(4) or ""
    digits = intp + frac
    if not digits or len(digits) > MAX_DIGITS:
        return None
    point = m.group(3) is not None
    v = D(m.group(1) + (intp or "0") + "." + frac) if point else D(m.group(1) + intp)
    return Read(_normal(v), _sig_figs(digits, len(intp), point), m.group(5) if allow_unit else None)


def read_answer(s, dsep, grouping, allow_unit):
    """Reads an answer as a number (decimal.c's assay__dec_parse_answer). Raises Empty for an
    empty or whitespace-only answer and NumberError with the reason for anything else that
    is not a number."""
    t = s.strip(WHITE)
    if not t:
        raise Empty()
    fast = _read_fast(t, dsep, allow_unit)
    if fast is not None:
        return fast
    s = t
    start = 0
    end = len(s)
    rd = _Reader()
    rd.s = s
    rd.end = end
    rd.dsep = dsep
    rd.other = "," if dsep == "." else "."
    rd.grouping = grouping

    pos = start
    slen, neg = _sign_at(s, pos, end)
    pos += slen
    if _sign_at(s, pos, end)[0]:
        raise NumberError("the number has more than one sign")

    # integer part, with thousands groups
    p = _digit_run(s, pos, end)
    digits = s[pos:p]
    run = p - pos
    pos = p
    intd = run
    if grouping and run > 0:
        gch = None
        while pos < end:
            g = _group_char(rd, pos)
            if g is None or pos + 1 >= end or s[pos + 1] not in _DIGITS:
                break
            other = g == rd.other
            if gch is None:
                if run > 3 or digits[0] == "0":
                    _bad_grouping(rd, other)
                gch = g
            elif g != gch:
                raise NumberError("the number mixes different characters between digit groups")
            pos += 1
            p = _digit_run(s, pos, end)
            digits += s[pos:p]
            run = p - pos
            pos = p
            intd += run
            if run != 3:
                _bad_grouping(rd, other)

    if pos < end and s[pos] == rd.other:
        if grouping and intd > 0:
            _bad_grouping(rd, True)
        _wrong_separator(rd)
    point = False
    if pos < end and s[pos] == dsep:
        point = True
        pos += 1
        p = _digit_run(s, pos, end)
        digits += s[pos:p]
        pos = p
    if not digits:
        raise NumberError("the answer is not a number")
    if pos < end and s[pos] == rd.other:
        _wrong_separator(rd)
    if pos < end and s[pos] == dsep:
        raise NumberError(
            "the number has more than one decimal point"
            if dsep == "."
            else "the number has more than one decimal comma"
        )
    if grouping and point and len(digits) > intd:
        g = _group_char(rd, pos)
        if g is not None and pos + 1 < end and s[pos + 1] in _DIGITS:
            raise NumberError(
                "digits may be grouped only before the decimal point"
                if dsep == "."
                else "digits may be grouped only before the decimal comma"
            )
    if (
        digits == "0"
        and not point
        and pos + 1 < end
        and s[pos] in "xX"
        and s[pos + 1] in _HEX
    ):
        raise NumberError("hexadecimal numbers are not accepted")

    # exponent
    mant_end = pos
    power = 0
    has_exp = False
    if pos < end and s[pos] in "eE":
        used, pw = _scan_power(s, pos + 1, end, True)
        if used > 0:
            pos += 1 + used
            power = pw
            has_exp = True
    else:
        q = _space_end(s, pos, end)
        if q < end and s[q] in ("x", "*", TIMES):
            star = s[q] == "*"
            r = _space_end(s, q + 1, end)
            if r >= end or s[r] not in _DIGITS:
                if s[q] != "x":
                    raise NumberError(
                        "a multiplication sign after a number must be followed by a power of "
                        "ten, as in 2.5×10^3"
                    )
            else:
                if s.startswith("10^", r, end):
                    op = 3
                elif star and s.startswith("10**", r, end):
                    op = 4
                else:
                    raise NumberError(
                        "write a power of ten as ×10^ followed by a whole number, as in 2.5×10^3"
                    )
                used, pw = _scan_power(s, r + op, end, True)
                if used == 0:
                    raise NumberError(
                        "the power of ten is incomplete: write it as ×10^ followed by a whole "
                        "number, as in 2.5×10^-3"
                    )
                pos = r + op + used
                power = pw
                has_exp = True
    if has_exp and pos + 1 < end and s[pos] in ".," and s[pos + 1] in _DIGITS:
        raise NumberError("the power of ten must be a whole number")

    unit = None
    t = _space_end(s, pos, end)
    if t < end:
        after_slash = _space_end(s, t + 1, end)
        if s[t] == "/" and after_slash < end and s[after_slash] in _DIGITS:
            raise NumberError("fractions are not accepted: write a decimal number")
        if not allow_unit:
            if t == mant_end and s[t] in "eE":
                raise NumberError("the exponent after e is missing or incomplete")
            raise NumberError("unexpected text after the number")
        c = s[t]
        if c in _DIGITS or c in ".,*^" or c in "+-" or c == MINUS or c == TIMES:
            raise NumberError("unexpected text after the number")
        unit = s[t:end]

    value = _written_value(neg, digits, intd, power)
    if value == "digits":
        raise NumberError("the number has too many digits")
    if value == "range":
        raise NumberError("the number is too large or too small")
    return Read(value, _sig_figs(digits, intd, point), unit)


def _sig_figs(digits, intd, point):
    n = len(digits)
    k = 0
    while k < n and digits[k] == "0":
        k += 1
    if k == n:
        frac = n - intd
        return frac if frac > 0 else 1
    if point:
        return n - k
    last = n - 1
    while last > k and digits[last] == "0":
        last -= 1
    return last - k + 1
