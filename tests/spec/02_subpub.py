"""02 subscribe/publish: QoS 0/1/2 in both directions, overlapping subscriptions, + and #
matching, $-topics, unsubscribe, ordering, and the real mosquitto_pub/mosquitto_sub
clients (MQTT 3.1.1 sections 3.3-3.11, 4.3, 4.6, 4.7)."""
import packets as pk
from harness import (IS_EDGEGW, BrokerTestCase, MosquittoSub, mosquitto_pub, unique_id,
                     with_config)


class SubPubTest(BrokerTestCase):

    def test_MQTT_3_8_4_6_delivered_qos_is_minimum(self):
        """[MQTT-3.8.4-6] a message is delivered at min(publish QoS, granted QoS), for
        every pair of QoS 0/1/2, in 3.1.1 and 5."""
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                topic = 'qos/%s' % unique_id()
                subs = {s: self.client(proto=proto) for s in (0, 1, 2)}
                for s, c in subs.items():
                    self.assertEqual(c.subscribe(topic, s), [s])
                pub = self.client(proto=proto)
                for q in (0, 1, 2):
                    pub.publish(topic, b'q%d' % q, q)
                for s, c in subs.items():
                    got = {m.payload: m.qos for m in c.get_n(3)}
                    self.assertEqual(got, {b'q%d' % q: min(q, s) for q in (0, 1, 2)})
                    c.assert_no_messages()

    def test_MQTT_4_3_2_qos1_puback_carries_packet_id(self):
        """[MQTT-4.3.2-1] QoS 1: PUBACK carries the PUBLISH's packet id."""
        r = self.raw()
        r.send(pk.publish('q1/pid', b'x', 1, pid=4242))
        self.assertEqual(r.expect(pk.PUBACK).pid, 4242)

    def test_MQTT_4_3_3_qos2_inbound_exactly_once(self):
        """[MQTT-4.3.3-2] QoS 2 from a client: a re-sent PUBLISH (DUP) before PUBREL is
        acknowledged again but delivered onward only once; PUBREL gets PUBCOMP."""
        sub = self.subscriber('q2/in', 2)
        r = self.raw()
        r.send(pk.publish('q2/in', b'once', 2, pid=7))
        self.assertEqual(r.expect(pk.PUBREC).pid, 7)
        r.send(pk.publish('q2/in', b'once', 2, pid=7, dup=True))
        self.assertEqual(r.expect(pk.PUBREC).pid, 7)
        r.send(pk.pubrel(7))
        self.assertEqual(r.expect(pk.PUBCOMP).pid, 7)
        self.assertEqual(sub.get().payload, b'once')
        sub.assert_no_messages()

    def test_MQTT_4_3_3_qos2_outbound_handshake(self):
        """[MQTT-4.3.3-1] QoS 2 to a client: PUBLISH, PUBREC -> PUBREL, PUBCOMP; once."""
        r = self.raw()
        r.subscribe([('q2/out', 2)])
        pub = self.client()
        pub.publish('q2/out', b'exactly once', 2)
        msg = r.expect(pk.PUBLISH)
        self.assertEqual((msg.qos, msg.dup, msg.payload), (2, False, b'exactly once'))
        self.assertTrue(msg.pid)
        r.send(pk.pubrec(msg.pid))
        rel = r.expect(pk.PUBREL)
        self.assertEqual((rel.pid, rel.flags), (msg.pid, 0x02))  # [MQTT-3.6.1-1]
        r.send(pk.pubcomp(msg.pid))
        self.assertEqual([p for p in r.barrier() if p.type == pk.PUBLISH], [])

    def test_MQTT_2_3_1_outbound_packet_ids_unique(self):
        """[MQTT-2.3.1-2] unacknowledged QoS 1 deliveries in flight have distinct ids."""
        r = self.raw()
        r.subscribe([('ids/#', 1)])
        pub = self.client()
        for i in range(5):
            pub.publish('ids/%d' % i, b'%d' % i, 1)
        got = [r.expect(pk.PUBLISH) for _ in range(5)]
        self.assertEqual(len({p.pid for p in got}), 5, got)
        self.assertNotIn(0, {p.pid for p in got})

    def test_MQTT_3_3_5_1_overlapping_subscriptions(self):
        """[MQTT-3.3.5-1] overlapping subscriptions: the message is delivered respecting the
        maximum QoS of the matching subscriptions (extra copies at their own QoS allowed)."""
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                c = self.client(proto=proto)
                c.subscribe([('ov/+', 1), ('ov/#', 2)])
                self.client().publish('ov/x', b'both', 2)
                c.barrier()
                got = c.drain()
                self.assertIn(len(got), (1, 2), got)
                self.assertEqual(max(m.qos for m in got), 2, got)
                self.assertTrue(all(m.payload == b'both' for m in got))

    def test_MQTT_3_8_4_3_resubscribe_replaces(self):
        """[MQTT-3.8.4-3] subscribing to the same filter again replaces the subscription:
        one copy, at the new QoS."""
        c = self.client()
        c.subscribe('re/sub', 0)
        self.assertEqual(c.subscribe('re/sub', 2), [2])
        self.client().publish('re/sub', b'x', 2)
        c.barrier()
        got = c.drain()
        self.assertEqual([(m.payload, m.qos) for m in got], [(b'x', 2)])

    def test_MQTT_3_9_3_1_suback_codes_in_order(self):
        """[MQTT-3.9.3-1] one SUBACK code per filter, in the order of the SUBSCRIBE."""
        r = self.raw()
        ack = r.subscribe([('o/a', 2), ('o/b', 0), ('o/c', 1)])
        self.assertEqual(ack.codes, [2, 0, 1])

    WILDCARDS = {
        # filter: the topics (of TOPICS below) it matches. Spec section 4.7.1 examples.
        'sport/tennis/player1/#': {'sport/tennis/player1', 'sport/tennis/player1/ranking',
                                   'sport/tennis/player1/score/wimbledon'},
        'sport/#': {'sport', 'sport/', 'sport/tennis/player1',
                    'sport/tennis/player1/ranking', 'sport/tennis/player1/score/wimbledon'},
        'sport/tennis/+': {'sport/tennis/player1'},
        'sport/+': {'sport/'},
        '+/+': {'/finance', 'sport/'},
        '/+': {'/finance'},
        '+': {'sport'},
        'a/+/b': {'a//b'},
        '#': {'sport', 'sport/', 'sport/tennis/player1', 'sport/tennis/player1/ranking',
              'sport/tennis/player1/score/wimbledon', '/finance', 'a//b'},
    }
    TOPICS = ['sport', 'sport/', 'sport/tennis/player1', 'sport/tennis/player1/ranking',
              'sport/tennis/player1/score/wimbledon', '/finance', 'a//b']

    def test_MQTT_4_7_1_wildcard_matching(self):
        """[MQTT-4.7.1-2] '#' matches the parent level and any number of levels;
        [MQTT-4.7.1-3] '+' matches exactly one level, including an empty one."""
        subs = {f: self.subscriber(f, 1) for f in self.WILDCARDS}
        pub = self.client()
        for t in self.TOPICS:
            pub.publish(t, t.encode(), 1)
        for f, c in subs.items():
            c.barrier()
            got = {m.topic for m in c.drain()}
            self.assertEqual(got, self.WILDCARDS[f], 'filter %r' % f)

    def test_MQTT_4_7_2_1_dollar_topics_not_matched(self):
        """[MQTT-4.7.2-1] filters starting with a wildcard do not match topics starting
        with '$'; an explicit '$' filter does."""
        wild = self.client()
        wild.subscribe([('#', 1), ('+/x', 1), ('+/+', 1)])
        explicit = self.subscriber('$test/#', 1)
        pub = self.client()
        pub.publish('$test/x', b'dollar', 1)
        self.assertEqual(explicit.get().topic, '$test/x')
        pub.publish('plain/x', b'plain', 1)
        wild.barrier()
        topics = [m.topic for m in wild.drain()]
        self.assertIn('plain/x', topics)
        self.assertFalse([t for t in topics if t.startswith('$')], topics)

    @with_config({'node.sys_interval': '1s'})
    def test_MQTT_4_7_2_1_sys_not_matched_by_hash(self):
        """[MQTT-4.7.2-1] the broker's own $SYS messages do not reach '#' subscribers."""
        wild = self.subscriber('#', 0)
        sys_sub = self.subscriber('$SYS/#', 0)
        self.assertTrue(sys_sub.get().topic.startswith('$SYS/'))
        wild.barrier()
        self.assertFalse([m.topic for m in wild.drain() if m.topic.startswith('$')])

    def test_MQTT_4_7_1_1_invalid_filters_refused(self):
        """[MQTT-4.7.1-1/2] misplaced wildcards make a filter invalid: SUBACK 0x80 (v5
        0x8F/0x80) or, for 3.1.1, a close; the connection is otherwise unaffected."""
        for proto in (pk.V311, pk.V5):
            for bad in ('a/#/b', 'a/b#', 'a+/b', '#/a', 'a/+b'):
                with self.subTest(proto=proto, filter=bad):
                    r = self.raw(proto)
                    pid = r.pid()
                    r.send(pk.subscribe(pid, [(bad, 1)], proto=proto))
                    try:
                        ack = r.expect(pk.SUBACK, pid=pid)
                    except AssertionError:
                        if IS_EDGEGW and proto == pk.V5:
                            raise  # edgegw answers v5 with SUBACK 0x8F, as EMQX
                        self.assertTrue(r.closed, 'neither SUBACK nor close')
                        continue
                    self.assertIn(ack.codes, ([0x80], [0x8F]) if proto == pk.V5 else ([0x80],))
                    r.ping()
        self.assert_roundtrip()

    def test_MQTT_3_10_4_unsubscribe_stops_delivery(self):
        """[MQTT-3.10.4-1/2] after UNSUBACK, the filter no longer matches; UNSUBACK echoes
        the packet id [MQTT-3.10.4-4]; v5 codes: 0x00, 0x11 (no subscription existed)."""
        c = self.client()
        c.subscribe('un/sub', 1)
        c.unsubscribe('un/sub')
        self.client().publish('un/sub', b'late', 1)
        c.assert_no_messages()
        r = self.raw(pk.V5)
        r.subscribe([('un/v5', 1)])
        ack = r.unsubscribe(['un/v5', 'un/never'])
        self.assertEqual(ack.codes, [0x00, 0x11])

    def test_MQTT_4_6_0_per_topic_order(self):
        """[MQTT-4.6.0-6] messages on one topic are delivered in the order published, at
        QoS 1 and 2, with many in flight."""
        for qos in (1, 2):
            with self.subTest(qos=qos):
                topic = 'order/%d' % qos
                sub = self.subscriber(topic, qos)
                pub = self.client()
                infos = [pub.c.publish(topic, b'%03d' % i, qos) for i in range(100)]
                for info in infos:
                    info.wait_for_publish(5)
                got = [m.payload for m in sub.get_n(100)]
                self.assertEqual(got, [b'%03d' % i for i in range(100)])

    def test_large_and_empty_payloads(self):
        """A 300 KB payload and a zero-length (non-retained) payload arrive intact."""
        sub = self.subscriber('size/#', 1)
        pub = self.client()
        big = bytes(range(256)) * 1200
        pub.publish('size/big', big, 1)
        pub.publish('size/empty', b'', 1)
        got = sub.get_n(2)
        self.assertEqual([(m.topic, m.payload) for m in got],
                         [('size/big', big), ('size/empty', b'')])

    def test_utf8_topic_names(self):
        """[MQTT-1.5.3] UTF-8 topic names (non-ASCII) are routed and matched by level."""
        topic = 'température/セン/€'
        sub = self.subscriber('température/+/€', 1)
        self.client().publish(topic, b'x', 1)
        self.assertEqual(sub.get().topic, topic)

    def test_protocol_versions_interoperate(self):
        """Messages cross protocol versions: 3.1 -> 5 and 5 -> 3.1."""
        v31, v5 = self.client(proto=pk.V31), self.client(proto=pk.V5)
        v31.subscribe('x/to31', 1)
        v5.subscribe('x/to5', 1)
        v31.publish('x/to5', b'from 3.1', 1)
        v5.publish('x/to31', b'from 5', 1)
        self.assertEqual(v5.get().payload, b'from 3.1')
        self.assertEqual(v31.get().payload, b'from 5')

    def test_v5_puback_no_matching_subscribers(self):
        """v5 3.4.2.1: PUBACK 0x10 (no matching subscribers) or 0x00 when nobody matched;
        0x00 when someone did. edgegw sends 0x10, as EMQX."""
        r = self.raw(pk.V5)
        nobody = r.publish('nobody/home', b'x', 1)
        self.assertIn(nobody.rc, (0x10,) if IS_EDGEGW else (0x00, 0x10))
        self.subscriber('somebody/home', 1)
        self.assertEqual(r.publish('somebody/home', b'x', 1).rc, 0x00)

    def test_mosquitto_clients(self):
        """Debian's mosquitto_sub / mosquitto_pub, MQTT 3.1, 3.1.1 and 5, QoS 0/1/2."""
        for proto in (pk.V31, pk.V311, pk.V5):
            for qos in (0, 1, 2):
                with self.subTest(proto=proto, qos=qos):
                    topic = 'cli/%d/%d' % (proto, qos)
                    sub = MosquittoSub(self.port, topic, qos=qos, proto=proto,
                                       extra=['-C', '1'])
                    try:
                        sub.wait_subscribed()
                        mosquitto_pub(self.port, topic, 'hello %d' % qos, qos=qos,
                                      proto=proto)
                        self.assertEqual(sub.get(), (topic, b'hello %d' % qos, qos, False))
                    finally:
                        sub.stop()
