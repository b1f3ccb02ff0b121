#!/usr/bin/python3
"""Benchmarks edgegw against Debian's mosquitto and prints a Markdown table of the results.

Every scenario runs against each broker in turn (mosquitto, edgegw, mosquitto, edgegw, ...),
each run against a freshly started broker on a free loopback port, and the table shows the
median of the repetitions with the ratio edgegw/mosquitto. The load comes from edgegw_bench
(one thread, pinned to CPU 1; the broker is pinned to CPU 0). edgegw_bench prints "MARK start"
and "MARK end" around its measured window, and this script reads the broker's CPU time
(/proc/PID/stat utime+stime) and memory (/proc/PID/status VmRSS) exactly there.

Typical use, from the repository root, on a Release build:
    cmake -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2
    tests/bench/run_bench.py --out bench.md
    tests/bench/run_bench.py --only mosquitto --quick        # smoke run, no edgegw needed

It stops only the processes it started, by PID, and always cleans up.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CLK_TCK = os.sysconf("SC_CLK_TCK")

# edgegw runs with MQTT over TCP only, like the mosquitto it is compared with. Keys a given
# build does not know yet (`edgegw --check --set` fails) are left out and reported.
EDGEGW_DEFAULT_SETS = [
    "listener.ssl.default.enable=false",
    "listener.ws.default.enable=false",
    "listener.wss.default.enable=false",
    "gateway.mqttsn.enable=false",
    "gateway.coap.enable=false",
    "gateway.lwm2m.enable=false",
    "gateway.stomp.enable=false",
]
# Pinned to one CPU, edgegw gets one I/O thread, as mosquitto has.
EDGEGW_PINNED_SETS = ["node.io_threads=1"]


class Interrupted(Exception):
    pass


def on_signal(signum, _frame):
    raise Interrupted(f"signal {signum}")


# --- /proc readers -------------------------------------------------------------------------

def proc_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def proc_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_ticks():
    """Per-CPU jiffies: user nice system idle iowait irq softirq steal."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                name, *vals = line.split()
                out[name] = [int(v) for v in vals[:8]]
    return out


def busy_pct(before, after, cpu):
    """Share of `cpu` spent in processes (user, nice, system) or stolen by the hypervisor.
    Interrupt time is left out: softirq work for loopback traffic is not charged to any
    process, so it would look like interference."""
    if cpu not in before or cpu not in after:
        return None
    delta = [a - b for a, b in zip(after[cpu], before[cpu])]
    total = sum(delta)
    return 100.0 * (delta[0] + delta[1] + delta[2] + delta[7]) / total if total > 0 else None


def wait_for_quiet(max_wait, threshold=10.0):
    """Waits (at most max_wait s) until no CPU is busier than `threshold` % over half a second,
    so that other people's builds do not run beside a benchmark. Returns the busiest CPU's %."""
    deadline = time.monotonic() + max_wait
    while True:
        before = cpu_ticks()
        time.sleep(0.5)
        after = cpu_ticks()
        busiest = max((busy_pct(before, after, c) or 0.0) for c in after)
        if busiest <= threshold or time.monotonic() >= deadline:
            return busiest


# --- processes -----------------------------------------------------------------------------

