"""51 STOMP over WebSocket: the real @stomp/stompjs client (npm, installed into the build
tree by scripts/test.sh; NODE_PATH) over the `ws` package against MQTT clients, and the HTTP
refusals of the upgrade (404 other path, 426 plain HTTP, 400 unsupported subprotocol)."""
import json
import os
import queue
import shutil
import socket
import subprocess
import threading
import unittest

from harness import BrokerTestCase, IS_EDGEGW, unique_id

TIMEOUT = 15.0

CLIENT_JS = r"""
const { Client } = require('@stomp/stompjs');
const WebSocket = require('ws');
const [url, topicIn, topicOut] = process.argv.slice(1);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const client = new Client({
  webSocketFactory: () => {
    const ws = new WebSocket(url, ['v12.stomp', 'v11.stomp', 'v10.stomp']);
    ws.on('upgrade', (res) => say({ event: 'upgrade',
                                    protocol: res.headers['sec-websocket-protocol'] }));
    return ws;
  },
  reconnectDelay: 0,
  heartbeatIncoming: 0,
  heartbeatOutgoing: 0,
  onConnect: (frame) => {
    say({ event: 'connected', version: frame.headers.version });
    client.watchForReceipt('s1', () => say({ event: 'subscribed' }));
    client.subscribe(topicIn, (m) => {
      say({ event: 'message', body: m.body, destination: m.headers.destination,
            subscription: m.headers.subscription });
      client.watchForReceipt('p1', () => {
        say({ event: 'published' });
        client.deactivate().then(() => process.exit(0));
      });
      client.publish({ destination: topicOut, body: 'from-ws', headers: { receipt: 'p1' } });
    }, { receipt: 's1', id: 'ws-sub' });
  },
  onStompError: (f) => { say({ event: 'error', message: f.headers.message }); process.exit(2); },
  onWebSocketError: () => { say({ event: 'ws-error' }); process.exit(3); },
});
client.activate();
setTimeout(() => { say({ event: 'timeout' }); process.exit(4); }, 20000);
"""


def have_stompjs():
    if not shutil.which('node'):
        return False
    r = subprocess.run(['node', '-e', "require('@stomp/stompjs'); require('ws')"],
                       capture_output=True)
    return r.returncode == 0


@unittest.skipUnless(IS_EDGEGW, 'edgegw only: STOMP gateway')
class StompWebSocketTest(BrokerTestCase):
    CONFIG = {'gateway.stomp.enable': True, 'gateway.stomp.bind': '127.0.0.1:0',
              'gateway.stomp.ws_enable': True, 'gateway.stomp.ws_bind': '127.0.0.1:0'}

    @property
    def ws_port(self):
        return self.broker.port('stomp_ws', '')

    def http(self, request):
        s = socket.create_connection(('127.0.0.1', self.ws_port), timeout=TIMEOUT)
        try:
            s.sendall(request.encode())
            data = b''
            while b'\r\n\r\n' not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            return int(data.split(b' ', 2)[1]), data
        finally:
            s.close()

    @unittest.skipUnless(have_stompjs(), 'needs node with @stomp/stompjs and ws on NODE_PATH '
                                         '(scripts/test.sh installs them)')
    def test_stompjs_both_ways(self):
        topic_in, topic_out = unique_id('wsin'), unique_id('wsout')
        sub = self.client()
        sub.subscribe(topic_out, 1)
        proc = subprocess.Popen(
            ['node', '-e', CLIENT_JS, 'ws://127.0.0.1:%d/stomp' % self.ws_port, topic_in,
             topic_out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        events = queue.Queue()
        threading.Thread(target=lambda: [events.put(json.loads(line)) for line in proc.stdout],
                         daemon=True).start()

        def expect(name):
            while True:
                try:
                    e = events.get(timeout=TIMEOUT)
                except queue.Empty:
                    raise AssertionError('no %s from stompjs; stderr: %s'
                                         % (name, proc.stderr.read() if proc.poll() else ''))
                if e['event'] in ('error', 'ws-error', 'timeout'):
                    raise AssertionError('stompjs: %r' % e)
                if e['event'] == name:
                    return e

        self.assertEqual(expect('upgrade')['protocol'], 'v12.stomp')
        self.assertEqual(expect('connected')['version'], '1.2')
        expect('subscribed')
        self.client().publish(topic_in, b'from-mqtt', 1)
        m = expect('message')
        self.assertEqual((m['body'], m['destination'], m['subscription']),
                         ('from-mqtt', topic_in, 'ws-sub'))
        expect('published')
        got = sub.get()
        self.assertEqual((got.topic, got.payload), (topic_out, b'from-ws'))
        self.assertEqual(proc.wait(timeout=TIMEOUT), 0)

    def test_upgrade_refusals(self):
        key = 'dGhlIHNhbXBsZSBub25jZQ=='
        upgrade = ('GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
                   'Sec-WebSocket-Key: ' + key + '\r\nSec-WebSocket-Version: 13\r\n%s\r\n')
        self.assertEqual(self.http(upgrade % ('/other', ''))[0], 404)
        self.assertEqual(self.http('GET /stomp HTTP/1.1\r\nHost: x\r\n\r\n')[0], 426)
        self.assertEqual(self.http(upgrade % ('/stomp', 'Sec-WebSocket-Protocol: mqtt\r\n'))[0],
                         400)
        status, data = self.http(upgrade % ('/stomp', 'Sec-WebSocket-Protocol: foo, v11.stomp\r\n'))
        self.assertEqual(status, 101)
        self.assertIn(b'v11.stomp', data)
        status, data = self.http(upgrade % ('/stomp', ''))
        self.assertEqual(status, 101)
