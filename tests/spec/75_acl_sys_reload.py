"""75 $SYS protection and ACL reload (issue 8 items 4 and 3): subscribing to $SYS/# is for
loopback peers only by default (auth.sys_topics_loopback_only), checked from 127.0.0.1 and
from a non-loopback address inside a private network namespace (unshare -rn, only `lo` with
10.0.0.1 added: nothing leaves the machine); SIGHUP re-reads auth.acl_file without dropping
connections, and a broken file keeps the previous rules with the reason logged (FILE:LINE)."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import packets as pk
from clients import BARRIER_PREFIX, RawClient
from harness import IS_EDGEGW, BrokerTestCase, with_config

HERE = os.path.dirname(os.path.abspath(__file__))
INNER = os.environ.get('EDGEGW_ACL_NETNS') == '1'  # we are the run inside the namespace
NON_LOOPBACK = '10.0.0.1'


@unittest.skipUnless(IS_EDGEGW and not INNER, 'edgegw only: $SYS policy')
class SysLoopbackTest(BrokerTestCase):
    CONFIG = {'node.sys_interval': '1s'}

    def test_loopback_subscriber_gets_sys(self):
        """From 127.0.0.1 (and with no ACL file) $SYS/# is granted and delivered."""
        r = RawClient(self.port, pk.V5)
        self._clients.append(r)
        r.connect()
        self.assertEqual(r.subscribe([('$SYS/#', 0)]).codes, [0])
        self.assertTrue(r.expect(pk.PUBLISH).topic.startswith('$SYS/'))

    def test_sys_never_published_by_clients(self):
        r = RawClient(self.port, pk.V5)
        self._clients.append(r)
        r.connect()
        self.assertEqual(r.publish('$SYS/broker/uptime', b'0', 1).rc, 0x87)

    @unittest.skipUnless(shutil.which('unshare') and shutil.which('ip'), 'needs unshare and ip')
    def test_non_loopback_peer_refused_in_netns(self):
        """Runs NonLoopbackInner in a user+network namespace whose only interface is lo with
        10.0.0.1 added; edgegw listens on 10.0.0.1 and sees the client as 10.0.0.1."""
        probe = subprocess.run(['unshare', '-rn', 'true'], capture_output=True)
        if probe.returncode != 0:
            self.skipTest('user namespaces unavailable: %s' % probe.stderr.decode().strip())
        script = ('ip link set lo up && ip addr add %s/32 dev lo && exec %s %s -k NonLoopbackInner %s'
                  % (NON_LOOPBACK, sys.executable, os.path.join(HERE, 'run.py'),
                     os.path.abspath(__file__)))
        env = dict(os.environ, EDGEGW_ACL_NETNS='1')
        res = subprocess.run(['unshare', '-rn', 'sh', '-c', script], capture_output=True,
                             env=env, timeout=90)
        out = (res.stdout + res.stderr).decode(errors='replace')
        self.assertEqual(res.returncode, 0, out)
        self.assertRegex(out, r'Ran [1-9]\d* tests?')
        self.assertNotIn('skipped', out)


@unittest.skipUnless(IS_EDGEGW and INNER, 'runs inside the namespace of SysLoopbackTest')
class NonLoopbackInner(BrokerTestCase):
    CONFIG = {'node.sys_interval': '1s', 'listener.tcp.default.bind': NON_LOOPBACK + ':0'}

    def connect(self):
        r = RawClient(self.port, pk.V5, host=NON_LOOPBACK)
        self._clients.append(r)
        r.connect()
        return r

    def test_sys_refused_for_non_loopback_peer(self):
        r = self.connect()
        self.assertEqual(r.subscribe([('$SYS/#', 0), ('$SYS/broker/+', 0), ('ok/#', 0)]).codes,
                         [0x87, 0x87, 0])

    @with_config({'auth.sys_topics_loopback_only': False})
    def test_sys_open_when_configured(self):
        r = self.connect()
        self.assertEqual(r.subscribe([('$SYS/#', 0)]).codes, [0])
        self.assertTrue(r.expect(pk.PUBLISH).topic.startswith('$SYS/'))