class Runner:
    """Starts brokers and edgegw_bench, and stops exactly those processes, by PID."""

    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.procs = []
        self.pin = len(os.sched_getaffinity(0)) >= 2 and not args.no_pin

    def prefix(self, cpu):
        return ["taskset", "-c", str(cpu)] if self.pin else []

    def spawn(self, cmd, log, **kw):
        with open(log, "ab") as logf:
            proc = subprocess.Popen(cmd, stderr=logf, **kw)
        self.procs.append(proc)
        return proc

    def stop(self, proc):
        """SIGTERM, again if ignored, then SIGKILL; only ever a process this script started."""
        if proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=5)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if proc in self.procs:
            self.procs.remove(proc)
        return proc.returncode

    def stop_all(self):
        for proc in list(self.procs):
            self.stop(proc)

    def start_broker(self, broker, run_dir):
        port = free_port()
        log = run_dir / f"{broker}.log"
        if broker == "mosquitto":
            conf = run_dir / "mosquitto.conf"
            conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n")
            cmd = [self.args.mosquitto, "-c", str(conf)]
        else:
            data = run_dir / "data"
            data.mkdir()
            cmd = [self.args.edgegw, "--set", f"listener.tcp.default.bind=127.0.0.1:{port}",
                   "--set", f"node.data_dir={data}"]
            for kv in self.args.edgegw_sets:
                cmd += ["--set", kv]
        proc = self.spawn(self.prefix(0) + cmd, log, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{broker} exited with {proc.returncode} at start: "
                                   f"{tail(log)}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.02)
        else:
            self.stop(proc)
            raise RuntimeError(f"{broker} did not accept connections on port {port}: {tail(log)}")
        time.sleep(0.3)  # let it settle before its idle memory is read
        return proc, port, " ".join(shlex.quote(c) for c in cmd)


def kill_if_running(proc):
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, n=5):
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return " | ".join(lines[-n:])


# --- one run -------------------------------------------------------------------------------

def run_once(runner, scenario, broker, rep, attempt):
    """Starts `broker`, runs one scenario against it, returns a dict of measurements."""
    args = runner.args
    run_dir = runner.tmp / f"{scenario['name']}-{broker}-{rep}-{attempt}"
    run_dir.mkdir()
    rec = {"scenario": scenario["name"], "broker": broker, "rep": rep}
    if args.wait_idle > 0:
        rec["busy_before_pct"] = wait_for_quiet(args.wait_idle)
    proc, port, rec["broker_cmd"] = runner.start_broker(broker, run_dir)
    pid = proc.pid
    tool = watchdog = None
    try:
        rec["idle_rss_kb"] = proc_rss_kb(pid)
        cmd = runner.prefix(1) + [str(args.bench), "--port", str(port)] + scenario["args"]
        rec["bench_cmd"] = " ".join(shlex.quote(c) for c in cmd)
        conns = scenario["name"] == "conns"
        tool = runner.spawn(cmd, run_dir / "bench.stderr", stdout=subprocess.PIPE,
                            stdin=subprocess.PIPE if conns else subprocess.DEVNULL, text=True,
                            bufsize=1)
        deadline = time.monotonic() + scenario["timeout"]
        # A hung generator is killed (by PID) so that reading its output ends.
        watchdog = threading.Timer(scenario["timeout"], kill_if_running, (tool,))
        watchdog.start()
        result = None
        marks = {}
        for line in tool.stdout:  # edgegw_bench flushes each line
            line = line.strip()
            if line == "MARK start":
                marks["start"] = (time.monotonic(), proc_cpu_seconds(pid), cpu_ticks())
            elif line == "MARK end":
                marks["end"] = (time.monotonic(), proc_cpu_seconds(pid), cpu_ticks())
                rec["rss_end_kb"] = proc_rss_kb(pid)
            elif line.startswith("READY"):
                time.sleep(0.5)
                rec["conns_rss_kb"] = proc_rss_kb(pid)
                tool.stdin.close()  # edgegw_bench lets go of its connections at EOF
            elif line.startswith("{"):
                result = json.loads(line)
        try:
            tool.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        code = runner.stop(tool)
        if result is None:
            raise RuntimeError(f"edgegw_bench gave no result (exit {code}): "
                               f"{tail(run_dir / 'bench.stderr')}")
        rec["result"] = result
        if not result.get("ok"):
            rec["error"] = result.get("error", "failed")
        if "start" in marks and "end" in marks:
            (t0, c0, s0), (t1, c1, s1) = marks["start"], marks["end"]
            rec["window_s"] = t1 - t0
            rec["broker_cpu_s"] = c1 - c0
            rec["cpu_pct"] = 100.0 * (c1 - c0) / (t1 - t0)
            rec["cpu0_busy_pct"] = busy_pct(s0, s1, "cpu0")
            rec["cpu1_busy_pct"] = busy_pct(s0, s1, "cpu1")
            # CPU 0 is the broker's and CPU 1 the generator's: anything else busy there
            # disturbed the measurement.
            gen = result.get("gen_cpu_pct")
            if runner.pin and rec["cpu0_busy_pct"] is not None and gen is not None:
                rec["other_cpu0_pct"] = max(0.0, rec["cpu0_busy_pct"] - rec["cpu_pct"])
                rec["other_cpu1_pct"] = max(0.0, rec["cpu1_busy_pct"] - gen)
            received = result.get("window_received", 0)
            rec["msg_per_cpu_s"] = received / (c1 - c0) if c1 > c0 else None
        if conns and "conns_rss_kb" in rec and result.get("held"):
            rec["conn_bytes"] = (rec["conns_rss_kb"] - rec["idle_rss_kb"]) * 1024 / result["held"]
        if proc.poll() is not None:
            rec["error"] = f"{broker} died during the run (exit {proc.returncode}): " \
                           f"{tail(run_dir / (broker + '.log'))}"
    finally:
        if watchdog:
            watchdog.cancel()
        if tool:
            runner.stop(tool)
        broker_code = runner.stop(proc)
    if broker_code != 0 and "error" not in rec:
        rec["error"] = f"{broker} exited with {broker_code} on SIGTERM: " \
                       f"{tail(run_dir / (broker + '.log'))}"
    return rec


