#!/usr/bin/python3
"""CoAP -> MQTT benchmark: CoAP devices publish (POST /ps/bench/N, NON or CON) and one MQTT
subscriber receives everything on bench/#. Reports messages/s delivered to MQTT and the
latency from the CoAP send to the MQTT receive (p50/p99), as one JSON line per run.

Modes:
  flood   NON: every publisher sends as fast as it can for --duration seconds.
          CON: every publisher keeps --window requests outstanding (a new one per 2.04).
  paced   a fixed total --rate, for latency; NON or CON.

The CoAP side is raw UDP (a tiny encoder here, no CoAP library, so the client stays cheap);
the MQTT subscriber is a raw MQTT 3.1.1 socket in its own process, so the two do not share
one interpreter lock. Both stamp with CLOCK_MONOTONIC. Started with --edgegw, it runs the
given binary on loopback (port 0, ports learnt from its log) and stops it afterwards.

  cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DEDGEGW_TESTS=OFF
  cmake --build build-rel -j2 --target edgegw
  /usr/bin/python3 tests/bench/coap_bench.py --edgegw build-rel/edgegw --type non --mode flood
"""
import argparse
import json
import multiprocessing
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HOST = '127.0.0.1'


# ------------------------------------------------------------------------ CoAP encoding

def coap_option(delta, value):
    def ext(n):
        if n < 13:
            return n, b''
        if n < 269:
            return 13, bytes([n - 13])
        return 14, struct.pack('!H', n - 269)
    d, dx = ext(delta)
    ln, lx = ext(len(value))
    return bytes([(d << 4) | ln]) + dx + lx + value


def coap_post(mid, token, path, query, payload, confirmable):
    """A POST with Uri-Path segments (11) and Uri-Query values (15)."""
    head = bytes([0x40 | (0 if confirmable else 0x10) | len(token), 0x02]) + struct.pack('!H', mid)
    opts, last = b'', 0
    for num, values in ((11, path), (15, query)):
        for v in values:
            opts += coap_option(num - last, v)
            last = num
    return head + token + opts + b'\xff' + payload


# ------------------------------------------------------------------------ MQTT subscriber

