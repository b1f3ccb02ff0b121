"""42 CoAP over DTLS (SPEC section 6): PSK given inline (psk_identity / psk_key, the key as
text as coap-client -k takes it) and in a psk_file (identity:hexkey lines), and
certificates (certfile / keyfile / cacertfile, verify = peer); wrong keys or missing
client certificates get nothing through. CoAP peer: coap-client (libcoap3-bin, OpenSSL)."""
import importlib
import os
import shutil
import subprocess
import tempfile

from harness import edgegw_only, with_config

coapt = importlib.import_module('40_coap_pubsub')
coap, coap_code = coapt.coap, coapt.coap_code

CERTS = tempfile.mkdtemp(prefix='edgegw-coap-certs-')


def openssl(*args):
    subprocess.run(['openssl'] + list(args), check=True, capture_output=True, cwd=CERTS)


def make_certs():
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all EC P-256."""
    if os.path.exists(os.path.join(CERTS, 'client.pem')):
        return
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key')
    openssl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=edgegw test CA',
            '-days', '2', '-out', 'ca.pem')
    for name, cn in (('server', '127.0.0.1'), ('client', 'device-1')):
        openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', name + '.key')
        openssl('req', '-new', '-key', name + '.key', '-subj', '/CN=' + cn, '-out', name + '.csr')
        ext = os.path.join(CERTS, name + '.ext')
        with open(ext, 'w') as f:
            f.write('subjectAltName=IP:127.0.0.1\n' if name == 'server' else
                    'extendedKeyUsage=clientAuth\n')
        openssl('x509', '-req', '-in', name + '.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
                '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', name + '.pem')


def cert(name):
    return os.path.join(CERTS, name)


PSK_FILE = os.path.join(CERTS, 'psk.txt')
with open(PSK_FILE, 'w') as _f:
    _f.write('# identity:hexkey\ndev2:%s\n' % b'k2secret'.hex())


@edgegw_only('CoAP gateway')
class CoapDtlsPskTest(coapt.CoapTestCase):
    CONFIG = dict(coapt.COAP_CONFIG, **{
        'gateway.coap.psk_identity': 'dev1', 'gateway.coap.psk_key': 'secret1',
        'gateway.coap.psk_file': PSK_FILE})

    def test_psk_inline_and_file(self):
        """Both PSK identities publish and observe over coaps://."""
        sub = self.subscriber('dtls/#', 1)
        rc, _ = coap(self.uri('ps/dtls/a', 'coaps'), 'post', 'inline', ['-u', 'dev1', '-k', 'secret1'])
        self.assertEqual(rc, 0)
        self.assertEqual(sub.get().payload, b'inline')
        rc, _ = coap(self.uri('ps/dtls/b', 'coaps'), 'post', 'file', ['-u', 'dev2', '-k', 'k2secret'])
        self.assertEqual(rc, 0)
        self.assertEqual(sub.get().payload, b'file')
        o = self.observer('ps/dtls/obs', 'coaps', extra=['-u', 'dev2', '-k', 'k2secret'])
        self.client().publish('dtls/obs', b'secure', 1)
        self.assertEqual(o.get_n(1)[0][3], 'secure')

    def test_wrong_key_or_identity_gets_nothing_through(self):
        """A wrong key or an unknown identity fails the handshake: nothing is published."""
        sub = self.subscriber('dtls/#', 1)
        for user, key in (('dev1', 'wrong'), ('nobody', 'secret1')):
            coap(self.uri('ps/dtls/x', 'coaps'), 'post', 'bad', ['-u', user, '-k', key],
                 timeout=2)
        rc, _ = coap(self.uri('ps/dtls/ok', 'coaps'), 'post', 'ok', ['-u', 'dev1', '-k', 'secret1'])
        self.assertEqual(sub.get().payload, b'ok')  # the first thing that arrives
        self.assertEqual(rc, 0)

    def test_plain_udp_still_served(self):
        """The DTLS listener comes in addition to plain CoAP."""
        self.assertEqual(coap_code(self.uri('ps/plain'), 'post', 'x'), '2.04')


@edgegw_only('CoAP gateway')
class CoapDtlsCertTest(coapt.CoapTestCase):

    def setUp(self):
        make_certs()
        super().setUp()

    CONFIG = dict(coapt.COAP_CONFIG, **{
        'gateway.coap.certfile': cert('server.pem'), 'gateway.coap.keyfile': cert('server.key'),
        'gateway.coap.cacertfile': cert('ca.pem'), 'gateway.coap.verify': 'peer'})

    def test_client_certificate(self):
        """verify = peer: a client with a certificate from cacertfile gets through; one
        without a certificate does not."""
        sub = self.subscriber('pki/#', 1)
        coap(self.uri('ps/pki/anon', 'coaps'), 'post', 'anon', ['-C', cert('ca.pem')], timeout=2)
        rc, _ = coap(self.uri('ps/pki/a', 'coaps'), 'post', 'with cert',
                     ['-c', cert('client.pem'), '-j', cert('client.key'), '-C', cert('ca.pem')])
        self.assertEqual(rc, 0)
        self.assertEqual(sub.get().payload, b'with cert')

    @with_config({'gateway.coap.verify': 'none'})
    def test_server_certificate_only(self):
        """verify = none: clients need no certificate; they can check the server's."""
        sub = self.subscriber('pki/#', 1)
        rc, _ = coap(self.uri('ps/pki/b', 'coaps'), 'post', 'no client cert', ['-C', cert('ca.pem')])
        self.assertEqual(rc, 0)
        self.assertEqual(sub.get().payload, b'no client cert')


def tearDownModule():
    shutil.rmtree(CERTS, ignore_errors=True)
