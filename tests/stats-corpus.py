#!/usr/bin/env python3
"""stats-corpus.py - adversarial log lines for test-stats-ref.sh, added to
the category files of a directory:

    stats-corpus.py [--finite-sums] DIR SEED JSCAN_DATA

With --finite-sums no number comes near a double's limit (1e308), so that
every sum stays finite and is compared to its last bit.

Our own entries with every field a statistic reads given in odd ways
(duplicates, nulls, NUL bytes, other types, huge, tiny and negative
numbers, escapes, raw invalid UTF-8), foreign lines, categories and levels
spelt in every accepted and refused way, nesting about the 512-level
limit, invalid JSON of every kind, blank and CRLF lines; and the JSON
scanner's test documents (JSCAN_DATA), raw and as a field of an entry.
"""
import os
import random
import sys

TS = b'"timestamp":"2026-11-26T10:%02d:%02d.000Z"'

SUCCESS = [b'true', b'false', b'null', b'"true"', b'1', b'0', None,
           b'true,"success":false', b'false,"success":true',
           b'true,"success":null', b'"false"', b'[]']
ERROR = [None, b'null', b'false', b'true', b'""', b'"boom"', b'42', b'0',
         b'{"code":500}', b'[]', b'"nul\\u0000"', b'"\\u0000"', b'" "']
NUMBER = [None, b'1.5', b'-2', b'0', b'-0', b'1e400', b'-1e400', b'1e-400',
          b'"5"', b'null', b'true', b'1e308', b'1.7976931348623157e308',
          b'12345678901234567890', b'9223372036854775807',
          b'9223372036854775808', b'-9223372036854775809',
          b'9007199254740993', b'0.1', b'0.30000000000000004',
          b'123456789.0123456789', b'1E+2', b'2.5e-3', b'1,"x":1e400',
          b'7,"dup":1', b'{"v":1}']
NAME = [None, b'"groq"', b'"GROQ"', b'"gr\\u006fq"', b'"\\u0000groq"',
        b'"groq\\u0000"', b'"a\\u0000b"', b'17', b'1.50', b'true', b'false',
        b'null', b'{"x":1}', b'[]', b'""', b'"\\ud800"', b'"\\udc00x"',
        b'"\xff\xfe"', b'"caf\xc3\xa9"', b'"caf\\u00e9"', b'"unknown"',
        b'"\\ud83d\\ude00"', b'"tab\\there"', b'"sl\\/ash"',
        b'"a","dup":"b"', b'"x"']
BOOL = [None, b'true', b'false', b'null', b'"true"', b'1', b'"yes"',
        b'false,"allowed":true', b'true,"allowed":false',
        b'false,"streaming":true', b'true,"streaming":false']
CATEGORY = {
    'user': [b'"user"', b'"USER"', b'"User"', b'"us\\u0065r"'],
    'tool': [b'"tool"', b'"TOOL"'],
    'llm': [b'"llm"', b'"LLM"', b'"l\\u006cm"'],
    'security': [b'"security"', b'"Security"'],
    'performance': [b'"performance"'],
    'system': [b'"system"', b'"SYSTEM"'],
}
ODD_CATEGORY = [b'"user\\u0000"', b'"nope"', b'5', b'null', b'""',
                b'"llm "', b'" llm"', b'"\xff"', b'{"a":1}']
LEVEL = [b'"INFO"', b'"info"', b'"warn"', b'"Fatal"', b'"30"', b'" 20"',
         b'"+40"', b'"0x14"', b'"7"', b'35', b'35.0', b'3e1', b'-5',
         b'99999999999999999999', b'-99999999999999999999', b'"INFO\\u0000"',
         b'null', b'"ERROR","level":"DEBUG"', b'"nope"', b'""', b'"trace"',
         b'"NOTICE"', b'"information"', b'"crit"', b'"err"', b'"dbg"',
         b'"\\u0049NFO"', b'true', b'50', b'10', b'9', b'49']
FOREIGN_LEVEL = [b'"levelname":"WARNING"', b'"severity":"error"',
                 b'"levelno":40', b'"loglevel":"debug"',
                 b'"level":null,"levelname":"CRITICAL"',
                 b'"levelname":null,"severity":"info"', b'"levelno":25.5',
                 b'"levelno":"20"']

FIELDS = {
    'user': [('user_input', NAME), ('success', SUCCESS), ('error', ERROR),
             ('duration_ms', NUMBER)],
    'tool': [('tool_name', NAME), ('tool_server', NAME),
             ('success', SUCCESS), ('error', ERROR),
             ('duration_ms', NUMBER)],
    'llm': [('provider', NAME), ('model', NAME), ('prompt_tokens', NUMBER),
            ('completion_tokens', NUMBER), ('total_tokens', NUMBER),
            ('success', SUCCESS), ('error', ERROR), ('duration_ms', NUMBER),
            ('streaming', BOOL)],
    'security': [('resource', NAME), ('action', NAME), ('allowed', BOOL),
                 ('reason', NAME)],
    'performance': [('operation', NAME), ('duration_ms', NUMBER),
                    ('memory_mb', NUMBER), ('cpu_percent', NUMBER)],
    'system': [('component', NAME), ('message', NAME)],
}
FILE = {'user': 'user_interactions.log', 'system': 'system_health.log',
        'tool': 'tool_executions.log', 'llm': 'llm_calls.log',
        'security': 'security.log', 'performance': 'performance.log'}

