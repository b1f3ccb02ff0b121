"""54 STOMP connection rate (gateway.stomp.max_conn_rate, as listener.*.NAME.max_conn_rate
for MQTT, docs/LIMITS.md): over the rate each STOMP listener (TCP and WebSocket) stops
accepting until its bucket refills, so connections over any time T stay within
burst + 1 + rate x T; none is refused, all are served."""
# ctest-timeout: 180
import socket
import time

import websocket

from harness import BrokerTestCase, edgegw_only, with_config

RATE = 5
N = 15
TIMEOUT = 30.0


def read_frame(recv):
    buf = b''
    while b'\0' not in buf:
        chunk = recv()
        if not chunk:
            raise AssertionError('closed before a frame; have %r' % buf)
        buf += chunk if isinstance(chunk, bytes) else chunk.encode()
    return buf.lstrip(b'\r\n').split(b'\n', 1)[0].decode()


CONNECT = b'CONNECT\naccept-version:1.2\nhost:x\n\n\0'


@edgegw_only('STOMP connection rate limit')
class StompConnRateTest(BrokerTestCase):
    CONFIG = {'gateway.stomp.enable': True, 'gateway.stomp.bind': '127.0.0.1:0',
              'gateway.stomp.ws_enable': True, 'gateway.stomp.ws_bind': '127.0.0.1:0'}

    def check_paced(self, start, times):
        times.sort()
        for i, t in enumerate(times):  # burst + 1 into debt + rate x T (+1 slack)
            self.assertLessEqual(i + 1, RATE + 2 + RATE * (t - start), 'accepted too fast')
        self.assertGreaterEqual(times[-1] - start, (N - RATE - 1) / RATE * 0.98)

    @with_config({'gateway.stomp.max_conn_rate': RATE})
    def test_tcp_conn_rate_delays_but_accepts_all(self):
        port = self.broker.port('stomp', '')
        start = time.monotonic()
        socks = []
        for _ in range(N):  # the kernel completes these; the listener accepts in turn
            s = socket.create_connection(('127.0.0.1', port), timeout=TIMEOUT)
            self._clients.append(s)
            s.sendall(CONNECT)
            socks.append(s)
        times = []
        for s in socks:
            self.assertEqual(read_frame(lambda: s.recv(4096)), 'CONNECTED')
            times.append(time.monotonic())
        self.check_paced(start, times)

    @with_config({'gateway.stomp.max_conn_rate': RATE})
    def test_websocket_conn_rate_delays_but_accepts_all(self):
        url = 'ws://127.0.0.1:%d/stomp' % self.broker.port('stomp_ws', '')
        start = time.monotonic()
        times = []
        for _ in range(N):  # each handshake waits for its accept
            ws = websocket.create_connection(url, subprotocols=['v12.stomp'], timeout=TIMEOUT)
            self._clients.append(ws)
            ws.send(CONNECT.decode())
            self.assertEqual(read_frame(ws.recv), 'CONNECTED')
            times.append(time.monotonic())
        self.check_paced(start, times)

    def test_unlimited_by_default(self):
        port = self.broker.port('stomp', '')
        start = time.monotonic()
        for _ in range(N):
            s = socket.create_connection(('127.0.0.1', port), timeout=TIMEOUT)
            self._clients.append(s)
            s.sendall(CONNECT)
            self.assertEqual(read_frame(lambda: s.recv(4096)), 'CONNECTED')
        # Far quicker than the paced case ((N - RATE - 1) / RATE = 1.8 s).
        self.assertLess(time.monotonic() - start, (N - RATE - 1) / RATE)
