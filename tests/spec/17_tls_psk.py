"""17 Pre-shared keys on MQTT over TLS (listener.ssl.NAME.psk_identity/psk_key/psk_file, issue 8
item 1; docs/SECURITY.md) with mosquitto_pub/mosquitto_sub --psk HEX --psk-identity ID: a
PSK-only listener (no certificate), keys inline (as text) and from a file (hex), the PSK
identity as the username, a wrong key and an unknown identity failing the handshake with a
log line in words, plain PSK and ECDHE-PSK suites, PSK and certificates on one listener, a
certificate-only listener refusing PSK clients, and psk_file re-read on SIGHUP.
(python3's ssl module has no server-side-compatible PSK before 3.13: not used.)"""
import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import time

from harness import BrokerTestCase, edgegw_only, with_config
from clients import HOST, MosquittoSub, unique_id

WORK = tempfile.mkdtemp(prefix='egw-psk-')
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
KEY1 = '00112233445566778899aabbccddeeff'
INLINE_KEY = 'inline secret'
PSK_ONLY = 'ECDHE-PSK-CHACHA20-POLY1305:PSK-AES128-GCM-SHA256'


def path(name):
    return os.path.join(WORK, name)


def openssl(*args):
    res = subprocess.run(['openssl'] + list(args), cwd=WORK, capture_output=True, timeout=60)
    if res.returncode != 0:
        raise AssertionError('openssl %s: %s' % (' '.join(args), res.stderr.decode()))


def ensure_certs():
    if os.path.exists(path('server.crt')):
        return
    ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
    openssl('req', '-x509', *ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
            '-subj', '/CN=psk test CA')
    openssl('req', *ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost',
            '-addext', 'subjectAltName=IP:127.0.0.1')
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
            '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-copy_extensions', 'copy')


ensure_certs()


def pub(port, identity, key, topic='t', extra=()):
    args = ['mosquitto_pub', '-h', HOST, '-p', str(port), '-t', topic, '-m', 'over-psk', '-q', '1',
            '-i', unique_id('psk'), '--psk', key, '--psk-identity', identity] + list(extra)
    res = subprocess.run(args, capture_output=True, timeout=30)
    return res.returncode, res.stderr.decode(errors='replace')


