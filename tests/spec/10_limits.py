"""10 limits (SPEC section 11): connection limits, offline queue length and overflow
policy (and the drop being counted), the outbound inflight window, per-client quotas, and
a subscriber that never reads not stalling anyone else."""
import time

import packets as pk
from harness import BrokerTestCase, RawClient, edgegw_only, unique_id, with_config

NODE = 'test'


class LimitsTest(BrokerTestCase):

    def assert_refused(self, proto=pk.V311):
        """A connection over the limit is closed without being accepted (v5: CONNACK 0x97
        Quota exceeded or 0x89 Server busy, if anything is sent)."""
        r = RawClient(self.port, proto)
        self._clients.append(r)
        r.send(pk.connect(unique_id(), proto=proto))
        if proto == pk.V5:
            self.assert_closed(r, pk.CONNACK, (0x97, 0x89, 0x9F), strict=False)
        else:
            self.assert_closed(r)

    def check_connection_limit(self):
        clients = [self.client() for _ in range(3)]
        self.assert_refused()
        self.assert_refused(pk.V5)
        clients[0].disconnect()
        # The client does not wait for the broker to see its DISCONNECT, so the freed slot
        # may take a moment to show: retry, bounded.
        deadline = time.monotonic() + 5
        while True:
            try:
                self.client().publish('limit/x', b'room again', 1)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise

    @with_config({'limits.max_connections': 3})
    def test_max_connections(self):
        """limits.max_connections: the connection over the limit is refused; after one
        leaves, a new one is accepted."""
        self.check_connection_limit()

    @with_config({'listener.tcp.default.max_connections': 3})
    def test_listener_max_connections(self):
        """listener.tcp.<name>.max_connections, per listener."""
        self.check_connection_limit()

    def offline_session(self, topic, n, qos=1):
        """A persistent 3.1.1 session subscribed to `topic`, offline while n messages are
        published; returns its client id."""
        cid = unique_id()
        c = self.client(cid, clean=False)
        c.subscribe(topic, 1)
        c.disconnect()
        pub = self.client()
        for i in range(n):
            pub.publish(topic, b'%02d' % i, qos)
        pub.disconnect()
        return cid

    @with_config({'mqtt.max_mqueue_len': 5, 'mqtt.mqueue_overflow': 'drop_oldest',
                  'mqtt.max_inflight': 32})
    def test_offline_queue_drop_oldest(self):
        """mqtt.max_mqueue_len with drop_oldest: an offline session keeps the newest 5."""
        cid = self.offline_session('mq/old', 10)
        back = self.client(cid, clean=False)
        self.assertEqual([m.payload for m in back.get_n(5)], [b'%02d' % i for i in range(5, 10)])
        back.assert_no_messages()

    @with_config({'mqtt.max_mqueue_len': 5, 'mqtt.mqueue_overflow': 'drop_newest'})
    def test_offline_queue_drop_newest(self):
        """mqtt.max_mqueue_len with drop_newest: an offline session keeps the oldest 5."""
        cid = self.offline_session('mq/new', 10)
        back = self.client(cid, clean=False)
        self.assertEqual([m.payload for m in back.get_n(5)], [b'%02d' % i for i in range(5)])
        back.assert_no_messages()

    @edgegw_only('EMQX metric names under $SYS/brokers/<node>/metrics/')
    @with_config({'mqtt.max_mqueue_len': 5, 'mqtt.mqueue_overflow': 'drop_oldest',
                  'node.sys_interval': '1s'})
    def test_queue_drops_are_counted(self):
        """Messages dropped by a full queue are counted: metrics/messages/dropped (and
        delivery/dropped/queue_full) reach the number dropped."""
        self.offline_session('mq/count', 12)
        watch = self.subscriber('$SYS/brokers/%s/metrics/#' % NODE, 0)
        wanted = {'messages/dropped', 'delivery/dropped/queue_full'}
        values = {}
        deadline = time.monotonic() + 5
        while not all(values.get(w, 0) >= 7 for w in wanted):
            self.assertLess(time.monotonic(), deadline, 'drop counters seen: %r' % values)
            m = watch.poll(deadline - time.monotonic())
            name = m.topic.split('/metrics/', 1)[1] if m else None
            if name in wanted:
                values[name] = int(m.payload)

    @with_config({'mqtt.mqueue_store_qos0': False})
    def test_offline_qos0_not_queued(self):
        """mqtt.mqueue_store_qos0=false: QoS 0 messages are not queued for offline sessions
        (QoS 1 are)."""
        cid = unique_id()
        c = self.client(cid, clean=False)
        c.subscribe('mq/q0', 1)
        c.disconnect()
        pub = self.client()
        pub.publish('mq/q0', b'qos0', 0)
        pub.publish('mq/q0', b'qos1', 1)
        back = self.client(cid, clean=False)
        self.assertEqual(back.get().payload, b'qos1')
        back.assert_no_messages()

    @with_config({'mqtt.max_inflight': 2})
    def test_outbound_inflight_window(self):
        """mqtt.max_inflight bounds unacknowledged QoS 1 deliveries to 3.1.1 clients too;
        each PUBACK releases the next, and nothing is lost."""
        r = self.raw()
        r.subscribe([('win/x', 1)])
        pub = self.client()
        for i in range(6):
            pub.publish('win/x', b'%d' % i, 1)
        got = [r.expect(pk.PUBLISH) for _ in range(2)]
        r.expect_open(0.5)
        for p in list(got):
            r.send(pk.puback(p.pid))
        while len(got) < 6:
            p = r.expect(pk.PUBLISH)
            got.append(p)
            r.send(pk.puback(p.pid))
        self.assertEqual([p.payload for p in got], [b'%d' % i for i in range(6)])

    @with_config({'mqtt.max_subscriptions': 2})
    def test_max_subscriptions(self):
        """mqtt.max_subscriptions: the subscription over the quota gets SUBACK 0x97 (v5
        Quota exceeded) / 0x80 (3.1.1); re-subscribing an existing filter is fine."""
        r5 = self.raw(pk.V5)
        self.assertEqual(r5.subscribe([('ms/a', 1), ('ms/b', 1)]).codes, [1, 1])
        self.assertEqual(r5.subscribe([('ms/c', 1), ('ms/a', 0)]).codes, [0x97, 0])
        r3 = self.raw()
        r3.subscribe([('ms/a', 1), ('ms/b', 1)])
        self.assertEqual(r3.subscribe([('ms/c', 1)]).codes, [0x80])

    @with_config({'mqtt.max_topic_levels': 3})
    def test_max_topic_levels(self):
        """mqtt.max_topic_levels: deeper filters get SUBACK 0x8F (v5) / 0x80; a deeper
        topic name is refused (v5: DISCONNECT or PUBACK 0x90) and not delivered."""
        sub = self.subscriber('lv/#', 1)
        r = self.raw(pk.V5)
        self.assertEqual(r.subscribe([('lv/a/b/c', 1), ('lv/a/b', 1)]).codes, [0x8F, 1])
        self.check_topic_refused('lv/a/b/c')
        sub.assert_no_messages()

    @with_config({'mqtt.max_topic_length': 32})
    def test_max_topic_length(self):
        """mqtt.max_topic_length: longer topic names are refused as above (32 leaves room
        for the barrier's 22-character topic)."""
        sub = self.subscriber('tl/#', 1)
        self.check_topic_refused('tl/' + 'x' * 30)
        sub.assert_no_messages()

    def check_topic_refused(self, topic):
        r = self.raw(pk.V5)
        r.send(pk.publish(topic, b'x', 1, pid=1, proto=pk.V5))
        first = r.recv()
        if first.type == pk.PUBACK:
            self.assertEqual(first.rc, 0x90)
        else:
            self.assertEqual((first.type, first.rc), (pk.DISCONNECT, 0x90))
            r.wait_closed()

    @with_config({'mqtt.max_awaiting_rel': 2})
    def test_max_awaiting_rel(self):
        """mqtt.max_awaiting_rel: a third QoS 2 PUBLISH awaiting PUBREL is refused with
        0x93 (Receive Maximum exceeded), as EMQX."""
        r = self.raw(pk.V5)
        for pid in (1, 2):
            r.send(pk.publish('ar/x', b'x', 2, pid=pid, proto=pk.V5))
            r.expect(pk.PUBREC, pid=pid)
        r.send(pk.publish('ar/x', b'x', 2, pid=3, proto=pk.V5))
        self.assert_closed(r, pk.DISCONNECT, 0x93)

    def test_slow_subscriber_does_not_stall_others(self):
        """Subscribers that never read (QoS 0 and QoS 1, tiny receive buffers) do not hold
        up the publisher or a fast subscriber: all 1200 x 8 KB messages get through. The
        volume (~10 MB) is more than the kernel buffers of the slow sockets can absorb, so
        their connections really do back up inside the broker."""
        slow = []
        for qos in (0, 1):
            r = self.raw(rcvbuf=4096)
            r.subscribe([('load/#', qos)])
            slow.append(r)  # from here on nobody reads these sockets
        fast = self.subscriber('load/#', 1)
        pub = self.client()
        payload = b'p' * 8192
        start = time.monotonic()
        infos = [pub.c.publish('load/x', payload, 1) for _ in range(1200)]
        for info in infos:
            info.wait_for_publish(20)
            self.assertTrue(info.is_published(), 'publisher stalled')
        got = fast.get_n(1200, timeout=20)
        self.assertTrue(all(m.payload == payload for m in got))
        self.assertLess(time.monotonic() - start, 30)
        self.assert_roundtrip()
