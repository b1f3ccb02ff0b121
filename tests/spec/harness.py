"""Scenario-test harness: runs the broker under test as a child process and gives each test
case a fresh broker, a private temp dir and connected clients.

Targets (env EDGEGW_SPEC_TARGET):
  edgegw     (default) `$EDGEGW_BIN -c <tmp>/edgegw.ini`; listeners bind port 0 and the
             ports are learnt from the one sd_notify datagram edgegw sends to the
             NOTIFY_SOCKET we own: READY=1 ... EDGEGW_LISTENERS=tcp:default=127.0.0.1:N;...
  mosquitto  /usr/sbin/mosquitto with a translated config on a free port, to check that the
             scenarios themselves follow the MQTT spec. Config keys mosquitto has no
             equivalent for, and tests marked @edgegw_only, are skipped there.

Stopping is part of the contract: SIGTERM must end the broker with status 0 (edgegw
flushes its state then), so every test's cleanup asserts it — a crash or a sanitizer
report during the test fails the test that caused it.
"""
import os
import pwd
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import packets as pk
from clients import *  # noqa: F401,F403  (the scenarios import everything from here)
from clients import HOST, MqttClient, RawClient, unique_id

TARGET = os.environ.get('EDGEGW_SPEC_TARGET', 'edgegw')
IS_EDGEGW = TARGET == 'edgegw'
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0
HERE = os.path.dirname(os.path.abspath(__file__))

# Keys every edgegw instance gets: only the plain TCP listener, on an ephemeral port, so
# parallel runs never compete for fixed ports. Every other network endpoint the shipped
# etc/edgegw.ini defines (it equals the built-in defaults) is disabled or moved to port 0
# by network_overrides(). Tests may override any key.
EDGEGW_BASE = {
    'node.name': 'test',
    'listener.tcp.default.enable': True,
    'listener.tcp.default.bind': '127.0.0.1:0',
}
SHIPPED_INI = os.path.join(HERE, '..', '..', 'etc', 'edgegw.ini')


def network_overrides(ini_path=SHIPPED_INI):
    """For each section of the shipped ini that binds a socket (a `bind` or `*_bind` key):
    `enable = false` where it can be disabled, else its binds on 127.0.0.1:0."""
    sections, current = {}, None
    try:
        with open(ini_path) as f:
            for line in f:
                line = line.strip()
                if line.startswith('[') and line.endswith(']'):
                    current = sections.setdefault(line[1:-1].strip(), set())
                elif current is not None and '=' in line and line[0] not in ';#':
                    current.add(line.split('=', 1)[0].strip())
    except OSError:
        sections = {'listener.%s.default' % k: {'enable', 'bind'} for k in ('ssl', 'ws', 'wss')}
    out = {}
    for section, keys in sections.items():
        binds = [k for k in keys if k == 'bind' or k.endswith('_bind')]
        if not binds or section == 'listener.tcp.default':
            continue
        if 'enable' in keys:
            out[section + '.enable'] = False
        else:
            out.update({'%s.%s' % (section, k): '127.0.0.1:0' for k in binds})
    return out


# --------------------------------------------------------------------------- helpers

def _split_key(key):
    """'listener.tcp.default.bind' -> ('listener.tcp.default', 'bind'); keys may hold dots
    themselves ('gateway.mqttsn.predefined.7'), so the section's shape decides."""
    parts = key.split('.')
    depth = {'listener': 3, 'gateway': 2, 'bridge': 2}.get(parts[0], 1)
    return '.'.join(parts[:depth]), '.'.join(parts[depth:])


