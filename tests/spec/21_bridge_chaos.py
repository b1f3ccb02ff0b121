# ctest-timeout: 600
# (six cases, each bounded below 90 s under ASan; ctest's default of 120 s is per file)
"""21 bridge chaos (SPEC section 9): nothing is lost between a local publisher and the cloud,
whatever happens to the uplink or to edgegw. A local paho publisher streams QoS 1 messages
with sequence numbers (2,000 msg/s over four topics) into edgegw, whose [bridge.cloud]
forwards chaos/# to an upstream mosquitto (the Upstream of 20_bridge.py: Debian's 2.0.11
on a free loopback port, persistence on). An upstream paho subscriber with a persistent
session (QoS 1) collects what arrives. The cases: the upstream stopped and restarted five
times mid-stream; the upstream frozen (SIGSTOP) until the spool holds 100,000 messages;
edgegw killed with -9 mid-stream, with the uplink up and with it down, and restarted on
the same data_dir; and the spool's overflow policies end to end.

The check, every time: every sequence number the publisher had acknowledged by edgegw
(its PUBACK comes once the message is durable in the spool) arrives upstream; per topic,
first arrivals are in publishing order; anything else upstream is a duplicate of a message
already delivered (QoS 1 resends after a lost acknowledgement, docs/SPOOL.md). Every wait
is for a condition with a deadline."""
import importlib.util
import os
import signal
import threading
import time

import paho.mqtt.client as paho

from harness import HOST, edgegw_only, unique_id, with_config


