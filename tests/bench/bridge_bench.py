#!/usr/bin/python3
"""Bridge benchmark: edgegw (Release build) forwarding to Debian's mosquitto on loopback.

1. Forwarding rate with the uplink up: edgegw_bench (fanin, QoS 1 by default) publishes to
   edgegw as fast as its acknowledgements allow; [bridge.bench] forwards bench/# to
   mosquitto under up/; a mosquitto_sub on mosquitto timestamps every arrival (-F '%t %U').
   Reported: the publishers' acknowledged rate at edgegw (each ack waits for the spool's
   group commit) and the arrival rate at mosquitto.
2. Drain rate after a reconnect: mosquitto is stopped, edgegw_bench fills the spool for
   --load seconds, mosquitto is started again on the same port. Reported: spooled
   messages / (last arrival at mosquitto - the bridge's `bridge_connected` log time).
   The upstream subscriber has a persistent session, so nothing sent before it
   reconnected is missed (that could only make the figure lower, never higher).

Usage, from the repository root:
    cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DEDGEGW_TESTS=OFF
    cmake --build build-rel -j2 --target edgegw edgegw_bench
    tests/bench/bridge_bench.py --build build-rel [--duration 10] [--load 10] [--qos 1]
        [--publishers 10] [--max-inflight 32] [--sync normal]

It stops only the processes it started, by PID, and removes its temp dir.
"""
import argparse
import datetime
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HOST = '127.0.0.1'


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise SystemExit('bridge_bench: timed out waiting for ' + what)


def read(path):
    try:
        with open(path, 'rb') as f:
            return f.read().decode(errors='replace')
    except OSError:
        return ''


class Proc:
    def __init__(self, args, log, **kw):
        self.log = log
        with open(log, 'ab') as f:
            self.p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=f,
                                      stderr=subprocess.STDOUT, **kw)

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


class Mosquitto:
    def __init__(self, d, port):
        self.d, self.port, self.proc = d, port, None
        self.conf = os.path.join(d, 'mosquitto.conf')
        self.log = os.path.join(d, 'mosquitto.log')
        os.makedirs(os.path.join(d, 'mdb'), exist_ok=True)
        with open(self.conf, 'w') as f:
            f.write('\n'.join([
                'listener %d %s' % (port, HOST), 'allow_anonymous true',
                'user %s' % pwd.getpwuid(os.getuid()).pw_name,
                'persistence true', 'persistence_location %s/' % os.path.join(d, 'mdb'),
                'max_queued_messages 0', 'max_inflight_messages 0', 'log_dest stderr',
                'log_type error', 'log_type warning', 'log_type notice',
                'log_type information']) + '\n')

    def start(self):
        offset = len(read(self.log))
        self.proc = Proc(['/usr/sbin/mosquitto', '-c', self.conf], self.log)
        wait_for(lambda: ' running' in read(self.log)[offset:], 20, 'mosquitto to start')

    def stop(self):
        if self.proc:
            self.proc.stop()
            self.proc = None


class Subscriber:
    """mosquitto_sub on the upstream, one '<topic> <unix time>' line per message."""

    def __init__(self, d, port, name, persistent=False):
        self.out = os.path.join(d, name + '.txt')
        args = ['mosquitto_sub', '-h', HOST, '-p', str(port), '-t', 'up/#', '-q', '1',
                '-F', '%t %U']
        if persistent:
            args += ['-c', '-i', 'bridgebench-' + name]
        with open(self.out, 'wb') as f:
            self.p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=f,
                                      stderr=subprocess.DEVNULL)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            self.p.wait(timeout=10)

    def arrivals(self, prefix='up/bench/'):
        out = []
        for line in read(self.out).splitlines():
            topic, _, t = line.rpartition(' ')
            if topic.startswith(prefix):
                out.append(float(t))
        return out


