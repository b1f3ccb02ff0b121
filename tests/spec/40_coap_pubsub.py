"""40 CoAP gateway, publish and subscribe (SPEC section 6, EMQX-compatible): POST/PUT
/ps/{topic} to MQTT subscribers, GET+Observe /ps/{filter} fed by MQTT publishers,
retained reads, query parameters (long and short names), Content-Format as an MQTT 5
user property both ways, block-wise transfer both ways (4 KB), EMQX 4.x /mqtt/{topic},
and observer clean-up when a client goes away. CoAP peer: coap-client (libcoap3-bin)."""
import os
import re
import shutil
import signal
import subprocess
import threading
import time

import packets as pk
from clients import TIMEOUT, unique_id
from harness import HOST, BrokerTestCase, MosquittoSub, edgegw_only, mosquitto_pub, with_config

COAP_CLIENT = next((c for c in ('coap-client', 'coap-client-openssl', 'coap-client-gnutls')
                    if shutil.which(c)), 'coap-client')
COAP_CONFIG = {
    'gateway.coap.enable': True,
    'gateway.coap.bind': '127.0.0.1:0',
    'gateway.coap.dtls_bind': '127.0.0.1:0',
}
# A received PDU as coap-client -v 7 prints it.
# coap-client writes a body to stdout right after its log line, so a line may go on.
PDU_LINE = re.compile(r"v:1 t:(CON|NON|ACK|RST) c:(\d\.\d\d) i:\w+ \{(\w*)\} \[ ?(.*?) ?\]"
                      r"(?: :: '([^']*)')?")


def coap(uri, method='get', payload=None, extra=(), timeout=None, check=True):
    """Run coap-client once; returns (exit status, stdout bytes)."""
    args = [COAP_CLIENT, '-m', method, '-B', str(int(timeout or TIMEOUT))] + list(extra)
    if payload is not None:
        args += ['-e', payload]
    args.append(uri)
    res = subprocess.run(args, capture_output=True, timeout=(timeout or TIMEOUT) + 5)
    return res.returncode, res.stdout


def coap_code(uri, method='get', payload=None, extra=()):
    """The response code coap-client reports ("4.01"), or "2.xx" with its payload."""
    rc, out = coap(uri, method, payload, ['-v', '7'] + list(extra))
    text = out.decode(errors='replace')
    codes = [m.group(2) for m in map(PDU_LINE.search, text.splitlines())
             if m and m.group(1) in ('ACK', 'CON', 'NON') and m.group(2) != '0.00']
    return codes[-1] if codes else None


class CoapObserver:
    """coap-client -s (observe) in the background at debug level: every notification it
    receives is parsed from its PDU log; the reassembled payloads go to its stdout too."""

    def __init__(self, uri, seconds=30, extra=()):
        args = ['stdbuf', '-oL', COAP_CLIENT, '-m', 'get', '-s', str(seconds), '-v', '7',
                '-B', str(seconds + 5)] + list(extra) + [uri]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.cond = threading.Condition()
        self.pdus = []  # (type, code, options, payload) of received 2.05s
        self.raw = b''
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.raw += line
                for part in line.decode(errors='replace').split('\n'):
                    m = PDU_LINE.search(part)
                    if m and m.group(2) == '2.05':
                        self.pdus.append((m.group(1), m.group(2), m.group(4), m.group(5)))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, pred, what, timeout=None):
        deadline = time.monotonic() + (timeout or TIMEOUT)
        with self.cond:
            while not pred():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError('coap-client: no %s; got %r' % (what, self.pdus))
                self.cond.wait(left)

    def wait_registered(self):
        """The ACK 2.05 with an Observe option answering our GET."""
        self.wait_for(lambda: any(p[0] == 'ACK' and 'Observe' in p[2] for p in self.pdus),
                      'observe registration')

    def notifications(self):
        return [p for p in self.pdus if p[0] in ('CON', 'NON')]

    def get_n(self, n, timeout=None):
        self.wait_for(lambda: len(self.notifications()) >= n, '%d notifications' % n, timeout)
        return self.notifications()[:n]

    def output(self):
        with self.cond:
            return self.raw

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def finish(self, timeout=None):
        """Wait for coap-client to end by itself (its -s time), then return."""
        self.proc.wait(timeout=timeout or TIMEOUT)

    def close(self):
        self.kill()
        self._reader.join(timeout=TIMEOUT)  # it ends at EOF; then the pipe can close
        self.proc.stdout.close()


