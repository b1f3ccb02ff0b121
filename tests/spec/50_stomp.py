"""50 STOMP gateway (SPEC section 8) with the real stomp.py client (python3-stomp) against
MQTT publishers and subscribers (paho): SEND -> MQTT, MQTT -> SUBSCRIBE with wildcards, ack
modes with ACK/NACK redelivery, receipts, transactions, heart-beats, version negotiation,
and ERROR-then-close for bad frames."""
import queue
import socket
import threading
import time

import stomp

from harness import BrokerTestCase, IS_EDGEGW, unique_id, with_config
import unittest

TIMEOUT = 10.0


class Frames(stomp.ConnectionListener):
    """Every frame stomp.py hands us, in order, as (command, frame)."""

    def __init__(self):
        self.q = queue.Queue()
        self.heartbeats = 0
        self.disconnected = threading.Event()

    def on_message(self, frame):
        self.q.put(('MESSAGE', frame))

    def on_error(self, frame):
        self.q.put(('ERROR', frame))

    def on_receipt(self, frame):
        self.q.put(('RECEIPT', frame))

    def on_heartbeat(self):
        self.heartbeats += 1

    def on_disconnected(self):
        self.disconnected.set()

    def next(self, command, timeout=TIMEOUT):
        cmd, frame = self.q.get(timeout=timeout)
        if cmd != command:
            raise AssertionError('expected %s, got %s %r %r'
                                 % (command, cmd, frame.headers, frame.body))
        return frame

    def assert_empty(self):
        if not self.q.empty():
            raise AssertionError('unexpected frame: %r' % (self.q.get()[1].headers,))


class StompClient:
    def __init__(self, port, version='1.2', heartbeats=(0, 0), **connect_kw):
        cls = {'1.0': stomp.Connection10, '1.1': stomp.Connection11,
               '1.2': stomp.Connection12}[version]
        kw = {} if version == '1.0' else {'heartbeats': heartbeats}
        self.conn = cls([('127.0.0.1', port)], auto_content_length=True, **kw)
        self.frames = Frames()
        self.conn.set_listener('t', self.frames)
        self.conn.connect(wait=True, **connect_kw)

    def close(self):
        try:
            if self.conn.is_connected():
                self.conn.disconnect()
        except Exception:
            pass


