"""47 CoAP gateway, CON notifications of QoS 1 messages (SPEC section 6): a delivery counts
as done (acknowledged to the session, inflight_cnt back to 0) only once the client has
ACKed its CON notification; a client that never ACKs, or answers RST, loses its observer
and the delivery stays unacknowledged in the session. The gateway learns of the ACK through
a CoAP ping queued behind the notification (libcoap 4.3.1 reports no empty ACKs), which a
client answers with RST. Peers: RawCoap (45), coap-client, mosquitto_pub; the management
API shows the session's inflight count."""
import importlib
import time

import packets as pk
from clients import TIMEOUT, mosquitto_pub
from harness import edgegw_only

coapt = importlib.import_module('40_coap_pubsub')
rawt = importlib.import_module('45_coap_block1')
apit = importlib.import_module('60_api')
RawCoap, CON, ACK, RST, GET = rawt.RawCoap, rawt.CON, rawt.ACK, rawt.RST, rawt.GET
encode, OBSERVE = rawt.encode, rawt.OBSERVE


@edgegw_only('CoAP gateway')
class CoapConAckTest(coapt.CoapTestCase, apit.ApiTestCase):
    CONFIG = dict(coapt.COAP_CONFIG, **apit.API, **{'gateway.coap.ack_timeout': '1s',
                                                    'gateway.coap.max_retransmit': 2})

    def raw_observer(self, cid, path):
        raw = RawCoap(self.broker.port('coap', ''))
        self.addCleanup(raw.close)
        r = raw.request(GET, path, ['c=' + cid], options=[(OBSERVE, b'')], token=b'obs1')
        self.assertEqual(r[1], '2.05')
        return raw

    def client_info(self, cid):
        return self.get('/api/v5/clients/' + cid)

    def wait_client(self, cid, pred, what, timeout=None):
        deadline = time.monotonic() + (timeout or TIMEOUT)
        while True:
            info = self.client_info(cid)
            if pred(info):
                return info
            self.assertLess(time.monotonic(), deadline, '%s: %s' % (what, info))
            time.sleep(0.05)  # polling the API for a condition, bounded by the deadline

    def next_notification(self, raw, timeout=None):
        while True:
            m = raw.recv(timeout)
            self.assertIsNotNone(m, 'no notification')
            if m[1] == '2.05':
                return m

    def test_ack_then_ping_rst_confirms(self):
        raw = self.raw_observer('ack1', 'ps/ca/1')
        mosquitto_pub(self.port, 'ca/1', 'm1', qos=1)
        n = self.next_notification(raw)
        self.assertEqual((n[0], n[5]), (CON, b'm1'))
        # Not acknowledged yet: the delivery is in flight.
        self.assertEqual(self.client_info('ack1')['inflight_cnt'], 1)
        raw.send(encode(ACK, 0, n[2]))
        ping = raw.recv()
        self.assertEqual((ping[0], ping[1], ping[3]), (CON, '0.00', b''))
        self.assertEqual(self.client_info('ack1')['inflight_cnt'], 1)
        raw.send(encode(RST, 0, ping[2]))
        self.wait_client('ack1', lambda c: c['inflight_cnt'] == 0, 'delivery acknowledged')
        self.assertEqual(self.client_info('ack1')['subscriptions_cnt'], 1)

    def test_client_that_never_acks_loses_its_observer(self):
        raw = self.raw_observer('noack', 'ps/ca/2')
        mosquitto_pub(self.port, 'ca/2', 'm2', qos=1)
        n = self.next_notification(raw)
        self.assertEqual(n[0], CON)
        # Retransmissions (ack_timeout 1 s, max_retransmit 2), then the observer goes.
        info = self.wait_client('noack', lambda c: c['subscriptions_cnt'] == 0,
                                'observer removed', timeout=15)
        self.assertEqual(info['inflight_cnt'], 1)  # never acknowledged to the session

    def test_rst_to_the_notification(self):
        raw = self.raw_observer('rst1', 'ps/ca/3')
        mosquitto_pub(self.port, 'ca/3', 'm3', qos=1)
        n = self.next_notification(raw)
        raw.send(encode(RST, 0, n[2]))
        info = self.wait_client('rst1', lambda c: c['subscriptions_cnt'] == 0, 'observer removed')
        self.assertEqual(info['inflight_cnt'], 1)

    def test_ack_without_ping_answer_confirms_after_the_ping_times_out(self):
        """A client that ACKs notifications but ignores CoAP pings: the ping went out only
        after the ACK, so once its retransmissions are exhausted the delivery counts."""
        raw = self.raw_observer('noping', 'ps/ca/4')
        mosquitto_pub(self.port, 'ca/4', 'm4', qos=1)
        n = self.next_notification(raw)
        raw.send(encode(ACK, 0, n[2]))
        self.assertEqual(self.client_info('noping')['inflight_cnt'], 1)
        self.wait_client('noping', lambda c: c['inflight_cnt'] == 0, 'delivery acknowledged',
                         timeout=15)

    def test_coap_client_observer_confirms(self):
        """coap-client (libcoap) ACKs notifications and answers pings with RST."""
        o = self.observer('ps/ca/5', c='cc5')
        for i in range(3):
            mosquitto_pub(self.port, 'ca/5', 'n%d' % i, qos=1)
        self.assertEqual([p[3] for p in o.get_n(3)], ['n0', 'n1', 'n2'])
        self.wait_client('cc5', lambda c: c['inflight_cnt'] == 0, 'deliveries acknowledged')
