"""03 retained messages: storage, replacement, deletion, RETAIN flag on delivery, QoS,
wildcards, persistence across a restart, and retain_available=false (MQTT 3.1.1 section
3.3.1.3, MQTT 5 section 3.3.1.3)."""
import packets as pk
from harness import BrokerTestCase, MosquittoSub, mosquitto_pub, with_config


class RetainedTest(BrokerTestCase):

    def test_MQTT_3_3_1_5_stored_and_sent_to_new_subscribers(self):
        """[MQTT-3.3.1-5/6] a retained message is stored and sent to later subscribers,
        with RETAIN=1 [MQTT-3.3.1-8]."""
        for proto in (pk.V31, pk.V311, pk.V5):
            with self.subTest(proto=proto):
                topic = 'ret/new/%d' % proto
                self.client(proto=proto).publish(topic, b'kept', 1, retain=True)
                sub = self.subscriber(topic, 1, proto=proto)
                m = sub.get()
                self.assertEqual((m.topic, m.payload, m.retain, m.qos), (topic, b'kept', True, 1))
                sub.assert_no_messages()

    def test_MQTT_3_3_1_9_live_delivery_has_retain_0(self):
        """[MQTT-3.3.1-9] a retained message sent to an existing subscription has RETAIN=0."""
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                topic = 'ret/live/%d' % proto
                sub = self.subscriber(topic, 1, proto=proto)
                self.client().publish(topic, b'live', 1, retain=True)
                m = sub.get()
                self.assertEqual((m.payload, m.retain), (b'live', False))

    def test_MQTT_3_3_1_5_new_retained_replaces_old(self):
        """[MQTT-3.3.1-5] a new retained message replaces the one stored for the topic."""
        pub = self.client()
        pub.publish('ret/replace', b'old', 1, retain=True)
        pub.publish('ret/replace', b'new', 1, retain=True)
        sub = self.subscriber('ret/replace', 1)
        self.assertEqual(sub.get().payload, b'new')
        sub.assert_no_messages()

    def test_MQTT_3_3_1_10_empty_payload_deletes(self):
        """[MQTT-3.3.1-10/11] a zero-byte retained message deletes the stored one and is not
        stored itself; existing subscribers still receive it [MQTT-3.3.1-12]."""
        pub = self.client()
        pub.publish('ret/del', b'doomed', 1, retain=True)
        existing = self.subscriber('ret/del', 1)
        self.assertEqual(existing.get().payload, b'doomed')
        pub.publish('ret/del', b'', 1, retain=True)
        self.assertEqual(existing.get().payload, b'')
        later = self.subscriber('ret/del', 1)
        later.assert_no_messages()

    def test_MQTT_3_3_1_7_qos0_retained_replaces(self):
        """[MQTT-3.3.1-7] a QoS 0 retained message replaces the previous one and is kept."""
        pub = self.client()
        pub.publish('ret/q0', b'qos1', 1, retain=True)
        pub.publish('ret/q0', b'qos0', 0, retain=True)
        pub.publish('ret/q0/sync', b'', 1)  # the QoS 0 publish was processed before this
        sub = self.subscriber('ret/q0', 1)
        m = sub.get()
        self.assertEqual((m.payload, m.qos, m.retain), (b'qos0', 0, True))

    def test_wildcard_subscription_gets_every_retained(self):
        """A wildcard subscription receives every matching retained message, none other."""
        pub = self.client()
        for t in ('rw/1', 'rw/2', 'rw/3/x', 'rwx/no'):
            pub.publish(t, t.encode(), 1, retain=True)
        sub = self.subscriber('rw/#', 1)
        got = sub.get_n(3)
        self.assertEqual({m.topic for m in got}, {'rw/1', 'rw/2', 'rw/3/x'})
        self.assertTrue(all(m.retain for m in got))
        sub.assert_no_messages()

    def test_MQTT_3_8_4_6_retained_delivered_at_min_qos(self):
        """[MQTT-3.8.4-6] retained messages are delivered at min(stored QoS, granted QoS)."""
        self.client().publish('ret/qos', b'q2', 2, retain=True)
        for s in (0, 1, 2):
            with self.subTest(sub_qos=s):
                self.assertEqual(self.subscriber('ret/qos', s).get().qos, s)

    def test_mosquitto_clients_retained(self):
        """mosquitto_pub -r stores, mosquitto_sub sees it flagged retained."""
        mosquitto_pub(self.port, 'ret/cli', 'from cli', qos=1, retain=True)
        sub = MosquittoSub(self.port, 'ret/cli', qos=1, extra=['-C', '1'])
        try:
            self.assertEqual(sub.get(), ('ret/cli', b'from cli', 1, True))
        finally:
            sub.stop()

    @with_config({'persistence.enable': True})
    def test_retained_survive_restart(self):
        """Retained messages are flushed on SIGTERM and loaded again (SPEC section 1)."""
        pub = self.client()
        pub.publish('ret/durable/a', b'A', 1, retain=True)
        pub.publish('ret/durable/b', b'B' * 5000, 0, retain=True)
        pub.publish('ret/durable/gone', b'x', 1, retain=True)
        pub.publish('ret/durable/gone', b'', 1, retain=True)
        pub.disconnect()
        self.broker.restart()
        sub = self.subscriber('ret/durable/#', 1)
        got = {m.topic: m.payload for m in sub.get_n(2)}
        self.assertEqual(got, {'ret/durable/a': b'A', 'ret/durable/b': b'B' * 5000})
        sub.assert_no_messages()

    @with_config({'mqtt.retain_available': False})
    def test_v5_retain_not_supported(self):
        """retain_available=false: v5 CONNACK says so, and a retained PUBLISH gets
        DISCONNECT 0x9A (Retain not supported) [MQTT-3.2.2-14]."""
        r = self.raw(pk.V5, connect=False)
        self.assertEqual(r.connect().props.get(pk.P.RETAIN_AVAILABLE), 0)
        r.send(pk.publish('ret/none', b'x', 1, retain=True, pid=1, proto=pk.V5))
        self.assert_closed(r, pk.DISCONNECT, 0x9A)
        sub = self.subscriber('ret/none', 1)
        sub.assert_no_messages()
