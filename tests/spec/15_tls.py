"""15 MQTT over TLS (SPEC section 2: TCP 8883, [listener.ssl.NAME]; section 3: certfile,
keyfile, cacertfile, verify): real clients (mosquitto_pub/mosquitto_sub --cafile/--cert,
paho tls_set) against certificates the test makes with the openssl CLI (a CA, a server
certificate for 127.0.0.1 and localhost, client certificates with a CN, and a second,
unrelated CA). Also: client-certificate policy (verify = peer with and without
fail_if_no_peer_cert), a client trusting the wrong CA fails, garbage and silence on the TLS
port close only that connection, and an unusable certificate or key stops the start with
one line naming the key and the file."""
import atexit
import os
import queue
import shutil
import socket
import ssl
import subprocess
import tempfile
import time

import paho.mqtt.client as paho

import harness
from harness import BrokerTestCase, edgegw_only, with_config
from clients import HOST, TIMEOUT, MosquittoSub, mosquitto_pub, unique_id

# The certificates of every test here: made by the first class that needs them (run.py
# loads scenario files by path, so there is no setUpModule), removed at exit.
CERTS = tempfile.mkdtemp(prefix='egw-tls-')
atexit.register(shutil.rmtree, CERTS, ignore_errors=True)


def ensure_certs():
    if not os.path.exists(os.path.join(CERTS, 'rogue.crt')):
        make_certs(CERTS)


def openssl(*args, cwd):
    res = subprocess.run(['openssl'] + list(args), cwd=cwd, capture_output=True, timeout=60)
    if res.returncode != 0:
        raise AssertionError('openssl %s failed: %s' % (' '.join(args), res.stderr.decode()))


