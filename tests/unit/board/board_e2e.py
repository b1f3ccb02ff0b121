#!/usr/bin/python3
"""End to end: board_e2e.py EDGEGW [EMULATOR ARGS...]

Runs the real edgegw as systemd would with Type=notify and WatchdogSec (a NOTIFY_SOCKET we
read, WATCHDOG_USEC), with a fake status LED directory and a regular file standing for
/dev/watchdog, all sockets on 127.0.0.1:0. Checks READY=1, WATCHDOG=1 kicks at about half
of WatchdogSec, the LED running, hardware watchdog kicks, then after SIGTERM: STOPPING=1,
exit 0, the magic 'V' last in the watchdog file and the LED's trigger put back.
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
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'scripts'))
from cross_smoke import loopback_overrides  # noqa: E402

TIMEOUT = 60.0


def fail(message, log_path):
    sys.stderr.write('board_e2e: FAIL: %s\n' % message)
    with open(log_path, errors='replace') as f:
        sys.stderr.write(''.join(f.readlines()[-30:]))
    sys.exit(1)


def main(argv):
    binary, emulator = argv[1], argv[2:]
    work = tempfile.mkdtemp(prefix='edgegw-board-e2e-')
    try:
        led = os.path.join(work, 'leds', 'status')
        os.makedirs(led)
        for name, text in (('brightness', '0'), ('max_brightness', '1'),
                           ('trigger', 'none [heartbeat] timer'), ('delay_on', ''),
                           ('delay_off', '')):
            with open(os.path.join(led, name), 'w') as f:
                f.write(text + '\n')
        dev = os.path.join(work, 'watchdog')
        open(dev, 'w').close()
        notify_path = os.path.join(work, 'notify.sock')
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        log_path = os.path.join(work, 'edgegw.log')
        args = emulator + [binary, '--set', 'node.data_dir=' + os.path.join(work, 'data'),
                           '--set', 'board.led=' + led, '--set', 'board.watchdog_device=' + dev,
                           '--set', 'board.watchdog_interval=200ms'] + loopback_overrides()
        env = dict(os.environ, NOTIFY_SOCKET=notify_path, WATCHDOG_USEC='400000')
        env.pop('WATCHDOG_PID', None)
        with open(log_path, 'wb') as log:
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, env=env)
        try:
            deadline = time.monotonic() + TIMEOUT
            got, kicks, first_kick = [], 0, None
            while kicks < 3:
                if proc.poll() is not None:
                    fail('edgegw exited with %d' % proc.returncode, log_path)
                left = deadline - time.monotonic()
                if left <= 0:
                    fail('datagrams so far: %r' % got, log_path)
                r, _, _ = select.select([notify], [], [], min(left, 0.1))
                if r:
                    d = notify.recv(65536).decode()
                    got.append(d)
                    if d == 'WATCHDOG=1\n':
                        kicks += 1
                        first_kick = first_kick or time.monotonic()
            last_kick = time.monotonic()
            if got[0] != 'STATUS=starting\n' or not got[1].startswith('READY=1\nSTATUS=running\n'):
                fail('unexpected first datagrams %r' % got[:2], log_path)
            # Kicks every 200 ms: two intervals between the first and third kick.
            if last_kick - first_kick < 0.3:
                fail('WATCHDOG=1 too often: 3 kicks in %.3fs' % (last_kick - first_kick), log_path)
            with open(os.path.join(led, 'trigger')) as f:
                if f.read() != 'none':
                    fail('LED not steady while running', log_path)
            with open(os.path.join(led, 'brightness')) as f:
                if f.read() != '1':
                    fail('LED not on while running', log_path)
            if os.path.getsize(dev) < 1:
                fail('hardware watchdog never kicked', log_path)
            proc.send_signal(signal.SIGTERM)
            try:
                status = proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                fail('no exit after SIGTERM', log_path)
            if status != 0:
                fail('exit status %d' % status, log_path)
            rest = []
            while select.select([notify], [], [], 0)[0]:
                rest.append(notify.recv(65536).decode())
            if 'STOPPING=1\nSTATUS=stopping\n' not in rest:
                fail('no STOPPING=1 in %r' % rest, log_path)
            with open(dev, 'rb') as f:
                data = f.read()
            if not data.endswith(b'V') or data.count(b'V') != 1:
                fail('watchdog not disarmed by a magic close: %r' % data[-8:], log_path)
            with open(os.path.join(led, 'trigger')) as f:
                if f.read() != 'heartbeat':
                    fail('LED trigger not restored', log_path)
            print('board_e2e: ok (%d hardware kicks, %d systemd kicks)'
                  % (len(data) - 1, sum(d == 'WATCHDOG=1\n' for d in got + rest)))
            return 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
