"""20 upstream bridge (SPEC section 9): [bridge.NAME] connects edgegw to a remote broker —
here Debian's mosquitto 2.0.11, started by each test on a free loopback port with its own
config in the test's temp dir. Forwarding local -> remote under remote_prefix, remote ->
local under local_prefix, MQTT 3.1.1 and 5.0, QoS 0/1, retain kept or cleared, loop
prevention, spooling while the remote is down and draining after it comes back with no
new local traffic, TLS with a client certificate (made with the openssl CLI), username and
password, and the bridge state in $SYS/brokers/<node>/bridges/<name>/."""
import os
import pwd
import signal
import subprocess
import time

import packets as pk
from clients import MqttClient, Properties, PacketTypes, SubscribeOptions
from harness import (BrokerTestCase, HOST, READY_TIMEOUT, edgegw_only, free_port,
                     make_workdir, unique_id, with_config)

NODE = 'test'
SYS = '$SYS/brokers/%s/bridges/' % NODE


class Upstream:
    """/usr/sbin/mosquitto as the cloud broker. Keeps its port across stop/start so the
    bridge reconnects to the same address; persistence on, so persistent sessions of
    upstream clients survive a restart."""

    def __init__(self, workdir, tls=False, users=None):
        self.dir = workdir
        self.tls, self.users = tls, users
        self.port = None
        self.proc = None
        self.log_path = os.path.join(workdir, 'mosquitto.log')
        self.conf_path = os.path.join(workdir, 'mosquitto.conf')
        os.makedirs(os.path.join(workdir, 'db'), exist_ok=True)
        if tls:
            make_certificates(workdir)
        if users:
            pw = os.path.join(workdir, 'passwd')
            open(pw, 'w').close()
            for user, password in users.items():
                subprocess.run(['mosquitto_passwd', '-b', pw, user, password], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def path(self, name):
        return os.path.join(self.dir, name)

    def _write_conf(self, port):
        lines = ['per_listener_settings false',
                 'allow_anonymous %s' % ('false' if self.users else 'true'),
                 'user %s' % pwd.getpwuid(os.getuid()).pw_name,
                 'log_dest stderr', 'log_type all',
                 'persistence true', 'persistence_location %s/' % self.path('db'),
                 'max_inflight_messages 0',
                 # no queue limit: a slow upstream subscriber must not lose messages
                 'max_queued_messages 0']
        if self.users:
            lines.append('password_file %s' % self.path('passwd'))
        lines.append('listener %d %s' % (port, HOST))
        if self.tls:
            lines += ['cafile %s' % self.path('ca.pem'), 'certfile %s' % self.path('server.pem'),
                      'keyfile %s' % self.path('server.key'), 'require_certificate true']
        with open(self.conf_path, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def start(self):
        for _ in range(10):
            port = self.port or free_port()
            self._write_conf(port)
            offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
            with open(self.log_path, 'ab') as log:
                self.proc = subprocess.Popen(['/usr/sbin/mosquitto', '-c', self.conf_path],
                                             stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, cwd=self.dir)
            if self._wait_running(offset):
                self.port = port
                return
            if self.port is not None:
                raise AssertionError('upstream mosquitto could not bind its port %d again'
                                     % self.port)
        raise AssertionError('upstream mosquitto found no free port')

    def _wait_running(self, offset):
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            with open(self.log_path, 'rb') as f:
                f.seek(offset)
                if b' running' in f.read():
                    return True
            try:  # doubles as the pause between looks at the log
                self.proc.wait(timeout=0.02)
            except subprocess.TimeoutExpired:
                continue
            self.proc = None
            with open(self.log_path, 'rb') as f:
                if b'Address already in use' in f.read()[offset:]:
                    return False
            raise AssertionError('upstream mosquitto exited at start:\n' + self.log_tail())
        raise AssertionError('upstream mosquitto did not start')

    def stop(self):
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def log_tail(self, n=30):
        try:
            with open(self.log_path, 'rb') as f:
                return '\n'.join(f.read().decode(errors='replace').splitlines()[-n:])
        except OSError:
            return '(no log)'


def openssl(*args, cwd):
    subprocess.run(['openssl'] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certificates(d):
    """A CA, a server certificate for 127.0.0.1 and a client certificate signed by it, and
    a second, unrelated CA (other-ca.pem) for the verification-failure case."""
    ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
    for ca in ('ca', 'other-ca'):
        openssl('req', '-x509', *ec, '-keyout', ca + '.key', '-out', ca + '.pem', '-days', '2',
                '-subj', '/CN=edgegw test ' + ca, cwd=d)
    with open(os.path.join(d, 'san.ext'), 'w') as f:
        f.write('subjectAltName=IP:127.0.0.1\n')
    for name, cn in (('server', '127.0.0.1'), ('client', 'bridge')):
        openssl('req', *ec, '-keyout', name + '.key', '-out', name + '.csr', '-subj', '/CN=' + cn,
                cwd=d)
        extra = ['-extfile', 'san.ext'] if name == 'server' else []
        openssl('x509', '-req', '-in', name + '.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
                '-CAcreateserial', '-out', name + '.pem', '-days', '2', *extra, cwd=d)


def upstream(**kw):
    """Per-test upstream options: tls=True, users={'name': 'password'}."""
    def mark(fn):
        fn.upstream = kw
        return fn
    return mark


class BridgeTestCase(BrokerTestCase):
    """Starts the upstream mosquitto first, then edgegw with [bridge.cloud] pointing at it.
    Config values may use @PORT@ (the upstream's port) and @UP@ (its directory)."""

    BRIDGE = {
        'bridge.cloud.server': 'mqtt://127.0.0.1:@PORT@',
        'bridge.cloud.reconnect_min': '100ms',
        'bridge.cloud.reconnect_max': '1s',
    }

    def setUp(self):
        method = getattr(self, self._testMethodName)
        self.up_dir = make_workdir()
        self.upstream = Upstream(self.up_dir, **getattr(method, 'upstream', {}))
        self.addCleanup(self._finish_upstream)
        self.upstream.start()
        config = {'node.sys_interval': '1s'}
        config.update(self.BRIDGE)
        if self.upstream.tls:
            config.update({'bridge.cloud.server': 'mqtts://127.0.0.1:@PORT@',
                           'bridge.cloud.cacertfile': '@UP@/ca.pem',
                           'bridge.cloud.certfile': '@UP@/client.pem',
                           'bridge.cloud.keyfile': '@UP@/client.key'})
        config.update(self.CONFIG)
        config.update(getattr(method, 'broker_config', {}))
        self.CONFIG = {k: self._fill(v) for k, v in config.items()}
        # Merged (and filled in) above: hide the per-test keys from the harness meanwhile.
        fn = method.__func__
        saved = fn.__dict__.pop('broker_config', None)
        try:
            super().setUp()
        finally:
            if saved is not None:
                fn.broker_config = saved

    def _fill(self, v):
        if not isinstance(v, str):
            return v
        return v.replace('@PORT@', str(self.upstream.port)).replace('@UP@', self.up_dir)

    def _finish_upstream(self):
        self.upstream.stop()
        if self._problem_count() > self._problems_before:
            print('\n---- upstream mosquitto log ----\n' + self.upstream.log_tail())
        else:
            import shutil
            shutil.rmtree(self.up_dir, ignore_errors=True)

    # helpers -----------------------------------------------------------------------------
    def remote(self, proto=pk.V311, clean=True, client_id=None, **kw):
        """A connected client of the upstream broker."""
        c = MqttClient(self.upstream.port, client_id, proto, clean)
        self._clients.append(c)
        if self.upstream.users:
            kw.setdefault('username', 'cloud-reader')
            kw.setdefault('password', 'r-pass')
        c.connect(clean_start=clean, **kw)
        return c

    def sys_watch(self, name='cloud'):
        c = self.client()
        c.subscribe(SYS + name + '/#', 0)
        return c

    def wait_sys(self, watcher, leaf, accept, name='cloud', timeout=15.0):
        """Read $SYS bridge topics until `leaf`'s payload satisfies accept(str); returns it."""
        topic = SYS + name + '/' + leaf
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            m = watcher.poll(deadline - time.monotonic())
            if m and m.topic == topic:
                last = m.payload.decode()
                if accept(last):
                    return last
        self.fail('%s never acceptable within %.0fs; last %r' % (topic, timeout, last))

    def wait_connected(self, name='cloud'):
        w = self.sys_watch(name)
        self.wait_sys(w, 'status', lambda v: v == 'connected', name)
        w.disconnect()

    def probe_remote_subscription(self, remote_topic, local):
        """Publish on the upstream until `local` receives it: the bridge's remote
        subscription is then in place. Returns the message."""
        pub = self.remote()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            pub.publish(remote_topic, b'probe', 1)
            m = local.poll(0.5)
            if m is not None:
                while local.poll(0.3) is not None:  # late copies of earlier probes
                    pass
                pub.disconnect()
                return m
        self.fail('the bridge never delivered %s from upstream' % remote_topic)


@edgegw_only('the bridge is an edgegw feature')
class ForwardTest(BridgeTestCase):
    CONFIG = {'bridge.cloud.forward': 'up/#, dev/+/temp',
              'bridge.cloud.remote_prefix': 'site1/'}

    def test_forward_with_prefix_qos1(self):
        """Local messages matching `forward` reach the remote under remote_prefix at the
        bridge's QoS (1); others are not forwarded."""
        up = self.remote()
        up.subscribe('#', 2)
        self.wait_connected()
        pub = self.client()
        pub.publish('other/x', b'no', 1)
        pub.publish('dev/7/hum', b'no', 1)
        pub.publish('up/a', b'one', 1)
        pub.publish('dev/7/temp', b'21.5', 0)
        got = up.get_n(2)
        self.assertEqual([(m.topic, m.payload, m.qos) for m in got],
                         [('site1/up/a', b'one', 1), ('site1/dev/7/temp', b'21.5', 1)])
        up.barrier()
        self.assertIsNone(up.poll(0))

    @with_config({'bridge.cloud.qos': 0})
    def test_qos0_bridge(self):
        """qos = 0: forwarded at QoS 0 (the message leaves the spool once sent)."""
        up = self.remote()
        up.subscribe('site1/#', 1)
        self.wait_connected()
        self.client().publish('up/q0', b'zero', 1)
        m = up.get()
        self.assertEqual((m.topic, m.payload, m.qos), ('site1/up/q0', b'zero', 0))
        w = self.sys_watch()
        self.wait_sys(w, 'spool/depth', lambda v: v == '0')

    @with_config({'bridge.cloud.proto_ver': 5})
    def test_v5_properties_forwarded(self):
        """MQTT 5: user properties, content type, response topic and correlation data of a
        forwarded message arrive unchanged."""
        up = self.remote(proto=pk.V5)
        up.subscribe('site1/#', 1)
        self.wait_connected()
        p = Properties(PacketTypes.PUBLISH)
        p.UserProperty = [('k1', 'v1'), ('k2', 'v2')]
        p.ContentType = 'application/json'
        p.ResponseTopic = 'reply/here'
        p.CorrelationData = b'\x01\x02'
        self.client(proto=pk.V5).publish('up/props', b'{}', 1, properties=p)
        m = up.get()
        self.assertEqual(m.topic, 'site1/up/props')
        self.assertEqual(m.prop('UserProperty'), [('k1', 'v1'), ('k2', 'v2')])
        self.assertEqual(m.prop('ContentType'), 'application/json')
        self.assertEqual(m.prop('ResponseTopic'), 'reply/here')
        self.assertEqual(m.prop('CorrelationData'), b'\x01\x02')


@edgegw_only('the bridge is an edgegw feature')
class SubscribeTest(BridgeTestCase):
    CONFIG = {'bridge.cloud.subscribe': 'cmd/#', 'bridge.cloud.local_prefix': 'cloud/'}

    def test_remote_to_local_with_prefix(self):
        """Messages on the remote `subscribe` filters are published locally under
        local_prefix."""
        local = self.client()
        local.subscribe('cloud/#', 1)
        self.wait_connected()
        self.probe_remote_subscription('cmd/probe', local)
        r = self.remote()
        r.publish('cmd/dev1/reboot', b'now', 1)
        r.publish('other/x', b'not subscribed', 1)
        r.publish('cmd/dev2/reboot', b'later', 1)
        got = local.get_n(2)
        self.assertEqual([(m.topic, m.payload) for m in got],
                         [('cloud/cmd/dev1/reboot', b'now'), ('cloud/cmd/dev2/reboot', b'later')])
        local.barrier()
        self.assertIsNone(local.poll(0))

    @with_config({'bridge.cloud.proto_ver': 5})
    def test_v5_properties_received(self):
        """MQTT 5: properties of a message from the remote reach local v5 subscribers."""
        local = self.client(proto=pk.V5)
        local.subscribe('cloud/#', 1)
        self.wait_connected()
        self.probe_remote_subscription('cmd/probe', local)
        p = Properties(PacketTypes.PUBLISH)
        p.UserProperty = [('origin', 'cloud')]
        p.ContentType = 'text/plain'
        self.remote(proto=pk.V5).publish('cmd/x', b'hi', 1, properties=p)
        m = local.get()
        self.assertEqual((m.topic, m.payload), ('cloud/cmd/x', b'hi'))
        self.assertEqual(m.prop('UserProperty'), [('origin', 'cloud')])
        self.assertEqual(m.prop('ContentType'), 'text/plain')


@edgegw_only('the bridge is an edgegw feature')
class LoopTest(BridgeTestCase):
    CONFIG = {'bridge.cloud.forward': 'lp/#', 'bridge.cloud.subscribe': 'lp/#'}

    def _check_no_loop(self, up, bounced):
        pub = self.client()
        pub.publish('lp/1', b'one', 1)
        pub.publish('lp/end', b'end', 1)
        self.assertEqual([m.payload for m in up.get_n(2)], [b'one', b'end'])
        self.remote().publish('lp/mark', b'mark', 1)
        self.assertEqual(up.get().payload, b'mark')
        # The bridge hands on what the remote sends it in order: once lp/mark is here, any
        # copy of our own messages coming back has been published locally already.
        seen = []
        while not seen or seen[-1] != b'mark':
            seen.append(self.local.get().payload)
        self.assertEqual(sorted(seen), sorted([b'one', b'end'] * (2 if bounced else 1) + [b'mark']))
        # Nothing came back up: the next message the remote sees is the next local one.
        pub.publish('lp/fin', b'fin', 1)
        self.assertEqual(up.get().payload, b'fin')

    @with_config({'bridge.cloud.proto_ver': 5})
    def test_v5_no_local_remote_subscription(self):
        """v5: the remote subscription has no-local, so a forwarded message does not come
        back: local subscribers see it once, the remote once."""
        self.local = self.client()
        self.local.subscribe('lp/#', 1)
        self.wait_connected()
        self.probe_remote_subscription('lp/probe', self.local)
        up = self.remote()
        up.subscribe('lp/#', 1)
        self._check_no_loop(up, bounced=False)

    def test_v311_received_messages_not_forwarded_back(self):
        """3.1.1 has no no-local: the remote sends our message back and it is published
        locally, but never forwarded again (no loop)."""
        self.local = self.client()
        self.local.subscribe('lp/#', 1)
        self.wait_connected()
        self.probe_remote_subscription('lp/probe', self.local)
        up = self.remote()
        up.subscribe('lp/#', 1)
        self._check_no_loop(up, bounced=True)


@edgegw_only('the bridge is an edgegw feature')
class RetainTest(BridgeTestCase):
    BRIDGE = {
        'bridge.keep.server': 'mqtt://127.0.0.1:@PORT@', 'bridge.keep.forward': 'rt/#',
        'bridge.keep.remote_prefix': 'keep/', 'bridge.keep.retain': 'keep',
        'bridge.clear.server': 'mqtt://127.0.0.1:@PORT@', 'bridge.clear.forward': 'rt/#',
        'bridge.clear.remote_prefix': 'clear/', 'bridge.clear.retain': 'clear',
    }

    def test_retain_kept_or_cleared(self):
        """retain = keep forwards the retain flag (the remote stores the message);
        retain = clear does not."""
        live = self.remote()
        live.subscribe([('keep/#', 1), ('clear/#', 1)])
        self.wait_connected('keep')
        self.wait_connected('clear')
        self.client().publish('rt/a', b'kept?', 1, retain=True)
        self.assertEqual(sorted(m.topic for m in live.get_n(2)), ['clear/rt/a', 'keep/rt/a'])
        late = self.remote()
        late.subscribe([('keep/#', 1), ('clear/#', 1)])
        m = late.get()
        self.assertEqual((m.topic, m.payload, m.retain), ('keep/rt/a', b'kept?', True))
        late.barrier()
        self.assertIsNone(late.poll(0))


@edgegw_only('the bridge is an edgegw feature')
class OutageTest(BridgeTestCase):
    CONFIG = {'bridge.cloud.forward': 'up/#', 'bridge.cloud.remote_prefix': 'site1/'}

    def test_spooled_while_down_and_drained_after_reconnect(self):
        """With the remote down, forwarded messages wait in the spool (depth in $SYS; the
        local publishers still get their PUBACKs); once it is back they are all sent, in
        order, with no new local traffic."""
        sub_id = unique_id('up')
        up = self.remote(clean=False, client_id=sub_id)
        up.subscribe('site1/#', 1)
        up.disconnect()
        self.wait_connected()
        watch = self.sys_watch()
        self.upstream.stop()
        self.wait_sys(watch, 'status', lambda v: v != 'connected')
        pub = self.client()
        for i in range(20):
            pub.publish('up/n', b'%d' % i, 1)
        self.wait_sys(watch, 'spool/depth', lambda v: v == '20')
        err = self.wait_sys(watch, 'last_error', lambda v: v != '')
        self.assertIn('connect', err.lower())
        self.assert_roundtrip()  # the local broker is unaffected
        self.upstream.start()
        self.wait_sys(watch, 'spool/depth', lambda v: v == '0')
        up = self.remote(clean=False, client_id=sub_id)
        got = up.get_n(20)
        self.assertEqual([m.payload for m in got], [b'%d' % i for i in range(20)])

    def test_spool_survives_edgegw_restart(self):
        """Messages spooled while the remote is down are still sent after edgegw itself
        was stopped and started again."""
        sub_id = unique_id('up')
        up = self.remote(clean=False, client_id=sub_id)
        up.subscribe('site1/#', 1)
        up.disconnect()
        self.wait_connected()
        self.upstream.stop()
        pub = self.client()
        for i in range(5):
            pub.publish('up/r', b'%d' % i, 1)
        pub.disconnect()
        self.broker.restart()
        self.upstream.start()
        up = self.remote(clean=False, client_id=sub_id)
        self.assertEqual([m.payload for m in up.get_n(5, timeout=15)],
                         [b'%d' % i for i in range(5)])


@edgegw_only('the bridge is an edgegw feature')
class TlsTest(BridgeTestCase):
    CONFIG = {'bridge.cloud.forward': 'up/#', 'bridge.cloud.remote_prefix': 'tls/'}

    def remote(self, proto=pk.V311, clean=True, client_id=None, **kw):
        """Upstream clients need TLS and a client certificate too."""
        c = MqttClient(self.upstream.port, client_id, proto, clean)
        c.c.tls_set(ca_certs=self.upstream.path('ca.pem'),
                    certfile=self.upstream.path('client.pem'),
                    keyfile=self.upstream.path('client.key'))
        self._clients.append(c)
        c.connect(clean_start=clean, **kw)
        return c

    @upstream(tls=True)
    def test_tls_with_client_certificate(self):
        """mqtts:// with the CA, a client certificate and key: connected, and forwarded
        messages arrive."""
        up = self.remote()
        up.subscribe('tls/#', 1)
        self.wait_connected()
        self.client().publish('up/secure', b's', 1)
        m = up.get()
        self.assertEqual((m.topic, m.payload), ('tls/up/secure', b's'))

    @upstream(tls=True)
    @with_config({'bridge.cloud.cacertfile': '@UP@/other-ca.pem'})
    def test_wrong_ca_is_reported(self):
        """A server certificate the configured CA did not sign: no connection, and the
        verification failure is the bridge's last error."""
        w = self.sys_watch()
        # paho reports a generic failure first; the link's own TLS probe adds OpenSSL's reason.
        err = self.wait_sys(w, 'last_error', lambda v: 'certificate verify failed' in v.lower())
        self.assertIn('TLS:', err)
        self.wait_sys(w, 'status', lambda v: v != 'connected')


@edgegw_only('the bridge is an edgegw feature')
class AuthTest(BridgeTestCase):
    CONFIG = {'bridge.cloud.forward': 'up/#', 'bridge.cloud.remote_prefix': 'auth/'}

    @upstream(users={'gw': 'gw-pass', 'cloud-reader': 'r-pass'})
    @with_config({'bridge.cloud.username': 'gw', 'bridge.cloud.password': 'gw-pass'})
    def test_username_password(self):
        up = self.remote()
        up.subscribe('auth/#', 1)
        self.wait_connected()
        self.client().publish('up/x', b'a', 1)
        self.assertEqual(up.get().topic, 'auth/up/x')

    @upstream(users={'gw': 'gw-pass', 'cloud-reader': 'r-pass'})
    @with_config({'bridge.cloud.username': 'gw', 'bridge.cloud.password': 'wrong'})
    def test_bad_password_is_reported(self):
        w = self.sys_watch()
        err = self.wait_sys(w, 'last_error', lambda v: v != '')
        self.assertIn('refused', err)
        self.wait_sys(w, 'connected', lambda v: v == 'false')


@edgegw_only('the bridge is an edgegw feature')
class ApiStateTest(BridgeTestCase):
    """The bridge's state in the management API and its Prometheus scrape."""
    CONFIG = {'bridge.cloud.forward': 'api/#', 'api.enable': True, 'api.bind': '127.0.0.1:0'}

    def api(self, path):
        import base64
        import json
        import urllib.request
        req = urllib.request.Request('http://127.0.0.1:%d%s' % (self.broker.port('api', ''), path))
        req.add_header('Authorization', 'Basic ' + base64.b64encode(b'admin:public').decode())
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read().decode()
            return json.loads(body) if 'json' in r.headers.get('Content-Type', '') else body

    def test_bridges_endpoint_and_metrics(self):
        self.wait_connected()
        pub = self.client()
        pub.publish('api/x', b'1', 1)
        deadline = time.monotonic() + 15
        while True:
            bridges = self.api('/api/v5/bridges')
            if bridges and bridges[0].get('forwarded', 0) >= 1:
                break
            self.assertLess(time.monotonic(), deadline, bridges)
        b = bridges[0]
        self.assertEqual((b['name'], b['type'], b['status']), ('cloud', 'mqtt', 'connected'))
        self.assertEqual(b['server'], 'mqtt://127.0.0.1:%d' % self.upstream.port)
        self.assertIn('spool_depth', b)
        text = self.api('/api/v5/prometheus/stats')
        self.assertIn('edgegw_bridge_up{name="cloud"} 1', text)
        self.assertIn('edgegw_bridge_spool_messages{name="cloud"}', text)