def make_certs(d):
    """ca.crt/ca.key, server.crt/key (127.0.0.1, localhost), client.crt/key (CN=device-7),
    other-ca.crt and rogue.crt/key (CN=rogue, signed by other-ca)."""
    def ca(name, cn):
        openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
                '-nodes', '-keyout', name + '.key', '-out', name + '.crt', '-days', '2',
                '-subj', '/CN=' + cn, cwd=d)

    def leaf(name, cn, signer, ext=None):
        openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
                '-keyout', name + '.key', '-out', name + '.csr', '-subj', '/CN=' + cn, cwd=d)
        args = ['x509', '-req', '-in', name + '.csr', '-CA', signer + '.crt', '-CAkey',
                signer + '.key', '-CAcreateserial', '-out', name + '.crt', '-days', '2']
        if ext:
            with open(os.path.join(d, name + '.ext'), 'w') as f:
                f.write(ext + '\n')
            args += ['-extfile', name + '.ext']
        openssl(*args, cwd=d)

    ca('ca', 'edgegw test CA')
    ca('other-ca', 'unrelated CA')
    leaf('server', 'localhost', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost')
    leaf('client', 'device-7', 'ca')
    leaf('rogue', 'rogue', 'other-ca')


def cert(name):
    return os.path.join(CERTS, name)


def ssl_config(**extra):
    c = {'listener.ssl.default.enable': True,
         'listener.ssl.default.bind': '127.0.0.1:0',
         'listener.ssl.default.certfile': cert('server.crt'),
         'listener.ssl.default.keyfile': cert('server.key'),
         'log.level': 'debug'}
    c.update({'listener.ssl.default.' + k: v for k, v in extra.items()})
    return c


class TlsClient:
    """paho over TLS: connect() raises on a failed handshake; messages go to a queue."""

    def __init__(self, port, ca='ca.crt', certfile=None, keyfile=None):
        self.port = port
        self.c = paho.Client(client_id=unique_id('tls'), protocol=paho.MQTTv311)
        self.c.tls_set(ca_certs=cert(ca), certfile=certfile and cert(certfile),
                       keyfile=keyfile and cert(keyfile))
        self.messages = queue.Queue()
        self.connacks = queue.Queue()
        self.subacks = queue.Queue()
        self.c.on_message = lambda c, u, m: self.messages.put(m)
        self.c.on_connect = lambda c, u, f, rc: self.connacks.put(rc)
        self.c.on_subscribe = lambda c, u, mid, q: self.subacks.put(q)
        self.started = False

    def connect(self):
        self.c.connect(HOST, self.port, keepalive=30)
        self.c.loop_start()
        self.started = True
        rc = self.connacks.get(timeout=TIMEOUT)
        if rc != 0:
            raise AssertionError('CONNACK rc=%d' % rc)
        return self

    def subscribe(self, topic, qos=1):
        self.c.subscribe(topic, qos)
        self.subacks.get(timeout=TIMEOUT)

    def get(self):
        return self.messages.get(timeout=TIMEOUT)

    def close(self):
        if self.started:
            self.c.disconnect()
            self.c.loop_stop()


@edgegw_only('TLS listeners are tested against edgegw only')
class TlsTest(BrokerTestCase):
    CONFIG = ssl_config()

    @classmethod
    def setUpClass(cls):
        ensure_certs()

    @property
    def tls_port(self):
        return self.broker.port('ssl')

    def tls_client(self, **kw):
        c = TlsClient(self.tls_port, **kw)
        self._clients.append(c)
        return c

    def assert_handshake_fails(self, **kw):
        c = TlsClient(self.tls_port, **kw)
        with self.assertRaises((ssl.SSLError, OSError)):
            c.connect()  # the server's alert fails the client's handshake
        c.close()

    def assert_tls_roundtrip(self, **kw):
        c = self.tls_client(**kw).connect()
        topic = 'tls/' + unique_id()
        c.subscribe(topic)
        c.c.publish(topic, b'over tls', 1)
        self.assertEqual(c.get().payload, b'over tls')

    # -- server authentication -----------------------------------------------------------

    def test_mosquitto_clients_over_tls(self):
        """mosquitto_sub and mosquitto_pub with --cafile, and a plain TCP subscriber: one
        broker behind both listeners."""
        topic = 'tls/' + unique_id()
        extra = ['--cafile', cert('ca.crt')]
        sub = MosquittoSub(self.tls_port, topic, qos=1, extra=extra)
        try:
            sub.wait_subscribed()
            plain = self.subscriber(topic, 1)
            mosquitto_pub(self.tls_port, topic, 'hello tls', qos=1, extra=extra)
            self.assertEqual(sub.get()[:2], (topic, b'hello tls'))
            self.assertEqual(plain.get().payload, b'hello tls')
            # and the other way: plain TCP in, TLS out
            plain.publish(topic, b'from tcp', 1)
            self.assertEqual(sub.get()[:2], (topic, b'from tcp'))
        finally:
            sub.stop()

    def test_paho_tls_large_payload(self):
        """A payload spanning many TLS records, both ways."""
        c = self.tls_client().connect()
        topic = 'tls/big/' + unique_id()
        c.subscribe(topic)
        payload = os.urandom(200 * 1024)
        c.c.publish(topic, payload, 1)
        self.assertEqual(c.get().payload, payload)

    def test_wrong_ca_fails(self):
        """A client that trusts another CA refuses our certificate; the broker goes on."""
        res = subprocess.run(['mosquitto_pub', '-h', HOST, '-p', str(self.tls_port), '-t', 'x',
                              '-m', 'y', '--cafile', cert('other-ca.crt')],
                             capture_output=True, timeout=15)
        self.assertNotEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assert_handshake_fails(ca='other-ca.crt')
        self.assert_tls_roundtrip()

    # -- client certificates ---------------------------------------------------------------

    @with_config(ssl_config(verify='peer', cacertfile=cert('ca.crt'), fail_if_no_peer_cert=False))
    def test_verify_peer_optional(self):
        """verify = peer: a client without a certificate and one with a valid certificate
        are served; one whose certificate another CA signed is refused in the handshake."""
        self.assert_tls_roundtrip()
        self.assert_tls_roundtrip(certfile='client.crt', keyfile='client.key')
        self.assert_handshake_fails(certfile='rogue.crt', keyfile='rogue.key')
        self.assert_tls_roundtrip()

    @with_config(ssl_config(verify='peer', cacertfile=cert('ca.crt'), fail_if_no_peer_cert=True))
    def test_verify_peer_required(self):
        """fail_if_no_peer_cert: no certificate, no connection; the CN reaches the adapter."""
        self.assert_handshake_fails()
        res = subprocess.run(['mosquitto_pub', '-h', HOST, '-p', str(self.tls_port), '-t', 'x',
                              '-m', 'y', '--cafile', cert('ca.crt')],
                             capture_output=True, timeout=15)
        self.assertNotEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assert_handshake_fails(certfile='rogue.crt', keyfile='rogue.key')
        topic = 'tls/' + unique_id()
        extra = ['--cafile', cert('ca.crt'), '--cert', cert('client.crt'),
                 '--key', cert('client.key')]
        sub = MosquittoSub(self.tls_port, topic, qos=1, extra=extra)
        try:
            sub.wait_subscribed()
            mosquitto_pub(self.tls_port, topic, 'with cert', qos=1, extra=extra)
            self.assertEqual(sub.get()[:2], (topic, b'with cert'))
        finally:
            sub.stop()
        self.wait_for_log('cn="device-7"')

    def wait_for_log(self, text):
        deadline = time.monotonic() + TIMEOUT
        while text not in self.broker.log_tail(400):
            if time.monotonic() > deadline:
                self.fail('%r not in the broker log' % text)
            time.sleep(0.05)  # polling a file for a condition, with a deadline

    # -- bad input ---------------------------------------------------------------------------

    def test_garbage_closes_only_that_connection(self):
        """Not TLS at all, a truncated ClientHello then garbage, and MQTT in clear text on
        the TLS port: each such connection is closed; a TLS client connected all along is
        still served."""
        bystander = self.tls_client().connect()
        topic = 'tls/' + unique_id()
        bystander.subscribe(topic)
        blobs = [b'\xff' * 300, b'\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00',
                 b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + os.urandom(600),
                 b'GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n']
        for i, blob in enumerate(blobs):
            with self.subTest(blob=blob[:8]):
                s = socket.create_connection((HOST, self.tls_port), timeout=TIMEOUT)
                try:
                    s.sendall(blob)
                    self.assert_socket_closed(s)
                finally:
                    s.close()
                bystander.c.publish(topic, b'%d' % i, 1)
                self.assertEqual(bystander.get().payload, b'%d' % i)
        self.assert_broker_alive()

    @with_config(ssl_config(handshake_timeout='500ms'))
    def test_handshake_timeout(self):
        """A client that connects and says nothing is dropped after handshake_timeout."""
        s = socket.create_connection((HOST, self.tls_port), timeout=TIMEOUT)
        start = time.monotonic()
        try:
            self.assert_socket_closed(s)
        finally:
            s.close()
        self.assertGreaterEqual(time.monotonic() - start, 0.4)
        self.assert_tls_roundtrip()

    def assert_socket_closed(self, s):
        """The broker closes (FIN, maybe after an alert, or RST) within TIMEOUT."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                if not s.recv(4096):
                    return
            except ConnectionResetError:
                return
            except socket.timeout:
                self.fail('connection not closed within %.1fs' % TIMEOUT)


@edgegw_only('edgegw start-up checks')
class TlsStartTest(BrokerTestCase):
    """Unusable certificate settings stop the start with one line naming key and file."""

    @classmethod
    def setUpClass(cls):
        ensure_certs()

    def start_fails(self, **keys):
        ini = os.path.join(self.workdir, 'bad.ini')
        values = harness.network_overrides()
        values.update(harness.EDGEGW_BASE)
        values['node.data_dir'] = os.path.join(self.workdir, 'data-bad')  # not the running one's
        values.update({'listener.ssl.default.enable': True,
                       'listener.ssl.default.bind': '127.0.0.1:0',
                       'listener.ssl.default.certfile': os.path.join(CERTS, 'server.crt'),
                       'listener.ssl.default.keyfile': os.path.join(CERTS, 'server.key')})
        values.update({'listener.ssl.default.' + k: v for k, v in keys.items()})
        sections = {}
        for key, value in values.items():
            section, _, name = key.rpartition('.')
            sections.setdefault(section, []).append('%s = %s' % (name, harness._ini_value(value)))
        with open(ini, 'w') as f:
            for section, lines in sections.items():
                f.write('[%s]\n%s\n\n' % (section, '\n'.join(lines)))
        res = subprocess.run([self.broker.binary, '-c', ini], capture_output=True, timeout=30,
                             env={k: v for k, v in os.environ.items() if k != 'NOTIFY_SOCKET'})
        self.assertNotEqual(res.returncode, 0)
        return res.stderr.decode()

    def test_missing_certfile(self):
        missing = os.path.join(CERTS, 'nope.crt')
        err = self.start_fails(certfile=missing)
        self.assertIn('listener.ssl.default.certfile', err)
        self.assertIn(missing, err)
        self.assertIn('No such file', err)

    def test_key_not_pem(self):
        err = self.start_fails(keyfile=os.path.join(CERTS, 'ca.srl'))
        self.assertIn('listener.ssl.default.keyfile', err)
        self.assertIn('ca.srl', err)

    def test_key_of_another_certificate(self):
        err = self.start_fails(keyfile=os.path.join(CERTS, 'client.key'))
        self.assertIn('listener.ssl.default.keyfile', err)
        self.assertIn('does not match', err)

    def test_verify_peer_without_ca(self):
        err = self.start_fails(verify='peer')
        self.assertIn('listener.ssl.default.cacertfile', err)

    def test_unknown_cipher(self):
        err = self.start_fails(ciphers='TLS-NOT-A-CIPHER')
        self.assertIn('listener.ssl.default.ciphers', err)
        self.assertIn('TLS-NOT-A-CIPHER', err)


WSS_NODE_CLIENT = r'''
const mqtt = require('mqtt');
const fs = require('fs');
const [url, ca, topic] = process.argv.slice(1);
const timer = setTimeout(() => { console.log('timeout'); process.exit(1); }, 10000);
const c = mqtt.connect(url, { ca: fs.readFileSync(ca), reconnectPeriod: 0, protocolVersion: 5 });
c.on('error', (e) => { console.log('error ' + e.message); process.exit(1); });
c.on('connect', () => c.subscribe(topic, { qos: 1 }, () => c.publish(topic, 'from mqtt.js', { qos: 1 })));
c.on('message', (t, m) => {
  clearTimeout(timer);
  console.log('got ' + m.toString());
  c.end(false, {}, () => process.exit(m.toString() === 'from mqtt.js' ? 0 : 1));
});
'''


def wss_config(**extra):
    c = {'listener.wss.default.enable': True,
         'listener.wss.default.bind': '127.0.0.1:0',
         'listener.wss.default.certfile': cert('server.crt'),
         'listener.wss.default.keyfile': cert('server.key'),
         'log.level': 'debug'}
    c.update({'listener.wss.default.' + k: v for k, v in extra.items()})
    return c


@edgegw_only('secure WebSocket listeners are tested against edgegw only')
class WssTest(BrokerTestCase):
    CONFIG = wss_config()

    @classmethod
    def setUpClass(cls):
        ensure_certs()

    def wss_client(self, path='/mqtt', **kw):
        c = TlsClient(self.broker.port('wss'), **kw)
        c.c = paho.Client(client_id=unique_id('wss'), protocol=paho.MQTTv311,
                          transport='websockets')
        c.c.ws_set_options(path=path)
        c.c.tls_set(ca_certs=cert(kw.get('ca', 'ca.crt')),
                    certfile=kw.get('certfile') and cert(kw['certfile']),
                    keyfile=kw.get('keyfile') and cert(kw['keyfile']))
        c.c.on_message = lambda cl, u, m: c.messages.put(m)
        c.c.on_connect = lambda cl, u, f, rc: c.connacks.put(rc)
        c.c.on_subscribe = lambda cl, u, mid, q: c.subacks.put(q)
        self._clients.append(c)
        return c

    def test_paho_over_wss(self):
        """paho (websockets transport, tls_set) over wss; a TCP subscriber sees its publish."""
        c = self.wss_client().connect()
        topic = 'wss/' + unique_id()
        c.subscribe(topic)
        plain = self.subscriber(topic, 1)
        payload = os.urandom(100 * 1024)
        c.c.publish(topic, payload, 1)
        self.assertEqual(c.get().payload, payload)
        self.assertEqual(plain.get().payload, payload)
        plain.publish(topic, b'back', 1)
        self.assertEqual(c.get().payload, b'back')

    def test_wrong_ca_fails(self):
        c = self.wss_client(ca='other-ca.crt')
        with self.assertRaises((ssl.SSLError, OSError)):
            c.connect()

    @with_config(wss_config(verify='peer', cacertfile=cert('ca.crt'), fail_if_no_peer_cert=True))
    def test_client_certificate_required(self):
        with self.assertRaises((ssl.SSLError, OSError)):
            self.wss_client().connect()
        c = self.wss_client(certfile='client.crt', keyfile='client.key').connect()
        topic = 'wss/' + unique_id()
        c.subscribe(topic)
        c.c.publish(topic, b'with cert', 1)
        self.assertEqual(c.get().payload, b'with cert')

    def test_mqttjs_over_wss(self):
        """MQTT.js (npm mqtt, found through NODE_PATH as in scripts/test.sh) over wss."""
        node = shutil.which('node')
        if not node or subprocess.run([node, '-e', "require('mqtt')"],
                                      capture_output=True).returncode != 0:
            self.skipTest('node with the mqtt package (NODE_PATH) not available')
        url = 'wss://localhost:%d/mqtt' % self.broker.port('wss')
        res = subprocess.run([node, '-e', WSS_NODE_CLIENT, url, cert('ca.crt'),
                              'wss/' + unique_id()], capture_output=True, timeout=30)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn(b'got from mqtt.js', res.stdout)

    def test_garbage_closes_only_that_connection(self):
        bystander = self.wss_client().connect()
        topic = 'wss/' + unique_id()
        bystander.subscribe(topic)
        s = socket.create_connection((HOST, self.broker.port('wss')), timeout=TIMEOUT)
        try:
            s.sendall(b'GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n' + os.urandom(300))
            TlsTest.assert_socket_closed(self, s)
        finally:
            s.close()
        bystander.c.publish(topic, b'ok', 1)
        self.assertEqual(bystander.get().payload, b'ok')
