"""83 LwM2M gateway, bad input (SPEC sections 7 and 11): malformed dn commands get an error
response on up/resp with a reason; a device that answers with a malformed payload, with
RST, or not at all gives a 4.00 with the reason, coap_reset, coap_timeout; malformed
registrations and random datagrams are refused without harm. The misbehaving device here
is a raw UDP socket speaking hand-made CoAP, so it can do what libcoap would not."""
import importlib
import json
import os
import socket
import struct

from clients import TIMEOUT, unique_id
from harness import HOST, edgegw_only, with_config

base = importlib.import_module('80_lwm2m_register')

ACK, CON, NON, RST = 2, 0, 1, 3


def encode(mtype, code, mid, token=b'', options=(), payload=b''):
    """A CoAP message; options as (number, bytes) in any order."""
    out = bytes([0x40 | (mtype << 4) | len(token), code]) + struct.pack('!H', mid) + token
    last = 0
    for num, val in sorted(options, key=lambda o: o[0]):
        delta, length = num - last, len(val)
        last = num

        def nib(v):
            return (v, b'') if v < 13 else (13, bytes([v - 13])) if v < 269 else \
                (14, struct.pack('!H', v - 269))
        d, dx = nib(delta)
        ln, lx = nib(length)
        out += bytes([(d << 4) | ln]) + dx + lx + val
    if payload:
        out += b'\xff' + payload
    return out


def decode(data):
    """(type, code, mid, token, {number: [values]}, payload)."""
    mtype, tkl = (data[0] >> 4) & 3, data[0] & 15
    code, mid = data[1], struct.unpack('!H', data[2:4])[0]
    token, pos, num, opts = data[4:4 + tkl], 4 + tkl, 0, {}
    while pos < len(data) and data[pos] != 0xff:
        d, ln = data[pos] >> 4, data[pos] & 15
        pos += 1
        for which in ('d', 'l'):
            v = d if which == 'd' else ln
            if v == 13:
                v, pos = data[pos] + 13, pos + 1
            elif v == 14:
                v, pos = struct.unpack('!H', data[pos:pos + 2])[0] + 269, pos + 2
            if which == 'd':
                d = v
            else:
                ln = v
        num += d
        opts.setdefault(num, []).append(data[pos:pos + ln])
        pos += ln
    payload = data[pos + 1:] if pos < len(data) else b''
    return mtype, code, mid, token, opts, payload


class RawDevice:
    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((HOST, 0))
        self.sock.settimeout(TIMEOUT)
        self.server = (HOST, port)
        self.mid = 100

    def request(self, code, path, query=(), payload=b'', cf=None):
        self.mid += 1
        opts = [(11, p.encode()) for p in path] + [(15, q.encode()) for q in query]
        if cf is not None:
            opts.append((12, bytes([cf])))
        self.sock.sendto(encode(CON, code, self.mid, os.urandom(4), opts, payload), self.server)
        return self.recv()

    def recv(self):
        data, _ = self.sock.recvfrom(4096)
        return decode(data)

    def register(self, ep):
        mtype, code, _, _, opts, _ = self.request(
            2, ['rd'], ['ep=' + ep, 'lt=300', 'lwm2m=1.0', 'b=U'], b'</3/0>,</3303/0>', 40)
        assert code == 0x41, 'register answered %x' % code
        return [v.decode() for v in opts.get(8, [])]

    def close(self):
        self.sock.close()


