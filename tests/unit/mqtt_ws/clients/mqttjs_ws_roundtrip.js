// MQTT.js over WebSocket against the unit test's listener (run only when `require('mqtt')`
// resolves, e.g. NODE_PATH=/some/dir/node_modules).
// usage: node mqttjs_ws_roundtrip.js PORT PATH {3|4|5}  (3: MQTT 3.1, subprotocol mqttv3.1)
// CONNECT, SUBSCRIBE, a QoS 1 PUBLISH of 100 KB delivered back to ourselves, end().
// Exit 0 on success, 1 with a reason.
'use strict';
const mqtt = require('mqtt');

const [port, path, ver] = process.argv.slice(2);
const topic = 'ws/mqttjs/' + ver;
const payload = Buffer.alloc(100 * 1024);
for (let i = 0; i < payload.length; i++) payload[i] = i % 251;

const timer = setTimeout(() => fail('no message within 15 s'), 15000);
function fail(why) {
  console.log('mqttjs: ' + why);
  process.exit(1);
}

const client = mqtt.connect(`ws://127.0.0.1:${port}${path}`, {
  protocolVersion: Number(ver),
  protocolId: ver === '3' ? 'MQIsdp' : 'MQTT',
  clientId: 'mqttjs-ws-' + ver,
  reconnectPeriod: 0,
});
client.on('error', (e) => fail('error ' + e.message));
client.on('connect', () => {
  client.subscribe(topic, { qos: 1 }, (err) => {
    if (err) return fail('subscribe ' + err.message);
    client.publish(topic, payload, { qos: 1 });
  });
});
client.on('message', (t, msg, packet) => {
  if (t !== topic || !msg.equals(payload) || packet.qos !== 1) return fail('wrong message');
  clearTimeout(timer);
  client.end(false, {}, () => process.exit(0));
});
