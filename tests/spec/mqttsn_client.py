"""A small MQTT-SN 1.2 client over UDP for the scenario tests (Debian ships none).

It speaks every message a client sends, answers the gateway's REGISTER (REGACK) and
acknowledges deliveries (PUBACK, PUBREC/PUBCOMP) by itself unless told not to, and can
talk through a forwarder (Encapsulated messages) with a wireless node id. Deliveries are
collected with their topic resolved (registered, predefined or short id)."""
import collections
import socket
import struct
import time

ADVERTISE, SEARCHGW, GWINFO = 0x00, 0x01, 0x02
CONNECT, CONNACK = 0x04, 0x05
WILLTOPICREQ, WILLTOPIC, WILLMSGREQ, WILLMSG = 0x06, 0x07, 0x08, 0x09
REGISTER, REGACK, PUBLISH, PUBACK = 0x0A, 0x0B, 0x0C, 0x0D
PUBCOMP, PUBREC, PUBREL = 0x0E, 0x0F, 0x10
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK = 0x12, 0x13, 0x14, 0x15
PINGREQ, PINGRESP, DISCONNECT = 0x16, 0x17, 0x18
WILLTOPICUPD, WILLTOPICRESP, WILLMSGUPD, WILLMSGRESP = 0x1A, 0x1B, 0x1C, 0x1D
ENCAPSULATED = 0xFE

NORMAL, PREDEFINED, SHORT = 0, 1, 2
ACCEPTED, CONGESTION, INVALID_TOPIC_ID, NOT_SUPPORTED = 0, 1, 2, 3

DEFAULT_TIMEOUT = 5.0


def frame(mtype, body=b''):
    """One MQTT-SN message: 1-octet length, or 0x01 + 2 octets from 256 bytes on."""
    n = len(body) + 2
    if n < 256:
        return bytes([n, mtype]) + body
    return b'\x01' + struct.pack('>H', len(body) + 4) + bytes([mtype]) + body


def flags(dup=False, qos=0, retain=False, will=False, clean=False, id_type=NORMAL):
    q = 3 if qos == -1 else qos
    return ((0x80 if dup else 0) | (q << 5) | (0x10 if retain else 0) | (0x08 if will else 0)
            | (0x04 if clean else 0) | id_type)


def parse_flags(b):
    q = (b >> 5) & 3
    return dict(dup=bool(b & 0x80), qos=-1 if q == 3 else q, retain=bool(b & 0x10),
                id_type=b & 3)


def short_id(name):
    b = name.encode()
    assert len(b) == 2
    return (b[0] << 8) | b[1]


class Packet:
    def __init__(self, mtype, body, raw):
        self.type, self.body, self.raw = mtype, body, raw

    def u16(self, off):
        return struct.unpack_from('>H', self.body, off)[0]

    def __repr__(self):
        return 'Packet(0x%02x, %r)' % (self.type, self.body)


def decode(data):
    if len(data) >= 2 and data[0] != 1 and data[1] == ENCAPSULATED:
        raise ValueError('encapsulated')
    if data[0] == 1:
        n, mtype, body = struct.unpack_from('>H', data, 1)[0], data[3], data[4:]
    else:
        n, mtype, body = data[0], data[1], data[2:]
    if n != len(data):
        raise ValueError('length %d != %d' % (n, len(data)))
    return Packet(mtype, body, data)


class Delivery:
    def __init__(self, topic, payload, qos, retain, dup, msg_id, topic_id, id_type):
        self.topic, self.payload, self.qos, self.retain = topic, payload, qos, retain
        self.dup, self.msg_id, self.topic_id, self.id_type = dup, msg_id, topic_id, id_type

    def __repr__(self):
        return 'Delivery(%r, %r, qos=%d)' % (self.topic, self.payload, self.qos)


