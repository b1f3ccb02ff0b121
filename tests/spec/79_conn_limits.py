"""79 connection limits (issue 8 item 5): listener.<kind>.<name>.max_conn_rate delays
accepting (new clients wait in the backlog, none is dropped) so that accepted connections
over any time T stay within burst + rate x T; listener max_connections refuses the N+1th;
limits.max_connections counts clients of every protocol together (MQTT and MQTT-SN)."""
# ctest-timeout: 180
import time

import packets as pk
from harness import RawClient, edgegw_only, unique_id, with_config
from mqttsn_base import MqttSnTestCase
from mqttsn_client import ACCEPTED, CONGESTION

RATE = 5
N = 15


@edgegw_only('connection rate limit')
class ConnLimitsTest(MqttSnTestCase):

    def raw_unconnected(self, proto=pk.V311):
        r = RawClient(self.port, proto)
        self._clients.append(r)
        return r

    @with_config({'listener.tcp.default.max_conn_rate': RATE})
    def test_conn_rate_delays_but_accepts_all(self):
        start = time.monotonic()
        clients = [self.raw_unconnected() for _ in range(N)]  # the kernel completes these
        for c in clients:
            c.send(pk.connect(unique_id('rate')))
        times = []
        for c in clients:
            p = c.expect(pk.CONNACK, timeout=N / RATE * 4 + 10)
            self.assertEqual(p.rc, 0)
            times.append(time.monotonic())
        times.sort()
        for i, t in enumerate(times):  # burst + 1 into debt + rate x T (+1 slack)
            self.assertLessEqual(i + 1, RATE + 2 + RATE * (t - start), 'accepted too fast')
        self.assertGreaterEqual(times[-1] - start, (N - RATE - 1) / RATE * 0.98)
        for c in clients:  # all still served
            c.ping()

    @with_config({'listener.tcp.default.max_connections': 2})
    def test_listener_refuses_the_n_plus_first(self):
        a, b = self.client(), self.client()
        extra = self.raw_unconnected(pk.V5)
        extra.send(pk.connect(unique_id('extra'), proto=pk.V5))
        got = extra.wait_closed()
        self.assertFalse([p for p in got if p.type == pk.CONNACK and p.rc == 0], got)
        # MQTT-SN has its own gateway and is not this listener's: it still gets in.
        self.assertEqual(self.sn().connect(unique_id('sn'), expect_rc=None), ACCEPTED)
        a.disconnect()
        deadline = time.monotonic() + 10
        while True:  # the freed slot shows once the broker has seen the DISCONNECT
            try:
                self.client()
                break
            except AssertionError:
                self.assertLess(time.monotonic(), deadline)
        b.disconnect()

    @with_config({'limits.max_connections': 2})
    def test_total_counts_every_protocol(self):
        self.client()
        sn = self.sn(connect=False)
        self.assertEqual(sn.connect(unique_id('sn'), expect_rc=None), ACCEPTED)
        # Both slots are taken: the next MQTT v5 client gets CONNACK 0x89 Server busy, the
        # next MQTT-SN client CONNACK 0x01 congestion.
        r = self.raw_unconnected(pk.V5)
        r.send(pk.connect(unique_id('third'), proto=pk.V5))
        self.assert_closed(r, pk.CONNACK, (0x89, 0x97))
        sn3 = self.sn(connect=False)
        self.assertEqual(sn3.connect(unique_id('sn'), expect_rc=None), CONGESTION)
        # The MQTT-SN client leaving frees a slot for MQTT.
        sn.disconnect()
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client()
                break
            except AssertionError:
                self.assertLess(time.monotonic(), deadline)