@edgegw_only('LwM2M gateway')
class Lwm2mBadInputTest(base.Lwm2mTestCase):

    def raw_device(self):
        ep = 'raw-' + unique_id()
        app = self.app(ep)
        dev = RawDevice(self.lwm2m_port())
        self._clients.append(dev)
        dev.register(ep)
        self.next_json(app, 'register')
        return ep, dev, app

    def test_malformed_commands_answered_with_errors(self):
        """Not JSON, an unknown msgType, a bad path, a write without value: each gets a
        4.00 bad_request on up/resp with a reason (echoing reqID when there is one); the
        device receives nothing; good commands still work."""
        ep, sim = self.device()
        app = self.app(ep)
        cases = [b'not json at all', b'[1, 2]',
                 b'{"reqID": 31, "msgType": "frobnicate", "data": {"path": "/3/0/0"}}',
                 b'{"reqID": 32, "msgType": "read", "data": {"path": "/3/x/0"}}',
                 b'{"reqID": 33, "msgType": "write", "data": {"path": "/3/0/14"}}',
                 b'{"reqID": 34, "msgType": "read"}']
        for payload in cases:
            app.publish('lwm2m/%s/dn' % ep, payload, 1)
            topic, body = self.next_json(app)
            self.assertEqual(topic, 'lwm2m/%s/up/resp' % ep)
            self.assertEqual(body['data']['code'], '4.00', body)
            self.assertEqual(body['data']['codeMsg'], 'bad_request')
            self.assertTrue(body['data'].get('reason'), body)
            if payload.startswith(b'{"reqID"'):
                self.assertEqual(body['reqID'], json.loads(payload)['reqID'])
        self.assertFalse([l for l in sim.drain() if l.startswith('REQ')])
        resp = self.command(app, ep, {'reqID': 35, 'msgType': 'read',
                                      'data': {'path': '/3/0/0'}})
        self.assertEqual(resp['data']['code'], '2.05')

    def test_malformed_tlv_from_device(self):
        """A device answering a read with broken TLV: 4.00 with the decoder's reason."""
        ep, dev, app = self.raw_device()
        app.publish('lwm2m/%s/dn' % ep,
                    b'{"reqID": 41, "msgType": "read", "data": {"path": "/3/0"}}', 1)
        mtype, code, mid, token, opts, _ = dev.recv()
        self.assertEqual((mtype, code), (CON, 1))
        self.assertEqual([v.decode() for v in opts[11]], ['3', '0'])
        tlv = struct.pack('!H', 11542)
        dev.sock.sendto(encode(ACK, 0x45, mid, token, [(12, tlv)], b'\xc8\x00\x14abc'),
                        dev.server)
        _, body = self.next_json(app, 'read')
        self.assertEqual(body['reqID'], 41)
        self.assertEqual(body['data']['code'], '4.00')
        self.assertTrue(body['data'].get('reason'))

    def test_reset_gives_coap_reset(self):
        """A device answering a command with RST: coap_reset on up/resp."""
        ep, dev, app = self.raw_device()
        app.publish('lwm2m/%s/dn' % ep,
                    b'{"reqID": 42, "msgType": "read", "data": {"path": "/3/0/0"}}', 1)
        _, _, mid, _, _, _ = dev.recv()
        dev.sock.sendto(encode(RST, 0, mid), dev.server)
        _, body = self.next_json(app, 'coap_reset')
        self.assertEqual(body['reqID'], 42)
        self.assertEqual(body['msgType'], 'coap_reset')

    @with_config({'gateway.lwm2m.ack_timeout': '1s', 'gateway.lwm2m.max_retransmit': '1'})
    def test_silent_device_gives_coap_timeout(self):
        """A device that never answers (the CON is retransmitted, then given up):
        coap_timeout on up/resp; the next command is sent after it."""
        ep, dev, app = self.raw_device()
        app.publish('lwm2m/%s/dn' % ep,
                    b'{"reqID": 43, "msgType": "read", "data": {"path": "/3/0/0"}}', 1)
        first = dev.recv()
        again = dev.recv()  # the retransmission, same message id
        self.assertEqual(first[2], again[2])
        _, body = self.next_json(app, 'coap_timeout', timeout=15)
        self.assertEqual(body['reqID'], 43)
        app.publish('lwm2m/%s/dn' % ep,
                    b'{"reqID": 44, "msgType": "read", "data": {"path": "/3/0/1"}}', 1)
        _, _, mid, token, opts, _ = dev.recv()
        while [v.decode() for v in opts.get(11, [])] != ['3', '0', '1']:
            _, _, mid, token, opts, _ = dev.recv()  # late retransmissions of the first
        dev.sock.sendto(encode(ACK, 0x45, mid, token, [(12, b'')], b'x'), dev.server)
        _, body = self.next_json(app, 'read')
        self.assertEqual((body['reqID'], body['data']['code']), (44, '2.05'))

    def test_bad_registrations(self):
        """Register without ep, with a non-numeric lt, with a malformed object list, an
        update or delete of an unknown location: 4.00 / 4.04; nothing is published."""
        app = self.subscriber('lwm2m/#', 1)
        dev = RawDevice(self.lwm2m_port())
        self._clients.append(dev)
        for query, payload in ((['lt=300', 'lwm2m=1.0'], b'</3/0>'),
                               (['ep=x', 'lt=abc', 'lwm2m=1.0'], b'</3/0>'),
                               (['ep=x', 'lt=30', 'lwm2m=1.0'], b'</3/0,,<<')):
            code = dev.request(2, ['rd'], query, payload, 40)[1]
            self.assertEqual(code, 0x80, (query, payload, hex(code)))
        self.assertEqual(dev.request(2, ['rd', 'nope'])[1], 0x84)
        self.assertEqual(dev.request(4, ['rd', 'nope'])[1], 0x84)
        self.assertIsNone(app.poll(0.3))

    def test_random_datagrams(self):
        """Garbage datagrams to the LwM2M port harm nothing: devices still register."""
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(s.close)
        for i in range(200):
            s.sendto(os.urandom(1 + i % 60), (HOST, self.lwm2m_port()))
        ep, dev, app = self.raw_device()
        self.assertTrue(ep)


if __name__ == '__main__':
    import unittest
    unittest.main()