class CoapTestCase(BrokerTestCase):
    CONFIG = COAP_CONFIG

    def uri(self, path, scheme='coap', **query):
        port = self.broker.port('coap_dtls' if scheme == 'coaps' else 'coap', '')
        q = '&'.join('%s=%s' % kv for kv in query.items())
        return '%s://%s:%d/%s%s' % (scheme, HOST, port, path, ('?' + q) if q else '')

    def observer(self, path, scheme='coap', seconds=30, extra=(), **query):
        o = CoapObserver(self.uri(path, scheme, **query), seconds, extra)
        self._clients.append(o)
        o.wait_registered()
        return o

    def sys_subscriber(self, topic):
        s = self.client(proto=pk.V5)
        s.subscribe(topic, 1)
        return s


@edgegw_only('CoAP gateway')
class CoapPublishTest(CoapTestCase):

    def test_post_and_put_reach_mqtt_subscribers(self):
        """POST or PUT /ps/{topic} (topic with '/') -> 2.04 and an MQTT message; without
        qos the QoS follows the message type (CON 1, NON 0)."""
        sub = self.subscriber('c/#', 2, proto=pk.V5)
        self.assertEqual(coap_code(self.uri('ps/c/a/b'), 'post', 'con-post'), '2.04')
        self.assertEqual(coap_code(self.uri('ps/c/x'), 'put', 'non-put', ['-N']), '2.04')
        m1, m2 = sub.get(), sub.get()
        self.assertEqual((m1.topic, m1.payload, m1.qos), ('c/a/b', b'con-post', 1))
        self.assertEqual((m2.topic, m2.payload, m2.qos), ('c/x', b'non-put', 0))

    def test_query_qos_retain_expiry_long_and_short_names(self):
        """qos/retain/expiry and the short names q/r; retain=true stores the message for
        later MQTT subscribers; expiry becomes the MQTT 5 Message Expiry Interval."""
        sub = self.subscriber('q/#', 2, proto=pk.V5)
        coap(self.uri('ps/q/long', qos=2, retain='true', expiry=100), 'post', 'L', ['-N'])
        coap(self.uri('ps/q/short', q=1, r='false'), 'post', 'S', ['-N'])
        m1, m2 = sub.get(), sub.get()
        self.assertEqual((m1.topic, m1.qos), ('q/long', 2))
        self.assertTrue(0 < m1.prop('MessageExpiryInterval') <= 100)
        self.assertEqual((m2.topic, m2.qos), ('q/short', 1))
        later = self.subscriber('q/#', 1, proto=pk.V5)
        m = later.get()
        self.assertEqual((m.topic, m.payload, m.retain), ('q/long', b'L', True))
        later.assert_no_messages()

    def test_content_format_becomes_user_property(self):
        """The CoAP Content-Format travels as the MQTT 5 user property content-format."""
        sub = self.subscriber('cf', 1, proto=pk.V5)
        coap(self.uri('ps/cf'), 'post', '{"t":1}', ['-t', '50'])
        m = sub.get()
        self.assertEqual(m.payload, b'{"t":1}')
        self.assertIn(('content-format', '50'), m.prop('UserProperty'))

    def test_block_wise_4kb_publish(self):
        """A 4 KB body sent block-wise (Block1, 64-byte blocks) arrives as one message."""
        body = os.urandom(1500).hex()[:4096].encode() + b'x' * (4096 - 3000)
        path = os.path.join(self.workdir, 'body.bin')
        with open(path, 'wb') as f:
            f.write(body)
        sub = self.subscriber('big', 1)
        rc, _ = coap(self.uri('ps/big'), 'post', None, ['-b', '64', '-f', path])
        self.assertEqual(rc, 0)
        self.assertEqual(sub.get().payload, body)

    def test_connected_and_disconnected_events(self):
        """A CoAP client is a broker session: connected / disconnected events as for MQTT
        clients (here the connectionless session ends after idle_timeout)."""
        ev = self.sys_subscriber('$SYS/brokers/+/clients/dev-ev/+')
        coap(self.uri('ps/e', c='dev-ev'), 'post', 'x')
        m = ev.get()
        self.assertTrue(m.topic.endswith('/dev-ev/connected'), m.topic)
        m = ev.get(timeout=TIMEOUT + 2)
        self.assertTrue(m.topic.endswith('/dev-ev/disconnected'), m.topic)

    test_connected_and_disconnected_events = with_config({'gateway.coap.idle_timeout': '1s'})(
        test_connected_and_disconnected_events)

    @with_config({'gateway.coap.bind': '[::1]:0'})
    def test_ipv6(self):
        """The gateway binds IPv6 too; the peer's address names its session."""
        sub = self.subscriber('six', 1)
        ev = self.sys_subscriber('$SYS/brokers/+/clients/+/connected')
        rc, _ = coap('coap://[::1]:%d/ps/six' % self.broker.port('coap', ''), 'post', 'v6')
        self.assertEqual(rc, 0)
        self.assertEqual(sub.get().payload, b'v6')
        self.assertRegex(ev.get().topic, r'/clients/coap-\[::1\]:\d+/connected$')

    def test_bad_requests(self):
        """Unknown paths 4.04, malformed query values and topics 4.00."""
        self.assertEqual(coap_code(self.uri('nothing/here'), 'post', 'x'), '4.04')
        self.assertEqual(coap_code(self.uri('ps/a', qos=7), 'post', 'x'), '4.00')
        self.assertEqual(coap_code(self.uri('ps/a/%2B'), 'post', 'x'), '4.00')


