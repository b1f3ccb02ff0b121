"""16 Client-certificate names as the username (listener.ssl.NAME.peer_cert_as_username = san
and dn, issue 8 item 3; docs/SECURITY.md). Certificates are made by openssl at test time
(-addext subjectAltName=...). With san, the first DNS, e-mail or URI subjectAltName is the
username: an ACL `pattern ... %u` rule lets a mosquitto_pub/mosquitto_sub pair with that
certificate use exactly its own tree; a verified certificate without such a name fails the
TLS handshake with a log line saying why. With dn, the subject DN in RFC 4514 form is the
username (seen through a ${username} mountpoint). The same on a wss listener, with paho over
secure WebSocket."""
import atexit
import os
import queue
import shutil
import subprocess
import tempfile
import time

import paho.mqtt.client as paho

from harness import BrokerTestCase, edgegw_only, with_config
from clients import BARRIER_PREFIX, HOST, TIMEOUT, MosquittoSub, unique_id

CERTS = tempfile.mkdtemp(prefix='egw-certnames-')
atexit.register(shutil.rmtree, CERTS, ignore_errors=True)
SAN = 'san-dev.example'


def openssl(*args):
    res = subprocess.run(['openssl'] + list(args), cwd=CERTS, capture_output=True, timeout=60)
    if res.returncode != 0:
        raise AssertionError('openssl %s: %s' % (' '.join(args), res.stderr.decode()))


def ensure_certs():
    """ca; server (127.0.0.1); san (CN=cn-name, SAN IP + DNS:SAN); nosan (CN=plain, no SAN);
    dn (O=Acme, CN=dn-dev)."""
    if os.path.exists(os.path.join(CERTS, 'dn.crt')):
        return
    ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
    openssl('req', '-x509', *ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
            '-subj', '/CN=cert names test CA')
    for name, subj, san in (('server', '/CN=localhost', 'IP:127.0.0.1'),
                            ('san', '/CN=cn-name', 'IP:10.1.2.3,DNS:' + SAN + ',email:a@b.example'),
                            ('nosan', '/CN=plain', None),
                            ('dn', '/O=Acme/CN=dn-dev', None)):
        req = ['req', *ec, '-keyout', name + '.key', '-out', name + '.csr', '-subj', subj]
        if san:
            req += ['-addext', 'subjectAltName=' + san]
        openssl(*req)
        # -copy_extensions: the SAN requested above goes into the certificate (OpenSSL 3).
        openssl('x509', '-req', '-in', name + '.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key',
                '-CAcreateserial', '-out', name + '.crt', '-days', '2',
                '-copy_extensions', 'copy')


def cert(name):
    return os.path.join(CERTS, name)


def tls_args(name):
    return ['--cafile', cert('ca.crt'), '--cert', cert(name + '.crt'), '--key', cert(name + '.key')]


def ssl_pub(port, topic, name, payload='from-cert'):
    args = ['mosquitto_pub', '-h', HOST, '-p', str(port), '-t', topic, '-m', payload,
            '-q', '1', '-i', unique_id('cert')] + tls_args(name)
    res = subprocess.run(args, capture_output=True, timeout=30)
    return res.returncode, res.stderr.decode(errors='replace')


ensure_certs()

ACL = """\
topic readwrite %s#
pattern readwrite devices/%%u/#
""" % BARRIER_PREFIX

SSL = {'listener.ssl.default.enable': True,
       'listener.ssl.default.bind': '127.0.0.1:0',
       'listener.ssl.default.certfile': cert('server.crt'),
       'listener.ssl.default.keyfile': cert('server.key'),
       'listener.ssl.default.cacertfile': cert('ca.crt'),
       'listener.ssl.default.verify': 'peer'}


