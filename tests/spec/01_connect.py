"""01 connect: protocol levels, CONNACK codes, client id rules, takeover, keepalive and the
idle timeout before CONNECT (MQTT 3.1.1 section 3.1-3.2, MQTT 5 section 3.1-3.2)."""
import time

import packets as pk
from harness import (IS_EDGEGW, BrokerTestCase, PacketTypes, mosquitto_deviation, props,
                     unique_id, with_config)


class ConnectTest(BrokerTestCase):

    def test_MQTT_3_1_2_2_supported_levels(self):
        """[MQTT-3.1.2-2] levels 3 (3.1), 4 (3.1.1) and 5 are accepted, with paho."""
        for proto in (pk.V31, pk.V311, pk.V5):
            with self.subTest(proto=proto):
                c = self.client(proto=proto)
                self.assertFalse(c.session_present)
                topic = 'connect/%d' % proto
                c.subscribe(topic, 1)
                c.publish(topic, b'x', 1)
                self.assertEqual(c.get().payload, b'x')
                c.disconnect()

    def test_MQTT_3_1_2_2_unsupported_level(self):
        """[MQTT-3.1.2-2] an unknown protocol level gets CONNACK 0x01 (or v5's 0x84) and a
        close."""
        r = self.raw(connect=False)
        body = pk.string('MQTT') + bytes([6, 0x02, 0, 60]) + pk.string(unique_id())
        r.send(pk.packet(pk.CONNECT, 0, body))
        self.assert_closed(r, pk.CONNACK, (0x01, 0x84), strict=True)

    def test_MQTT_3_1_2_1_bad_protocol_name(self):
        """[MQTT-3.1.2-1] a wrong protocol name is never accepted; the connection closes."""
        r = self.raw(connect=False)
        body = pk.string('MQTX') + bytes([4, 0x02, 0, 60]) + pk.string(unique_id())
        r.send(pk.packet(pk.CONNECT, 0, body))
        self.assert_closed(r)

    def test_MQTT_3_1_0_1_first_packet_must_be_connect(self):
        """[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection."""
        r = self.raw(connect=False)
        r.send(pk.pingreq())
        got = self.assert_closed(r)
        self.assertFalse([p for p in got if p.type == pk.PINGRESP], got)

    def test_MQTT_3_1_0_2_second_connect(self):
        """[MQTT-3.1.0-2] a second CONNECT is a protocol violation: close (v5: 0x82)."""
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                r = self.raw(proto)
                r.send(pk.connect(unique_id(), proto=proto))
                self.assert_closed(r, pk.DISCONNECT if proto == pk.V5 else None, 0x82)
        self.assert_roundtrip()

    def test_MQTT_3_1_2_3_reserved_flag(self):
        """[MQTT-3.1.2-3] the reserved CONNECT flag must be 0, else the connection closes."""
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                r = self.raw(proto, connect=False)
                r.send(pk.connect(unique_id(), proto=proto, flags_extra=0x01))
                self.assert_closed(r, pk.CONNACK if proto == pk.V5 else None, 0x81)

    def test_MQTT_3_1_2_22_password_without_username(self):
        """[MQTT-3.1.2-22] 3.1.1: the password flag without the user name flag is refused."""
        r = self.raw(connect=False)
        r.send(pk.connect(unique_id(), password=b'secret'))
        self.assert_closed(r)

    def test_MQTT_3_1_3_8_empty_id_needs_clean_session(self):
        """[MQTT-3.1.3-8] 3.1.1: an empty client id with CleanSession=0 gets CONNACK 0x02."""
        r = self.raw(connect=False)
        r.send(pk.connect('', clean=False))
        self.assert_closed(r, pk.CONNACK, 0x02, strict=True)

    def test_MQTT_3_1_3_6_empty_id_with_clean_session(self):
        """[MQTT-3.1.3-6] 3.1.1: an empty client id with CleanSession=1 is accepted."""
        c = self.client(client_id='', proto=pk.V311)
        c.subscribe('empty/id', 1)
        c.publish('empty/id', b'ok', 1)
        self.assertEqual(c.get().payload, b'ok')

    def test_MQTT_3_2_2_16_assigned_client_identifier(self):
        """[MQTT-3.2.2-16] v5: an empty client id gets an Assigned Client Identifier."""
        r = self.raw(pk.V5, connect=False)
        r.send(pk.connect('', proto=pk.V5))
        ack = r.expect(pk.CONNACK)
        self.assertEqual(ack.rc, 0)
        assigned = ack.props.get(pk.P.ASSIGNED_CLIENT_ID)
        self.assertTrue(assigned, ack)
        # The assigned id is a real session: a second empty-id client gets another one.
        r2 = self.raw(pk.V5, connect=False)
        r2.send(pk.connect('', proto=pk.V5))
        self.assertNotEqual(r2.expect(pk.CONNACK).props.get(pk.P.ASSIGNED_CLIENT_ID), assigned)
        r.ping()

    @with_config({'mqtt.allow_empty_clientid': False})
    def test_empty_client_id_disallowed(self):
        """mqtt.allow_empty_clientid=false: 3.1.1 CONNACK 0x02, v5 CONNACK 0x85."""
        for proto, code in ((pk.V311, 0x02), (pk.V5, 0x85)):
            with self.subTest(proto=proto):
                r = self.raw(proto, connect=False)
                r.send(pk.connect('', proto=proto))
                # mosquitto answers v5 with 0x80 (Unspecified error): allowed by the spec
                # (any failure code), but edgegw answers 0x85 as EMQX does.
                allowed = (code,) if IS_EDGEGW or proto != pk.V5 else (code, 0x80)
                self.assert_closed(r, pk.CONNACK, allowed, strict=True)

    @with_config({'mqtt.max_clientid_len': 23})
    def test_max_clientid_len(self):
        """mqtt.max_clientid_len: a longer id is rejected (0x02 / v5 0x85), equal is fine."""
        self.raw(client_id='c' * 23)
        for proto, code in ((pk.V311, 0x02), (pk.V5, 0x85)):
            with self.subTest(proto=proto):
                r = self.raw(proto, connect=False)
                r.send(pk.connect('c' * 24, proto=proto))
                self.assert_closed(r, pk.CONNACK, code, strict=True)

    def test_MQTT_3_1_4_2_takeover(self):
        """[MQTT-3.1.4-2] a second connection with the same client id closes the first."""
        cid = unique_id()
        first = self.client(cid)
        second = self.client(cid)
        first.wait_disconnected()
        second.subscribe('takeover', 1)
        second.publish('takeover', b'still here', 1)
        self.assertEqual(second.get().payload, b'still here')

    def test_takeover_v5_reason_0x8E(self):
        """[MQTT-3.1.4-3] v5: the old connection gets DISCONNECT 0x8E (Session taken over)
        and is closed (mosquitto 2.0.11 closes without the DISCONNECT)."""
        cid = unique_id()
        first = self.raw(pk.V5, client_id=cid)
        self.raw(pk.V5, client_id=cid)
        self.assert_closed(first, pk.DISCONNECT, 0x8E)

    @mosquitto_deviation('checks keepalives only every 5 s')
    def test_MQTT_3_1_2_24_keepalive_timeout(self):
        """[MQTT-3.1.2-24] no packet within 1.5 x Keep Alive: the broker disconnects (v5:
        optionally DISCONNECT 0x8D first). Not before the Keep Alive itself has passed."""
        for proto in (pk.V311, pk.V5):
            with self.subTest(proto=proto):
                r = self.raw(proto, keepalive=1)
                start = time.monotonic()
                self.assert_closed(r, pk.DISCONNECT if proto == pk.V5 else None, 0x8D,
                                   timeout=4.0, strict=False)
                took = time.monotonic() - start
                self.assertGreaterEqual(took, 1.0, 'closed before the keepalive ran out')
                self.assertLess(took, 3.5, 'closed long after 1.5 x keepalive')

    def test_keepalive_pingreq_keeps_connection(self):
        """[MQTT-3.1.2-23] PINGREQs within the keepalive keep the connection open."""
        r = self.raw(keepalive=1)
        for _ in range(5):  # 5 x 0.5 s: well past 1.5 x keepalive in total
            r.expect_open(0.5)
            r.ping()

    @with_config({'mqtt.idle_timeout': '1s'})
    def test_idle_timeout_before_connect(self):
        """mqtt.idle_timeout: a connection that sends no CONNECT is closed after it."""
        r = self.raw(connect=False)
        start = time.monotonic()
        r.wait_closed(timeout=4.0)
        self.assertGreaterEqual(time.monotonic() - start, 0.9)
        self.assert_roundtrip()

    @with_config({'mqtt.max_keepalive': 10})
    def test_v5_server_keep_alive_caps_client(self):
        """[MQTT-3.2.2-21] v5: a keepalive above the broker's maximum is answered with a
        Server Keep Alive the client must use."""
        r = self.raw(pk.V5, connect=False)
        r.send(pk.connect(unique_id(), proto=pk.V5, keepalive=60))
        ack = r.expect(pk.CONNACK)
        self.assertEqual(ack.rc, 0)
        self.assertEqual(ack.props.get(pk.P.SERVER_KEEP_ALIVE), 10)

    @with_config({'mqtt.server_keepalive': 5})
    def test_v5_server_keepalive_setting(self):
        """mqtt.server_keepalive: v5 clients are told to use it in CONNACK, as EMQX."""
        r = self.raw(pk.V5, connect=False)
        r.send(pk.connect(unique_id(), proto=pk.V5, keepalive=60))
        self.assertEqual(r.expect(pk.CONNACK).props.get(pk.P.SERVER_KEEP_ALIVE), 5)

    @with_config({'mqtt.max_inflight': 7, 'mqtt.max_packet_size': '2KB',
                  'mqtt.max_qos_allowed': 1, 'mqtt.retain_available': False,
                  'mqtt.max_topic_alias': 9})
    def test_v5_connack_properties(self):
        """v5 CONNACK announces Receive Maximum, Maximum Packet Size, Maximum QoS, Retain
        Available and Topic Alias Maximum from the configuration (section 3.2.2.3)."""
        r = self.raw(pk.V5, connect=False)
        r.send(pk.connect(unique_id(), proto=pk.V5))
        ack = r.expect(pk.CONNACK)
        self.assertEqual(ack.rc, 0)
        got = {k: ack.props.get(k) for k in (
            pk.P.RECEIVE_MAXIMUM, pk.P.MAXIMUM_PACKET_SIZE, pk.P.MAXIMUM_QOS,
            pk.P.RETAIN_AVAILABLE, pk.P.TOPIC_ALIAS_MAXIMUM)}
        self.assertEqual(got, {pk.P.RECEIVE_MAXIMUM: 7, pk.P.MAXIMUM_PACKET_SIZE: 2048,
                               pk.P.MAXIMUM_QOS: 1, pk.P.RETAIN_AVAILABLE: 0,
                               pk.P.TOPIC_ALIAS_MAXIMUM: 9}, ack)

    @with_config({'mqtt.wildcard_subscription': False, 'mqtt.shared_subscription': False})
    def test_v5_connack_subscription_availability(self):
        """v5 CONNACK: Wildcard / Shared Subscription Available = 0 when disabled."""
        r = self.raw(pk.V5, connect=False)
        r.send(pk.connect(unique_id(), proto=pk.V5))
        ack = r.expect(pk.CONNACK)
        self.assertEqual(ack.props.get(pk.P.WILDCARD_SUB_AVAILABLE), 0, ack)
        self.assertEqual(ack.props.get(pk.P.SHARED_SUB_AVAILABLE), 0, ack)

    def test_v5_unsupported_authentication_method(self):
        """[MQTT-4.12.0-1] v5: an unknown Authentication Method gets CONNACK 0x8C (or 0x87)
        and a close."""
        r = self.raw(pk.V5, connect=False)
        r.send(pk.connect(unique_id(), proto=pk.V5,
                          props=[(pk.P.AUTH_METHOD, 'NO-SUCH-METHOD')]))
        self.assert_closed(r, pk.CONNACK, (0x8C, 0x87), strict=True)

    @with_config({'auth.allow_anonymous': False})
    def test_anonymous_refused(self):
        """auth.allow_anonymous=false: 3.1.1 CONNACK 0x05 (or 0x04), v5 0x87 (or 0x86)."""
        for proto, codes in ((pk.V311, (0x04, 0x05)), (pk.V5, (0x86, 0x87))):
            with self.subTest(proto=proto):
                r = self.raw(proto, connect=False)
                r.send(pk.connect(unique_id(), proto=proto))
                self.assert_closed(r, pk.CONNACK, codes, strict=True)

    def test_v5_session_expiry_in_connect_accepted(self):
        """v5 CONNECT properties (session expiry, receive maximum, user property) with
        paho."""
        c = self.client(proto=pk.V5, properties=props(
            PacketTypes.CONNECT, SessionExpiryInterval=30, ReceiveMaximum=10,
            UserProperty=[('k', 'v')]))
        self.assertTrue(c.connected)
