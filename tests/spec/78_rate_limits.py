"""78 per-client rate limits (issue 8 item 5): limits.max_message_rate and
limits.max_byte_rate. A flooding MQTT publisher is throttled (its socket is not read while
it owes tokens), so what it gets through over any time T is bounded by burst + rate x T,
while another client's round trip completes promptly; MQTT-SN and CoAP publishes over the
rate are refused with their congestion codes (PUBACK 0x01, 5.03 with Max-Age)."""
# ctest-timeout: 240
import re
import threading
import time

import paho.mqtt.client as paho

import packets as pk
from clients import TIMEOUT
from harness import HOST, BrokerTestCase, edgegw_only, unique_id, with_config
from mqttsn_base import MqttSnTestCase
from mqttsn_client import ACCEPTED, CONGESTION, PUBACK

RATE = 50   # messages per second; the burst is one second's worth
FLOOD = 200


class Stamped:
    """A paho subscriber that records when each message arrived (monotonic clock)."""

    def __init__(self, port, topic):
        self.times, self.cond = [], threading.Condition()
        self.c = paho.Client(client_id=unique_id('stamp'))
        self.c.on_message = self._on_message
        subscribed = threading.Event()
        self.c.on_subscribe = lambda *a: subscribed.set()
        self.c.connect(HOST, port, 60)
        self.c.loop_start()
        self.c.subscribe(topic, 0)
        if not subscribed.wait(TIMEOUT):
            raise AssertionError('no SUBACK')

    def _on_message(self, c, u, m):
        with self.cond:
            self.times.append(time.monotonic())
            self.cond.notify_all()

    def wait_count(self, n, timeout):
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.times) >= n, timeout):
                raise AssertionError('got %d of %d messages' % (len(self.times), n))
            return list(self.times)

    def close(self):
        self.c.loop_stop()
        self.c.disconnect()


@edgegw_only('per-client rate limits')
class MqttRateTest(BrokerTestCase):
    CONFIG = {'limits.max_message_rate': RATE}

    def test_flooder_is_throttled_and_others_are_not(self):
        sub = Stamped(self.port, 'flood/#')
        self.addCleanup(sub.close)
        flooder = self.raw()
        start = time.monotonic()
        # All of it in one write: the broker has it in its buffer and must choose to wait.
        flooder.send(b''.join(pk.publish('flood/%d' % i, b'x' * 10) for i in range(FLOOD)))

        # Meanwhile another client publishes and receives its own message at once.
        other = self.client()
        topic = 'other/' + unique_id()
        other.subscribe(topic, 1)
        t0 = time.monotonic()
        other.publish(topic, b'ping', 1)
        self.assertEqual(other.get().payload, b'ping')
        other_rtt = time.monotonic() - t0

        times = sub.wait_count(FLOOD, timeout=FLOOD / RATE * 4 + 20)
        # Upper bound at every point: burst + rate x T (+1 paid into debt, +1 slack).
        worst = max(i + 1 - (RATE + RATE * (t - start) + 2) for i, t in enumerate(times))
        self.assertLessEqual(worst, 0, 'more got through than the rate allows')
        # Lower bound on the whole: the last needed (FLOOD - burst - 1) / rate seconds.
        took = times[-1] - start
        self.assertGreaterEqual(took, (FLOOD - RATE - 1) / RATE * 0.98)
        self.assertLess(other_rtt, (FLOOD - RATE) / RATE / 2,
                        'the other client waited for the flooder')
        # The flooder was paused, not dropped: it is still connected and served.
        flooder.ping()

    @with_config({'limits.max_message_rate': 0, 'limits.max_byte_rate': 2000})
    def test_byte_rate_throttles_big_messages(self):
        sub = Stamped(self.port, 'bytes/#')
        self.addCleanup(sub.close)
        flooder = self.raw()
        start = time.monotonic()
        n, size = 10, 990  # ~1000 bytes each with the topic: 10 KB at 2 KB/s
        flooder.send(b''.join(pk.publish('bytes/%d' % i, b'y' * size) for i in range(n)))
        times = sub.wait_count(n, timeout=30)
        per = size + len('bytes/0')
        for i, t in enumerate(times):
            self.assertLessEqual((i + 1) * per, 2000 + 2000 * (t - start) + 2 * per, i)
        self.assertGreaterEqual(times[-1] - start, (n * per - 2000 - per) / 2000 * 0.98)


@edgegw_only('per-client rate limits')
class MqttSnRateTest(MqttSnTestCase):
    CONFIG = dict(MqttSnTestCase.CONFIG, **{'limits.max_message_rate': 0.2})

    def test_excess_qos0_publishes_get_congestion(self):
        sn = self.sn()
        tid = sn.register('sn/rate')
        codes = []
        for i in range(3):
            sn.publish(tid, b'%d' % i, qos=0)
        # Burst 1 plus the one paid into debt pass; the third is refused with PUBACK 0x01.
        p = sn.expect(PUBACK)
        codes.append(p.body[4])
        self.assertEqual(codes, [CONGESTION])
        # Another MQTT-SN client is not affected.
        other = self.sn()
        self.assertEqual(other.publish(other.register('sn/other'), b'ok', qos=1), ACCEPTED)


COAP_CLIENT = None


@edgegw_only('per-client rate limits')
class CoapRateTest(BrokerTestCase):
    CONFIG = {'gateway.coap.enable': True, 'gateway.coap.bind': '127.0.0.1:0',
              'gateway.coap.dtls_bind': '127.0.0.1:0', 'limits.max_message_rate': 0.2}

    def test_excess_publish_gets_503_with_max_age(self):
        import shutil
        import subprocess
        client = next((c for c in ('coap-client', 'coap-client-openssl', 'coap-client-gnutls')
                       if shutil.which(c)), 'coap-client')
        uri = 'coap://127.0.0.1:%d/ps/coap/rate?clientid=%s' % (
            self.broker.port('coap', ''), unique_id('co'))
        outs = []
        for i in range(3):
            res = subprocess.run([client, '-m', 'post', '-B', '10', '-v', '7', '-e', str(i), uri],
                                 capture_output=True, timeout=20)
            outs.append(res.stdout.decode(errors='replace'))
        pdu = re.compile(r"t:(?:ACK|CON|NON) c:(\d\.\d\d) .*?\[ ?(.*?) ?\]")
        codes = []
        for text in outs:
            got = [m for m in map(pdu.search, text.splitlines()) if m and m.group(1) != '0.00']
            codes.append((got[-1].group(1), got[-1].group(2)) if got else (None, ''))
        self.assertEqual([c for c, _ in codes], ['2.04', '2.04', '5.03'], outs)
        self.assertRegex(codes[2][1], r'(?i)max-age:1\b')
