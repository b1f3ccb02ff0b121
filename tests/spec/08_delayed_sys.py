"""08 extensions (SPEC section 4): $delayed/<seconds>/<topic> publishes, $SYS statistics
under $SYS/broker/ (mosquitto's names) and $SYS/brokers/<node>/ (EMQX's), and client
connected/disconnected events as JSON on $SYS/brokers/<node>/clients/<id>/..."""
import json
import re
import time

import packets as pk
from harness import BrokerTestCase, edgegw_only, unique_id

NODE = 'test'  # node.name written by the harness


class DelayedTest(BrokerTestCase):

    @edgegw_only('$delayed/ is an EMQX extension')
    def test_delayed_publish(self):
        """$delayed/2/<topic>: delivered on <topic> after about 2 s, not before."""
        sub = self.subscriber('dl/x', 1)
        start = time.monotonic()
        self.client().publish('$delayed/2/dl/x', b'later', 1)
        m = sub.get(timeout=6)
        took = time.monotonic() - start
        self.assertEqual((m.topic, m.payload), ('dl/x', b'later'))
        self.assertGreaterEqual(took, 1.8)

    @edgegw_only('$delayed/ is an EMQX extension')
    def test_delayed_order_follows_due_time(self):
        """Delayed messages come out by due time, not by publish order."""
        sub = self.subscriber('dl/order', 1)
        pub = self.client(proto=pk.V5)
        pub.publish('$delayed/3/dl/order', b'second', 1)
        pub.publish('$delayed/1/dl/order', b'first', 1)
        self.assertEqual([m.payload for m in sub.get_n(2, timeout=7)], [b'first', b'second'])

    @edgegw_only('$delayed/ is an EMQX extension')
    def test_delayed_not_visible_under_its_own_name(self):
        """A $delayed publish is not routed under the $delayed/ topic itself."""
        sub = self.subscriber('$delayed/#', 1)
        direct = self.subscriber('dl/hidden', 1)
        self.client().publish('$delayed/1/dl/hidden', b'x', 1)
        self.assertEqual(direct.get(timeout=5).payload, b'x')
        sub.assert_no_messages()


