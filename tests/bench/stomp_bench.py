#!/usr/bin/python3
"""STOMP gateway throughput: SEND -> MQTT subscriber (mosquitto_sub) and MQTT publisher
(mosquitto_pub -l) -> MESSAGE frames, beside MQTT -> MQTT with the same clients through
edgegw and through Debian's mosquitto, with a raw-socket STOMP peer that pipelines frames so
the client is not what is measured. Starts edgegw through the spec harness (loopback,
port 0). A tool, not a test.

    EDGEGW_BIN=build-rel/edgegw /usr/bin/python3 tests/bench/stomp_bench.py [-n 50000]
"""
import argparse
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'spec'))
from harness import make_broker, make_workdir  # noqa: E402


def stomp_connect(port):
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(b'CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0')
    buf = b''
    while b'\0' not in buf:
        buf += s.recv(4096)
    return s


def wait_frames(s, count, buf=b''):
    """Read until `count` NUL-terminated frames arrived (payloads hold no NUL)."""
    seen = buf.count(b'\0')
    while seen < count:
        chunk = s.recv(1 << 20)
        if not chunk:
            raise SystemExit('connection closed after %d frames' % seen)
        seen += chunk.count(b'\0')


def bench_send(port, mqtt_port, n, size):
    sub = subprocess.Popen(['mosquitto_sub', '-p', str(mqtt_port), '-t', 'bench/send', '-C',
                            str(n), '-q', '0'], stdout=subprocess.DEVNULL)
    time.sleep(0.5)  # mosquitto_sub has no "subscribed" signal; not part of the timing
    s = stomp_connect(port)
    body = b'x' * size
    frame = (b'SEND\ndestination:bench/send\ncontent-length:%d\n\n' % size) + body + b'\0'
    start = time.monotonic()
    s.sendall(frame * n)
    sub.wait(timeout=300)
    elapsed = time.monotonic() - start
    s.close()
    return n / elapsed


def bench_message(port, mqtt_port, n, size):
    s = stomp_connect(port)
    s.sendall(b'SUBSCRIBE\nid:0\ndestination:bench/msg\nreceipt:r\n\n\0')
    wait_frames(s, 1)
    lines = (('y' * size) + '\n') * n
    start = time.monotonic()
    pub = subprocess.Popen(['mosquitto_pub', '-p', str(mqtt_port), '-t', 'bench/msg', '-l',
                            '-q', '0'], stdin=subprocess.PIPE)
    pub.stdin.write(lines.encode())
    pub.stdin.close()
    wait_frames(s, n)
    elapsed = time.monotonic() - start
    pub.wait(timeout=60)
    s.close()
    return n / elapsed


def bench_mqtt(mqtt_port, n, size):
    """The same clients' MQTT -> MQTT path: the baseline the STOMP figures are read against."""
    sub = subprocess.Popen(['mosquitto_sub', '-p', str(mqtt_port), '-t', 'bench/mqtt', '-C',
                            str(n), '-q', '0'], stdout=subprocess.DEVNULL)
    time.sleep(0.5)  # mosquitto_sub has no "subscribed" signal; not part of the timing
    lines = (('z' * size) + '\n') * n
    start = time.monotonic()
    pub = subprocess.Popen(['mosquitto_pub', '-p', str(mqtt_port), '-t', 'bench/mqtt', '-l',
                            '-q', '0'], stdin=subprocess.PIPE)
    pub.stdin.write(lines.encode())
    pub.stdin.close()
    sub.wait(timeout=300)
    elapsed = time.monotonic() - start
    pub.wait(timeout=60)
    return n / elapsed


def mosquitto_baseline(n, size):
    """mosquitto_pub -l -> mosquitto_sub through Debian's mosquitto on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    conf = os.path.join(make_workdir(), 'mosquitto.conf')
    with open(conf, 'w') as f:
        f.write('listener %d 127.0.0.1\nallow_anonymous true\nmax_queued_messages 1000000\n'
                % port)
    proc = subprocess.Popen(['/usr/sbin/mosquitto', '-c', conf], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit('mosquitto did not start')
                time.sleep(0.05)
        return bench_mqtt(port, n, size)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-n', type=int, default=50000)
    ap.add_argument('--size', type=int, default=64)
    args = ap.parse_args()
    broker = make_broker(make_workdir(), {'gateway.stomp.enable': True,
                                          'gateway.stomp.bind': '127.0.0.1:0',
                                          'mqtt.max_qos0_backlog': 1000000,
                                          'mqtt.max_mqueue_len': 1000000})
    broker.start()
    try:
        port, mqtt_port = broker.port('stomp', ''), broker.port('tcp')
        print('SEND -> MQTT:    %8.0f msg/s (%d x %d B)'
              % (bench_send(port, mqtt_port, args.n, args.size), args.n, args.size))
        print('MQTT -> MESSAGE: %8.0f msg/s (%d x %d B)'
              % (bench_message(port, mqtt_port, args.n, args.size), args.n, args.size))
        print('MQTT -> MQTT:    %8.0f msg/s (edgegw, same clients)'
              % bench_mqtt(mqtt_port, args.n, args.size))
    finally:
        broker.stop()
        broker.close()
    print('MQTT -> MQTT:    %8.0f msg/s (mosquitto, same clients)'
          % mosquitto_baseline(args.n, args.size))


if __name__ == '__main__':
    main()