@edgegw_only('peer_cert_as_username = san is an edgegw key')
class SanAsUsernameTest(BrokerTestCase):
    CONFIG = dict(SSL, **{'listener.ssl.default.peer_cert_as_username': 'san',
                          'auth.allow_anonymous': False,
                          'auth.acl_nomatch': 'deny'})

    def setUp(self):
        fd, self.acl_path = tempfile.mkstemp(prefix='edgegw-acl-', suffix='.acl')
        with os.fdopen(fd, 'w') as f:
            f.write(ACL)
        self.addCleanup(os.remove, self.acl_path)
        self.CONFIG = dict(self.CONFIG, **{'auth.acl_file': self.acl_path})
        super().setUp()

    def granted(self, sub):
        sub.wait_subscribed()
        line = [l for l in sub.log if l.startswith('Subscribed (mid')][-1]
        return int(line.rsplit(':', 1)[1])

    def test_acl_pattern_sees_the_san_as_username(self):
        port = self.broker.port('ssl')
        own = MosquittoSub(port, 'devices/%s/#' % SAN, qos=1, extra=tls_args('san'))
        self.addCleanup(own.stop)
        self.assertEqual(self.granted(own), 1)
        status, err = ssl_pub(port, 'devices/%s/temp' % SAN, 'san')
        self.assertEqual(status, 0, err)
        topic, payload, _, _ = own.get()
        self.assertEqual((topic, payload), ('devices/%s/temp' % SAN, b'from-cert'))

    def test_the_cn_tree_is_not_the_clients(self):
        # The CN (cn-name) is not the username here: its tree is refused by the ACL.
        other = MosquittoSub(self.broker.port('ssl'), 'devices/cn-name/#', qos=1,
                             extra=tls_args('san'))
        self.addCleanup(other.stop)
        self.assertEqual(self.granted(other), 128)

    def test_certificate_without_san_is_refused_in_words(self):
        status, _ = ssl_pub(self.broker.port('ssl'), 'devices/plain/temp', 'nosan')
        self.assertNotEqual(status, 0)
        self.broker_log_shows('no DNS, e-mail or URI subjectAltName (peer_cert_as_username = san)')

    def broker_log_shows(self, needle):
        # The client may see the alert before the broker has written its log line.
        deadline = time.monotonic() + 10
        while True:
            with open(self.broker.log_path, 'rb') as f:
                text = f.read().decode(errors='replace')
            if any('tls_handshake_failed' in l and needle in l for l in text.splitlines()):
                return
            if time.monotonic() > deadline:
                self.fail('no %r in the log:\n%s' % (needle, self.broker.log_tail()))
            time.sleep(0.02)  # polling the log file for the condition, bounded above


@edgegw_only('peer_cert_as_username = san|dn is an edgegw key')
class CertNameMountpointTest(BrokerTestCase):
    CONFIG = dict(SSL, **{'listener.ssl.default.peer_cert_as_username': 'dn',
                          'listener.ssl.default.mountpoint': 'dev/${username}/'})

    def test_dn_is_the_username(self):
        sub = self.subscriber('dev/#', qos=1)
        status, err = ssl_pub(self.broker.port('ssl'), 'telemetry', 'dn')
        self.assertEqual(status, 0, err)
        m = sub.get()
        self.assertEqual(m.topic, 'dev/CN=dn-dev,O=Acme/telemetry')

    @with_config({'listener.ssl.default.peer_cert_as_username': 'san'})
    def test_san_is_the_username(self):
        sub = self.subscriber('dev/#', qos=1)
        status, err = ssl_pub(self.broker.port('ssl'), 'telemetry', 'san')
        self.assertEqual(status, 0, err)
        self.assertEqual(sub.get().topic, 'dev/%s/telemetry' % SAN)


@edgegw_only('peer_cert_as_username = san is an edgegw key')
class WssSanTest(BrokerTestCase):
    CONFIG = {'listener.wss.default.enable': True,
              'listener.wss.default.bind': '127.0.0.1:0',
              'listener.wss.default.certfile': cert('server.crt'),
              'listener.wss.default.keyfile': cert('server.key'),
              'listener.wss.default.cacertfile': cert('ca.crt'),
              'listener.wss.default.verify': 'peer',
              'listener.wss.default.peer_cert_as_username': 'san',
              'listener.wss.default.mountpoint': 'dev/${username}/'}

    def test_san_over_wss(self):
        sub = self.subscriber('dev/#', qos=1)
        c = paho.Client(client_id=unique_id('wss'), protocol=paho.MQTTv311, transport='websockets')
        c.ws_set_options(path='/mqtt')
        c.tls_set(ca_certs=cert('ca.crt'), certfile=cert('san.crt'), keyfile=cert('san.key'))
        connacks = queue.Queue()
        c.on_connect = lambda cl, u, f, rc: connacks.put(rc)
        c.connect(HOST, self.broker.port('wss'), keepalive=30)
        c.loop_start()
        self.addCleanup(c.loop_stop)
        self.addCleanup(c.disconnect)
        self.assertEqual(connacks.get(timeout=TIMEOUT), 0)
        c.publish('telemetry', b'over-wss', qos=1).wait_for_publish(timeout=TIMEOUT)
        m = sub.get()
        self.assertEqual((m.topic, m.payload), ('dev/%s/telemetry' % SAN, b'over-wss'))
