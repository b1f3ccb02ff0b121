"""82 LwM2M gateway, queue mode (SPEC section 3 qmode_time_window, section 7): a device
registered with binding UQ that stays silent longer than qmode_time_window is asleep;
commands for it are held (nothing reaches the device) and sent as soon as it talks again
(a registration update), answered on up/resp in order; a held command that outlives
command_timeout is answered with coap_timeout; the number held is bounded."""
import importlib
import time

from clients import unique_id
from harness import edgegw_only, elapse, with_config

base = importlib.import_module('80_lwm2m_register')

QUEUE = {'gateway.lwm2m.qmode_time_window': '1s', 'gateway.lwm2m.command_timeout': '30s'}


@edgegw_only('LwM2M gateway')
class Lwm2mQueueModeTest(base.Lwm2mTestCase):
    CONFIG = dict(base.LWM2M_CONFIG, **QUEUE)

    def asleep_device(self):
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        _, sim = self.device(ep, binding='UQ')
        self.next_json(app, 'register')
        sim.send('sleep')
        sim.wait('ASLEEP')
        elapse(1.5)  # past qmode_time_window: the gateway considers it asleep
        return ep, sim, app

    def read(self, app, ep, req_id, path='/3/0/0'):
        app.publish('lwm2m/%s/dn' % ep, (
            '{"reqID": %d, "msgType": "read", "data": {"path": "%s"}}' % (req_id, path)
        ).encode(), 1)

    def test_commands_held_until_the_device_talks(self):
        """Two reads for a sleeping device: no request reaches it and nothing is answered
        until its update; then both are sent and answered, in order."""
        ep, sim, app = self.asleep_device()
        self.read(app, ep, 1)
        self.read(app, ep, 2, '/3/0/9')
        self.assertIsNone(app.poll(1.0))  # held: no answer while it sleeps
        sim.send('wake')
        sim.wait('UPDATED')
        _, r1 = self.next_json(app, 'read')
        _, r2 = self.next_json(app, 'read')
        self.assertEqual((r1['reqID'], r1['data']['code']), (1, '2.05'))
        self.assertEqual((r2['reqID'], r2['data']['content'][0]['value']), (2, 100))
        lines = sim.drain()
        self.assertFalse([l for l in lines if l.startswith('REQ_WHILE_ASLEEP')], lines)
        # The requests came after the wake-up update, not before.
        self.assertLess(lines.index('AWAKE'), next(i for i, l in enumerate(lines)
                                                   if l.startswith('REQ GET /3/0/0')))

    def test_awake_queue_mode_device_served_at_once(self):
        """Within the time window a queue-mode device is awake: commands go at once."""
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        _, sim = self.device(ep, binding='UQ')
        self.next_json(app, 'register')
        started = time.monotonic()
        resp = self.command(app, ep, {'reqID': 5, 'msgType': 'read', 'data': {'path': '/3/0/1'}})
        self.assertEqual(resp['data']['code'], '2.05')
        self.assertLess(time.monotonic() - started, 1.0)

    @with_config({'gateway.lwm2m.command_timeout': '2s'})
    def test_held_command_times_out(self):
        """A held command not sent within command_timeout is answered with coap_timeout
        (echoing reqID) and is not sent when the device wakes up later."""
        ep, sim, app = self.asleep_device()
        self.read(app, ep, 7)
        started = time.monotonic()
        _, t = self.next_json(app, 'coap_timeout', timeout=10)
        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        self.assertEqual(t['reqID'], 7)
        sim.send('wake')
        sim.wait('UPDATED')
        self.next_json(app, 'update')
        self.assertIsNone(app.poll(1.0))  # the update event, nothing else
        self.assertFalse([l for l in sim.drain() if l.startswith('REQ ')])

    @with_config({'gateway.lwm2m.max_queued_commands': '2'})
    def test_held_commands_bounded(self):
        """Beyond max_queued_commands, a command is refused at once with an error
        response (5.03 service_unavailable)."""
        ep, sim, app = self.asleep_device()
        for i in (1, 2, 3):
            self.read(app, ep, i)
        _, r = self.next_json(app, 'read')
        self.assertEqual((r['reqID'], r['data']['code']), (3, '5.03'))
        self.assertEqual(r['data']['codeMsg'], 'service_unavailable')
        sim.send('wake')
        got = sorted(self.next_json(app, 'read')[1]['reqID'] for _ in range(2))
        self.assertEqual(got, [1, 2])


if __name__ == '__main__':
    import unittest
    unittest.main()
