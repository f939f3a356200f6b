#!/usr/bin/python3
"""gen.py - the hostile inputs that are too big to keep in the repository.

run.py asks for them by name ("gen:NAME" in submissions.tsv and rubrics.tsv) and this
module writes each one once into a temporary directory. Run it by hand to look at one:

    /usr/bin/python3 tests/hostile/gen.py OUT_DIR [NAME...]   # every input when no NAME

Each generator is deterministic: the same name always gives the same bytes.
"""
import json
import os
import sys

KIB = 1024
MIB = 1024 * 1024

# The limits of docs/rubric-format.md and docs/protocol.md (assay_limits_default()).
MAX_SUBMISSION = 1 * MIB
MAX_RESPONSES = 10000
MAX_ANSWER = 64 * KIB
MAX_RUBRIC = 4 * MIB


def _sub(sid, responses, rubric="chem-molarity", **extra):
    obj = {"id": sid, "rubric": rubric, "responses": responses}
    obj.update(extra)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _pad_to(prefix, suffix, size, fill=b"x"):
    """prefix + fill * n + suffix, exactly size bytes long."""
    n = size - len(prefix) - len(suffix)
    assert n >= 0, (size, len(prefix), len(suffix))
    return prefix + fill * n + suffix


def _key(i):
    """A short distinct response key (base 52, never an item id of the example rubrics)."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    s = ""
    while True:
        s = letters[i % 52] + s
        i //= 52
        if i == 0:
            return "z" + s


# ---------------------------------------------------------------------------------------
# Submissions.


def nested_arrays_100k():
    return b"[" * 100000 + b"]" * 100000


def nested_objects_100k():
    return b'{"a":' * 100000 + b"1" + b"}" * 100000


def nested_in_meta_100k():
    return (b'{"id":"h-deep","rubric":"chem-molarity","responses":{},"meta":' + b"[" * 100000 +
            b"]" * 100000 + b"}")


def nested_in_meta_1000():
    # Well under jansson's 2,048 levels, so parsed; deeper than meta's 64, so not echoed.
    return (b'{"id":"h-deep-ok","rubric":"chem-molarity","responses":{},"meta":' + b"[" * 1000 +
            b"]" * 1000 + b"}")


def big_10mb_with_id():
    return _pad_to(b'{"id":"h-10mb","rubric":"chem-molarity","responses":{"q5":"', b'"}}',
                   10 * MIB)


def big_10mb_garbage():
    return _pad_to(b"", b"", 10 * MIB, b"\xff garbage ")[:10 * MIB]


def big_10mb_huge_id():
    # The id itself is ten megabytes: a result must not carry it back.
    return _pad_to(b'{"rubric":"chem-molarity","responses":{},"id":"', b'"}', 10 * MIB)


def big_70mb_with_id():
    # Beyond the 64 MiB up to which an oversized submission is still parsed for its id.
    return _pad_to(b'{"id":"h-70mb","rubric":"chem-molarity","responses":{},"meta":"', b'"}',
                   70 * MIB)


def size_exactly_1mib():
    # Padding goes in "meta", which has no limit of its own: exactly at the size limit.
    return _pad_to(b'{"id":"h-1mib","rubric":"chem-molarity","responses":{"q1":"2.50 g"},'
                   b'"meta":"', b'"}', MAX_SUBMISSION)


def size_1mib_plus_1():
    return _pad_to(b'{"id":"h-1mib-plus","rubric":"chem-molarity","responses":{"q1":"2.50 g"},'
                   b'"meta":"', b'"}', MAX_SUBMISSION + 1)


def _many_responses(n, sid):
    body = b",".join(b'"%s":0' % _key(i).encode() for i in range(n))
    return (b'{"id":"' + sid + b'","rubric":"chem-molarity","responses":{' + body + b"}}")


def responses_100k():
    data = _many_responses(100000, b"h-100k")
    assert len(data) < MAX_SUBMISSION, len(data)  # over the count limit, not the size limit
    return data


def responses_10000():
    return _many_responses(MAX_RESPONSES, b"h-10000")


def responses_10001():
    return _many_responses(MAX_RESPONSES + 1, b"h-10001")


def answer_70kb():
    return _sub("h-70kb", {"q5": "litre of solution " + "x" * (70 * KIB)})


def answer_exactly_64kib():
    text = "litre of solution "
    return _sub("h-64kib", {"q5": text + "x" * (MAX_ANSWER - len(text))})


def answer_64kib_plus_1():
    text = "litre of solution "
    return _sub("h-64kib-plus", {"q5": text + "x" * (MAX_ANSWER + 1 - len(text))})


def answer_64kib_multibyte():
    # 21,845 three-byte characters and one byte: 65,536 bytes, far fewer characters.
    return _sub("h-64kib-mb", {"q5": "€" * 21845 + "L"})


# Answers crafted against the example rubrics' own patterns (all stay under 64 KiB).
def evil_stats_q4_digits():
    # (?<lower>[0-9]+(?:\.[0-9]+)?)\s*(?:,|;|to|and|–|-)\s*[0-9] on one long run of digits.
    return _sub("h-evil-q4", {"q4": "1" * 65000}, rubric="stats-confidence")


def evil_stats_q7_sevens():
    # [^.]{0,60}? after each "7", then alternatives that never come.
    return _sub("h-evil-q7a", {"q7": "7 " * 32000}, rubric="stats-confidence")


def evil_stats_q7_not_in():
    return _sub("h-evil-q7b", {"q7": "not in " * 9000}, rubric="stats-confidence")


def evil_chem_q4_ph():
    # \bpH\b[^0-9]{0,40}?(?<ph>...) at every "pH", never followed by a digit.
    return _sub("h-evil-ph", {"q4": "pH " * 21000}, rubric="chem-molarity")


def evil_bio_q5_sentences():
    # count mode: 21,000 one-word sentences, [^.!?]+(?:[.!?]+|$) matched 21,000 times.
    return _sub("h-evil-bio", {"q5": "ATP. " * 13000}, rubric="bio-cell-respiration")


def evil_phys_a5_spaces():
    # m\s*/\s*s... in whole mode; "collapse" squeezes the spaces, so try tabs and NBSP.
    return _sub("h-evil-a5", {"a5": "m" + "\u00a0\t" * 20000 + "/"}, rubric="phys-kinematik")


# Answers for tests/hostile/rubrics/catastrophic.json.
def evil_baseline():
    return _sub("h-cat-0", {"q1": "b"}, rubric="hostile-catastrophic")


def evil_nested_plus():
    return _sub("h-cat-1", {"q1": "a" * 40 + "b"}, rubric="hostile-catastrophic")


def evil_alternation():
    return _sub("h-cat-2", {"q2": "a" * 40 + "!b"}, rubric="hostile-catastrophic")


def evil_dotstar():
    return _sub("h-cat-3", {"q3": "a" * 40 + "\nx"}, rubric="hostile-catastrophic")


def evil_limit_override():
    return _sub("h-cat-4", {"q4": "a" * 40 + "b"}, rubric="hostile-catastrophic")


def evil_all_64kib():
    # Every catastrophic check at once, each answer just under 64 KiB.
    n = MAX_ANSWER - 100
    return _sub("h-cat-all", {"q1": "a" * n + "b", "q2": "a" * n + "!b", "q3": "a" * n + "\nx",
                              "q4": "a" * n + "b"}, rubric="hostile-catastrophic")


def evil_max_limits():
    return _sub("h-cat-max", {"q1": "a" * 40 + "b"}, rubric="hostile-catastrophic-max")


def evil_no_jit():
    return _sub("h-cat-nojit", {"q1": "a" * 40 + "b"}, rubric="hostile-no-jit")


def evil_per_start_jit():
    # Each start position costs just under the match limit; there are 60,000 of them.
    return _sub("h-per-start", {"q1": "a" * 60000 + "cb"}, rubric="hostile-per-start")


def evil_per_start_count():
    # count mode: each of the 3,300 calls of pcre2_match (one per match of "c") starts afresh,
    # and each first fails at 17 start positions, every one just under the limit.
    return _sub("h-per-start-count", {"q2": ("a" * 17 + "c") * 3300}, rubric="hostile-per-start")


def evil_per_start_no_jit():
    return _sub("h-per-start-nojit", {"q2": "a" * 4000 + "cb"}, rubric="hostile-no-jit")


def evil_recursion():
    return _sub("h-recurse", {"q1": "a" * 30000}, rubric="hostile-recursion")


def evil_count_empty():
    return _sub("h-count-empty", {"q2": "é" * 30000}, rubric="hostile-recursion")


# ---------------------------------------------------------------------------------------
# Rubrics.


def _rubric(items, rid="hostile-gen", **top):
    r = {
        "assay": 1,
        "id": rid,
        "version": "1.0.0",
        "title": "generated",
        "scale": {"levels": [{"id": "lo", "name": "Lo", "min": 0},
                             {"id": "hi", "name": "Hi", "min": 1, "mastery": True}]},
        "competencies": [{"id": "k", "name": "K"}],
        "items": items,
    }
    r.update(top)
    return r


def _pattern_check(cid, pattern, **extra):
    c = {"id": cid, "type": "pattern", "pattern": pattern, "evidence": {"k": 1}}
    c.update(extra)
    return c


def _rubric_bytes(r):
    return json.dumps(r, ensure_ascii=False, indent=1).encode("utf-8")


def _rubric_of_size(size):
    head = _rubric_bytes(_rubric([{"id": "q1", "checks": [_pattern_check("c1", "a")]}],
                                 description="@PAD@"))
    pre, post = head.split(b"@PAD@")
    return _pad_to(pre, post, size, b"d")


def rubric_50mb():
    return _rubric_of_size(50 * MIB)


def rubric_exactly_4mib():
    return _rubric_of_size(MAX_RUBRIC)


def rubric_4mib_plus_1():
    return _rubric_of_size(MAX_RUBRIC + 1)


def rubric_10k_checks():
    checks = [_pattern_check("c%d" % i, "word%d\\b" % i, flags=["caseless"])
              for i in range(10000)]
    return _rubric_bytes(_rubric([{"id": "q1", "checks": checks}]))


def rubric_10k_items():
    items = [{"id": "q%d" % i, "checks": [_pattern_check("c%d" % i, "x")]} for i in range(10000)]
    return _rubric_bytes(_rubric(items))


def _compact_rubric_of_checks(check, size):
    # As many copies of check as a rubric of size bytes holds (compact JSON).
    one = json.dumps(check("c0"), separators=(",", ":"))
    n = (size - 1000) // (len(one) + 8)
    r = _rubric([{"id": "q1", "checks": [check("c%d" % i) for i in range(n)]}])
    return json.dumps(r, separators=(",", ":")).encode("utf-8")


def rubric_heavy_patterns():
    # 4 MB of patterns each near PCRE2's 64 KiB code limit (60 KB compiled, slow to JIT):
    # 266 s and 3.4 GB to load before compile cost was bounded per rubric.
    return _compact_rubric_of_checks(lambda i: _pattern_check(i, "(?:ab){6000}"), 4 * MIB)


def rubric_heavy_jit():
    # The same with the slowest pattern to JIT found (about 15 ms each here).
    return _compact_rubric_of_checks(lambda i: _pattern_check(i, "(?:\\w\\d){5000}"), 4 * MIB)


def rubric_10001_patterns():
    checks = [_pattern_check("c%d" % i, "w%d" % i) for i in range(10001)]
    return _rubric_bytes(_rubric([{"id": "q1", "checks": checks}]))


def rubric_pattern_text_1mib():
    # 1,100 patterns of 1,000 bytes: more than 1 MiB of pattern text.
    checks = [_pattern_check("c%d" % i, "a" * 999 + "%d" % (i % 10)) for i in range(1100)]
    return _rubric_bytes(_rubric([{"id": "q1", "checks": checks}]))


def rubric_nested_100k():
    return b'{"assay":1,"id":"deep","description":' + b"[" * 100000 + b"]" * 100000 + b"}"


def rubric_pattern_100kb():
    return _rubric_bytes(_rubric([{"id": "q1", "checks": [_pattern_check("c1", "a" * 100000)]}]))


def rubric_alternation_100kb():
    # 100 KB of "w1|w2|..." compiles to more than PCRE2's 64 KiB code limit as well.
    words = "|".join("w%d" % i for i in range(16000))
    return _rubric_bytes(_rubric([{"id": "q1", "checks": [_pattern_check("c1", words)]}]))


def rubric_8000_errors():
    # 8,000 misspelt keys: every one must be reported, in bounded time.
    checks = [_pattern_check("c%d" % i, "x", feedbak={"pass": "x"}) for i in range(8000)]
    return _rubric_bytes(_rubric([{"id": "q1", "checks": checks}]))


def rubric_deep_groups():
    # Groups nested 600 deep (1,200 JSON levels, under jansson's 2,048), with a bad flag at
    # the bottom: the JSON pointer is far longer than assay_diag's 256 bytes. Built as text:
    # Python's json module would recurse too deep.
    depth = 600
    head = _rubric_bytes(_rubric([{"id": "q1", "checks": ["@DEEP@"]}]))
    pre, post = head.split(b'"@DEEP@"')
    opening = b"".join(b'{"id":"g%d","type":"group","rule":"all",%s"checks":[\n' %
                       (i, b'"evidence":{"k":1},' if i == 0 else b"") for i in range(depth))
    leaf = b'{"id":"leaf","type":"pattern","pattern":"x","flags":["bogus"]}\n'
    return pre + opening + leaf + b"]}" * depth + post


SUBMISSIONS = {f.__name__.replace("_", "-"): f for f in [
    nested_arrays_100k, nested_objects_100k, nested_in_meta_100k, nested_in_meta_1000,
    big_10mb_with_id, big_10mb_garbage, big_10mb_huge_id, big_70mb_with_id, size_exactly_1mib,
    size_1mib_plus_1, responses_100k, responses_10000, responses_10001, answer_70kb,
    answer_exactly_64kib, answer_64kib_plus_1, answer_64kib_multibyte, evil_stats_q4_digits,
    evil_stats_q7_sevens, evil_stats_q7_not_in, evil_chem_q4_ph, evil_bio_q5_sentences,
    evil_phys_a5_spaces, evil_baseline, evil_nested_plus, evil_alternation, evil_dotstar,
    evil_limit_override,
    evil_all_64kib, evil_max_limits, evil_no_jit, evil_per_start_jit, evil_per_start_count,
    evil_per_start_no_jit, evil_recursion, evil_count_empty,
]}

RUBRICS = {f.__name__.replace("_", "-"): f for f in [
    rubric_50mb, rubric_exactly_4mib, rubric_4mib_plus_1, rubric_10k_checks, rubric_10k_items,
    rubric_nested_100k, rubric_pattern_100kb, rubric_alternation_100kb, rubric_8000_errors,
    rubric_deep_groups, rubric_heavy_patterns, rubric_heavy_jit, rubric_10001_patterns,
    rubric_pattern_text_1mib,
]}

ALL = dict(SUBMISSIONS, **RUBRICS)


def generate(name, out_dir):
    """Writes input NAME into out_dir (once) and returns its path."""
    path = os.path.join(out_dir, name + ".json")
    if not os.path.exists(path):
        data = ALL[name]()
        tmp = path + ".part"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    return path


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: gen.py OUT_DIR [NAME...]")
    os.makedirs(sys.argv[1], exist_ok=True)
    for n in sys.argv[2:] or sorted(ALL):
        print(generate(n, sys.argv[1]))
