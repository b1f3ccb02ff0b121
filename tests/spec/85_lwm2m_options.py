"""85 LwM2M gateway options (SPEC section 3 [gateway.lwm2m], EMQX names): auto_observe
observes the registered objects at registration (notifications on up/notify without any
application command), the per-event topics and the mountpoint are configurable, and the
management API lists the gateway with its devices (GET /api/v5/gateways)."""
import importlib

from clients import unique_id
from harness import edgegw_only, with_config

base = importlib.import_module('80_lwm2m_register')
api = importlib.import_module('60_api')


@edgegw_only('LwM2M gateway')
class Lwm2mOptionsTest(base.Lwm2mTestCase):

    @with_config({'gateway.lwm2m.auto_observe': 'true'})
    def test_auto_observe(self):
        """auto_observe = true: the gateway observes the registered objects /3/0 and /3303/0
        (not /1/0: EMQX leaves out objects 0-2, 4-7, 9 and 15) when the device registers;
        a change is notified on up/notify."""
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        _, sim = self.device(ep)
        self.next_json(app, 'register')
        self.assertIn('observe=0', sim.wait('REQ GET /3/0'))
        self.assertIn('observe=0', sim.wait('REQ GET /3303/0'))
        for path in ('/3/0', '/3303/0'):
            _, resp = self.next_json(app, 'observe')
            self.assertEqual((resp['data']['reqPath'], resp['data']['code']), (path, '2.05'))
        sim.send('set /3303/0/5700 30.5')
        topic, n = self.next_json(app, 'notify')
        self.assertEqual(topic, 'lwm2m/%s/up/notify' % ep)
        values = {e['path']: e['value'] for e in n['data']['content']}
        self.assertEqual(values['/3303/0/5700'], 30.5)
        self.assertFalse([l for l in sim.drain() if l.startswith('REQ GET /1/0')])

    @with_config({'gateway.lwm2m.auto_observe': '/3/0/9'})
    def test_auto_observe_list_needs_a_registered_path(self):
        """auto_observe as a list observes only listed paths the device registered: /3/0/9
        is not in the object list (/3/0 is), so nothing is observed, as EMQX."""
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        _, sim = self.device(ep)
        self.next_json(app, 'register')
        resp = self.command(app, ep, {'reqID': 1, 'msgType': 'read', 'data': {'path': '/3/0/9'}})
        self.assertEqual(resp['data']['code'], '2.05')
        self.assertFalse([l for l in sim.drain() if 'observe=0' in l])

    @with_config({'gateway.lwm2m.mountpoint': 'site1/${endpoint_name}/',
                  'gateway.lwm2m.topic_command': 'cmd',
                  'gateway.lwm2m.topic_response': 'answers',
                  'gateway.lwm2m.topic_register': 'events/reg'})
    def test_topics_and_mountpoint(self):
        """Events and answers go to the configured topics under the configured mountpoint;
        commands are taken from the configured command topic."""
        ep = 'ep-' + unique_id()
        app = self.subscriber('site1/%s/#' % ep, 1)
        _, sim = self.device(ep)
        topic, ev = self.next_json(app, 'register')
        self.assertEqual(topic, 'site1/%s/events/reg' % ep)
        app.publish('site1/%s/cmd' % ep,
                    b'{"reqID": 3, "msgType": "read", "data": {"path": "/3/0/2"}}', 1)
        _, resp = self.next_json(app, 'read', topic='site1/%s/answers' % ep)
        self.assertEqual(resp['data']['content'][0]['value'], '345000123')

    @with_config(api.API)
    def test_listed_in_management_api(self):
        """GET /api/v5/gateways shows lwm2m running with its listeners and device count;
        the device is listed under /api/v5/clients with protocol lwm2m."""
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        self.device(ep)
        self.next_json(app, 'register')
        client = api.ApiTestCase.call
        status, _, gws = client(self, 'GET', '/api/v5/gateways')
        self.assertEqual(status, 200)
        gw = {g['name']: g for g in gws}['lwm2m']
        self.assertEqual(gw['status'], 'running')
        self.assertEqual(gw['current_connections'], 1)
        self.assertEqual(sorted(l['name'] for l in gw['listeners']), ['lwm2m'])
        status, _, c = client(self, 'GET', '/api/v5/clients/%s' % ep)
        self.assertEqual(status, 200, c)
        self.assertEqual(c['proto_name'].lower(), 'lwm2m')

    @property
    def api_port(self):
        return self.broker.port('api', '')

    def url(self, path):
        return api.ApiTestCase.url(self, path)


if __name__ == '__main__':
    import unittest
    unittest.main()