def free_port():
    """A TCP port that was free a moment ago (only for brokers that cannot bind port 0)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def parse_duration(text):
    """'500ms', '2s', '1m', '1h' -> seconds (float)."""
    text = str(text).strip()
    for suffix, scale in (('ms', 0.001), ('s', 1), ('m', 60), ('h', 3600)):
        if text.endswith(suffix):
            return float(text[:-len(suffix)]) * scale
    return float(text)


def parse_size(text):
    text = str(text).strip().upper()
    for suffix, scale in (('KB', 1024), ('MB', 1024 ** 2), ('GB', 1024 ** 3)):
        if text.endswith(suffix):
            return int(float(text[:-2]) * scale)
    return int(text)


def _ini_value(v):
    return ('true' if v else 'false') if isinstance(v, bool) else str(v)


def make_workdir():
    base = tempfile.gettempdir()
    if len(base) > 60:  # keep the notify socket path under sun_path's 108 bytes
        base = '/tmp'
    return tempfile.mkdtemp(prefix='egw-spec-', dir=base)


# ---------------------------------------------------------------------------- brokers

class Broker:
    """One broker process with a fixed work dir; start/stop/kill/restart keep the data."""

    def __init__(self, workdir, config):
        self.workdir = workdir
        self.config = dict(config)
        self.data_dir = os.path.join(workdir, 'data')
        os.makedirs(self.data_dir, exist_ok=True)
        self.log_path = os.path.join(workdir, 'broker.log')
        self.proc = None
        self.ports = {}

    def port(self, kind='tcp', name='default'):
        try:
            return self.ports[(kind, name)]
        except KeyError:
            raise AssertionError('no %s:%s listener reported; have %r'
                                 % (kind, name, sorted(self.ports))) from None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines=60):
        try:
            with open(self.log_path, 'rb') as f:
                text = f.read().decode(errors='replace')
        except OSError:
            return '(no log)'
        return '\n'.join(text.splitlines()[-lines:])

    def _fail(self, message):
        raise AssertionError('%s\n---- %s log (last lines) ----\n%s'
                             % (message, TARGET, self.log_tail()))

    def _spawn(self, args, env=None):
        with open(self.log_path, 'ab') as log:
            log.write(('---- start: %s\n' % ' '.join(args)).encode())
            log.flush()
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, env=env,
                                         cwd=self.workdir)

    def stop(self, expect_status=0):
        """SIGTERM and wait; asserts the exit status (0: clean shutdown)."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is not None:
            self._fail('broker had already exited with status %d' % proc.returncode)
        proc.send_signal(signal.SIGTERM)
        try:
            status = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            self._fail('broker did not exit within %.0fs of SIGTERM' % STOP_TIMEOUT)
        if expect_status is not None and status != expect_status:
            self._fail('broker exit status %d after SIGTERM, expected %d'
                       % (status, expect_status))

    def kill(self):
        """SIGKILL: a crash or power cut, as far as the broker can tell."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.kill()
        proc.wait()

    def restart(self):
        self.stop()
        self.start()

    def close(self):
        """Last resort in cleanup paths: make sure no process outlives the test."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


