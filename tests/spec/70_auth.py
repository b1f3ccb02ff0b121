"""70 Authentication (SPEC sections 3 and 11; issue 8): the password file in mosquitto 2.x
format with real clients (mosquitto_pub with -u/-P, paho, stomp.py), files made by
mosquitto_passwd and by `edgegw passwd`, anonymous access allowed and refused, allow/deny
lists by client id and CIDR, and SIGHUP reloading the password file without dropping the
connections that are up (and keeping the old file when the new one is broken)."""
import atexit
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time

import stomp

import harness
import packets as pk
from harness import BrokerTestCase, edgegw_only, with_config
from clients import HOST, TIMEOUT, MosquittoSub, unique_id

FILES = tempfile.mkdtemp(prefix='egw-auth-')
atexit.register(shutil.rmtree, FILES, ignore_errors=True)


def edgegw_bin():
    return os.environ.get('EDGEGW_BIN') or os.path.join(harness.HERE, '..', '..', 'build',
                                                         'edgegw')


def passwd(*args, stdin=None, expect=0):
    res = subprocess.run([edgegw_bin(), 'passwd'] + list(args), input=stdin,
                         capture_output=True, timeout=30)
    if expect is not None and res.returncode != expect:
        raise AssertionError('edgegw passwd %s: status %d, %s' % (
            ' '.join(args), res.returncode, res.stderr.decode(errors='replace')))
    return res


def shared_file():
    """alice/wonderland by mosquitto_passwd, bob/builder by `edgegw passwd`."""
    path = os.path.join(FILES, 'passwd')
    if not os.path.exists(path):
        subprocess.run(['mosquitto_passwd', '-c', '-b', path, 'alice', 'wonderland'],
                       check=True, capture_output=True, timeout=30)
        passwd('-b', path, 'bob', 'builder')
    return path


def pub(port, user=None, password=None, client_id=None, proto=pk.V311):
    """mosquitto_pub once; returns (exit status, stderr)."""
    args = ['mosquitto_pub', '-h', HOST, '-p', str(port), '-t', 'auth/test', '-m', 'x',
            '-V', {pk.V311: 'mqttv311', pk.V5: 'mqttv5'}[proto],
            '-i', client_id or unique_id('pub')]
    if user is not None:
        args += ['-u', user]
    if password is not None:
        args += ['-P', password]
    res = subprocess.run(args, capture_output=True, timeout=30)
    return res.returncode, res.stderr.decode(errors='replace')


