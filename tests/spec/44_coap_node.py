"""44 CoAP gateway with the npm package `coap` (node-coap) as the device: publish (CON and
NON), observe with MQTT publishers, Content-Format both ways, and a 4 KB block-wise upload
(SPEC section 6). Needs node and `coap` on NODE_PATH (scripts/test.sh installs it into
the build tree next to mqtt@5)."""
import importlib
import json
import os
import queue
import shutil
import subprocess
import threading
import unittest

import packets as pk
from clients import TIMEOUT
from harness import HOST, edgegw_only, mosquitto_pub

coapt = importlib.import_module('40_coap_pubsub')

CLIENT_JS = r'''// A CoAP peer built on the npm package `coap`, driven by the edgegw spec scenarios.
// usage: node client.js publish|observe|get HOST PORT PATH QUERY [PAYLOAD_FILE] [OPTIONS_JSON]
// Prints one JSON object per line: responses and notifications.
'use strict';
const coap = require('coap');
const fs = require('fs');
const [mode, host, port, path, query, payloadFile, optsJson] = process.argv.slice(2);
const extra = optsJson ? JSON.parse(optsJson) : {};
const requestOptions = Object.assign({}, extra);
delete requestOptions.contentFormat;
delete requestOptions.block1;
delete requestOptions.noSize1;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const agent = new coap.Agent({ type: host.includes(':') ? 'udp6' : 'udp4' });
const req = coap.request(Object.assign({
  hostname: host, port: Number(port), pathname: path, query: query, agent: agent,
  method: mode === 'publish' ? 'POST' : 'GET', observe: mode === 'observe',
}, requestOptions));
if (extra.contentFormat) req.setOption('Content-Format', extra.contentFormat);
// Block-wise upload (RFC 7959 Block1): node-coap segments when the option is set.
if (extra.block1 !== undefined) req.setOption('Block1', Buffer.from([extra.block1]));
req.on('error', (e) => { out({ event: 'error', message: String(e) }); process.exit(2); });
req.on('response', (res) => {
  out({ event: 'response', code: res.code, payload: res.payload.toString() });
  if (mode !== 'observe') process.exit(0);
  res.on('data', (d) => out({
    event: 'notification', payload: d.toString(), confirmable: res.headers !== undefined,
    cf: res.headers['Content-Format'] || null,
  }));
});
if (payloadFile) {
  const body = fs.readFileSync(payloadFile);
  // Size1 announces the total (optional in RFC 7959; the gateway does without it).
  if (extra.block1 !== undefined && !extra.noSize1) {
    const size1 = Buffer.alloc(4);
    size1.writeUInt32BE(body.length);
    req.setOption('Size1', size1);
  }
  req.write(body);
}
req.end();
'''


def node_coap_available():
    if not shutil.which('node'):
        return False
    res = subprocess.run(['node', '-e', 'require("coap")'], capture_output=True)
    return res.returncode == 0


class NodeCoap:
    """One node-coap request in a child process; its JSON lines (responses and
    notifications) are read by a thread."""

    def __init__(self, workdir, mode, port, path, query='', payload=None, options=None):
        script = os.path.join(workdir, 'coap_client.js')
        if not os.path.exists(script):
            with open(script, 'w') as f:
                f.write(CLIENT_JS)
        args = ['node', script, mode, HOST, str(port), path, query]
        if payload is not None or options:
            pfile = os.path.join(workdir, 'payload-%d.bin' % id(self))
            with open(pfile, 'wb') as f:
                f.write(payload or b'')
            args += [pfile if payload is not None else '', json.dumps(options or {})]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.events = queue.Queue()
        self.log = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.log.append(line)
            try:
                self.events.put(json.loads(line))
            except ValueError:
                pass
        self.events.put(None)

    def next(self, kind):
        while True:
            try:
                ev = self.events.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError('node-coap: no %s; output %r' % (kind, self.log)) from None
            if ev is None:
                raise AssertionError('node-coap exited before %s; output %r' % (kind, self.log))
            if ev['event'] == 'error':
                raise AssertionError('node-coap error: %r' % ev)
            if ev['event'] == kind and (kind != 'notification' or ev['payload']):
                return ev

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


@edgegw_only('CoAP gateway')
@unittest.skipUnless(node_coap_available(), 'node or the npm package coap is missing')
class NodeCoapTest(coapt.CoapTestCase):

    def node(self, *args, **kw):
        c = NodeCoap(self.workdir, *args, **kw)
        self._clients.append(c)
        return c

    @property
    def coap_port(self):
        return self.broker.port('coap', '')

    def test_publish_con_and_non(self):
        """POST from node-coap: 2.04, CON -> QoS 1, NON -> QoS 0, Content-Format -> user
        property content-format."""
        sub = self.subscriber('nc/#', 2, proto=pk.V5)
        r = self.node('publish', self.coap_port, '/ps/nc/con', 'c=node1', b'{"on":1}',
                      {'contentFormat': 'application/json'}).next('response')
        self.assertEqual(r['code'], '2.04')
        r = self.node('publish', self.coap_port, '/ps/nc/non', 'c=node1', b'non',
                      {'confirmable': False}).next('response')
        self.assertEqual(r['code'], '2.04')
        m1, m2 = sub.get(), sub.get()
        self.assertEqual((m1.topic, m1.payload, m1.qos), ('nc/con', b'{"on":1}', 1))
        self.assertIn(('content-format', '50'), m1.prop('UserProperty'))
        self.assertEqual((m2.topic, m2.payload, m2.qos), ('nc/non', b'non', 0))

    def test_observe_mqtt_messages(self):
        """node-coap observes /ps/{filter}; MQTT messages arrive as notifications with
        their Content-Format."""
        o = self.node('observe', self.coap_port, '/ps/nobs/%23', 'c=node2')
        self.assertEqual(o.next('response')['code'], '2.05')
        mosquitto_pub(self.port, 'nobs/a', 'first', qos=1, proto=pk.V5,
                      extra=['-D', 'publish', 'user-property', 'content-format', '50'])
        n = o.next('notification')
        self.assertEqual((n['payload'], n['cf']), ('first', 'application/json'))
        mosquitto_pub(self.port, 'nobs/b/c', 'second', qos=0)
        self.assertEqual(o.next('notification')['payload'], 'second')

    def test_block_wise_upload(self):
        """A 4 KB body in 64-byte Block1 blocks arrives as one MQTT message, with Size1 and
        without it (the gateway reassembles; libcoap 4.3.1 alone would need Size1)."""
        body = os.urandom(2048).hex().encode()
        sub = self.subscriber('nbig/#', 1)
        r = self.node('publish', self.coap_port, '/ps/nbig/a', 'c=node3', body,
                      {'block1': 2}).next('response')
        self.assertEqual(r['code'], '2.04')
        self.assertEqual(sub.get().payload, body)
        r = self.node('publish', self.coap_port, '/ps/nbig/b', 'c=node3', body,
                      {'block1': 2, 'noSize1': True}).next('response')
        self.assertEqual(r['code'], '2.04')
        self.assertEqual(sub.get().payload, body)
        sub.assert_no_messages()
