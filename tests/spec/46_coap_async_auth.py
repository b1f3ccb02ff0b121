"""46 CoAP gateway with an HTTP authentication hook (auth.http_url, SPEC sections 6 and 11):
the gateway asks the hook without blocking its thread; a request waiting for the hook gets
an empty ACK at once and its answer (2.04 / 2.01 / 4.01) later as a separate response.
Allow, deny, a slow hook (separate response, others served meanwhile, a block-wise upload
whose last block waits), and a hook that is down. Peers: coap-client and RawCoap (45)."""
import importlib
import threading
import time

from clients import TIMEOUT
from harness import HOST, edgegw_only, free_port, with_config

coapt = importlib.import_module('40_coap_pubsub')
rawt = importlib.import_module('45_coap_block1')
hookt = importlib.import_module('72_auth_hook')
coap_code = coapt.coap_code
RawCoap, CON, NON, ACK, POST = rawt.RawCoap, rawt.CON, rawt.NON, rawt.ACK, rawt.POST
encode, uri_options = rawt.encode, rawt.uri_options


def verdict(body):
    """Password "bad" is denied; everyone else (MQTT test clients too) allowed."""
    return {'result': 'deny' if body.get('password') == 'bad' else 'allow'}


def slow_allow(seconds):
    """The verdict after `seconds` for the CoAP device user "dev", at once for others."""
    def decide(body):
        if body.get('username') == 'dev':
            time.sleep(seconds)
        return verdict(body)
    return decide


@edgegw_only('CoAP gateway with edgegw auth keys')
class CoapHookTest(coapt.CoapTestCase):
    CONFIG = dict(coapt.COAP_CONFIG, **{'auth.http_url': hookt.hook().url,
                                        'auth.http_timeout': '5s',
                                        'auth.http_cache_ttl': '0s'})

    def setUp(self):
        hookt.hook().decide = verdict
        hookt.hook().requests.clear()
        super().setUp()

    def raw(self):
        r = RawCoap(self.broker.port('coap', ''))
        self.addCleanup(r.close)
        return r

    def test_allow_and_deny(self):
        """The hook's allow gives 2.04 / 2.01 and the message; deny gives 4.01."""
        sub = self.subscriber('hk/#', 1)
        self.assertEqual(coap_code(self.uri('ps/hk/a', c='h1', u='dev', p='good'), 'post', 'x'),
                         '2.04')
        self.assertEqual(sub.get().payload, b'x')
        path, body = hookt.hook().requests[-1]
        self.assertEqual((body['clientid'], body['protocol']), ('h1', 'coap'))
        self.assertEqual(coap_code(self.uri('ps/hk/a', c='h2', u='dev', p='bad'), 'post', 'y'),
                         '4.01')
        self.assertEqual(coap_code(self.uri('mqtt/connection', clientid='h3', username='dev',
                                            password='good'), 'post'), '2.01')
        self.assertEqual(coap_code(self.uri('mqtt/connection', clientid='h4', username='dev',
                                            password='bad'), 'post'), '4.01')
        sub.assert_no_messages()

    def test_slow_hook_gives_a_separate_response(self):
        """A CON request waiting for the hook: empty ACK first, then the 2.04 as a CON
        separate response with the request's token; others are served meanwhile."""
        hookt.hook().decide = slow_allow(1.0)
        sub = self.subscriber('hks/#', 1)
        raw = self.raw()
        token, mid = b'\x01\x02\x03\x04', raw.next_mid()
        t0 = time.monotonic()
        raw.send(encode(CON, POST, mid, token,
                        uri_options('ps/hks/a', ['c=slow1', 'u=dev', 'p=good']), b'late'))
        first = raw.recv()
        self.assertEqual((first[0], first[1], first[2]), (ACK, '0.00', mid))
        self.assertLess(time.monotonic() - t0, 0.9)
        # While it waits, another client (whom the hook answers at once) is served.
        t1 = time.monotonic()
        self.assertEqual(coap_code(self.uri('ps/hks/b', c='fast', u='quick', p='good'), 'post',
                                   'fast'), '2.04')
        self.assertLess(time.monotonic() - t1, 0.9)
        self.assertEqual(sub.get().payload, b'fast')
        second = raw.recv()
        self.assertEqual((second[0], second[1], second[3]), (CON, '2.04', token))
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)
        raw.send(encode(ACK, 0, second[2]))
        self.assertEqual(sub.get().payload, b'late')
        # A retransmission of the ACKed separate response would come after ack_timeout.
        self.assertIsNone(raw.recv(2.5))

    def test_slow_hook_denies_with_a_separate_401(self):
        hookt.hook().decide = slow_allow(0.5)
        raw = self.raw()
        r = raw.request(POST, 'ps/hks/d', ['c=slow2', 'u=dev', 'p=bad'], b'no')
        self.assertEqual((r[0], r[1]), (CON, '4.01'))

    def test_block_wise_upload_waiting_for_the_hook(self):
        """The last block of a Block1 upload waits for the hook; the whole body is
        published once it allows (the first blocks are only stored)."""
        hookt.hook().decide = slow_allow(0.5)
        sub = self.subscriber('hkb', 1)
        raw = self.raw()
        body = bytes(range(256)) + b'end'
        res = rawt.CoapBlock1Test.upload(None, raw, 'ps/hkb', body, 1,
                                         ['c=blk', 'u=dev', 'p=good'])
        self.assertEqual([r[1] for r in res[:-1]], ['2.31'] * (len(res) - 1))
        self.assertEqual((res[-1][0], res[-1][1]), (CON, '2.04'))
        self.assertEqual(sub.get().payload, body)

    def test_non_request_waiting_for_the_hook(self):
        """A NON request's answer comes as a NON separate response."""
        hookt.hook().decide = slow_allow(0.5)
        sub = self.subscriber('hkn', 0)
        raw = self.raw()
        token = b'\x09\x08'
        raw.send(encode(NON, POST, raw.next_mid(), token,
                        uri_options('ps/hkn', ['c=non1', 'u=dev', 'p=good']), b'n'))
        r = raw.recv()  # the answer, and nothing before it
        self.assertEqual((r[0], r[1], r[3]), (NON, '2.04', token))
        self.assertEqual(sub.get().payload, b'n')


@edgegw_only('CoAP gateway with edgegw auth keys')
class CoapHookDownTest(coapt.CoapTestCase):
    CONFIG = dict(coapt.COAP_CONFIG, **{
        'auth.http_url': 'http://127.0.0.1:%d/auth' % free_port(),
        'auth.http_timeout': '2s', 'auth.http_cache_ttl': '0s'})

    def test_hook_down_counts_as_ignore(self):
        """A hook nobody listens on: ignore. A username nobody else knows is 4.01;
        anonymous follows auth.allow_anonymous (true)."""
        self.assertEqual(coap_code(self.uri('ps/down', c='d1', u='dev', p='good'), 'post', 'x'),
                         '4.01')
        sub = self.subscriber('down', 1)
        self.assertEqual(coap_code(self.uri('ps/down', c='d2'), 'post', 'y'), '2.04')
        self.assertEqual(sub.get().payload, b'y')