def wait_log(broker, text, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in broker.log_tail(400):
            return
        time.sleep(0.05)
    raise AssertionError('no %r in the log:\n%s' % (text, broker.log_tail(40)))


@edgegw_only('password files are passed as edgegw keys')
class PasswordFileTest(BrokerTestCase):
    CONFIG = {'auth.password_file': shared_file()}

    def test_mosquitto_passwd_file_is_accepted(self):
        status, err = pub(self.port, 'alice', 'wonderland')
        self.assertEqual(status, 0, err)

    def test_edgegw_passwd_user_with_paho(self):
        c = self.client(connect=False)
        c.connect(username='bob', password='builder')
        c5 = self.client(connect=False, proto=pk.V5)
        c5.connect(username='bob', password='builder')

    def test_wrong_password_refused(self):
        status, err = pub(self.port, 'alice', 'wrong')
        self.assertNotEqual(status, 0)
        # v3.1.1: 4 bad user name or password; v5: 0x86.
        self.client(connect=False).connect(username='alice', password='wrong', expect_rc=4)
        self.client(connect=False, proto=pk.V5).connect(username='alice', password='nope',
                                                        expect_rc=0x86)
        self.client(connect=False).connect(username='alice', expect_rc=4)  # no password

    def test_unknown_user_refused_even_with_anonymous_allowed(self):
        status, _ = pub(self.port, 'mallory', 'wonderland')
        self.assertNotEqual(status, 0)
        self.client(connect=False, proto=pk.V5).connect(username='mallory', password='x',
                                                        expect_rc=0x86)

    def test_anonymous_allowed_by_default(self):
        status, err = pub(self.port)
        self.assertEqual(status, 0, err)

    @with_config({'auth.allow_anonymous': False})
    def test_anonymous_refused(self):
        status, _ = pub(self.port)
        self.assertNotEqual(status, 0)
        self.client(connect=False).connect(expect_rc=5)  # not authorized
        self.client(connect=False, proto=pk.V5).connect(expect_rc=0x87)
        status, err = pub(self.port, 'alice', 'wonderland')
        self.assertEqual(status, 0, err)

    @with_config({'auth.allow_anonymous': False, 'auth.allow_addresses': '192.0.2.0/24',
                  'bridge.up.server': 'mqtt://127.0.0.1:%d' % harness.free_port(),
                  'bridge.up.forward': 'up/#'})
    def test_bridge_local_client_is_not_checked(self):
        """The bridge's local side is the gateway's own client: neither allow_anonymous
        nor the lists refuse it (the start would fail if they did)."""
        self.assertTrue(self.broker.alive())
        self.assertNotIn('refused the bridge', self.broker.log_tail(200))
        self.client(connect=False).connect(expect_rc=5)  # a network client still is refused

    @with_config({'gateway.stomp.enable': True, 'gateway.stomp.bind': '127.0.0.1:0',
                  'auth.allow_anonymous': False})
    def test_stomp_login_uses_the_same_chain(self):
        port = self.broker.port('stomp', '')
        conn = stomp.Connection12([('127.0.0.1', port)])
        conn.connect('bob', 'builder', wait=True)
        self.assertTrue(conn.is_connected())
        conn.disconnect()
        for login in (b'login:bob\npasscode:wrong\n', b'login:nobody\npasscode:x\n', b''):
            s = socket.create_connection(('127.0.0.1', port), timeout=TIMEOUT)
            try:
                s.sendall(b'CONNECT\naccept-version:1.2\nhost:x\n' + login + b'\n\0')
                got = b''
                while b'\0' not in got:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    got += chunk
                self.assertTrue(got.lstrip(b'\r\n').startswith(b'ERROR\n'), got)
            finally:
                s.close()


@edgegw_only('edgegw passwd is an edgegw command')
class PasswdCommandTest(BrokerTestCase):
    def setUp(self):
        """The file is made with `edgegw passwd` before the broker starts."""
        self.dir = tempfile.mkdtemp(dir=FILES)
        self.path = os.path.join(self.dir, 'users')
        passwd('-c', '-b', self.path, 'u1', 'one')
        self.assertEqual(stat.S_IMODE(os.stat(self.path).st_mode), 0o600)
        passwd(self.path, 'u2', stdin=b'two\n')  # not a terminal: one line from stdin
        passwd('-b', self.path, 'u1', 'uno')  # a new password for u1
        passwd('-b', self.path, 'u3', 'three')
        passwd('-D', self.path, 'u3')
        self.CONFIG = {'auth.password_file': self.path, 'auth.allow_anonymous': False}
        super().setUp()

    def test_round_trip(self):
        lines = open(self.path).read().splitlines()
        self.assertEqual([l.split(':')[0] for l in lines], ['u1', 'u2'])
        self.assertTrue(all(l.split(':', 1)[1].startswith('$7$101$') for l in lines), lines)
        self.assertEqual(os.listdir(self.dir), ['users'])  # no temporary file left
        self.assertEqual(pub(self.port, 'u1', 'uno')[0], 0)
        self.assertEqual(pub(self.port, 'u2', 'two')[0], 0)
        self.assertNotEqual(pub(self.port, 'u1', 'one')[0], 0)
        self.assertNotEqual(pub(self.port, 'u3', 'three')[0], 0)

    def test_refusals(self):
        self.assertNotEqual(passwd('-D', self.path, 'u3', expect=None).returncode, 0)
        self.assertNotEqual(passwd('-b', os.path.join(self.dir, 'missing'), 'x', 'y',
                                   expect=None).returncode, 0)
        self.assertNotEqual(passwd('-b', self.path, 'a:b', 'y', expect=None).returncode, 0)
        self.assertNotEqual(passwd(self.path, 'x', stdin=b'', expect=None).returncode, 0)

    def test_unusable_file_stops_the_start(self):
        bad = os.path.join(self.dir, 'bad')
        with open(bad, 'w') as f:
            f.write('eve:plaintext\n')
        for path in (bad, os.path.join(self.dir, 'missing')):
            workdir = harness.make_workdir()
            b = harness.make_broker(workdir, {'auth.password_file': path})
            try:
                with self.assertRaises(AssertionError):
                    b.start()
                self.assertIn('auth.password_file', b.log_tail(5))
            finally:
                b.close()
                shutil.rmtree(workdir, ignore_errors=True)


@edgegw_only('SIGHUP reload')
class ReloadTest(BrokerTestCase):
    def setUp(self):
        d = tempfile.mkdtemp(dir=FILES)
        self.path = os.path.join(d, 'passwd')
        passwd('-c', '-b', self.path, 'alice', 'wonderland')
        self.CONFIG = {'auth.password_file': self.path, 'log.level': 'info'}
        super().setUp()

    def test_new_user_after_sighup_keeps_connections(self):
        sub = self.client(connect=False)
        sub.connect(username='alice', password='wonderland')
        sub.subscribe('reload/#', 1)
        self.assertNotEqual(pub(self.port, 'carol', 'c4rol')[0], 0)
        passwd('-b', self.path, 'carol', 'c4rol')
        self.broker.proc.send_signal(1)  # SIGHUP
        wait_log(self.broker, 'reloaded what=auth')
        status, err = pub(self.port, 'carol', 'c4rol')
        self.assertEqual(status, 0, err)
        # The subscriber that was connected before the reload is still served.
        c = self.client(connect=False)
        c.connect(username='carol', password='c4rol')
        c.publish('reload/x', b'still here', 1)
        self.assertEqual(sub.get().payload, b'still here')

    def test_lists_reload_from_the_ini_file(self):
        self.client('late-1')
        before = self.broker.log_tail(10000).count('reloaded what=auth')
        self.broker.config['auth.deny_clientids'] = 'late-*'
        self.broker._write_ini()  # the same ini file, now with a deny list
        self.broker.proc.send_signal(1)
        deadline = time.monotonic() + TIMEOUT
        while self.broker.log_tail(10000).count('reloaded what=auth') == before:
            self.assertLess(time.monotonic(), deadline, 'no reload logged')
            time.sleep(0.05)
        self.client('late-2', connect=False).connect(expect_rc=5)
        self.client('early-1')

    def test_broken_file_keeps_the_old_one(self):
        with open(self.path, 'a') as f:
            f.write('dave:$7$broken\n')
        self.broker.proc.send_signal(1)
        wait_log(self.broker, 'reload_failed what=auth')
        self.assertIn('line 2', self.broker.log_tail(20))
        status, err = pub(self.port, 'alice', 'wonderland')
        self.assertEqual(status, 0, err)


@edgegw_only('allow/deny lists are edgegw keys')
class ListsTest(BrokerTestCase):
    @with_config({'auth.deny_clientids': 'bad-*, evil'})
    def test_deny_client_ids(self):
        self.client('good-1')
        self.client('bad-1', connect=False).connect(expect_rc=5)
        self.client('evil', connect=False, proto=pk.V5).connect(expect_rc=0x87)
        self.assertNotEqual(pub(self.port, client_id='bad-7')[0], 0)

    @with_config({'auth.deny_addresses': '10.0.0.0/8, 127.0.0.0/8'})
    def test_deny_cidr(self):
        self.client(connect=False).connect(expect_rc=5)
        self.assertNotEqual(pub(self.port)[0], 0)

    @with_config({'auth.allow_addresses': '192.0.2.0/24, fd00::/8'})
    def test_allow_list_refuses_others(self):
        self.client(connect=False).connect(expect_rc=5)

    @with_config({'auth.allow_addresses': '127.0.0.1/32', 'auth.deny_usernames': 'root'})
    def test_allow_list_admits_and_usernames_denied(self):
        self.client()
        self.client(connect=False).connect(username='root', password='x', expect_rc=5)
