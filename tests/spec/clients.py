"""The clients the scenarios drive: paho (3.1, 3.1.1, 5.0), a raw-socket MQTT client for
byte-exact and malformed traffic, and Debian's mosquitto_pub / mosquitto_sub.

Every wait is on an event (a queue, a condition, a socket read) with a deadline; nothing
here sleeps to let the broker "catch up". Absence is checked with `barrier()`: the client
publishes a token to a private topic and waits for it, so whatever the broker routed to
it earlier has arrived by then (one connection's deliveries are in order).
"""
import binascii
import os
import queue
import socket
import subprocess
import threading
import time
import uuid

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

import packets as pk

HOST = '127.0.0.1'
TIMEOUT = float(os.environ.get('EDGEGW_SPEC_TIMEOUT', '5'))  # one expected event
TOOL_TIMEOUT = 15.0                                         # one mosquitto_pub run
BARRIER_PREFIX = '_barrier/'

__all__ = ['HOST', 'TIMEOUT', 'Closed', 'RawClient', 'MqttClient', 'Msg', 'props',
           'SubscribeOptions', 'PacketTypes', 'Properties', 'mosquitto_pub', 'MosquittoSub',
           'unique_id']


class Closed(Exception):
    """The broker closed the connection."""


def unique_id(prefix='c'):
    """A client id unique across parallel runs, within MQTT 3.1's 23 characters."""
    return '%s%s' % (prefix, uuid.uuid4().hex[:12])


def _deadline(timeout):
    return time.monotonic() + (TIMEOUT if timeout is None else timeout)


# ------------------------------------------------------------------------ raw client