INVALID = [b'{"a":1', b'{"a":1}}', b'{"a":tru}', b'{"a":True}',
           b"{'a':1}", b'{"a":1,}', b'{"a":1}/* c */', b'// c',
           b'{"a":"raw\ttab"}', b'{"a":NaN}', b'{"a":01}', b'{"a":1.}',
           b'{"a":"\\x41"}', b'{"a" 1}', b'{"a":1 "b":2}', b'{,}',
           b'{"a":[1,2}', b'{"a":"\x01"}', b'\xef\xbb\xbf{"a":1}',
           b'{"a":-}', b'{"a":+1}', b'{"a":.5}', b'{"a":"\\u12"}',
           b'[1,2]', b'"text"', b'42', b'null', b'not json at all',
           b'{"a":1}{"b":2}', b'{"a":"unclosed}', b'\x00\x01\xff',
           b'{"a":\xff}']


def head(cat_text, rng, level=None):
    t = rng.randrange(3600)
    if level is None:
        level = rng.choice(LEVEL) if rng.random() < 0.3 else b'"INFO"'
    return (b'{"category":' + cat_text + b',' + TS % (t // 60, t % 60) +
            b',"level":' + level + b',"event":"e","pid":1')


def entry(cat, rng):
    cat_text = rng.choice(CATEGORY[cat])
    parts = [head(cat_text, rng)]
    fields = FIELDS[cat][:]
    rng.shuffle(fields)
    for key, values in fields:
        v = rng.choice(values)
        if v is not None:
            parts.append(b'"' + key.encode() + b'":' + v)
    if rng.random() < 0.1:      # a field given again at the end
        key, values = rng.choice(FIELDS[cat])
        v = rng.choice(values)
        if v is not None:
            parts.append(b'"' + key.encode() + b'":' + v)
    if rng.random() < 0.05:     # the category given again
        parts.append(b'"category":' + rng.choice(
            [c for cs in CATEGORY.values() for c in cs] + ODD_CATEGORY))
    return b','.join(parts) + b'}'


def foreign(rng):
    t = rng.randrange(3600)
    parts = [b'{"message":"from elsewhere"', b'"time":"2026-11-26T10:%02d:%02dZ"'
             % (t // 60, t % 60)]
    if rng.random() < 0.7:
        parts.append(rng.choice(FOREIGN_LEVEL))
    if rng.random() < 0.5:
        parts.append(b'"category":' + rng.choice(ODD_CATEGORY))
    return b','.join(parts) + b'}'


def nested(rng, depth):
    """An entry whose details nest depth levels (the line's own object is
    one more)."""
    inner = b'[' * depth + b']' * depth if rng.random() < 0.5 else \
        b'{"a":' * (depth - 1) + b'{}' + b'}' * (depth - 1)
    return head(b'"user"', rng)[:-len(b',"pid":1')] + \
        b',"success":false,"details":' + inner + b'}'


HUGE = [b'1e308', b'1.7976931348623157e308']


def main(argv):
    if argv and argv[0] == '--finite-sums':
        argv = argv[1:]
        for v in HUGE:
            NUMBER.remove(v)
    out_dir, seed, jscan_data = argv[0], int(argv[1]), argv[2]
    rng = random.Random(seed)
    lines = {cat: [] for cat in FILE}
    for cat in FILE:
        for _ in range(400):
            lines[cat].append(entry(cat, rng))
        for _ in range(30):
            lines[cat].append(foreign(rng))
        for bad in INVALID:
            lines[cat].append(bad)
        lines[cat].append(b'')
        lines[cat].append(b' \t ')
        lines[cat].append(entry(cat, rng) + b'\r')
    # a line in another category's file
    lines['user'] += [entry('llm', rng) for _ in range(20)]
    for depth in (510, 511, 512, 513, 600):
        lines['user'].append(nested(rng, depth))
    for cat in lines:
        rng.shuffle(lines[cat])
        with open(os.path.join(out_dir, FILE[cat]), 'ab') as f:
            f.write(b'\n'.join(lines[cat]) + b'\n')
    # the scanner's test documents: raw in a backup of system_health.log,
    # and each as a field of a tool entry
    docs = []
    for name in ('grammar', 'bytes', 'adversarial'):
        with open(os.path.join(jscan_data, name), 'rb') as f:
            docs += [d for d in f.read().split(b'\n') if d]
    with open(os.path.join(out_dir, 'system_health.log.9'), 'wb') as f:
        f.write(b'\n'.join(docs) + b'\n')
    with open(os.path.join(out_dir, 'tool_executions.log.9'), 'wb') as f:
        for d in docs:
            f.write(head(b'"tool"', rng) + b',"tool_name":"t","x":' + d +
                    b',"success":true}\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
