#!/usr/bin/env python3
"""bench.py - make bench: llmlog beside its peers on llmlog-simulate data,
in one run, reported as one table with each measurement's target.  The
writer's rows are ratios to a bare write() of the same bytes in the same
run, and Python's logging (RotatingFileHandler and json) is measured
beside them with one and two threads.

    bench.py BUILDDIR BENCH-SRCDIR

The data sets are cached in $LLMLOG_BENCH_DIR (default
$TMPDIR/llmlog-bench) so that reruns only measure.  LLMLOG_BENCH_ONLY=a,b
runs only some steps (writer, python, stats (with the cost of pricing),
sql, where, hosts, trace, stats-full, regex, ui, dashboard, follow, huge).
A peer or a part of
llmlog that is missing is reported as skipped, never as a failure.
"""
import glob
import hashlib
import json
import os
import pty
import re
import select
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

MIB = 1024 * 1024
FULL_FILE = 10 * MIB


class Bench:
    def __init__(self, build, src):
        self.build = os.path.abspath(build)
        self.src = os.path.abspath(src)
        self.top_src = os.path.dirname(self.src)
        self.llmlog = os.path.join(self.build, "tui", "llmlog")
        self.sim = os.path.join(self.build, "examples", "llmlog-simulate")
        self.writer = os.path.join(self.build, "bench", "bench-writer")
        self.lnav_format = os.path.join(self.top_src, "contrib", "lnav",
                                        "llmlog.json")
        self.data = os.environ.get("LLMLOG_BENCH_DIR") or os.path.join(
            os.environ.get("TMPDIR", "/tmp"), "llmlog-bench")
        self.rows = []
        self.notes = []
        self.hyperfine = shutil.which("hyperfine")
        self.gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) \
            else None
        self.env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
        self.env.pop("LLMLOG_DIR", None)
        self.env.pop("LLMLOG_LEVEL", None)
        # the index cache of every run: beside the data, never a home's
        self.cache = os.path.join(self.data, "cache")
        self.env["LLMLOG_CACHE_DIR"] = self.cache

    # ---- reporting ------------------------------------------------------

    def row(self, what, ours, peer="", ratio="", target="", status=""):
        self.rows.append((what, ours, peer, ratio, target, status))
        print("  %-36s %s%s" % (what, ours, ("   [" + peer + "]") if peer
                                else ""), flush=True)

    def skip(self, what, why, target=""):
        self.row(what, "skipped: " + why, target=target, status="skipped")

    def note(self, text):
        self.notes.append(text)
        print("  note: " + text, flush=True)

    def table(self):
        head = ("what", "llmlog", "peer", "ratio", "target", "status")
        widths = [max(len(str(r[i])) for r in self.rows + [head])
                  for i in range(len(head))]
        widths = [min(w, 44) for w in widths]
        line = "  ".join("%-*s" % (w, h) for w, h in zip(widths, head))
        out = [line, "  ".join("-" * w for w in widths)]
        for r in self.rows:
            out.append("  ".join("%-*s" % (w, str(c)) for w, c in
                                 zip(widths, r)).rstrip())
        return "\n".join(out)

    # ---- running things -------------------------------------------------

    def run(self, args, env=None, **kw):
        return subprocess.run(args, env=env or self.env, check=False, **kw)

    def timed(self, commands, runs=3, warmup=1):
        """Median wall seconds of each shell command, hyperfine when there
        is one."""
        if self.hyperfine:
            with tempfile.NamedTemporaryFile(suffix=".json") as tf:
                args = [self.hyperfine, "--style", "none", "--runs",
                        str(runs), "--warmup", str(warmup), "--export-json",
                        tf.name] + list(commands)
                r = self.run(args, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
                if r.returncode == 0:
                    res = json.load(open(tf.name))["results"]
                    return [x["median"] for x in res]
                self.note("hyperfine failed (%s); timing by hand"
                          % r.stderr.strip().splitlines()[-1:])
        medians = []
        for cmd in commands:
            times = []
            for i in range(warmup + runs):
                t0 = time.perf_counter()
                self.run(["sh", "-c", cmd], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
                if i >= warmup:
                    times.append(time.perf_counter() - t0)
            medians.append(statistics.median(times))
        return medians

    def time_rss(self, cmd):
        """(wall seconds, peak RSS in KB) of one run of a shell command."""
        if self.gnu_time is None:
            return None, None
        with tempfile.NamedTemporaryFile(mode="r") as tf:
            self.run([self.gnu_time, "-o", tf.name, "-f", "%e %M", "sh", "-c",
                      "exec " + cmd], stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
            fields = tf.read().split()
        return float(fields[-2]), int(fields[-1])

    # ---- data -------------------------------------------------------------

    def simulate(self, name, args):
        """A cached data set: regenerated only when its options change."""
        d = os.path.join(self.data, name)
        stamp = os.path.join(self.data, name + ".done")
        key = self.sim_fingerprint() + " " + " ".join(args)
        if os.path.exists(stamp) and open(stamp).read() == key:
            return d
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(self.data, exist_ok=True)
        print("  generating %s: llmlog-simulate %s" % (name, " ".join(args)),
              flush=True)
        t0 = time.perf_counter()
        r = self.run([self.sim, "--dir", d] + args, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise RuntimeError("llmlog-simulate failed: " + r.stderr.strip())
        self.note("%s generated in %.0f s: %s" % (
            name, time.perf_counter() - t0, r.stdout.strip()))
        with open(stamp, "w") as f:
            f.write(key)
        return d

    def sim_fingerprint(self):
        """What the simulator writes for a small fixed session, pids left
        out: the cached sets are stale when it changes."""
        if getattr(self, "_fingerprint", None):
            return self._fingerprint
        with tempfile.TemporaryDirectory() as t:
            self.run([self.sim, "--dir", t, "--entries", "2000", "--seed", "1",
                      "--start", "2026-01-01T00:00:00Z"],
                     stdout=subprocess.DEVNULL)
            h = hashlib.sha256()
            for p in sorted(glob.glob(os.path.join(t, "*.log"))):
                with open(p, "rb") as f:
                    h.update(re.sub(rb'"pid":\d+,', b"", f.read()))
        self._fingerprint = h.hexdigest()[:16]
        return self._fingerprint

    @staticmethod
    def files(d):
        return sorted(glob.glob(os.path.join(d, "*.log*")))

    @staticmethod
    def size_mb(paths):
        return sum(os.path.getsize(p) for p in paths) / 1e6

    def full_set_entries(self, d1m):
        """Entries needed for every category to fill six 10 MiB files, from
        the bytes each category takes per entry in the 1M set."""
        need = 0
        for p in glob.glob(os.path.join(d1m, "*.log")):
            per_entry = os.path.getsize(p) / 1e6
            need = max(need, int(6.15 * FULL_FILE / per_entry))
        return min(need, 40000000)

    # ---- the measurements -------------------------------------------------------

    # (case, threads, what the row says, target ratio to the bare write)
    WRITER_ROWS = [
        ("tool-sync", 1, "tool, sync, 1 thread", 1.5),
        ("tool-sync", 2, "tool, sync, 2 threads", None),
        ("tool-async", 1, "tool, async, 1 thread", None),
        ("tool-async", 2, "tool, async, 2 threads", None),
        ("tool-span-sync", 1, "tool in a span, sync, 1 thread", None),
        ("tool-span-async", 1, "tool in a span, async, 1 thread", None),
        ("scope-sync", 1, "timed scope, sync, 1 thread", 2.0),
        ("scope-sync", 2, "timed scope, sync, 2 threads", None),
        ("metric-sync", 1, "metric with memory, sync, 1 thread", 2.0),
        ("metric-sync", 2, "metric with memory, sync, 2 threads", None),
        ("big-response-sync", 1, "interaction, 1 MB response, sync", None),
    ]

    def writer_cost(self):
        """Every writer row as a ratio to the bare write() of the line the
        case wrote, measured right after it: on CPU time, which a shared
        machine disturbs less than wall time (wall means beside it); the
        async rows also on the median call."""
        print("writer cost per entry, against a bare write() of the same "
              "bytes")
        n = 100000
        scratch = os.path.join(self.data, "writer-scratch")
        ours = {}
        if not os.access(self.writer, os.X_OK):
            self.skip("writer", "bench/bench-writer not built")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
            r = self.run([self.writer, scratch, str(n)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
            for line in r.stdout.splitlines():
                f = line.split()
                if len(f) == 7:
                    ours[(f[0], int(f[1]))] = [float(x) for x in f[2:]]
            if r.returncode != 0 or not ours:
                self.note("bench-writer: exit %d, %d results: %s" % (
                    r.returncode, len(ours), r.stderr.strip()[-200:]))
        shutil.rmtree(scratch, ignore_errors=True)
        for case, threads, what, target in self.WRITER_ROWS:
            if (case, threads) not in ours:
                continue
            mean, median, p99, cpu, _ = ours[(case, threads)]
            bare = ours.get(("bare-" + case, threads))
            ratio, status = "", ""
            if bare:
                ratio = "%.2fx bare (wall %.2fx)" % (cpu / bare[3],
                                                     mean / bare[0])
                if case.endswith("-async"):
                    ratio += ", median %.2fx" % (median / bare[1])
                if target:
                    status = met(cpu / bare[3] <= target)
            self.row("%s (cpu/entry)" % what,
                     "%.2f us (wall mean %.2f, median %.2f, p99 %.2f)"
                     % (cpu / 1000, mean / 1000, median / 1000, p99 / 1000),
                     "bare %.2f us, %d bytes" % (bare[3] / 1000, bare[4])
                     if bare else "", ratio,
                     "<= %.1fx bare" % target if target else "", status)
        # an active span (trace ids, a fresh span id, a conversation) on
        # the same call, CPU time per entry against the call without one
        for mode in ("sync", "async"):
            span = ours.get(("tool-span-" + mode, 1))
            plain = ours.get(("tool-" + mode, 1))
            if span and plain:
                ratio = span[3] / plain[3]
                self.row("tool, %s, 1 thread: in a span / without" % mode,
                         "%.2fx" % ratio,
                         "%.2f us / %.2f us" % (span[3] / 1000,
                                                plain[3] / 1000),
                         "", "<= 1.1x", met(ratio <= 1.1))
        if ("tool-async", 1) in ours:
            median = ours[("tool-async", 1)][1]
            self.row("tool, async, 1 thread (median call)",
                     "%.0f ns" % median, "", "", "<= 250 ns",
                     met(median <= 250))
        self.python_cost(n, ours)
        self.sink_cost(n)

    def python_cost(self, n, ours):
        """Python's logging of the same tool line, through one
        RotatingFileHandler, against the bare write() of llmlog's tool
        line (the same fields, within a few bytes)."""
        if not shutil.which("python3"):
            self.skip("Python logging", "no python3")
            return
        for threads in (1, 2):
            pyscratch = os.path.join(self.data, "py-scratch")
            shutil.rmtree(pyscratch, ignore_errors=True)
            r = self.run([sys.executable, os.path.join(self.src,
                                                       "py-writer.py"),
                          pyscratch, str(n // threads), str(threads)],
                         stdout=subprocess.PIPE, text=True)
            shutil.rmtree(pyscratch, ignore_errors=True)
            m = re.match(r"python (\d+) (\d+) (\d+)", r.stdout)
            if not m:
                self.skip("Python logging, %d thread(s)" % threads,
                          "py-writer.py printed %r" % r.stdout[:60])
                continue
            mean, cpu = float(m.group(2)), float(m.group(3))
            bare = ours.get(("bare-tool-sync", threads))
            tool = ours.get(("tool-sync", threads))
            ratio = "%.1fx bare (wall %.1fx)" % (cpu / bare[3],
                                                 mean / bare[0]) \
                if bare else ""
            peer = "llmlog %.1fx faster (cpu)" % (cpu / tool[3]) \
                if tool else ""
            self.row("Python RotatingFileHandler+json, %d thread%s "
                     "(cpu/entry)" % (threads, "s" if threads > 1 else ""),
                     "%.2f us (wall mean %.2f)" % (cpu / 1000, mean / 1000),
                     peer, ratio)

    def python_binding(self):
        """A log_call from Python through the llmlog package, sync and
        async, against RotatingFileHandler + json.dumps of the same fields
        (bench/py-binding.py), in the same run: the ratios of the mean wall
        time of a call."""
        print("a Python log_call: llmlog package against "
              "RotatingFileHandler + json")
        mod = os.path.join(self.build, "python", ".libs", "_llmlog.so")
        if not os.path.exists(mod):
            self.skip("Python binding", "python/_llmlog not built "
                      "(configure --enable-python)", ">= 5x sync, >= 10x async")
            return
        env = dict(self.env)
        env["PYTHONPATH"] = os.pathsep.join([
            os.path.dirname(mod), os.path.join(self.top_src, "python")])
        env["LD_LIBRARY_PATH"] = os.path.join(self.build, "lib", ".libs")
        scratch = os.path.join(self.data, "py-binding-scratch")
        r = self.run([sys.executable, os.path.join(self.src,
                                                   "py-binding.py"),
                      scratch, "200000"], env=env, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
        shutil.rmtree(scratch, ignore_errors=True)
        got = {}
        for line in r.stdout.splitlines():
            f = line.split()
            if len(f) == 3:
                got[f[0]] = (float(f[1]), float(f[2]))
        if r.returncode != 0 or "python" not in got:
            self.skip("Python binding", "py-binding.py: exit %d %s" % (
                r.returncode, r.stderr.strip()[-160:]))
            return
        py_wall, py_cpu = got["python"]
        for case, what, target in (("llmlog-sync", "sync", 5),
                                   ("llmlog-async", "async", 10)):
            if case not in got:
                continue
            wall, cpu = got[case]
            self.row("Python log_call, %s (wall/call)" % what,
                     "%.2f us (cpu %.2f)" % (wall / 1000, cpu / 1000),
                     "RotatingFileHandler+json %.2f us (cpu %.2f)"
                     % (py_wall / 1000, py_cpu / 1000),
                     "%.1fx faster (cpu %.1fx)" % (py_wall / wall,
                                                   py_cpu / cpu),
                     ">= %dx" % target, met(py_wall / wall >= target))

    def sink_cost(self, n):
        """The writer's own benchmark (tests/bench-writer), when built: the
        same calls minus the formatting, a finished line handed to the
        sink."""
        prog = os.path.join(self.build, "tests", "bench-writer")
        if not os.access(prog, os.X_OK):
            self.note("tests/bench-writer not built: sink-only rows skipped")
            return
        scratch = os.path.join(self.data, "sink-scratch")
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch, mode=0o700)
        r = self.run([prog, str(n), scratch], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
        shutil.rmtree(scratch, ignore_errors=True)
        if r.returncode != 0:
            self.note("tests/bench-writer: " + r.stderr.strip()[-200:])
        v = {}
        for line in r.stdout.splitlines():
            f = line.split()
            if len(f) == 2 and re.match(r"^\d+(\.\d+)?$", f[1]):
                v[f[0]] = float(f[1])
        bare = v.get("bare_write_1thread_cpu")
        if "writer_sync_1thread_mean" in v:
            mean = v["writer_sync_1thread_mean"]
            cpu = v.get("writer_sync_1thread_cpu", mean)
            self.row("sink only, sync 1 thread (cpu/entry)",
                     "%.2f us (wall mean %.2f)" % (cpu / 1000, mean / 1000),
                     "tests/bench-writer, bare %.2f us" % (bare / 1000)
                     if bare else "tests/bench-writer",
                     "%.2fx bare" % (cpu / bare) if bare else "",
                     "<= 1.5x bare", met(cpu <= 1.5 * bare) if bare else "")
        if "writer_async_1thread_median" in v:
            med = v["writer_async_1thread_median"]
            cpu = v.get("writer_async_1thread_cpu")
            self.row("sink only, async 1 thread (median)", "%.0f ns" % med,
                     "tests/bench-writer, cpu %.0f ns" % cpu if cpu else
                     "tests/bench-writer",
                     "%.2fx bare (cpu)" % (cpu / bare) if cpu and bare
                     else "", "<= 250 ns", met(med <= 250))

    def stats_1m(self, d):
        print("full index + --stats on the 1M set")
        files = self.files(d)
        self.note("1M set: %d files, %.0f MB" % (len(files), self.size_mb(files)))
        if not os.access(self.llmlog, os.X_OK):
            self.skip("--stats, 1M entries", "llmlog not built", "<= 0.5 s")
            return
        # the first open: nothing cached
        cmd = "%s --stats --no-cache --dir %s" % (self.llmlog, d)
        r = self.run(["sh", "-c", cmd + " --output json"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        total = None
        try:
            total = json.loads(r.stdout).get("total")
        except ValueError:
            self.note("--stats --output json did not print JSON: %s"
                      % (r.stderr.strip() or r.stdout[:80]))
        first_wall, rss = self.time_rss(cmd)
        wall = self.timed([cmd], runs=5)[0]
        peers = []
        jq = shutil.which("jq")
        quoted = " ".join(files)
        if jq:
            peers.append(("jq select", "%s -c 'select(.level == \"ERROR\")' %s"
                          " | wc -l" % (jq, quoted)))
        lnav = self.lnav_command(files)
        if lnav:
            peers.append(("lnav SQL count", lnav))
            r = self.run(["sh", "-c", lnav], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
            self.note("lnav counted: %s" % " ".join(r.stdout.split())[-60:])
        times = self.timed([c for _, c in peers], runs=2, warmup=0) \
            if peers else []
        peer = ", ".join("%s %.2f s" % (n, t) for (n, _), t in
                         zip(peers, times))
        best = min(times) if times else None
        self.row("--stats, 1M entries (median wall)", "%.3f s" % wall, peer,
                 "%.1fx faster than best" % (best / wall) if best else "",
                 "<= 0.5 s", met(wall <= 0.5))
        if first_wall is not None:
            self.row("--stats first run (wall)", "%.3f s" % first_wall)
        if rss is not None:
            lnav_rss = None
            if lnav:
                _, lnav_rss = self.time_rss(lnav)
            self.row("peak RSS, --stats 1M", "%.0f MB" % (rss / 1024),
                     "lnav %.0f MB" % (lnav_rss / 1024) if lnav_rss else "",
                     "%.1fx less" % (lnav_rss / rss) if lnav_rss else "",
                     "<= 64 MB", met(rss / 1024 <= 64))
            n = total if isinstance(total, int) and total > 0 else 1000000
            self.row("RSS per entry (bounds the index)",
                     "%.0f B" % (rss * 1024 / n), "", "", "index <= 32 B",
                     "upper bound")
        if total is not None:
            self.note("--stats counted %s entries" % total)
        self.stats_cost(d)

    def stats_cost(self, d):
        """What pricing the LLM calls adds to --stats: the shipped price
        table against an empty one (every call unpriced: the cost fields
        are still read, no price is found)."""
        prices = os.path.join(self.top_src, "contrib", "prices.json")
        empty = os.path.join(self.data, "prices-empty.json")
        with open(empty, "w") as f:
            f.write("{}\n")
        cmd = "%s --stats --dir %s --prices %s"
        with_prices, without = self.timed(
            [cmd % (self.llmlog, d, shlex.quote(prices)),
             cmd % (self.llmlog, d, shlex.quote(empty))], runs=5)
        self.row("--stats 1M, priced / unpriced (median wall)",
                 "%.3f s / %.3f s" % (with_prices, without), "",
                 "%.2fx" % (with_prices / without) if without else "",
                 "cost <= 1.1x", met(without and
                                     with_prices <= 1.1 * without))

    def cache_1m(self, d):
        """--stats on the 1M set opened again, from the index cache, beside
        the first open that writes it; the output must be the same bytes
        as without the cache."""
        print("--stats on the 1M set, opened again (index cache)")
        if not os.access(self.llmlog, os.X_OK):
            self.skip("--stats cached", "llmlog not built", "<= 0.06 s")
            return
        cmd = "%s --stats --dir %s" % (self.llmlog, d)
        shutil.rmtree(self.cache, ignore_errors=True)
        t0 = time.perf_counter()
        writing, wrss = self.time_rss(cmd)
        if writing is None:
            self.run(["sh", "-c", cmd], stdout=subprocess.DEVNULL)
            writing = time.perf_counter() - t0
        first = self.timed([cmd + " --no-cache"], runs=3)[0]
        again = self.timed([cmd], runs=5)[0]
        _, rss = self.time_rss(cmd)
        outs = [self.run(["sh", "-c", c + " --output json"],
                         stdout=subprocess.PIPE).stdout
                for c in (cmd + " --no-cache", cmd)]
        self.row("--stats 1M, first open writing the cache", "%.3f s" % writing)
        if wrss is not None:
            self.row("peak RSS, first open writing the cache",
                     "%.0f MB" % (wrss / 1024), "", "", "<= 64 MB",
                     met(wrss / 1024 <= 64))
        self.row("--stats 1M, opened again (cached)", "%.3f s" % again,
                 "first open %.3f s" % first, "%.2fx the first" % (again / first),
                 "<= 0.06 s, <= 0.15x", met(again <= 0.06 and
                                            again <= 0.15 * first))
        self.row("--stats 1M cached: same bytes as uncached",
                 "yes" if outs[0] == outs[1] and outs[0] else "NO", "", "",
                 "same", met(outs[0] == outs[1] and bool(outs[0])))
        if rss is not None:
            self.row("peak RSS, cached open 1M", "%.0f MB" % (rss / 1024), "",
                     "", "<= 128 MB", met(rss / 1024 <= 128))
        if os.path.isdir(self.cache):
            size = sum(os.path.getsize(os.path.join(self.cache, f))
                       for f in os.listdir(self.cache))
            self.note("index cache of the 1M set: %.0f MB" % (size / 1e6))

    # --sql's two queries; lnav runs the same SQL on its llm format's
    # table, where "FROM llm" reads "FROM llmlog_llm"
    SQL_TOKENS = ("SELECT model, count(*), sum(total_tokens) FROM {llm} "
                  "GROUP BY model")
    SQL_P95 = ("SELECT model, max(n) AS calls, min(duration_ms) AS p95_ms "
               "FROM (SELECT model, duration_ms, count(*) OVER w AS n, "
               "row_number() OVER (w ORDER BY duration_ms) AS rn "
               "FROM {llm} WINDOW w AS (PARTITION BY model)) "
               "WHERE rn >= 0.95 * n GROUP BY model")

    # the same p95 with llmlog's percentile_disc(); lnav (0.11) has no
    # percentile function, so its peer is the window query
    SQL_P95_DISC = ("SELECT model, count(*) AS calls, "
                    "percentile_disc(duration_ms, 0.95) AS p95_ms "
                    "FROM {llm} GROUP BY model")

    def sql_1m(self, d):
        print("--sql on the 1M set, beside lnav's SQL")
        if not os.access(self.llmlog, os.X_OK):
            self.skip("--sql, 1M entries", "llmlog not built", "<= 1 s")
            return
        files = self.files(d)
        lnav = self.lnav_command(files)
        if lnav is None:
            self.note("lnav not found: the --sql rows have no peer "
                      "(apt-get install lnav)")
        else:
            self.note("lnav runs the same SQL on its llm table, "
                      "FROM llm written FROM llmlog_llm")
        for name, q in (("tokens by model", self.SQL_TOKENS),
                        ("p95 by model", self.SQL_P95),
                        ("p95 by model, percentile_disc", self.SQL_P95_DISC)):
            ours = "%s --dir %s --sql %s" % (
                self.llmlog, d, shlex.quote(q.format(llm="llm")))
            first = self.timed([ours], runs=1, warmup=0)[0]
            wall = self.timed([ours], runs=5)[0]
            peer, ratio = "", ""
            if lnav is not None:
                peer_q = self.SQL_P95 if q is self.SQL_P95_DISC else q
                theirs = self.lnav_query(
                    lnav, peer_q.format(llm="llmlog_llm"))
                t = self.timed([theirs], runs=1, warmup=0)[0]
                peer, ratio = "lnav %.2f s" % t, "%.1fx faster" % (t / first)
                self.row("--sql %s, first run" % name, "%.3f s" % first, peer,
                         ratio, ">= 3x lnav", met(t / first >= 3))
                ratio = "%.1fx faster" % (t / wall)
                self.row("--sql %s, median" % name, "%.3f s" % wall, peer,
                         ratio, "<= 1 s, >= 5x lnav",
                         met(wall <= 1 and t / wall >= 5))
            else:
                self.row("--sql %s, first run" % name, "%.3f s" % first)
                self.row("--sql %s, median" % name, "%.3f s" % wall, "lnav "
                         "skipped: not installed", "", "<= 1 s", met(wall <= 1))

    def stats_full(self, d):
        """The full-rotation set opened again: the rotated backups never
        change, so a reader that remembers them pays for the new bytes
        only."""
        print("--stats on the full-rotation set, opened again")
        if not os.access(self.llmlog, os.X_OK):
            self.skip("--stats, full-rotation set", "llmlog not built")
            return
        files = self.files(d)
        cmd = "%s --stats --dir %s" % (self.llmlog, d)
        wall = self.timed([cmd], runs=5, warmup=1)[0]
        jq = shutil.which("jq")
        peer, ratio = "", ""
        if jq:
            t = self.timed(["%s -c 'select(.level == \"ERROR\")' %s | wc -l"
                            % (jq, " ".join(files))], runs=1, warmup=0)[0]
            peer, ratio = "jq select %.2f s" % t, "%.1fx faster" % (t / wall)
        self.row("--stats, %.0f MB in %d files (again)" % (
            self.size_mb(files), len(files)), "%.3f s" % wall, peer, ratio)

    def hosts_10(self, d1m):
        """Ten hosts of 1M entries each, read with --hosts as a central
        server would: the first open (an empty index cache), the open
        again (the cache warm) and the peak RSS."""
        print("--stats over 10 hosts x 1M entries")
        if not os.access(self.llmlog, os.X_OK):
            self.skip("--stats, 10 hosts x 1M", "llmlog not built")
            return
        spool = os.path.join(self.data, "hosts-10")
        stamp = spool + ".done"
        key = open(os.path.join(self.data, "set-1m.done")).read()
        if not (os.path.exists(stamp) and open(stamp).read() == key):
            shutil.rmtree(spool, ignore_errors=True)
            for i in range(10):
                # copies, not links: each host's files are files of their own
                shutil.copytree(d1m, os.path.join(spool, "host%02d" % i))
            with open(stamp, "w") as f:
                f.write(key)
        cache = tempfile.mkdtemp(prefix="llmlog-bench-cache-")
        env = "env LLMLOG_CACHE_DIR=%s " % cache
        cmd = "%s%s --hosts %s --stats -o json" % (env, self.llmlog, spool)
        try:
            first = self.timed([cmd], runs=1, warmup=0)[0]
            again = self.timed([cmd], runs=3, warmup=0)[0]
            _, rss = self.time_rss(cmd)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        self.row("--stats, 10 hosts x 1M, first open", "%.2f s" % first, "",
                 "", "<= 6 s", met(first <= 6))
        self.row("--stats, 10 hosts x 1M, again (cache)", "%.2f s" % again,
                 "", "%.2fx the first" % (again / first), "<= 0.6 s",
                 met(again <= 0.6))
        if rss is not None:
            self.row("peak RSS, 10 hosts x 1M (cached open)",
                     "%.0f MB" % (rss / 1024), "", "", "<= 800 MB",
                     met(rss / 1024 <= 800))

    def lnav_command(self, files):
        lnav = shutil.which("lnav")
        if not lnav:
            return None
        if not os.path.exists(self.lnav_format):
            self.note("lnav skipped: contrib/lnav/llmlog.json not found")
            return None
        try:
            fmt = json.load(open(self.lnav_format))
            names = [k for k in fmt if not k.startswith("$")]
        except ValueError as e:
            self.note("lnav skipped: cannot read the format: %s" % e)
            return None
        if not names:
            self.note("lnav skipped: the format file holds no format")
            return None
        home = os.path.join(self.data, "lnav-home")
        os.makedirs(home, exist_ok=True)
        # a private HOME: the format is installed there, not for the user
        self.run([lnav, "-i", self.lnav_format], env=dict(self.env, HOME=home),
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # one table per category format: the count is their sum
        count = "SELECT " + " + ".join(
            "(SELECT count(*) FROM %s)" % n for n in names)
        return "env HOME=%s %s -n -c %s %s" % (
            home, lnav, shlex.quote(";" + count), " ".join(files))

    def lnav_query(self, lnav_count, sql):
        """The lnav command of lnav_command() running sql instead of its
        count."""
        head, _, rest = lnav_count.partition(" -c ")
        files = shlex.split(rest)[1:]
        return "%s -c %s %s" % (head, shlex.quote(";" + sql),
                                " ".join(files))

    def regex_count(self, d):
        print("regex count on the full-rotation set")
        pattern = "Rate limit|Request timed out"
        files = self.files(d)
        if not os.access(self.llmlog, os.X_OK):
            self.skip("regex count", "llmlog not built", "<= 1.5x grep -cP")
            return
        # grep reads raw lines: --raw matches them too, like for like
        ours = "%s --print --raw --regex '%s' --output json --dir %s | wc -l" % (
            self.llmlog, pattern, d)
        grep = "grep -cP '%s' %s" % (pattern, " ".join(files))
        r1 = self.run(["sh", "-c", ours], stdout=subprocess.PIPE, text=True)
        r2 = self.run(["sh", "-c", grep], stdout=subprocess.PIPE, text=True)
        n_ours = r1.stdout.strip()
        n_grep = sum(int(x.rsplit(":", 1)[-1]) for x in r2.stdout.split())
        # the default matches decoded text: the phrase's words rule lines
        # out by a raw search first (regex.c, required_words)
        decoded = ours.replace(" --raw", "")
        # GNU grep stops at the first match when its output is /dev/null
        # (its exit status is all that is left to tell): timed into a pipe,
        # it reads every file, as we do
        t_ours, t_grep, t_dec = self.timed([ours, grep + " | cat", decoded],
                                           runs=3)
        ratio = t_ours / t_grep
        self.row("regex count, %.0f MB" % self.size_mb(files),
                 "%.3f s (%s lines)" % (t_ours, n_ours),
                 "grep -cP %.3f s (%d)" % (t_grep, n_grep),
                 "%.2fx grep" % ratio, "<= 1.5x grep -cP", met(ratio <= 1.5))
        self.row("regex count, decoded text", "%.3f s" % t_dec,
                 "grep -cP %.3f s" % t_grep, "%.2fx grep" % (t_dec / t_grep))
        if str(n_grep) != n_ours:
            self.note("regex counts differ: llmlog %s, grep %d" % (n_ours,
                                                                  n_grep))

    def where_count(self, d):
        print("--where count on the 1M set")
        files = self.files(d)
        if not os.access(self.llmlog, os.X_OK):
            self.skip("--where count", "llmlog not built", "<= 0.4 s")
            return
        ours = "%s --print --where 'duration_ms>1000' --count --dir %s" % (
            self.llmlog, d)
        peers = []
        jq = shutil.which("jq")
        if jq:
            peers.append(("jq select", "%s -c 'select(.duration_ms > 1000)' "
                          "%s | wc -l" % (jq, " ".join(files))))
        # the first open: no index cache yet (it is written on the way)
        fresh = tempfile.mkdtemp(dir=self.data, prefix="cache-first.")
        first = self.timed(["env LLMLOG_CACHE_DIR=%s %s" % (fresh, ours)],
                           runs=1, warmup=0)[0]
        shutil.rmtree(fresh, ignore_errors=True)
        times = self.timed([ours] + [c for _, c in peers], runs=3)
        r = self.run(["sh", "-c", ours], stdout=subprocess.PIPE, text=True)
        peer = ", ".join("%s %.2f s" % (n, t) for (n, _), t in
                         zip(peers, times[1:]))
        self.row("--where 'duration_ms>1000' --count, 1st open",
                 "%.3f s" % first, peer,
                 "%.1fx faster" % (times[1] / first) if peers else "",
                 "<= 0.4 s", met(first <= 0.4))
        self.row("--where 'duration_ms>1000' --count, warm",
                 "%.3f s (%s)" % (times[0], r.stdout.strip()), peer,
                 "%.1fx faster" % (times[1] / times[0]) if peers else "",
                 "<= 0.1 s", met(times[0] <= 0.1))

    def trace_1m(self, d):
        """--trace on the 1M set: the id is a request's from the set (the
        last user entry with one), or, in a set written without traces,
        one no line holds, which costs the same whole scan."""
        print("--trace on the 1M set")
        files = self.files(d)
        if not os.access(self.llmlog, os.X_OK):
            self.skip("--trace, 1M", "llmlog not built", "<= 0.3 s")
            return
        tid, how = None, "an id no entry has"
        for f in files:
            if os.path.basename(f).startswith("user_interactions"):
                with open(f, "rb") as fh:
                    found = re.findall(rb'"trace_id":"([0-9a-f]{32})"',
                                       fh.read())
                if found:
                    tid, how = found[-1].decode(), "a request's"
                    break
        if tid is None:
            tid = "%032x" % 0x5eed
        ours = "%s --print --trace %s --dir %s >/dev/null" % (
            self.llmlog, tid, d)
        # into a pipe: into /dev/null GNU grep stops at the first match
        grep = "grep -hF %s %s | cat >/dev/null" % (tid, " ".join(files))
        times = self.timed([ours, grep], runs=3)
        r = self.run(["sh", "-c", "%s --print --trace %s --dir %s | head -1"
                      % (self.llmlog, tid, d)], stdout=subprocess.PIPE,
                     text=True)
        self.row("--trace ID, 1M (%s)" % how, "%.3f s" % times[0],
                 "grep -F %.2f s" % times[1],
                 "%.2fx grep" % (times[0] / times[1]) if times[1] else "",
                 "<= 0.3 s", met(times[0] <= 0.3))
        self.note("--trace: %s" % (r.stdout.strip() or "no entry (exit 1)"))

    def ui_first_screen(self, d):
        print("UI first screen on the full-rotation set (tmux)")
        tmux = shutil.which("tmux")
        if not tmux or not os.access(self.llmlog, os.X_OK):
            self.skip("UI first screen", "tmux or llmlog missing", "<= 150 ms")
            return
        sock = "llmlog-bench-%d" % os.getpid()
        baseline = ("sh -c 'printf \"All  User  Performance\\n\"; for i in 1 2 3 "
                    "4 5 6; do echo \"12:00:0$i INFO row\"; done; sleep 60'")
        ui = "%s --dir %s" % (self.llmlog, d)
        base_t = [self.screen_time(tmux, sock, baseline) for _ in range(5)]
        ui_t = [self.screen_time(tmux, sock, ui) for _ in range(5)]
        if None in ui_t:
            self.skip("UI first screen", "no tab bar and rows within 10 s",
                      "<= 150 ms")
            return
        base = statistics.median(base_t)
        net = statistics.median(ui_t[1:]) - base
        self.row("UI first screen, %.0f MB" % self.size_mb(self.files(d)),
                 "%.0f ms" % (net * 1000),
                 "first open %.0f ms; tmux alone %.0f ms"
                 % ((ui_t[0] - base) * 1000, base * 1000), "", "<= 150 ms",
                 met(net <= 0.150))

    def screen_time(self, tmux, sock, cmd):
        """Seconds from starting cmd in a fresh tmux until the screen shows
        the tab bar ("All" ... "Performance") and at least five rows with a
        time."""
        env = dict(self.env, TERM="xterm-256color")
        self.run([tmux, "-L", sock, "kill-server"], stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
        t0 = time.perf_counter()
        self.run([tmux, "-L", sock, "-f", "/dev/null", "new-session", "-d",
                  "-x", "160", "-y", "48", cmd], env=env)
        found = None
        while time.perf_counter() - t0 < 10:
            r = self.run([tmux, "-L", sock, "capture-pane", "-p"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True)
            screen = r.stdout
            if "All" in screen and "Performance" in screen and \
                    len(re.findall(r"\d\d:\d\d:\d\d", screen)) >= 5:
                found = time.perf_counter() - t0
                break
            time.sleep(0.002)
        self.run([tmux, "-L", sock, "kill-server"], stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
        return found

    def dashboard(self):
        """bench/ui-bench.sh on a 1M set of its own, which its live writer
        grows: the filters typed in the list (first screenful, complete
        count), the Stats tab's first and complete figures, and the CPU the
        explorer takes with a writer at 20 entries a second."""
        print("dashboard on 1M entries (tmux, bench/ui-bench.sh)")
        if not shutil.which("tmux") or not os.access(self.llmlog, os.X_OK):
            self.skip("dashboard", "tmux or llmlog missing", "<= 5 %")
            return
        r = self.run(["sh", os.path.join(self.src, "ui-bench.sh"), "-b",
                      self.build, "-n", "1000000"], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            self.skip("dashboard", "ui-bench.sh: %s" % r.stderr.strip()[-80:])
            return
        m = re.search(r"first figures (\d+) ms, complete (\d+) ms "
                      r"\(llmlog --stats: (\d+) ms\)", r.stdout)
        if m:
            first, done, stats = (int(x) for x in m.groups())
            self.row("Stats tab first figures, 1M", "%d ms" % first,
                     "complete %d ms; --stats %d ms" % (done, stats), "",
                     "<= 150 ms", met(first <= 150))
        names = {"k": "keyword (k)", "f": "regex (f)", "w": "where (w)"}
        for key, text, first, done, n in re.findall(
                r"filter (\w) '([^']*)': first screen (\d+) ms, complete "
                r"(\d+) ms \((\d+) entries\)", r.stdout):
            self.row("UI %s %s, 1M: first screenful" % (names[key], text),
                     "%s ms" % first, "", "", "<= 100 ms",
                     met(int(first) <= 100))
            self.row("UI %s %s, 1M: count complete" % (names[key], text),
                     "%s ms" % done, "%s entries" % n, "", "<= 400 ms",
                     met(int(done) <= 400))
        for what, cpu in re.findall(r"CPU, ([a-zA-Z ]+), 20/s writer, "
                                    r"\d+ s: ([\d.]+) %", r.stdout):
            self.row("CPU with a 20/s writer, %s" % what, "%s %%" % cpu, "",
                     "", "<= 5 %" if what != "list alone" else "",
                     met(float(cpu) <= 5) if what != "list alone" else "")

    def follow_latency(self):
        print("follow latency (library write -> llmlog --follow output)")
        if not os.access(self.llmlog, os.X_OK):
            self.skip("follow latency", "llmlog not built", "<= 20 ms p99")
            return
        d = os.path.join(self.data, "follow")
        shutil.rmtree(d, ignore_errors=True)
        self.run([self.sim, "--dir", d, "--entries", "20"],
                 stdout=subprocess.DEVNULL)
        master, slave = pty.openpty()
        follower = subprocess.Popen(
            [self.llmlog, "--print", "--follow", "--output", "json", "--dir",
             d], stdin=subprocess.DEVNULL, stdout=slave,
            stderr=subprocess.DEVNULL, env=self.env)
        os.close(slave)
        lat = []
        stop = threading.Event()
        begin = [None]

        def reader():
            buf = b""
            while not stop.is_set():
                rl, _, _ = select.select([master], [], [], 0.1)
                if not rl:
                    continue
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                now = time.time()
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    m = re.search(rb'"timestamp":"([^"]+)"', line)
                    if m and begin[0] is not None:
                        t = parse_rfc3339(m.group(1).decode())
                        if t is not None and t >= begin[0]:
                            lat.append((now - t) * 1000)

        th = threading.Thread(target=reader)
        th.start()
        time.sleep(1.0)
        begin[0] = time.time()
        self.run([self.sim, "--dir", d, "--rate", "200", "--duration", "5s"],
                 stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        stop.set()
        th.join()
        follower.terminate()
        follower.wait()
        os.close(master)
        shutil.rmtree(d, ignore_errors=True)
        if len(lat) < 50:
            self.skip("follow latency", "only %d lines followed" % len(lat),
                      "<= 20 ms p99")
            return
        lat.sort()
        p99 = lat[int(len(lat) * 0.99)]
        self.row("follow latency p99 (%d lines)" % len(lat), "%.1f ms" % p99,
                 "p50 %.1f ms, max %.1f ms" % (lat[len(lat) // 2], lat[-1]),
                 "", "<= 20 ms p99", met(p99 <= 20))

    def huge_lines(self):
        """One valid line of 100 MB, then of 800 MB, between two short
        ones: indexed, classified and printed whole by --output json.  The
        time grows with the line, not with its square (each index task that
        starts inside a line stops at its own end)."""
        print("one huge line, indexed and printed whole")
        if not os.access(self.llmlog, os.X_OK):
            self.skip("one huge line", "llmlog not built", "linear")
            return
        good = ('{"category":"llm","timestamp":"2026-11-26T10:00:00Z",'
                '"level":"INFO","event":"llm_call","provider":"p",'
                '"model":"m","success":true}\n')
        walls = {}
        for mb in (100, 800):
            d = os.path.join(self.data, "huge-%d" % mb)
            path = os.path.join(d, "llm_calls.log")
            size = mb * 1000 * 1000
            if not os.path.exists(path) or os.path.getsize(path) < size:
                os.makedirs(d, exist_ok=True)
                with open(path, "w") as f:
                    f.write(good)
                    f.write('{"category":"llm","timestamp":'
                            '"2026-11-26T10:00:01Z","level":"INFO",'
                            '"event":"llm_call","model":"')
                    block = "a" * MIB
                    for _ in range(size // MIB):
                        f.write(block)
                    f.write('"}\n')
                    f.write(good)
            cmd = "%s --output json --dir %s | wc -c" % (self.llmlog, d)
            walls[mb] = self.timed([cmd], runs=3)[0]
            self.row("one %d MB line, -o json (wall)" % mb,
                     "%.2f s" % walls[mb])
        ratio = walls[800] / walls[100] if walls[100] > 0 else 0
        self.row("800 MB line / 100 MB line", "%.1fx" % ratio, "", "",
                 "linear: about 8x", met(ratio <= 12))

    # ---- the whole run ----------------------------------------------------------------

    def main(self):
        if not os.access(self.sim, os.X_OK):
            print("make bench: %s is not built; run make first" % self.sim)
            return 1
        print("llmlog bench: build %s, data cached in %s" % (self.build,
                                                              self.data))
        load_start = loadavg()
        steps = [("writer", self.writer_cost),
                 ("python", self.python_binding)]
        try:
            d1m = self.simulate("set-1m", [
                "--entries", "1000000", "--seed", "1", "--start",
                "2026-11-01T00:00:00Z", "--span", "7d", "--backups", "0"])
            steps.append(("stats", lambda: self.stats_1m(d1m)))
            steps.append(("cache", lambda: self.cache_1m(d1m)))
            steps.append(("sql", lambda: self.sql_1m(d1m)))
            steps.append(("where", lambda: self.where_count(d1m)))
            steps.append(("trace", lambda: self.trace_1m(d1m)))
            steps.append(("hosts", lambda: self.hosts_10(d1m)))
            dfull = self.simulate("set-full", [
                "--entries", str(self.full_set_entries(d1m)), "--seed", "2",
                "--start", "2026-10-01T00:00:00Z", "--span", "30d",
                "--max-bytes", str(FULL_FILE), "--backups", "5"])
            files = self.files(dfull)
            self.note("full-rotation set: %d files, %.0f MB" % (
                len(files), self.size_mb(files)))
            steps.append(("stats-full", lambda: self.stats_full(dfull)))
            steps.append(("regex", lambda: self.regex_count(dfull)))
            steps.append(("ui", lambda: self.ui_first_screen(dfull)))
            steps.append(("dashboard", self.dashboard))
        except (RuntimeError, OSError) as e:
            self.note("data sets: %s" % e)
        steps.append(("follow", self.follow_latency))
        steps.append(("huge", self.huge_lines))
        only = os.environ.get("LLMLOG_BENCH_ONLY")
        if only:
            steps = [s for s in steps if s[0] in only.split(",")]
        for name, fn in steps:
            try:
                fn()
            except Exception as e:     # a broken peer must not end the run
                self.skip(name, "%s: %s" % (type(e).__name__, e))
        print()
        print("Measured %s on %d cores, "
              "load average %s at the start, %s at the end" % (
                  time.strftime("%Y-%m-%d %H:%M"), os.cpu_count() or 0,
                  load_start, loadavg()))
        print(self.table())
        for n in self.notes:
            print("note: " + n)
        return 0


def loadavg():
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "unknown"


def met(ok):
    return "met" if ok else "MISSED"


def parse_rfc3339(s):
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$", s)
    if not m:
        return None
    import calendar
    t = calendar.timegm(tuple(int(m.group(i)) for i in range(1, 7)))
    return t + (float(m.group(7)) if m.group(7) else 0.0)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: bench.py BUILDDIR BENCH-SRCDIR")
    sys.exit(Bench(sys.argv[1], sys.argv[2]).main())
