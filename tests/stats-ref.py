#!/usr/bin/env python3
"""stats-ref.py - a reference tally of log files, compared with what
`llmlog --stats -o json` says of the same files.

    stats-ref.py LLMLOG_JSON DIR [-c CATEGORY]

With -c, only the entries of that category, as llmlog's -c counts them
(a malformed or foreign line's category is its file's).  Exit 0 when they
agree, 1 (the differences on stdout) when not.

Written from the documented rules, not from the C code: llmlog(1), HOW
LINES ARE READ, and the comment of eng_stats_json in tui/engine/engine.h.
The reading of a line is Python's json module with these rules:
  - the line's bytes are decoded as UTF-8, an invalid byte kept as itself
    (it is tolerated inside strings only, where json then finds it);
  - NaN, Infinity and -Infinity are refused; nesting past 512 levels of
    objects and arrays is malformed; a value that is not an object is
    malformed; a line of nothing but blanks is no entry;
  - a key given twice has the value of its last member;
  - a string decodes to bytes: escapes as UTF-8, \\u0000 a NUL byte, an
    escaped half of a surrogate pair without its other half U+FFFD;
  - a number is float() of its text, past a double's range out of range.
Times are not compared (first, last, histogram, coverage; of coverage its
categories and rotated flags are): only the counts, sums,
outcomes, names, durations and their percentiles, and the failures per
provider, model and tool.
"""
import codecs
import json
import math
import re
import sys
import os

MAX_DEPTH = 512
CATEGORIES = ['user', 'system', 'tool', 'llm', 'security', 'performance']
FILES = {'user_interactions.log': 'user', 'system_health.log': 'system',
         'tool_executions.log': 'tool', 'llm_calls.log': 'llm',
         'security.log': 'security', 'performance.log': 'performance'}
LEVELS = [(10, 'DEBUG', ('dbg', 'trace')), (20, 'INFO', ('information',
          'notice')), (30, 'WARNING', ('warn',)), (40, 'ERROR', ('err',)),
          (50, 'CRITICAL', ('crit', 'fatal'))]
LEVEL_KEYS = ['level', 'levelname', 'severity', 'loglevel', 'levelno']
TOP = 20
SLOWEST = 10
BLANKS = b' \t\r'


class Num(str):
    """A number as written."""


class Obj(list):
    """An object's members in order."""


def refuse(name):
    raise ValueError('not JSON: ' + name)


def too_deep(b):
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
        elif c in b'[{':
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif c in b']}':
            depth -= 1
    return False


# An invalid byte becomes a code point of a private-use block the line does
# not otherwise hold, so that it can be told from a surrogate escape.
MARK_BASES = (0xF0000, 0xF0100, 0x100000, 0x100100, 0xE000)
mark = [MARK_BASES[0]]


def mark_bytes(err):
    raw = err.object[err.start:err.end]
    return ''.join(chr(mark[0] + x) for x in raw), err.end


codecs.register_error('statsref-mark', mark_bytes)


def to_bytes(s):
    out = bytearray()
    for ch in s:
        o = ord(ch)
        if mark[0] <= o < mark[0] + 256:
            out.append(o - mark[0])
        elif 0xD800 <= o < 0xE000:
            out += '\ufffd'.encode('utf-8')
        else:
            out += ch.encode('utf-8')
    return bytes(out)


def parse(b):
    """The line's object (decoded), or None when it is malformed."""
    if too_deep(b):
        return None
    plain = b.decode('utf-8', 'replace')
    for base in MARK_BASES:
        if not any(base <= ord(c) < base + 256 for c in plain):
            mark[0] = base
            break
    else:
        raise SystemExit('no free block to mark invalid bytes')
    try:
        v = json.loads(b.decode('utf-8', 'statsref-mark'),
                       parse_constant=refuse, parse_int=Num, parse_float=Num,
                       object_pairs_hook=Obj)
    except (ValueError, RecursionError):
        return None
    if not isinstance(v, Obj):
        return None
    return convert(v)