@edgegw_only('TLS PSK keys are edgegw keys')
class PskListenerTest(BrokerTestCase):
    CONFIG = {'listener.ssl.default.enable': True,
              'listener.ssl.default.bind': '127.0.0.1:0',
              'listener.ssl.default.psk_identity': 'inline-dev',
              'listener.ssl.default.psk_key': INLINE_KEY,
              'log.level': 'debug'}

    def setUp(self):
        fd, self.psk_path = tempfile.mkstemp(prefix='edgegw-psk-', suffix='.txt')
        with os.fdopen(fd, 'w') as f:
            f.write('# test keys\ndev1:%s\n' % KEY1)
        self.addCleanup(os.remove, self.psk_path)
        self.CONFIG = dict(self.CONFIG, **{'listener.ssl.default.psk_file': self.psk_path})
        super().setUp()

    def log_text(self):
        with open(self.broker.log_path, 'rb') as f:
            return f.read().decode(errors='replace')

    def wait_log(self, needle, count):
        deadline = time.monotonic() + 10
        while self.log_text().count(needle) < count:
            if time.monotonic() > deadline:
                self.fail('no %r in the log:\n%s' % (needle, self.broker.log_tail()))
            time.sleep(0.02)  # polling the log file for the condition, bounded above

    def test_psk_only_listener_with_file_and_inline_keys(self):
        port = self.broker.port('ssl')
        sub = self.subscriber('t', qos=1)
        status, err = pub(port, 'dev1', KEY1)
        self.assertEqual(status, 0, err)
        self.assertEqual(sub.get().payload, b'over-psk')
        status, err = pub(port, 'inline-dev', INLINE_KEY.encode().hex())
        self.assertEqual(status, 0, err)
        self.assertEqual(sub.get().payload, b'over-psk')
        self.assertIn('psk_identity="dev1"', self.log_text())

    def test_mosquitto_sub_over_psk(self):
        sub = MosquittoSub(self.broker.port('ssl'), 'psk/#', qos=1,
                           extra=['--psk', KEY1, '--psk-identity', 'dev1'])
        self.addCleanup(sub.stop)
        sub.wait_subscribed()
        self.client().publish('psk/x', b'to-psk', qos=1)
        self.assertEqual(sub.get()[:2], ('psk/x', b'to-psk'))

    def test_wrong_key_fails_in_words(self):
        status, _ = pub(self.broker.port('ssl'), 'dev1', 'ffeeddccbbaa99887766554433221100')
        self.assertNotEqual(status, 0)
        self.wait_log("the client's key for PSK identity 'dev1' does not match", 1)

    def test_unknown_identity_fails_in_words(self):
        status, _ = pub(self.broker.port('ssl'), 'nobody', KEY1)
        self.assertNotEqual(status, 0)
        self.wait_log("unknown PSK identity 'nobody'", 1)

    @with_config({'listener.ssl.default.ciphers': 'TLS-PSK-WITH-AES-128-GCM-SHA256'})
    def test_plain_psk_suite(self):
        status, err = pub(self.broker.port('ssl'), 'dev1', KEY1,
                          extra=['--ciphers', 'PSK-AES128-GCM-SHA256'])
        self.assertEqual(status, 0, err)
        self.assertIn('TLS-PSK-WITH-AES-128-GCM-SHA256', self.log_text())

    def test_default_suites_prefer_ecdhe_psk(self):
        status, err = pub(self.broker.port('ssl'), 'dev1', KEY1)
        self.assertEqual(status, 0, err)
        self.assertIn('TLS-ECDHE-PSK-WITH', self.log_text())

    @with_config({'auth.allow_anonymous': False})
    def test_identity_is_not_a_username_unless_asked(self):
        status, _ = pub(self.broker.port('ssl'), 'dev1', KEY1)
        self.assertNotEqual(status, 0)  # TLS is fine, CONNACK refuses the anonymous client
        self.assertIn('psk_identity="dev1"', self.log_text())

    @with_config({'auth.allow_anonymous': False,
                  'listener.ssl.default.psk_identity_as_username': True})
    def test_identity_as_username_admits(self):
        status, err = pub(self.broker.port('ssl'), 'dev1', KEY1)
        self.assertEqual(status, 0, err)

    @with_config({'listener.ssl.default.psk_identity_as_username': True,
                  'listener.ssl.default.mountpoint': 'psk/${username}/'})
    def test_identity_as_username(self):
        sub = self.subscriber('psk/#', qos=1)
        status, err = pub(self.broker.port('ssl'), 'dev1', KEY1, topic='up')
        self.assertEqual(status, 0, err)
        self.assertEqual(sub.get().topic, 'psk/dev1/up')

    @with_config({'listener.ssl.default.certfile': path('server.crt'),
                  'listener.ssl.default.keyfile': path('server.key')})
    def test_psk_and_certificate_on_one_listener(self):
        port = self.broker.port('ssl')
        status, err = pub(port, 'dev1', KEY1, extra=['--ciphers', PSK_ONLY])
        self.assertEqual(status, 0, err)
        self.assertIn('psk_identity="dev1"', self.log_text())
        args = ['mosquitto_pub', '-h', HOST, '-p', str(port), '-t', 't', '-m', 'x', '-q', '1',
                '-i', unique_id('crt'), '--cafile', path('ca.crt')]
        res = subprocess.run(args, capture_output=True, timeout=30)
        self.assertEqual(res.returncode, 0, res.stderr)

    def test_sighup_rereads_psk_file(self):
        port = self.broker.port('ssl')
        self.assertNotEqual(pub(port, 'dev2', 'a1b2c3d4')[0], 0)
        with open(self.psk_path, 'w') as f:
            f.write('dev2:a1b2c3d4\n')  # dev1 removed, dev2 added
        self.broker.proc.send_signal(signal.SIGHUP)
        self.wait_log('reloaded what=listener.ssl.default.psk_file', 1)
        status, err = pub(port, 'dev2', 'a1b2c3d4')
        self.assertEqual(status, 0, err)
        self.assertNotEqual(pub(port, 'dev1', KEY1)[0], 0)
        # A broken file keeps the keys in use.
        with open(self.psk_path, 'w') as f:
            f.write('dev3 without a key\n')
        self.broker.proc.send_signal(signal.SIGHUP)
        self.wait_log('reload_failed what=listener.ssl.default.psk_file', 1)
        status, err = pub(port, 'dev2', 'a1b2c3d4')
        self.assertEqual(status, 0, err)


@edgegw_only('TLS listener keys are edgegw keys')
class CertificateOnlyListenerTest(BrokerTestCase):
    CONFIG = {'listener.ssl.default.enable': True,
              'listener.ssl.default.bind': '127.0.0.1:0',
              'listener.ssl.default.certfile': path('server.crt'),
              'listener.ssl.default.keyfile': path('server.key')}

    def test_psk_client_is_refused(self):
        # Without --ciphers, mosquitto_pub --psk would also offer certificate suites (and
        # not check our certificate): offer PSK suites only.
        status, _ = pub(self.broker.port('ssl'), 'dev1', KEY1, extra=['--ciphers', PSK_ONLY])
        self.assertNotEqual(status, 0)

    def test_psk_identity_without_key_is_a_config_error(self):
        from harness import make_broker, make_workdir
        workdir = make_workdir()
        cfg = dict(self.CONFIG, **{'listener.ssl.default.psk_identity': 'lonely'})
        b = make_broker(workdir, cfg)
        try:
            with self.assertRaises(AssertionError):
                b.start()
            self.assertIn('psk_identity and psk_key go together', b.log_tail(5))
        finally:
            b.close()
            shutil.rmtree(workdir, ignore_errors=True)
