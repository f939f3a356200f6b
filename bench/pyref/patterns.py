"""patterns.py - a rubric's PCRE2 patterns translated to Python's `re` at load, or refused.

The engine compiles every pattern with PCRE2_UTF, PCRE2_UCP unless the check asks for
"ascii", the check's flags, and PCRE2_ANCHORED | PCRE2_ENDANCHORED in whole mode
(engine/src/pattern.c). Python's `re` on str is close to that but not equal; what differs and
what this module does about it:

- \\s: PCRE2 (UCP) matches Unicode White_Space; `re` also matches U+001C..U+001F, so \\s and
  \\S become explicit classes of the White_Space characters (\\S inside a class is refused).
- \\h \\H \\v \\V \\R \\N: PCRE2's horizontal and vertical space, newline sequence and
  non-newline become explicit classes (`re` reads \\v as a vertical tab); \\H and \\V inside a
  class are refused.
- \\d \\w \\b (UCP): both use Unicode categories (Nd; letters, numbers and underscore), left
  as they are. With "ascii" they become (?a:\\d) and so on, which is ASCII-only and not
  folded by caseless matching, as in PCRE2; inside a class they are written out as ASCII
  ranges, refused under caseless (`re` would fold a-z to the Kelvin sign and long s).
- \\Z means "end or before a final newline" in PCRE2 and "end" in `re`: \\Z becomes
  (?=\\n?\\Z) and \\z becomes \\Z. \\x{...}, \\o{...}, \\0nn, \\e, \\cX and \\Q...\\E become the
  characters they stand for; (?<name> and (?'name' become (?P<name>; \\k<name> becomes
  (?P=name).
- A "{" that does not start a PCRE2 10.42 quantifier is a literal ({,3} is a quantifier in
  `re`, a literal in PCRE2 10.42), so it is escaped.
- "extended" is applied here (white space and # comments dropped outside classes) rather
  than with re.VERBOSE, whose idea of white space differs.
- whole mode is matched with fullmatch (anchored at both ends, backtracking as PCRE2's
  ENDANCHORED does).

Refused (the rubric does not load in the reference grader, with the reason): \\p and \\P
(Unicode properties; `re` has none), POSIX classes [:alpha:], \\G \\K \\X \\C, \\g
references and subroutine calls, recursion, (?| branch reset, callouts, (*VERBS), option
settings in the middle of a pattern or letters other than i, m, s, conditions other than a
group number or name, multi-digit back references, and anything `re` itself cannot compile
(a lookbehind whose alternatives differ in length, for instance).

Not covered by any translation: caseless equivalences come from each library's own Unicode
tables (identical for the letters of the bench rubrics; the agreement test checks them), and
`re` has no match limits, so a runaway pattern never ends in the engine's "error" status.
"""

import re

