#!/usr/bin/python3
"""Smoke test of a cross-built edgegw: cross_smoke.py BINARY [EMULATOR ARGS...]

Starts `EMULATOR... BINARY` with every socket of the shipped etc/edgegw.ini on 127.0.0.1:0
(ports learnt from the sd_notify READY datagram), then with the native mosquitto_pub and
mosquitto_sub: a retained message, then a live QoS 1 message through a subscription, then a
SIGTERM that must end it with status 0. Exits non-zero with the reason on any failure.
"""
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHIPPED_INI = os.path.join(HERE, '..', 'etc', 'edgegw.ini')
READY_TIMEOUT = 60.0  # emulated start-up is slow, and CI machines are shared
STEP_TIMEOUT = 30.0


def loopback_overrides():
    """--set for each bind key of the shipped ini (bind, *_bind): 127.0.0.1:0."""
    out, section = [], None
    with open(SHIPPED_INI) as f:
        for line in f:
            line = line.strip()
            if line.startswith('[') and line.endswith(']'):
                section = line[1:-1].strip()
            elif section and '=' in line and line[0] not in ';#':
                key = line.split('=', 1)[0].strip()
                if key == 'bind' or key.endswith('_bind'):
                    out += ['--set', '%s.%s=127.0.0.1:0' % (section, key)]
    return out


def fail(message, log_path=None):
    sys.stderr.write('cross_smoke: FAIL: %s\n' % message)
    if log_path and os.path.exists(log_path):
        with open(log_path, errors='replace') as f:
            sys.stderr.write('---- edgegw log (last lines) ----\n')
            sys.stderr.write(''.join(f.readlines()[-30:]))
    sys.exit(1)


def read_line(proc, deadline, what, log_path):
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            fail('timed out waiting for %s' % what, log_path)
        r, _, _ = select.select([proc.stdout], [], [], min(left, 0.2))
        if r:
            line = proc.stdout.readline()
            if not line:
                fail('mosquitto_sub ended before %s' % what, log_path)
            return line.decode(errors='replace').rstrip('\n')


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    binary, emulator = argv[1], argv[2:]
    work = tempfile.mkdtemp(prefix='edgegw-smoke-')
    log_path = os.path.join(work, 'edgegw.log')
    notify_path = os.path.join(work, 'notify.sock')
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    args = emulator + [binary, '--set', 'node.data_dir=' + os.path.join(work, 'data'),
                       '--set', 'node.name=smoke'] + loopback_overrides()
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    env.pop('WATCHDOG_USEC', None)
    started = time.monotonic()
    with open(log_path, 'wb') as log:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env)
    sub = None
    try:
        deadline = started + READY_TIMEOUT
        fields = {}
        while fields.get('READY') != '1':
            if proc.poll() is not None:
                fail('edgegw exited with status %d before READY=1' % proc.returncode, log_path)
            left = deadline - time.monotonic()
            if left <= 0:
                fail('no READY=1 within %.0fs' % READY_TIMEOUT, log_path)
            r, _, _ = select.select([notify], [], [], min(left, 0.1))
            if r:
                text = notify.recv(65536).decode()
                fields.update(l.split('=', 1) for l in text.splitlines() if '=' in l)
        ready_s = time.monotonic() - started
        listeners = dict(item.split('=', 1)
                         for item in fields.get('EDGEGW_LISTENERS', '').split(';') if item)
        if 'tcp:default' not in listeners:
            fail('READY without tcp:default: %r' % fields, log_path)
        port = listeners['tcp:default'].rpartition(':')[2]
        print('cross_smoke: READY after %.2fs, listeners %s' % (ready_s, ';'.join(
            '%s=%s' % kv for kv in sorted(listeners.items()))))

        base = ['-h', '127.0.0.1', '-p', port]
        subprocess.run(['mosquitto_pub'] + base + ['-i', 'smoke-pub1', '-t', 'smoke/retained',
                                                    '-m', 'kept', '-r', '-q', '1'],
                       check=True, timeout=STEP_TIMEOUT)
        sub = subprocess.Popen(['mosquitto_sub'] + base + ['-i', 'smoke-sub', '-t', 'smoke/#',
                                                            '-q', '1', '-v', '-C', '2'],
                               stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        step_deadline = time.monotonic() + STEP_TIMEOUT
        got = read_line(sub, step_deadline, 'the retained message', log_path)
        if got != 'smoke/retained kept':
            fail('retained message: got %r' % got, log_path)
        # The subscription is in place once the retained message arrived.
        payload = 'live-%d' % os.getpid()
        subprocess.run(['mosquitto_pub'] + base + ['-i', 'smoke-pub2', '-t', 'smoke/live',
                                                    '-m', payload, '-q', '1'],
                       check=True, timeout=STEP_TIMEOUT)
        got = read_line(sub, step_deadline, 'the live message', log_path)
        if got != 'smoke/live ' + payload:
            fail('live message: got %r' % got, log_path)
        if sub.wait(timeout=STEP_TIMEOUT) != 0:
            fail('mosquitto_sub exit status %d' % sub.returncode, log_path)

        proc.send_signal(signal.SIGTERM)
        try:
            status = proc.wait(timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            fail('no exit within %.0fs of SIGTERM' % STEP_TIMEOUT, log_path)
        if status != 0:
            fail('exit status %d after SIGTERM' % status, log_path)
        print('cross_smoke: ok (retained + live QoS 1 pub/sub, clean stop)')
        return 0
    finally:
        for p in (sub, proc):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        notify.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
