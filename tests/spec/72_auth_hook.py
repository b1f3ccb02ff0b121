"""72 HTTP authentication hook (as EMQX's HTTP authenticator): a small http.server on
127.0.0.1:0 in the test answers allow, deny or ignore; it also stalls to show that a hook
that does not answer within auth.http_timeout counts as "ignore" and that waiting for it
does not hold up other clients (the MQTT adapter authenticates asynchronously)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import packets as pk
from harness import BrokerTestCase, edgegw_only, with_config
from clients import unique_id


class Hook:
    """Answers POSTs from `decide(body) -> dict | None` (None: never answer)."""

    def __init__(self):
        self.requests = []
        self.decide = lambda body: {'result': 'ignore'}
        self.release = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                hook.requests.append((self.path, body))
                answer = hook.decide(body)
                if answer is None:
                    hook.release.wait(30)  # stalled until the test ends
                    return
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return 'http://127.0.0.1:%d/mqtt/auth' % self.server.server_address[1]

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


HOOK = None


def hook():
    global HOOK
    if HOOK is None:
        HOOK = Hook()
    return HOOK


@edgegw_only('the HTTP hook is configured with edgegw keys')
class HttpHookTest(BrokerTestCase):
    CONFIG = {'auth.http_url': hook().url, 'auth.http_timeout': '1s',
              'auth.http_cache_ttl': '0s'}

    def setUp(self):
        hook().decide = lambda body: {'result': 'ignore'}
        hook().requests.clear()
        super().setUp()

    def test_allow_with_the_request_emqx_sends(self):
        hook().decide = lambda b: {'result': 'allow' if b['password'] == 's3cret' else 'deny',
                                   'is_superuser': False}
        cid = unique_id('hk')
        c = self.client(cid, connect=False, proto=pk.V5)
        c.connect(username='dev', password='s3cret')
        path, body = hook().requests[-1]
        self.assertEqual(path, '/mqtt/auth')
        self.assertEqual(body, {'clientid': cid, 'username': 'dev', 'password': 's3cret',
                                'peerhost': '127.0.0.1', 'protocol': 'mqtt'})
        self.client(connect=False).connect(username='dev', password='wrong', expect_rc=4)

    def test_deny(self):
        hook().decide = lambda b: {'result': 'deny'}
        self.client(connect=False, proto=pk.V5).connect(username='u', password='p',
                                                        expect_rc=0x86)
        self.client(connect=False).connect(expect_rc=5)  # anonymous, denied by the hook

    def test_ignore_falls_through(self):
        # A username nobody knows is refused; anonymous follows allow_anonymous (true).
        self.client(connect=False).connect(username='u', password='p', expect_rc=4)
        self.client()

    @with_config({'auth.allow_anonymous': False})
    def test_ignore_with_anonymous_refused(self):
        self.client(connect=False).connect(expect_rc=5)

    def test_time_out_counts_as_ignore_and_blocks_nobody(self):
        hook().decide = lambda b: None if b['username'] == 'slow' else {'result': 'allow'}
        slow = self.client(connect=False)
        results = {}

        def connect_slow():
            t0 = time.monotonic()
            results['rc'] = slow.connect(username='slow', password='p', expect_rc=None,
                                         timeout=10)
            results['took'] = time.monotonic() - t0

        t = threading.Thread(target=connect_slow)
        t.start()
        # While the slow one waits for its hook, others are served on the same broker.
        deadline = time.monotonic() + 10
        while not any(b['username'] == 'slow' for _, b in hook().requests):
            self.assertLess(time.monotonic(), deadline, 'hook never asked')
            time.sleep(0.01)
        t0 = time.monotonic()
        self.client(connect=False).connect(username='fast', password='p')
        self.assertLess(time.monotonic() - t0, 0.9)
        t.join(15)
        self.assertEqual(results.get('rc'), 4)  # time-out = ignore: an unknown user
        self.assertGreaterEqual(results['took'], 0.9)

    @with_config({'auth.http_cache_ttl': '1m'})
    def test_cache(self):
        hook().decide = lambda b: {'result': 'allow'}
        cid = unique_id('cache')
        for _ in range(3):  # one device reconnecting: asked once
            c = self.client(cid, connect=False)
            c.connect(username='cached', password='p')
            c.disconnect()
        self.assertEqual(sum(1 for _, b in hook().requests if b['username'] == 'cached'), 1)
        # Other credentials are not served from the cache.
        self.client(cid, connect=False).connect(username='cached', password='other')
        self.assertEqual(sum(1 for _, b in hook().requests if b['username'] == 'cached'), 2)
