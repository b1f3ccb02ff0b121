"""80 LwM2M gateway, registration interface (SPEC section 7, EMQX-compatible): a device
(tests/lwm2m_sim on libcoap) registers, updates and de-registers; each step is an event
on lwm2m/{ep}/up/resp that an MQTT application (paho) sees; an expired lifetime removes
the device with a deregister event; a re-registration replaces the old one; the device is
a broker client with the protocol "lwm2m". Also the shared helpers of 81-85."""
import json
import os
import queue
import subprocess
import threading
import time

from clients import TIMEOUT, unique_id
from harness import BrokerTestCase, edgegw_only, elapse, with_config

HERE = os.path.dirname(os.path.abspath(__file__))
DEFS = os.environ.get('EDGEGW_LWM2M_DEFS') or os.path.normpath(
    os.path.join(HERE, '..', '..', 'etc', 'lwm2m'))
LWM2M_CONFIG = {
    'gateway.lwm2m.enable': True,
    'gateway.lwm2m.bind': '127.0.0.1:0',
    'gateway.lwm2m.dtls_bind': '127.0.0.1:0',
    'gateway.lwm2m.definitions_dir': DEFS,
}


def sim_binary():
    build = os.path.dirname(os.environ.get('EDGEGW_BIN', os.path.join(HERE, '..', '..', 'build',
                                                                        'edgegw')))
    path = os.path.join(build, 'lwm2m_sim')
    if not os.access(path, os.X_OK):
        raise AssertionError('%s missing: build the lwm2m_sim target' % path)
    return path


class Sim:
    """One lwm2m_sim process: commands on stdin, one event per stdout line."""

    def __init__(self, port, ep, lt=300, binding='U', extra=()):
        args = [sim_binary(), '-p', str(port), '-e', ep, '-t', str(lt), '-b', binding,
                '-d', DEFS] + list(extra)
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip('\n'))

    def send(self, line):
        self.proc.stdin.write(line + '\n')
        self.proc.stdin.flush()

    def wait(self, prefix, timeout=None):
        """The next line starting with `prefix` (earlier other lines are kept in seen)."""
        deadline = time.monotonic() + (timeout or TIMEOUT)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('lwm2m_sim: no %r line; saw %r' % (prefix, self.seen[-20:]))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line

    def drain(self):
        """Every line received so far."""
        while True:
            try:
                self.seen.append(self.lines.get_nowait())
            except queue.Empty:
                return list(self.seen)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.proc.stdin.close()


class Lwm2mTestCase(BrokerTestCase):
    CONFIG = LWM2M_CONFIG

    def lwm2m_port(self, dtls=False):
        return self.broker.port('lwm2m_dtls' if dtls else 'lwm2m', '')

    def app(self, ep):
        """An MQTT application subscribed to everything the device publishes."""
        return self.subscriber('lwm2m/%s/up/#' % ep, 1)

    def device(self, ep=None, lt=300, binding='U', extra=(), register=True, dtls=False):
        ep = ep or 'ep-' + unique_id()
        sim = Sim(self.lwm2m_port(dtls), ep, lt, binding, extra)
        self._clients.append(sim)
        if register:
            sim.wait('REGISTERED')
        return ep, sim

    def next_json(self, app, msg_type=None, topic=None, timeout=None):
        """The next JSON message (of `msg_type`), as (topic, dict)."""
        deadline = time.monotonic() + (timeout or TIMEOUT)
        while True:
            m = app.get(timeout=max(0.1, deadline - time.monotonic()))
            body = json.loads(m.payload)
            if (msg_type is None or body.get('msgType') == msg_type) and \
                    (topic is None or m.topic == topic):
                return m.topic, body

    def command(self, app, ep, cmd, timeout=None):
        """Publish `cmd` on lwm2m/{ep}/dn; the up/resp answer with the same reqID."""
        app.publish('lwm2m/%s/dn' % ep, json.dumps(cmd).encode(), 1)
        deadline = time.monotonic() + (timeout or TIMEOUT)
        while True:
            topic, body = self.next_json(app, timeout=max(0.1, deadline - time.monotonic()))
            if body.get('reqID') == cmd.get('reqID') and body.get('msgType') != 'notify':
                self.assertEqual(topic, 'lwm2m/%s/up/resp' % ep)
                return body


