"""45 CoAP gateway, block-wise uploads (RFC 7959 Block1, SPEC section 6): the gateway
reassembles Block1 bodies itself, with or without Size1, up to mqtt.max_packet_size (4.13
with Size1 = the limit beyond it), answers 4.08 to a missing or out-of-order block, repeats
its 2.31 for a repeated block, and keeps uploads apart by URI. Peers: coap-client
(libcoap3-bin) and a raw UDP socket speaking CoAP (RawCoap, also used by 46)."""
import importlib
import os
import random
import socket
import struct
import time

from clients import TIMEOUT
from harness import HOST, edgegw_only, with_config

coapt = importlib.import_module('40_coap_pubsub')
coap = coapt.coap

CON, NON, ACK, RST = 0, 1, 2, 3
GET, POST, PUT, DELETE = 1, 2, 3, 4
OBSERVE, URI_PATH, CONTENT_FORMAT, MAX_AGE, URI_QUERY, BLOCK1, SIZE1 = 6, 11, 12, 14, 15, 27, 60


def uint_opt(v):
    """A CoAP uint option value: shortest big-endian form (0 is empty)."""
    out = b''
    while v:
        out = bytes([v & 0xFF]) + out
        v >>= 8
    return out


def opt_uint(b):
    return int.from_bytes(b, 'big') if b else 0


def block_opt(num, more, szx):
    return uint_opt((num << 4) | (8 if more else 0) | szx)


def _ext(n):
    if n < 13:
        return n, b''
    if n < 269:
        return 13, bytes([n - 13])
    return 14, struct.pack('!H', n - 269)


def encode(mtype, code, mid, token=b'', options=(), payload=b''):
    """One CoAP message; options as (number, bytes) in any order."""
    out = bytes([0x40 | (mtype << 4) | len(token), code]) + struct.pack('!H', mid) + token
    last = 0
    for num, val in sorted(options, key=lambda o: o[0]):
        d, dx = _ext(num - last)
        ln, lx = _ext(len(val))
        out += bytes([(d << 4) | ln]) + dx + lx + val
        last = num
    if payload:
        out += b'\xff' + payload
    return out


def decode(data):
    """(type, code 'c.dd', mid, token, {number: [values]}, payload)."""
    tkl = data[0] & 0x0F
    mtype = (data[0] >> 4) & 3
    code = '%d.%02d' % (data[1] >> 5, data[1] & 0x1F)
    mid = struct.unpack('!H', data[2:4])[0]
    token = data[4:4 + tkl]
    i, num, opts = 4 + tkl, 0, {}
    while i < len(data) and data[i] != 0xFF:
        d, ln = data[i] >> 4, data[i] & 0x0F
        i += 1
        for which in ('d', 'l'):
            v = d if which == 'd' else ln
            if v == 13:
                v = data[i] + 13
                i += 1
            elif v == 14:
                v = struct.unpack('!H', data[i:i + 2])[0] + 269
                i += 2
            if which == 'd':
                d = v
            else:
                ln = v
        num += d
        opts.setdefault(num, []).append(data[i:i + ln])
        i += ln
    payload = data[i + 1:] if i < len(data) else b''
    return mtype, code, mid, token, opts, payload


def uri_options(path, query=()):
    opts = [(URI_PATH, seg.encode()) for seg in path.strip('/').split('/')]
    opts += [(URI_QUERY, q.encode()) for q in query]
    return opts


