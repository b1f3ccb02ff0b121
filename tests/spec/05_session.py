"""05 sessions: session present flag, clean session / clean start, offline queues, session
expiry, resending unacknowledged QoS 1/2 after reconnect, and persistence across a clean
restart and a kill -9 (MQTT 3.1.1 sections 3.1.2.4, 3.2.2.2, 4.4; MQTT 5 section 3.1.2.11)."""
import packets as pk
from harness import (BrokerTestCase, PacketTypes, edgegw_only, elapse, props, unique_id,
                     with_config)

EXPIRY_1H = [(pk.P.SESSION_EXPIRY, 3600)]


def v5_expiry(seconds):
    return props(PacketTypes.CONNECT, SessionExpiryInterval=seconds)


class SessionTest(BrokerTestCase):

    def persistent(self, cid, proto=pk.V311, expiry=3600):
        """A paho client resuming (or starting) a persistent session."""
        if proto == pk.V5:
            return self.client(cid, proto, clean=False, properties=v5_expiry(expiry))
        return self.client(cid, proto, clean=False)

    def test_MQTT_3_2_2_session_present(self):
        """[MQTT-3.2.2-1] clean session: SP=0; [MQTT-3.2.2-3] new persistent session: SP=0;
        [MQTT-3.2.2-2] resumed session: SP=1 (3.1.1 and 5)."""
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                cid = unique_id()
                self.assertFalse(self.client(cid, proto).session_present)
                first = self.persistent(cid, proto)
                self.assertFalse(first.session_present)
                first.subscribe('sp/x', 1)
                first.disconnect()
                self.assertTrue(self.persistent(cid, proto).session_present)

    @with_config({'mqtt.mqueue_store_qos0': True})
    def test_MQTT_3_1_2_4_offline_queue(self):
        """[MQTT-3.1.2-4/5] a persistent session keeps its subscriptions and queues QoS 1/2
        (and, as configured, QoS 0) messages while offline; they come in order on resume."""
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                cid, topic = unique_id(), 'offline/%d' % proto
                c = self.persistent(cid, proto)
                c.subscribe(topic, 2)
                c.disconnect()
                pub = self.client()
                sent = [(b'm%d' % i, i % 3) for i in range(9)]
                for payload, qos in sent:
                    pub.publish(topic, payload, qos)
                back = self.persistent(cid, proto)
                self.assertTrue(back.session_present)
                got = [(m.payload, m.qos) for m in back.get_n(9)]
                # [MQTT-4.6.0-6] order is per topic and QoS; across QoS it may differ.
                for qos in (0, 1, 2):
                    self.assertEqual([g for g in got if g[1] == qos],
                                     [s for s in sent if s[1] == qos])
                pub.publish(topic, b'live', 1)  # still subscribed, without re-subscribing
                self.assertEqual(back.get().payload, b'live')

    def test_MQTT_3_1_2_6_clean_session_discards_state(self):
        """[MQTT-3.1.2-6] CleanSession=1 discards the previous session and its queue; the
        next persistent connect starts afresh."""
        cid = unique_id()
        c = self.persistent(cid)
        c.subscribe('discard/x', 1)
        c.disconnect()
        self.client().publish('discard/x', b'queued', 1)
        clean = self.client(cid, clean=True)
        self.assertFalse(clean.session_present)
        clean.assert_no_messages()
        clean.disconnect()
        again = self.persistent(cid)
        self.assertFalse(again.session_present)
        self.client().publish('discard/x', b'after', 1)
        again.assert_no_messages()

    def test_v5_session_expiry_interval(self):
        """[MQTT-3.1.2-23] v5: the session is kept for Session Expiry Interval seconds after
        the connection closes, then discarded; expiry 0 ends it at once."""
        cid = unique_id()
        c = self.persistent(cid, pk.V5, expiry=1)
        c.subscribe('expiry/x', 1)
        c.disconnect()
        elapse(2.5)
        self.assertFalse(self.persistent(cid, pk.V5, expiry=0).session_present)
        cid0 = unique_id()
        self.persistent(cid0, pk.V5, expiry=0).disconnect()
        self.assertFalse(self.persistent(cid0, pk.V5).session_present)

    def test_v5_disconnect_changes_session_expiry(self):
        """v5 3.14.2.2.2: DISCONNECT may set a new Session Expiry Interval (here 0: the
        session ends with the connection)."""
        cid = unique_id()
        c = self.persistent(cid, pk.V5, expiry=3600)
        c.subscribe('expiry/disc', 1)
        c.disconnect(properties=props(PacketTypes.DISCONNECT, SessionExpiryInterval=0))
        self.assertFalse(self.persistent(cid, pk.V5).session_present)

    def test_MQTT_3_14_2_2_expiry_from_zero_is_protocol_error(self):
        """[MQTT-3.14.2-2] v5: a DISCONNECT setting a non-zero expiry when CONNECT had 0
        is a protocol error (DISCONNECT 0x82 from the broker, or a plain close)."""
        r = self.raw(pk.V5)
        r.disconnect(props=[(pk.P.SESSION_EXPIRY, 60)])
        self.assert_closed(r, pk.DISCONNECT, 0x82)

    def test_MQTT_4_4_0_1_resend_unacked_qos1(self):
        """[MQTT-4.4.0-1] unacknowledged QoS 1 deliveries are resent on resume with their
        original packet ids and [MQTT-3.3.1-1] DUP=1; once acked, they are not resent."""
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                cid, topic = unique_id(), 'resend/q1/%d' % proto
                kw = dict(client_id=cid, clean=False,
                          props=EXPIRY_1H if proto == pk.V5 else None)
                r = self.raw(proto, **kw)
                r.subscribe([(topic, 1)])
                self.client().publish(topic, b'unacked', 1)
                first = r.expect(pk.PUBLISH)
                self.assertFalse(first.dup)
                r.close()
                r2 = self.raw(proto, **kw)
                again = r2.expect(pk.PUBLISH)
                self.assertEqual((again.pid, again.dup, again.payload, again.qos),
                                 (first.pid, True, b'unacked', 1))
                r2.send(pk.puback(again.pid, proto))
                r2.close()
                r3 = self.raw(proto, **kw)
                self.assertFalse([p for p in r3.barrier() if p.type == pk.PUBLISH])

    def test_MQTT_4_4_0_1_resend_pubrel(self):
        """[MQTT-4.4.0-1] a QoS 2 delivery that got PUBREC but no PUBCOMP: PUBREL is resent
        on resume with the same id, and the PUBLISH is not delivered again."""
        cid = unique_id()
        r = self.raw(client_id=cid, clean=False)
        r.subscribe([('resend/q2', 2)])
        self.client().publish('resend/q2', b'q2', 2)
        pub = r.expect(pk.PUBLISH)
        r.send(pk.pubrec(pub.pid))
        r.expect(pk.PUBREL, pid=pub.pid)
        r.close()
        r2 = self.raw(client_id=cid, clean=False)
        rel = r2.expect(pk.PUBREL)
        self.assertEqual(rel.pid, pub.pid)
        r2.send(pk.pubcomp(rel.pid))
        self.assertFalse([p for p in r2.barrier() if p.type in (pk.PUBLISH, pk.PUBREL)])

    def test_MQTT_4_3_3_qos2_inbound_release_after_reconnect(self):
        """[MQTT-4.3.3-2] QoS 2 from a client that reconnects between PUBREC and PUBREL: the
        broker still answers the PUBREL with PUBCOMP and delivers exactly once."""
        sub = self.subscriber('q2/resume', 2)
        cid = unique_id()
        r = self.raw(client_id=cid, clean=False)
        r.send(pk.publish('q2/resume', b'one', 2, pid=9))
        r.expect(pk.PUBREC, pid=9)
        r.close()
        r2 = self.raw(client_id=cid, clean=False)
        r2.send(pk.pubrel(9))
        self.assertEqual(r2.expect(pk.PUBCOMP).pid, 9)
        self.assertEqual(sub.get().payload, b'one')
        sub.assert_no_messages()

    def test_takeover_keeps_persistent_session(self):
        """[MQTT-3.1.4-2] a takeover with CleanSession=0 resumes the same session (SP=1,
        subscriptions kept)."""
        cid = unique_id()
        first = self.persistent(cid)
        first.subscribe('takeover/sess', 1)
        second = self.persistent(cid)
        first.wait_disconnected()
        self.assertTrue(second.session_present)
        self.client().publish('takeover/sess', b'x', 1)
        self.assertEqual(second.get().payload, b'x')

    @with_config({'mqtt.session_expiry_interval': '1s'})
    def test_v3_session_expiry_setting(self):
        """mqtt.session_expiry_interval bounds 3.1.1 persistent sessions (as EMQX)."""
        cid = unique_id()
        c = self.persistent(cid)
        c.subscribe('v3expiry/x', 1)
        c.disconnect()
        elapse(2.5)
        self.assertFalse(self.persistent(cid).session_present)

    @with_config({'persistence.enable': True})
    def test_sessions_survive_restart(self):
        """Persistent sessions, their subscriptions and queued QoS 1 messages are flushed
        on SIGTERM and restored (SPEC section 1), for 3.1.1 and 5."""
        subs = {pk.V311: unique_id(), pk.V5: unique_id()}
        for proto, cid in subs.items():
            c = self.persistent(cid, proto)
            c.subscribe('durable/%d' % proto, 1)
            c.disconnect()
        pub = self.client()
        for proto in subs:
            for i in range(3):
                pub.publish('durable/%d' % proto, b'%d' % i, 1)
        pub.disconnect()
        self.broker.restart()
        for proto, cid in subs.items():
            with self.subTest(proto=proto):
                back = self.persistent(cid, proto)
                self.assertTrue(back.session_present)
                self.assertEqual([m.payload for m in back.get_n(3)], [b'0', b'1', b'2'])
                self.client().publish('durable/%d' % proto, b'live', 1)
                self.assertEqual(back.get().payload, b'live')

    @with_config({'persistence.enable': True})
    def test_inflight_resent_after_restart(self):
        """An unacknowledged QoS 1 delivery is resent after a broker restart with its
        original packet id and DUP=1 (STYLE: inflight records keep the wire id)."""
        cid = unique_id()
        r = self.raw(client_id=cid, clean=False)
        r.subscribe([('durable/inflight', 1)])
        self.client().publish('durable/inflight', b'in flight', 1)
        first = r.expect(pk.PUBLISH)
        r.close()
        self.broker.restart()
        r2 = self.raw(client_id=cid, clean=False)
        again = r2.expect(pk.PUBLISH)
        self.assertEqual((again.pid, again.dup, again.payload), (first.pid, True, b'in flight'))

    @edgegw_only('mosquitto only writes its database periodically and at shutdown')
    @with_config({'persistence.enable': True, 'persistence.sync': 'full'})
    def test_queued_messages_survive_kill9(self):
        """With persistence.sync=full, QoS 1 messages acknowledged to the publisher and
        queued for an offline persistent session survive a kill -9 (no message loss)."""
        cid = unique_id()
        c = self.persistent(cid, pk.V5)
        c.subscribe('crash/q', 1)
        c.disconnect()
        pub = self.client()
        for i in range(20):
            pub.publish('crash/q', b'%02d' % i, 1)
        pub.close()
        self.broker.kill()
        self.broker.start()
        back = self.persistent(cid, pk.V5)
        self.assertTrue(back.session_present)
        self.assertEqual([m.payload for m in back.get_n(20)], [b'%02d' % i for i in range(20)])
        back.assert_no_messages()
