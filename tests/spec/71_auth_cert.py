"""71 TLS client certificate as the username (listener.ssl.NAME.peer_cert_as_username = cn,
with verify = peer): mosquitto_pub --cert/--key with certificates made by openssl at test
time. The certificate's CN is the username (seen through a ${username} mountpoint and the
deny_usernames list) and admits the client without a password, while clients without a
certificate follow the usual rules."""
import atexit
import os
import shutil
import subprocess
import tempfile

from harness import BrokerTestCase, edgegw_only, with_config
from clients import HOST, unique_id

CERTS = tempfile.mkdtemp(prefix='egw-authcert-')
atexit.register(shutil.rmtree, CERTS, ignore_errors=True)


def openssl(*args):
    res = subprocess.run(['openssl'] + list(args), cwd=CERTS, capture_output=True, timeout=60)
    if res.returncode != 0:
        raise AssertionError('openssl %s: %s' % (' '.join(args), res.stderr.decode()))


def ensure_certs():
    """ca, server (127.0.0.1), client (CN=device-7)."""
    if os.path.exists(os.path.join(CERTS, 'client.crt')):
        return
    ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
    openssl('req', '-x509', *ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
            '-subj', '/CN=auth test CA')
    for name, cn, ext in (('server', 'localhost', 'subjectAltName=IP:127.0.0.1'),
                          ('client', 'device-7', None)):
        openssl('req', *ec, '-keyout', name + '.key', '-out', name + '.csr', '-subj', '/CN=' + cn)
        args = ['x509', '-req', '-in', name + '.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
                '-CAcreateserial', '-out', name + '.crt', '-days', '2']
        if ext:
            with open(os.path.join(CERTS, name + '.ext'), 'w') as f:
                f.write(ext + '\n')
            args += ['-extfile', name + '.ext']
        openssl(*args)


def cert(name):
    return os.path.join(CERTS, name)


ensure_certs()


def ssl_pub(port, topic, with_cert=True, extra=()):
    args = ['mosquitto_pub', '-h', HOST, '-p', str(port), '-t', topic, '-m', 'from-cert',
            '-q', '1', '-i', unique_id('cert'), '--cafile', cert('ca.crt')]
    if with_cert:
        args += ['--cert', cert('client.crt'), '--key', cert('client.key')]
    res = subprocess.run(args + list(extra), capture_output=True, timeout=30)
    return res.returncode, res.stderr.decode(errors='replace')


@edgegw_only('peer_cert_as_username is an edgegw key')
class CertAsUsernameTest(BrokerTestCase):
    CONFIG = {'listener.ssl.default.enable': True,
              'listener.ssl.default.bind': '127.0.0.1:0',
              'listener.ssl.default.certfile': cert('server.crt'),
              'listener.ssl.default.keyfile': cert('server.key'),
              'listener.ssl.default.cacertfile': cert('ca.crt'),
              'listener.ssl.default.verify': 'peer',
              'listener.ssl.default.peer_cert_as_username': 'cn',
              'listener.ssl.default.mountpoint': 'dev/${username}/',
              'auth.allow_anonymous': False}

    def test_cn_is_the_username_and_admits(self):
        # The plain TCP listener needs credentials; anonymous is refused there.
        self.client(connect=False).connect(expect_rc=5)
        # The certificate, without -u/-P, is enough on the ssl listener.
        status, err = ssl_pub(self.broker.port('ssl'), 'telemetry')
        self.assertEqual(status, 0, err)

    @with_config({'auth.allow_anonymous': True})
    def test_username_from_cn_reaches_the_mountpoint(self):
        sub = self.subscriber('dev/#', qos=1)
        status, err = ssl_pub(self.broker.port('ssl'), 'telemetry')
        self.assertEqual(status, 0, err)
        m = sub.get()
        self.assertEqual(m.topic, 'dev/device-7/telemetry')
        self.assertEqual(m.payload, b'from-cert')

    def test_no_certificate_follows_the_usual_rules(self):
        status, _ = ssl_pub(self.broker.port('ssl'), 'telemetry', with_cert=False)
        self.assertNotEqual(status, 0)

    @with_config({'auth.deny_usernames': 'device-*'})
    def test_deny_list_sees_the_cn(self):
        status, _ = ssl_pub(self.broker.port('ssl'), 'telemetry')
        self.assertNotEqual(status, 0)

    def test_needs_verify_peer(self):
        from harness import make_broker, make_workdir
        workdir = make_workdir()
        cfg = dict(self.CONFIG)
        cfg['listener.ssl.default.verify'] = 'none'
        b = make_broker(workdir, cfg)
        try:
            with self.assertRaises(AssertionError):
                b.start()
            self.assertIn('peer_cert_as_username', b.log_tail(5))
        finally:
            b.close()
            shutil.rmtree(workdir, ignore_errors=True)