def mqtt_subscriber(port, topic, ready, stop, result):
    """Raw MQTT 3.1.1 QoS 0 subscriber: records (seq, latency ns) of every PUBLISH."""
    s = socket.create_connection((HOST, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    cid = b'coap-bench-sub'
    var = b'\x00\x04MQTT\x04\x02\x00\x3c' + struct.pack('!H', len(cid)) + cid
    s.sendall(bytes([0x10, len(var)]) + var)
    t = topic.encode()
    sub = struct.pack('!H', 1) + struct.pack('!H', len(t)) + t + b'\x00'
    s.sendall(bytes([0x82, len(sub)]) + sub)
    buf = b''
    latencies = []
    seen = 0
    subscribed = False
    first = last = None
    while True:
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            if stop.is_set():
                break
            continue
        data = s.recv(1 << 20)
        if not data:
            break
        now = time.monotonic_ns()
        buf += data
        pos = 0
        while True:
            if len(buf) - pos < 2:
                break
            ptype = buf[pos]
            mult, length, i = 1, 0, pos + 1
            while True:
                if i >= len(buf):
                    length = None
                    break
                b = buf[i]
                length += (b & 0x7F) * mult
                mult *= 128
                i += 1
                if not b & 0x80:
                    break
            if length is None or len(buf) - i < length:
                break
            body = buf[i:i + length]
            pos = i + length
            if ptype >> 4 == 9:
                subscribed = True
                ready.set()
            elif ptype >> 4 == 3:
                tl = struct.unpack('!H', body[:2])[0]
                payload = body[2 + tl:]
                sent_ns = struct.unpack('!Q', payload[8:16])[0]
                latencies.append(now - sent_ns)
                seen += 1
                if first is None:
                    first = now
                last = now
        buf = buf[pos:]
    s.close()
    result.send({'received': seen, 'latencies': latencies, 'first': first, 'last': last,
                 'subscribed': subscribed})


# ------------------------------------------------------------------------ CoAP publishers

def run_publishers(port, opts):
    """Returns (sent, acked, errors, start_ns, end_ns)."""
    socks = []
    for i in range(opts.publishers):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        u.connect((HOST, port))
        u.setblocking(False)
        socks.append(u)
    con = opts.type == 'con'
    filler = b'x' * max(0, opts.payload - 16)
    seq = 0
    sent = acked = errors = 0
    outstanding = [0] * len(socks)
    mids = [1] * len(socks)
    start = time.monotonic_ns()
    end = start + int(opts.duration * 1e9)
    interval = 1e9 / opts.rate if opts.mode == 'paced' else 0
    next_send = start

    def send(k):
        nonlocal seq, sent
        mid = mids[k]
        mids[k] = (mid + 1) & 0xFFFF
        payload = struct.pack('!QQ', seq, time.monotonic_ns()) + filler
        pkt = coap_post(mid, struct.pack('!H', mid), [b'ps', b'bench', str(k).encode()],
                        [b'c=bench%d' % k], payload, con)
        try:
            socks[k].send(pkt)
        except BlockingIOError:
            return False
        seq += 1
        sent += 1
        if con:
            outstanding[k] += 1
        return True

    def drain(timeout):
        nonlocal acked, errors
        r, _, _ = select.select(socks, [], [], timeout)
        for u in r:
            k = socks.index(u)
            while True:
                try:
                    d = u.recv(2048)
                except BlockingIOError:
                    break
                if len(d) >= 2 and (d[0] >> 4) & 3 in (2, 0):  # ACK or CON response
                    if d[1] == 0x44:  # 2.04
                        acked += 1
                    else:
                        errors += 1
                    if outstanding[k]:
                        outstanding[k] -= 1

    while True:
        now = time.monotonic_ns()
        if now >= end:
            break
        if opts.mode == 'paced':
            if now >= next_send:
                send(seq % len(socks))
                next_send += interval
            drain(max(0.0, (next_send - time.monotonic_ns()) / 1e9) if not con else 0)
            if con:
                drain(max(0.0, min(0.001, (next_send - time.monotonic_ns()) / 1e9)))
        elif con:
            for k in range(len(socks)):
                while outstanding[k] < opts.window:
                    if not send(k):
                        break
            drain(0.01)
        else:
            for k in range(len(socks)):
                for _ in range(16):
                    if not send(k):
                        break
            drain(0)
    stop_sending = time.monotonic_ns()
    deadline = time.monotonic() + 2
    while con and any(outstanding) and time.monotonic() < deadline:
        drain(0.05)
    for u in socks:
        u.close()
    return sent, acked, errors, start, stop_sending


def start_edgegw(binary, workdir, extra):
    args = [binary, '--set', 'listener.tcp.default.bind=127.0.0.1:0',
            '--set', 'listener.ws.default.enable=false',
            '--set', 'listener.ssl.default.enable=false',
            '--set', 'listener.wss.default.enable=false',
            '--set', 'gateway.coap.bind=127.0.0.1:0',
            '--set', 'gateway.coap.dtls_enable=false',
            '--set', 'persistence.enable=false',
            '--set', 'node.data_dir=' + workdir]
    for kv in extra:
        args += ['--set', kv]
    log = open(os.path.join(workdir, 'edgegw.log'), 'w+')
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    ports = {}
    while time.monotonic() < deadline and ('coap' not in ports or 'tcp' not in ports):
        log.seek(0)
        for m in re.finditer(r'listener=(\S+) address=\S+:(\d+)', log.read()):
            ports['tcp' if m.group(1).startswith('tcp') else m.group(1)] = int(m.group(2))
        if proc.poll() is not None:
            raise SystemExit('edgegw exited: see ' + log.name)
        time.sleep(0.05)
    return proc, ports


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--edgegw', help='binary to start (else use --coap-port/--mqtt-port)')
    ap.add_argument('--coap-port', type=int)
    ap.add_argument('--mqtt-port', type=int)
    ap.add_argument('--type', choices=('non', 'con'), default='non')
    ap.add_argument('--mode', choices=('flood', 'paced'), default='flood')
    ap.add_argument('--rate', type=float, default=2000, help='paced: total messages/s')
    ap.add_argument('--window', type=int, default=8, help='CON flood: outstanding per publisher')
    ap.add_argument('--publishers', type=int, default=4)
    ap.add_argument('--payload', type=int, default=32)
    ap.add_argument('--duration', type=float, default=5)
    ap.add_argument('--set', action='append', default=[], help='extra edgegw --set KEY=VALUE')
    opts = ap.parse_args()

    proc = None
    workdir = tempfile.mkdtemp(prefix='coap-bench-')
    if opts.edgegw:
        proc, ports = start_edgegw(opts.edgegw, workdir, opts.set)
        opts.coap_port, opts.mqtt_port = ports['coap'], ports['tcp']
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    parent, child = multiprocessing.Pipe()
    sub = multiprocessing.Process(target=mqtt_subscriber,
                                  args=(opts.mqtt_port, 'bench/#', ready, stop, child))
    sub.start()
    if not ready.wait(10):
        raise SystemExit('MQTT subscriber did not get SUBACK')
    sent, acked, errors, start, end = run_publishers(opts.coap_port, opts)
    time.sleep(1.0)  # let the last deliveries arrive before the subscriber stops
    stop.set()
    res = parent.recv()
    sub.join()
    if proc:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    lat = res['latencies']
    # Warm-up: the first 10 % of messages are left out of the latency figures.
    lat_steady = lat[len(lat) // 10:]
    window_s = (end - start) / 1e9
    out = {
        'type': opts.type, 'mode': opts.mode, 'publishers': opts.publishers,
        'payload': opts.payload, 'seconds': round(window_s, 2), 'sent': sent,
        'acked_2_04': acked if opts.type == 'con' else None, 'errors': errors,
        'received_mqtt': res['received'],
        'delivered_per_s': round(res['received'] / window_s),
        'lost': sent - res['received'],
        'latency_p50_ms': round(percentile(lat_steady, 0.50) / 1e6, 3) if lat_steady else None,
        'latency_p99_ms': round(percentile(lat_steady, 0.99) / 1e6, 3) if lat_steady else None,
    }
    if opts.mode == 'paced':
        out['rate'] = opts.rate
    print(json.dumps(out))


if __name__ == '__main__':
    main()
