"""74 ACL refusals in the protocol gateways (issue 8 item 4): the ACL of 73 seen through
MQTT-SN (REGACK/PUBACK/SUBACK "rejected: not supported" 0x03, MQTT-SN 1.2 has no "not
authorized"), CoAP (4.03 Forbidden on /ps publish, observe and retained read; SPEC section
6) and STOMP (ERROR "not authorized" carrying the receipt-id, then close). Deliveries to a
gateway's wildcard subscriber skip denied topics as for MQTT. Peers: mqttsn_client.SnClient,
coap-client (libcoap3-bin), stomp.py (python3-stomp); paho publishes."""
import os
import queue
import re
import shutil
import socket
import subprocess
import tempfile
import unittest

import stomp

from clients import BARRIER_PREFIX, TIMEOUT
from harness import HOST, IS_EDGEGW, BrokerTestCase
from mqttsn_client import ACCEPTED, NOT_SUPPORTED, SnClient

ACL = """\
topic readwrite %(barrier)s#
topic read public/#
topic deny public/secret
topic read qm
topic read zz
pattern readwrite dev/%%c/#
user writer
topic write #
address 127.0.0.2
topic write qm
""" % {'barrier': BARRIER_PREFIX}

COAP_CLIENT = next((c for c in ('coap-client', 'coap-client-openssl', 'coap-client-gnutls')
                    if shutil.which(c)), 'coap-client')
# A PDU as coap-client -v 7 logs it: type, code, ...
PDU = re.compile(r"v:1 t:(CON|NON|ACK|RST) c:(\d\.\d\d) ")


def coap_code(uri, method='get', payload=None, extra=()):
    """The last response code coap-client logged ("4.03")."""
    args = [COAP_CLIENT, '-m', method, '-B', str(int(TIMEOUT)), '-v', '7'] + list(extra)
    if payload is not None:
        args += ['-e', payload]
    res = subprocess.run(args + [uri], capture_output=True, timeout=TIMEOUT + 5)
    codes = [m.group(2) for m in map(PDU.search, res.stdout.decode(errors='replace').splitlines())
             if m and m.group(2) != '0.00']
    return codes[-1] if codes else None


class StompFrames(stomp.ConnectionListener):
    def __init__(self):
        self.q = queue.Queue()

    def on_error(self, frame):
        self.q.put(('ERROR', frame))

    def on_receipt(self, frame):
        self.q.put(('RECEIPT', frame))

    def on_message(self, frame):
        self.q.put(('MESSAGE', frame))

    def next(self):
        return self.q.get(timeout=TIMEOUT)