# --- report --------------------------------------------------------------------------------

# (scenario, label, how to get the value from a run record, format, better)
def metric_rows(conns_n):
    res = lambda key: (lambda r: r["result"].get(key))  # noqa: E731
    rec = lambda key: (lambda r: r.get(key))  # noqa: E731
    mib = lambda key: (lambda r: r[key] / 1024 if r.get(key) is not None else None)  # noqa
    return [
        ("fanin_qos0", "received msg/s", res("recv_rate"), "{:,.0f}", "higher"),
        ("fanin_qos0", "broker CPU, % of one core", rec("cpu_pct"), "{:.0f}", ""),
        ("fanin_qos0", "msg per broker CPU-second", rec("msg_per_cpu_s"), "{:,.0f}", "higher"),
        ("fanin_qos0", "lost, %", res("loss_pct"), "{:.2f}", "lower"),
        ("fanin_qos1", "received msg/s", res("recv_rate"), "{:,.0f}", "higher"),
        ("fanin_qos1", "accepted (PUBACKed) msg/s", res("acked_rate"), "{:,.0f}", ""),
        ("fanin_qos1", "broker CPU, % of one core", rec("cpu_pct"), "{:.0f}", ""),
        ("fanin_qos1", "received msg per broker CPU-second", rec("msg_per_cpu_s"), "{:,.0f}",
         "higher"),
        ("fanin_qos1", "acknowledged but never delivered, %", res("loss_pct"), "{:.2f}",
         "lower"),
        ("fanin_qos1", "duplicates", res("dups"), "{:,.0f}", "lower"),
        ("fanout", "delivered msg/s (all subscribers)", res("recv_rate"), "{:,.0f}", "higher"),
        ("fanout", "broker CPU, % of one core", rec("cpu_pct"), "{:.0f}", ""),
        ("fanout", "deliveries per broker CPU-second", rec("msg_per_cpu_s"), "{:,.0f}",
         "higher"),
        ("fanout", "lost, %", res("loss_pct"), "{:.2f}", "lower"),
        ("latency", "p50 latency, ms", res("lat_p50_ms"), "{:.3f}", "lower"),
        ("latency", "p90 latency, ms", res("lat_p90_ms"), "{:.3f}", "lower"),
        ("latency", "p99 latency, ms", res("lat_p99_ms"), "{:.3f}", "lower"),
        ("latency", "max latency, ms", res("lat_max_ms"), "{:.3f}", "lower"),
        ("latency", "broker CPU, % of one core", rec("cpu_pct"), "{:.1f}", "lower"),
        ("conns", "idle RSS, MiB", mib("idle_rss_kb"), "{:.1f}", "lower"),
        ("conns", f"RSS with {conns_n:,} idle connections, MiB", mib("conns_rss_kb"), "{:.1f}",
         "lower"),
        ("conns", "RSS per idle connection, bytes", rec("conn_bytes"), "{:,.0f}", "lower"),
        ("conns", "connection setup, conn/s", res("conn_rate"), "{:,.0f}", "higher"),
    ]


