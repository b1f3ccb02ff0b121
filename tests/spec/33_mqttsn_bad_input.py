"""33 MQTT-SN bad input (SPEC section 11): malformed datagrams are dropped and counted,
never crash the gateway or disturb other clients; limits on registered topics."""
import os
import random

from harness import with_config
from mqttsn_base import MqttSnTestCase
from mqttsn_client import ACCEPTED, CONGESTION, SnClient, frame


class BadInputTest(MqttSnTestCase):

    @with_config({'node.sys_interval': '1s'})
    def test_garbage_is_dropped_and_counted(self):
        good = self.sn()
        tid = good.register('bad/ok')
        junk = SnClient(self.sn_port)
        self._clients.append(junk)
        rnd = random.Random(1234)  # fixed seed: the same datagrams every run
        sent = 0
        for n in range(300):
            size = rnd.choice((0, 1, 2, 3, 5, 7, 16, 64, 300, 1500))
            junk.send_raw(bytes(rnd.getrandbits(8) for _ in range(size)))
            sent += 1
        for data in (b'\x05\x0c\x00', b'\x01\x00\x09\x0c', b'\x02\xff', b'\x03\xfe\x00',
                     b'\x05\xfe\x00\x01\x02\x05\xfe\x00\x01\x02\x16', frame(0x0c, b'\x20'),
                     b'\x01\xff\xff' + os.urandom(60)):
            junk.send_raw(data)
            sent += 1
        # The gateway still serves its clients.
        sub = self.subscriber('bad/ok', 1)
        self.assertEqual(good.publish(tid, b'still here', qos=1), ACCEPTED)
        self.assertEqual(sub.get().payload, b'still here')
        sys_sub = self.subscriber('$SYS/brokers/test/gateway/mqttsn/packets/malformed', 0)
        # Most random datagrams do not parse (a few may, e.g. as messages from an unknown
        # client): at least the 7 crafted ones and most of the rest are counted.
        while True:
            if int(sys_sub.get(timeout=5).payload) >= 200:
                break

    @with_config({'gateway.mqttsn.max_registered_topics': 3})
    def test_registered_topic_limit(self):
        c = self.sn()
        for i in range(3):
            c.register('lim/%d' % i)
        c.register('lim/x', expect_rc=CONGESTION)
        self.assertEqual(c.subscribe('lim/y', 0)[0], CONGESTION)
        self.assertEqual(c.subscribe('lim/#', 0)[0], ACCEPTED)  # wildcards need no id

    @with_config({'mqtt.max_clientid_len': 23})
    def test_client_id_over_the_limit_refused(self):
        c = self.sn(connect=False)
        self.assertEqual(c.connect('y' * 24, expect_rc=None), 3)
        self.assertEqual(c.connect('y' * 23, expect_rc=None), ACCEPTED)
