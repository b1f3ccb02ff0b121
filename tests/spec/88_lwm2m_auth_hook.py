"""88 LwM2M registration with an HTTP authentication hook (auth.http_url, as EMQX's HTTP
authenticator, the only one EMQX offers LwM2M): the gateway waits for the hook without
blocking (broker::authenticate_async). The REGISTER gets an empty ACK at once and its 2.01 /
4.01 as a separate CoAP response when the hook answers; other devices register meanwhile; a
hook that is down or too slow counts as "ignore" (the endpoint name is then an unknown
username: 4.01); a retransmitted REGISTER is ACKed again without asking the hook twice, and
a REGISTER retried with a new token while the first waits leaves one device, one session."""
import base64
import importlib
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from clients import TIMEOUT, unique_id
from harness import edgegw_only, free_port, with_config

base = importlib.import_module('80_lwm2m_register')
raw = importlib.import_module('83_lwm2m_bad_input')


class Hook:
    """POSTs about LwM2M devices answered by decide(body) -> dict, which may block (a slow
    hook); everyone else is allowed."""

    def __init__(self):
        self.requests = []
        self.decide = lambda body: {'result': 'allow'}
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                if body.get('protocol') == 'lwm2m':
                    hook.requests.append(body)
                    answer = hook.decide(body)
                else:  # the tests' own MQTT applications
                    answer = {'result': 'allow'}
                data = json.dumps(answer).encode()
                try:
                    self.send_response(200)
                    self.send_header('Content-Type', 'application/json')
                    self.send_header('Content-Length', str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the gateway gave up on a slow answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return 'http://127.0.0.1:%d/lwm2m/auth' % self.server.server_address[1]

    def asked(self, ep):
        return [b for b in self.requests if b.get('clientid') == ep]


HOOK = Hook()
CONFIG = dict(base.LWM2M_CONFIG, **{
    'auth.http_url': HOOK.url, 'auth.http_timeout': '3s', 'auth.http_cache_ttl': '0s',
    'api.enable': True, 'api.bind': '127.0.0.1:0'})


def wait_for(fn, what, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not fn():
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for ' + what)
        time.sleep(0.02)


@edgegw_only('LwM2M gateway with the HTTP authentication hook')
class Lwm2mAuthHookTest(base.Lwm2mTestCase):
    CONFIG = CONFIG

    def setUp(self):
        self.gate = threading.Event()
        self.addCleanup(self.gate.set)  # never leave a hook thread waiting
        HOOK.decide = lambda body: {'result': 'allow'}
        super().setUp()

    def api(self, path):
        req = urllib.request.Request('http://127.0.0.1:%d%s' % (self.broker.port('api', ''), path))
        req.add_header('Authorization', 'Basic ' + base64.b64encode(b'admin:public').decode())
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return json.loads(r.read())

    def test_allow_and_deny(self):
        """The hook is asked with the endpoint as clientid and username and protocol
        lwm2m; allow: 2.01 and the register event; deny: 4.01 and nothing published."""
        HOOK.decide = lambda b: {'result': 'allow' if b['clientid'].startswith('ok-')
                                 else 'deny'}
        ok = 'ok-' + unique_id()
        app = self.app(ok)
        self.device(ok)
        self.next_json(app, 'register')
        body = HOOK.asked(ok)[-1]
        self.assertEqual((body['clientid'], body['username'], body['protocol']),
                         (ok, ok, 'lwm2m'))
        no = 'no-' + unique_id()
        app_no = self.app(no)
        _, sim = self.device(no, register=False)
        self.assertTrue(sim.wait('FAILED').startswith('FAILED 4.01'), sim.seen)
        self.assertEqual(len(HOOK.asked(no)), 1)
        self.assertIsNone(app_no.poll(0.3))
        self.assertEqual(self.api('/api/v5/gateways/lwm2m')['current_connections'], 1)

    def test_slow_hook_blocks_nobody(self):
        """While the hook sits on one device's check, another device registers and is
        served; the first gets its 2.01 once the hook answers."""
        HOOK.decide = lambda b: (self.gate.wait(TIMEOUT), {'result': 'allow'})[1] \
            if b['clientid'].startswith('slow-') else {'result': 'allow'}
        slow = 'slow-' + unique_id()
        _, slow_sim = self.device(slow, register=False)
        wait_for(lambda: HOOK.asked(slow), 'the hook to be asked about the slow device')
        fast = 'fast-' + unique_id()
        fast_app = self.app(fast)
        _, fast_sim = self.device(fast)
        resp = self.command(fast_app, fast, {'reqID': 1, 'msgType': 'read',
                                             'data': {'path': '/3/0/0'}})
        self.assertEqual(resp['data']['code'], '2.05')
        self.assertFalse([l for l in slow_sim.drain() if l.startswith(('REGISTERED', 'FAILED'))])
        self.gate.set()
        slow_sim.wait('REGISTERED')
        self.assertEqual(len(HOOK.asked(slow)), 1)

    @with_config({'auth.http_timeout': '1s'})
    def test_hook_too_slow_counts_as_ignore(self):
        """No answer within auth.http_timeout: ignore, and an endpoint name no other
        source knows is refused with 4.01 after about that time."""
        HOOK.decide = lambda b: (self.gate.wait(TIMEOUT), {'result': 'allow'})[1]
        ep = 'late-' + unique_id()
        started = time.monotonic()
        _, sim = self.device(ep, register=False)
        self.assertTrue(sim.wait('FAILED').startswith('FAILED 4.01'), sim.seen)
        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        self.assertEqual(self.api('/api/v5/gateways/lwm2m')['current_connections'], 0)

    @with_config({'auth.http_url': 'http://127.0.0.1:%d/down' % free_port()})
    def test_hook_down_counts_as_ignore(self):
        ep = 'down-' + unique_id()
        _, sim = self.device(ep, register=False)
        self.assertTrue(sim.wait('FAILED').startswith('FAILED 4.01'), sim.seen)

    def test_retransmitted_and_retried_register_while_pending(self):
        """A raw device sends REGISTER, the same datagram again (a CoAP retransmission),
        then a new REGISTER with a new token (a retry) while the hook waits: each gets an
        empty ACK, the hook is asked once (identical credentials share a check), and after it
    answers both REGISTERs
        get a separate 2.01; the gateway holds one device with one broker session."""
        HOOK.decide = lambda b: (self.gate.wait(TIMEOUT), {'result': 'allow'})[1]
        ep = 'dup-' + unique_id()
        app = self.app(ep)
        dev = raw.RawDevice(self.lwm2m_port())
        self._clients.append(dev)
        opts = [(11, b'rd')] + [(15, q.encode()) for q in
                                ('ep=' + ep, 'lt=300', 'lwm2m=1.0', 'b=U')] + [(12, bytes([40]))]
        first = raw.encode(raw.CON, 2, 501, b'tok1', opts, b'</3/0>')
        for mid, datagram in ((501, first), (501, first),
                              (502, raw.encode(raw.CON, 2, 502, b'tok2', opts, b'</3/0>'))):
            dev.sock.sendto(datagram, dev.server)
            mtype, code, got_mid, _, _, _ = dev.recv()
            self.assertEqual((mtype, code, got_mid), (raw.ACK, 0, mid))
            wait_for(lambda: HOOK.asked(ep), 'the hook to be asked')
        self.gate.set()
        answered = {}
        while len(answered) < 2:
            mtype, code, mid, token, options, _ = dev.recv()
            if mtype == raw.CON:
                dev.sock.sendto(raw.encode(raw.ACK, 0, mid), dev.server)
            answered[token] = (code, [v.decode() for v in options.get(8, [])])
        self.assertEqual(set(answered), {b'tok1', b'tok2'})
        for code, location in answered.values():
            self.assertEqual(code, 0x41)
            self.assertEqual(location[0], 'rd')
        # The same credentials while a check is under way share it (gateway/authn).
        self.assertEqual(len(HOOK.asked(ep)), 1)
        self.next_json(app, 'register')
        gw = self.api('/api/v5/gateways/lwm2m')
        self.assertEqual(gw['current_connections'], 1)
        clients = self.api('/api/v5/gateways/lwm2m/clients')
        self.assertEqual([c['clientid'] for c in clients['data']], [ep])
        # The later registration is the one in force: commands reach the device.
        app.publish('lwm2m/%s/dn' % ep, json.dumps(
            {'reqID': 3, 'msgType': 'read', 'data': {'path': '/3/0/0'}}).encode(), 1)
        mtype, code, mid, token, options, _ = dev.recv()
        self.assertEqual((mtype, code), (raw.CON, 1))  # GET /3/0/0
        self.assertEqual([v.decode() for v in options.get(11, [])], ['3', '0', '0'])


if __name__ == '__main__':
    import unittest
    unittest.main()
