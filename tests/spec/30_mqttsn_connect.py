"""30 MQTT-SN connection life cycle (MQTT-SN 1.2 sections 6.1-6.6, 6.14): SEARCHGW/GWINFO,
CONNECT with and without the will handshake, will updates, keepalive expiry firing the will,
DISCONNECT, a client id reconnecting from a new address, limits, authentication, IPv6 and
forwarders."""
import socket

from harness import with_config
from mqttsn_base import MqttSnTestCase
from mqttsn_client import ACCEPTED, CONGESTION, DISCONNECT, NOT_SUPPORTED, SnClient


class ConnectTest(MqttSnTestCase):

    def test_searchgw_answered_to_the_sender(self):
        c = self.sn(connect=False)
        self.assertEqual(c.searchgw(), 1)

    @with_config({'gateway.mqttsn.gateway_id': 77})
    def test_gateway_id_configurable(self):
        self.assertEqual(self.sn(connect=False).searchgw(), 77)

    def test_connect_is_a_broker_session_seen_by_mqtt(self):
        """An MQTT-SN client is a normal session: its connect event shows in $SYS."""
        sub = self.subscriber('$SYS/brokers/test/clients/sn-visible/connected', 0)
        self.sn('sn-visible')
        self.assertIn(b'"proto_name":"mqttsn"', sub.get().payload)

    def test_will_handshake_and_will_on_keepalive_expiry(self):
        sub = self.subscriber('will/sn', 1)
        c = self.sn('will-ka', duration=1, will=('will/sn', b'sensor gone', 1, False))
        del c  # silent from now on: 1.5 x 1 s later the gateway gives up
        m = sub.get(timeout=5)
        self.assertEqual((m.topic, m.payload, m.qos), ('will/sn', b'sensor gone', 1))

    def test_will_updates(self):
        sub = self.subscriber('will/#', 1)
        c = self.sn(duration=1, will=('will/old', b'old', 0, False))
        self.assertEqual(c.will_topic_update('will/new', qos=1), ACCEPTED)
        self.assertEqual(c.will_msg_update(b'updated'), ACCEPTED)
        m = sub.get(timeout=5)
        self.assertEqual((m.topic, m.payload), ('will/new', b'updated'))

    def test_will_removed_by_empty_willtopicupd(self):
        sub = self.subscriber('will/removed', 1)
        c = self.sn(duration=1, will=('will/removed', b'x', 0, False))
        self.assertEqual(c.will_topic_update(None), ACCEPTED)
        probe = self.sn(duration=1, will=('will/removed', b'probe', 0, False))
        del probe
        # The probe's will (same topic) arrives after the first client's keepalive ran out
        # too; only the probe's may come.
        self.assertEqual(sub.get(timeout=5).payload, b'probe')
        sub.assert_no_messages()

    def test_disconnect_discards_the_will(self):
        sub = self.subscriber('will/bye', 1)
        c = self.sn(duration=1, will=('will/bye', b'x', 0, False))
        c.disconnect()
        probe = self.sn(duration=1, will=('will/bye', b'probe', 0, False))
        del probe
        self.assertEqual(sub.get(timeout=5).payload, b'probe')

    def test_same_client_id_from_a_new_address_takes_over(self):
        old = self.sn('roamer')
        tid = old.register('roam/t')
        new = self.sn('roamer', clean=False)
        self.assertEqual(new.subscribe('roam/in', 1)[0], ACCEPTED)
        self.mqtt_pub = self.client()
        self.mqtt_pub.publish('roam/in', b'to the new address', 1)
        self.assertEqual(new.get().payload, b'to the new address')
        # The old address is no client any more: it is told so.
        old.publish(tid, b'x', qos=1, wait=False)
        old.expect(DISCONNECT)

    @with_config({'gateway.mqttsn.max_clients': 1})
    def test_max_clients(self):
        self.sn()
        c = self.sn(connect=False)
        self.assertEqual(c.connect('second', expect_rc=None), CONGESTION)

    @with_config({'auth.allow_anonymous': False})
    def test_authentication_refusal(self):
        c = self.sn(connect=False)
        self.assertEqual(c.connect('nobody', expect_rc=None), NOT_SUPPORTED)

    @with_config({'gateway.mqttsn.mountpoint': 'site/${clientid}/'})
    def test_mountpoint(self):
        sub = self.subscriber('site/#', 1)
        c = self.sn('dev1')
        c.publish(c.register('temp'), b'21', qos=1)
        m = sub.get()
        self.assertEqual((m.topic, m.payload), ('site/dev1/temp', b'21'))
        c.subscribe('cmd', 1)
        self.client().publish('site/dev1/cmd', b'on', 1)
        d = c.get()
        self.assertEqual((d.topic, d.payload), ('cmd', b'on'))

    @with_config({'gateway.mqttsn.bind': '[::1]:0'})
    def test_ipv6(self):
        try:
            socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(('::1', 0))
        except OSError:
            self.skipTest('no IPv6 loopback here')
        sub = self.subscriber('v6/t', 0)
        c = self.sn('v6', host='::1')
        c.publish(c.register('v6/t'), b'over ipv6', qos=1)
        self.assertEqual(sub.get().payload, b'over ipv6')

    def test_forwarder_encapsulation(self):
        """Two sensors behind one forwarder address are two clients, answered
        encapsulated with their wireless node ids."""
        sub = self.subscriber('fwd/#', 1)
        a = self.sn('radio-a', node_id=b'\x00\x01')
        b = SnClient(self.sn_port, node_id=b'\x00\x02')
        self._clients.append(b)
        b.sock.close()
        b.sock = a.sock  # same forwarder socket, another node
        b.connect('radio-b')
        a.publish(a.register('fwd/a'), b'from a', qos=1)
        b.publish(b.register('fwd/b'), b'from b', qos=1)
        got = sorted([sub.get().payload, sub.get().payload])
        self.assertEqual(got, [b'from a', b'from b'])

    def test_pingreq_pingresp(self):
        c = self.sn()
        c.ping()

    def test_reconnect_same_address_keeps_working(self):
        c = self.sn('again')
        c.connect('again')
        sub = self.subscriber('again/t', 0)
        c.publish(c.register('again/t'), b'ok', qos=1)
        self.assertEqual(sub.get().payload, b'ok')
