"""60 management API (SPEC section 10): EMQX /api/v5 paths and JSON shapes over HTTP with
basic auth, driven with urllib against a real edgegw while real MQTT clients (paho) are
connected; the Prometheus scrape is checked by a strict parser of the text format and by
the reference parser of python3-prometheus-client."""
import base64
import json
import re
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import packets as pk
from harness import BrokerTestCase, edgegw_only, unique_id, with_config

USER, PASSWORD = 'admin', 'public'
API = {'api.enable': True, 'api.bind': '127.0.0.1:0'}


class ApiTestCase(BrokerTestCase):
    CONFIG = API

    @property
    def api_port(self):
        return self.broker.port('api', '')

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.api_port, path)

    def call(self, method, path, body=None, auth=(USER, PASSWORD), raw=None, headers=None):
        """Returns (status, headers, body): body parsed as JSON when it is JSON."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.url(path), data=data, method=method)
        if data is not None:
            req.add_header('Content-Type', 'application/json')
        if auth:
            token = base64.b64encode(('%s:%s' % auth).encode()).decode()
            req.add_header('Authorization', 'Basic ' + token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, hdrs, text = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, text = e.code, e.headers, e.read()
        ctype = hdrs.get('Content-Type', '')
        if ctype.startswith('application/json') and text:
            return status, hdrs, json.loads(text)
        return status, hdrs, text.decode()

    def get(self, path, expect=200):
        status, _, body = self.call('GET', path)
        self.assertEqual(status, expect, body)
        return body


@edgegw_only('management API')
class AuthTest(ApiTestCase):

    def test_basic_auth_required(self):
        """Every /api/v5 path needs api.username/api.password (401 + WWW-Authenticate)."""
        for path in ('/api/v5/clients', '/api/v5/stats', '/api/v5/prometheus/stats',
                     '/api/v5/nope'):
            status, hdrs, body = self.call('GET', path, auth=None)
            self.assertEqual(status, 401, path)
            self.assertIn('Basic', hdrs.get('WWW-Authenticate', ''))
            self.assertEqual(body['code'], 'BAD_USERNAME_OR_PWD')
        self.assertEqual(self.call('GET', '/api/v5/clients', auth=(USER, 'wrong'))[0], 401)
        self.assertEqual(self.call('GET', '/api/v5/clients', auth=('root', PASSWORD))[0], 401)
        self.assertEqual(self.call('GET', '/api/v5/clients')[0], 200)

    @with_config({'api.username': 'ops', 'api.password': 's3cret:with:colons'})
    def test_configured_credentials(self):
        self.assertEqual(self.call('GET', '/api/v5/stats')[0], 401)
        self.assertEqual(self.call('GET', '/api/v5/stats', auth=('ops', 's3cret:with:colons'))[0],
                         200)

    def test_health_check_without_auth(self):
        status, _, body = self.call('GET', '/status', auth=None)
        self.assertEqual(status, 200)
        self.assertIn('is running', body)

    def test_errors(self):
        """404 unknown path, 405 wrong method, 400 bad JSON and bad paging, 413 too large."""
        self.assertEqual(self.call('GET', '/api/v5/nope')[0], 404)
        self.assertEqual(self.call('GET', '/api/v4/clients')[0], 404)
        self.assertEqual(self.call('POST', '/api/v5/clients', {})[0], 405)
        self.assertEqual(self.call('PUT', '/api/v5/stats', {})[0], 405)
        status, _, body = self.call('POST', '/api/v5/publish', raw=b'{"topic": ')
        self.assertEqual((status, body['code']), (400, 'BAD_REQUEST'))
        self.assertEqual(self.call('POST', '/api/v5/publish', raw=b'[1,2]')[0], 400)
        self.assertEqual(self.call('POST', '/api/v5/publish', {'topic': 5})[0], 400)
        for q in ('page=0', 'page=x', 'limit=0', 'limit=-1', 'limit=100001'):
            self.assertEqual(self.call('GET', '/api/v5/clients?' + q)[0], 400, q)
        self.assertEqual(self.call('GET', '/api/v5/clients/%zz')[0], 400)

    @with_config({'api.max_body_size': '1KB'})
    def test_body_limit(self):
        status, _, _ = self.call('POST', '/api/v5/publish',
                                 {'topic': 't', 'payload': 'x' * 4096})
        self.assertEqual(status, 413)
        self.assertEqual(self.call('GET', '/api/v5/stats')[0], 200)  # still serving

    def test_malformed_http(self):
        """Garbage on the HTTP port gets a 400 and a close; the API keeps serving."""
        with socket.create_connection(('127.0.0.1', self.api_port), timeout=5) as s:
            s.sendall(b'\x00\x01GARBAGE / HTTP/9\r\n\r\n')
            reply = b''
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        self.assertTrue(reply.startswith(b'HTTP/1.1 400'), reply[:60])
        self.assertEqual(self.call('GET', '/api/v5/stats')[0], 200)


@edgegw_only('management API')
class ClientsTest(ApiTestCase):

    def test_clients_fields(self):
        """GET /api/v5/clients/{id}: EMQX's field names and this connection's values."""
        c = self.client('api-c5', proto=pk.V5, keepalive=42, username='alice', password='pw')
        c.subscribe('a/b', 1)
        c.subscribe('c/#', 0)
        j = self.get('/api/v5/clients/api-c5')
        self.assertEqual(j['clientid'], 'api-c5')
        self.assertEqual(j['username'], 'alice')
        self.assertEqual(j['ip_address'], '127.0.0.1')
        self.assertEqual(j['port'], c.c.socket().getsockname()[1])
        self.assertIs(j['connected'], True)
        self.assertEqual((j['proto_name'], j['proto_ver']), ('MQTT', 5))
        self.assertEqual(j['keepalive'], 42)
        self.assertIs(j['clean_start'], True)
        self.assertEqual(j['expiry_interval'], 0)
        self.assertEqual(j['subscriptions_cnt'], 2)
        for k in ('mqueue_len', 'inflight_cnt', 'connected_at', 'created_at', 'node'):
            self.assertIn(k, j)
        self.assertRegex(j['connected_at'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$')
        status, _, err = self.call('GET', '/api/v5/clients/nobody')
        self.assertEqual((status, err['code']), (404, 'CLIENTID_NOT_FOUND'))

    def test_list_paging_and_filters(self):
        ids = ['pg-%d' % i for i in range(5)]
        for i, cid in enumerate(ids):
            self.client(cid, proto=pk.V5 if i % 2 else pk.V311,
                        username='bob' if i < 2 else None)
        j = self.get('/api/v5/clients')
        self.assertEqual(j['meta'], {'page': 1, 'limit': 100, 'count': 5, 'hasnext': False})
        self.assertEqual(sorted(c['clientid'] for c in j['data']), ids)
        pages = [self.get('/api/v5/clients?limit=2&page=%d' % p) for p in (1, 2, 3, 4)]
        self.assertEqual([p['meta']['hasnext'] for p in pages], [True, True, False, False])
        self.assertEqual([len(p['data']) for p in pages], [2, 2, 1, 0])
        self.assertEqual(sorted(c['clientid'] for p in pages for c in p['data']), ids)
        self.assertEqual(pages[0]['meta']['count'], 5)
        by_user = self.get('/api/v5/clients?username=bob')
        self.assertEqual(sorted(c['clientid'] for c in by_user['data']), ['pg-0', 'pg-1'])
        like = self.get('/api/v5/clients?like_clientid=g-3')
        self.assertEqual([c['clientid'] for c in like['data']], ['pg-3'])
        self.assertEqual(self.get('/api/v5/clients?ip_address=127.0.0.1')['meta']['count'], 5)
        self.assertEqual(self.get('/api/v5/clients?ip_address=10.0.0.1')['meta']['count'], 0)
        self.assertEqual(self.get('/api/v5/clients?proto_name=MQTT')['meta']['count'], 5)
        self.assertEqual(self.get('/api/v5/clients?protocol=mqttsn')['meta']['count'], 0)
        self.assertEqual(self.get('/api/v5/clients?conn_state=connected')['meta']['count'], 5)

    def test_kick(self):
        """DELETE /api/v5/clients/{id}: disconnected, session gone, will published."""
        watcher = self.subscriber('will/kick', 1)
        victim = self.client('kick-me', proto=pk.V5,
                             will={'topic': 'will/kick', 'payload': b'gone', 'qos': 1})
        status, _, _ = self.call('DELETE', '/api/v5/clients/kick-me')
        self.assertEqual(status, 204)
        victim.wait_disconnected()
        self.assertEqual(watcher.get().payload, b'gone')
        self.assertEqual(self.call('GET', '/api/v5/clients/kick-me')[0], 404)
        self.assertEqual(self.call('DELETE', '/api/v5/clients/kick-me')[0], 404)

    def test_client_id_with_slash(self):
        self.client('a/b c')
        j = self.get('/api/v5/clients/' + urllib.parse.quote('a/b c', safe=''))
        self.assertEqual(j['clientid'], 'a/b c')


@edgegw_only('management API')
class PubSubTest(ApiTestCase):

    def test_subscriptions_and_topics(self):
        a = self.client('sub-a', proto=pk.V5)
        a.subscribe('s/1', 1)
        a.subscribe('$share/g/s/2', 2)
        b = self.client('sub-b')
        b.subscribe('s/1', 0)
        j = self.get('/api/v5/subscriptions')
        got = sorted((s['clientid'], s['topic'], s['qos']) for s in j['data'])
        self.assertEqual(got, [('sub-a', '$share/g/s/2', 2), ('sub-a', 's/1', 1),
                               ('sub-b', 's/1', 0)])
        self.assertEqual(j['meta']['count'], 3)
        only_b = self.get('/api/v5/subscriptions?clientid=sub-b')['data']
        self.assertEqual([(s['clientid'], s['topic']) for s in only_b], [('sub-b', 's/1')])
        self.assertEqual(self.get('/api/v5/subscriptions?qos=2')['meta']['count'], 1)
        self.assertEqual(self.get('/api/v5/subscriptions?match_topic=s/2')['meta']['count'], 1)
        self.assertEqual(self.get('/api/v5/subscriptions?share_group=g')['meta']['count'], 1)
        per_client = self.get('/api/v5/clients/sub-a/subscriptions')
        self.assertEqual(sorted(s['topic'] for s in per_client), ['$share/g/s/2', 's/1'])
        topics = self.get('/api/v5/topics')
        self.assertEqual(sorted(t['topic'] for t in topics['data']), ['s/1', 's/2'])
        self.assertEqual(self.get('/api/v5/topics?topic=s/1')['meta']['count'], 1)
        page = self.get('/api/v5/subscriptions?limit=1&page=2')
        self.assertEqual((len(page['data']), page['meta']['hasnext']), (1, True))

    def test_publish_plain_and_base64(self):
        sub = self.subscriber('api/pub/#', 1)
        status, _, j = self.call('POST', '/api/v5/publish',
                                 {'topic': 'api/pub/1', 'payload': 'hello', 'qos': 1})
        self.assertEqual(status, 200, j)
        self.assertIn('id', j)
        m = sub.get()
        self.assertEqual((m.topic, m.payload, m.qos), ('api/pub/1', b'hello', 1))
        raw = bytes(range(256))
        status, _, j = self.call('POST', '/api/v5/publish',
                                 {'topic': 'api/pub/2', 'encoding': 'base64',
                                  'payload': base64.b64encode(raw).decode()})
        self.assertEqual(status, 200, j)
        self.assertEqual(sub.get().payload, raw)
        status, _, j = self.call('POST', '/api/v5/publish',
                                 {'topic': 'nobody/listens', 'payload': 'x'})
        self.assertEqual((status, j['reason_code']), (202, 16))
        for bad in ({'topic': 'a/+', 'payload': 'x'}, {'topic': 'a', 'qos': 3},
                    {'topic': 'a', 'encoding': 'base64', 'payload': '!!'},
                    {'topic': 'a', 'encoding': 'hex'}, {'payload': 'x'}):
            self.assertEqual(self.call('POST', '/api/v5/publish', bad)[0], 400, bad)

    def test_publish_bulk_and_retain(self):
        sub = self.subscriber('bulk/#', 0)
        status, _, j = self.call('POST', '/api/v5/publish/bulk', [
            {'topic': 'bulk/1', 'payload': 'one'},
            {'topic': 'bulk/2', 'payload': 'two', 'retain': True}])
        self.assertEqual(status, 200, j)
        self.assertEqual(len(j), 2)
        self.assertEqual(sorted(m.payload for m in sub.get_n(2)), [b'one', b'two'])
        late = self.subscriber('bulk/#', 0)
        m = late.get()
        self.assertEqual((m.topic, m.payload, m.retain), ('bulk/2', b'two', True))
        self.assertEqual(self.call('POST', '/api/v5/publish/bulk', [])[0], 400)
        self.assertEqual(self.call('POST', '/api/v5/publish/bulk', {'topic': 'x'})[0], 400)

    def test_retainer(self):
        pub = self.client()
        pub.publish('ret/a', b'A', 1, retain=True)
        pub.publish('ret/b/c', b'\x00\xff', 0, retain=True)
        j = self.get('/api/v5/mqtt/retainer/messages')
        self.assertEqual(sorted(m['topic'] for m in j['data']
                                if not m['topic'].startswith('$')), ['ret/a', 'ret/b/c'])
        one = self.get('/api/v5/mqtt/retainer/message/' + urllib.parse.quote('ret/b/c', safe=''))
        self.assertEqual(base64.b64decode(one['payload']), b'\x00\xff')
        self.assertEqual(one['from_clientid'], pub.client_id)
        self.assertEqual(self.call('DELETE', '/api/v5/mqtt/retainer/message/ret%2Fa')[0], 204)
        self.assertEqual(self.call('GET', '/api/v5/mqtt/retainer/message/ret%2Fa')[0], 404)
        self.assertEqual(self.call('DELETE', '/api/v5/mqtt/retainer/message/ret%2Fa')[0], 404)
        sub = self.client()
        sub.subscribe('ret/#', 1)
        self.assertEqual(sub.get().topic, 'ret/b/c')
        sub.assert_no_messages()


@edgegw_only('management API')
class BannedTest(ApiTestCase):

    def test_ban_clientid_refuses_connect(self):
        status, _, j = self.call('POST', '/api/v5/banned',
                                 {'as': 'clientid', 'who': 'bad-dev', 'reason': 'test'})
        self.assertEqual(status, 200, j)
        self.assertEqual((j['as'], j['who'], j['until']), ('clientid', 'bad-dev', 'infinity'))
        c = self.client('bad-dev', proto=pk.V5, connect=False)
        self.assertEqual(c.connect(expect_rc=None), 0x8A)  # Banned
        c3 = self.client('bad-dev', connect=False)
        self.assertNotEqual(c3.connect(expect_rc=None), 0)
        self.assertEqual(self.call('POST', '/api/v5/banned',
                                   {'as': 'clientid', 'who': 'bad-dev'})[0], 400)
        listed = self.get('/api/v5/banned')
        self.assertEqual([(b['as'], b['who']) for b in listed['data']], [('clientid', 'bad-dev')])
        self.assertEqual(self.call('DELETE', '/api/v5/banned/clientid/bad-dev')[0], 204)
        self.assertEqual(self.call('DELETE', '/api/v5/banned/clientid/bad-dev')[0], 404)
        self.client('bad-dev', proto=pk.V5)  # accepted again

    def test_ban_username_and_peerhost(self):
        self.assertEqual(self.call('POST', '/api/v5/banned',
                                   {'as': 'username', 'who': 'mallory'})[0], 200)
        c = self.client(proto=pk.V5, connect=False)
        self.assertEqual(c.connect(username='mallory', password='x', expect_rc=None), 0x8A)
        self.client(proto=pk.V5, username='trent', password='x')
        self.assertEqual(self.call('POST', '/api/v5/banned',
                                   {'as': 'peerhost', 'who': '127.0.0.1'})[0], 200)
        c = self.client(proto=pk.V5, connect=False)
        self.assertEqual(c.connect(expect_rc=None), 0x8A)

    def test_ban_validation_and_expiry(self):
        for bad in ({'as': 'ip', 'who': 'x'}, {'as': 'clientid'},
                    {'as': 'clientid', 'who': 'x', 'until': '2001-01-01T00:00:00Z'},
                    {'as': 'clientid', 'who': 'x', 'until': 'tomorrow'}):
            self.assertEqual(self.call('POST', '/api/v5/banned', bad)[0], 400, bad)
        self.assertEqual(self.call('POST', '/api/v5/banned', raw=b'{')[0], 400)
        status, _, j = self.call('POST', '/api/v5/banned',
                                 {'as': 'clientid', 'who': 'later',
                                  'until': '2999-01-01T00:00:00+01:00'})
        self.assertEqual(status, 200, j)
        self.assertEqual(j['until'], '2998-12-31T23:00:00.000+00:00')


@edgegw_only('management API')
class StatusTest(ApiTestCase):

    def test_stats_and_metrics(self):
        sub = self.subscriber('st/#', 2)
        pub = self.client(proto=pk.V5)
        before = self.get('/api/v5/metrics?aggregate=true')
        for q in (0, 1, 2):
            pub.publish('st/%d' % q, b'x', q)
        sub.get_n(3)
        stats = self.get('/api/v5/stats')
        self.assertIsInstance(stats, list)
        self.assertEqual(stats[0]['connections.count'], 2)
        self.assertEqual(stats[0]['subscriptions.count'], 1)
        self.assertEqual(stats[0]['topics.count'], 1)
        self.assertIn('node', stats[0])
        agg = self.get('/api/v5/stats?aggregate=true')
        self.assertEqual(agg['sessions.count'], 2)
        after = self.get('/api/v5/metrics?aggregate=true')
        for q in (0, 1, 2):
            key = 'messages.qos%d.received' % q
            self.assertEqual(after[key] - before[key], 1, key)
        self.assertGreaterEqual(after['messages.received'] - before['messages.received'], 3)
        self.assertGreaterEqual(after['messages.sent'] - before['messages.sent'], 3)
        self.assertGreater(after['bytes.received'], before['bytes.received'])
        nodes = self.get('/api/v5/nodes')
        self.assertEqual(nodes[0]['node_status'], 'running')
        self.assertGreater(nodes[0]['memory_used'], 0)

    @with_config({'gateway.mqttsn.enable': True, 'gateway.mqttsn.bind': '127.0.0.1:0'})
    def test_listeners_bridges_gateways(self):
        self.client()
        ls = self.get('/api/v5/listeners')
        tcp = [l for l in ls if l['id'] == 'tcp:default']
        self.assertEqual(len(tcp), 1)
        self.assertEqual(tcp[0]['bind'], '127.0.0.1:%d' % self.port)
        self.assertEqual(tcp[0]['current_connections'], 1)
        self.assertEqual((tcp[0]['type'], tcp[0]['name']), ('tcp', 'default'))
        self.assertEqual(self.get('/api/v5/bridges'), [])
        gws = {g['name']: g for g in self.get('/api/v5/gateways')}
        self.assertIn('mqttsn', gws)
        self.assertEqual(gws['mqttsn']['status'], 'running')
        self.assertEqual(self.get('/api/v5/gateways/mqttsn')['name'], 'mqttsn')
        self.assertEqual(self.call('GET', '/api/v5/gateways/nope')[0], 404)


# ------------------------------------------------------------------ Prometheus text

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r'^(%s)(\{(?:%s)(?:,(?:%s))*\})? (\S+)(?: -?\d+)?$' % (NAME, LABEL, LABEL))
VALUE = re.compile(r'^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)|NaN|[+-]Inf)$')


def strict_parse(text):
    """The 0.0.4 text format, strictly: every line a HELP, a TYPE or a sample; a TYPE once
    per family and before its samples; samples of a family together; no duplicate series.
    Returns {(name, labels): value}."""
    assert text.endswith('\n'), 'exposition must end with a newline'
    types, seen_series, samples, done = {}, set(), {}, set()
    current = None
    for n, line in enumerate(text.split('\n')[:-1], 1):
        where = 'line %d: %r' % (n, line)
        if line.startswith('#'):
            parts = line.split(' ', 3)
            assert parts[0] == '#' and parts[1] in ('HELP', 'TYPE'), where
            assert re.fullmatch(NAME, parts[2]), where
            if parts[1] == 'TYPE':
                assert parts[3] in ('counter', 'gauge', 'histogram', 'summary', 'untyped'), where
                assert parts[2] not in types, 'second TYPE for ' + where
                types[parts[2]] = parts[3]
                if current:
                    done.add(current)
                current = parts[2]
            continue
        assert line, 'empty line ' + where
        m = SAMPLE.match(line)
        assert m, where
        name, labels, value = m.group(1), m.group(2) or '', m.group(3)
        assert VALUE.match(value), where
        assert name == current, 'sample outside its family: ' + where
        assert name not in done, 'family split: ' + where
        assert (name, labels) not in seen_series, 'duplicate series: ' + where
        seen_series.add((name, labels))
        if types[name] == 'counter':
            assert float(value) >= 0, where
        samples[(name, labels)] = float(value)
    # OpenMetrics names a counter's family without _total: it must not clash with another.
    for name, kind in types.items():
        if kind == 'counter' and name.endswith('_total'):
            assert name[:-6] not in types, 'counter %s clashes with family %s' % (name, name[:-6])
    return samples


@edgegw_only('management API')
class PrometheusTest(ApiTestCase):

    def test_scrape(self):
        from prometheus_client.parser import text_string_to_metric_families
        sub = self.subscriber('prom/#', 1)
        self.client(proto=pk.V5).publish('prom/x', b'12345', 1)
        sub.get()
        status, hdrs, text = self.call('GET', '/api/v5/prometheus/stats')
        self.assertEqual(status, 200)
        self.assertTrue(hdrs['Content-Type'].startswith('text/plain; version=0.0.4'))
        s = strict_parse(text)
        self.assertEqual(s[('edgegw_connections_count', '')], 2)
        self.assertEqual(s[('edgegw_sessions_count', '')], 2)
        self.assertEqual(s[('edgegw_subscriptions_count', '')], 1)
        self.assertEqual(s[('edgegw_clients', '{protocol="mqtt"}')], 2)
        self.assertGreaterEqual(s[('edgegw_messages_received_by_qos_total', '{qos="1"}')], 1)
        self.assertGreaterEqual(s[('edgegw_messages_sent_total', '')], 1)
        self.assertGreater(s[('edgegw_bytes_received_total', '')], 0)
        self.assertGreater(s[('process_resident_memory_bytes', '')], 1 << 20)
        self.assertGreater(s[('process_open_fds', '')], 3)
        self.assertGreater(s[('process_cpu_seconds_total', '')], 0)
        fams = {f.name: f for f in text_string_to_metric_families(text)}
        # the reference parser drops the _total suffix of counters
        self.assertEqual(fams['edgegw_messages_received'].type, 'counter')
        self.assertEqual(fams['edgegw_connections_count'].type, 'gauge')
        self.assertEqual(fams['edgegw_connections_count'].samples[0].value, 2)

    def test_strict_parser_rejects(self):
        """The parser above can fail: broken expositions are refused."""
        for bad in ('x 1',  # no newline at end
                    '# TYPE a gauge\na{b="c} 1\n', '# TYPE a gauge\na 1\na 2\n',
                    'a 1\n', '# TYPE a gauge\n# TYPE a gauge\na 1\n',
                    '# TYPE a counter\na -1\n', '# TYPE a gauge\na one\n',
                    '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n',
                    '# TYPE a gauge\na 1\n# TYPE a_total counter\na_total 1\n'):
            with self.assertRaises(AssertionError, msg=bad):
                strict_parse(bad)
