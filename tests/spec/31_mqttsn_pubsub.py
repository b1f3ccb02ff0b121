"""31 MQTT-SN publish and subscribe against real MQTT clients, both directions (MQTT-SN 1.2
sections 6.5-6.10): REGISTER both ways, topic id types normal / predefined / short, QoS -1
without a connection, QoS 0/1/2, return codes, SUBSCRIBE by name (wildcards too), by
predefined id and by short name, UNSUBSCRIBE, retained messages and the $SYS counters."""
from harness import MosquittoSub, mosquitto_pub, with_config
from mqttsn_base import MqttSnTestCase
from mqttsn_client import (ACCEPTED, INVALID_TOPIC_ID, NOT_SUPPORTED, PREDEFINED, REGISTER,
                           SnClient)


class SnToMqttTest(MqttSnTestCase):

    def test_registered_topic_every_qos(self):
        sub = self.subscriber('sn/up', 2)
        c = self.sn()
        tid = c.register('sn/up')
        self.assertGreaterEqual(tid, 1025)  # ids from 1025, clear of predefined ones
        for qos in (0, 1, 2):
            self.assertIn(c.publish(tid, b'qos %d' % qos, qos=qos), (None, ACCEPTED))
            m = sub.get()
            self.assertEqual((m.topic, m.payload, m.qos), ('sn/up', b'qos %d' % qos, qos))

    def test_mosquitto_sub_receives(self):
        ms = MosquittoSub(self.port, 'sn/mosq', qos=1)
        self.addCleanup(ms.stop)
        ms.wait_subscribed()
        c = self.sn()
        c.publish(c.register('sn/mosq'), b'hi mosquitto', qos=1)
        self.assertEqual(ms.get()[:3], ('sn/mosq', b'hi mosquitto', 1))

    def test_predefined_and_short_topics(self):
        sub = self.subscriber('#', 1)
        c = self.sn()
        self.assertEqual(c.publish(7, b'p', qos=1, id_type=PREDEFINED), ACCEPTED)
        self.assertEqual(c.publish(1024, b'last', qos=1, id_type=PREDEFINED), ACCEPTED)
        self.assertEqual(c.publish('ab', b's', qos=1), ACCEPTED)
        got = [(m.topic, m.payload) for m in sub.get_n(3)]
        self.assertEqual(got, [('pre/seven', b'p'), ('pre/last', b'last'), ('ab', b's')])

    def test_qos_minus_1_without_connection(self):
        sub = self.subscriber('#', 0)
        c = self.sn(connect=False)
        c.publish(7, b'fire and forget', qos=-1, id_type=PREDEFINED)
        c.publish('zz', b'short too', qos=-1)
        got = [(m.topic, m.payload, m.qos) for m in sub.get_n(2)]
        self.assertEqual(got, [('pre/seven', b'fire and forget', 0), ('zz', b'short too', 0)])

    def test_retain_flag(self):
        c = self.sn()
        c.publish(c.register('sn/retained'), b'kept', qos=1, retain=True)
        sub = self.subscriber('sn/retained', 0)
        m = sub.get()
        self.assertEqual((m.payload, m.retain), (b'kept', True))

    def test_return_codes(self):
        c = self.sn()
        self.assertEqual(c.publish(4000, b'x', qos=1), INVALID_TOPIC_ID)
        self.assertEqual(c.publish(99, b'x', qos=1, id_type=PREDEFINED), INVALID_TOPIC_ID)
        self.assertEqual(c.publish(1, b'x', qos=1, id_type=3), NOT_SUPPORTED)
        self.assertEqual(c.register('a/+', expect_rc=None), 0)  # refused: id 0
        # Clients may not write $SYS: refused by the broker, "not supported" (already at
        # REGISTER, which names a topic to publish on).
        self.assertEqual(c.register('$SYS/fake', expect_rc=NOT_SUPPORTED), 0)

    def test_qos2_resend_is_routed_once(self):
        sub = self.subscriber('sn/q2', 2)
        c = self.sn()
        tid = c.register('sn/q2')
        c.publish(tid, b'once', qos=2, msg_id=500, wait=False)
        c.publish(tid, b'once', qos=2, msg_id=500, dup=True, wait=False)
        c.expect(0x0F)
        c.expect(0x0F)
        c.send(0x10, b'\x01\xf4')  # PUBREL 500
        c.expect(0x0E)
        self.assertEqual(sub.get().payload, b'once')
        sub.assert_no_messages()


