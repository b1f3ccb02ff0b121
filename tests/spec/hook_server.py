"""An HTTP authentication hook for the scenarios of the gateways' asynchronous
authentication (36, 53): a ThreadingHTTPServer on 127.0.0.1:0 that answers each POST from
`decide(body) -> (delay_s, answer dict)`; answer None stalls until close()."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hook:
    def __init__(self):
        self.requests = []
        self.answered = []  # bodies whose answer was written, in order
        self.decide = lambda body: (0, {'result': 'ignore'})
        self.release = threading.Event()
        self.lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                with hook.lock:
                    hook.requests.append(body)
                delay, answer = hook.decide(body)
                if answer is None:
                    hook.release.wait(30)  # stalled until the test ends
                    return
                if delay:
                    hook.release.wait(delay)  # a slow service (cut short by close())
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                with hook.lock:
                    hook.answered.append(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return 'http://127.0.0.1:%d/auth' % self.server.server_address[1]

    def asked(self, **match):
        """How many requests had all the given body fields."""
        with self.lock:
            return sum(1 for b in self.requests
                       if all(b.get(k) == v for k, v in match.items()))

    def wait_asked(self, timeout=10, **match):
        deadline = time.monotonic() + timeout
        while self.asked(**match) == 0:
            if time.monotonic() > deadline:
                raise AssertionError('hook never asked for %r' % (match,))
            time.sleep(0.01)

    def clear(self):
        with self.lock:
            self.requests.clear()
            self.answered.clear()

    def wait_answered(self, timeout=10, **match):
        """Until an answer to a request with the given body fields was written."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if any(all(b.get(k) == v for k, v in match.items()) for b in self.answered):
                    return
            if time.monotonic() > deadline:
                raise AssertionError('hook never answered %r' % (match,))
            time.sleep(0.01)

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def closed_port_url():
    """A URL on a loopback port nobody listens on (bound, then closed): a hook that is down."""
    import socket
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return 'http://127.0.0.1:%d/auth' % port