@unittest.skipUnless(IS_EDGEGW and not INNER, 'edgegw only: auth.acl_file reload')
class ReloadTest(BrokerTestCase):

    def setUp(self):
        fd, self.acl_path = tempfile.mkstemp(prefix='edgegw-acl-', suffix='.acl')
        os.close(fd)
        self.write('topic readwrite %s#\ntopic write first/#\n' % BARRIER_PREFIX)
        self.addCleanup(os.remove, self.acl_path)
        self.CONFIG = dict(self.CONFIG, **{'auth.acl_file': self.acl_path})
        super().setUp()

    def write(self, text):
        with open(self.acl_path, 'w') as f:
            f.write(text)

    def log_count(self, needle):
        with open(self.broker.log_path, 'rb') as f:
            return f.read().decode(errors='replace').count(needle)

    def sighup(self, expect):
        """Send SIGHUP and wait until the log shows one more `expect` line."""
        before = self.log_count(expect)
        self.broker.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while self.log_count(expect) <= before:
            if time.monotonic() > deadline:
                self.fail('no %r in the log after SIGHUP:\n%s' % (expect, self.broker.log_tail()))
            time.sleep(0.02)  # polling the log file for the condition, bounded above

    def test_sighup_applies_new_rules_to_connected_clients(self):
        r = RawClient(self.port, pk.V5)
        self._clients.append(r)
        r.connect()
        self.assertEqual(r.publish('first/a', b'x', 1).rc, 0x10)
        self.assertEqual(r.publish('second/a', b'x', 1).rc, 0x87)
        self.write('topic readwrite %s#\ntopic write second/#\n' % BARRIER_PREFIX)
        self.sighup('reloaded what=acl_file')
        self.assertEqual(r.publish('first/a', b'x', 1).rc, 0x87)  # same connection
        self.assertEqual(r.publish('second/a', b'x', 1).rc, 0x10)

    def test_broken_file_keeps_previous_rules(self):
        r = RawClient(self.port, pk.V5)
        self._clients.append(r)
        r.connect()
        self.write('topic write second/#\ntopic sometimes first/#\n')
        self.sighup('reload_failed what=acl_file')
        self.assertIn('%s:2: unknown access \'sometimes\'' % self.acl_path, self.broker.log_tail())
        self.assertEqual(r.publish('first/a', b'x', 1).rc, 0x10)  # the old rules hold
        self.assertEqual(r.publish('second/a', b'x', 1).rc, 0x87)
        self.assertTrue(self.broker.alive())


@unittest.skipUnless(IS_EDGEGW and not INNER, 'edgegw only: --check')
class CheckTest(unittest.TestCase):

    def test_check_lists_acl_file_problems(self):
        """edgegw --check validates auth.acl_file too: every problem as FILE:LINE, exit 2."""
        binary = os.environ.get('EDGEGW_BIN') or os.path.join(HERE, '..', '..', 'build', 'edgegw')
        fd, path = tempfile.mkstemp(prefix='edgegw-acl-', suffix='.acl')
        with os.fdopen(fd, 'w') as f:
            f.write('topic read ok/#\nuser\ntopic read a/#/b\n')
        self.addCleanup(os.remove, path)
        res = subprocess.run([binary, '--check', '--set', 'auth.acl_file=' + path],
                             capture_output=True, timeout=30)
        err = res.stderr.decode(errors='replace')
        self.assertEqual(res.returncode, 2, err)
        self.assertIn('%s:2: user needs a name' % path, err)
        self.assertIn("%s:3: invalid topic filter 'a/#/b'" % path, err)
        with open(path, 'w') as f:
            f.write('topic read ok/#\n')
        res = subprocess.run([binary, '--check', '--set', 'auth.acl_file=' + path],
                             capture_output=True, timeout=30)
        self.assertEqual(res.returncode, 0, res.stderr.decode(errors='replace'))
