#!/usr/bin/env python3
"""where-ref.py - the reference for test-where.sh: random --where
expressions over a log directory, each evaluated here on the json.loads
reading of every line, as llmlog(1) WHERE GRAMMAR states the meaning, and
compared with the lines `llmlog -o json --malformed --where EXPR` prints.

    where-ref.py LLMLOG DIR COUNT SEED

Prints each expression whose selections differ, with a few of the lines
that differ; exit status 1 when one did.
"""
import json
import os
import random
import re
import subprocess
import sys
from datetime import datetime, timezone

CATEGORY_FILES = {
    "user_interactions.log": "user", "system_health.log": "system",
    "tool_executions.log": "tool", "llm_calls.log": "llm",
    "security.log": "security", "performance.log": "performance",
}
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40,
          "CRITICAL": 50}
NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")
WORD = re.compile(r"[A-Za-z0-9_.:/@+-]+\Z")


class Num:
    """A JSON number: its value, and its text as the line writes it."""
    def __init__(self, text):
        self.text = text
        self.value = float(text)


def load(path):
    return json.loads(path, parse_float=Num, parse_int=Num)


# ---- the meaning -------------------------------------------------------------

def ordered(op, c):
    return {"=": c == 0, "!=": c != 0, "<": c < 0, "<=": c <= 0,
            ">": c > 0, ">=": c >= 0}[op]


def cmp(a, b):
    return (a > b) - (a < b)


def smart_case(pattern):
    """Caseless unless the pattern has an upper-case letter."""
    return 0 if re.search(r"[A-Z]", pattern) else re.IGNORECASE


def text_holds(op, lit, s):
    if op in ("~", "!~"):
        found = re.search(lit["text"], s, smart_case(lit["text"]))
        return bool(found) == (op == "~")
    return ordered(op, cmp(s.encode("utf-8", "surrogatepass"),
                           lit["text"].encode("utf-8", "surrogatepass")))


def scalar_holds(op, lits, v):
    """One scalar: a number compares numerically with a literal that reads
    as one (bare), everything else as text; objects and nested arrays
    never hold."""
    for lit in lits:
        if isinstance(v, Num):
            if lit["num"] is not None and op not in ("~", "!~"):
                if ordered(op, cmp(v.value, lit["num"])):
                    return True
                continue
            s = v.text
        elif v is True:
            s = "true"
        elif v is False:
            s = "false"
        elif v is None:
            s = "null"
        elif isinstance(v, str):
            s = v
        else:
            return False
        if text_holds(op, lit, s):
            return True
    return False


def values_at(obj, parts):
    """Every value the path reaches: through an array, each element
    object's."""
    if not parts:
        yield obj
        return
    if isinstance(obj, dict):
        if parts[0] in obj:
            yield from values_at(obj[parts[0]], parts[1:])
    elif isinstance(obj, list):
        for el in obj:
            if isinstance(el, dict):
                yield from values_at(el, parts)


def field_holds(entry, field, op, lits):
    for v in values_at(entry["obj"], field):
        if op is None:
            return True                     # exists
        if isinstance(v, list):
            if any(scalar_holds(op, lits, el) for el in v):
                return True
        elif scalar_holds(op, lits, v):
            return True
    return False


def virtual_holds(entry, name, op, lits):
    v = entry[name]
    if v is None:
        return False
    if op is None:
        return True
    for lit in lits:
        if name == "level" and op not in ("~", "!~"):
            if ordered(op, cmp(LEVELS[v], LEVELS[lit["text"].upper()])):
                return True
        elif name == "time":
            if ordered(op, cmp(v, lit["time"])):
                return True
        elif text_holds(op, lit, v):
            return True
    return False


def holds(entry, node):
    kind = node[0]
    if kind == "and":
        return holds(entry, node[1]) and holds(entry, node[2])
    if kind == "or":
        return holds(entry, node[1]) or holds(entry, node[2])
    if kind == "not":
        return not holds(entry, node[1])
    field, op, lits = node[1], node[2], node[3]
    if isinstance(field, str):
        return virtual_holds(entry, field, op, lits)
    if entry["obj"] is None:
        return False
    return field_holds(entry, field, op, lits)


