"""52 STOMP over TCP with the real @stomp/stompjs client through @stomp/tcp-wrapper (npm,
installed into the build tree by scripts/test.sh; NODE_PATH), against MQTT clients:
version and heart-beat negotiation, a client-individual subscription with NACK (redelivered)
and ACK, a transaction whose SEND is held until COMMIT, receipts, DISCONNECT."""
import json
import queue
import shutil
import subprocess
import threading
import unittest

from harness import BrokerTestCase, IS_EDGEGW, unique_id

TIMEOUT = 15.0

# The client steps through the scenario on its own; each step is reported as one JSON line.
CLIENT_JS = r"""
const { Client } = require('@stomp/stompjs');
const { TCPWrapper } = require('@stomp/tcp-wrapper');
const [port, topicIn, topicOut] = process.argv.slice(1);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
let deliveries = 0;
const client = new Client({
  webSocketFactory: () => new TCPWrapper('127.0.0.1', Number(port)),
  reconnectDelay: 0,
  heartbeatIncoming: 1000,
  heartbeatOutgoing: 1000,
  onConnect: (frame) => {
    say({ event: 'connected', version: frame.headers.version,
          heartbeat: frame.headers['heart-beat'] });
    client.watchForReceipt('s1', () => say({ event: 'subscribed' }));
    client.subscribe(topicIn, (m) => {
      deliveries += 1;
      say({ event: 'message', body: m.body, redelivered: m.headers.redelivered || 'false',
            n: deliveries });
      if (deliveries === 1) { m.nack(); return; }  // first sight: refuse, expect it again
      m.ack();
      // A transaction: its SEND is held until COMMIT, so the MQTT side sees 'outside' first.
      const tx = client.begin();
      client.publish({ destination: topicOut, body: 'in-tx', headers: { transaction: tx.id } });
      client.watchForReceipt('p2', () => {
        tx.commit();
        client.watchForReceipt('p3', () => {
          say({ event: 'published' });
          client.deactivate().then(() => { say({ event: 'closed' }); process.exit(0); });
        });
        client.publish({ destination: topicOut, body: 'after-commit',
                         headers: { receipt: 'p3' } });
      });
      client.publish({ destination: topicOut, body: 'outside', headers: { receipt: 'p2' } });
    }, { receipt: 's1', id: 'ci-sub', ack: 'client-individual' });
  },
  onStompError: (f) => { say({ event: 'error', message: f.headers.message }); process.exit(2); },
  onWebSocketError: () => { say({ event: 'socket-error' }); process.exit(3); },
});
client.activate();
setTimeout(() => { say({ event: 'timeout' }); process.exit(4); }, 20000);
"""


def have_tcp_wrapper():
    if not shutil.which('node'):
        return False
    r = subprocess.run(['node', '-e', "require('@stomp/stompjs'); require('@stomp/tcp-wrapper')"],
                       capture_output=True)
    return r.returncode == 0


@unittest.skipUnless(IS_EDGEGW, 'edgegw only: STOMP gateway')
class StompJsTcpTest(BrokerTestCase):
    CONFIG = {'gateway.stomp.enable': True, 'gateway.stomp.bind': '127.0.0.1:0'}

    @unittest.skipUnless(have_tcp_wrapper(), 'needs node with @stomp/stompjs and '
                                             '@stomp/tcp-wrapper on NODE_PATH '
                                             '(scripts/test.sh installs them)')
    def test_stompjs_over_tcp(self):
        topic_in, topic_out = unique_id('tcpin'), unique_id('tcpout')
        sub = self.client()
        sub.subscribe(topic_out, 1)
        proc = subprocess.Popen(
            ['node', '-e', CLIENT_JS, str(self.broker.port('stomp', '')), topic_in, topic_out],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
                if e['event'] in ('error', 'socket-error', 'timeout'):
                    raise AssertionError('stompjs: %r' % e)
                if e['event'] == name:
                    return e

        connected = expect('connected')
        self.assertEqual(connected['version'], '1.2')
        # The gateway sends and expects heart-beats: both of its figures are non-zero.
        sx, sy = (int(v) for v in connected['heartbeat'].split(','))
        self.assertGreater(sx, 0)
        self.assertGreater(sy, 0)
        expect('subscribed')
        self.client().publish(topic_in, b'from-mqtt', 1)
        first = expect('message')
        self.assertEqual((first['body'], first['redelivered']), ('from-mqtt', 'false'))
        again = expect('message')  # NACKed: sent again
        self.assertEqual((again['body'], again['redelivered']), ('from-mqtt', 'true'))
        expect('published')
        # Held until COMMIT: the transactional SEND arrives after the one sent outside it.
        got = [sub.get() for _ in range(3)]
        self.assertEqual([(m.topic, m.payload) for m in got],
                         [(topic_out, b'outside'), (topic_out, b'in-tx'),
                          (topic_out, b'after-commit')])
        expect('closed')
        self.assertEqual(proc.wait(timeout=TIMEOUT), 0)


if __name__ == '__main__':
    unittest.main()
