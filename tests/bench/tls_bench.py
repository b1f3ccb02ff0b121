#!/usr/bin/python3
"""TLS cost on edgegw beside Debian's mosquitto with TLS: full and resumed handshakes (openssl s_time; the rate is bounded
by the client and the machine's load, the broker's CPU time per handshake is the cost), and QoS 0 throughput plain TCP vs TLS (mosquitto_pub -l
into mosquitto_sub -C; the rate is of the messages delivered, up to the last one, and QoS 0
messages the subscriber cannot take in time are dropped by the broker, so the count is
reported too) with the broker's CPU time per message delivered.

    tests/bench/tls_bench.py [--bin build/edgegw] [--seconds 5] [--messages 100000]

    [--mosquitto /usr/sbin/mosquitto]

Certificates (EC P-256 and RSA 2048) are made with the openssl CLI in a temp dir. edgegw
binds 127.0.0.1 port 0 and its ports are read from its log; mosquitto gets a temp
mosquitto.conf with a plain and a TLS listener on 127.0.0.1, on free ports found by binding
port 0 first. Both brokers run with the same certificates; every measurement runs on
edgegw then on mosquitto (interleaved, so load changes hit both alike). Prints one
Markdown table with both and the ratio edgegw / mosquitto.
It stops only the processes it started, by PID.
"""
import argparse
import getpass
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf('SC_CLK_TCK')


def sh(cmd, cwd):
    subprocess.run(cmd, shell=True, cwd=cwd, check=True, capture_output=True)


def make_certs(d, kind):
    newkey = '-newkey ec -pkeyopt ec_paramgen_curve:P-256' if kind == 'ec' else '-newkey rsa:2048'
    sh('openssl req -x509 %s -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=ca' % newkey, d)
    sh('openssl req %s -nodes -keyout srv.key -out srv.csr -subj /CN=localhost' % newkey, d)
    with open(os.path.join(d, 'ext'), 'w') as f:
        f.write('subjectAltName=IP:127.0.0.1,DNS:localhost\n')
    sh('openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt '
       '-days 2 -extfile ext', d)


def cpu_seconds(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Broker:
    def __init__(self, binary, d):
        self.log = open(os.path.join(d, 'broker.log'), 'w+')
        args = [binary, '--set', 'listener.tcp.default.bind=127.0.0.1:0',
                '--set', 'listener.ws.default.enable=false',
                '--set', 'listener.ssl.default.enable=true',
                '--set', 'listener.ssl.default.bind=127.0.0.1:0',
                '--set', 'listener.ssl.default.certfile=%s/srv.crt' % d,
                '--set', 'listener.ssl.default.keyfile=%s/srv.key' % d,
                '--set', 'persistence.enable=false', '--set', 'node.io_threads=1',
                '--set', 'node.data_dir=%s/data' % d, '--set', 'mqtt.max_mqueue_len=1000000']
        for gw in ('mqttsn', 'coap', 'lwm2m', 'stomp'):
            if subprocess.run([binary, '--check', '--set', 'gateway.%s.enable=false' % gw],
                              capture_output=True).returncode == 0:
                args += ['--set', 'gateway.%s.enable=false' % gw]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.ports = {}
        deadline = time.monotonic() + 20
        while 'ssl' not in self.ports or 'tcp' not in self.ports:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.log.seek(0)
                raise SystemExit('broker did not start:\n' + self.log.read())
            self.log.seek(0)
            for m in re.finditer(r'listener=(\w+):default address=127\.0\.0\.1:(\d+)',
                                 self.log.read()):
                self.ports[m.group(1)] = int(m.group(2))
            time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_listening(port, proc, log, deadline):
    while True:
        if time.monotonic() > deadline or proc.poll() is not None:
            log.seek(0)
            raise SystemExit('mosquitto did not start:\n' + log.read())
        try:
            socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)


class Mosquitto:
    def __init__(self, binary, d):
        self.ports = {'tcp': free_port(), 'ssl': free_port()}
        conf = os.path.join(d, 'mosquitto.conf')
        with open(conf, 'w') as f:
            # user: as root mosquitto would switch to 'mosquitto', who cannot read the temp dir
            f.write('user %s\nper_listener_settings false\nallow_anonymous true\npersistence false\n'
                    'max_queued_messages 1000000\nlog_dest stdout\n'
                    'listener %d 127.0.0.1\n'
                    'listener %d 127.0.0.1\ncertfile %s/srv.crt\nkeyfile %s/srv.key\n'
                    % (getpass.getuser(), self.ports['tcp'], self.ports['ssl'], d, d))
        self.log = open(os.path.join(d, 'mosquitto.log'), 'w+')
        self.proc = subprocess.Popen([binary, '-c', conf], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        for port in self.ports.values():
            wait_listening(port, self.proc, self.log, deadline)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)


