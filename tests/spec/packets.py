"""MQTT 3.1 / 3.1.1 / 5.0 wire encoding and decoding for the raw-socket scenarios.

The scenarios that check malformed input, exact reason codes, DUP flags, packet ids and
deliberately unacknowledged deliveries cannot use paho (it acks and validates for us), so
they speak the protocol byte by byte with these helpers. Encoders build exactly what they
are told (including invalid values); the decoder is strict enough to flag a broker that
sends a malformed packet.
"""
import struct

# Packet types.
CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP = 8, 9, 10, 11, 12, 13
DISCONNECT, AUTH = 14, 15

TYPE_NAMES = {1: 'CONNECT', 2: 'CONNACK', 3: 'PUBLISH', 4: 'PUBACK', 5: 'PUBREC',
              6: 'PUBREL', 7: 'PUBCOMP', 8: 'SUBSCRIBE', 9: 'SUBACK', 10: 'UNSUBSCRIBE',
              11: 'UNSUBACK', 12: 'PINGREQ', 13: 'PINGRESP', 14: 'DISCONNECT', 15: 'AUTH'}

# Protocol levels.
V31, V311, V5 = 3, 4, 5


class P:
    """MQTT 5 property identifiers."""
    PAYLOAD_FORMAT = 0x01
    MESSAGE_EXPIRY = 0x02
    CONTENT_TYPE = 0x03
    RESPONSE_TOPIC = 0x08
    CORRELATION_DATA = 0x09
    SUBSCRIPTION_ID = 0x0B
    SESSION_EXPIRY = 0x11
    ASSIGNED_CLIENT_ID = 0x12
    SERVER_KEEP_ALIVE = 0x13
    AUTH_METHOD = 0x15
    AUTH_DATA = 0x16
    REQUEST_PROBLEM_INFO = 0x17
    WILL_DELAY = 0x18
    REQUEST_RESPONSE_INFO = 0x19
    RESPONSE_INFO = 0x1A
    SERVER_REFERENCE = 0x1C
    REASON_STRING = 0x1F
    RECEIVE_MAXIMUM = 0x21
    TOPIC_ALIAS_MAXIMUM = 0x22
    TOPIC_ALIAS = 0x23
    MAXIMUM_QOS = 0x24
    RETAIN_AVAILABLE = 0x25
    USER_PROPERTY = 0x26
    MAXIMUM_PACKET_SIZE = 0x27
    WILDCARD_SUB_AVAILABLE = 0x28
    SUB_ID_AVAILABLE = 0x29
    SHARED_SUB_AVAILABLE = 0x2A


_BYTE, _U16, _U32, _VARINT, _STR, _BIN, _PAIR = range(7)
PROPERTY_TYPES = {
    0x01: _BYTE, 0x02: _U32, 0x03: _STR, 0x08: _STR, 0x09: _BIN, 0x0B: _VARINT,
    0x11: _U32, 0x12: _STR, 0x13: _U16, 0x15: _STR, 0x16: _BIN, 0x17: _BYTE, 0x18: _U32,
    0x19: _BYTE, 0x1A: _STR, 0x1C: _STR, 0x1F: _STR, 0x21: _U16, 0x22: _U16, 0x23: _U16,
    0x24: _BYTE, 0x25: _BYTE, 0x26: _PAIR, 0x27: _U32, 0x28: _BYTE, 0x29: _BYTE,
    0x2A: _BYTE,
}


class MalformedError(Exception):
    """The broker sent bytes that are not a valid MQTT packet."""


# ---------------------------------------------------------------------------- encoding

def varint(n):
    if n < 0 or n > 268435455:
        raise ValueError('variable byte integer out of range: %d' % n)
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def _b(s):
    return s.encode('utf-8') if isinstance(s, str) else bytes(s)


def string(s):
    """A length-prefixed UTF-8 string; bytes are sent as given (for invalid UTF-8 tests)."""
    data = _b(s)
    return struct.pack('!H', len(data)) + data


binary = string


def properties(props):
    """Encode a property list: an iterable of (id, value) pairs, duplicates allowed."""
    body = bytearray()
    for pid, value in props or ():
        body += varint(pid)
        kind = PROPERTY_TYPES[pid]
        if kind == _BYTE:
            body += struct.pack('!B', value)
        elif kind == _U16:
            body += struct.pack('!H', value)
        elif kind == _U32:
            body += struct.pack('!I', value)
        elif kind == _VARINT:
            body += varint(value)
        elif kind in (_STR, _BIN):
            body += string(value)
        else:
            body += string(value[0]) + string(value[1])
    return varint(len(body)) + bytes(body)


