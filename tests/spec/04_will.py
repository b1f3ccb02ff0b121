"""04 last will: published on a lost connection, a keepalive timeout, a protocol error or
v5 DISCONNECT 0x04; not on a normal DISCONNECT; v5 will delay and its cancellation
(MQTT 3.1.1 section 3.1.2.5, MQTT 5 section 3.1.2.5 and 3.1.3.2)."""
import time

import packets as pk
from harness import (IS_EDGEGW, BrokerTestCase, PacketTypes, elapse, mosquitto_deviation,
                     props, unique_id)


def will(topic, payload=b'gone', qos=1, retain=False, will_props=None):
    return dict(topic=topic, payload=payload, qos=qos, retain=retain, props=will_props)


class WillTest(BrokerTestCase):

    def test_MQTT_3_1_2_8_will_on_lost_connection(self):
        """[MQTT-3.1.2-8] the will is published when the network connection is lost."""
        for proto in (pk.V31, pk.V311, pk.V5):
            for qos in (0, 1, 2):
                with self.subTest(proto=proto, qos=qos):
                    topic = 'will/lost/%d/%d' % (proto, qos)
                    sub = self.subscriber(topic, 2)
                    r = self.raw(proto, will=will(topic, b'lost %d' % qos, qos))
                    r.close()
                    m = sub.get()
                    self.assertEqual((m.topic, m.payload, m.qos, m.retain),
                                     (topic, b'lost %d' % qos, qos, False))

    def test_MQTT_3_1_2_10_no_will_after_disconnect(self):
        """[MQTT-3.1.2-10] a normal DISCONNECT discards the will."""
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                topic = 'will/clean/%d' % proto
                sub = self.subscriber(topic, 1)
                r = self.raw(proto, will=will(topic))
                r.disconnect()
                r.wait_closed()  # [MQTT-3.14.4-1] the server closes after DISCONNECT
                sub.assert_no_messages()

    def test_v5_disconnect_with_will_0x04(self):
        """v5 DISCONNECT with 0x04 (Disconnect with Will Message) publishes the will."""
        sub = self.subscriber('will/0x04', 1)
        r = self.raw(pk.V5, will=will('will/0x04', b'asked for it'))
        r.disconnect(rc=0x04)
        self.assertEqual(sub.get().payload, b'asked for it')

    def test_will_on_keepalive_timeout(self):
        """[MQTT-3.1.2-8] the will is published when the broker closes a connection whose
        keepalive ran out (mosquitto 2.0.11 checks only every 5 s: longer wait there)."""
        sub = self.subscriber('will/ka', 1)
        self.raw(keepalive=1, will=will('will/ka', b'timed out'))
        self.assertEqual(sub.get(timeout=4 if IS_EDGEGW else 9).payload, b'timed out')

    def test_will_on_protocol_error(self):
        """[MQTT-3.1.2-8] the will is published when the broker closes the connection
        because of a protocol error (here a PUBLISH with QoS 3)."""
        sub = self.subscriber('will/err', 1)
        r = self.raw(will=will('will/err', b'malformed'))
        r.send(pk.packet(pk.PUBLISH, 0x06, pk.string('x') + b'\x00\x01'))
        r.wait_closed()
        self.assertEqual(sub.get().payload, b'malformed')

    def test_MQTT_3_1_2_17_will_retain(self):
        """[MQTT-3.1.2-17] a will with Will Retain = 1 is published as a retained message."""
        live = self.subscriber('will/retained', 1)
        r = self.raw(will=will('will/retained', b'last words', 1, retain=True))
        r.close()
        self.assertEqual(live.get().payload, b'last words')  # published (and stored)
        later = self.subscriber('will/retained', 1)
        m = later.get()
        self.assertEqual((m.payload, m.retain), (b'last words', True))

    def test_MQTT_3_1_3_9_will_delay(self):
        """[MQTT-3.1.3-9] v5: the will is published after the Will Delay Interval."""
        sub = self.subscriber('will/delay', 1)
        r = self.raw(pk.V5, props=[(pk.P.SESSION_EXPIRY, 60)],
                     will=will('will/delay', b'late', will_props=[(pk.P.WILL_DELAY, 2)]))
        r.close()
        start = time.monotonic()
        m = sub.get(timeout=5)
        self.assertEqual(m.payload, b'late')
        self.assertGreaterEqual(time.monotonic() - start, 1.9)

    def test_MQTT_3_1_3_9_will_delay_cancelled_by_reconnect(self):
        """[MQTT-3.1.3-9] v5: reconnecting to the session within the will delay means the
        will is not published."""
        sub = self.subscriber('will/cancel', 1)
        cid = unique_id()
        r = self.raw(pk.V5, client_id=cid, props=[(pk.P.SESSION_EXPIRY, 60)],
                     will=will('will/cancel', will_props=[(pk.P.WILL_DELAY, 1)]))
        r.close()
        back = self.raw(pk.V5, client_id=cid, clean=False,
                        props=[(pk.P.SESSION_EXPIRY, 60)])
        elapse(2.5)  # past the will delay
        back.ping()
        sub.assert_no_messages()

    @mosquitto_deviation('waits for the will delay even when the session ends first')
    def test_MQTT_3_1_3_9_session_end_before_will_delay(self):
        """[MQTT-3.1.3-9] v5: the will goes out when the session ends, if that is before the
        will delay (session expiry 0: at once)."""
        sub = self.subscriber('will/session-end', 1)
        r = self.raw(pk.V5, will=will('will/session-end', b'now',
                                      will_props=[(pk.P.WILL_DELAY, 60)]))
        r.close()
        self.assertEqual(sub.get().payload, b'now')

    def test_v5_will_properties_forwarded(self):
        """v5 3.1.3.2: will properties reach the subscriber: user properties in order
        [MQTT-3.3.2-18], content type, response topic, correlation data, payload format."""
        sub = self.subscriber('will/props', 1, proto=pk.V5)
        r = self.raw(pk.V5, will=will('will/props', b'{"x":1}', will_props=[
            (pk.P.PAYLOAD_FORMAT, 1), (pk.P.CONTENT_TYPE, 'application/json'),
            (pk.P.RESPONSE_TOPIC, 'will/reply'), (pk.P.CORRELATION_DATA, b'\x01\x02'),
            (pk.P.USER_PROPERTY, ('a', '1')), (pk.P.USER_PROPERTY, ('b', '2')),
            (pk.P.USER_PROPERTY, ('a', '3'))]))
        r.close()
        m = sub.get()
        self.assertEqual(m.prop('UserProperty'), [('a', '1'), ('b', '2'), ('a', '3')])
        self.assertEqual(m.prop('ContentType'), 'application/json')
        self.assertEqual(m.prop('ResponseTopic'), 'will/reply')
        self.assertEqual(m.prop('CorrelationData'), b'\x01\x02')
        self.assertEqual(m.prop('PayloadFormatIndicator'), 1)

    def test_will_on_takeover_v5(self):
        """[MQTT-3.1.4-3] v5: a connection taken over by a new clean-start connection is
        closed without DISCONNECT 0x00, so its will (no delay) is published."""
        sub = self.subscriber('will/takeover', 1)
        cid = unique_id()
        self.raw(pk.V5, client_id=cid, will=will('will/takeover', b'taken over'))
        self.raw(pk.V5, client_id=cid)
        self.assertEqual(sub.get().payload, b'taken over')

    def test_will_topic_with_wildcard_refused(self):
        """[MQTT-3.3.2-2] a will topic becomes a topic name: wildcards make the CONNECT
        invalid; it is refused (v5: a CONNACK failure code) and nothing is published."""
        sub = self.subscriber('will/#', 1)
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                r = self.raw(proto, connect=False)
                r.send(pk.connect(unique_id(), proto=proto, will=will('will/+/bad')))
                if proto == pk.V5:
                    self.assert_closed(r, pk.CONNACK, (0x90, 0x82, 0x81, 0x80))
                else:
                    self.assert_closed(r)
        sub.assert_no_messages()

    def test_paho_will(self):
        """A paho client's will (v3.1.1 and v5 with properties) on abort()."""
        sub = self.subscriber('will/paho/#', 1, proto=pk.V5)
        c = self.client(proto=pk.V311, connect=False)
        c.connect(will=dict(topic='will/paho/311', payload=b'a', qos=1))
        c.abort()
        self.assertEqual(sub.get().payload, b'a')
        c5 = self.client(proto=pk.V5, connect=False)
        c5.connect(will=dict(topic='will/paho/5', payload=b'b', qos=1,
                             props=props(PacketTypes.WILLMESSAGE, UserProperty=[('k', 'v')])))
        c5.abort()
        m = sub.get()
        self.assertEqual((m.payload, m.prop('UserProperty')), (b'b', [('k', 'v')]))