class Edgegw:
    def __init__(self, d, build, up_port, args):
        self.log = os.path.join(d, 'edgegw.log')
        data = os.path.join(d, 'data')
        sets = ['node.name=bench', 'node.data_dir=' + data, 'node.sys_interval=1s',
                'node.io_threads=2',
                'listener.tcp.default.bind=127.0.0.1:0', 'listener.ws.default.enable=false',
                'listener.ssl.default.enable=false', 'listener.wss.default.enable=false',
                'gateway.mqttsn.enable=false', 'gateway.coap.enable=false',
                'persistence.sync=' + args.sync,
                'bridge.bench.server=mqtt://%s:%d' % (HOST, up_port),
                'bridge.bench.forward=bench/#', 'bridge.bench.remote_prefix=up/',
                'bridge.bench.qos=1', 'bridge.bench.max_inflight=%d' % args.max_inflight,
                'bridge.bench.spool_max_messages=10000000', 'bridge.bench.spool_max_bytes=4GB',
                # A fixed 3 s retry: the upstream subscriber is back before the bridge.
                'bridge.bench.reconnect_min=3s', 'bridge.bench.reconnect_max=3s']
        # Keys this build does not know (e.g. a gateway not built yet) are left out.
        ok = []
        for s in sets:
            r = subprocess.run([os.path.join(build, 'edgegw'), '--check', '--set', s],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if r.returncode == 0:
                ok.append(s)
        argv = [os.path.join(build, 'edgegw')]
        for s in ok:
            argv += ['--set', s]
        self.proc = Proc(argv, self.log)
        m = wait_for(lambda: re.search(r'listener=tcp:default address=[\d.]+:(\d+)', read(self.log)),
                     20, 'edgegw to listen')
        self.port = int(m.group(1))
        wait_for(lambda: ' ready ' in read(self.log), 20, 'edgegw READY')

    def sys(self, leaf):
        r = subprocess.run(['mosquitto_sub', '-h', HOST, '-p', str(self.port), '-C', '1', '-W', '5',
                            '-t', '$SYS/brokers/bench/bridges/bench/' + leaf],
                           capture_output=True, text=True)
        return r.stdout.strip()

    def last_connected_time(self):
        times = re.findall(r'^(\S+) info bridge bridge_connected ', read(self.log), re.M)
        if not times:
            return None
        return datetime.datetime.strptime(times[-1], '%Y-%m-%dT%H:%M:%S.%f').timestamp()

    def stop(self):
        self.proc.stop()


def bench(build, port, args, seconds):
    r = subprocess.run([os.path.join(build, 'tests', 'bench', 'edgegw_bench'), '--scenario',
                        'fanin', '--port', str(port), '--qos', str(args.qos), '--publishers',
                        str(args.publishers), '--duration', str(seconds), '--topic-prefix',
                        'bench', '--payload', str(args.payload)],
                       capture_output=True, text=True, timeout=seconds + 120)
    line = [x for x in r.stdout.splitlines() if x.startswith('{')]
    if not line:
        raise SystemExit('edgegw_bench failed: ' + r.stderr[-500:])
    return json.loads(line[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--build', default='build')
    ap.add_argument('--duration', type=int, default=10)
    ap.add_argument('--load', type=int, default=10)
    ap.add_argument('--qos', type=int, default=1, choices=(0, 1))
    ap.add_argument('--publishers', type=int, default=10)
    ap.add_argument('--payload', type=int, default=64)
    ap.add_argument('--max-inflight', type=int, default=32)
    ap.add_argument('--sync', default='normal', choices=('off', 'normal', 'full'))
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix='bridge-bench-')
    up = Mosquitto(d, free_port())
    egw = None
    subs = []
    try:
        up.start()
        egw = Edgegw(d, args.build, up.port, args)
        wait_for(lambda: egw.sys('status') == 'connected', 30, 'the bridge to connect')

        # 1. Forwarding with the uplink up.
        live = Subscriber(d, up.port, 'live')
        subs.append(live)
        time.sleep(0.5)  # mosquitto_sub has no "subscribed" signal; it only needs to be early
        res = bench(args.build, egw.port, args, args.duration)
        wait_for(lambda: egw.sys('spool/depth') == '0', 120, 'the spool to drain')
        live.stop()
        t = live.arrivals()
        fwd_rate = (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 else 0.0
        print('forward: local %s publishers QoS %d, acked/sent %.0f msg/s at edgegw; '
              '%d arrived at mosquitto at %.0f msg/s' % (
                  args.publishers, args.qos,
                  res.get('acked_rate', res.get('send_rate', 0.0)), len(t), fwd_rate))

        # 2. Drain after a reconnect.
        held = Subscriber(d, up.port, 'held', persistent=True)
        wait_for(lambda: 'as bridgebench-held' in read(up.log), 10, 'the subscriber')
        time.sleep(0.5)  # and its SUBSCRIBE (mosquitto logs none at this level)
        held.stop()
        up.stop()
        wait_for(lambda: egw.sys('status') != 'connected', 30, 'the bridge to notice')
        bench(args.build, egw.port, args, args.load)
        depth = int(wait_for(lambda: egw.sys('spool/depth') or None, 30, 'spool depth'))
        up.start()
        held = Subscriber(d, up.port, 'held', persistent=True)
        subs.append(held)
        wait_for(lambda: egw.sys('spool/depth') == '0', 300, 'the spool to drain')
        deadline = time.monotonic() + 30
        while len(held.arrivals()) < depth and time.monotonic() < deadline:
            time.sleep(0.2)
        held.stop()
        t = held.arrivals()
        t0 = egw.last_connected_time()
        drain = depth / (t[-1] - t0) if t and t0 and t[-1] > t0 else 0.0
        print('drain: %d spooled messages, %d arrived at mosquitto, %.0f msg/s from reconnect '
              'to the last arrival' % (depth, len(t), drain))
        warns = [x for x in read(egw.log).splitlines() if ' warn ' in x or ' error ' in x]
        if warns:
            print('edgegw warnings (%d), first: %s' % (len(warns), warns[0]))
    except SystemExit:
        if egw:  # what went wrong, from edgegw's side
            lines = [x for x in read(egw.log).splitlines() if ' bridge ' in x]
            sys.stderr.write('\n'.join(lines[-15:]) + '\n')
        raise
    finally:
        for s in subs:
            try:
                s.stop()
            except Exception:
                pass
        if egw:
            egw.stop()
        up.stop()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    main()