class EdgegwBroker(Broker):
    def __init__(self, workdir, config):
        super().__init__(workdir, config)
        self.binary = os.environ.get('EDGEGW_BIN') or os.path.join(
            HERE, '..', '..', 'build', 'edgegw')
        if not os.access(self.binary, os.X_OK):
            raise AssertionError('edgegw binary not found at %s (set EDGEGW_BIN)'
                                 % self.binary)
        self.ini_path = os.path.join(workdir, 'edgegw.ini')
        self.notify_path = os.path.join(workdir, 'notify.sock')
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        self._write_ini()

    def _write_ini(self):
        values = network_overrides()
        values.update(EDGEGW_BASE)
        values['node.data_dir'] = self.data_dir
        if os.environ.get('EDGEGW_SPEC_LOG_LEVEL'):
            values['log.level'] = os.environ['EDGEGW_SPEC_LOG_LEVEL']
        values.update(self.config)
        sections = {}
        for key, value in values.items():
            section, name = _split_key(key)
            sections.setdefault(section, []).append((name, value))
        with open(self.ini_path, 'w') as f:
            for section, items in sections.items():
                f.write('[%s]\n' % section)
                for name, value in items:
                    f.write('%s = %s\n' % (name, _ini_value(value)))
                f.write('\n')

    def start(self):
        while True:  # drop datagrams left over from a previous run
            r, _, _ = select.select([self.notify], [], [], 0)
            if not r:
                break
            self.notify.recv(65536)
        env = dict(os.environ, NOTIFY_SOCKET=self.notify_path)
        env.pop('WATCHDOG_USEC', None)
        env.pop('WATCHDOG_PID', None)
        self._spawn([self.binary, '-c', self.ini_path], env)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                status, self.proc = self.proc.returncode, None
                self._fail('edgegw exited with status %d before READY=1' % status)
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                self._fail('edgegw sent no READY=1 within %.0fs' % READY_TIMEOUT)
            # Short slices only so that an early exit is noticed promptly.
            r, _, _ = select.select([self.notify], [], [], min(left, 0.1))
            if not r:
                continue
            fields = dict(line.split('=', 1) for line in
                          self.notify.recv(65536).decode().splitlines() if '=' in line)
            if fields.get('READY') == '1':
                self.ports = self._parse_listeners(fields.get('EDGEGW_LISTENERS', ''))
                if ('tcp', 'default') not in self.ports:
                    self._fail('READY=1 without the tcp:default listener: %r' % fields)
                return

    @staticmethod
    def _parse_listeners(text):
        ports = {}
        for item in filter(None, text.split(';')):
            kind_name, _, addr = item.partition('=')
            kind, _, name = kind_name.partition(':')
            ports[(kind, name)] = int(addr.rpartition(':')[2])
        return ports

    def close(self):
        super().close()
        self.notify.close()


