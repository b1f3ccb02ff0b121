"""36 MQTT-SN with an HTTP authentication hook (issue 8 item 3): CONNECT waits for the
hook's answer without holding up the gateway (authenticate_async), so a hook that is slow
still admits its client, a retransmitted CONNECT meanwhile is not a second session, other
clients are served meanwhile, and a hook that is down falls back to allow_anonymous. QoS -1
publishes from unconnected senders are dropped while their shared client is authenticated,
then published. auth.allow_anonymous = false everywhere, so a hook answer that was not
waited for (the synchronous cache-only path) would refuse."""
import struct
import time

from harness import edgegw_only, unique_id, with_config
from hook_server import Hook, closed_port_url
from mqttsn_base import MqttSnTestCase
from mqttsn_client import ACCEPTED, CONNACK, CONNECT, PREDEFINED, flags

HOOK = Hook()
SLOW = 1.5  # seconds the hook takes for client ids starting with "slow"


def decide(body):
    cid = body['clientid']
    if body['protocol'] == 'mqtt' or cid.startswith('ok') or cid == 'mqttsn-qos-1':
        return 0, {'result': 'allow'}
    if cid.startswith('slow'):
        return SLOW, {'result': 'allow'}
    return 0, {'result': 'deny'}


@edgegw_only('HTTP authentication hook')
class MqttSnAuthHookTest(MqttSnTestCase):
    CONFIG = dict(MqttSnTestCase.CONFIG, **{
        'auth.allow_anonymous': False, 'auth.http_url': HOOK.url,
        'auth.http_timeout': '5s', 'auth.http_cache_ttl': '0s'})

    def setUp(self):
        HOOK.decide = decide
        HOOK.clear()
        super().setUp()

    def test_allow_waits_for_the_hook(self):
        cid = unique_id('ok')
        self.sn(cid)
        self.assertEqual(HOOK.asked(clientid=cid, protocol='mqttsn'), 1)

    def test_deny(self):
        rc = self.sn(connect=False).connect(unique_id('bad'), expect_rc=None)
        self.assertEqual(rc, 0x03)  # MQTT-SN has no "not authorized": "not supported"

    def test_slow_hook_resent_connect_and_other_clients(self):
        cid = unique_id('slow')
        slow = self.sn(connect=False)
        connect = bytes([flags(clean=True), 1]) + struct.pack('>H', 60) + cid.encode()
        t0 = time.monotonic()
        slow.send(CONNECT, connect)
        HOOK.wait_asked(clientid=cid)
        # While the hook takes its time, another client is admitted at once.
        fast = self.sn(connect=False)
        t1 = time.monotonic()
        fast.connect(unique_id('ok'))
        self.assertLess(time.monotonic() - t1, SLOW * 0.6)
        slow.send(CONNECT, connect)  # the client's retry timer: ignored while pending
        self.assertEqual(slow.expect(CONNACK, timeout=SLOW + 5).body[0], ACCEPTED)
        self.assertGreaterEqual(time.monotonic() - t0, SLOW * 0.9)
        # Exactly one CONNACK: the resent CONNECT opened no second session.
        slow.expect_nothing(CONNACK, 0.5)
        self.assertEqual(HOOK.asked(clientid=cid), 1)
        # The admitted client works: an MQTT subscriber gets its publish.
        sub = self.subscriber('sn/hook/#', 1, username='m', password='m')
        self.assertEqual(slow.publish(slow.register('sn/hook/x'), b'hi', qos=1), ACCEPTED)
        self.assertEqual(sub.get().payload, b'hi')

    @with_config({'gateway.mqttsn.connect_timeout': '1s'})
    def test_client_gone_before_the_answer(self):
        # The CONNECT times out (1 s) before the hook answers (1.5 s): the late answer is
        # dropped, nothing is connected, and the next attempt works. ASan at exit would
        # report a leaked pending state.
        cid = unique_id('slow')
        c = self.sn(connect=False)
        c.send(CONNECT, bytes([flags(clean=True), 1]) + struct.pack('>H', 60) + cid.encode())
        HOOK.wait_answered(clientid=cid, timeout=SLOW + 5)
        c.expect_nothing(CONNACK, 0.5)
        ok = self.sn(connect=False)
        ok.connect(unique_id('ok'))

    def test_qos_minus_1_dropped_until_authenticated(self):
        sub = self.subscriber('pre/#', 0, username='m', password='m')
        c = self.sn(connect=False)
        c.publish(7, b'first', qos=-1, id_type=PREDEFINED)  # asks the hook, dropped
        HOOK.wait_asked(clientid='mqttsn-qos-1')
        deadline = time.monotonic() + 10
        i = 0
        while True:  # until the answer is in: then every QoS -1 publish goes through
            i += 1
            c.publish(7, b'n%d' % i, qos=-1, id_type=PREDEFINED)
            m = sub.poll(0.2)
            if m is not None:
                break
            self.assertLess(time.monotonic(), deadline, 'no QoS -1 publish got through')
        self.assertNotEqual(m.payload, b'first')
        c.publish(7, b'again', qos=-1, id_type=PREDEFINED)
        while m.payload != b'again':
            m = sub.get()
        self.assertEqual(HOOK.asked(clientid='mqttsn-qos-1'), 1)


@edgegw_only('HTTP authentication hook')
class MqttSnHookDownTest(MqttSnTestCase):
    CONFIG = dict(MqttSnTestCase.CONFIG, **{
        'auth.http_url': closed_port_url(), 'auth.http_timeout': '2s',
        'auth.http_cache_ttl': '0s'})

    @with_config({'auth.allow_anonymous': False})
    def test_down_hook_is_ignore_then_anonymous_refused(self):
        rc = self.sn(connect=False).connect(unique_id('any'), expect_rc=None)
        self.assertEqual(rc, 0x03)

    @with_config({'auth.allow_anonymous': True})
    def test_down_hook_is_ignore_then_anonymous_allowed(self):
        self.sn(unique_id('any'))
