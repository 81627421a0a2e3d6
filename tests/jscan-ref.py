#!/usr/bin/env python3
"""jscan-ref.py - the reference for the JSON scanner: what Python's json
module makes of each line or file, printed in jscan-dump's form (see the
top of jscan-dump.c), so that test-jscan.sh can compare the two.

    jscan-ref.py [--whole] [--wrap] FILE...

The rule, written from the scanner's documentation (tui/engine/jscan.h),
not from its code:
  - a document is valid when json.loads reads it from its bytes decoded as
    UTF-8 with errors="surrogateescape" (invalid UTF-8 is tolerated, and
    only inside strings can it be), with NaN and Infinity refused;
  - nesting deeper than 512 levels is malformed, decided here before
    json.loads so that Python's recursion limit plays no part;
  - a key given twice has the value of its last member;
  - a decoded string is the bytes of its text: raw bytes as they were in
    the line, escapes as UTF-8, \\u0000 a NUL byte, and a surrogate escape
    that is not half of a pair U+FFFD;
  - a number is float() of its text (the nearest double, as strtod reads
    it); past the doubles it is out of range.
"""
import codecs
import json
import math
import sys

MAX_DEPTH = 512
ENTRY_HEAD = (b'{"category":"user","timestamp":"2026-01-01T00:00:00.000Z",'
              b'"level":"INFO","event":"user_interaction","x":')
WS = b' \t\n\r'


class Num(str):
    """A number's text, as json hands it to parse_int and parse_float."""


class Obj(list):
    """An object's (key, value) pairs in order, duplicates kept."""


def refuse_constant(name):
    raise ValueError('not JSON: ' + name)


def too_deep(b):
    """Whether the brackets outside strings nest past MAX_DEPTH.  Exact for
    valid JSON; for anything else only a malformed verdict can follow, so
    a wrong count there changes nothing."""
    if b.count(b'[') + b.count(b'{') <= MAX_DEPTH:
        return False
    depth, in_str, esc = 0, False, False
    for c in b:
        if in_str:
            if esc:
                esc = False
            elif c == 0x5c:
                esc = True
            elif c == 0x22:
                in_str = False
        elif c == 0x22:
            in_str = True
        elif c in (0x5b, 0x7b):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif c in (0x5d, 0x7d):
            depth -= 1
    return False


def loads(text):
    return json.loads(text, parse_constant=refuse_constant, parse_int=Num,
                      parse_float=Num, object_pairs_hook=Obj)


def strings(v):
    """Every key and string value in a parsed document."""
    if isinstance(v, Obj):
        for k, x in v:
            yield k
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
    elif isinstance(v, str) and not isinstance(v, Num):
        yield v


# To tell a raw invalid byte from a surrogate escape (surrogateescape makes
# both lone surrogates), decode a second time with each invalid byte marked
# by a code point of a private-use block that the document does not hold.
MARK_BASES = (0xF0000, 0xF0100, 0x100000, 0x100100, 0xE000)
mark = [MARK_BASES[0]]


def mark_bytes(err):
    raw = err.object[err.start:err.end]
    return ''.join(chr(mark[0] + x) for x in raw), err.end


codecs.register_error('jscanref-mark', mark_bytes)


def to_bytes(s):
    if s.isascii():
        return s.encode('ascii')
    out = bytearray()
    base = mark[0]
    for ch in s:
        o = ord(ch)
        if base <= o < base + 256:
            out.append(o - base)
        elif 0xD800 <= o < 0xE000:
            out += '\ufffd'.encode('utf-8')
        else:
            out += ch.encode('utf-8')
    return bytes(out)


def escaped(b):
    return ''.join(chr(c) if 0x21 <= c <= 0x7e and c not in b'\\"[]#'
                   else '\\x%02x' % c for c in b)


def dump(out, v, path):
    if isinstance(v, Obj):
        last = {}
        for k, x in v:
            last[to_bytes(k)] = x
        out.append('  %s object %d' % (path, len(last)))
        for k in sorted(last):
            dump(out, last[k], '%s[%s]' % (path, escaped(k)))
    elif isinstance(v, list):
        out.append('  %s array %d' % (path, len(v)))
        for i, x in enumerate(v):
            dump(out, x, '%s#%d' % (path, i))
    elif isinstance(v, Num):
        d = float(v)
        text = 'range %g' % d if math.isinf(d) else '%.17g' % d
        if len(v) <= 20 and not any(c in v for c in '.eE'):
            i = int(v)
            if -2**63 <= i < 2**63:
                text += ' int=%d' % i
        out.append('  %s number %s' % (path, text))
    elif isinstance(v, str):
        out.append('  %s string "%s"' % (path, escaped(to_bytes(v))))
    elif v is True:
        out.append('  %s true' % path)
    elif v is False:
        out.append('  %s false' % path)
    else:
        out.append('  %s null' % path)


def kind(v):
    if isinstance(v, Obj):
        return 'object'
    if isinstance(v, list):
        return 'array'
    if isinstance(v, Num):
        return 'number'
    if isinstance(v, str):
        return 'string'
    return {True: 'true', False: 'false', None: 'null'}[v]


def document(label, b):
    if too_deep(b):
        return ['%s malformed' % label]
    try:
        v = loads(b.decode('utf-8', 'surrogateescape'))
    except (ValueError, RecursionError):
        return ['%s malformed' % label]
    held = list(strings(v))
    for base in MARK_BASES:
        if not any(base <= ord(c) < base + 256 for s in held for c in s):
            mark[0] = base
            break
    else:
        raise SystemExit('%s: no free block to mark invalid bytes' % label)
    v = loads(b.decode('utf-8', 'jscanref-mark'))
    out = ['%s %s' % (label, kind(v))]
    dump(out, v, '$')
    return out


def main(argv):
    whole = wrap = False
    files = []
    for a in argv:
        if a == '--whole':
            whole = True
        elif a == '--wrap':
            wrap = True
        elif a.startswith('--'):
            sys.stderr.write('usage: jscan-ref.py [--whole] [--wrap] FILE...\n')
            return 2
        else:
            files.append(a)
    sys.setrecursionlimit(20000)
    out = sys.stdout
    for name in files:
        with open(name, 'rb') as f:
            data = f.read()
        if whole:
            docs = [(name, data)]
        else:
            lines = data.split(b'\n') if data else []
            if data.endswith(b'\n'):
                lines.pop()
            docs = [('%s:%d' % (name, i + 1), line)
                    for i, line in enumerate(lines)]
        for label, b in docs:
            if wrap:
                b = ENTRY_HEAD + b + b'}'
            out.write('\n'.join(document(label, b)) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