class RawClient:
    """A byte-level MQTT client: sends what it is told, decodes what comes back."""

    def __init__(self, port, proto=pk.V311, host=HOST, rcvbuf=None):
        """`rcvbuf`: a small SO_RCVBUF makes a client that stops reading back up quickly."""
        self.proto = proto
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect((host, port))
        self.buf = bytearray()
        self.backlog = []
        self.closed = False
        self.client_id = None
        self._next_pid = 0

    def pid(self):
        self._next_pid = self._next_pid % 65535 + 1
        return self._next_pid

    def send(self, data):
        """Send bytes; returns False if the broker already closed the connection."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            self.closed = True
            return False

    def _read(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout()
        self.sock.settimeout(remaining)
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b''
        if not data:
            self.closed = True
            raise Closed()
        self.buf += data

    def recv(self, timeout=None):
        """The next packet; raises Closed, or AssertionError on timeout."""
        if self.backlog:
            return self.backlog.pop(0)
        return self._recv_fresh(_deadline(timeout))

    def expect(self, ptype, timeout=None, pid=None):
        """Wait for a packet of `ptype` (and `pid`); other packets are kept, in arrival
        order, for later recv()/expect() calls."""
        def wanted(p):
            return p.type == ptype and (pid is None or p.pid == pid)
        for i, p in enumerate(self.backlog):
            if wanted(p):
                return self.backlog.pop(i)
        deadline = _deadline(timeout)
        while True:
            try:
                pkt = self._recv_fresh(deadline)
            except Closed:
                raise AssertionError('connection closed while waiting for %s (got %r)'
                                     % (pk.TYPE_NAMES[ptype], self.backlog)) from None
            if wanted(pkt):
                return pkt
            self.backlog.append(pkt)

    def _recv_fresh(self, deadline):
        while True:
            got = pk.split(self.buf)
            if got:
                ptype, flags, body, used = got
                del self.buf[:used]
                return pk.decode(ptype, flags, body, self.proto)
            if self.closed:
                raise Closed()
            try:
                self._read(deadline)
            except socket.timeout:
                raise AssertionError('no packet from the broker in time; buffered %r'
                                     % bytes(self.buf[:64])) from None

    def wait_closed(self, timeout=None):
        """Wait until the broker closes the connection; returns the packets sent before."""
        deadline = _deadline(timeout)
        got = list(self.backlog)
        self.backlog.clear()
        while True:
            try:
                got.append(self._recv_fresh(deadline))
            except Closed:
                return got
            except AssertionError:
                raise AssertionError('broker did not close the connection within %.1fs; '
                                     'received %r' % (TIMEOUT if timeout is None else timeout,
                                                      got)) from None

    def expect_open(self, duration):
        """Assert that for `duration` seconds nothing arrives and the connection stays open."""
        try:
            pkt = self.recv(timeout=duration)
        except AssertionError:
            return
        except Closed:
            raise AssertionError('broker closed the connection') from None
        raise AssertionError('unexpected packet %r' % pkt)

    # -- conveniences ------------------------------------------------------------------

    def connect(self, client_id=None, expect_rc=0, **kw):
        """CONNECT and return the CONNACK (asserting its code unless expect_rc is None)."""
        cid = unique_id() if client_id is None else client_id
        self.client_id = cid
        self.send(pk.connect(cid, proto=self.proto, **kw))
        ack = self.expect(pk.CONNACK)
        if expect_rc is not None and ack.rc != expect_rc:
            raise AssertionError('CONNACK code 0x%02x, expected 0x%02x' % (ack.rc, expect_rc))
        return ack

    def subscribe(self, filters, props=None, timeout=None):
        """filters: [(filter, options)] or a single filter string (QoS 0)."""
        if isinstance(filters, str):
            filters = [(filters, 0)]
        pid = self.pid()
        self.send(pk.subscribe(pid, filters, proto=self.proto, props=props))
        return self.expect(pk.SUBACK, pid=pid, timeout=timeout)

    def unsubscribe(self, filters, props=None):
        pid = self.pid()
        self.send(pk.unsubscribe(pid, filters, proto=self.proto, props=props))
        return self.expect(pk.UNSUBACK, pid=pid)

    def publish(self, topic, payload=b'', qos=0, retain=False, props=None):
        """Publish and complete the QoS handshake; returns the last ack (None for QoS 0)."""
        pid = self.pid() if qos else None
        self.send(pk.publish(topic, payload, qos, retain, pid=pid, proto=self.proto,
                             props=props))
        if qos == 1:
            return self.expect(pk.PUBACK, pid=pid)
        if qos == 2:
            rec = self.expect(pk.PUBREC, pid=pid)
            if rec.rc >= 0x80:
                return rec
            self.send(pk.pubrel(pid, proto=self.proto))
            return self.expect(pk.PUBCOMP, pid=pid)
        return None

    def ack(self, pub):
        """Acknowledge a received PUBLISH (PUBACK, or PUBREC then PUBREL/PUBCOMP)."""
        if pub.qos == 1:
            self.send(pk.puback(pub.pid, proto=self.proto))
        elif pub.qos == 2:
            self.send(pk.pubrec(pub.pid, proto=self.proto))
            self.expect(pk.PUBREL, pid=pub.pid)
            self.send(pk.pubcomp(pub.pid, proto=self.proto))

    def barrier(self, timeout=None):
        """Round-trip a token through a private QoS 0 subscription (QoS 0 so that it is not
        held back by a full inflight window); returns the packets that arrived before it."""
        if getattr(self, '_barrier_topic', None) is None:
            self._barrier_topic = BARRIER_PREFIX + (self.client_id or unique_id())
            self.subscribe([(self._barrier_topic, 0)])
        token = uuid.uuid4().hex.encode()
        pid = self.pid()
        self.send(pk.publish(self._barrier_topic, token, 1, pid=pid, proto=self.proto))
        deadline = _deadline(timeout)
        got, echoed, acked = [], False, False
        while not (echoed and acked):
            p = self.backlog.pop(0) if self.backlog else self._recv_fresh(deadline)
            if p.type == pk.PUBLISH and p.topic == self._barrier_topic:
                echoed = echoed or p.payload == token
            elif p.type == pk.PUBACK and p.pid == pid:
                acked = True
            else:
                got.append(p)
        return got

    def ping(self):
        self.send(pk.pingreq())
        return self.expect(pk.PINGRESP)

    def disconnect(self, rc=0, props=None):
        self.send(pk.disconnect(self.proto, rc, props))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True


# ------------------------------------------------------------------------ paho client

_PROTOCOLS = {pk.V31: paho.MQTTv31, pk.V311: paho.MQTTv311, pk.V5: paho.MQTTv5}


def props(packet_type, **values):
    """A paho Properties object: props(PacketTypes.PUBLISH, MessageExpiryInterval=5)."""
    p = Properties(packet_type)
    for name, value in values.items():
        setattr(p, name, value)
    return p


class Msg:
    """A received message, copied out of paho's callback."""

    def __init__(self, m):
        self.topic = m.topic
        self.payload = m.payload
        self.qos = m.qos
        self.retain = bool(m.retain)
        self.dup = bool(m.dup)
        self.mid = m.mid
        self.props = getattr(m, 'properties', None)

    def prop(self, name, default=None):
        return getattr(self.props, name, default) if self.props is not None else default

    def __repr__(self):
        return '<Msg %s %r q%d r%d>' % (self.topic, self.payload[:40], self.qos, self.retain)