@unittest.skipUnless(IS_EDGEGW, 'edgegw only: protocol gateways and auth.acl_file')
class GatewayAclTest(BrokerTestCase):
    CONFIG = {
        'gateway.mqttsn.enable': True, 'gateway.mqttsn.bind': '127.0.0.1:0',
        'gateway.coap.enable': True, 'gateway.coap.bind': '127.0.0.1:0',
        'gateway.coap.dtls_bind': '127.0.0.1:0',
        'gateway.stomp.enable': True, 'gateway.stomp.bind': '127.0.0.1:0',
    }

    def setUp(self):
        fd, path = tempfile.mkstemp(prefix='edgegw-acl-', suffix='.acl')
        with os.fdopen(fd, 'w') as f:
            f.write(ACL)
        self.addCleanup(os.remove, path)
        self.CONFIG = dict(self.CONFIG, **{'auth.acl_file': path})
        super().setUp()

    # --------------------------------------------------------------------- MQTT-SN
    def sn(self, client_id):
        c = SnClient(self.broker.port('mqttsn', ''))
        self._clients.append(c)
        c.connect(client_id)
        return c

    def test_mqttsn_register_publish_subscribe_refused_with_0x03(self):
        c = self.sn('sn1')
        self.assertGreaterEqual(c.register('dev/sn1/t'), 1)
        self.assertEqual(c.register('other/t', expect_rc=NOT_SUPPORTED), 0)
        self.assertEqual(c.publish('zz', b'x', qos=1), NOT_SUPPORTED)  # short topic, denied
        rc, _, _ = c.subscribe('other/#', 1)
        self.assertEqual(rc, NOT_SUPPORTED)
        self.assertEqual(c.publish(c.register('dev/sn1/ok'), b'x', qos=1), ACCEPTED)

    def test_mqttsn_wildcard_subscriber_skips_denied_topics(self):
        c = self.sn('sn2')
        self.assertEqual(c.subscribe('public/#', 1)[0], ACCEPTED)
        w = self.client(username='writer')
        for t in ('public/a', 'public/secret', 'public/b'):
            w.publish(t, t.encode(), 1)
        self.assertEqual([d.payload for d in c.get_n(2)], [b'public/a', b'public/b'])

    def test_mqttsn_qos_minus_1_checked_as_its_sender(self):
        """QoS -1 publishes (no connection) are checked as the gateway's QoS -1 client seen
        from each sender's address: the address block lets 127.0.0.2 write 'qm', not
        127.0.0.1, whichever sent first; nobody may write 'zz'."""
        sub = self.client()
        self.assertEqual(sub.subscribe('#', 0), [0])
        one = SnClient(self.broker.port('mqttsn', ''))
        two = SnClient(self.broker.port('mqttsn', ''))
        self._clients += [one, two]
        two.sock.close()  # the same gateway address, sent from 127.0.0.2
        two.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        two.sock.bind(('127.0.0.2', 0))
        one.publish('qm', b'from .1', qos=-1)
        two.publish('zz', b'denied', qos=-1)
        two.publish('qm', b'from .2', qos=-1)
        m = sub.get()  # the others were sent first: had they been routed, they would come first
        self.assertEqual((m.topic, m.payload), ('qm', b'from .2'))
        sub.assert_no_messages()

    # ------------------------------------------------------------------------ CoAP
    def coap_uri(self, path, **query):
        q = '&'.join('%s=%s' % kv for kv in query.items())
        return 'coap://%s:%d/%s%s' % (HOST, self.broker.port('coap', ''), path,
                                      ('?' + q) if q else '')

    def test_coap_publish_observe_and_read_4_03(self):
        self.assertEqual(coap_code(self.coap_uri('ps/other/t', c='co1'), 'post', 'x'), '4.03')
        self.assertEqual(coap_code(self.coap_uri('ps/dev/co1/t', c='co1'), 'post', 'x'), '2.04')
        self.assertEqual(coap_code(self.coap_uri('ps/other/%23', c='co1'), 'get',
                                   extra=['-s', '2']), '4.03')
        self.client(username='writer').publish('public/secret', b's', 1, retain=True)
        self.assertEqual(coap_code(self.coap_uri('ps/public/secret', c='co1')), '4.03')

    # ----------------------------------------------------------------------- STOMP
    def stomp_conn(self):
        conn = stomp.Connection12([('127.0.0.1', self.broker.port('stomp', ''))],
                                  auto_content_length=True)
        frames = StompFrames()
        conn.set_listener('t', frames)
        conn.connect(wait=True, headers={'client-id': 'stomp'})
        self.addCleanup(lambda: conn.is_connected() and conn.disconnect())
        return conn, frames

    def test_stomp_send_refused_with_error_and_receipt_id(self):
        conn, frames = self.stomp_conn()
        conn.send('dev/stomp/t', 'x', headers={'receipt': 'r-ok'})
        self.assertEqual(frames.next()[0], 'RECEIPT')  # its own dev/%c
        conn.send('other/t', 'x', headers={'receipt': 'r-denied'})
        kind, frame = frames.next()
        self.assertEqual((kind, frame.headers.get('message'), frame.headers.get('receipt-id')),
                         ('ERROR', 'not authorized', 'r-denied'))

    def test_stomp_subscribe_refused_with_error(self):
        conn, frames = self.stomp_conn()
        conn.subscribe('other/#', id='s1', headers={'receipt': 'r-sub'})
        kind, frame = frames.next()
        self.assertEqual((kind, frame.headers.get('message'), frame.headers.get('receipt-id')),
                         ('ERROR', 'not authorized', 'r-sub'))