def disturbed(rec):
    """Whether other processes took over 10% of the broker's or the generator's CPU."""
    return max(rec.get("other_cpu0_pct") or 0, rec.get("other_cpu1_pct") or 0) > 10


def median_of(records, get):
    vals = []
    for r in records:
        if r.get("error") or r.get("discarded") or "result" not in r:
            continue
        v = get(r)
        if v is not None:
            vals.append(v)
    return statistics.median(vals) if vals else None


def binary_info(path):
    try:
        data = Path(path).read_bytes()
    except OSError:
        return "missing"
    asan = b"__asan_init" in data
    debug = b".debug_info" in data
    return f"ASan {'YES (numbers meaningless)' if asan else 'no'}, " \
           f"debug info {'yes' if debug else 'no'}"


def version_of(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        text = (out.stdout + out.stderr).strip().splitlines()
        return text[0] if text else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine_info():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    debian = Path("/etc/debian_version")
    distro = f"Debian {debian.read_text().strip()}" if debian.exists() else platform.platform()
    return f"{os.cpu_count()} CPUs ({model}), {mem_kb / 1048576:.1f} GiB RAM, " \
           f"kernel {platform.release()}, {distro}"


def report(args, scenarios, brokers, records, notes):
    out = ["# edgegw vs mosquitto: MQTT broker benchmarks", ""]
    out.append(f"- Command: `{' '.join(shlex.quote(a) for a in sys.argv)}`")
    out.append(f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    out.append(f"- Machine: {machine_info()}")
    out.append(f"- mosquitto: {version_of([args.mosquitto, '-h'])} ({args.mosquitto}; stock "
               "settings: only `listener PORT 127.0.0.1` and `allow_anonymous true`)")
    if "edgegw" in brokers:
        out.append(f"- edgegw: {version_of([args.edgegw, '--version'])} ({args.edgegw}; "
                   f"{binary_info(args.edgegw)}; "
                   f"`--set` {', '.join(EDGEGW_BASE_SETS + args.edgegw_sets)})")
    out.append(f"- Load generator: {args.bench} ({binary_info(args.bench)}), one thread")
    out += [f"- {n}" for n in notes]
    kept = [r for r in records if not r.get("discarded")]
    repeated = len(records) - len(kept)
    if repeated:
        out.append(f"- {repeated} runs were disturbed by other processes (over 10% of CPU 0 or "
                   "1) and repeated; they are listed below but not counted.")
    still = [r for r in kept if disturbed(r)]
    if still:
        out.append(f"- **WARNING: other processes used over 10% of CPU 0 or 1 during "
                   f"{len(still)} of {len(kept)} counted runs** (\"others\" below); rerun on "
                   "an idle machine before trusting those figures.")
    busy = [r for r in kept if (r.get("busy_before_pct") or 0) > 10]
    if busy:
        out.append(f"- **WARNING: {len(busy)} runs started while some CPU was over 10% busy** "
                   f"(waited up to {args.wait_idle:g} s for it to calm down).")
    saturated = [r for r in kept if (r.get("result", {}).get("gen_cpu_pct") or 0) > 85]
    if saturated:
        out.append(f"- **WARNING: the load generator used over 85% of its CPU in "
                   f"{len(saturated)} runs**: there it may be the bottleneck, not the broker.")
    out.append("")
    header = "| scenario | metric | " + " | ".join(brokers)
    header += " | edgegw/mosquitto |" if len(brokers) == 2 else " |"
    out += [header, "|---|---|" + "---:|" * (len(brokers) + (len(brokers) == 2))]
    titles = {s["name"]: s["title"] for s in scenarios}
    last = None
    for scen, label, get, fmt, better in metric_rows(args.connections):
        if scen not in titles:
            continue
        vals = [median_of([r for r in records if r["scenario"] == scen and r["broker"] == b],
                          get) for b in brokers]
        cells = [fmt.format(v) if v is not None else "—" for v in vals]
        row = f"| {titles[scen] if scen != last else ''} | {label} | " + " | ".join(cells)
        if len(brokers) == 2:
            m, e = vals
            ratio = f"{e / m:.2f}×" if m and e is not None else "—"
            if better and ratio != "—":
                ratio += f" ({better} is better)"
            row += f" | {ratio}"
        out.append(row + " |")
        last = scen
    out += ["", "## Per run", "",
            "| scenario | broker | rep | main figure | broker CPU % | CPU0 / CPU1 busy % | "
            "generator CPU % | others on CPU 0 / 1 % | error |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in records:
        res = r.get("result", {})
        main = res.get("recv_rate")
        if r["scenario"] == "latency":
            main = f"p99 {res.get('lat_p99_ms', float('nan')):.3f} ms"
        elif r["scenario"] == "conns":
            main = f"{r['conn_bytes']:,.0f} B/conn" if r.get("conn_bytes") else "—"
        elif main is not None:
            main = f"{main:,.0f} msg/s"
        busy = "/".join(f"{v:.0f}" if v is not None else "?"
                        for v in (r.get("cpu0_busy_pct"), r.get("cpu1_busy_pct")))
        fmt = lambda v: f"{v:.0f}" if isinstance(v, (int, float)) else "—"  # noqa: E731
        out.append(f"| {r['scenario']} | {r['broker']} | {r['rep']} | {main or '—'} | "
                   f"{fmt(r.get('cpu_pct'))} | {busy if 'cpu_pct' in r else '—'} | "
                   f"{fmt(res.get('gen_cpu_pct'))} | "
                   f"{fmt(r.get('other_cpu0_pct'))} / {fmt(r.get('other_cpu1_pct'))} | "
                   f"{r.get('error', 'disturbed: repeated' if r.get('discarded') else '')} |")
    out += ["", "Commands of the first run of each scenario:", ""]
    seen = set()
    for r in records:
        key = (r["scenario"], r["broker"])
        if key in seen or "bench_cmd" not in r:
            continue
        seen.add(key)
        out.append(f"- {r['scenario']}, {r['broker']}: `{r['broker_cmd']}`; "
                   f"`{r['bench_cmd']}`")
    return "\n".join(out) + "\n"


# --- main ----------------------------------------------------------------------------------

EDGEGW_BASE_SETS = ["listener.tcp.default.bind=127.0.0.1:PORT", "node.data_dir=DIR"]


def find_bench(args):
    if args.bench:
        return Path(args.bench)
    candidates = [Path(args.edgegw).parent / "tests/bench/edgegw_bench"]
    candidates += sorted(REPO.glob("build*/tests/bench/edgegw_bench"),
                         key=lambda p: p.stat().st_mtime, reverse=True)
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    raise SystemExit("edgegw_bench not found: build it (cmake --build build --target "
                     "edgegw_bench) or pass --bench PATH")


def raise_fd_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for limit in ((wanted, max(wanted, hard)), (min(wanted, hard), hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, limit)
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--edgegw", default=str(REPO / "build/edgegw"))
    p.add_argument("--mosquitto", default="/usr/sbin/mosquitto")
    p.add_argument("--bench", help="edgegw_bench (default: next to --edgegw, else build*/)")
    p.add_argument("--only", choices=["mosquitto", "edgegw"])
    p.add_argument("--quick", action="store_true", help="short smoke run: 1 rep, 2 s, 2,000 conns")
    p.add_argument("--out", help="also write the Markdown report here")
    p.add_argument("--json", help="write every run's raw measurements here")
    p.add_argument("--reps", type=int, help="repetitions per broker (3; --quick: 1)")
    p.add_argument("--duration", type=float, help="measured seconds per run (10; --quick: 2)")
    p.add_argument("--warmup", type=float, help="seconds before measuring (1; --quick: 0.5)")
    p.add_argument("--connections", type=int, help="idle connections (20000; --quick: 2000)")
    p.add_argument("--rate", type=int, default=5000, help="latency: msg/s (5000)")
    p.add_argument("--scenarios", default="fanin_qos0,fanin_qos1,fanout,latency,conns")
    p.add_argument("--quickack", action="store_true",
                   help="generator subscribers ACK every TCP segment at once (TCP_QUICKACK)")
    p.add_argument("--edgegw-set", dest="edgegw_sets", action="append", default=[],
                   metavar="KEY=VALUE", help="extra edgegw --set (repeatable)")
    p.add_argument("--edgegw-bare", action="store_true",
                   help="do not disable edgegw's other listeners and gateways (" +
                        ", ".join(EDGEGW_DEFAULT_SETS) + "), only listener.ws")
    p.add_argument("--no-pin", action="store_true", help="do not pin with taskset")
    p.add_argument("--retries", type=int, default=2,
                   help="repeat a run disturbed by other processes up to N times (2)")
    p.add_argument("--wait-idle", type=float, default=60, metavar="S",
                   help="before each run, wait up to S s for every CPU to be under 10%% busy "
                        "(60; 0: do not wait)")
    p.add_argument("--keep-logs", action="store_true", help="keep the broker logs")
    args = p.parse_args()
    args.reps = args.reps or (1 if args.quick else 3)
    args.duration = args.duration or (2.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (0.5 if args.quick else 1.0)
    args.connections = args.connections or (2000 if args.quick else 20000)
    return args


def edgegw_sets(args, pinned, notes):
    """The --set list for edgegw: defaults this build accepts, then the user's own."""
    wanted = ["listener.ws.default.enable=false"] if args.edgegw_bare else EDGEGW_DEFAULT_SETS
    if pinned:
        wanted = wanted + EDGEGW_PINNED_SETS
    usable, unknown = [], []
    for kv in wanted:
        try:
            ok = subprocess.run([args.edgegw, "--check", "--set", kv], capture_output=True,
                                timeout=10).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        (usable if ok else unknown).append(kv)
    if unknown:
        notes.append(f"edgegw rejected (so they were not used): {', '.join(unknown)}.")
    return usable + args.edgegw_sets


def make_scenarios(args):
    timed = ["--duration", str(args.duration), "--warmup", str(args.warmup)]
    extra = ["--quickack"] if args.quickack else []
    timeout = args.duration + args.warmup + 60
    all_scenarios = [
        dict(name="fanin_qos0", title="fan-in QoS 0, 50 → 1",
             args=["--scenario", "fanin", "--qos", "0", "--publishers", "50"] + timed + extra),
        dict(name="fanin_qos1", title="fan-in QoS 1, 10 → 1 (16 in flight each)",
             args=["--scenario", "fanin", "--qos", "1", "--publishers", "10", "--inflight", "16"]
             + timed + extra),
        dict(name="fanout", title="fan-out QoS 0, 1 → 50",
             args=["--scenario", "fanout", "--subscribers", "50"] + timed + extra),
        dict(name="latency", title=f"latency, {args.rate:,} msg/s QoS 0, 10 → 1",
             args=["--scenario", "latency", "--rate", str(args.rate), "--publishers", "10"]
             + timed + extra),
        dict(name="conns", title=f"{args.connections:,} idle connections",
             args=["--scenario", "conns", "--connections", str(args.connections)]),
    ]
    for s in all_scenarios:
        s["timeout"] = timeout if s["name"] != "conns" else 300
    wanted = args.scenarios.split(",")
    unknown = set(wanted) - {s["name"] for s in all_scenarios}
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return [s for s in all_scenarios if s["name"] in wanted]


def main():
    args = parse_args()
    brokers = [args.only] if args.only else ["mosquitto", "edgegw"]
    for b in brokers:
        path = args.mosquitto if b == "mosquitto" else args.edgegw
        if not (Path(path).is_file() and os.access(path, os.X_OK)):
            raise SystemExit(f"{b} not found at {path}" +
                             (" (use --only mosquitto until it is built)" if b == "edgegw" else ""))
    args.bench = find_bench(args)
    notes = []
    fd_limit = raise_fd_limit(65536)
    if args.connections + 100 > fd_limit:
        notes.append(f"Idle connections capped from {args.connections:,} to "
                     f"{fd_limit - 100:,}: the open-files limit here is {fd_limit:,} and "
                     "cannot be raised (both broker and generator hold one fd per connection).")
        args.connections = fd_limit - 100
    scenarios = make_scenarios(args)
    tmp = Path(tempfile.mkdtemp(prefix="edgegw-bench-"))
    runner = Runner(args, tmp)
    notes.append("Pinning: broker on CPU 0, load generator on CPU 1 (taskset)." if runner.pin
                 else "No CPU pinning (fewer than 2 CPUs, or --no-pin).")
    if "edgegw" in brokers:
        args.edgegw_sets = edgegw_sets(args, runner.pin, notes)
    notes.append(f"Method: {args.reps} run(s) per scenario and broker, interleaved "
                 f"({', '.join(brokers)}, ...), each against a freshly started broker; medians "
                 f"shown. Traffic runs measure {args.duration:g} s after {args.warmup:g} s of "
                 "warm-up; broker CPU is utime+stime over exactly that window.")
    notes.append("QoS 0 publishers flood with at most 1,000 messages each not yet seen by the "
                 "subscriber(s) (end-to-end window), so kernel socket buffers never hold a "
                 "backlog; QoS 1 publishers keep 16 unacknowledged messages each.")
    notes.append("The generator's subscribers " +
                 ("ACK every TCP segment at once (TCP_QUICKACK)." if args.quickack else
                  "use Linux's default delayed ACKs, like ordinary clients; stock mosquitto "
                  "leaves Nagle on (set_tcp_nodelay false), which throttles its fan-out."))

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    records = []
    failed = False
    try:
        total = len(scenarios) * args.reps * len(brokers)
        done = 0
        for scenario in scenarios:
            for rep in range(1, args.reps + 1):
                for broker in brokers:
                    done += 1
                    for attempt in range(args.retries + 1):
                        print(f"[{done}/{total}] {scenario['name']} {broker} rep {rep}"
                              + (f" (attempt {attempt + 1})" if attempt else ""),
                              end=" ", file=sys.stderr, flush=True)
                        try:
                            rec = run_once(runner, scenario, broker, rep, attempt)
                        except RuntimeError as e:
                            rec = {"scenario": scenario["name"], "broker": broker, "rep": rep,
                                   "error": str(e)}
                        records.append(rec)
                        if attempt < args.retries and "error" not in rec and disturbed(rec):
                            rec["discarded"] = True
                            print(summary(rec) + "; disturbed by other processes: repeating",
                                  file=sys.stderr, flush=True)
                            continue
                        failed |= "error" in rec
                        print(summary(rec), file=sys.stderr, flush=True)
                        break
    except (Interrupted, KeyboardInterrupt) as e:
        print(f"\ninterrupted ({e}); cleaning up", file=sys.stderr)
        failed = True
        notes.append("INTERRUPTED: partial results.")
    finally:
        runner.stop_all()
        if args.keep_logs or failed:
            print(f"logs kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    text = report(args, scenarios, brokers, records, notes)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1, default=str) + "\n")
    return 1 if failed else 0


def summary(rec):
    if "error" in rec:
        return f"ERROR: {rec['error']}"
    res = rec["result"]
    if rec["scenario"] == "latency":
        return f"p50 {res['lat_p50_ms']:.3f} ms, p99 {res['lat_p99_ms']:.3f} ms"
    if rec["scenario"] == "conns":
        return f"{res['held']:,} held, {rec.get('conn_bytes', 0):,.0f} B/conn"
    return f"{res['recv_rate']:,.0f} msg/s, broker CPU {rec.get('cpu_pct', 0):.0f}%, " \
           f"lost {res['loss_pct']:.2f}%"


if __name__ == "__main__":
    sys.exit(main())
