"""84 LwM2M over DTLS with per-endpoint PSK (SPEC sections 3 and 7): identities from
psk_identity/psk_key and a psk_file; a device registers over DTLS only with the identity
that is its endpoint name; commands travel back over its DTLS session; a wrong key gets
nothing through. Device: tests/lwm2m_sim over libcoap DTLS (OpenSSL)."""
import importlib
import os
import tempfile

from clients import unique_id
from harness import edgegw_only

base = importlib.import_module('80_lwm2m_register')

PSK_DIR = tempfile.mkdtemp(prefix='edgegw-lwm2m-psk-')
PSK_FILE = os.path.join(PSK_DIR, 'psk.txt')
with open(PSK_FILE, 'w') as _f:
    _f.write('# identity:hexkey\ndtls-b:%s\n' % b'key-b-secret'.hex())


@edgegw_only('LwM2M gateway')
class Lwm2mDtlsTest(base.Lwm2mTestCase):
    CONFIG = dict(base.LWM2M_CONFIG, **{
        'gateway.lwm2m.psk_identity': 'dtls-a', 'gateway.lwm2m.psk_key': 'key-a-secret',
        'gateway.lwm2m.psk_file': PSK_FILE})

    def test_register_and_read_over_dtls(self):
        """Both identities register over DTLS as their endpoint; a read goes to the device
        over its DTLS session."""
        for ep, key in (('dtls-a', 'key-a-secret'), ('dtls-b', 'key-b-secret')):
            app = self.app(ep)
            _, sim = self.device(ep, dtls=True, extra=('-k', '%s:%s' % (ep, key)))
            _, ev = self.next_json(app, 'register')
            self.assertEqual(ev['data']['ep'], ep)
            resp = self.command(app, ep, {'reqID': 1, 'msgType': 'read',
                                          'data': {'path': '/3/0/0'}})
            self.assertEqual(resp['data']['content'][0]['value'], 'Open Mobile Alliance')
            sim.wait('REQ GET /3/0/0')

    def test_identity_must_be_the_endpoint(self):
        """A valid PSK identity registering another endpoint name is refused (4.01)."""
        app = self.subscriber('lwm2m/#', 1)
        _, sim = self.device('someone-else', dtls=True, register=False,
                             extra=('-k', 'dtls-a:key-a-secret'))
        self.assertTrue(sim.wait('FAILED').startswith('FAILED 4.01'))
        self.assertIsNone(app.poll(0.3))

    def test_wrong_key_gets_nothing_through(self):
        """A wrong key fails the handshake: no registration, no event; a right one after
        it still works."""
        app = self.subscriber('lwm2m/#', 1)
        _, bad = self.device('dtls-a', dtls=True, register=False,
                             extra=('-k', 'dtls-a:wrong'))
        ep = 'dtls-b'
        _, good = self.device(ep, dtls=True, extra=('-k', 'dtls-b:key-b-secret'))
        topic, ev = self.next_json(app, 'register')
        self.assertEqual(ev['data']['ep'], ep)
        self.assertFalse([l for l in bad.drain() if l.startswith('REGISTERED')])

    def test_plain_udp_still_served(self):
        """The DTLS listener comes in addition to plain UDP."""
        ep = 'plain-' + unique_id()
        app = self.app(ep)
        self.device(ep)
        self.next_json(app, 'register')


if __name__ == '__main__':
    import unittest
    unittest.main()