class MqttToSnTest(MqttSnTestCase):

    def test_subscribe_by_name_every_qos(self):
        c = self.sn()
        rc, tid, granted = c.subscribe('down/exact', 2)
        self.assertEqual((rc, granted), (ACCEPTED, 2))
        self.assertGreaterEqual(tid, 1025)
        for qos in (0, 1, 2):
            mosquitto_pub(self.port, 'down/exact', 'q%d' % qos, qos=qos)
            d = c.get()
            self.assertEqual((d.topic, d.payload, d.qos, d.topic_id), ('down/exact',
                                                                       b'q%d' % qos, qos, tid))

    def test_wildcard_subscription_registers_each_topic_first(self):
        c = self.sn(auto_ack=True)
        rc, tid, _ = c.subscribe('down/+/temp', 1)
        self.assertEqual((rc, tid), (ACCEPTED, 0))
        p = self.client()
        p.publish('down/kitchen/temp', b'21', 1)
        p.publish('down/garage/temp', b'9', 1)
        p.publish('down/kitchen/temp', b'22', 1)
        got = [(d.topic, d.payload) for d in c.get_n(3)]
        self.assertEqual(got, [('down/kitchen/temp', b'21'), ('down/garage/temp', b'9'),
                               ('down/kitchen/temp', b'22')])
        self.assertEqual(sorted(c.topics.values()), ['down/garage/temp', 'down/kitchen/temp'])

    def test_subscribe_predefined_and_short(self):
        c = self.sn()
        self.assertEqual(c.subscribe(7, 1, id_type=PREDEFINED)[:2], (ACCEPTED, 7))
        self.assertEqual(c.subscribe('xy', 1, id_type=2)[0], ACCEPTED)
        self.assertEqual(c.subscribe(555, 1, id_type=PREDEFINED)[0], INVALID_TOPIC_ID)
        p = self.client()
        p.publish('pre/seven', b'pp', 1)
        p.publish('xy', b'ss', 1)
        d1, d2 = c.get_n(2)
        self.assertEqual((d1.topic, d1.id_type, d1.topic_id, d1.payload),
                         ('pre/seven', PREDEFINED, 7, b'pp'))
        self.assertEqual((d2.topic, d2.id_type, d2.payload), ('xy', 2, b'ss'))
        self.assertFalse([p for p in c.inbox if p.type == REGISTER])

    def test_unsubscribe(self):
        c = self.sn()
        c.subscribe('down/u', 0)
        c.subscribe('down/keep', 0)
        c.unsubscribe('down/u')
        mosquitto_pub(self.port, 'down/u', 'gone', qos=1)
        mosquitto_pub(self.port, 'down/keep', 'here', qos=1)
        self.assertEqual(c.get().payload, b'here')  # in order: nothing came before it

    def test_retained_on_subscribe(self):
        mosquitto_pub(self.port, 'down/ret', 'old news', qos=1, retain=True)
        c = self.sn()
        c.subscribe('down/ret', 1)
        d = c.get()
        self.assertEqual((d.payload, d.retain), (b'old news', True))

    def test_sn_to_sn(self):
        a = self.sn()
        b = self.sn()
        b.subscribe('peer/t', 1)
        a.publish(a.register('peer/t'), b'between sensors', qos=1)
        self.assertEqual(b.get().payload, b'between sensors')

    def test_client_that_lost_its_registration_gets_it_again(self):
        c = self.sn()
        rc, tid, _ = c.subscribe('down/re', 1)
        c.auto_ack = False
        mosquitto_pub(self.port, 'down/re', 'one', qos=1)
        d = c.get()
        c.send(0x0D, bytes([tid >> 8, tid & 0xFF, d.msg_id >> 8, d.msg_id & 0xFF,
                            INVALID_TOPIC_ID]))  # PUBACK: "I do not know this topic id"
        c.auto_ack = True
        d2 = c.get()  # REGISTER answered by the client, then the same message again
        self.assertEqual((d2.topic, d2.payload, d2.msg_id), ('down/re', b'one', d.msg_id))


class SysTest(MqttSnTestCase):

    @with_config({'node.sys_interval': '1s'})
    def test_gateway_counters_in_sys(self):
        c = self.sn()
        tid = c.register('count/me')
        for i in range(3):
            c.publish(tid, b'%d' % i, qos=1)
        SnClient(self.sn_port).send_raw(b'\x05\x0c\x00')  # malformed
        sub = self.subscriber('$SYS/brokers/test/gateway/mqttsn/#', 0)
        seen = {}
        while not (seen.get('messages/received', 0) >= 3 and seen.get('packets/malformed', 0)
                   >= 1 and 'clients/active' in seen):
            m = sub.get(timeout=5)
            seen[m.topic.split('/mqttsn/', 1)[1]] = int(m.payload)
        self.assertEqual(seen['clients/active'], 1)