class SnClient:
    def __init__(self, port, host='127.0.0.1', node_id=None, predefined=None, auto_ack=True):
        family = socket.AF_INET6 if ':' in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.gw = (host, port)
        self.node_id = node_id  # talk through a forwarder with this wireless node id
        self.predefined = dict(predefined or {})  # id -> name
        self.auto_ack = auto_ack
        self.topics = {}  # registered id -> name (ours and the gateway's)
        self.inbox = collections.deque()
        self.messages = collections.deque()
        self.next_id = 1

    # ---------------------------------------------------------------- transport
    def close(self):
        self.sock.close()

    def address(self):
        return self.sock.getsockname()

    def send_raw(self, data):
        self.sock.sendto(data, self.gw)

    def send(self, mtype, body=b''):
        data = frame(mtype, body)
        if self.node_id is not None:
            data = bytes([3 + len(self.node_id), ENCAPSULATED, 0]) + self.node_id + data
        self.send_raw(data)

    def _read(self, timeout):
        self.sock.settimeout(max(timeout, 0.0001))
        try:
            data, _ = self.sock.recvfrom(65536)
        except socket.timeout:
            return None
        if self.node_id is not None:
            if len(data) < 3 or data[1] != ENCAPSULATED or data[3:data[0]] != self.node_id:
                raise AssertionError('expected an encapsulated reply for our node: %r' % data)
            data = data[data[0]:]
        return decode(data)

    def _handle(self, p):
        """Auto-answers; returns True when the packet was consumed here."""
        if p.type == REGISTER:
            tid, mid = p.u16(0), p.u16(2)
            self.topics[tid] = p.body[4:].decode()
            self.send(REGACK, struct.pack('>HHB', tid, mid, ACCEPTED))
            return True
        if p.type == PUBLISH:
            f = parse_flags(p.body[0])
            tid, mid = p.u16(1), p.u16(3)
            if f['id_type'] == SHORT:
                topic = p.body[1:3].decode()
            elif f['id_type'] == PREDEFINED:
                topic = self.predefined.get(tid)
            else:
                topic = self.topics.get(tid)
            self.messages.append(Delivery(topic, p.body[5:], f['qos'], f['retain'], f['dup'],
                                          mid, tid, f['id_type']))
            if self.auto_ack and f['qos'] == 1:
                self.send(PUBACK, struct.pack('>HHB', tid, mid, ACCEPTED))
            elif self.auto_ack and f['qos'] == 2:
                self.send(PUBREC, struct.pack('>H', mid))
            return True
        if p.type == PUBREL and self.auto_ack:
            self.send(PUBCOMP, p.body[:2])
            return True
        return False

    def pump(self, timeout):
        """Read what arrives within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            p = self._read(left)
            if p is None:
                return
            if not self._handle(p):
                self.inbox.append(p)

    def expect(self, mtype, timeout=DEFAULT_TIMEOUT, match=None):
        deadline = time.monotonic() + timeout
        while True:
            for p in list(self.inbox):
                if p.type == mtype and (match is None or match(p)):
                    self.inbox.remove(p)
                    return p
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('no message 0x%02x within %.1fs; inbox %r'
                                     % (mtype, timeout, list(self.inbox)))
            p = self._read(left)
            if p is not None and not self._handle(p):
                self.inbox.append(p)

    def expect_nothing(self, mtype, duration):
        self.pump(duration)
        got = [p for p in self.inbox if p.type == mtype]
        if got:
            raise AssertionError('unexpected 0x%02x: %r' % (mtype, got))

    def get(self, timeout=DEFAULT_TIMEOUT):
        deadline = time.monotonic() + timeout
        while not self.messages:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('no delivery within %.1fs; inbox %r' % (timeout,
                                                                              list(self.inbox)))
            p = self._read(left)
            if p is not None and not self._handle(p):
                self.inbox.append(p)
        return self.messages.popleft()

    def get_n(self, n, timeout=DEFAULT_TIMEOUT):
        deadline = time.monotonic() + timeout
        out = []
        while len(out) < n:
            out.append(self.get(max(deadline - time.monotonic(), 0.0001)))
        return out

    def mid(self):
        m = self.next_id
        self.next_id = self.next_id % 65535 + 1
        return m

    # ---------------------------------------------------------------- client messages
    def connect(self, client_id, clean=True, duration=60, will=None, expect_rc=ACCEPTED):
        """will: (topic, message, qos, retain) answered during the handshake."""
        self.client_id = client_id
        self.send(CONNECT, bytes([flags(will=will is not None, clean=clean), 1])
                  + struct.pack('>H', duration) + client_id.encode())
        if will is not None:
            self.expect(WILLTOPICREQ)
            topic, msg, qos, retain = will
            self.send(WILLTOPIC, bytes([flags(qos=qos, retain=retain)]) + topic.encode())
            self.expect(WILLMSGREQ)
            self.send(WILLMSG, msg)
        rc = self.expect(CONNACK).body[0]
        if expect_rc is not None and rc != expect_rc:
            raise AssertionError('CONNACK 0x%02x, expected 0x%02x' % (rc, expect_rc))
        return rc

    def register(self, topic, expect_rc=ACCEPTED):
        mid = self.mid()
        self.send(REGISTER, struct.pack('>HH', 0, mid) + topic.encode())
        p = self.expect(REGACK, match=lambda p: p.u16(2) == mid)
        tid, rc = p.u16(0), p.body[4]
        if expect_rc is not None and rc != expect_rc:
            raise AssertionError('REGACK 0x%02x, expected 0x%02x' % (rc, expect_rc))
        if rc == ACCEPTED:
            self.topics[tid] = topic
        return tid

    def publish(self, topic_id, payload, qos=0, id_type=NORMAL, retain=False, dup=False,
                msg_id=None, wait=True):
        """Returns the PUBACK return code for QoS 1 (and for refusals at QoS 0 when
        wait=True), PUBCOMP's 0 for QoS 2; None when nothing was waited for."""
        if isinstance(topic_id, str):
            topic_id = short_id(topic_id)
            id_type = SHORT
        mid = msg_id if msg_id is not None else (self.mid() if qos > 0 else 0)
        self.send(PUBLISH, bytes([flags(dup=dup, qos=qos, retain=retain, id_type=id_type)])
                  + struct.pack('>HH', topic_id, mid) + payload)
        if not wait or qos <= 0:
            return None
        if qos == 1:
            return self.expect(PUBACK, match=lambda p: p.u16(2) == mid).body[4]
        p = self.expect_any((PUBREC, PUBACK), mid)
        if p.type == PUBACK:
            return p.body[4]
        self.send(PUBREL, struct.pack('>H', mid))
        self.expect(PUBCOMP, match=lambda p: p.u16(0) == mid)
        return ACCEPTED

    def expect_any(self, types, mid, timeout=DEFAULT_TIMEOUT):
        def ok(p):
            off = 2 if p.type == PUBACK else 0
            return p.u16(off) == mid
        deadline = time.monotonic() + timeout
        while True:
            for p in list(self.inbox):
                if p.type in types and ok(p):
                    self.inbox.remove(p)
                    return p
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('no %r for %d; inbox %r' % (types, mid, list(self.inbox)))
            p = self._read(left)
            if p is not None and not self._handle(p):
                self.inbox.append(p)

    def subscribe(self, topic, qos=0, id_type=NORMAL):
        """Returns (return code, topic id, granted qos)."""
        mid = self.mid()
        if id_type == NORMAL:
            body = topic.encode()
        elif id_type == SHORT:
            body = struct.pack('>H', short_id(topic))
        else:
            body = struct.pack('>H', topic)
        self.send(SUBSCRIBE, bytes([flags(qos=qos, id_type=id_type)]) + struct.pack('>H', mid)
                  + body)
        p = self.expect(SUBACK, match=lambda p: p.u16(3) == mid)
        tid, rc = p.u16(1), p.body[5]
        if rc == ACCEPTED and id_type == NORMAL and tid != 0:
            self.topics[tid] = topic
        return rc, tid, parse_flags(p.body[0])['qos']

    def unsubscribe(self, topic, id_type=NORMAL):
        mid = self.mid()
        body = topic.encode() if id_type == NORMAL else struct.pack(
            '>H', short_id(topic) if id_type == SHORT else topic)
        self.send(UNSUBSCRIBE, bytes([flags(id_type=id_type)]) + struct.pack('>H', mid) + body)
        self.expect(UNSUBACK, match=lambda p: p.u16(0) == mid)

    def ping(self, client_id=b'', timeout=DEFAULT_TIMEOUT):
        self.send(PINGREQ, client_id)
        self.expect(PINGRESP, timeout=timeout)

    def disconnect(self, duration=None):
        self.send(DISCONNECT, b'' if duration is None else struct.pack('>H', duration))
        self.expect(DISCONNECT)

    def will_topic_update(self, topic, qos=0, retain=False):
        body = b'' if topic is None else bytes([flags(qos=qos, retain=retain)]) + topic.encode()
        self.send(WILLTOPICUPD, body)
        return self.expect(WILLTOPICRESP).body[0]

    def will_msg_update(self, msg):
        self.send(WILLMSGUPD, msg)
        return self.expect(WILLMSGRESP).body[0]

    def searchgw(self, radius=0):
        self.send(SEARCHGW, bytes([radius]))
        return self.expect(GWINFO).body[0]
