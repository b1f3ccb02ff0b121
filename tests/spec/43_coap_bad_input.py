"""43 CoAP gateway, bad input and limits (SPEC sections 6 and 11): garbage datagrams are
dropped without harm, oversized bodies get 4.13, observer and client limits 5.03, and the
gateway keeps serving everyone else. CoAP peer: coap-client (libcoap3-bin) and raw UDP."""
import importlib
import os
import socket
import time

from harness import HOST, edgegw_only, with_config

coapt = importlib.import_module('40_coap_pubsub')
coap, coap_code = coapt.coap, coapt.coap_code


@edgegw_only('CoAP gateway')
class CoapBadInputTest(coapt.CoapTestCase):

    def test_garbage_datagrams(self):
        """Random bytes, truncated headers, bad versions and bad options are dropped or
        answered with RST / 4.00; the gateway keeps serving."""
        port = self.broker.port('coap', '')
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(s.close)
        samples = [b'', b'\x40', b'\x40\x01', b'\x00' * 4, b'\xff' * 40,
                   b'\x48\x01\x12\x34' + b'\x01' * 3,           # token length past the end
                   b'\x40\x02\x12\x35\xbd\xff\x00',             # option delta 13 + bad ext
                   b'\x40\x02\x12\x36\xe0\xff\xff',             # option delta 14 overflow
                   b'\x40\x02\x12\x37\xb2ps\xff',               # payload marker, no payload
                   b'\x5f\x01\x12\x38' + b'\x00' * 15]          # 15-byte token (reserved)
        samples += [os.urandom(n) for n in (1, 3, 17, 100, 1200) for _ in range(10)]
        for data in samples:
            s.sendto(data, (HOST, port))
        self.assert_broker_alive()
        self.assertEqual(coap_code(self.uri('ps/alive'), 'post', 'x'), '2.04')
        self.assert_roundtrip()

    @with_config({'mqtt.max_packet_size': '2KB'})
    def test_body_larger_than_max_packet_size_gets_413(self):
        """A block-wise body above mqtt.max_packet_size: 4.13, nothing published."""
        sub = self.subscriber('big/#', 1)
        path = os.path.join(self.workdir, 'big.bin')
        with open(path, 'wb') as f:
            f.write(b'z' * 3000)
        self.assertEqual(coap_code(self.uri('ps/big/a'), 'post', None, ['-b', '256', '-f', path]),
                         '4.13')
        self.assertEqual(coap_code(self.uri('ps/big/b'), 'post', 'small'), '2.04')
        self.assertEqual(sub.get().payload, b'small')

    @with_config({'gateway.coap.max_observers_per_client': 1, 'gateway.coap.max_observers': 2})
    def test_observer_limits(self):
        """Observers beyond max_observers_per_client or max_observers get 5.03."""
        self.observer('ps/l/1', c='lim1')
        self.assertEqual(coap_code(self.uri('ps/l/2', c='lim1'), 'get', None, ['-s', '1']), '5.03')
        self.observer('ps/l/3', c='lim2')
        self.assertEqual(coap_code(self.uri('ps/l/4', c='lim3'), 'get', None, ['-s', '1']), '5.03')

    @with_config({'gateway.coap.max_connections': 2})
    def test_client_limit(self):
        """Clients beyond max_connections get 5.03; known clients are still served."""
        self.assertEqual(coap_code(self.uri('ps/c', c='one'), 'post', 'x'), '2.04')
        self.assertEqual(coap_code(self.uri('ps/c', c='two'), 'post', 'x'), '2.04')
        self.assertEqual(coap_code(self.uri('ps/c', c='three'), 'post', 'x'), '5.03')
        self.assertEqual(coap_code(self.uri('ps/c', c='one'), 'post', 'x'), '2.04')

    def test_delete_on_ps_is_method_not_allowed(self):
        """DELETE /ps/{topic}: 4.05 as EMQX answers (not libcoap's default 2.02); the retained
        message stays."""
        self.assertEqual(coap_code(self.uri('ps/del/t', r='true'), 'post', 'kept'), '2.04')
        self.assertEqual(coap_code(self.uri('ps/del/t'), 'delete'), '4.05')
        self.assertEqual(coap_code(self.uri('ps/del/t', c='d1'), 'delete'), '4.05')
        rc, out = coap(self.uri('ps/del/t'))
        self.assertEqual(out.strip(), b'kept')

    @with_config({'mqtt.max_topic_levels': 3})
    def test_long_topic_and_bad_utf8(self):
        """Topics the broker's limits refuse, and invalid UTF-8 in the path, get 4.00."""
        self.assertEqual(coap_code(self.uri('ps/%FF%FE'), 'post', 'x'), '4.00')
        self.assertEqual(coap_code(self.uri('ps/a/b/c/d'), 'post', 'x'), '4.00')


@edgegw_only('CoAP gateway')
class CoapConnRateTest(coapt.CoapTestCase):
    CONFIG = dict(coapt.COAP_CONFIG, **{'gateway.coap.max_conn_rate': 2})

    def test_max_conn_rate(self):
        """gateway.coap.max_conn_rate = 2: two new sessions a second, then 5.03 with Max-Age
        (connection mode and connectionless alike); known sessions are served; a second
        later new ones are accepted again."""
        sub = self.subscriber('rate/#', 1)
        self.assertEqual(coap_code(self.uri('ps/rate/a', c='r1'), 'post', 'one'), '2.04')
        self.assertEqual(coap_code(self.uri('mqtt/connection', clientid='r2'), 'post'), '2.01')
        rc, out = coap(self.uri('ps/rate/a', c='r3'), 'post', 'x', ['-v', '7'])
        text = out.decode(errors='replace')
        self.assertRegex(text, r'c:5\.03 .*Max-Age:1\b')
        self.assertEqual(coap_code(self.uri('mqtt/connection', clientid='r4'), 'post'), '5.03')
        self.assertEqual(coap_code(self.uri('ps/rate/a', c='r1'), 'post', 'known'), '2.04')
        self.assertEqual([sub.get().payload, sub.get().payload], [b'one', b'known'])
        deadline = time.monotonic() + 5
        while coap_code(self.uri('ps/rate/b', c='r5'), 'post', 'later') != '2.04':
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.2)  # polling for the bucket to refill, bounded by the deadline
        self.assertEqual(sub.get().payload, b'later')