class RawCoap:
    """A CoAP endpoint on a plain UDP socket: requests, and whatever the gateway sends."""

    def __init__(self, port):
        self.addr = (HOST, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.mid = random.randrange(0x10000)

    def next_mid(self):
        self.mid = (self.mid + 1) & 0xFFFF
        return self.mid

    def send(self, data):
        self.sock.sendto(data, self.addr)

    def recv(self, timeout=None):
        """The next message from the gateway, decoded; None after `timeout`."""
        self.sock.settimeout(timeout if timeout is not None else TIMEOUT)
        try:
            data, _ = self.sock.recvfrom(65536)
        except socket.timeout:
            return None
        return decode(data)

    def request(self, code, path, query=(), payload=b'', options=(), token=None, mtype=CON):
        """Send a request, return its (piggybacked or separate) response; the separate one
        is acknowledged when CON. Empty ACKs are skipped."""
        token = token if token is not None else os.urandom(4)
        mid = self.next_mid()
        self.send(encode(mtype, code, mid, token, uri_options(path, query) + list(options),
                         payload))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            m = self.recv(deadline - time.monotonic())
            if m is None:
                break
            if m[3] != token:
                continue
            if m[0] == CON:
                self.send(encode(ACK, 0, m[2]))
            if m[1] != '0.00':
                return m
        raise AssertionError('no response to %s %s' % (code, path))

    def close(self):
        self.sock.close()


@edgegw_only('CoAP gateway')
class CoapBlock1Test(coapt.CoapTestCase):

    def raw(self):
        r = RawCoap(self.broker.port('coap', ''))
        self.addCleanup(r.close)
        return r

    def upload(self, raw, path, body, szx, query=(), size1=False):
        """Block1 upload in order; returns the responses."""
        size = 16 << szx
        blocks = [body[i:i + size] for i in range(0, len(body), size)] or [b'']
        out = []
        for n, chunk in enumerate(blocks):
            opts = [(BLOCK1, block_opt(n, n < len(blocks) - 1, szx))]
            if size1:
                opts.append((SIZE1, uint_opt(len(body))))
            out.append(raw.request(POST, path, query, chunk, opts))
        return out

    def test_coap_client_block_wise_post(self):
        """coap-client -b 64 -m post -f FILE: 2.04 and one MQTT message with the whole file."""
        body = os.urandom(3000)
        path = os.path.join(self.workdir, 'f.bin')
        with open(path, 'wb') as f:
            f.write(body)
        sub = self.subscriber('b1/cc', 1)
        rc, _ = coap(self.uri('ps/b1/cc', c='cc1'), 'post', None, ['-b', '64', '-f', path])
        self.assertEqual(rc, 0)
        self.assertEqual(sub.get().payload, body)
        sub.assert_no_messages()

    def test_raw_upload_without_size1(self):
        """16-byte blocks without Size1: 2.31 with Block1 (num, M) for each block, then 2.04
        with Block1 M=0; the message is the concatenation."""
        raw = self.raw()
        sub = self.subscriber('b1/raw', 1)
        body = bytes(range(256)) * 2 + b'tail'
        res = self.upload(raw, 'ps/b1/raw', body, 0, ['c=raw1'])
        for n, r in enumerate(res[:-1]):
            self.assertEqual(r[1], '2.31')
            self.assertEqual(opt_uint(r[4][BLOCK1][0]), (n << 4) | 8)
        self.assertEqual(res[-1][1], '2.04')
        self.assertEqual(opt_uint(res[-1][4][BLOCK1][0]) >> 4, len(res) - 1)
        self.assertEqual(sub.get().payload, body)

    def test_out_of_order_and_missing_blocks_get_408(self):
        """A block past a gap, or a continuation without block 0: 4.08, nothing published;
        the upload is dropped, so its next block is 4.08 too."""
        raw = self.raw()
        sub = self.subscriber('b1/ooo', 1)
        b = lambda n, m: [(BLOCK1, block_opt(n, m, 0))]
        self.assertEqual(raw.request(POST, 'ps/b1/ooo', (), b'a' * 16, b(0, True))[1], '2.31')
        self.assertEqual(raw.request(POST, 'ps/b1/ooo', (), b'c' * 16, b(2, True))[1], '4.08')
        self.assertEqual(raw.request(POST, 'ps/b1/ooo', (), b'b' * 16, b(1, False))[1], '4.08')
        self.assertEqual(raw.request(POST, 'ps/b1/new', (), b'x' * 16, b(3, False))[1], '4.08')
        # A repeated block (a lost 2.31) is answered again, appended once.
        self.assertEqual(raw.request(POST, 'ps/b1/ooo', (), b'a' * 16, b(0, True))[1], '2.31')
        self.assertEqual(raw.request(POST, 'ps/b1/ooo', (), b'b' * 16, b(1, True))[1], '2.31')
        self.assertEqual(raw.request(POST, 'ps/b1/ooo', (), b'b' * 16, b(1, True))[1], '2.31')
        self.assertEqual(raw.request(POST, 'ps/b1/ooo', (), b'c', b(2, False))[1], '2.04')
        self.assertEqual(sub.get().payload, b'a' * 16 + b'b' * 16 + b'c')
        sub.assert_no_messages()

    def test_uploads_to_two_uris_interleave(self):
        """Two uploads of one client to different topics at once stay apart."""
        raw = self.raw()
        sub = self.subscriber('b1/two/+', 1)
        b = lambda n, m: [(BLOCK1, block_opt(n, m, 0))]
        for n in range(3):
            last = n == 2
            for t in ('x', 'y'):
                r = raw.request(POST, 'ps/b1/two/' + t, (), (t * 16).encode(), b(n, not last))
                self.assertEqual(r[1], '2.04' if last else '2.31')
        got = {m.topic: m.payload for m in (sub.get(), sub.get())}
        self.assertEqual(got, {'b1/two/x': b'x' * 48, 'b1/two/y': b'y' * 48})

    @with_config({'mqtt.max_packet_size': '1KB'})
    def test_over_max_packet_size_is_413_with_size1(self):
        """Size1 above the limit is refused at block 0; without Size1 the block that crosses
        it. Both 4.13 with Size1 = mqtt.max_packet_size; nothing published."""
        raw = self.raw()
        sub = self.subscriber('b1/big', 1)
        r = raw.request(POST, 'ps/b1/big', (), b'z' * 64,
                        [(BLOCK1, block_opt(0, True, 2)), (SIZE1, uint_opt(5000))])
        self.assertEqual((r[1], opt_uint(r[4][SIZE1][0])), ('4.13', 1024))
        res = self.upload(raw, 'ps/b1/big', b'z' * 2000, 2)
        self.assertEqual([x[1] for x in res[:16]], ['2.31'] * 16)
        self.assertEqual((res[16][1], opt_uint(res[16][4][SIZE1][0])), ('4.13', 1024))
        sub.assert_no_messages()
        # Exactly the limit still goes through.
        res = self.upload(raw, 'ps/b1/big', b'k' * 1024, 2)
        self.assertEqual(res[-1][1], '2.04')
        self.assertEqual(sub.get().payload, b'k' * 1024)