def convert(v):
    """Strings to bytes, objects to dicts (the last member of a key)."""
    if isinstance(v, Obj):
        d = {}
        for k, x in v:
            d[to_bytes(k)] = convert(x)
        return d
    if isinstance(v, list):
        return [convert(x) for x in v]
    if isinstance(v, Num):
        return v
    if isinstance(v, str):
        return to_bytes(v)
    return v


def is_text(v):
    return isinstance(v, bytes) and not isinstance(v, Num)


def present(o, key):
    return key in o and o[key] is not None


def category_of(o):
    v = o.get(b'category')
    if is_text(v) and b'\0' not in v:
        name = v.lower().decode('latin-1')
        if name in CATEGORIES:
            return name
    return None


def level_text(t):
    if b'\0' in t or t == b'':
        return None
    low = t.lower()
    for n, name, aliases in LEVELS:
        if low == name.lower().encode() or low in (a.encode() for a in aliases):
            return n
    # strtol over the whole text: blanks, a sign, digits
    if re.fullmatch(rb'[ \t\n\v\f\r]*[+-]?[0-9]+', t):
        n = int(t)
        if n in (10, 20, 30, 40, 50):
            return n
    return None


def level_of(o):
    v = None
    for k in LEVEL_KEYS:
        if present(o, k.encode()):
            v = o[k.encode()]
            break
    if v is None:
        return None
    if isinstance(v, Num):
        if any(c in v for c in '.eE'):
            return None
        n = int(v)
        if n < 10:
            return 10
        return 50 if n >= 50 else n // 10 * 10
    if is_text(v):
        return level_text(v)
    return None


class Tally:
    def __init__(self):
        self.out_of_range = 0

    def number(self, o, key):
        """A number field's value, or None (absent, not a number, or out of
        range, which is counted)."""
        v = o.get(key.encode())
        if not isinstance(v, Num):
            return None
        d = float(v)
        if math.isinf(d):
            self.out_of_range += 1
            return None
        return d


def failed(o):
    s = o.get(b'success')
    if s is True or s is False:
        return s is False
    if b'error' not in o:
        return False
    e = o[b'error']
    return not (e is None or e is False or e == b'')


def text_of(v):
    """A field's text: a string, a number or true/false as written."""
    if isinstance(v, Num):
        return v.encode('ascii')
    if is_text(v):
        return v
    if v is True:
        return b'true'
    if v is False:
        return b'false'
    return None


def name_of(o, key, none=b'unknown'):
    t = text_of(o.get(key.encode()))
    return none if t is None else t


SCALE = 1074    # every finite double is a whole number of 2^-1074


