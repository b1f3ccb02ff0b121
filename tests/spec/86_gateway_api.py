"""86 gateways in the management API, $SYS and Prometheus (SPEC sections 4 and 10): an
edgegw with the MQTT-SN, CoAP and STOMP gateways on, real clients on each (the MQTT-SN test
client, coap-client, python3-stomp) and EMQX's paths: GET /api/v5/gateways[/{name}] with
status, current_connections, max_connections, listeners and times; GET
/api/v5/gateways/{name}/clients (filters, paging) and GET/DELETE of one client (kick); the
per-gateway $SYS topics and the edgegw_gateway_* Prometheus families."""
import base64
import json
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import stomp
from prometheus_client.parser import text_string_to_metric_families

from harness import BrokerTestCase, edgegw_only, unique_id
from mqttsn_client import DISCONNECT, SnClient

TIMEOUT = 10.0
USER, PASSWORD = 'admin', 'public'
COAP_CLIENT = next((c for c in ('coap-client', 'coap-client-openssl', 'coap-client-gnutls',
                                'coap-client-notls') if shutil.which(c)), 'coap-client')
CONFIG = {
    'api.enable': True, 'api.bind': '127.0.0.1:0',
    'node.sys_interval': '1s',
    'gateway.mqttsn.enable': True, 'gateway.mqttsn.bind': '127.0.0.1:0',
    'gateway.mqttsn.max_clients': 77,
    'gateway.coap.enable': True, 'gateway.coap.bind': '127.0.0.1:0',
    'gateway.coap.dtls_bind': '127.0.0.1:0',
    'gateway.stomp.enable': True, 'gateway.stomp.bind': '127.0.0.1:0',
}


