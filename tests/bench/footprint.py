#!/usr/bin/python3
"""Appliance footprint of an edgegw binary: footprint.py BINARY [--idle SECONDS] [--runs N]

Every listener and gateway of the shipped etc/edgegw.ini that this build can run is on, on
127.0.0.1:0 (TLS listeners stay off: not in this build). Measures, natively:
  - start to READY: from spawn to the sd_notify READY=1 datagram, median and max of N runs;
  - idle RSS: VmRSS (and VmHWM) after READY plus 5 s with no client, and from
    /proc/PID/smaps the totals RSS, PSS and USS (Private_Clean + Private_Dirty: what the
    process alone holds) and the --top largest mappings by RSS (file-backed mappings summed
    per file; anonymous ones as [heap], [stack], [anon]);
  - bytes written while idle: /proc/PID/io write_bytes (what reached the block layer) and
    wchar (every write(2), sockets and pipes included, so the log and notify datagrams
    count) over SECONDS with no client, starting 5 s after READY.
Prints one `key: value` line per figure.
"""
import argparse
import os
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'scripts'))
from cross_smoke import loopback_overrides  # noqa: E402


def start(binary, work, extra=()):
    notify_path = os.path.join(work, 'notify.sock')
    if os.path.exists(notify_path):
        os.unlink(notify_path)
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    args = [binary, '--set', 'node.data_dir=' + os.path.join(work, 'data')]
    args += loopback_overrides() + list(extra)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    env.pop('WATCHDOG_USEC', None)
    log = open(os.path.join(work, 'edgegw.log'), 'ab')
    t0 = time.monotonic()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
    deadline = t0 + 30
    while True:
        if proc.poll() is not None:
            raise SystemExit('edgegw exited with %d before READY' % proc.returncode)
        left = deadline - time.monotonic()
        if left <= 0:
            proc.kill()
            raise SystemExit('no READY within 30 s')
        r, _, _ = select.select([notify], [], [], min(left, 0.05))
        if r and b'READY=1' in notify.recv(65536):
            ready = time.monotonic() - t0
            break
    notify.close()
    log.close()
    return proc, ready


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    status = proc.wait(timeout=30)
    if status != 0:
        raise SystemExit('exit status %d after SIGTERM' % status)


def proc_field(pid, name, field):
    with open('/proc/%d/%s' % (pid, name)) as f:
        for line in f:
            k, _, v = line.partition(':')
            if k.strip() == field:
                return int(v.split()[0])
    raise KeyError(field)


def smaps(pid):
    """{mapping name: {'Rss': kib, 'Pss': kib, 'Private': kib}} summed over its VMAs."""
    out, name = {}, None
    head = re.compile(r'^[0-9a-f]+-[0-9a-f]+ ')
    with open('/proc/%d/smaps' % pid) as f:
        for line in f:
            if head.match(line):
                parts = line.split(None, 5)
                name = parts[5].strip() if len(parts) > 5 else ''
                if not name:
                    name = '[anon]'
                elif name.startswith('/'):
                    name = os.path.basename(name)
                out.setdefault(name, {'Rss': 0, 'Pss': 0, 'Private': 0})
                continue
            k, _, v = line.partition(':')
            if k in ('Rss', 'Pss'):
                out[name][k] += int(v.split()[0])
            elif k in ('Private_Clean', 'Private_Dirty'):
                out[name]['Private'] += int(v.split()[0])
    return out


def report_memory(pid, top):
    print('idle_rss_kib: %d (VmHWM %d)' % (proc_field(pid, 'status', 'VmRSS'),
                                           proc_field(pid, 'status', 'VmHWM')))
    maps = smaps(pid)
    total = {k: sum(m[k] for m in maps.values()) for k in ('Rss', 'Pss', 'Private')}
    print('idle_smaps_kib: rss %d, pss %d, uss %d' % (total['Rss'], total['Pss'],
                                                      total['Private']))
    for name, m in sorted(maps.items(), key=lambda kv: -kv[1]['Rss'])[:top]:
        print('  mapping %-32s rss %6d  pss %6d  uss %6d' % (name, m['Rss'], m['Pss'],
                                                           m['Private']))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('binary')
    ap.add_argument('--idle', type=float, default=60.0)
    ap.add_argument('--runs', type=int, default=10)
    ap.add_argument('--top', type=int, default=15, help='mappings listed by RSS')
    ap.add_argument('--set', action='append', default=[], metavar='KEY=VALUE',
                    help='extra --set for edgegw (e.g. to turn a gateway off and compare)')
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix='edgegw-footprint-')
    try:
        extra = [x for kv in a.set for x in ('--set', kv)]
        times = []
        for _ in range(a.runs):
            proc, ready = start(a.binary, work, extra)
            times.append(ready)
            stop(proc)
        print('start_to_ready_ms: median %.1f, max %.1f (%d runs, data dir already created)'
              % (statistics.median(times) * 1e3, max(times) * 1e3, a.runs))
        proc, _ = start(a.binary, work, extra)
        try:
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # settle: no clients, nothing to wait for
                time.sleep(0.5)
            report_memory(proc.pid, a.top)
            w0 = proc_field(proc.pid, 'io', 'write_bytes')
            c0 = proc_field(proc.pid, 'io', 'wchar')
            deadline = time.monotonic() + a.idle
            while time.monotonic() < deadline:
                time.sleep(1)
            w1 = proc_field(proc.pid, 'io', 'write_bytes')
            c1 = proc_field(proc.pid, 'io', 'wchar')
            print('idle_%ds_write_bytes: %d' % (a.idle, w1 - w0))
            print('idle_%ds_wchar: %d' % (a.idle, c1 - c0))
        finally:
            stop(proc)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
