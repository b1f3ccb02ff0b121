#!/usr/bin/python3
"""End to end: uplink_e2e.py EDGEGW [EMULATOR ARGS...]

The status LED follows the bridge (docs/APPLIANCE.md): a second edgegw stands for the
cloud broker on 127.0.0.1 (port learnt from its log); the edgegw under test has a fake LED
and [bridge.cloud] pointing there. Checks: LED steady while the bridge is connected; the
upstream stops -> after the 3 s grace the LED shows "uplink down" (timer 100/900 ms); the
upstream comes back on the same port -> steady again. Each wait has a deadline.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'scripts'))
from cross_smoke import loopback_overrides  # noqa: E402

TIMEOUT = 30.0


class Fail(Exception):
    pass


def start(binary, emulator, work, name, extra):
    log_path = os.path.join(work, name + '.log')
    args = emulator + [binary, '--set', 'node.data_dir=' + os.path.join(work, name)] + \
        loopback_overrides() + extra
    with open(log_path, 'wb') as log:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)
    return proc, log_path


def wait_for(what, cond, procs):
    deadline = time.monotonic() + TIMEOUT
    while True:
        v = cond()
        if v:
            return v
        for p, log_path in procs:
            if p.poll() is not None:
                raise Fail('%s exited with %d while waiting for %s' % (log_path, p.returncode,
                                                                       what))
        if time.monotonic() > deadline:
            raise Fail('timed out waiting for ' + what)
        time.sleep(0.05)


def read(path):
    with open(path) as f:
        return f.read()


def log_has(log_path, pattern):
    return re.search(pattern, read(log_path))


def log_time(stamp):
    """Seconds of the day of a log time stamp (2026-11-23T18:28:36.511)."""
    h, m, sec = stamp.split('T')[1].split(':')
    return int(h) * 3600 + int(m) * 60 + float(sec)


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv):
    binary, emulator = argv[1], argv[2:]
    work = tempfile.mkdtemp(prefix='edgegw-uplink-e2e-')
    procs = []
    try:
        led = os.path.join(work, 'leds', 'status')
        os.makedirs(led)
        for name, text in (('brightness', '0'), ('max_brightness', '1'),
                           ('trigger', 'none [heartbeat] timer'), ('delay_on', ''),
                           ('delay_off', '')):
            with open(os.path.join(led, name), 'w') as f:
                f.write(text + '\n')
        up, up_log = start(binary, emulator, work, 'upstream', [])
        procs.append((up, up_log))
        m = wait_for('upstream listening', lambda: log_has(
            up_log, r'listener=tcp:default address=127\.0\.0\.1:(\d+)'), procs)
        port = m.group(1)
        gw, gw_log = start(binary, emulator, work, 'gateway', [
            '--set', 'board.led=' + led,
            '--set', 'bridge.cloud.server=mqtt://127.0.0.1:' + port,
            '--set', 'bridge.cloud.reconnect_min=100ms',
            '--set', 'bridge.cloud.reconnect_max=500ms'])
        procs.append((gw, gw_log))
        wait_for('bridge connected', lambda: log_has(gw_log, r'bridge_connected name=cloud'), procs)
        wait_for('LED steady', lambda: read(os.path.join(led, 'trigger')) == 'none', procs)

        stop(up)
        procs.remove((up, up_log))
        wait_for('LED uplink down', lambda: read(os.path.join(led, 'trigger')) == 'timer' and
                 read(os.path.join(led, 'delay_off')) == '900', procs)
        # The grace runs from the bridge losing its connection (the gateway's log times).
        lost = log_has(gw_log, r'(\S+) info bridge bridge_state name=cloud state=disconnected')
        shown = log_has(gw_log, r'(\S+) info board uplink state=down')
        if not lost or not shown:
            raise Fail('no disconnect or no "uplink state=down" in the log')
        waited = log_time(shown.group(1)) - log_time(lost.group(1))
        # 3 s grace, checked every 0.5 s; the log line of the disconnect may trail the state
        # change the monitor sees by a few tens of ms.
        if not 2.5 <= waited <= 5.0:
            raise Fail('uplink shown down %.3fs after the disconnect (grace 3 s)' % waited)

        up, up_log = start(binary, emulator, work, 'upstream2',
                           ['--set', 'listener.tcp.default.bind=127.0.0.1:' + port])
        procs.append((up, up_log))
        wait_for('LED steady again', lambda: read(os.path.join(led, 'trigger')) == 'none' and
                 read(os.path.join(led, 'brightness')) == '1', procs)
        if not log_has(gw_log, r'uplink state=up'):
            raise Fail('no "uplink state=up" in the log')
        print('uplink_e2e: ok (down shown after %.1fs)' % waited)
        return 0
    except Fail as e:
        sys.stderr.write('uplink_e2e: FAIL: %s\n' % e)
        for _, log_path in procs:
            sys.stderr.write('---- %s ----\n%s' % (log_path, ''.join(
                read(log_path).splitlines(True)[-20:])))
        return 1
    finally:
        for p, _ in procs:
            stop(p)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
