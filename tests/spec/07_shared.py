"""07 shared subscriptions: $share/<group>/<filter> (MQTT 5 section 4.8.2, usable from
3.1.1 as in EMQX), EMQX's $queue/<filter>, and the dispatch strategies."""
import packets as pk
from harness import (BrokerTestCase, SubscribeOptions, edgegw_only, mosquitto_deviation,
                     unique_id, with_config)


class SharedTest(BrokerTestCase):

    def members(self, share_filter, n=2, qos=1, proto=pk.V5):
        return [self.subscriber(share_filter, qos, proto=proto) for _ in range(n)]

    def publish_n(self, topic, n, qos=1, client=None):
        pub = client or self.client()
        for i in range(n):
            pub.publish(topic, b'%02d' % i, qos)
        return [b'%02d' % i for i in range(n)]

    def collect(self, clients):
        """Per client, the payloads received (after a barrier on each)."""
        out = []
        for c in clients:
            c.barrier()
            out.append([m.payload for m in c.drain()])
        return out

    @with_config({'mqtt.shared_subscription_strategy': 'round_robin'})
    def test_round_robin_each_message_once(self):
        """v5 4.8.2: each message goes to exactly one member of the group; round_robin
        splits evenly, each member seeing its share in order."""
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                topic = 'sh/rr/%d' % proto
                members = self.members('$share/g/' + topic, proto=proto)
                sent = self.publish_n(topic, 10)
                got = self.collect(members)
                self.assertEqual(sorted(got[0] + got[1]), sent)
                self.assertEqual([len(g) for g in got], [5, 5])
                self.assertTrue(all(g == sorted(g) for g in got), got)

    def test_groups_and_plain_subscribers_independent(self):
        """Every group gets each message once; non-shared subscribers get every message."""
        g1 = self.members('$share/g1/sh/multi', 2)
        g2 = self.members('$share/g2/sh/multi', 1)
        plain = self.subscriber('sh/multi', 1)
        sent = self.publish_n('sh/multi', 6)
        got = self.collect(g1 + g2 + [plain])
        self.assertEqual(sorted(got[0] + got[1]), sent)
        self.assertEqual(got[2], sent)
        self.assertEqual(got[3], sent)

    def test_shared_filter_wildcards(self):
        """The filter part of $share/<group>/<filter> may use + and #."""
        members = self.members('$share/w/sh/wild/#', 2)
        pub = self.client()
        for t in ('sh/wild/a', 'sh/wild/b/c', 'sh/wild'):
            pub.publish(t, t.encode(), 1)
        got = self.collect(members)
        self.assertEqual(sorted(got[0] + got[1]), [b'sh/wild', b'sh/wild/a', b'sh/wild/b/c'])

    def test_member_leaving_hands_over(self):
        """After a member disconnects (or unsubscribes) the others receive everything."""
        a, b, c = self.members('$share/g/sh/leave', 3)
        a.disconnect()
        b.unsubscribe('$share/g/sh/leave')
        sent = self.publish_n('sh/leave', 4)
        self.assertEqual(self.collect([b, c]), [[], sent])

    def test_shared_delivery_qos(self):
        """[MQTT-3.8.4-6] shared deliveries use min(publish QoS, granted QoS)."""
        low = self.subscriber('$share/q/sh/qos', 0)
        self.client().publish('sh/qos', b'x', 2)
        self.assertEqual(low.get().qos, 0)

    @mosquitto_deviation('sends retained messages to new shared subscriptions')
    def test_retained_not_sent_to_shared_subscription(self):
        """v5 3.3.1.3: retained messages are sent when a new *non-shared* subscription is
        made; a shared one gets none (as EMQX)."""
        self.client().publish('sh/ret', b'kept', 1, retain=True)
        member = self.subscriber('$share/g/sh/ret', 1, proto=pk.V5)
        member.assert_no_messages()

    @mosquitto_deviation('accepts No Local on shared subscriptions')
    def test_MQTT_3_8_3_4_no_local_on_shared_is_protocol_error(self):
        """[MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error: DISCONNECT
        0x82 (or a close)."""
        r = self.raw(pk.V5)
        r.send(pk.subscribe(1, [('$share/g/sh/nl', pk.sub_options(1, no_local=True))],
                            proto=pk.V5))
        self.assert_closed(r, pk.DISCONNECT, 0x82)

    def check_refused(self, bad):
        """A SUBSCRIBE to `bad` is refused: SUBACK 0x8F/0x80/0x9E, or the connection closes."""
        r = self.raw(pk.V5)
        r.send(pk.subscribe(1, [(bad, 1)], proto=pk.V5))
        try:
            ack = r.expect(pk.SUBACK, pid=1)
        except AssertionError:
            self.assertTrue(r.closed, 'neither SUBACK nor close')
            return
        self.assertIn(ack.codes[0], (0x8F, 0x80, 0x9E), ack)

    def test_MQTT_4_8_2_2_share_name_without_wildcards(self):
        """[MQTT-4.8.2-2] a share name must not contain '+' or '#'."""
        for bad in ('$share/g+/x', '$share/g#/x'):
            with self.subTest(filter=bad):
                self.check_refused(bad)
        self.assert_roundtrip()

    @mosquitto_deviation('takes "$share/g", "$share//x", "$share/+/x" as plain filters')
    def test_MQTT_4_8_2_1_share_name_and_filter_required(self):
        """[MQTT-4.8.2-1] the share name is at least one character (and [MQTT-4.8.2-2]
        not a wildcard), followed by '/' and a topic filter."""
        for bad in ('$share/g', '$share//x', '$share/g/', '$share/+/x'):
            with self.subTest(filter=bad):
                self.check_refused(bad)
        self.assert_roundtrip()

    @edgegw_only('$queue/ is an EMQX extension')
    def test_queue_prefix(self):
        """EMQX's $queue/<filter> is the shared group '$queue': one member per message."""
        members = self.members('$queue/sh/q', 2, proto=pk.V311)
        sent = self.publish_n('sh/q', 10)
        got = self.collect(members)
        self.assertEqual(sorted(got[0] + got[1]), sent)
        self.assertTrue(got[0] and got[1], got)

    @with_config({'mqtt.shared_subscription_strategy': 'hash_clientid'})
    def test_hash_clientid_strategy(self):
        """hash_clientid: all messages of one publisher go to the same member."""
        members = self.members('$share/h/sh/hash', 3)
        for _ in range(4):
            self.publish_n('sh/hash', 5, client=self.client(unique_id('pub')))
        got = self.collect(members)
        self.assertEqual(sum(len(g) for g in got), 20)
        for g in got:  # each publisher's five messages land together, in order
            self.assertEqual(len(g) % 5, 0, got)
            self.assertEqual(g, [b'%02d' % i for i in range(5)] * (len(g) // 5), got)

    @with_config({'mqtt.shared_subscription_strategy': 'random'})
    def test_random_strategy(self):
        """random: still exactly one member per message, nothing lost."""
        members = self.members('$share/r/sh/rand', 2)
        sent = self.publish_n('sh/rand', 20)
        got = self.collect(members)
        self.assertEqual(sorted(got[0] + got[1]), sent)

    def test_shared_with_subscribe_options(self):
        """v5 options other than No Local apply to shared subscriptions (granted QoS)."""
        c = self.client(proto=pk.V5)
        self.assertEqual(c.subscribe('$share/o/sh/opt', options=SubscribeOptions(qos=2)), [2])
        self.client().publish('sh/opt', b'x', 2)
        self.assertEqual(c.get().qos, 2)