class _Acks:
    """Results keyed by packet id, filled by paho's thread, awaited by the test."""

    def __init__(self):
        self.cond = threading.Condition()
        self.done = {}

    def put(self, mid, value):
        with self.cond:
            self.done[mid] = value
            self.cond.notify_all()

    def wait(self, mid, what, timeout=None):
        deadline = _deadline(timeout)
        with self.cond:
            while mid not in self.done:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError('no %s for packet id %d within %.1fs'
                                         % (what, mid, TIMEOUT if timeout is None else timeout))
                self.cond.wait(left)
            return self.done.pop(mid)


class MqttClient:
    """A paho client on its own network thread, with blocking, bounded helpers."""

    def __init__(self, port, client_id=None, proto=pk.V311, clean=True, host=HOST):
        self.port, self.host, self.proto = port, host, proto
        self.client_id = unique_id() if client_id is None else client_id
        kw = dict(client_id=self.client_id, protocol=_PROTOCOLS[proto],
                  reconnect_on_failure=False)
        if proto != pk.V5:
            kw['clean_session'] = clean
        self.c = paho.Client(**kw)
        self.messages = queue.Queue()
        self._barrier = queue.Queue()
        self._barrier_topic = None
        self._connack = queue.Queue()
        self._disconnects = queue.Queue()
        self._subacks, self._unsubacks, self._pubs = _Acks(), _Acks(), _Acks()
        self.connected = False
        self.session_present = None
        self.connack_props = None
        self.c.on_connect = self._on_connect
        self.c.on_disconnect = self._on_disconnect
        self.c.on_message = self._on_message
        self.c.on_subscribe = self._on_subscribe
        self.c.on_unsubscribe = self._on_unsubscribe
        self.c.on_publish = lambda c, u, mid: self._pubs.put(mid, True)

    # paho callbacks (paho's thread) ---------------------------------------------------
    def _on_connect(self, c, u, flags, rc, properties=None):
        self._connack.put(('connack', flags, rc, properties))

    def _on_disconnect(self, c, u, rc, properties=None):
        self.connected = False
        self._connack.put(('disconnected', None, rc, properties))
        self._disconnects.put((rc, properties))

    def _on_message(self, c, u, m):
        if m.topic.startswith(BARRIER_PREFIX):
            if m.topic == self._barrier_topic:
                self._barrier.put(m.payload)
            return
        self.messages.put(Msg(m))

    def _on_subscribe(self, c, u, mid, granted, properties=None):
        codes = [g.value if hasattr(g, 'value') else g for g in granted]
        self._subacks.put(mid, codes)

    def _on_unsubscribe(self, c, u, mid, properties=None, reasons=None):
        if isinstance(reasons, list):
            codes = [r.value for r in reasons]
        elif reasons is not None:
            codes = [reasons.value]
        else:
            codes = []
        self._unsubacks.put(mid, codes)

    # operations -----------------------------------------------------------------------
    def connect(self, keepalive=60, clean_start=True, properties=None, will=None,
                username=None, password=None, expect_rc=0, timeout=None):
        """Connect and wait for CONNACK. `will`: dict(topic, payload, qos, retain, props).

        Returns the reason code (int). Asserts it equals expect_rc unless that is None."""
        if will:
            self.c.will_set(will['topic'], will.get('payload', b''), will.get('qos', 0),
                            will.get('retain', False), will.get('props'))
        if username is not None:
            self.c.username_pw_set(username, password)
        if self.proto == pk.V5:
            self.c.connect(self.host, self.port, keepalive, clean_start=clean_start,
                           properties=properties)
        else:
            self.c.connect(self.host, self.port, keepalive)
        self.c.loop_start()
        try:
            kind, flags, rc, cprops = self._connack.get(timeout=TIMEOUT if timeout is None
                                                        else timeout)
        except queue.Empty:
            raise AssertionError('no CONNACK within the timeout') from None
        rc = rc.value if hasattr(rc, 'value') else int(rc)
        if kind == 'connack':
            self.session_present = bool(flags['session present'])
            self.connack_props = cprops
            self.connected = rc == 0
        if expect_rc is not None and (kind != 'connack' or rc != expect_rc):
            raise AssertionError('connect: %s code %s, expected CONNACK %d'
                                 % (kind, rc, expect_rc))
        return rc

    def subscribe(self, topic, qos=0, options=None, properties=None, timeout=None):
        """Subscribe one filter (or a list of (filter, qos|SubscribeOptions)); returns the
        SUBACK codes (granted QoS or v5 reason codes) as ints."""
        if isinstance(topic, list):
            rc, mid = self.c.subscribe(topic, properties=properties)
        elif options is not None:
            rc, mid = self.c.subscribe(topic, options=options, properties=properties)
        else:
            rc, mid = self.c.subscribe(topic, qos, properties=properties)
        if rc != paho.MQTT_ERR_SUCCESS:
            raise AssertionError('subscribe failed locally: %s' % paho.error_string(rc))
        return self._subacks.wait(mid, 'SUBACK', timeout)

    def unsubscribe(self, topic, properties=None):
        rc, mid = self.c.unsubscribe(topic, properties=properties)
        if rc != paho.MQTT_ERR_SUCCESS:
            raise AssertionError('unsubscribe failed locally: %s' % paho.error_string(rc))
        return self._unsubacks.wait(mid, 'UNSUBACK')

    def publish(self, topic, payload=b'', qos=0, retain=False, properties=None,
                timeout=None):
        """Publish and wait until it completes (written for QoS 0, acknowledged else)."""
        info = self.c.publish(topic, payload, qos, retain, properties)
        if info.rc != paho.MQTT_ERR_SUCCESS:
            raise AssertionError('publish failed locally: %s' % paho.error_string(info.rc))
        self._pubs.wait(info.mid, 'publish completion', timeout)

    def get(self, timeout=None):
        try:
            return self.messages.get(timeout=TIMEOUT if timeout is None else timeout)
        except queue.Empty:
            raise AssertionError('%s: no message within %.1fs' % (
                self.client_id, TIMEOUT if timeout is None else timeout)) from None

    def poll(self, timeout):
        """The next message, or None if none arrives within `timeout` seconds."""
        try:
            return self.messages.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def get_n(self, n, timeout=None):
        deadline = _deadline(timeout)
        out = []
        while len(out) < n:
            try:
                out.append(self.messages.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError('%s: %d of %d messages arrived: %r'
                                     % (self.client_id, len(out), n, out)) from None
        return out

    def barrier(self, timeout=None):
        """Round-trip a token through the broker to this client; afterwards everything
        routed to this client before the call has been received."""
        if self._barrier_topic is None:
            self._barrier_topic = BARRIER_PREFIX + self.client_id
            self.subscribe(self._barrier_topic, 1)
        token = uuid.uuid4().hex.encode()
        self.publish(self._barrier_topic, token, 1)
        deadline = _deadline(timeout)
        while True:
            try:
                got = self._barrier.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError('barrier message did not come back') from None
            if got == token:
                return

    def drain(self):
        """Messages received so far (after a barrier(): everything routed before it)."""
        out = []
        while True:
            try:
                out.append(self.messages.get_nowait())
            except queue.Empty:
                return out

    def assert_no_messages(self):
        self.barrier()
        left = self.drain()
        if left:
            raise AssertionError('%s: unexpected messages %r' % (self.client_id, left))

    def wait_disconnected(self, timeout=None):
        """Wait for the connection to end; returns (reason code int, properties)."""
        try:
            rc, p = self._disconnects.get(timeout=TIMEOUT if timeout is None else timeout)
        except queue.Empty:
            raise AssertionError('%s still connected' % self.client_id) from None
        return (rc.value if hasattr(rc, 'value') else rc), p

    def disconnect(self, reasoncode=None, properties=None):
        """Clean DISCONNECT, waiting until paho has closed the socket."""
        if reasoncode is not None:
            from paho.mqtt.reasoncodes import ReasonCodes
            reasoncode = ReasonCodes(PacketTypes.DISCONNECT, identifier=reasoncode)
        self.c.disconnect(reasoncode, properties)
        self.wait_disconnected()
        self.c.loop_stop()

    def abort(self):
        """Drop the TCP connection without DISCONNECT (a lost connection, for wills)."""
        sock = self.c.socket()
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        self.wait_disconnected()
        self.c.loop_stop()

    def close(self):
        """Cleanup: disconnect if still connected, stop the network thread."""
        try:
            if self.connected:
                self.c.disconnect()
                self._disconnects.get(timeout=TIMEOUT)
        except queue.Empty:
            pass
        finally:
            self.c.loop_stop()
            sock = self.c.socket()
            if sock is not None:
                sock.close()


# ------------------------------------------------------------------- mosquitto clients

_VERSIONS = {pk.V31: 'mqttv31', pk.V311: 'mqttv311', pk.V5: 'mqttv5'}


def mosquitto_pub(port, topic, payload=None, qos=0, retain=False, proto=pk.V311,
                  extra=(), timeout=TOOL_TIMEOUT):
    """Run mosquitto_pub once (payload None sends a zero-length message); asserts exit 0."""
    args = ['mosquitto_pub', '-h', HOST, '-p', str(port), '-t', topic, '-q', str(qos),
            '-V', _VERSIONS[proto], '-i', unique_id('pub')]
    args += ['-n'] if payload is None else ['-m', payload]
    if retain:
        args.append('-r')
    args += list(extra)
    res = subprocess.run(args, capture_output=True, timeout=timeout)
    if res.returncode != 0:
        raise AssertionError('mosquitto_pub exited %d: %s'
                             % (res.returncode, res.stderr.decode(errors='replace')))
    return res


class MosquittoSub:
    """mosquitto_sub in the background; its -d output tells us when SUBACK arrived."""

    def __init__(self, port, topics, qos=0, proto=pk.V311, client_id=None, extra=()):
        if isinstance(topics, str):
            topics = [topics]
        # stdbuf: mosquitto_sub's stdout is block-buffered on a pipe otherwise.
        args = ['stdbuf', '-oL', 'mosquitto_sub', '-d', '-h', HOST, '-p', str(port), '-q', str(qos),
                '-V', _VERSIONS[proto], '-i', client_id or unique_id('sub'),
                '-F', 'MSG %q %r %t %x']
        for t in topics:
            args += ['-t', t]
        args += list(extra)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.lines = queue.Queue()
        self.log = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode(errors='replace').rstrip('\n')
            self.log.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def _next(self, deadline, what):
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError('mosquitto_sub: no %s; output %r' % (what, self.log)) from None
        if line is None:
            raise AssertionError('mosquitto_sub exited (%s) before %s; output %r'
                                 % (self.proc.wait(), what, self.log))
        return line

    def wait_subscribed(self, timeout=None):
        deadline = _deadline(timeout)
        while not self._next(deadline, 'SUBACK').startswith('Subscribed (mid'):
            pass

    def get(self, timeout=None):
        """Next message as (topic, payload bytes, qos, retain)."""
        deadline = _deadline(timeout)
        while True:
            line = self._next(deadline, 'message')
            if line.startswith('MSG '):
                _, qos, retain, rest = line.split(' ', 3)
                topic, _, hexpayload = rest.rpartition(' ')
                return topic, binascii.unhexlify(hexpayload), int(qos), retain == '1'

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=TOOL_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