WHITE_CLASS = "\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
HSPACE_CLASS = "\\t \\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
VSPACE_CLASS = "\\n\\x0b\\x0c\\r\\x85\\u2028\\u2029"
ASCII_IN_CLASS = {"d": "0-9", "w": "A-Za-z0-9_", "s": "\\t\\n\\x0b\\x0c\\r "}
_QUANT = re.compile(r"\{(\d+)(,(\d*))?\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
_OPTIONS = re.compile(r"\(\?([a-zA-Z^]*)(?:-([a-zA-Z]*))?([:)])")
_CONDITION = re.compile(r"(?:<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)'|(\d+)|([A-Za-z_]\w*))\)")
_EXT_SPACE = frozenset(" \t\n\x0b\x0c\r\x85\u200e\u200f\u2028\u2029")


class Untranslatable(Exception):
    """A pattern the reference grader cannot run with the engine's meaning."""


def _lit(c):
    """A character as a literal, inside or outside a class."""
    o = ord(c)
    if c.isalnum() and o < 128:
        return c
    if o < 0x20 or o == 0x7F:
        return "\\x%02x" % o
    if o < 128:
        return "\\" + c
    return c


class _Translator:
    def __init__(self, src, caseless, ascii_mode, extended):
        self.s = src
        self.i = 0
        self.n = len(src)
        self.caseless = caseless
        self.ascii = ascii_mode
        self.extended = extended
        self.out = []

    def fail(self, what, at=None):
        raise Untranslatable("%s at offset %d" % (what, self.i if at is None else at))

    def run(self):
        s = self.s
        while self.i < self.n:
            c = s[self.i]
            if self.extended and (c in _EXT_SPACE or c == "#"):
                if c == "#":
                    while self.i < self.n and s[self.i] != "\n":
                        self.i += 1
                self.i += 1
                continue
            if c == "\\":
                self.escape()
            elif c == "[":
                self.char_class()
            elif c == "(":
                self.group()
            elif c == ")":
                self.out.append(")")
                self.i += 1
            elif c == "{":
                m = _QUANT.match(s, self.i)
                if m:
                    self.out.append(m.group(0))
                    self.i = m.end()
                else:
                    self.out.append("\\{")
                    self.i += 1
            elif c == "}":
                self.out.append("\\}")
                self.i += 1
            elif c in ".^$|*+?":
                self.out.append(c)
                self.i += 1
            else:
                self.out.append(_lit(c))
                self.i += 1
        return "".join(self.out)

    # -- escapes outside a class -----------------------------------------------------------

    def escape(self):
        s = self.s
        if self.i + 1 >= self.n:
            self.fail("a trailing backslash")
        e = s[self.i + 1]
        self.i += 2
        out = self.out
        if e in "dDwWbB":
            out.append("(?a:\\%s)" % e if self.ascii else "\\" + e)
        elif e == "s":
            out.append("(?a:\\s)" if self.ascii else "[" + WHITE_CLASS + "]")
        elif e == "S":
            out.append("(?a:\\S)" if self.ascii else "[^" + WHITE_CLASS + "]")
        elif e == "h":
            out.append("[" + HSPACE_CLASS + "]")
        elif e == "H":
            out.append("[^" + HSPACE_CLASS + "]")
        elif e == "v":
            out.append("[" + VSPACE_CLASS + "]")
        elif e == "V":
            out.append("[^" + VSPACE_CLASS + "]")
        elif e == "R":
            out.append("(?>\\r\\n|[" + VSPACE_CLASS + "])")
        elif e == "A":
            out.append("\\A")
        elif e == "z":
            out.append("\\Z")
        elif e == "Z":
            out.append("(?=\\n?\\Z)")
        elif e == "N" and not (self.i < self.n and s[self.i] == "{"):
            out.append("[^\\n]")
        elif e == "Q":
            end = s.find("\\E", self.i)
            end = self.n if end < 0 else end
            out.append("".join(_lit(c) for c in s[self.i : end]))
            self.i = min(end + 2, self.n)
        elif e == "E":
            pass
        elif e == "k":
            self.named_reference()
        elif e in "123456789":
            if self.i < self.n and s[self.i] in "0123456789":
                self.fail("a back reference of more than one digit")
            out.append("\\" + e)
        else:
            out.append(_lit(self.character_escape(e)))

    def named_reference(self):
        s = self.s
        if self.i >= self.n or s[self.i] not in "<'{":
            self.fail("\\k without a name")
        close = {"<": ">", "'": "'", "{": "}"}[s[self.i]]
        m = _NAME.match(s, self.i + 1)
        if not m or m.end() >= self.n or s[m.end()] != close:
            self.fail("a \\k reference")
        self.out.append("(?P=%s)" % m.group(0))
        self.i = m.end() + 1

    def character_escape(self, e):
        """The character a character escape stands for (self.i is after the letter)."""
        s = self.s
        simple = {"a": "\x07", "e": "\x1b", "f": "\x0c", "n": "\n", "r": "\r", "t": "\t"}
        if e in simple:
            return simple[e]
        if e == "x":
            if self.i < self.n and s[self.i] == "{":
                end = s.find("}", self.i)
                if end < 0:
                    self.fail("\\x{ without }")
                return self.code_point(s[self.i + 1 : end], 16, end + 1)
            k = self.i
            while k < self.n and k < self.i + 2 and s[k] in "0123456789abcdefABCDEF":
                k += 1
            return self.code_point(s[self.i : k] or "0", 16, k)
        if e == "o":
            if self.i >= self.n or s[self.i] != "{":
                self.fail("\\o without {")
            end = s.find("}", self.i)
            if end < 0:
                self.fail("\\o{ without }")
            return self.code_point(s[self.i + 1 : end], 8, end + 1)
        if e == "0":
            k = self.i
            while k < self.n and k < self.i + 2 and s[k] in "01234567":
                k += 1
            return self.code_point("0" + s[self.i : k], 8, k)
        if e == "N":  # \N{U+hhhh}
            end = s.find("}", self.i)
            body = s[self.i + 1 : end] if end > 0 else ""
            if not body.startswith("U+"):
                self.fail("\\N{...} other than \\N{U+hhhh}")
            return self.code_point(body[2:], 16, end + 1)
        if e == "c":
            if self.i >= self.n or ord(s[self.i]) > 127:
                self.fail("\\c without an ASCII character")
            c = s[self.i]
            self.i += 1
            return chr(ord(c.upper()) ^ 0x40)
        if e.isascii() and e.isalnum():
            self.fail("the escape \\%s" % e, self.i - 2)
        return e

    def code_point(self, digits, base, after):
        try:
            v = int(digits, base)
        except ValueError:
            self.fail("a bad character code")
        if v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
            self.fail("a character code outside Unicode")
        self.i = after
        return chr(v)

    # -- character classes -------------------------------------------------------------------

    def char_class(self):
        s = self.s
        self.i += 1
        parts = ["["]
        if self.i < self.n and s[self.i] == "^":
            parts.append("^")
            self.i += 1
        first = True
        prev_single = False  # the last item was one character (a range may start there)
        while True:
            if self.i >= self.n:
                self.fail("a class without ]")
            c = s[self.i]
            if c == "]" and not first:
                self.i += 1
                break
            first = False
            if c == "[" and s.startswith(("[:", "[=", "[."), self.i):
                self.fail("a POSIX class")
            if c == "-" and prev_single and self.i + 1 < self.n and s[self.i + 1] != "]":
                # a range: the end must be one character too
                self.i += 1
                end = self.class_char()
                if end is None:
                    self.fail("a range that ends in a class escape")
                parts.append("-" + _lit(end))
                prev_single = False
                continue
            if c == "\\" and self.i + 1 < self.n and s[self.i + 1] == "Q":
                end = s.find("\\E", self.i + 2)
                end = self.n if end < 0 else end
                parts.append("".join(_lit(x) for x in s[self.i + 2 : end]))
                self.i = min(end + 2, self.n)
                prev_single = False
                continue
            if c == "\\" and self.i + 1 < self.n and s[self.i + 1] == "E":
                self.i += 2
                continue
            set_text = self.class_escape()
            if set_text is not None:
                parts.append(set_text)
                prev_single = False
                continue
            ch = self.class_char()
            parts.append(_lit(ch))
            prev_single = True
        parts.append("]")
        self.out.append("".join(parts))

    def class_escape(self):
        """The class text of a set escape at self.i (\\d, \\s, ...), or None when it is not one."""
        s = self.s
        if s[self.i] != "\\" or self.i + 1 >= self.n:
            return None
        e = s[self.i + 1]
        if e in "dws":
            self.i += 2
            if not self.ascii:
                return WHITE_CLASS if e == "s" else "\\" + e
            if self.caseless and e == "w":
                self.fail("\\w inside a class with ascii and caseless")
            return ASCII_IN_CLASS[e]
        if e in "DW":
            if self.ascii:
                self.fail("\\%s inside a class with ascii" % e)
            self.i += 2
            return "\\" + e
        if e == "h":
            self.i += 2
            return HSPACE_CLASS
        if e == "v":
            self.i += 2
            return VSPACE_CLASS
        if e in "SHVpPNRX":
            self.fail("\\%s inside a class" % e)
        return None

    def class_char(self):
        """One character of a class at self.i (escapes decoded); None for a set escape."""
        s = self.s
        c = s[self.i]
        if c != "\\":
            self.i += 1
            return c
        if self.i + 1 >= self.n:
            self.fail("a trailing backslash")
        e = s[self.i + 1]
        if e in "dDwWsShHvVpPNRX":
            return None
        self.i += 2
        if e == "b":
            return "\x08"
        return self.character_escape(e)

    # -- groups ------------------------------------------------------------------------------

    def group(self):
        s = self.s
        out = self.out
        at_start = self.i == 0
        if s.startswith("(*", self.i):
            self.fail("a (*VERB)")
        if not s.startswith("(?", self.i):
            out.append("(")
            self.i += 1
            return
        rest = s[self.i + 2 : self.i + 5]
        if rest.startswith("#"):
            end = s.find(")", self.i)
            if end < 0:
                self.fail("a comment without )")
            self.i = end + 1
            return
        for same in (":", "=", "!", "<=", "<!", ">"):
            if rest.startswith(same):
                out.append("(?" + same)
                self.i += 2 + len(same)
                return
        if rest.startswith(("<", "'", "P<")):
            k = self.i + 2 + (2 if rest.startswith("P<") else 1)
            close = "'" if rest.startswith("'") else ">"
            m = _NAME.match(s, k)
            if not m or m.end() >= self.n or s[m.end()] != close:
                self.fail("a group name")
            out.append("(?P<%s>" % m.group(0))
            self.i = m.end() + 1
            return
        if rest.startswith("P="):
            m = _NAME.match(s, self.i + 4)
            if not m or m.end() >= self.n or s[m.end()] != ")":
                self.fail("a (?P= reference")
            out.append("(?P=%s)" % m.group(0))
            self.i = m.end() + 1
            return
        if rest.startswith("("):
            self.condition()
            return
        if rest[:1] in ("R", "&") or rest[:1].isdigit() or (rest[:1] in "+-" and rest[1:2].isdigit()):
            self.fail("recursion or a subroutine call")
        m = _OPTIONS.match(s, self.i)
        if m:
            on, off, end = m.group(1), m.group(2) or "", m.group(3)
            if set(on + off) - set("ims") or "^" in on:
                self.fail("an option letter other than i, m, s")
            if end == ":":
                out.append(m.group(0))
                self.i = m.end()
                return
            if at_start and not off:
                out.append(m.group(0))
                self.i = m.end()
                return
            self.fail("an option setting after the start of the pattern")
        self.fail("the group syntax (?%s" % rest[:1])

    def condition(self):
        s = self.s
        k = self.i + 3
        m = _CONDITION.match(s, k)
        if not m or m.group(4) in ("R", "DEFINE") or (m.group(4) or "").startswith("R"):
            self.fail("a condition other than a group number or name")
        name = m.group(1) or m.group(2) or m.group(3) or m.group(4)
        self.out.append("(?(%s)" % name)
        self.i = m.end()


def translate(src, caseless=False, ascii_mode=False, extended=False):
    """The `re` pattern text for a PCRE2 pattern; Untranslatable when there is none."""
    return _Translator(src, caseless, ascii_mode, extended).run()


def compile_pattern(src, flags=(), ascii_mode=False):
    """A compiled `re` pattern with the meaning the engine gives src under the rubric's flags
    (caseless, multiline, dotall, extended); Untranslatable when there is none."""
    flags = set(flags)
    text = translate(src, "caseless" in flags, ascii_mode, "extended" in flags)
    reflags = 0
    if "caseless" in flags:
        reflags |= re.IGNORECASE
    if "multiline" in flags:
        reflags |= re.MULTILINE
    if "dotall" in flags:
        reflags |= re.DOTALL
    try:
        return re.compile(text, reflags)
    except re.error as e:
        raise Untranslatable("Python's re refuses the translation %r: %s" % (text, e))