class MosquittoBroker(Broker):
    """mosquitto 2.0 as a reference: edgegw keys are translated or the test is skipped."""

    def __init__(self, workdir, config):
        super().__init__(workdir, config)
        self.conf_path = os.path.join(workdir, 'mosquitto.conf')
        self.global_lines, self.listener_lines = [], []
        self.persistence = False
        for key, value in self.config.items():
            self._translate(key, value)
        self.tcp_port = None

    def port(self, kind='tcp', name='default'):
        if (kind, name) != ('tcp', 'default'):
            raise unittest.SkipTest('the mosquitto target has only the tcp:default listener')
        return super().port(kind, name)

    def _translate(self, key, value):
        v = _ini_value(value)
        g, lst = self.global_lines, self.listener_lines
        simple_global = {
            'mqtt.max_packet_size': lambda: 'max_packet_size %d' % parse_size(v),
            'mqtt.retain_available': lambda: 'retain_available %s' % v,
            'mqtt.max_keepalive': lambda: 'max_keepalive %d' % parse_duration(v),
            'mqtt.max_inflight': lambda: 'max_inflight_messages %s' % v,
            'mqtt.max_mqueue_len': lambda: 'max_queued_messages %s' % v,
            'mqtt.mqueue_store_qos0': lambda: 'queue_qos0_messages %s' % v,
            'auth.allow_anonymous': lambda: 'allow_anonymous %s' % v,
            'node.sys_interval': lambda: 'sys_interval %d' % max(1, parse_duration(v)),
        }
        simple_listener = {
            'mqtt.max_qos_allowed': lambda: 'max_qos %s' % v,
            'mqtt.max_topic_alias': lambda: 'max_topic_alias %s' % v,
            'mqtt.allow_empty_clientid': lambda: 'allow_zero_length_clientid %s' % v,
            'limits.max_connections': lambda: 'max_connections %s' % v,
            'listener.tcp.default.max_connections': lambda: 'max_connections %s' % v,
        }
        if key in simple_global:
            g.append(simple_global[key]())
        elif key in simple_listener:
            lst.append(simple_listener[key]())
        elif key == 'persistence.enable':
            self.persistence = value in (True, 'true')
        elif key == 'mqtt.mqueue_overflow' and v == 'drop_newest':
            pass  # mosquitto always drops the newest message of a full queue
        elif key == 'mqtt.shared_subscription_strategy' and v == 'round_robin':
            pass  # mosquitto's only strategy
        elif key == 'mqtt.keepalive_multiplier' and float(v) == 1.5:
            pass
        elif key == 'mqtt.session_expiry_interval' and parse_duration(v) % 3600 == 0:
            g.append('persistent_client_expiration %dh' % (parse_duration(v) // 3600))
        else:
            raise unittest.SkipTest('mosquitto has no equivalent of %s=%s' % (key, v))

    def _write_conf(self, port):
        # allow_duplicate_messages: a copy per matching subscription, so that the copy at
        # the maximum QoS exists ([MQTT-3.3.5-1]); 2.0.11 otherwise keeps the first match.
        lines = ['per_listener_settings false', 'allow_anonymous true',
                 'allow_duplicate_messages true',
                 # as root, mosquitto would drop to user "mosquitto" and fail to write
                 # its database into our temp dir
                 'user %s' % pwd.getpwuid(os.getuid()).pw_name,
                 'log_dest stderr', 'log_type all', 'log_timestamp_format %H:%M:%S',
                 'persistence %s' % ('true' if self.persistence else 'false'),
                 'persistence_location %s/' % self.data_dir]
        lines += self.global_lines
        lines += ['listener %d %s' % (port, HOST)] + self.listener_lines
        with open(self.conf_path, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def start(self):
        for _ in range(10):
            port = self.tcp_port or free_port()
            self._write_conf(port)
            log_offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
            self._spawn(['/usr/sbin/mosquitto', '-c', self.conf_path])
            if self._wait_running(log_offset):
                self.tcp_port = port
                self.ports = {('tcp', 'default'): port}
                return
            self.tcp_port = None  # the port was taken in the meantime: pick another
        self._fail('mosquitto could not bind a free port')

    def _wait_running(self, log_offset):
        """Wait for mosquitto's "running" log line (written once its listener is open).
        Not a probe connection: mosquitto 2.0.11 miscounts closed connections against
        max_connections."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            with open(self.log_path, 'rb') as f:
                f.seek(log_offset)
                if b' running' in f.read():
                    return True
            try:  # doubles as the pause between looks at the log and the exit check
                status = self.proc.wait(timeout=0.02)
            except subprocess.TimeoutExpired:
                continue
            self.proc = None
            if 'Address already in use' in self.log_tail(5):
                return False
            self._fail('mosquitto exited with status %d at start' % status)
        self.close()
        self._fail('mosquitto did not start within %.0fs' % READY_TIMEOUT)


def make_broker(workdir, config):
    if TARGET == 'mosquitto':
        return MosquittoBroker(workdir, config)
    if TARGET != 'edgegw':
        raise AssertionError('EDGEGW_SPEC_TARGET must be edgegw or mosquitto, not %r' % TARGET)
    return EdgegwBroker(workdir, config)


# ---------------------------------------------------------------------- test support

def with_config(values):
    """Per-test broker config keys (merged over the class's CONFIG)."""
    def mark(fn):
        fn.broker_config = dict(values)
        return fn
    return mark


def edgegw_only(reason):
    """An edgegw/EMQX extension or guarantee that mosquitto does not have."""
    return unittest.skipUnless(IS_EDGEGW, 'edgegw only: %s' % reason)


def mosquitto_deviation(reason):
    """Correct per the MQTT spec, but mosquitto 2.0.11 (the reference) does otherwise."""
    return unittest.skipIf(TARGET == 'mosquitto', 'mosquitto 2.0.11 deviates: %s' % reason)


def elapse(seconds):
    """Let a broker-side timer (expiry, delay, keepalive) run out. Used only by tests of
    those timers, never to wait for the broker to process something."""
    time.sleep(seconds)


class BrokerTestCase(unittest.TestCase):
    """Each test gets its own broker (class CONFIG + @with_config), work dir and clients."""

    CONFIG = {}

    def setUp(self):
        self.workdir = make_workdir()
        self._clients = []
        self._problems_before = self._problem_count()
        self.addCleanup(self._finish)
        config = dict(self.CONFIG)
        config.update(getattr(getattr(self, self._testMethodName), 'broker_config', {}))
        self.broker = None
        self.broker = make_broker(self.workdir, config)
        self.broker.start()

    def _problem_count(self):
        result = getattr(getattr(self, '_outcome', None), 'result', None)
        return len(getattr(result, 'failures', ())) + len(getattr(result, 'errors', ()))

    @property
    def port(self):
        return self.broker.port('tcp')

    def _finish(self):
        try:
            for c in reversed(self._clients):
                try:
                    c.close()
                except Exception:  # a client the test already broke; keep cleaning up
                    pass
            if self.broker is not None:
                self.broker.stop()
        finally:
            if self.broker is not None:
                self.broker.close()
            if self.broker is not None and self._problem_count() > self._problems_before:
                sys.stderr.write('\n---- %s: %s log, kept in %s ----\n%s\n'
                                 % (self.id(), TARGET, self.workdir, self.broker.log_tail()))
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)

    # clients ---------------------------------------------------------------------------
    def client(self, client_id=None, proto=pk.V311, clean=True, connect=True, **kw):
        """A connected paho client (connect=False: created only; kw go to connect())."""
        c = MqttClient(self.port, client_id, proto, clean)
        self._clients.append(c)
        if connect:
            c.connect(clean_start=clean, **kw)
        return c

    def raw(self, proto=pk.V311, connect=True, rcvbuf=None, **kw):
        """A raw-socket client, CONNECTed unless connect=False (kw go to connect())."""
        c = RawClient(self.port, proto, rcvbuf=rcvbuf)
        self._clients.append(c)
        if connect:
            c.connect(**kw)
        return c

    def subscriber(self, topic, qos=0, proto=pk.V311, **kw):
        c = self.client(proto=proto, **kw)
        c.subscribe(topic, qos)
        return c

    def assert_broker_alive(self):
        if not self.broker.alive():
            self.broker._fail('broker is not running')

    def assert_roundtrip(self, proto=pk.V311):
        """A fresh client can still subscribe, publish and receive: the broker serves."""
        c = self.client(proto=proto)
        topic = 'alive/' + unique_id()
        c.subscribe(topic, 1)
        c.publish(topic, b'ping', 1)
        self.assertEqual(c.get().payload, b'ping')
        c.disconnect()

    def assert_closed(self, raw, ptype=None, rc=None, timeout=None, strict=IS_EDGEGW):
        """The broker must close `raw`'s connection. With `ptype` (CONNACK or DISCONNECT)
        and `rc` (a code or tuple of allowed codes) the last packet before the close, if
        any, must be that one with that code; `strict` (default: against edgegw, whose
        contract is "malformed input closes with the v5 reason code") makes it required.
        Returns the packets received before the close."""
        got = raw.wait_closed(timeout)
        if ptype is None:
            for p in got:
                if p.type == pk.CONNACK and p.rc == 0:
                    raise AssertionError('connection accepted before close: %r' % got)
            return got
        allowed = rc if isinstance(rc, (tuple, list, set)) else (rc,)
        final = [p for p in got if p.type in (pk.CONNACK, pk.DISCONNECT)]
        if final:
            last = final[-1]
            if last.type != ptype or last.rc not in allowed:
                raise AssertionError('expected %s with %s before close, got %r' % (
                    pk.TYPE_NAMES[ptype], '/'.join('0x%02x' % c for c in allowed), got))
        elif strict:
            raise AssertionError('connection closed without %s %s: %r' % (
                pk.TYPE_NAMES[ptype], '/'.join('0x%02x' % c for c in allowed), got))
        return got
