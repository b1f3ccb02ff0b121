"""37 MQTT-SN over limits.max_message_rate (issue 4 / issue 8 item 5): a QoS 1 or 2
PUBLISH from a client that owes tokens is answered at once with PUBACK return code 0x01
(rejected: congestion), as MQTT-SN 1.2 says for a gateway that cannot take it now; the
client retries later and then gets through. Nothing refused is routed; QoS 0 over the rate
gets the same PUBACK (scenario 78). Other clients are not affected."""
import time

from harness import edgegw_only, unique_id
from mqttsn_base import MqttSnTestCase
from mqttsn_client import ACCEPTED, CONGESTION

RATE = 0.5  # per second; the burst is one message, plus one paid into debt
BURST = 1


@edgegw_only('per-client rate limits')
class MqttSnRateRefusalTest(MqttSnTestCase):
    CONFIG = dict(MqttSnTestCase.CONFIG, **{'limits.max_message_rate': RATE})

    def flood_until_congestion(self, sn, tid, qos, topic):
        """Publishes quickly until one is refused; returns the payloads accepted."""
        accepted = []
        for i in range(BURST + 4):
            payload = b'%s-%d' % (topic.encode(), i)
            rc = sn.publish(tid, payload, qos=qos)
            if rc == CONGESTION:
                return accepted, payload
            self.assertEqual(rc, ACCEPTED)
            accepted.append(payload)
        self.fail('no PUBACK 0x01 after %d publishes at QoS %d' % (BURST + 4, qos))

    def retry_until_accepted(self, sn, tid, qos, payload):
        deadline = time.monotonic() + 10
        while True:
            rc = sn.publish(tid, payload, qos=qos)
            if rc == ACCEPTED:
                return
            self.assertEqual(rc, CONGESTION)
            self.assertLess(time.monotonic(), deadline, 'still refused after 10 s')
            time.sleep(0.2)  # the client's back-off before it retries

    def check(self, qos):
        topic = 'sn/rate/q%d' % qos
        sub = self.subscriber(topic, 2)
        sn = self.sn(unique_id('flood'))
        tid = sn.register(topic)
        accepted, refused = self.flood_until_congestion(sn, tid, qos, topic)
        self.assertEqual(len(accepted), BURST + 1)  # burst + one into debt
        # Another client publishes meanwhile without hindrance.
        other = self.sn(unique_id('calm'))
        self.assertEqual(other.publish(other.register('sn/rate/other'), b'x', qos=1), ACCEPTED)
        self.retry_until_accepted(sn, tid, qos, refused)
        got = [sub.get().payload for _ in range(len(accepted) + 1)]
        self.assertEqual(got, accepted + [refused])  # the refused one only once, when retried
        self.assertIsNone(sub.poll(0.3))

    def test_qos1_over_the_rate_gets_congestion(self):
        self.check(1)

    def test_qos2_over_the_rate_gets_congestion(self):
        self.check(2)