def packet(ptype, flags, body):
    return bytes([(ptype << 4) | flags]) + varint(len(body)) + bytes(body)


def connect(client_id='', proto=V311, clean=True, keepalive=60, username=None,
            password=None, will=None, props=None, flags_extra=0):
    """CONNECT. `will` is a dict: topic, payload, qos, retain, props (v5).

    `flags_extra` is or-ed into the connect flags (e.g. 0x01, the reserved bit)."""
    name = b'MQIsdp' if proto == V31 else b'MQTT'
    flags = flags_extra
    if clean:
        flags |= 0x02
    if will is not None:
        flags |= 0x04 | (will.get('qos', 0) << 3) | (0x20 if will.get('retain') else 0)
    if username is not None:
        flags |= 0x80
    if password is not None:
        flags |= 0x40
    body = string(name) + bytes([proto, flags]) + struct.pack('!H', keepalive)
    if proto == V5:
        body += properties(props)
    body += string(client_id)
    if will is not None:
        if proto == V5:
            body += properties(will.get('props'))
        body += string(will['topic']) + binary(will.get('payload', b''))
    if username is not None:
        body += string(username)
    if password is not None:
        body += binary(password)
    return packet(CONNECT, 0, body)


def publish(topic, payload=b'', qos=0, retain=False, dup=False, pid=None, proto=V311,
            props=None):
    flags = (qos << 1) | (0x01 if retain else 0) | (0x08 if dup else 0)
    body = string(topic)
    if qos > 0:
        body += struct.pack('!H', 1 if pid is None else pid)
    if proto == V5:
        body += properties(props)
    return packet(PUBLISH, flags, body + _b(payload))


def _ack(ptype, flags, pid, proto, rc, props):
    body = struct.pack('!H', pid)
    if proto == V5 and (rc or props):
        body += bytes([rc or 0])
        if props:
            body += properties(props)
    return packet(ptype, flags, body)


def puback(pid, proto=V311, rc=0, props=None):
    return _ack(PUBACK, 0, pid, proto, rc, props)


def pubrec(pid, proto=V311, rc=0, props=None):
    return _ack(PUBREC, 0, pid, proto, rc, props)


def pubrel(pid, proto=V311, rc=0, props=None):
    return _ack(PUBREL, 2, pid, proto, rc, props)


def pubcomp(pid, proto=V311, rc=0, props=None):
    return _ack(PUBCOMP, 0, pid, proto, rc, props)


def sub_options(qos=0, no_local=False, rap=False, retain_handling=0):
    return qos | (0x04 if no_local else 0) | (0x08 if rap else 0) | (retain_handling << 4)


def subscribe(pid, filters, proto=V311, props=None):
    """`filters`: list of (filter, options byte); options is the QoS for v3."""
    body = struct.pack('!H', pid)
    if proto == V5:
        body += properties(props)
    for topic, opts in filters:
        body += string(topic) + bytes([opts])
    return packet(SUBSCRIBE, 2, body)


def unsubscribe(pid, filters, proto=V311, props=None):
    body = struct.pack('!H', pid)
    if proto == V5:
        body += properties(props)
    for topic in filters:
        body += string(topic)
    return packet(UNSUBSCRIBE, 2, body)


def pingreq():
    return packet(PINGREQ, 0, b'')


def disconnect(proto=V311, rc=0, props=None):
    if proto == V5 and (rc or props):
        return packet(DISCONNECT, 0, bytes([rc]) + (properties(props) if props else b''))
    return packet(DISCONNECT, 0, b'')


# ---------------------------------------------------------------------------- decoding

class Props(list):
    """Decoded properties: a list of (id, value) keeping order and duplicates."""

    def get(self, pid, default=None):
        for k, v in self:
            if k == pid:
                return v
        return default

    def get_all(self, pid):
        return [v for k, v in self if k == pid]

    def __contains__(self, pid):
        return any(k == pid for k, _ in self)


