"""87 LwM2M resources through the management API (issue 9, EMQX v5 paths): POST (or PUT)
/api/v5/gateways/lwm2m/clients/{ep}/read|write|observe answer 204 and the command reaches
the device (tests/lwm2m_sim) as a dn command would, its answer on lwm2m/{ep}/up/resp for an
MQTT application (paho); GET .../lookup?path=&action= gives the last answer (6.01 before
any); observe's notifications arrive on up/notify; a sleeping queue-mode device gets the
command when it wakes; 400 for a bad path/type/value, 404 for an unknown client, 401
without credentials; `edgegw ctl lwm2m` drives the same paths."""
import base64
import importlib
import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

from clients import TIMEOUT, unique_id
from harness import edgegw_only, elapse

base = importlib.import_module('80_lwm2m_register')

USER, PASSWORD = 'admin', 'public'
CONFIG = dict(base.LWM2M_CONFIG, **{
    'api.enable': True, 'api.bind': '127.0.0.1:0',
    'gateway.lwm2m.qmode_time_window': '1s', 'gateway.lwm2m.command_timeout': '30s'})


@edgegw_only('LwM2M client API')
class Lwm2mApiTest(base.Lwm2mTestCase):
    CONFIG = CONFIG

    def setUp(self):
        super().setUp()
        self.ep = 'ep-' + unique_id()
        self.app_ = self.app(self.ep)

    def call(self, method, url_path, auth=True, **query):
        url = 'http://127.0.0.1:%d%s' % (self.broker.port('api', ''), url_path)
        if query:
            url += '?' + urllib.parse.urlencode(query)
        req = urllib.request.Request(url, method=method)
        if auth:
            token = base64.b64encode(('%s:%s' % (USER, PASSWORD)).encode()).decode()
            req.add_header('Authorization', 'Basic ' + token)
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
                status, text = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        return status, (json.loads(text) if text else None)

    def op(self, op, method='POST', expect=204, ep=None, **query):
        status, body = self.call(method, '/api/v5/gateways/lwm2m/clients/%s/%s'
                                 % (ep or self.ep, op), **query)
        self.assertEqual(status, expect, body)
        return body

    def lookup(self, path, action):
        return self.op('lookup', 'GET', 200, path=path, action=action)

    def resp(self, msg_type, timeout=None):
        """The next up/resp message of `msg_type` (commands from the API have no reqID)."""
        topic, body = self.next_json(self.app_, msg_type, timeout=timeout)
        self.assertEqual(topic, 'lwm2m/%s/up/resp' % self.ep)
        return body['data']

    def test_read_write_read_back_and_lookup(self):
        """read -> GET on the device, the answer on up/resp and in lookup; write (PUT, as
        EMQX 4) -> PUT with the value; a second read shows it."""
        _, sim = self.device(self.ep)
        self.next_json(self.app_, 'register')
        self.assertEqual(self.lookup('/3/0/15', 'read'),
                         {'clientid': self.ep, 'path': '/3/0/15', 'action': 'read',
                          'code': '6.01', 'codeMsg': 'reply_not_received'})
        self.op('read', path='/3/0/15')
        sim.wait('REQ GET /3/0/15')
        data = self.resp('read')
        self.assertEqual(data['content'], [{'path': '/3/0/15', 'value': 'Europe/Berlin'}])
        got = self.lookup('/3/0/15', 'read')
        self.assertEqual((got['code'], got['codeMsg'], got['content']),
                         ('2.05', 'content', data['content']))

        self.op('write', 'PUT', path='/3/0/15', type='String', value='Asia/Tokyo')
        self.assertIn('format=11542', sim.wait('REQ PUT /3/0/15'))
        sim.wait('WRITTEN /3/0/15 "Asia/Tokyo"')
        self.assertEqual(self.resp('write')['code'], '2.04')
        self.assertEqual(self.lookup('/3/0/15', 'write')['codeMsg'], 'changed')
        self.op('read', path='/3/0/15')
        self.assertEqual(self.resp('read')['content'],
                         [{'path': '/3/0/15', 'value': 'Asia/Tokyo'}])
        self.assertEqual(self.lookup('/3/0/15', 'read')['content'][0]['value'], 'Asia/Tokyo')

        # Typed values: an Integer given as text reaches the device as that integer.
        self.op('write', path='/3/0/13', type='Integer', value='1700000000')
        sim.wait('WRITTEN /3/0/13')
        self.assertEqual(self.resp('write')['code'], '2.04')
        self.op('read', path='/3/0/13')
        self.assertEqual(self.resp('read')['content'], [{'path': '/3/0/13', 'value': 1700000000}])

    def test_observe_notifies_on_mqtt_and_cancel(self):
        """observe enable=true -> GET Observe=0; device changes come as up/notify messages;
        enable=false -> Observe=1 and they stop."""
        _, sim = self.device(self.ep)
        self.next_json(self.app_, 'register')
        self.op('observe', path='/3303/0/5700', enable='true')
        self.assertIn('observe=0', sim.wait('REQ GET /3303/0/5700'))
        self.assertEqual(self.resp('observe')['code'], '2.05')
        sim.send('set /3303/0/5700 30.5')
        topic, n = self.next_json(self.app_, 'notify')
        self.assertEqual(topic, 'lwm2m/%s/up/notify' % self.ep)
        self.assertEqual(n['data']['content'], [{'path': '/3303/0/5700', 'value': 30.5}])
        self.assertEqual(self.lookup('/3303/0/5700', 'observe')['content'][0]['value'], 30.5)
        self.op('observe', path='/3303/0/5700', enable='false')
        self.assertIn('observe=1', sim.wait('REQ GET /3303/0/5700'))
        self.assertEqual(self.resp('cancel-observe')['code'], '2.05')
        sim.send('set /3303/0/5700 31.5')
        sim.wait('SET')
        self.assertIsNone(self.app_.poll(0.5))

    def test_discover_lookup_lists_resources(self):
        """Lookup of a discover shows each resource with name, operations and dataType from
        the object definitions, as EMQX's lookup does."""
        _, sim = self.device(self.ep)
        self.next_json(self.app_, 'register')
        self.app_.publish('lwm2m/%s/dn' % self.ep, json.dumps(
            {'reqID': 9, 'msgType': 'discover', 'data': {'path': '/3303/0'}}).encode(), 1)
        self.assertEqual(self.resp('discover')['code'], '2.05')
        got = self.lookup('/3303/0', 'discover')
        self.assertEqual(got['code'], '2.05')
        by_path = {e['path']: e for e in got['content']}
        self.assertEqual(sorted(by_path), ['/3303/0/5700', '/3303/0/5701'])
        self.assertEqual(by_path['/3303/0/5700']['dataType'], 'Float')
        self.assertEqual(by_path['/3303/0/5700']['operations'], 'R')
        self.assertEqual(by_path['/3303/0/5700']['name'], 'Sensor Value')

    def test_queue_mode_device_gets_the_command_when_it_wakes(self):
        """A read for a sleeping UQ device is accepted (204), held, and sent after its
        next update; the answer then arrives on up/resp."""
        _, sim = self.device(self.ep, binding='UQ')
        self.next_json(self.app_, 'register')
        sim.send('sleep')
        sim.wait('ASLEEP')
        elapse(1.5)  # past qmode_time_window
        self.op('read', path='/3/0/9')
        self.assertIsNone(self.app_.poll(1.0))  # held while asleep
        sim.send('wake')
        sim.wait('UPDATED')
        self.assertEqual(self.resp('read')['content'], [{'path': '/3/0/9', 'value': 100}])
        lines = sim.drain()
        self.assertFalse([l for l in lines if l.startswith('REQ_WHILE_ASLEEP')], lines)

    def test_errors(self):
        """400 for a bad path, type or value (nothing sent), 404 for an unknown or gone
        client, 401 without credentials."""
        _, sim = self.device(self.ep)
        self.next_json(self.app_, 'register')
        bad = [('read', {'path': '/3/x/0'}), ('read', {}),
               ('write', {'path': '/3/0/13', 'type': 'Integer', 'value': 'many'}),
               ('write', {'path': '/3/0/13', 'type': 'Number', 'value': '1'}),
               ('write', {'path': '/3/0', 'type': 'Integer', 'value': '1'}),
               ('observe', {'path': '/3/0/9', 'enable': 'maybe'})]
        for op, q in bad:
            body = self.op(op, expect=400, **q)
            self.assertEqual(body['code'], 'BAD_REQUEST', (op, q))
        self.assertEqual(self.op('lookup', 'GET', 400, path='/3/0')['code'], 'BAD_REQUEST')
        self.assertEqual(self.op('read', expect=404, ep='nobody', path='/3/0/0')['code'],
                         'CLIENT_NOT_FOUND')
        self.op('lookup', 'GET', 404, ep='nobody', path='/3/0/0', action='read')
        status, _ = self.call('POST', '/api/v5/gateways/lwm2m/clients/%s/read' % self.ep,
                              auth=False, path='/3/0/0')
        self.assertEqual(status, 401)
        self.assertIsNone(self.app_.poll(0.3))  # none of these reached the device
        self.assertFalse([l for l in sim.drain() if l.startswith('REQ ')])
        # A de-registered device is no longer a client.
        sim.send('deregister')
        sim.wait('DEREGISTERED')
        self.op('read', expect=404, path='/3/0/0')

    def ctl(self, *args, expect=0):
        p = subprocess.run([self.broker.binary, 'ctl', '--url',
                            'http://127.0.0.1:%d' % self.broker.port('api', ''),
                            '-u', USER, '-p', PASSWORD] + list(args),
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, expect, 'stdout: %s\nstderr: %s' % (p.stdout, p.stderr))
        return p

    def test_ctl_lwm2m(self):
        """edgegw ctl lwm2m read / write / observe send the command; lookup shows the last
        answer as a table (or the API's JSON with --json); an unknown client fails."""
        _, sim = self.device(self.ep)
        self.next_json(self.app_, 'register')
        out = self.ctl('lwm2m', 'read', self.ep, '/3/0/0').stdout
        self.assertEqual(out.strip(), 'sent read /3/0/0 to %s' % self.ep)
        self.assertEqual(self.resp('read')['code'], '2.05')
        lines = self.ctl('lwm2m', 'lookup', self.ep, '/3/0/0').stdout.strip().split('\n')
        self.assertEqual(lines[0], '2.05 content')
        self.assertEqual(lines[1].split(), ['PATH', 'VALUE', 'NAME', 'OPERATIONS', 'TYPE'])
        self.assertTrue(lines[2].startswith('/3/0/0  '), lines)
        self.assertIn('Open Mobile Alliance', lines[2])
        sent = json.loads(self.ctl('--json', 'lwm2m', 'write', self.ep, '/3/0/15', 'String',
                                   'UTC').stdout)
        self.assertEqual(sent, {'sent': 'write', 'clientid': self.ep, 'path': '/3/0/15'})
        sim.wait('WRITTEN /3/0/15 "UTC"')
        self.assertEqual(self.resp('write')['code'], '2.04')
        got = json.loads(self.ctl('--json', 'lwm2m', 'lookup', self.ep, '/3/0/15',
                                  'write').stdout)
        self.assertEqual((got['code'], got['action']), ('2.04', 'write'))
        self.ctl('lwm2m', 'observe', self.ep, '/3303/0/5700', 'on')
        self.assertIn('observe=0', sim.wait('REQ GET /3303/0/5700'))
        err = self.ctl('lwm2m', 'read', 'nobody', '/3/0/0', expect=1).stderr
        self.assertIn('404', err)
        self.ctl('lwm2m', 'write', self.ep, '/3/0/15', expect=1)  # TYPE and VALUE missing


if __name__ == '__main__':
    import unittest
    unittest.main()