# ---- the entries -------------------------------------------------------------

def rfc3339_us(s):
    try:
        t = datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    except (TypeError, ValueError):
        return None
    t = t.replace(tzinfo=timezone.utc)
    return int(t.timestamp()) * 1000000 + t.microsecond


def read_entries(d):
    out = []
    for name in sorted(os.listdir(d)):
        cat = CATEGORY_FILES.get(name)
        if cat is None:
            continue
        with open(os.path.join(d, name), "rb") as f:
            for raw in f.read().split(b"\n"):
                if raw.strip() == b"":
                    continue
                try:
                    obj = load(raw.decode("utf-8"))
                except ValueError:
                    obj = None
                if not isinstance(obj, dict):
                    obj = None
                level = obj.get("level") if obj else None
                level = level.upper() if isinstance(level, str) and \
                    level.upper() in LEVELS else None
                ts = obj.get("timestamp") if obj else None
                out.append({"raw": raw, "obj": obj, "category": cat,
                            "level": level, "time": rfc3339_us(ts),
                            "host": os.path.basename(d.rstrip("/"))})
    return out


# ---- random expressions ------------------------------------------------------

def sample_values(entries, parts, rng, k=3):
    seen = []
    for e in rng.sample(entries, min(len(entries), 300)):
        if e["obj"] is None:
            continue
        for v in values_at(e["obj"], parts):
            for x in (v if isinstance(v, list) else [v]):
                if isinstance(x, (str, Num, bool)) or x is None:
                    seen.append(x)
    rng.shuffle(seen)
    return seen[:k]


FIELDS = ["duration_ms", "success", "model", "provider", "tool_name",
          "tool_server", "tool_calls", "error", "prompt_tokens",
          "total_tokens", "parameters.path", "parameters.recursive",
          "details.server", "details.servers", "resource", "allowed",
          "operation", "memory_mb", "event", "pid", "streaming",
          "nosuchfield", "parameters.settings.theme", "user_input"]


def quote(s):
    return json.dumps(s, ensure_ascii=rng_global.random() < 0.5)


def literal_text(v, rng):
    """(text, literal) for a value seen in the data."""
    if isinstance(v, Num):
        text = v.text
        if rng.random() < 0.3:
            text = str(round(v.value * rng.choice([0.5, 1, 2])))
        return text, {"text": text, "num": float(text)}
    s = {True: "true", False: "false", None: "null"}.get(v, v) \
        if not isinstance(v, str) else v
    if rng.random() < 0.2 and len(s) > 3:
        s = s[: rng.randint(1, len(s) - 1)]
    if WORD.match(s) and not NUMBER.match(s) and rng.random() < 0.7:
        return s, {"text": s, "num": None}
    return quote(s), {"text": s, "num": None}


def regex_literal(v, rng):
    s = v.text if isinstance(v, Num) else str(v)
    s = re.sub(r"[^A-Za-z0-9 ]", "", s)[:6] or "a"
    if rng.random() < 0.4:
        s = s.lower()
    pat = rng.choice(["^" + s, s, s + "$", s[:2] + ".*"])
    return quote(pat), {"text": pat, "num": None}