class SysTest(BrokerTestCase):
    CONFIG = {'node.sys_interval': '1s'}

    def collect_topics(self, client, wanted, timeout=5.0):
        """Receive until every topic in `wanted` has been seen; returns {topic: payload}."""
        seen = {}
        deadline = time.monotonic() + timeout
        while not set(wanted) <= set(seen):
            if time.monotonic() >= deadline:
                self.fail('missing $SYS topics %r; got %r'
                          % (sorted(set(wanted) - set(seen)), sorted(seen)))
            m = client.poll(deadline - time.monotonic())
            if m:
                seen[m.topic] = m.payload
        return seen

    def test_sys_broker_statistics(self):
        """$SYS/broker/ version, uptime and clients/connected (mosquitto's names), sent
        every node.sys_interval."""
        c = self.subscriber('$SYS/broker/#', 0)
        got = self.collect_topics(c, ['$SYS/broker/version', '$SYS/broker/uptime',
                                      '$SYS/broker/clients/connected'])
        self.assertTrue(got['$SYS/broker/version'])
        self.assertRegex(got['$SYS/broker/uptime'].decode(), r'^\d+')
        # A retained value from before we connected may come first; a fresh one follows.
        connected = int(got['$SYS/broker/clients/connected'])
        deadline = time.monotonic() + 5
        while connected < 1 and time.monotonic() < deadline:
            m = c.poll(deadline - time.monotonic())
            if m and m.topic == '$SYS/broker/clients/connected':
                connected = int(m.payload)
        self.assertGreaterEqual(connected, 1)

    @edgegw_only('$SYS/brokers/<node>/ is EMQX naming')
    def test_sys_brokers_node_statistics(self):
        """$SYS/brokers/<node>/: version, uptime, connection and subscription counts, and
        message and byte counters (EMQX names: stats/... and metrics/...)."""
        c = self.subscriber('$SYS/brokers/%s/#' % NODE, 0)
        base = '$SYS/brokers/%s/' % NODE
        names = ['version', 'uptime', 'stats/connections/count',
                 'stats/subscriptions/count', 'metrics/messages/received',
                 'metrics/messages/sent', 'metrics/bytes/received', 'metrics/bytes/sent']
        got = self.collect_topics(c, [base + n for n in names])
        self.assertTrue(got[base + 'version'])
        for n in names[1:]:
            self.assertRegex(got[base + n].decode(), r'^\d+$', n)
        # Values retained from before we connected may come first; fresh ones follow.
        counts = [base + 'stats/connections/count', base + 'stats/subscriptions/count']
        deadline = time.monotonic() + 5
        while min(int(got[t]) for t in counts) < 1:
            self.assertLess(time.monotonic(), deadline,
                            'counts never reached 1: %r' % {t: got[t] for t in counts})
            m = c.poll(deadline - time.monotonic())
            if m:
                got[m.topic] = m.payload

    @edgegw_only('client events on $SYS/brokers/<node>/clients/ are EMQX behaviour')
    def test_client_connected_disconnected_events(self):
        """EMQX-format JSON events: connected (clientid, username, ipaddress, proto_ver,
        keepalive, clean_start, connected_at) and disconnected (clientid, reason,
        disconnected_at)."""
        watch = self.subscriber('$SYS/brokers/+/clients/#', 1)
        cid = unique_id('ev')
        before_ms = int(time.time() * 1000) - 1000
        c = self.client(cid, proto=pk.V5, keepalive=30, username='user1', password=b'pw')
        m = watch.get()
        self.assertEqual(m.topic, '$SYS/brokers/%s/clients/%s/connected' % (NODE, cid))
        ev = json.loads(m.payload)
        self.assertEqual((ev['clientid'], ev['username'], ev['ipaddress'], ev['proto_ver'],
                          ev['keepalive'], ev['clean_start']),
                         (cid, 'user1', '127.0.0.1', 5, 30, True))
        self.assertGreaterEqual(ev['connected_at'], before_ms)
        c.disconnect()
        m = watch.get()
        self.assertEqual(m.topic, '$SYS/brokers/%s/clients/%s/disconnected' % (NODE, cid))
        ev = json.loads(m.payload)
        self.assertEqual((ev['clientid'], ev['username'], ev['reason']),
                         (cid, 'user1', 'normal'))
        self.assertGreaterEqual(ev['disconnected_at'], before_ms)

    @edgegw_only('client events on $SYS/brokers/<node>/clients/ are EMQX behaviour')
    def test_client_events_for_each_protocol_version(self):
        """A 3.1 and a 3.1.1 client produce connected events with proto_ver 3 and 4, and a
        lost connection a disconnected event."""
        watch = self.subscriber('$SYS/brokers/%s/clients/+/+' % NODE, 1)
        for proto in (pk.V31, pk.V311):
            with self.subTest(proto=proto):
                cid = unique_id('ev')
                r = self.raw(proto, client_id=cid)
                ev = json.loads(watch.get().payload)
                self.assertEqual((ev['clientid'], ev['proto_ver']), (cid, proto))
                r.close()
                m = watch.get()
                self.assertTrue(m.topic.endswith('/%s/disconnected' % cid), m.topic)
                self.assertTrue(re.match(r'^\w+', json.loads(m.payload)['reason']))

    def test_sys_not_delivered_to_hash(self):
        """[MQTT-4.7.2-1] '#' does not see $SYS statistics or events."""
        wild = self.subscriber('#', 0)
        sys_watch = self.subscriber('$SYS/#', 0)
        sys_watch.get()
        wild.barrier()
        self.assertFalse([m.topic for m in wild.drain() if m.topic.startswith('$')])