def s_time(port, ca, seconds, reuse):
    args = ['openssl', 's_time', '-connect', '127.0.0.1:%d' % port, '-CAfile', ca,
            '-time', str(seconds), '-reuse' if reuse else '-new']
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60).stdout
    m = re.search(r'(\d+) connections in (\d+) real seconds', out)
    if not m:
        raise SystemExit('openssl s_time said:\n' + out)
    return int(m.group(1)), float(m.group(2))


def throughput(port, tls_args, n, payload):
    topic = 'bench/%d' % os.getpid()
    sub = subprocess.Popen(['stdbuf', '-oL', 'mosquitto_sub', '-h', '127.0.0.1', '-p', str(port), '-t', topic,
                            '-C', str(n), '-W', '10', '-d'] + tls_args,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in sub.stdout:  # wait for SUBACK
        if line.startswith('Subscribed'):
            break
    data = ''.join(payload + '\n' for _ in range(n))
    start = time.monotonic()
    subprocess.run(['mosquitto_pub', '-h', '127.0.0.1', '-p', str(port), '-t', topic, '-l',
                    '-q', '0'] + tls_args, input=data, text=True, check=True, timeout=300)
    got, last = 0, start
    for line in sub.stdout:  # until -C n messages, or -W seconds of silence
        if line.startswith(payload[:8]):
            got += 1
            last = time.monotonic()
    sub.wait(timeout=30)
    return got, last - start


def measure(brokers, d, a, kind, rows):
    """Runs each measurement on every broker in turn; rows[label][broker] = (rate, cpu)."""
    for reuse in (False, True):
        label = '%s handshake, %s key (openssl s_time %s)' % (
            'resumed' if reuse else 'full', 'EC P-256' if kind == 'ec' else 'RSA 2048',
            '-reuse' if reuse else '-new')
        for name, b in brokers:
            c0 = cpu_seconds(b.proc.pid)
            n, t = s_time(b.ports['ssl'], d + '/ca.crt', a.seconds, reuse)
            c1 = cpu_seconds(b.proc.pid)
            rows.setdefault(label, {})[name] = ('%.0f /s' % (n / t), 1000 * (c1 - c0) / max(n, 1),
                                                'ms')
    if kind != 'ec':
        return
    payload = 'x' * a.payload
    for tname in ('plain TCP', 'TLS'):
        label = 'QoS 0, %d B, %s (%d sent)' % (a.payload, tname, a.messages)
        for name, b in brokers:
            tls = ['--cafile', d + '/ca.crt'] if tname == 'TLS' else []
            port = b.ports['ssl' if tname == 'TLS' else 'tcp']
            c0 = cpu_seconds(b.proc.pid)
            got, t = throughput(port, tls, a.messages, payload)
            c1 = cpu_seconds(b.proc.pid)
            rows.setdefault(label, {})[name] = ('%.0f msg/s (%d delivered)' % (got / t, got),
                                                1e6 * (c1 - c0) / max(got, 1), 'us')


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--bin', default='build/edgegw')
    p.add_argument('--mosquitto', default='/usr/sbin/mosquitto')
    p.add_argument('--seconds', type=int, default=5)
    p.add_argument('--messages', type=int, default=100000)
    p.add_argument('--payload', type=int, default=64)
    a = p.parse_args()
    rows = {}
    for kind in ('ec', 'rsa'):
        d = tempfile.mkdtemp(prefix='egw-tlsbench-')
        started = []
        try:
            make_certs(d, kind)
            started.append(('edgegw', Broker(a.bin, d)))
            started.append(('mosquitto', Mosquitto(a.mosquitto, d)))
            measure(started, d, a, kind, rows)
        finally:
            for _, b in started:
                b.stop()
            shutil.rmtree(d, ignore_errors=True)
    print('| measurement | edgegw rate | mosquitto rate | edgegw CPU | mosquitto CPU | '
          'CPU ratio edgegw/mosquitto |')
    print('|---|---|---|---|---|---|')
    for label, r in rows.items():
        (er, ec, unit), (mr, mc, _) = r['edgegw'], r['mosquitto']
        print('| %s | %s | %s | %.2f %s | %.2f %s | %s |'
              % (label, er, mr, ec, unit, mc, unit, '%.2f' % (ec / mc) if mc > 0 else 'n/a'))


if __name__ == '__main__':
    main()