class RawStomp:
    """A plain socket speaking STOMP bytes, for what stomp.py will not send."""

    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=TIMEOUT)
        self.buf = b''

    def send(self, data):
        self.sock.sendall(data)

    def frame(self, timeout=TIMEOUT):
        """The next frame as (command, headers, body); None when the server closed."""
        deadline = time.monotonic() + timeout
        while True:
            self.buf = self.buf.lstrip(b'\r\n')  # heart-beats
            if b'\0' in self.buf:
                raw, _, self.buf = self.buf.partition(b'\0')
                head, _, body = raw.partition(b'\n\n')
                lines = head.decode().split('\n')
                headers = {}
                for line in lines[1:]:
                    k, _, v = line.partition(':')
                    headers.setdefault(k, v)
                return lines[0], headers, body
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('no frame in time; have %r' % self.buf)
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk

    def expect_closed(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(deadline - time.monotonic())
            try:
                if not self.sock.recv(65536):
                    return
            except ConnectionResetError:
                return
        raise AssertionError('connection still open')

    def close(self):
        self.sock.close()


@unittest.skipUnless(IS_EDGEGW, 'edgegw only: STOMP gateway')
class StompTest(BrokerTestCase):
    CONFIG = {'gateway.stomp.enable': True, 'gateway.stomp.bind': '127.0.0.1:0'}

    def stomp(self, **kw):
        c = StompClient(self.broker.port('stomp', ''), **kw)
        self._clients.append(c)
        return c

    def raw_stomp(self, connect=True, version='1.2', extra=''):
        r = RawStomp(self.broker.port('stomp', ''))
        self._clients.append(r)
        if connect:
            r.send(('CONNECT\naccept-version:%s\nhost:x\n%s\n' % (version, extra)).encode()
                   + b'\0')
            cmd, headers, _ = r.frame()
            self.assertEqual(cmd, 'CONNECTED', headers)
        return r

    # ------------------------------------------------------------------ SEND -> MQTT

    def test_send_publishes_destination_as_written(self):
        """SEND destination:a/b and /a/b publish to MQTT topics a/b and /a/b, with the
        receipt the client asked for."""
        base = unique_id('s')
        sub = self.client()
        sub.subscribe('%s/#' % base, 1)
        sub.subscribe('/%s/#' % base, 1)
        c = self.stomp()
        c.conn.send('%s/x' % base, 'hello', content_type='text/plain', receipt='r1')
        self.assertEqual(c.frames.next('RECEIPT').headers['receipt-id'], 'r1')
        c.conn.send('/%s/y' % base, b'bin\x00ary')
        got = {m.topic: m.payload for m in sub.get_n(2)}
        self.assertEqual(got, {'%s/x' % base: b'hello', '/%s/y' % base: b'bin\x00ary'})

    @with_config({'gateway.stomp.send_qos': 1})
    def test_send_qos_configurable(self):
        topic = unique_id('q')
        sub = self.client()
        sub.subscribe(topic, 2)
        self.stomp().conn.send(topic, 'x')
        self.assertEqual(sub.get().qos, 1)

    @with_config({'gateway.stomp.mountpoint': 'stomp/'})
    def test_mountpoint_prefixes_both_ways(self):
        topic = unique_id('m')
        sub = self.client()
        sub.subscribe('stomp/%s' % topic, 0)
        c = self.stomp()
        c.conn.subscribe(topic, id='1')
        c.conn.send(topic, 'in', receipt='r')
        c.frames.next('RECEIPT')
        self.assertEqual(sub.get().topic, 'stomp/%s' % topic)
        self.assertEqual(c.frames.next('MESSAGE').headers['destination'], topic)

    # ------------------------------------------------------------------ MQTT -> MESSAGE

    def test_subscribe_wildcards_deliver_message_frames(self):
        """A MESSAGE for every matching subscription, with subscription, message-id,
        destination and content-length; + and # match as in MQTT."""
        base = unique_id('w')
        c = self.stomp()
        c.conn.subscribe('%s/+/t' % base, id='plus')
        c.conn.subscribe('%s/#' % base, id='hash', headers={'receipt': 'sub'})
        c.frames.next('RECEIPT')
        pub = self.client()
        pub.publish('%s/a/t' % base, b'v1', 1)
        subs = {}
        for _ in range(2):
            f = c.frames.next('MESSAGE')
            subs[f.headers['subscription']] = f
        self.assertEqual(set(subs), {'plus', 'hash'})
        for f in subs.values():
            self.assertEqual(f.headers['destination'], '%s/a/t' % base)
            self.assertEqual(f.headers['content-length'], '2')
            self.assertTrue(f.headers['message-id'])
            self.assertEqual(f.body, 'v1')
        pub.publish('%s/b' % base, b'v2', 1)
        f = c.frames.next('MESSAGE')
        self.assertEqual((f.headers['subscription'], f.body), ('hash', 'v2'))
        c.conn.unsubscribe('hash', headers={'receipt': 'u'})
        c.frames.next('RECEIPT')
        pub.publish('%s/c' % base, b'gone', 1)
        pub.publish('%s/z/t' % base, b'v3', 1)
        self.assertEqual(c.frames.next('MESSAGE').body, 'v3')
        c.frames.assert_empty()

    def test_mqtt5_content_type_becomes_header(self):
        import paho.mqtt.properties as props
        from paho.mqtt.packettypes import PacketTypes
        import packets as pk
        topic = unique_id('ct')
        c = self.stomp()
        c.conn.subscribe(topic, id='1', headers={'receipt': 's'})
        c.frames.next('RECEIPT')
        p = props.Properties(PacketTypes.PUBLISH)
        p.ContentType = 'application/json'
        self.client(proto=pk.V5).publish(topic, b'{}', 1, properties=p)
        self.assertEqual(c.frames.next('MESSAGE').headers['content-type'], 'application/json')

    # ------------------------------------------------------------------ ack modes

    def test_client_individual_nack_redelivers(self):
        topic = unique_id('n')
        c = self.stomp()
        c.conn.subscribe(topic, id='s', ack='client-individual', headers={'receipt': 's'})
        c.frames.next('RECEIPT')
        self.client().publish(topic, b'once', 1)
        first = c.frames.next('MESSAGE')
        c.conn.nack(first.headers['ack'])
        again = c.frames.next('MESSAGE')
        self.assertEqual(again.body, 'once')
        self.assertEqual(again.headers.get('redelivered'), 'true')
        c.conn.ack(again.headers['ack'], receipt='a')
        c.frames.next('RECEIPT')
        c.frames.assert_empty()

    @with_config({'gateway.stomp.max_unacked': 2})
    def test_client_mode_holds_unacked_and_acks_cumulatively(self):
        """ack:client - at most max_unacked MESSAGEs are outstanding; one ACK of the
        latest settles every earlier one, and the rest flow."""
        topic = unique_id('c')
        c = self.stomp(version='1.1')
        c.conn.subscribe(topic, id='s', ack='client', headers={'receipt': 's'})
        c.frames.next('RECEIPT')
        pub = self.client()
        for i in range(4):
            pub.publish(topic, b'%d' % i, 1)
        got = [c.frames.next('MESSAGE') for _ in range(2)]
        self.assertEqual([f.body for f in got], ['0', '1'])
        # The window is full: a receipt round trip shows nothing else was sent.
        c.conn.send(unique_id('other'), 'x', receipt='barrier')
        c.frames.next('RECEIPT')
        c.frames.assert_empty()
        c.conn.ack(got[1].headers['message-id'], 's')
        self.assertEqual([c.frames.next('MESSAGE').body for _ in range(2)], ['2', '3'])

    def test_unacked_messages_of_a_closed_connection_are_dropped(self):
        """Documented limit: a STOMP session ends with its connection (clean start), so
        messages it never ACKed are not redelivered to a later connection."""
        topic = unique_id('d')
        c = self.stomp()
        c.conn.subscribe(topic, id='s', ack='client', headers={'receipt': 's'})
        c.frames.next('RECEIPT')
        self.client().publish(topic, b'x', 1)
        c.frames.next('MESSAGE')
        c.conn.disconnect()
        c2 = self.stomp()
        c2.conn.subscribe(topic, id='s', ack='client', headers={'receipt': 's'})
        c2.frames.next('RECEIPT')
        c2.conn.send(topic, 'new', receipt='r')
        c2.frames.next('RECEIPT')
        self.assertEqual(c2.frames.next('MESSAGE').body, 'new')

    # ------------------------------------------------------------------ transactions

    def test_transaction_holds_sends_until_commit(self):
        topic = unique_id('tx')
        sub = self.client()
        sub.subscribe('%s/#' % topic, 1)
        c = self.stomp()
        tx = c.conn.begin()
        c.conn.send('%s/a' % topic, 'in-tx-1', transaction=tx)
        c.conn.send('%s/a' % topic, 'in-tx-2', transaction=tx)
        c.conn.send('%s/b' % topic, 'outside', receipt='o')
        c.frames.next('RECEIPT')
        self.assertEqual(sub.get().payload, b'outside')  # the held ones did not pass it
        sub.assert_no_messages()
        c.conn.commit(tx, receipt='c')
        c.frames.next('RECEIPT')
        self.assertEqual([m.payload for m in sub.get_n(2)], [b'in-tx-1', b'in-tx-2'])
        tx2 = c.conn.begin()
        c.conn.send('%s/a' % topic, 'aborted', transaction=tx2)
        c.conn.abort(tx2)
        c.conn.send('%s/b' % topic, 'after', receipt='z')
        c.frames.next('RECEIPT')
        self.assertEqual(sub.get().payload, b'after')
        sub.assert_no_messages()

    # ------------------------------------------------------------------ heart-beats

    @with_config({'gateway.stomp.heartbeat_send': '1s', 'gateway.stomp.heartbeat_receive': '1s'})
    def test_heartbeats_both_ways_keep_the_connection(self):
        c = self.stomp(heartbeats=(1000, 1000))
        deadline = time.monotonic() + TIMEOUT
        while c.frames.heartbeats < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(c.frames.heartbeats, 3)
        self.assertTrue(c.conn.is_connected())
        c.conn.send(unique_id('hb'), 'x', receipt='r')
        c.frames.next('RECEIPT')

    @with_config({'gateway.stomp.heartbeat_receive': '1s'})
    def test_silent_client_is_dropped_after_heartbeat_timeout(self):
        r = self.raw_stomp(extra='heart-beat:1000,0\n')
        start = time.monotonic()
        cmd, headers, _ = r.frame(timeout=TIMEOUT)
        self.assertEqual((cmd, headers['message']), ('ERROR', 'heart-beat timeout'))
        self.assertGreaterEqual(time.monotonic() - start, 1.5)
        r.expect_closed()

    # ------------------------------------------------------------------ versions

    def test_version_negotiation(self):
        for offered, agreed in (('1.0', '1.0'), ('1.0,1.1', '1.1'), ('1.1,1.2', '1.2')):
            with self.subTest(offered=offered):
                r = RawStomp(self.broker.port('stomp', ''))
                self._clients.append(r)
                r.send(('CONNECT\naccept-version:%s\n\n' % offered).encode() + b'\0')
                cmd, headers, _ = r.frame()
                self.assertEqual((cmd, headers['version']), ('CONNECTED', agreed))
        r = RawStomp(self.broker.port('stomp', ''))
        self._clients.append(r)
        r.send(b'CONNECT\naccept-version:9.9\n\n\0')
        cmd, headers, _ = r.frame()
        self.assertEqual((cmd, headers['version']), ('ERROR', '1.0,1.1,1.2'))
        r.expect_closed()

    def test_stomp10_client(self):
        topic = unique_id('v10')
        c = self.stomp(version='1.0')
        c.conn.subscribe(topic, id='x')
        c.conn.send(topic, 'ten', receipt='r')
        c.frames.next('RECEIPT')
        self.assertEqual(c.frames.next('MESSAGE').body, 'ten')

    # ------------------------------------------------------------------ errors

    @with_config({'gateway.stomp.max_body': '1KB', 'node.sys_interval': '1s'})
    def test_bad_frames_get_error_then_close(self):
        cases = [
            ('garbage', b'\x00\xff\xfe\n\n\x00', 'malformed frame'),
            ('unknown command', b'FROB\nx:y\n\n\x00', 'unknown command'),
            ('undefined escape', b'SEND\ndestination:a\\tb\n\n\x00', 'malformed frame'),
            ('over max_body', b'SEND\ndestination:a\n\n' + b'x' * 2000 + b'\x00',
             'frame too large'),
            ('over max_body by content-length',
             b'SEND\ndestination:a\ncontent-length:5000\n\n', 'frame too large'),
            ('invalid destination', b'SEND\ndestination:a/#\nreceipt:9\n\nx\x00',
             'invalid destination'),
            ('unknown subscription', b'UNSUBSCRIBE\nid:none\n\n\x00', 'unknown subscription'),
        ]
        for name, data, message in cases:
            with self.subTest(name):
                r = self.raw_stomp()
                r.send(data)
                cmd, headers, _ = r.frame()
                self.assertEqual((cmd, headers.get('message')), ('ERROR', message))
                r.expect_closed()
        # Before CONNECT.
        r = self.raw_stomp(connect=False)
        r.send(b'SEND\ndestination:a\n\nx\x00')
        self.assertEqual(r.frame()[0], 'ERROR')
        r.expect_closed()
        # The gateway still serves others.
        c = self.stomp()
        c.conn.send('still/ok', 'x', receipt='r')
        c.frames.next('RECEIPT')
        # Garbage, the unknown command, the bad escape and both over-limit frames are
        # counted as malformed packets (SPEC 11), visible in $SYS.
        sys = self.client()
        sys.subscribe('$SYS/brokers/test/metrics/packets/malformed', 0)
        deadline = time.monotonic() + TIMEOUT
        count = 0
        while count < 5 and time.monotonic() < deadline:
            m = sys.poll(1.5)
            if m is not None:
                count = int(m.payload)
        self.assertEqual(count, 5)

    @with_config({'gateway.stomp.write_high_water': '16KB'})
    def test_slow_reader_is_bounded_and_others_keep_working(self):
        """A client that stops reading its MESSAGE frames does not stall the publisher or
        other clients, and what it reads later is intact, in order."""
        topic = unique_id('slow')
        r = RawStomp(self.broker.port('stomp', ''))
        self._clients.append(r)
        r.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        r.send(b'CONNECT\naccept-version:1.2\n\n\0SUBSCRIBE\nid:s\ndestination:'
               + topic.encode() + b'\nreceipt:s\n\n\0')
        self.assertEqual(r.frame()[0], 'CONNECTED')
        self.assertEqual(r.frame()[0], 'RECEIPT')
        pub = self.client()
        payload = b'p' * 4000
        start = time.monotonic()
        for i in range(500):  # 2 MB towards a reader that takes nothing
            pub.publish(topic, b'%05d' % i + payload, 0)
        pub.barrier()
        self.assertLess(time.monotonic() - start, TIMEOUT)
        other = self.stomp()
        other.conn.subscribe(topic + '/other', id='o')
        other.conn.send(topic + '/other', 'fine', receipt='r')
        other.frames.next('RECEIPT')
        self.assertEqual(other.frames.next('MESSAGE').body, 'fine')
        # The slow reader now reads: MESSAGE frames in order, none torn.
        last = -1
        for _ in range(20):
            cmd, headers, body = r.frame()
            self.assertEqual(cmd, 'MESSAGE')
            self.assertEqual(len(body), int(headers['content-length']))
            n = int(body[:5])
            self.assertGreater(n, last)
            last = n

    def test_disconnect_with_receipt(self):
        r = self.raw_stomp()
        r.send(b'DISCONNECT\nreceipt:77\n\n\x00')
        cmd, headers, _ = r.frame()
        self.assertEqual((cmd, headers['receipt-id']), ('RECEIPT', '77'))
        r.expect_closed()