class Packet:
    """One decoded packet. Fields present depend on the type (see `decode`)."""

    def __init__(self, ptype, flags, raw):
        self.type = ptype
        self.flags = flags
        self.raw = raw
        self.props = Props()
        self.rc = None
        self.pid = None

    @property
    def name(self):
        return TYPE_NAMES.get(self.type, 'TYPE%d' % self.type)

    def __repr__(self):
        fields = {k: v for k, v in vars(self).items() if k not in ('raw', 'flags', 'type')}
        return '<%s %r>' % (self.name, fields)


class _Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def left(self):
        return len(self.data) - self.pos

    def take(self, n):
        if self.left() < n:
            raise MalformedError('packet truncated')
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack('!H', self.take(2))[0]

    def u32(self):
        return struct.unpack('!I', self.take(4))[0]

    def varint(self):
        value, mult = 0, 1
        for _ in range(4):
            b = self.u8()
            value += (b & 0x7F) * mult
            if not b & 0x80:
                return value
            mult *= 128
        raise MalformedError('variable byte integer longer than 4 bytes')

    def binary(self):
        return self.take(self.u16())

    def string(self):
        try:
            return self.binary().decode('utf-8')
        except UnicodeDecodeError as exc:
            raise MalformedError('invalid UTF-8 string: %s' % exc) from exc

    def properties(self):
        end = self.varint()
        end += self.pos
        if end > len(self.data):
            raise MalformedError('property length beyond packet')
        props = Props()
        while self.pos < end:
            pid = self.varint()
            kind = PROPERTY_TYPES.get(pid)
            if kind is None:
                raise MalformedError('unknown property 0x%02x' % pid)
            if kind == _BYTE:
                value = self.u8()
            elif kind == _U16:
                value = self.u16()
            elif kind == _U32:
                value = self.u32()
            elif kind == _VARINT:
                value = self.varint()
            elif kind == _STR:
                value = self.string()
            elif kind == _BIN:
                value = self.binary()
            else:
                value = (self.string(), self.string())
            props.append((pid, value))
        if self.pos != end:
            raise MalformedError('property overruns its length')
        return props


def split(buf):
    """Split one packet off the front of `buf`: (ptype, flags, body, consumed) or None."""
    if len(buf) < 2:
        return None
    length, mult, i = 0, 1, 1
    while True:
        if i >= len(buf):
            return None
        if i > 4:
            raise MalformedError('remaining length longer than 4 bytes')
        b = buf[i]
        length += (b & 0x7F) * mult
        mult *= 128
        i += 1
        if not b & 0x80:
            break
    if len(buf) < i + length:
        return None
    return buf[0] >> 4, buf[0] & 0x0F, bytes(buf[i:i + length]), i + length


def decode(ptype, flags, body, proto):
    """Decode a packet the broker sent to a client of protocol level `proto`."""
    pkt = Packet(ptype, flags, body)
    r = _Reader(body)
    v5 = proto == V5
    if ptype == CONNACK:
        pkt.session_present = bool(r.u8() & 0x01)
        pkt.rc = r.u8()
        if v5 and r.left():
            pkt.props = r.properties()
    elif ptype == PUBLISH:
        pkt.qos = (flags >> 1) & 0x03
        pkt.dup = bool(flags & 0x08)
        pkt.retain = bool(flags & 0x01)
        if pkt.qos == 3:
            raise MalformedError('PUBLISH with QoS 3')
        pkt.topic = r.string()
        if pkt.qos:
            pkt.pid = r.u16()
        if v5:
            pkt.props = r.properties()
        pkt.payload = r.take(r.left())
    elif ptype in (PUBACK, PUBREC, PUBREL, PUBCOMP):
        pkt.pid = r.u16()
        pkt.rc = 0
        if v5 and r.left():
            pkt.rc = r.u8()
            if r.left():
                pkt.props = r.properties()
    elif ptype in (SUBACK, UNSUBACK):
        pkt.pid = r.u16()
        if v5:
            pkt.props = r.properties()
        pkt.codes = list(r.take(r.left()))
    elif ptype == DISCONNECT:
        pkt.rc = 0
        if v5 and r.left():
            pkt.rc = r.u8()
            if r.left():
                pkt.props = r.properties()
    elif ptype == AUTH:
        pkt.rc = r.u8() if r.left() else 0
        if r.left():
            pkt.props = r.properties()
    elif ptype == PINGRESP:
        pass
    else:
        raise MalformedError('a server does not send %s' % pkt.name)
    if r.left():
        raise MalformedError('%d trailing bytes in %s' % (r.left(), pkt.name))
    return pkt
