"""09 bad input (SPEC section 11): garbage, malformed and oversized packets close only the
offending connection — with the v5 reason code in CONNACK/DISCONNECT — while a bystander
client connected all along keeps working and the broker keeps running."""
import random

import packets as pk
from harness import BrokerTestCase, mosquitto_deviation, with_config

V311, V5 = pk.V311, pk.V5
MALFORMED, PROTOCOL, TOPIC_INVALID, TOO_LARGE = 0x81, 0x82, 0x90, 0x95


def remaining_length_5_bytes(first_byte):
    return bytes([first_byte, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])


class BadInputTest(BrokerTestCase):

    def setUp(self):
        super().setUp()
        self.bystander = self.subscriber('bystander/x', 1)
        self.rounds = 0

    def assert_bystander_ok(self):
        self.assert_broker_alive()
        self.rounds += 1
        payload = b'still fine %d' % self.rounds
        self.bystander.publish('bystander/x', payload, 1)
        self.assertEqual(self.bystander.get().payload, payload)

    def check(self, data, proto=V311, codes=None, connected=True):
        """Send `data` (after a valid CONNECT if `connected`); the broker must close the
        connection, for v5 with CONNACK (before CONNECT) or DISCONNECT carrying one of
        `codes`; then the bystander must still be served."""
        r = self.raw(proto, connect=connected)
        r.send(data)
        if proto == V5 and codes is not None:
            self.assert_closed(r, pk.DISCONNECT if connected else pk.CONNACK, codes)
        else:
            self.assert_closed(r)
        self.assert_bystander_ok()

    # -- not MQTT at all ----------------------------------------------------------------

    def test_garbage_instead_of_connect(self):
        """Bytes that are no MQTT at all, as the first thing on a connection."""
        rng = random.Random(1883)
        blobs = [b'\xff' * 64, b'GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n', b'\x00' * 16,
                 b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',  # a TLS ClientHello
                 bytes(rng.getrandbits(8) for _ in range(512))]
        for blob in blobs:
            with self.subTest(blob=blob[:12]):
                self.check(blob, connected=False)

    def test_random_bytes_after_connect(self):
        """Seeded random bytes after a valid CONNECT (3.1.1 and 5): whatever the broker
        does with each connection, it stays up and serves others."""
        rng = random.Random(20240611)
        for i in range(40):
            proto = V5 if i % 2 else V311
            r = self.raw(proto)
            r.send(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300))))
            r.close()
        self.assert_bystander_ok()

    def test_stalled_partial_packet_does_not_block_others(self):
        """A connection that sends half a packet and stalls holds up nobody."""
        r = self.raw()
        r.send(pk.publish('bystander/x', b'y' * 100, 1, pid=1)[:50])
        for _ in range(3):
            self.assert_bystander_ok()
        r.expect_open(0.2)

    # -- malformed framing -----------------------------------------------------------

    def test_MQTT_1_5_5_remaining_length_over_4_bytes(self):
        """v5 1.5.5: a Variable Byte Integer longer than 4 bytes is malformed."""
        self.check(remaining_length_5_bytes(0x10), connected=False)
        for proto in (V311, V5):
            with self.subTest(proto=proto):
                self.check(remaining_length_5_bytes(0x30), proto, MALFORMED)

    def test_reserved_packet_types(self):
        """Packet type 0 (reserved) and 15 (AUTH, 3.1.1 has none) close the connection;
        v5: AUTH without an authentication method is a Protocol Error."""
        self.check(pk.packet(0, 0, b''), V311)
        self.check(pk.packet(15, 0, b''), V311)
        self.check(pk.packet(0, 0, b''), V5, (MALFORMED, PROTOCOL))
        self.check(pk.packet(pk.AUTH, 0, b'\x18\x00'), V5, (PROTOCOL, MALFORMED))

    def test_server_only_packets_from_client(self):
        """CONNACK, SUBACK, UNSUBACK, PINGRESP are never sent by a client."""
        for ptype, body in ((pk.CONNACK, b'\x00\x00'), (pk.SUBACK, b'\x00\x01\x00'),
                            (pk.UNSUBACK, b'\x00\x01')):
            with self.subTest(type=pk.TYPE_NAMES[ptype]):
                self.check(pk.packet(ptype, 0, body), V5, (PROTOCOL, MALFORMED))

    @mosquitto_deviation('ignores a PINGRESP from a client')
    def test_pingresp_from_client(self):
        """A PINGRESP is never sent by a client: Protocol Error."""
        self.check(pk.packet(pk.PINGRESP, 0, b''), V311)
        self.check(pk.packet(pk.PINGRESP, 0, b''), V5, (PROTOCOL, MALFORMED))

    # -- malformed CONNECT -------------------------------------------------------------

    def test_malformed_connect(self):
        """Malformed CONNECTs: string lengths beyond the packet, will QoS 3, will QoS without
        the will flag [MQTT-3.1.2-11/13], invalid UTF-8 client id; v5 CONNACK 0x81."""
        # Before the protocol level is read nothing says it is v5: a plain close.
        self.check(pk.packet(pk.CONNECT, 0, b'\xff\xffMQTT'), V5, connected=False)
        cid = pk.string('cid')
        cases = {
            'truncated header': pk.packet(pk.CONNECT, 0, pk.string('MQTT') + b'\x05'),
            'will qos 3': pk.packet(pk.CONNECT, 0, pk.string('MQTT') + bytes(
                [5, 0x02 | 0x04 | 0x18, 0, 60, 0]) + cid + b'\x00' + pk.string('w')
                + pk.string('x')),
            'will qos without will flag': pk.packet(pk.CONNECT, 0, pk.string('MQTT') + bytes(
                [5, 0x02 | 0x08, 0, 60, 0]) + cid),
            'client id length beyond packet': pk.packet(pk.CONNECT, 0, pk.string('MQTT')
                                                        + bytes([5, 2, 0, 60, 0]) + b'\x00\x40ab'),
            'invalid utf-8 client id': pk.connect(b'c\xff\xfe', proto=V5),
        }
        for name, data in cases.items():
            with self.subTest(case=name):
                self.check(data, V5, (MALFORMED, PROTOCOL, 0x85), connected=False)

    def test_v5_connect_bad_properties(self):
        """v5 CONNECT: a property twice is a Protocol Error (CONNACK 0x82); an unknown
        property id or a property length past the packet is malformed (0x81)."""
        dup = pk.connect('cid', proto=V5, props=[(pk.P.SESSION_EXPIRY, 1),
                                                 (pk.P.SESSION_EXPIRY, 2)])
        self.check(dup, V5, PROTOCOL, connected=False)
        head = pk.string('MQTT') + bytes([5, 2, 0, 60])
        unknown = pk.packet(pk.CONNECT, 0, head + b'\x02\x7f\x00' + pk.string('cid'))
        self.check(unknown, V5, (MALFORMED, PROTOCOL), connected=False)
        overrun = pk.packet(pk.CONNECT, 0, head + b'\x20\x11\x00' + pk.string('cid'))
        self.check(overrun, V5, MALFORMED, connected=False)

    # -- malformed PUBLISH / SUBSCRIBE ------------------------------------------------

    def test_MQTT_3_3_1_4_publish_qos_3(self):
        """[MQTT-3.3.1-4] a PUBLISH with both QoS bits set is malformed (v5 0x81)."""
        data = pk.packet(pk.PUBLISH, 0x06, pk.string('a') + b'\x00\x01')
        self.check(data, V311)
        self.check(pk.packet(pk.PUBLISH, 0x06, pk.string('a') + b'\x00\x01\x00'), V5, MALFORMED)

    def test_MQTT_3_3_2_2_wildcards_in_topic_name(self):
        """[MQTT-3.3.2-2] a topic name with '+' or '#' is refused: close (v5 DISCONNECT
        0x90 Topic Name invalid, or 0x82/0x81)."""
        for topic in ('a/+', 'a/#', '#'):
            with self.subTest(topic=topic):
                self.check(pk.publish(topic, b'x', 0), V311)
                self.check(pk.publish(topic, b'x', 0, proto=V5), V5,
                           (TOPIC_INVALID, PROTOCOL, MALFORMED))

    def test_MQTT_1_5_4_invalid_utf8_topic(self):
        """[MQTT-1.5.4-1/2] ill-formed UTF-8, an encoded surrogate, or U+0000 in a topic
        name makes the packet malformed: close (v5 DISCONNECT 0x81, or 0x90)."""
        for topic in (b'a/\xff\xfe', b'a/\xed\xa0\x80', b'a\x00b', b'\xc0\xaf'):
            with self.subTest(topic=topic):
                self.check(pk.publish(topic, b'x', 0), V311)
                self.check(pk.publish(topic, b'x', 0, proto=V5), V5, (MALFORMED, TOPIC_INVALID))
        self.check(pk.subscribe(1, [(b'f/\xff', 0)]), V311)

    def test_empty_topic_name_without_alias(self):
        """[MQTT-4.7.3-1] topic names are at least one character (v5: 0x82 without an
        alias)."""
        self.check(pk.publish('', b'x', 0), V311)
        self.check(pk.publish('', b'x', 0, proto=V5), V5, (PROTOCOL, TOPIC_INVALID))

    def test_MQTT_2_2_1_3_packet_id_zero(self):
        """[MQTT-2.2.1-3] QoS 1 and 2 PUBLISH need a non-zero packet id."""
        for qos in (1, 2):
            with self.subTest(qos=qos):
                self.check(pk.publish('a', b'x', qos, pid=0), V311)
                self.check(pk.publish('a', b'x', qos, pid=0, proto=V5), V5,
                           (PROTOCOL, MALFORMED))

    def test_MQTT_3_8_1_1_wrong_fixed_header_flags(self):
        """[MQTT-3.8.1-1, 3.10.1-1, 3.6.1-1, 2.2.2-2] SUBSCRIBE, UNSUBSCRIBE and PUBREL
        need flags 0010; others are malformed (v5 0x81)."""
        sub = pk.subscribe(1, [('a', 0)])
        unsub = pk.unsubscribe(1, ['a'])
        for name, data in (('SUBSCRIBE', bytes([0x80]) + sub[1:]),
                           ('UNSUBSCRIBE', bytes([0xA0]) + unsub[1:]),
                           ('PUBREL', bytes([0x60]) + pk.pubrel(1)[1:])):
            with self.subTest(packet=name):
                self.check(data, V311)
                self.check(data, V5, MALFORMED)

    @mosquitto_deviation('ignores the flag bits of PINGREQ')
    def test_MQTT_2_2_2_2_pingreq_flags(self):
        """[MQTT-2.2.2-2] a PINGREQ with flags other than 0000 is malformed (v5 0x81)."""
        self.check(b'\xc1\x00', V311)
        self.check(b'\xc1\x00', V5, MALFORMED)

    def test_MQTT_3_8_3_3_subscribe_without_filters(self):
        """[MQTT-3.8.3-3] (3.1.1) / [MQTT-3.8.3-2] (5): a SUBSCRIBE must carry at least one
        filter (v5: Protocol Error 0x82)."""
        self.check(pk.packet(pk.SUBSCRIBE, 2, b'\x00\x01'), V311)
        self.check(pk.packet(pk.SUBSCRIBE, 2, b'\x00\x01\x00'), V5, (PROTOCOL, MALFORMED))
        self.check(pk.packet(pk.UNSUBSCRIBE, 2, b'\x00\x01'), V311)

    def test_MQTT_3_8_3_5_subscription_options_reserved_bits(self):
        """[MQTT-3.8.3-4] (3.1.1: QoS byte upper bits) / [MQTT-3.8.3-5] (5: reserved bits
        6-7) must be 0: malformed. Retain Handling 3 is malformed too (v5)."""
        self.check(pk.subscribe(1, [('a', 0x40 | 1)]), V311)
        self.check(pk.subscribe(1, [('a', 3)]), V311)
        self.check(pk.subscribe(1, [('a', 0xC1)], proto=V5), V5, (MALFORMED, PROTOCOL))
        self.check(pk.subscribe(1, [('a', 0x30)], proto=V5), V5, (MALFORMED, PROTOCOL))

    # -- size limits -----------------------------------------------------------------

    @with_config({'mqtt.max_packet_size': '1KB'})
    def test_oversized_packets(self):
        """Over mqtt.max_packet_size: close (v5 DISCONNECT 0x95), for PUBLISH and
        SUBSCRIBE, and CONNACK 0x95 for an oversized CONNECT."""
        big = b'z' * 2048
        self.check(pk.publish('a', big, 1, pid=1), V311)
        self.check(pk.publish('a', big, 1, pid=1, proto=V5), V5, TOO_LARGE)
        self.check(pk.subscribe(1, [('s/' + 'x' * 1500, 0)], proto=V5), V5, TOO_LARGE)
        self.check(pk.connect('big', proto=V5, username='u', password=big), V5,
                   TOO_LARGE, connected=False)

    @with_config({'mqtt.max_packet_size': '1KB'})
    def test_huge_announced_length_rejected_before_body(self):
        """A remaining length of 256 MB is refused from the header alone (limits are
        enforced before memory is committed, SPEC section 11): the close comes without
        the body ever being sent."""
        huge = b'\x32' + pk.varint(268435455)
        for proto in (V311, V5):
            with self.subTest(proto=proto):
                self.check(huge, proto, TOO_LARGE if proto == V5 else None)
        self.check(b'\x10' + pk.varint(268435455), V311, connected=False)