class ExactSum:
    def __init__(self):
        self.total = 0

    def add(self, x):
        n, d = x.as_integer_ratio()
        self.total += n * ((1 << SCALE) // d)

    def value(self):
        """Rounded once to the nearest double; None past its range."""
        try:
            return self.total / (1 << SCALE)
        except OverflowError:
            return None


def ratio(a, b):
    # a figure of nothing (the rate of no request) is null, not 0
    if a is None or b <= 0:
        return None
    return a / b


def sorted_names(counts):
    """(name, count) by count, most first, ties by name's bytes."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def percentile(sorted_v, q):
    if not sorted_v:
        return None
    rank = max(1, math.ceil(q * len(sorted_v)))
    return sorted_v[rank - 1]


def tally(files, only=None):
    t = Tally()
    r = {'total': 0, 'malformed': 0, 'foreign': 0}
    by_level, by_cat = {}, {}
    user = {'total': 0, 'failed': 0, 'dur': ExactSum(), 'dur_n': 0,
            'durs': []}
    llm = {'total': 0, 'failed': 0, 'streaming': 0, 'dur': ExactSum(),
           'dur_n': 0, 'tokens': ExactSum(), 'prompt': ExactSum(),
           'completion': ExactSum(), 'prov': {}, 'model': {},
           'prov_tok': {}, 'model_tok': {}, 'durs': [], 'prov_failed': {},
           'model_failed': {}}
    tool = {'total': 0, 'failed': 0, 'dur': ExactSum(), 'dur_n': 0,
            'names': {}, 'durs': [], 'names_failed': {}}
    sec = {'total': 0, 'allowed': 0, 'res': {}, 'act': {}}
    perf = {'total': 0, 'dur': ExactSum(), 'durs': [], 'peak': None}

    for path, file_cat in files:
        with open(path, 'rb') as f:
            data = f.read()
        for line in data.split(b'\n'):
            if line.strip(BLANKS) == b'':
                continue
            o = parse(line)
            cat = category_of(o) if o is not None else None
            if only is not None and (cat or file_cat) != only:
                continue
            r['total'] += 1
            if o is None:
                r['malformed'] += 1
                by_cat[file_cat] = by_cat.get(file_cat, 0) + 1
                continue
            lev = level_of(o)
            if lev is not None:
                by_level[lev] = by_level.get(lev, 0) + 1
            by_cat[cat or file_cat] = by_cat.get(cat or file_cat, 0) + 1
            if cat is None:
                r['foreign'] += 1
                continue
            if cat == 'user':
                user['total'] += 1
                user['failed'] += failed(o)
                d = t.number(o, 'duration_ms')
                if d is not None:
                    user['dur'].add(d)
                    user['dur_n'] += 1
                    user['durs'].append(d)
            elif cat == 'tool':
                tool['total'] += 1
                tool['failed'] += failed(o)
                d = t.number(o, 'duration_ms')
                if d is not None:
                    tool['dur'].add(d)
                    tool['dur_n'] += 1
                    tool['durs'].append(d)
                n = name_of(o, 'tool_name')
                tool['names'][n] = tool['names'].get(n, 0) + 1
                tool['names_failed'][n] = \
                    tool['names_failed'].get(n, 0) + failed(o)
            elif cat == 'llm':
                llm['total'] += 1
                llm['failed'] += failed(o)
                llm['streaming'] += o.get(b'streaming') is True
                d = t.number(o, 'duration_ms')
                if d is not None:
                    llm['dur'].add(d)
                    llm['dur_n'] += 1
                    llm['durs'].append(d)
                p = t.number(o, 'prompt_tokens')
                c = t.number(o, 'completion_tokens')
                tot = t.number(o, 'total_tokens')
                parts = [tot] if tot is not None else \
                    [x for x in (p, c) if x is not None]
                if p is not None:
                    llm['prompt'].add(p)
                if c is not None:
                    llm['completion'].add(c)
                prov, model = name_of(o, 'provider'), name_of(o, 'model')
                llm['prov'][prov] = llm['prov'].get(prov, 0) + 1
                llm['model'][model] = llm['model'].get(model, 0) + 1
                for key, n in (('prov_failed', prov), ('model_failed', model)):
                    llm[key][n] = llm[key].get(n, 0) + failed(o)
                for x in parts:
                    llm['tokens'].add(x)
                    llm['prov_tok'].setdefault(prov, ExactSum()).add(x)
                    llm['model_tok'].setdefault(model, ExactSum()).add(x)
                llm['prov_tok'].setdefault(prov, ExactSum())
                llm['model_tok'].setdefault(model, ExactSum())
            elif cat == 'security':
                sec['total'] += 1
                if o.get(b'allowed') is True:
                    sec['allowed'] += 1
                else:
                    for key, m in (('resource', 'res'), ('action', 'act')):
                        n = name_of(o, key)
                        sec[m][n] = sec[m].get(n, 0) + 1
            elif cat == 'performance':
                perf['total'] += 1
                m = t.number(o, 'memory_mb')
                if m is not None and (perf['peak'] is None or m > perf['peak']):
                    perf['peak'] = m
                d = t.number(o, 'duration_ms')
                if d is not None:
                    perf['dur'].add(d)
                    perf['durs'].append(d)

    out = dict(r)
    out['out_of_range'] = t.out_of_range
    out['by_level'] = [(name, by_level[n]) for n, name, _ in LEVELS
                       if n in by_level]
    out['by_category'] = [(c, by_cat[c]) for c in CATEGORIES if c in by_cat]

    def outcomes(s):
        ok = s['total'] - s['failed']
        return {'total': s['total'], 'success': ok, 'failed': s['failed'],
                'success_rate': (None if s['total'] == 0 else
                                 100 * ratio(ok, s['total'])),
                'avg_duration_ms': ratio(s['dur'].value(), s['dur_n'])}
    def percentiles(out, durs):
        d = sorted(durs)
        for q, key in ((0.50, 'p50_ms'), (0.95, 'p95_ms'), (0.99, 'p99_ms')):
            out[key] = percentile(d, q)
        return out

    def failures(counts, fails):
        """(name, calls, failed, error %), by calls as the maps."""
        return [(n, c, fails[n], 100 * ratio(fails[n], c))
                for n, c in sorted_names(counts)[:TOP]]
    out['user'] = percentiles(outcomes(user), user['durs'])
    tokens = llm['tokens'].value()
    out['llm'] = {
        'total': llm['total'], 'success': llm['total'] - llm['failed'],
        'failed': llm['failed'], 'streaming': llm['streaming'],
        'total_tokens': tokens, 'prompt_tokens': llm['prompt'].value(),
        'completion_tokens': llm['completion'].value(),
        'avg_tokens': ratio(tokens, llm['total']),
        'avg_duration_ms': ratio(llm['dur'].value(), llm['dur_n']),
        'by_provider': sorted_names(llm['prov']),
        'by_model': sorted_names(llm['model']),
        'tokens_by_provider': [(n, llm['prov_tok'][n].value())
                               for n, _ in sorted_names(llm['prov'])],
        'tokens_by_model': [(n, llm['model_tok'][n].value())
                            for n, _ in sorted_names(llm['model'])],
        'failures_by_provider': failures(llm['prov'], llm['prov_failed']),
        'failures_by_model': failures(llm['model'], llm['model_failed'])}
    percentiles(out['llm'], llm['durs'])
    out['tool'] = percentiles(outcomes(tool), tool['durs'])
    out['tool']['top'] = sorted_names(tool['names'])[:TOP]
    out['tool']['failures_by_tool'] = failures(tool['names'],
                                               tool['names_failed'])
    out['security'] = {
        'total': sec['total'], 'allowed': sec['allowed'],
        'denied': sec['total'] - sec['allowed'],
        'top_denied_resources': sorted_names(sec['res'])[:TOP],
        'top_denied_actions': sorted_names(sec['act'])[:TOP]}
    d = sorted(perf['durs'])
    out['performance'] = {
        'total': perf['total'],
        'avg_duration_ms': ratio(perf['dur'].value(), len(d)),
        'p50_ms': percentile(d, 0.50), 'p95_ms': percentile(d, 0.95),
        'p99_ms': percentile(d, 0.99), 'max_ms': d[-1] if d else None,
        'peak_memory_mb': perf['peak'] if perf['peak'] is not None else 0,
        'slowest': sorted(d, reverse=True)[:SLOWEST]}
    return out


# ---- llmlog's figures, in the same shape -------------------------------------

def name_bytes(s):
    return s.encode('utf-8', 'surrogateescape')


def pairs(o):
    return [(name_bytes(k), v) for k, v in o]


def top(a):
    return [(name_bytes(x['name']), x['count']) for x in a]


def failure_rows(a):
    return [(name_bytes(x['name']), x['calls'], x['failed'], x['error_pct'])
            for x in (dict(y) for y in a)]


def theirs(text):
    j = json.loads(text, object_pairs_hook=lambda kv: kv)
    o = dict(j)
    out = {k: o[k] for k in ('total', 'malformed', 'foreign', 'out_of_range')
           if k in o}
    out['by_level'] = list(dict(o['by_level']).items())
    out['by_category'] = list(dict(o['by_category']).items())
    out['user'] = dict(o['user'])
    llm = dict(o['llm'])
    for k in ('by_provider', 'by_model', 'tokens_by_provider',
              'tokens_by_model'):
        llm[k] = pairs(llm[k])
    for k in ('failures_by_provider', 'failures_by_model'):
        llm[k] = failure_rows(llm[k])
    out['llm'] = llm
    tool = dict(o['tool'])
    tool['top'] = top([dict(x) for x in tool['top']])
    tool['failures_by_tool'] = failure_rows(tool['failures_by_tool'])
    out['tool'] = tool
    sec = dict(o['security'])
    for k in ('top_denied_resources', 'top_denied_actions'):
        sec[k] = top([dict(x) for x in sec[k]])
    out['security'] = sec
    perf = dict(o['performance'])
    perf['slowest'] = [dict(x)['duration_ms'] for x in perf['slowest']]
    out['performance'] = perf
    return out


def same(a, b):
    """Equal, numbers exactly (an integer and a double of the same value
    alike: sum_kinds checks which the sums are)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return a == b


def diff(path, want, got, out):
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            if k not in got:
                out.append('%s.%s: missing from llmlog' % (path, k))
            elif k not in want:
                continue    # a figure the reference does not compute
            else:
                diff('%s.%s' % (path, k), want[k], got[k], out)
    elif not same(want, got):
        out.append('%s: reference %r, llmlog %r' % (path, want, got))


def sum_kinds(got):
    """Whole sums below 2^63 are integers in llmlog's output."""
    bad = []
    llm = got['llm']
    for k in ('total_tokens', 'prompt_tokens', 'completion_tokens'):
        v = llm[k]
        if isinstance(v, float) and v.is_integer() and abs(v) < 2**63:
            bad.append('llm.%s: %r is whole but not an integer' % (k, v))
    return bad


def as_written(b):
    """A name as llmlog's own JSON writes it (llmlog(1), OUTPUT FORMATS):
    each byte that does not start or continue a valid UTF-8 sequence
    becomes U+FFFD."""
    out, i = bytearray(), 0
    while i < len(b):
        c = b[i]
        n = 1 if c < 0x80 else 2 if c < 0xe0 else 3 if c < 0xf0 else 4
        try:
            b[i:i + n].decode('utf-8', 'strict')
            out += b[i:i + n]
            i += n
        except UnicodeDecodeError:
            out += '\ufffd'.encode('utf-8')
            i += 1
    return bytes(out)


def names_as_written(want):
    for sec, keys in (('llm', ('by_provider', 'by_model', 'tokens_by_provider',
                                'tokens_by_model')),
                      ('tool', ('top',)),
                      ('security', ('top_denied_resources',
                                    'top_denied_actions'))):
        for k in keys:
            want[sec][k] = [(as_written(n), v) for n, v in want[sec][k]]
    for sec, keys in (('llm', ('failures_by_provider', 'failures_by_model')),
                      ('tool', ('failures_by_tool',))):
        for k in keys:
            want[sec][k] = [(as_written(r[0]),) + tuple(r[1:])
                            for r in want[sec][k]]


def coverage(raw, files):
    """The coverage's categories and their rotated flags (its times are
    not compared): of the files, whatever -c; rotated when a backup
    (NAME.log.N) is among the category's files."""
    cov = json.loads(raw).get('coverage')
    if not isinstance(cov, dict):
        return ['$.coverage: missing']
    cats = {c for _, c in files}
    rotated = {c: any(re.search(r'\.[0-9]+$', p) for p, k in files
                      if k == c) for c in cats}
    out = []
    for c, v in cov.items():
        if c not in cats:
            out.append('$.coverage.%s: no file of the category' % c)
        elif v.get('rotated') is not rotated[c]:
            out.append('$.coverage.%s.rotated: want %s, got %s'
                       % (c, rotated[c], v.get('rotated')))
        elif not v.get('first') or not v.get('last'):
            out.append('$.coverage.%s: no first or last' % c)
    return out


def main(argv):
    only = None
    if len(argv) == 4 and argv[2] == '-c' and argv[3] in CATEGORIES:
        only = argv[3]
    elif len(argv) != 2:
        sys.stderr.write('usage: stats-ref.py LLMLOG_JSON DIR [-c CAT]\n')
        return 2
    with open(argv[0], 'rb') as f:
        raw = f.read().decode('utf-8', 'surrogateescape')
    got = theirs(raw)
    files = []
    for name in sorted(os.listdir(argv[1])):
        base = re.sub(r'\.[0-9]+$', '', name)
        if base in FILES:
            files.append((os.path.join(argv[1], name), FILES[base]))
    sys.setrecursionlimit(20000)
    want = tally(files, only)
    names_as_written(want)
    out = []
    diff('$', want, got, out)
    out += sum_kinds(got)
    out += coverage(raw, files)
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