def gen_comparison(entries, rng, start_us, span_us):
    r = rng.random()
    if r < 0.1:
        op = rng.choice(["=", "!=", "<", ">=", "~"])
        if op == "~":
            pat = rng.choice(["err", "INFO", "^w"])
            return "level ~ " + quote(pat), ("cmp", "level", op,
                                             [{"text": pat, "num": None}])
        lv = rng.choice(list(LEVELS))
        word = rng.choice([lv, lv.lower()])
        return "level %s %s" % (op, word), ("cmp", "level", op,
                                            [{"text": lv, "num": None}])
    if r < 0.18:
        vals = rng.sample(sorted(set(CATEGORY_FILES.values())), 2)
        return "category in (%s)" % ", ".join(vals), \
            ("cmp", "category", "=", [{"text": v, "num": None}
                                       for v in vals])
    if r < 0.25:
        t = start_us + rng.randint(0, span_us)
        op = rng.choice(["<", ">=", ">"])
        text = datetime.fromtimestamp(t / 1e6, timezone.utc) \
            .strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        lit = {"text": text, "num": None, "time": t // 1000 * 1000}
        return "time %s %s" % (op, text), ("cmp", "time", op, [lit])
    if r < 0.28:
        return "host = wsim", ("cmp", "host", "=",
                                [{"text": "wsim", "num": None}])
    field = rng.choice(FIELDS)
    parts = field.split(".")
    if r < 0.38:
        return "exists(%s)" % field, ("cmp", parts, None, [])
    vals = sample_values(entries, parts, rng) or ["x"]
    if r < 0.5:
        lits = [literal_text(v, rng) for v in vals]
        return "%s in (%s)" % (field, ", ".join(t for t, _ in lits)), \
            ("cmp", parts, "=", [lit for _, lit in lits])
    op = rng.choice(["=", "!=", "<", "<=", ">", ">=", "~", "!~"])
    if op in ("~", "!~"):
        text, lit = regex_literal(vals[0], rng)
    else:
        text, lit = literal_text(vals[0], rng)
    sep = rng.choice([" ", "", "  "])
    return "%s%s%s%s%s" % (field, sep, op, sep, text), \
        ("cmp", parts, op, [lit])


def gen(entries, rng, depth, start_us, span_us):
    r = rng.random()
    if depth <= 0 or r < 0.45:
        return gen_comparison(entries, rng, start_us, span_us)
    if r < 0.6:
        t, n = gen(entries, rng, depth - 1, start_us, span_us)
        # `not` binds tighter than and/or: a bare one only before a
        # comparison
        if n[0] not in ("cmp", "not") or rng.random() < 0.5:
            return "not (" + t + ")", ("not", n)
        return rng.choice(["not ", "NOT "]) + t, ("not", n)
    a, an = gen(entries, rng, depth - 1, start_us, span_us)
    b, bn = gen(entries, rng, depth - 1, start_us, span_us)
    op = rng.choice(["and", "or"])
    word = rng.choice([op, op.upper()])
    return "(%s) %s (%s)" % (a, word, b), (op, an, bn)


rng_global = random.Random(0)


def main():
    llmlog, d, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4])
    rng = random.Random(seed)
    rng_global.seed(seed)
    entries = read_entries(d)
    times = [e["time"] for e in entries if e["time"] is not None]
    start_us, span_us = min(times), max(times) - min(times)
    bad = 0
    for i in range(count):
        text, node = gen(entries, rng, rng.randint(0, 3), start_us, span_us)
        want = sorted(e["raw"] for e in entries if holds(e, node))
        # --malformed: the malformed lines a NOT selects are printed too
        run = subprocess.run([llmlog, "-p", "--utc", "-o", "json",
                              "--malformed", "-d", d, "--where", text],
                             capture_output=True)
        if run.returncode not in (0, 1):
            print("FAIL: %r: exit %d: %s" % (text, run.returncode,
                                             run.stderr.decode()[:300]))
            bad += 1
            continue
        got = sorted(x for x in run.stdout.split(b"\n") if x != b"")
        # the index cache's kept values decide some expressions without
        # the line: without the cache, every line is read
        plain = subprocess.run([llmlog, "-p", "--utc", "-o", "json",
                                "--malformed", "--no-cache", "-d", d,
                                "--where", text], capture_output=True)
        if plain.stdout != run.stdout or plain.returncode != run.returncode:
            bad += 1
            print("FAIL: %r: with the cache exit %d, %d bytes; without "
                  "exit %d, %d bytes" % (text, run.returncode,
                                         len(run.stdout), plain.returncode,
                                         len(plain.stdout)))
            continue
        if got != want:
            bad += 1
            extra = sorted(set(got) - set(want))[:2]
            missing = sorted(set(want) - set(got))[:2]
            print("FAIL: %r: llmlog %d lines, reference %d" %
                  (text, len(got), len(want)))
            for x in extra:
                print("  only llmlog:    %s" % x[:200].decode("utf-8", "replace"))
            for x in missing:
                print("  only reference: %s" % x[:200].decode("utf-8", "replace"))
        elif os.environ.get("VERBOSE"):
            print("ok %4d  %s" % (len(want), text))
    print("%d expressions, %d differ" % (count, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
