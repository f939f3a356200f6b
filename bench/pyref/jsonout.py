"""jsonout.py - JSON text written the way Assay's results are written (jansson's compact dump
with JSON_REAL_PRECISION(15)), so that the reference grader's results can be compared with
`assay grade` byte for byte.

What that means, from jansson 2.14's dump.c and strconv.c:
- strings: `"` and `\\` escaped with a backslash, the control characters U+0000..U+001F as
  \\b \\f \\n \\r \\t or \\u00XX (upper-case hex); everything else, U+007F and U+2028
  included, written as UTF-8 as it is;
- integers in decimal; reals with "%.15g" (17 for a rubric's canonical form), then ".0"
  appended when that has neither "." nor "e", and the exponent without "+" or leading zeros
  ("1e+20" becomes "1e20", "1e-05" becomes "1e-5");
- objects and arrays compact, keys in the order given (or sorted, for the canonical form).
"""

import re

_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\]')
_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_one(m):
    c = m.group(0)
    s = _SHORT.get(c)
    return s if s is not None else "\\u%04X" % ord(c)


def string(s, _search=_NEEDS_ESCAPE.search, _sub=_NEEDS_ESCAPE.sub, _one=_escape_one):
    """A str as a JSON string, escaped as jansson escapes it."""
    if _search(s) is None:
        return '"' + s + '"'
    return '"' + _sub(_one, s) + '"'


def real(v, precision=15):
    """A finite float as jansson writes a real with JSON_REAL_PRECISION(precision)."""
    s = "%.*g" % (precision, v)
    if "e" in s:
        mant, exp = s.split("e")
        sign = "-" if exp[0] == "-" else ""
        digits = exp.lstrip("+-").lstrip("0") or "0"
        # jansson removes the zeros after the sign only up to the last digit: "1e+00" -> "1e0"
        return mant + "e" + sign + digits
    if "." not in s:
        s += ".0"
    return s


def ratio(num, den):
    """An exact rational num/den (den > 0) as the engine writes it: an integer when it is one,
    else the nearest double (Python's int division is correctly rounded) with 15 digits."""
    if num % den == 0:
        return str(num // den)
    return real(num / den)


def value(v, precision=15, sort_keys=False):
    """Any value made by json.loads (dict, list, str, int, float, bool, None)."""
    out = []
    _value(v, out, precision, sort_keys)
    return "".join(out)


def _scalar(v, precision):
    """The text of a scalar, or None for a dict or list."""
    t = v.__class__
    if t is str:
        return string(v)
    if t is int:
        return str(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is float:
        return real(v, precision)
    if t is dict or t is list:
        return None
    raise TypeError("cannot write %r as JSON" % t)


def _value(v, out, precision, sort_keys):
    s = _scalar(v, precision)
    if s is not None:
        out.append(s)
    elif v.__class__ is dict:
        out.append("{")
        first = True
        for k in sorted(v) if sort_keys else v:
            if not first:
                out.append(",")
            first = False
            out.append(string(k))
            out.append(":")
            _value(v[k], out, precision, sort_keys)
        out.append("}")
    else:
        out.append("[")
        first = True
        for x in v:
            if not first:
                out.append(",")
            first = False
            _value(x, out, precision, sort_keys)
        out.append("]")