@edgegw_only('LwM2M gateway')
class Lwm2mRegisterTest(Lwm2mTestCase):

    def test_register_event(self):
        """POST /rd -> 2.01 with Location-Path rd/{id}; a register event on up/resp carrying
        ep, lt, lwm2m, b and the object list, as EMQX."""
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        _, sim = self.device(ep, lt=120)
        self.assertRegex(sim.seen[-1], r'^REGISTERED rd/[0-9a-z]+$')
        topic, ev = self.next_json(app, 'register')
        self.assertEqual(topic, 'lwm2m/%s/up/resp' % ep)
        data = ev['data']
        self.assertEqual(data['ep'], ep)
        self.assertEqual(data['lt'], 120)
        self.assertEqual(data['lwm2m'], '1.0')
        self.assertEqual(data['b'], 'U')
        self.assertEqual(data['objectList'], ['/1/0', '/3/0', '/3303/0'])
        self.assertEqual(data['alternatePath'], '/')

    def test_update_and_deregister_events(self):
        """POST /rd/{id} -> 2.04 and an update event (new lt merged); DELETE -> 2.02 and a
        deregister event; the device's broker client is gone afterwards."""
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        _, sim = self.device(ep)
        self.next_json(app, 'register')
        sim.send('update 600')
        sim.wait('UPDATED')
        _, ev = self.next_json(app, 'update')
        self.assertEqual(ev['data']['ep'], ep)
        self.assertEqual(ev['data']['lt'], 600)
        sim.send('deregister')
        sim.wait('DEREGISTERED')
        _, ev = self.next_json(app, 'deregister')
        self.assertEqual(ev['data']['ep'], ep)
        # The location is gone: another update is 4.04.
        sim.send('update')
        self.assertTrue(sim.wait('FAILED').startswith('FAILED 4.04'))

    @with_config({'gateway.lwm2m.lifetime_min': '1s'})
    def test_lifetime_expiry_deregisters(self):
        """A device silent past its lifetime is removed with a deregister event; its
        location no longer answers."""
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        _, sim = self.device(ep, lt=1)
        self.next_json(app, 'register')
        started = time.monotonic()
        _, ev = self.next_json(app, 'deregister', timeout=10)
        self.assertGreaterEqual(time.monotonic() - started, 0.5)
        self.assertEqual(ev['data']['ep'], ep)
        sim.send('update')
        self.assertTrue(sim.wait('FAILED').startswith('FAILED 4.04'))

    def test_updates_keep_a_device_alive(self):
        """Updates within the lifetime keep the registration: no deregister event."""
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        _, sim = self.device(ep, lt=2, extra=())
        self.next_json(app, 'register')
        for _ in range(3):
            elapse(1)
            sim.send('update')
            sim.wait('UPDATED')
            self.next_json(app, 'update')
        self.assertIsNone(app.poll(0.2))

    def test_reregistration_replaces_the_old_one(self):
        """A second registration of the same ep (a rebooted device) gets a new location and a
        new register event; the old location answers 4.04; commands reach the new one."""
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        _, first = self.device(ep)
        old = first.seen[-1].split()[1]
        self.next_json(app, 'register')
        first.close()
        _, second = self.device(ep)
        new = second.seen[-1].split()[1]
        self.assertNotEqual(old, new)
        self.next_json(app, 'register')
        resp = self.command(app, ep, {'reqID': 1, 'msgType': 'read', 'data': {'path': '/3/0/0'}})
        self.assertEqual(resp['data']['code'], '2.05')

    def test_device_is_a_broker_client(self):
        """The registered device is a broker client named by its ep (its connected and
        disconnected events are published as for MQTT clients), and the gateway subscribed
        it to its dn topic: a command published there reaches the device."""
        ep = 'ep-' + unique_id()
        events = self.subscriber('$SYS/brokers/+/clients/%s/+' % ep, 1)
        app = self.app(ep)
        _, sim = self.device(ep)
        self.next_json(app, 'register')
        m = events.get()
        self.assertTrue(m.topic.endswith('/clients/%s/connected' % ep), m.topic)
        self.assertEqual(json.loads(m.payload)['clientid'], ep)
        resp = self.command(app, ep, {'reqID': 2, 'msgType': 'read', 'data': {'path': '/3/0/1'}})
        self.assertEqual(resp['data']['content'][0]['value'], 'Lightweight M2M Client')
        sim.send('deregister')
        sim.wait('DEREGISTERED')
        m = events.get()
        self.assertTrue(m.topic.endswith('/clients/%s/disconnected' % ep), m.topic)

    @with_config({'gateway.lwm2m.bind': '[::1]:0'})
    def test_ipv6(self):
        """The gateway serves IPv6: a device registers over [::1] and answers a read."""
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        self.device(ep, extra=('-h', '::1'))
        _, ev = self.next_json(app, 'register')
        self.assertEqual(ev['data']['ep'], ep)
        resp = self.command(app, ep, {'reqID': 6, 'msgType': 'read', 'data': {'path': '/3/0/0'}})
        self.assertEqual(resp['data']['code'], '2.05')

    @with_config({'gateway.lwm2m.lifetime_max': '100s'})
    def test_bad_registrations_refused(self):
        """Registration with a lifetime above lifetime_max, or an unsupported lwm2m
        version, is 4.00 and publishes nothing."""
        ep = 'ep-' + unique_id()
        app = self.app(ep)
        _, sim = self.device(ep, lt=1000, register=False)
        self.assertTrue(sim.wait('FAILED').startswith('FAILED 4.00'))
        _, sim2 = self.device(ep, extra=('-v', '2.7'), register=False)
        self.assertTrue(sim2.wait('FAILED').startswith('FAILED 4.00'))
        self.assertIsNone(app.poll(0.3))


if __name__ == '__main__':
    import unittest
    unittest.main()
