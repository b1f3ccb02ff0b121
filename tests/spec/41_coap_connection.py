"""41 CoAP gateway, connection mode and authentication (SPEC section 6): POST
/mqtt/connection -> 2.01 with a token, clientid+token on every request, PUT heartbeat
2.04, DELETE 2.02, heartbeat timeout; 4.01 for missing or wrong tokens and refused
credentials; connected/disconnected events. CoAP peer: coap-client (libcoap3-bin)."""
import importlib

import packets as pk
from clients import TIMEOUT
from harness import edgegw_only, with_config

coapt = importlib.import_module('40_coap_pubsub')
coap, coap_code = coapt.coap, coapt.coap_code


@edgegw_only('CoAP gateway')
class CoapConnectionTest(coapt.CoapTestCase):
    CONFIG = dict(coapt.COAP_CONFIG, **{'gateway.coap.connection_required': True})

    def connect(self, clientid, **creds):
        rc, out = coap(self.uri('mqtt/connection', clientid=clientid, **creds), 'post')
        self.assertEqual(rc, 0)
        token = out.decode().strip()
        self.assertRegex(token, r'^[0-9a-f]{16}$')
        return token

    def test_connect_publish_heartbeat_close(self):
        """POST /mqtt/connection gives 2.01 and a token; requests carry clientid and token;
        PUT is the heartbeat (2.04); DELETE closes (2.02) with a disconnected event."""
        ev = self.sys_subscriber('$SYS/brokers/+/clients/cm1/+')
        self.assertEqual(coap_code(self.uri('mqtt/connection', clientid='cm1')), '4.05')
        self.assertEqual(coap_code(self.uri('mqtt/connection', clientid='cmx'), 'post'), '2.01')
        token = self.connect('cm1', username='u', password='p')
        self.assertTrue(ev.get().topic.endswith('/cm1/connected'))
        sub = self.subscriber('cm/#', 1)
        self.assertEqual(coap_code(self.uri('ps/cm/a', clientid='cm1', token=token), 'post', 'in'),
                         '2.04')
        self.assertEqual(sub.get().payload, b'in')
        self.assertEqual(coap_code(self.uri('ps/cm/a', c='cm1', t=token), 'post', 'short'), '2.04')
        self.assertEqual(sub.get().payload, b'short')
        self.assertEqual(coap_code(self.uri('mqtt/connection', clientid='cm1', token=token), 'put'),
                         '2.04')
        self.assertEqual(
            coap_code(self.uri('mqtt/connection', clientid='cm1', token=token), 'delete'), '2.02')
        self.assertTrue(ev.get().topic.endswith('/cm1/disconnected'))
        # The token died with the connection.
        self.assertEqual(coap_code(self.uri('ps/cm/a', clientid='cm1', token=token), 'post', 'x'),
                         '4.01')
        sub.assert_no_messages()

    def test_requests_without_a_valid_token_get_401(self):
        """connection_required: no token, a wrong token, or an unknown client id is 4.01."""
        token = self.connect('cm2')
        sub = self.subscriber('t/#', 1)
        self.assertEqual(coap_code(self.uri('ps/t/a', clientid='cm2'), 'post', 'x'), '4.01')
        self.assertEqual(coap_code(self.uri('ps/t/a', clientid='cm2', token='0' * 16), 'post', 'x'),
                         '4.01')
        self.assertEqual(coap_code(self.uri('ps/t/a', clientid='other', token=token), 'post', 'x'),
                         '4.01')
        self.assertEqual(coap_code(self.uri('ps/t/a', token=token), 'post', 'x'), '4.01')
        self.assertEqual(coap_code(self.uri('ps/t/a', clientid='cm2', token=token), 'get', None,
                                   ['-s', '1']), '2.05')
        self.assertEqual(coap_code(self.uri('mqtt/connection', clientid='cm2', token='bad'), 'put'),
                         '4.01')
        sub.assert_no_messages()

    def test_observe_in_connection_mode(self):
        """An observer registered with clientid and token gets MQTT messages."""
        token = self.connect('cm3')
        o = self.observer('ps/cmo', clientid='cm3', token=token)
        self.client().publish('cmo', b'hello', 1)
        self.assertEqual(o.get_n(1)[0][3], 'hello')

    @with_config({'gateway.coap.heartbeat': '1s'})
    def test_heartbeat_timeout(self):
        """A connection-mode client silent for 1.5 x heartbeat is disconnected (reason:
        keepalive timeout) and its token no longer works."""
        ev = self.sys_subscriber('$SYS/brokers/+/clients/cm4/disconnected')
        token = self.connect('cm4')
        ev.get(timeout=TIMEOUT + 2)
        self.assertEqual(coap_code(self.uri('ps/x', clientid='cm4', token=token), 'post', 'x'),
                         '4.01')


@edgegw_only('CoAP gateway')
class CoapAuthTest(coapt.CoapTestCase):
    CONFIG = dict(coapt.COAP_CONFIG, **{'auth.allow_anonymous': False})

    def test_refused_credentials_get_401(self):
        """Credentials the broker refuses: 4.01 for publish, observe and connect, and
        nothing reaches MQTT subscribers (which here need credentials too)."""
        self.assertEqual(coap_code(self.uri('ps/a'), 'post', 'x'), '4.01')
        self.assertEqual(coap_code(self.uri('ps/a', c='d', u='user', p='wrong'), 'post', 'x'),
                         '4.01')
        self.assertEqual(coap_code(self.uri('ps/a', c='d'), 'get', None, ['-s', '1']), '4.01')
        self.assertEqual(
            coap_code(self.uri('mqtt/connection', clientid='d', username='u', password='p'),
                      'post'), '4.01')
        self.assertEqual(coap_code(self.uri('mqtt/a', c='d', u='u', p='p'), 'put', 'x'), '4.01')