def wait_for(fn, what, timeout=TIMEOUT):
    """fn() until it returns something true; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for ' + what)
        time.sleep(0.05)


@edgegw_only('gateways in the management API')
class GatewayApiTest(BrokerTestCase):
    CONFIG = CONFIG

    def call(self, method, path):
        req = urllib.request.Request('http://127.0.0.1:%d%s' % (self.broker.port('api', ''), path),
                                     method=method)
        token = base64.b64encode(('%s:%s' % (USER, PASSWORD)).encode()).decode()
        req.add_header('Authorization', 'Basic ' + token)
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
                status, text, ctype = r.status, r.read(), r.headers.get('Content-Type', '')
        except urllib.error.HTTPError as e:
            status, text, ctype = e.code, e.read(), e.headers.get('Content-Type', '')
        if ctype.startswith('application/json') and text:
            return status, json.loads(text)
        return status, text.decode()

    def get(self, path, expect=200):
        status, body = self.call('GET', path)
        self.assertEqual(status, expect, body)
        return body

    # clients of each protocol -----------------------------------------------------------
    def sn_client(self, client_id):
        c = SnClient(self.broker.port('mqttsn', ''))
        self._clients.append(c)
        c.connect(client_id)
        return c

    def stomp_client(self, client_id):
        conn = stomp.Connection12([('127.0.0.1', self.broker.port('stomp', ''))],
                                  auto_content_length=True, heartbeats=(0, 0))
        conn.connect(wait=True, headers={'client-id': client_id})
        self.addCleanup(lambda: conn.is_connected() and conn.disconnect())
        return conn

    def coap(self, path, method, clientid, payload=None, **query):
        q = '&'.join(['clientid=' + clientid] + ['%s=%s' % kv for kv in query.items()])
        uri = 'coap://127.0.0.1:%d/%s?%s' % (self.broker.port('coap', ''), path, q)
        args = [COAP_CLIENT, '-m', method, '-B', str(int(TIMEOUT))]
        if payload is not None:
            args += ['-e', payload]
        res = subprocess.run(args + [uri], capture_output=True, timeout=TIMEOUT + 5)
        self.assertEqual(res.returncode, 0, res.stderr)
        return res.stdout.decode().strip()

    def coap_connect(self, clientid):
        """Connection mode: the session lives until DELETE or the heartbeat times out."""
        token = self.coap('mqtt/connection', 'post', clientid)
        self.assertRegex(token, r'^[0-9a-f]{16}$')
        return token

    # tests ------------------------------------------------------------------------------
    def test_gateways_status_and_listeners(self):
        gws = {g['name']: g for g in self.get('/api/v5/gateways')}
        ports = {'mqttsn': self.broker.port('mqttsn', ''), 'coap': self.broker.port('coap', ''),
                 'stomp': self.broker.port('stomp', '')}
        for name, port in ports.items():
            g = gws[name]
            self.assertEqual(g['status'], 'running', g)
            self.assertEqual(g['current_connections'], 0, g)
            self.assertIsInstance(g['max_connections'], int)
            self.assertRegex(g['created_at'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
            self.assertRegex(g['started_at'], r'^\d{4}-\d\d-\d\dT')
            binds = [l['bind'] for l in g['listeners'] if l['running']]
            self.assertIn('127.0.0.1:%d' % port, binds, g)
            self.assertEqual(self.get('/api/v5/gateways/' + name), g)
        self.assertEqual(gws['mqttsn']['max_connections'], 77)
        self.assertEqual(gws['mqttsn']['listeners'][0]['id'], 'mqttsn:udp:default')
        self.assertEqual(gws['stomp']['listeners'][0]['type'], 'tcp')
        # Gateways of this build that are not enabled are listed as unloaded.
        for name, g in gws.items():
            if name not in ports:
                self.assertEqual(g['status'], 'unloaded', g)
        self.assertEqual(self.call('GET', '/api/v5/gateways/nope')[0], 404)
        self.assertEqual(self.call('GET', '/api/v5/gateways/nope/clients')[0], 404)

    def test_clients_of_each_gateway_and_kick(self):
        sn_ids = [unique_id('sn-a'), unique_id('sn-b')]
        sns = [self.sn_client(i) for i in sn_ids]
        st_id = unique_id('st')
        st = self.stomp_client(st_id)
        co_id = unique_id('co')
        self.coap_connect(co_id)
        mqtt = self.client(unique_id('mq'))

        def ids(gw, query=''):
            page = self.get('/api/v5/gateways/%s/clients%s' % (gw, query))
            return sorted(c['clientid'] for c in page['data'])

        self.assertEqual(ids('mqttsn'), sorted(sn_ids))
        self.assertEqual(ids('stomp'), [st_id])
        self.assertEqual(ids('coap'), [co_id])
        self.assertNotIn(mqtt.client_id, ids('mqttsn') + ids('stomp') + ids('coap'))
        # EMQX's filters and paging, as for /clients.
        self.assertEqual(ids('mqttsn', '?like_clientid=sn-a'), [sn_ids[0]])
        self.assertEqual(ids('mqttsn', '?ip_address=127.0.0.1'), sorted(sn_ids))
        self.assertEqual(ids('mqttsn', '?ip_address=10.9.9.9'), [])
        self.assertEqual(ids('mqttsn', '?username=nobody'), [])
        page = self.get('/api/v5/gateways/mqttsn/clients?limit=1&page=2')
        self.assertEqual(page['meta'], {'page': 2, 'limit': 1, 'count': 2, 'hasnext': False})
        self.assertEqual(len(page['data']), 1)
        self.assertEqual(self.call('GET', '/api/v5/gateways/mqttsn/clients?limit=0')[0], 400)

        one = self.get('/api/v5/gateways/stomp/clients/' + st_id)
        self.assertEqual((one['clientid'], one['proto_name'], one['connected']),
                         (st_id, 'STOMP', True))
        # A client of another gateway is not found under this one.
        self.assertEqual(self.call('GET', '/api/v5/gateways/mqttsn/clients/' + st_id)[0], 404)
        self.assertEqual(self.call('DELETE', '/api/v5/gateways/coap/clients/' + st_id)[0], 404)

        counts = {g['name']: g['current_connections'] for g in self.get('/api/v5/gateways')}
        self.assertEqual((counts['mqttsn'], counts['stomp'], counts['coap']), (2, 1, 1))

        # Kick: the MQTT-SN client is told (DISCONNECT) and is gone from the list.
        self.assertEqual(self.call('DELETE', '/api/v5/gateways/mqttsn/clients/' + sn_ids[0])[0],
                         204)
        sns[0].expect(DISCONNECT)
        wait_for(lambda: ids('mqttsn') == [sn_ids[1]], 'kicked client to leave the list')
        self.assertEqual(self.call('GET', '/api/v5/gateways/mqttsn/clients/' + sn_ids[0])[0], 404)
        wait_for(lambda: self.get('/api/v5/gateways/mqttsn')['current_connections'] == 1,
                 'current_connections 1')
        # STOMP: kicked, the connection closes.
        self.assertEqual(self.call('DELETE', '/api/v5/gateways/stomp/clients/' + st_id)[0], 204)
        wait_for(lambda: not st.is_connected(), 'STOMP connection to close')
        wait_for(lambda: self.get('/api/v5/gateways/stomp')['current_connections'] == 0,
                 'stomp current_connections 0')
        self.assertEqual(self.call('DELETE', '/api/v5/gateways/coap/clients/' + co_id)[0], 204)
        wait_for(lambda: ids('coap') == [], 'coap client kicked')

    def test_counters_in_sys_and_prometheus(self):
        node = self.get('/api/v5/nodes')[0]['node'].split('@', 1)[1]
        sys_sub = self.subscriber('$SYS/brokers/%s/gateway/+/+/+' % node, 0)
        sink = self.subscriber('gw/#', 0)
        sn = self.sn_client(unique_id('sn'))
        tid = sn.register('gw/sn')
        for i in range(3):
            self.assertEqual(sn.publish(tid, b'%d' % i, qos=1), 0)
        st = self.stomp_client(unique_id('st'))
        st.send('gw/stomp', 'one')
        st.send('gw/stomp', 'two')
        co = unique_id('co')
        token = self.coap_connect(co)
        self.coap('ps/gw/coap', 'post', co, 'x', token=token)
        got = set()
        while len(got) < 6:
            got.add(sink.get(timeout=TIMEOUT).topic + str(len(got)))

        # $SYS: every gateway's numbers, published every node.sys_interval (1 s here).
        want = {('mqttsn', 'messages/received'): 3, ('stomp', 'messages/received'): 2,
                ('coap', 'messages/received'): 1, ('mqttsn', 'clients/count'): 1,
                ('stomp', 'clients/count'): 1, ('coap', 'clients/count'): 1}
        seen = {}
        deadline = time.monotonic() + TIMEOUT
        while any(seen.get(k) != v for k, v in want.items()):
            self.assertLess(time.monotonic(), deadline, 'still missing in $SYS: %r' % seen)
            m = sys_sub.get(timeout=TIMEOUT)
            parts = m.topic.split('/')  # $SYS brokers node gateway NAME a b
            seen[(parts[4], parts[5] + '/' + parts[6])] = int(m.payload)
        self.assertIn(('mqttsn', 'clients/max'), seen)

        # Prometheus: edgegw_gateway_*{name="..."}.
        text = self.get('/api/v5/prometheus/stats')
        samples = {}
        for line in text.splitlines():
            m = re.match(r'^(edgegw_gateway_\w+)\{name="(\w+)"\} (\S+)$', line)
            if m:
                samples[(m.group(1), m.group(2))] = float(m.group(3))
        # The reference parser (python3-prometheus-client) takes the whole scrape.
        families = {f.name: f for f in text_string_to_metric_families(text)}
        self.assertEqual(families['edgegw_gateway_messages_received'].type, 'counter')
        self.assertEqual(families['edgegw_gateway_current_connections'].type, 'gauge')
        self.assertIn('# TYPE edgegw_gateway_messages_received_total counter', text)
        self.assertIn('# TYPE edgegw_gateway_current_connections gauge', text)
        self.assertEqual(samples[('edgegw_gateway_messages_received_total', 'mqttsn')], 3)
        self.assertEqual(samples[('edgegw_gateway_messages_received_total', 'stomp')], 2)
        self.assertEqual(samples[('edgegw_gateway_messages_received_total', 'coap')], 1)
        for gw in ('mqttsn', 'stomp', 'coap'):
            self.assertEqual(samples[('edgegw_gateway_current_connections', gw)], 1, gw)
            self.assertEqual(samples[('edgegw_gateway_up', gw)], 1, gw)

        # Deliveries to gateway clients count as sent.
        sn.subscribe('gw/to-sn', 0)
        mq = self.client(unique_id('mq'))
        mq.publish('gw/to-sn', b'hello', 1)
        self.assertEqual(sn.get().payload, b'hello')
        wait_for(lambda: self.get('/api/v5/gateways/mqttsn')['messages_sent'] >= 1,
                 'mqttsn messages_sent')

    def test_ctl_gateways(self):
        """`edgegw ctl gateways` (table and --json) and `edgegw ctl gateways NAME` (clients)."""
        sn_id = unique_id('sn')
        self.sn_client(sn_id)
        cmd = [self.broker.binary, 'ctl', '--url',
               'http://127.0.0.1:%d' % self.broker.port('api', ''), '-u', USER, '-p', PASSWORD]

        def ctl(*args):
            p = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            lines = p.stdout.rstrip('\n').split('\n')
            return p.stdout, [dict(zip(lines[0].split(), l.split())) for l in lines[1:]]

        _, rows = ctl('gateways')
        by_name = {r['NAME']: r for r in rows}
        self.assertEqual((by_name['mqttsn']['STATUS'], by_name['mqttsn']['CLIENTS']),
                         ('running', '1'))
        self.assertEqual(by_name['stomp']['CLIENTS'], '0')
        self.assertEqual(by_name['stomp']['LISTENERS'],
                         'tcp:127.0.0.1:%d' % self.broker.port('stomp', ''))
        text, _ = ctl('--json', 'gateways')
        self.assertEqual({g['name']: g['status'] for g in json.loads(text)},
                         {g['name']: g['status'] for g in self.get('/api/v5/gateways')})
        _, rows = ctl('gateways', 'mqttsn')
        self.assertEqual([r['CLIENTID'] for r in rows], [sn_id])
        text, _ = ctl('--json', 'gateways', 'stomp')
        self.assertEqual(json.loads(text)['data'], [])
