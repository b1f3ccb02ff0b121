"""35 MQTT-SN volume: 1,000 QoS 1 messages each way between an MQTT-SN client and an MQTT
client, none lost, none duplicated, in order."""
from mqttsn_base import MqttSnTestCase
from mqttsn_client import ACCEPTED

N = 1000


class VolumeTest(MqttSnTestCase):

    def test_1000_qos1_sn_to_mqtt(self):
        sub = self.subscriber('vol/up', 1)
        c = self.sn()
        tid = c.register('vol/up')
        for i in range(N):
            self.assertEqual(c.publish(tid, b'%d' % i, qos=1), ACCEPTED)
        got = [m.payload for m in sub.get_n(N, timeout=30)]
        self.assertEqual(got, [b'%d' % i for i in range(N)])
        sub.assert_no_messages()

    def test_1000_qos1_mqtt_to_sn(self):
        c = self.sn()
        c.subscribe('vol/down', 1)
        p = self.client()
        for i in range(N):
            p.publish('vol/down', b'%d' % i, 1)
        got = [(d.payload, d.qos) for d in c.get_n(N, timeout=60)]
        self.assertEqual(got, [(b'%d' % i, 1) for i in range(N)])
        self.assertEqual(sum(1 for d in got), N)