@edgegw_only('CoAP gateway')
class CoapObserveTest(CoapTestCase):

    def test_observe_wildcard_gets_each_mqtt_message(self):
        """GET+Observe on a percent-encoded '#' filter: one notification per matching MQTT
        message, CON for QoS 1 and NON for QoS 0 (notify_type = qos); the Content-Format
        comes from the MQTT 5 user property."""
        o = self.observer('ps/w/%23', c='obs1')
        mosquitto_pub(self.port, 'w/1', 'one', qos=1)
        mosquitto_pub(self.port, 'w/2/3', 'two', qos=0, proto=pk.V5,
                      extra=['-D', 'publish', 'user-property', 'content-format', '50'])
        mosquitto_pub(self.port, 'other', 'no', qos=1)
        n1, n2 = o.get_n(2)
        self.assertEqual((n1[0], n1[3]), ('CON', 'one'))
        self.assertEqual((n2[0], n2[3]), ('NON', 'two'))
        self.assertIn('Content-Format:application/json', n2[2])
        mosquitto_pub(self.port, 'w/4', 'three', qos=1)
        self.assertEqual(o.get_n(3)[2][3], 'three')  # 'other' never came

    def test_notify_type_con(self):
        """notify_type = con: every notification is confirmable."""
        o = self.observer('ps/nt', c='obs2')
        mosquitto_pub(self.port, 'nt', 'zero', qos=0)
        self.assertEqual(o.get_n(1)[0][:1], ('CON',))

    test_notify_type_con = with_config({'gateway.coap.notify_type': 'con'})(test_notify_type_con)

    def test_observe_deregister(self):
        """Observe=1 (coap-client sends it when its -s time is up) removes the
        subscription: the session then has none and ends at idle_timeout."""
        ev = self.sys_subscriber('$SYS/brokers/+/clients/obs3/disconnected')
        o = CoapObserver(self.uri('ps/dr', c='obs3'), seconds=2)
        self._clients.append(o)
        o.wait_registered()
        o.finish(timeout=TIMEOUT + 3)
        self.assertIn(b'Observe:1', o.output())
        ev.get(timeout=TIMEOUT + 2)

    test_observe_deregister = with_config({'gateway.coap.idle_timeout': '1s'})(
        test_observe_deregister)

    def test_observer_removed_when_client_goes_away(self):
        """A client killed without deregistering: its next CON notification is never
        acknowledged, the observer and subscription are removed, and the then idle session
        ends (disconnected event)."""
        ev = self.sys_subscriber('$SYS/brokers/+/clients/gone/disconnected')
        o = self.observer('ps/gone', c='gone')
        o.kill()
        mosquitto_pub(self.port, 'gone', 'into the void', qos=1)
        # Lost after ack_timeout x (1 + 2) x up to 1.5 (random factor), then idle_timeout.
        ev.get(timeout=TIMEOUT + 8)

    test_observer_removed_when_client_goes_away = with_config({
        'gateway.coap.idle_timeout': '1s', 'gateway.coap.ack_timeout': '1s',
        'gateway.coap.max_retransmit': 1})(test_observer_removed_when_client_goes_away)

    def test_observers_stay_while_idle(self):
        """An observing connectionless client is not expired by idle_timeout."""
        o = self.observer('ps/stay', c='stay')
        time.sleep(2.5)  # elapse: longer than idle_timeout (the timer under test)
        mosquitto_pub(self.port, 'stay', 'still here', qos=0)
        self.assertEqual(o.get_n(1)[0][3], 'still here')

    test_observers_stay_while_idle = with_config({'gateway.coap.idle_timeout': '1s'})(
        test_observers_stay_while_idle)

    def test_block_wise_4kb_notification(self):
        """A 4 KB MQTT message reaches an observer whole (Block2 notification)."""
        o = self.observer('ps/bigobs', c='obs4')
        body = (os.urandom(2048).hex()).encode()
        mosquitto_pub(self.port, 'bigobs', body.decode(), qos=1)
        # Block 0 comes in the notification, coap-client fetches 1-3 with GET+Block2.
        def blocks():
            got = {}
            for p in o.pdus:
                m = re.search(r'Block2:(\d+)/', p[2])
                if m and p[3]:
                    got[int(m.group(1))] = p[3]
            return ''.join(got[i] for i in sorted(got))
        o.wait_for(lambda: blocks() == body.decode(), '4 KB notification in blocks')

    def test_plain_get_returns_retained(self):
        """GET without Observe: the retained message (with its Content-Format), else 4.04;
        4 KB ones through Block2."""
        self.assertEqual(coap_code(self.uri('ps/ret/none')), '4.04')
        mosquitto_pub(self.port, 'ret/a', 'kept', retain=True, qos=1)
        rc, out = coap(self.uri('ps/ret/a'))
        self.assertEqual((rc, out.rstrip(b'\n')), (0, b'kept'))  # coap-client adds a newline
        big = os.urandom(2048).hex()
        mosquitto_pub(self.port, 'ret/big', big, retain=True, qos=1)
        rc, out = coap(self.uri('ps/ret/big'), extra=['-b', '64'])
        self.assertEqual(out.rstrip(b'\n'), big.encode())

    def test_observe_gets_retained_first(self):
        """Observing a topic with a retained message delivers it as the first notification,
        as an MQTT subscription would."""
        mosquitto_pub(self.port, 'rob/x', 'stored', retain=True, qos=1)
        o = self.observer('ps/rob/+', c='obs6')
        self.assertEqual(o.get_n(1)[0][3], 'stored')
        mosquitto_pub(self.port, 'rob/y', 'live', qos=0)
        self.assertEqual(o.get_n(2)[1][3], 'live')

    def test_coap_to_coap(self):
        """A CoAP publisher reaches a CoAP observer."""
        o = self.observer('ps/cc/+', c='obs5')
        coap(self.uri('ps/cc/x', c='pub5'), 'post', 'peer to peer')
        self.assertEqual(o.get_n(1)[0][3], 'peer to peer')


@edgegw_only('CoAP gateway')
class CoapLegacyTest(CoapTestCase):

    def test_emqx4_mqtt_paths(self):
        """EMQX 4.x devices: PUT /mqtt/{topic}?c=&u=&p= publishes, GET+Observe subscribes."""
        o = self.observer('mqtt/legacy/%23', c='old1', u='user', p='pw')
        sub = self.subscriber('legacy/#', 1)
        rc, _ = coap(self.uri('mqtt/legacy/t', c='old2', u='user', p='pw'), 'put', 'v4')
        self.assertEqual(rc, 0)
        self.assertEqual(sub.get().payload, b'v4')
        self.assertEqual(o.get_n(1)[0][3], 'v4')
