"""48 libcoap variant (protocols/coap/stack/libcoap_api.hpp): edgegw maps Debian's
libcoap-3-notls unless a CoAP or LwM2M DTLS endpoint has keys, then libcoap-3-openssl for
both gateways, logs which, and serves CoAP either way. CoAP peer: coap-client
(libcoap3-bin). The loaded library is read from /proc/PID/maps."""
import importlib

from harness import edgegw_only, with_config

coapt = importlib.import_module('40_coap_pubsub')
lwm2m = importlib.import_module('80_lwm2m_register')
coap, coap_code = coapt.coap, coapt.coap_code

NOTLS, OPENSSL = 'libcoap-3-notls.so.3', 'libcoap-3-openssl.so.3'
PSK = {'gateway.coap.psk_identity': 'dev1', 'gateway.coap.psk_key': 'secret1'}
LWM2M_PSK = {'gateway.lwm2m.psk_identity': 'dtls-a', 'gateway.lwm2m.psk_key': 'key-a-secret'}


@edgegw_only('CoAP gateway')
class LibcoapVariantTest(coapt.CoapTestCase):
    CONFIG = dict(coapt.COAP_CONFIG, **lwm2m.LWM2M_CONFIG)

    def mapped(self):
        """libcoap sonames mapped by the broker process."""
        with open('/proc/%d/maps' % self.broker.proc.pid) as f:
            return {so for line in f for so in (NOTLS, OPENSSL) if so in line}

    def loaded_line(self):
        with open(self.broker.log_path, 'rb') as f:
            return [line for line in f.read().decode(errors='replace').splitlines()
                    if 'libcoap_loaded' in line]

    def assert_plain_post_works(self):
        sub = self.subscriber('v/#', 1)
        self.assertEqual(coap_code(self.uri('ps/v/plain'), 'post', 'plain'), '2.04')
        self.assertEqual(sub.get().payload, b'plain')
        return sub

    def test_no_dtls_keys_notls(self):
        """Neither gateway has DTLS keys (the shipped default): the notls variant, once."""
        self.assert_plain_post_works()
        self.assertEqual(self.mapped(), {NOTLS})
        lines = self.loaded_line()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn('variant=notls soname=' + NOTLS, lines[0])

    @with_config(PSK)
    def test_coap_psk_openssl(self):
        """CoAP with a PSK: the OpenSSL variant; coaps:// and coap:// both served."""
        sub = self.assert_plain_post_works()
        rc, _ = coap(self.uri('ps/v/dtls', 'coaps'), 'post', 'dtls', ['-u', 'dev1', '-k', 'secret1'])
        self.assertEqual(rc, 0)
        self.assertEqual(sub.get().payload, b'dtls')
        self.assertEqual(self.mapped(), {OPENSSL})
        lines = self.loaded_line()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn('variant=openssl soname=' + OPENSSL, lines[0])

    @with_config(LWM2M_PSK)
    def test_lwm2m_psk_openssl_for_both(self):
        """Only LwM2M has DTLS keys: one process-wide OpenSSL variant, plain CoAP still served."""
        self.assert_plain_post_works()
        self.assertEqual(self.mapped(), {OPENSSL})
        self.assertIn('variant=openssl', self.loaded_line()[0])

    @with_config({'gateway.coap.enable': False, 'gateway.lwm2m.enable': False})
    def test_no_coap_gateway_no_libcoap(self):
        """Both CoAP gateways off: libcoap is not loaded at all."""
        self.assertEqual(self.mapped(), set())
        self.assertEqual(self.loaded_line(), [])

