"""81 LwM2M gateway, device management round trips (SPEC section 7, EMQX JSON): each
command an MQTT application (paho) publishes on lwm2m/{ep}/dn reaches the device
(tests/lwm2m_sim) as the right CoAP request and its answer comes back on up/resp with
reqID, msgType, reqPath, code, codeMsg and content decoded by the object definitions:
read (text and TLV), discover, write (single, text format, batch), write-attr, execute,
create, delete, observe with notifications on up/notify (seqNum), cancel-observe."""
import importlib

from harness import edgegw_only

base = importlib.import_module('80_lwm2m_register')


@edgegw_only('LwM2M gateway')
class Lwm2mCommandTest(base.Lwm2mTestCase):

    def setUp(self):
        super().setUp()
        self.ep, self.sim = self.device()
        self.app_ = self.app(self.ep)

    def cmd(self, req_id, msg_type, data, **extra):
        body = dict({'reqID': req_id, 'msgType': msg_type, 'data': data}, **extra)
        resp = self.command(self.app_, self.ep, body)
        self.assertEqual(resp['reqID'], req_id)
        self.assertEqual(resp['msgType'], msg_type)
        return resp['data']

    def test_read_resource_text(self):
        """read /3/0/0 -> GET /3/0/0; 2.05 content with the string value."""
        data = self.cmd(1, 'read', {'path': '/3/0/0'})
        self.assertTrue(self.sim.wait('REQ GET /3/0/0'))
        self.assertEqual(data['code'], '2.05')
        self.assertEqual(data['codeMsg'], 'content')
        self.assertEqual(data['reqPath'], '/3/0/0')
        self.assertEqual(data['content'], [{'path': '/3/0/0', 'value': 'Open Mobile Alliance'}])

    def test_read_float_and_instance_tlv(self):
        """A Float resource comes back as a number; read of an object instance is TLV
        decoded into one entry per resource (multiple resources per instance)."""
        data = self.cmd(2, 'read', {'path': '/3303/0/5700'})
        self.assertEqual(data['content'], [{'path': '/3303/0/5700', 'value': 21.5}])
        data = self.cmd(3, 'read', {'path': '/3/0'})
        self.assertEqual(data['code'], '2.05')
        values = {e['path']: e['value'] for e in data['content']}
        self.assertEqual(values['/3/0/0'], 'Open Mobile Alliance')
        self.assertEqual(values['/3/0/9'], 100)
        self.assertEqual(values['/3/0/11/0'], 0)
        self.assertEqual(values['/3/0/15'], 'Europe/Berlin')

    def test_read_missing_resource(self):
        """A 4.04 from the device is reported with its codeMsg and no content."""
        data = self.cmd(4, 'read', {'path': '/3/0/21'})
        self.assertEqual(data['code'], '4.04')
        self.assertEqual(data['codeMsg'], 'not_found')
        self.assertNotIn('content', data)

    def test_discover(self):
        """discover -> GET with Accept: 40; the link list as EMQX reports it."""
        data = self.cmd(5, 'discover', {'path': '/3303/0'})
        self.assertIn('accept=40', self.sim.wait('REQ GET /3303/0'))
        self.assertEqual(data['code'], '2.05')
        self.assertEqual(data['content'], ['</3303/0>', '</3303/0/5700>', '</3303/0/5701>'])

    def test_write_single_and_text(self):
        """write (TLV by default, text with "format": "text") -> PUT; 2.04 changed; the
        value is what a read returns afterwards."""
        data = self.cmd(6, 'write', {'path': '/3/0/14', 'type': 'String', 'value': '+02:00'})
        self.assertIn('format=11542', self.sim.wait('REQ PUT /3/0/14'))
        self.assertEqual((data['code'], data['codeMsg']), ('2.04', 'changed'))
        self.assertEqual(data['reqPath'], '/3/0/14')
        self.sim.wait('WRITTEN /3/0/14 "+02:00"')
        data = self.cmd(7, 'write', {'path': '/3/0/15', 'type': 'String', 'value': 'UTC',
                                     'format': 'text'})
        self.assertIn('format=0', self.sim.wait('REQ PUT /3/0/15'))
        self.assertEqual(data['code'], '2.04')
        data = self.cmd(8, 'read', {'path': '/3/0/15'})
        self.assertEqual(data['content'], [{'path': '/3/0/15', 'value': 'UTC'}])

    def test_batch_write(self):
        """write with basePath + content -> one TLV write of the instance (POST, partial
        update); every resource changes."""
        data = self.cmd(9, 'write', {'basePath': '/3/0', 'content': [
            {'path': '14', 'type': 'String', 'value': '+05:00'},
            {'path': '15', 'type': 'String', 'value': 'Asia/Karachi'}]})
        self.assertIn('format=11542', self.sim.wait('REQ POST /3/0'))
        self.assertEqual(data['code'], '2.04')
        self.assertEqual(data['reqPath'], '/3/0')
        read = self.cmd(10, 'read', {'path': '/3/0'})
        values = {e['path']: e['value'] for e in read['content']}
        self.assertEqual((values['/3/0/14'], values['/3/0/15']), ('+05:00', 'Asia/Karachi'))

    def test_write_attr(self):
        """write-attr -> PUT with the attributes as Uri-Query and no payload."""
        data = self.cmd(11, 'write-attr', {'path': '/3303/0/5700', 'pmin': '5', 'pmax': '60',
                                           'gt': '30'})
        line = self.sim.wait('ATTR /3303/0/5700')
        for q in ('pmin=5', 'pmax=60', 'gt=30'):
            self.assertIn(q, line)
        self.assertEqual(data['code'], '2.04')

    def test_execute(self):
        """execute -> POST /3/0/4 with the args as text payload; 2.04."""
        data = self.cmd(12, 'execute', {'path': '/3/0/4', 'args': "0='now'"})
        self.assertEqual(self.sim.wait('EXEC /3/0/4'), "EXEC /3/0/4 0='now'")
        self.assertEqual((data['code'], data['codeMsg']), ('2.04', 'changed'))

    def test_create_and_delete(self):
        """create /3303 with content -> POST /3303 TLV; 2.01; the new instance reads back;
        delete /3303/1 -> DELETE; 2.02; then 4.04."""
        data = self.cmd(13, 'create', {'basePath': '/3303', 'content': [
            {'path': '1/5700', 'type': 'Float', 'value': 5.5},
            {'path': '1/5701', 'type': 'String', 'value': 'Cel'}]})
        self.assertEqual(self.sim.wait('CREATED'), 'CREATED /3303/1')
        self.assertEqual((data['code'], data['codeMsg']), ('2.01', 'created'))
        read = self.cmd(14, 'read', {'path': '/3303/1/5700'})
        self.assertEqual(read['content'], [{'path': '/3303/1/5700', 'value': 5.5}])
        data = self.cmd(15, 'delete', {'path': '/3303/1'})
        self.assertEqual(self.sim.wait('DELETED'), 'DELETED /3303/1')
        self.assertEqual((data['code'], data['codeMsg']), ('2.02', 'deleted'))
        read = self.cmd(16, 'read', {'path': '/3303/1/5700'})
        self.assertEqual(read['code'], '4.04')

    def test_observe_notify_cancel(self):
        """observe -> GET Observe=0; the answer on up/resp; each change on the device a
        notification on up/notify with seqNum; cancel-observe -> GET Observe=1 and the
        notifications stop."""
        data = self.cmd(17, 'observe', {'path': '/3303/0/5700'})
        self.assertIn('observe=0', self.sim.wait('REQ GET /3303/0/5700'))
        self.assertEqual(data['code'], '2.05')
        self.assertEqual(data['content'], [{'path': '/3303/0/5700', 'value': 21.5}])
        seqs = []
        for value in ('22.5', '23.5'):
            self.sim.send('set /3303/0/5700 %s' % value)
            topic, n = self.next_json(self.app_, 'notify')
            self.assertEqual(topic, 'lwm2m/%s/up/notify' % self.ep)
            self.assertEqual(n['reqID'], 17)
            self.assertEqual(n['data']['content'], [{'path': '/3303/0/5700',
                                                     'value': float(value)}])
            seqs.append(n['seqNum'])
        self.assertEqual(seqs[1], seqs[0] + 1)
        data = self.cmd(18, 'cancel-observe', {'path': '/3303/0/5700'})
        self.assertIn('observe=1', self.sim.wait('REQ GET /3303/0/5700'))
        self.assertEqual(data['code'], '2.05')
        self.sim.send('set /3303/0/5700 24.5')
        self.sim.wait('SET')
        # The device has no observer left: nothing is sent, nothing published.
        lines = self.sim.drain()
        self.assertIn('CANCELLED /3303/0/5700', lines)
        self.assertNotIn('NOTIFIED', ' '.join(lines[lines.index('CANCELLED /3303/0/5700'):]), lines)
        self.assertIsNone(self.app_.poll(0.3))

    def test_commands_run_in_order(self):
        """Commands published back to back are all answered, in order (one in flight)."""
        for i in range(5):
            self.app_.publish('lwm2m/%s/dn' % self.ep, (
                '{"reqID": %d, "msgType": "read", "data": {"path": "/3/0/9"}}' % (100 + i)
            ).encode(), 1)
        got = [self.next_json(self.app_, 'read')[1]['reqID'] for _ in range(5)]
        self.assertEqual(got, [100, 101, 102, 103, 104])


if __name__ == '__main__':
    import unittest
    unittest.main()
