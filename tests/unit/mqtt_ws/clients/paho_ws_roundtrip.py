#!/usr/bin/python3
"""paho-mqtt over WebSocket against the unit test's listener.

usage: paho_ws_roundtrip.py PORT PATH {311|5}
CONNECT, SUBSCRIBE, a QoS 1 PUBLISH of 100 KB (more than one server-side WebSocket
message) delivered back to ourselves, DISCONNECT. Exit 0 on success, 1 with a reason.
"""
import sys
import threading

import paho.mqtt.client as mqtt


def main():
    port, path, ver = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    v5 = ver == "5"
    payload = bytes(i % 251 for i in range(100 * 1024))
    done = threading.Event()
    result = {}

    client = mqtt.Client(client_id="paho-ws-" + ver, transport="websockets",
                         protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311)
    client.ws_set_options(path=path)

    def on_connect(c, userdata, flags, rc, properties=None):
        if rc != 0:
            result["error"] = "CONNACK %s" % rc
            done.set()
            return
        c.subscribe("ws/paho/" + ver, qos=1)

    def on_subscribe(c, userdata, mid, granted, properties=None):
        c.publish("ws/paho/" + ver, payload, qos=1)

    def on_message(c, userdata, msg):
        result["payload"] = msg.payload
        result["qos"] = msg.qos
        done.set()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    client.connect("127.0.0.1", port, keepalive=30)
    client.loop_start()
    ok = done.wait(15)
    client.disconnect()
    client.loop_stop()
    if not ok:
        print("paho: no message within 15 s")
        return 1
    if "error" in result:
        print("paho:", result["error"])
        return 1
    if result.get("payload") != payload or result.get("qos") != 1:
        print("paho: wrong message: qos", result.get("qos"), "len", len(result.get("payload", b"")))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