def _load_bridge_scenario():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '20_bridge.py')
    spec = importlib.util.spec_from_file_location('spec_20_bridge_for_chaos', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_bridge = _load_bridge_scenario()
BridgeTestCase = _bridge.BridgeTestCase

RATE = 2000            # msg/s of the stream
TOPICS = 4             # chaos/t0 .. chaos/t3
REMOTE_PREFIX = 'site/'
DRAIN_TIMEOUT = 60.0   # everything acknowledged has arrived upstream by then


class Collector:
    """The cloud application: a persistent-session QoS 1 subscriber of the upstream broker
    that reconnects by itself (so it rides out upstream restarts) and records every
    (topic, seq) it receives, in order. The callback only appends (cheap: 100,000 messages
    arrive in a burst after a thaw); waiters look at the list every 50 ms until a deadline."""

    POLL = 0.05

    def __init__(self, port):
        self.arrivals = []
        self.connected = threading.Event()
        self.c = paho.Client(client_id=unique_id('up'), clean_session=False)
        self.c.reconnect_delay_set(min_delay=0.1, max_delay=0.5)
        self.c.on_connect = lambda c, u, f, rc: self.connected.set()
        self.c.on_message = self._on_message
        self.c.connect(HOST, port, 60)
        self.c.loop_start()
        if not self.connected.wait(10):
            raise AssertionError('upstream collector could not connect')
        info = self.c.subscribe(REMOTE_PREFIX + 'chaos/#', 1)
        if info[0] != paho.MQTT_ERR_SUCCESS:
            raise AssertionError('upstream subscribe failed')

    def _on_message(self, c, u, m):
        if m.topic.startswith(REMOTE_PREFIX + 'chaos/'):
            self.arrivals.append((m.topic, int(m.payload)))  # list.append is atomic

    def snapshot(self):
        return list(self.arrivals)

    def seen(self):
        return {s for _, s in self.snapshot()}

    def wait_for(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        while not pred(self.snapshot()):
            if time.monotonic() >= deadline:
                raise AssertionError('upstream: %s not within %.0fs (%d arrivals)'
                                     % (what, timeout, len(self.arrivals)))
            time.sleep(self.POLL)

    def wait_count(self, n, timeout=DRAIN_TIMEOUT):
        self.wait_for(lambda a: len(a) >= n, timeout, '%d messages' % n)

    def wait_all(self, seqs, timeout=DRAIN_TIMEOUT):
        want = set(seqs)
        self.wait_for(lambda a: len(a) >= len(want) and want <= {s for _, s in a}, timeout,
                      'all %d acknowledged seqs' % len(want))

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()


class Stream(threading.Thread):
    """The local device: publishes QoS 1 messages numbered from `first` on chaos/t<seq % 4>
    at `rate` msg/s (count: stop after that many), and records which seqs edgegw
    acknowledged. Stops at the first disconnect (edgegw killed) without reconnecting."""

    def __init__(self, port, first=0, rate=RATE, count=None):
        super().__init__(daemon=True)
        self.next, self.rate, self.count, self.first = first, rate, count, first
        self.acked = set()
        self.lock = threading.Condition()
        self.by_mid = {}
        self.early = set()
        self.error = None
        self.log_errors = []
        self.stopping = threading.Event()
        self.disconnected = threading.Event()
        self.c = paho.Client(client_id=unique_id('dev'), clean_session=True,
                             reconnect_on_failure=False)
        self.c.max_inflight_messages_set(0)  # no client-side limit: edgegw paces acks
        self.c.max_queued_messages_set(0)
        self.c.on_publish = self._on_publish
        self.c.on_disconnect = self._on_disconnect
        self.c.on_log = self._on_log
        connected = threading.Event()
        self.c.on_connect = lambda c, u, f, rc: connected.set()
        self.c.connect(HOST, port, 60)
        self.c.loop_start()
        if not connected.wait(10):
            raise AssertionError('local publisher could not connect')

    def _on_log(self, c, u, level, text):
        if level == paho.MQTT_LOG_ERR:
            self.log_errors.append(text)

    def _on_disconnect(self, c, u, rc):
        self.error = self.error or 'disconnected rc=%s' % rc
        self.disconnected.set()

    def _on_publish(self, c, u, mid):
        # paho may report the PUBACK before publish() returned the mid to run().
        with self.lock:
            seq = self.by_mid.pop(mid, None)
            if seq is None:
                self.early.add(mid)
            else:
                self.acked.add(seq)
                self.lock.notify_all()

    def run(self):
        start = time.monotonic()
        i = 0
        while not self.stopping.is_set() and not self.disconnected.is_set():
            if self.count is not None and i >= self.count:
                break
            if i % 20 == 0:  # pacing of the load, in steps of 20 messages
                delay = start + i / self.rate - time.monotonic()
                if delay > 0:
                    self.stopping.wait(delay)
                elif delay < -0.2:  # fallen behind: no catch-up burst above the rate
                    start -= delay + 0.2
            seq = self.next
            # Not under self.lock: paho's network thread holds its own lock while it calls
            # _on_publish, which takes self.lock.
            info = self.c.publish('chaos/t%d' % (seq % TOPICS), str(seq).encode(), 1)
            if info.rc != paho.MQTT_ERR_SUCCESS:
                self.error = self.error or paho.error_string(info.rc)
                break
            with self.lock:
                if info.mid in self.early:
                    self.early.discard(info.mid)
                    self.acked.add(seq)
                    self.lock.notify_all()
                else:
                    self.by_mid[info.mid] = seq
            self.next += 1
            i += 1

    def status(self):
        with self.lock:
            return 'running=%s disconnected=%s published=%d acked=%d error=%r paho=%r' % (
                self.is_alive(), self.disconnected.is_set(), self.next - self.first,
                len(self.acked), self.error, self.log_errors[-3:])

    def published(self):
        return range(self.first, self.next)

    def wait_acked(self, n, timeout=30.0):
        """Wait until n messages (or all published once the run ended) are acknowledged."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while len(self.acked) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError('edgegw acknowledged only %d of %d publishes'
                                         % (len(self.acked), n))
                self.lock.wait(min(left, 0.5))

    def finish(self, expect_all_acked=True):
        """Stop publishing; unless edgegw died, wait until every publish is acknowledged.
        Returns the acknowledged seqs."""
        self.stopping.set()
        self.join(10)
        if expect_all_acked and not self.disconnected.is_set():
            self.wait_acked(len(self.published()))
        self.c.disconnect()
        self.c.loop_stop()
        with self.lock:
            return set(self.acked)


@edgegw_only('the bridge is an edgegw feature')
class ChaosTest(BridgeTestCase):
    CONFIG = {'bridge.cloud.forward': 'chaos/#',
              'bridge.cloud.remote_prefix': REMOTE_PREFIX,
              'bridge.cloud.qos': 1,
              'bridge.cloud.reconnect_min': '100ms',
              'bridge.cloud.reconnect_max': '500ms'}

    def setUp(self):
        super().setUp()
        self.collector = Collector(self.upstream.port)
        self.addCleanup(self.collector.close)
        self.wait_connected()

    # helpers -----------------------------------------------------------------------------
    def stream(self, first=0, rate=RATE, count=None):
        s = Stream(self.port, first, rate, count)
        self.addCleanup(lambda: (s.stopping.set(), s.c.loop_stop()))
        s.start()
        return s

    def wait_state(self, accept, timeout=15.0):
        w = self.sys_watch()
        self.wait_sys(w, 'status', accept, timeout=timeout)
        w.disconnect()

    def wait_depth(self, accept, timeout=15.0):
        w = self.sys_watch()
        v = self.wait_sys(w, 'spool/depth', lambda v: accept(int(v)), timeout=timeout)
        w.disconnect()
        return int(v)

    def check_delivery(self, acked, published):
        """Every acknowledged seq arrived; first arrivals in order per topic; the rest are
        duplicates of delivered seqs, and nothing arrived that was never published."""
        try:
            self.collector.wait_all(acked)
        except AssertionError as e:
            missing = sorted(set(acked) - self.collector.seen())
            raise AssertionError('%s; %d missing, first %r' % (e, len(missing), missing[:20]))
        arrivals = self.collector.snapshot()
        published = set(published)
        seen, last, dups = set(), {}, 0
        for topic, seq in arrivals:
            self.assertIn(seq, published, 'arrived but never published: %d' % seq)
            self.assertEqual(topic, REMOTE_PREFIX + 'chaos/t%d' % (seq % TOPICS))
            if seq in seen:
                dups += 1
                continue
            seen.add(seq)
            if seq <= last.get(topic, -1):
                self.fail('out of order on %s: %d after %d' % (topic, seq, last[topic]))
            last[topic] = seq
        missing = sorted(set(acked) - seen)
        self.assertEqual(missing, [], 'acknowledged but never arrived')
        return dups

    # cases -------------------------------------------------------------------------------
    def test_upstream_restarted_five_times(self):
        """The upstream broker stops and starts again five times under a 2,000 msg/s
        stream: messages spool while it is down and all arrive, in order."""
        s = self.stream()
        for cycle in range(5):
            self.collector.wait_count(len(self.collector.arrivals) + 500)  # flowing again
            self.upstream.stop()
            self.wait_state(lambda v: v != 'connected')
            self.wait_depth(lambda d: d >= 1000)  # half a second of stream in the spool
            self.upstream.start()
        self.collector.wait_count(len(self.collector.arrivals) + 500)
        acked = s.finish()
        self.check_delivery(acked, s.published())
        self.assertGreaterEqual(len(acked), 5 * 1500)

    @with_config({'bridge.cloud.max_inflight': 1000})  # drains 100,000 in well under 90 s
    def test_upstream_frozen_until_100k_spooled(self):
        """The upstream broker is frozen (SIGSTOP: connections stay open, nothing is
        acknowledged) until the spool holds 100,000 messages, then thawed: all arrive."""
        s = self.stream()
        self.collector.wait_count(1000)
        os.kill(self.upstream.proc.pid, signal.SIGSTOP)
        try:
            self.wait_depth(lambda d: d >= 100000, timeout=80.0)
            acked = s.finish()  # the stream ends before the thaw: the drain is measured alone
        except AssertionError as e:
            raise AssertionError('%s; publisher: %s' % (e, s.status())) from None
        finally:
            os.kill(self.upstream.proc.pid, signal.SIGCONT)
        self.assertGreaterEqual(len(acked), 100000)
        self.check_delivery(acked, s.published())

    def test_edgegw_killed_mid_stream(self):
        """kill -9 of edgegw while it forwards; restarted on the same data_dir, it sends
        everything it had acknowledged to the publisher."""
        s = self.stream()
        self.collector.wait_count(2000)
        s.wait_acked(3000)
        self.broker.kill()
        first = s.finish(expect_all_acked=False)
        self.broker.start()
        s2 = self.stream(first=s.next, count=2000)
        s2.join(30)
        second = s2.finish()
        self.check_delivery(first | second, list(s.published()) + list(s2.published()))

    def test_edgegw_killed_while_spooling(self):
        """kill -9 of edgegw while the upstream is down and the spool fills; after the
        restart (same data_dir) and the upstream's return, everything arrives."""
        self.upstream.stop()
        self.wait_state(lambda v: v != 'connected')
        s = self.stream()
        self.wait_depth(lambda d: d >= 3000)
        self.broker.kill()
        acked = s.finish(expect_all_acked=False)
        self.assertGreaterEqual(len(acked), 3000)
        self.broker.start()
        self.upstream.start()
        self.check_delivery(acked, s.published())


@edgegw_only('the bridge is an edgegw feature')
class OverflowTest(BridgeTestCase):
    """2,000 messages into a spool of 500 while the upstream is down."""
    CONFIG = dict(ChaosTest.CONFIG, **{'bridge.cloud.spool_max_messages': 500})

    def setUp(self):
        super().setUp()
        self.collector = Collector(self.upstream.port)
        self.addCleanup(self.collector.close)
        self.wait_connected()

    def overflow(self):
        """Returns the seqs that arrived upstream (each once), after a marker published
        behind them arrived too."""
        self.upstream.stop()
        w = self.sys_watch()
        self.wait_sys(w, 'status', lambda v: v != 'connected')
        s = Stream(self.port, 0, rate=RATE, count=2000)
        self.addCleanup(lambda: s.c.loop_stop())
        s.start()
        s.join(30)
        acked = s.finish()
        self.assertEqual(len(acked), 2000, 'refused messages are acknowledged too')
        self.wait_sys(w, 'dropped', lambda v: v == '1500')
        self.wait_sys(w, 'spool/depth', lambda v: v == '500')
        self.upstream.start()
        self.collector.wait_count(500)
        # Order is kept, so once a later message arrived nothing of the 500 is still coming.
        marker = Stream(self.port, 100000, count=1)
        marker.start()
        marker.join(10)
        marker.finish()
        self.collector.wait_all({100000})
        return [seq for _, seq in self.collector.snapshot() if seq != 100000]

    @with_config({'bridge.cloud.spool_overflow': 'drop_oldest'})
    def test_drop_oldest(self):
        """drop_oldest: the newest 500 survive."""
        got = self.overflow()
        self.assertEqual(sorted(set(got)), list(range(1500, 2000)))

    @with_config({'bridge.cloud.spool_overflow': 'drop_newest'})
    def test_drop_newest(self):
        """drop_newest: the first 500 survive; later ones are refused (and acknowledged to
        the publisher, which is not blocked)."""
        got = self.overflow()
        self.assertEqual(sorted(set(got)), list(range(0, 500)))
