"""76 bans persisted (issue 8 item 5): the ban list lives in the durable store under
node.data_dir, so bans added through the API or `edgegw ctl ban` still refuse the client
after a restart, a lifted ban stays lifted, and a ban that expires is purged."""
import subprocess
import time

from harness import HOST, edgegw_only, unique_id
from limits_base import LimitsApiCase

REFUSED_V311 = 5  # CONNACK "not authorized": how 3.1.1 says banned


@edgegw_only('ban list')
class BansPersistTest(LimitsApiCase):

    def assert_refused(self, cid):
        c = self.client(cid, connect=False)
        c.connect(expect_rc=REFUSED_V311)

    def test_api_ban_survives_restart(self):
        cid = unique_id('banned')
        status, body = self.call('POST', '/api/v5/banned',
                                 {'as': 'clientid', 'who': cid, 'reason': 'spec 76'})
        self.assertEqual(status, 200, body)
        self.assert_refused(cid)
        self.broker.restart()
        entries = [e for e in self.banned() if e['who'] == cid]
        self.assertEqual(len(entries), 1, self.banned())
        self.assertEqual(entries[0]['as'], 'clientid')
        self.assertEqual(entries[0]['reason'], 'spec 76')
        self.assertEqual(entries[0]['until'], 'infinity')
        self.assert_refused(cid)
        # A real client too: mosquitto_pub is refused (and says so).
        p = subprocess.run(['mosquitto_pub', '-h', HOST, '-p', str(self.port), '-V', 'mqttv5',
                            '-i', cid, '-t', 'b/x', '-m', 'x'], capture_output=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b'anned', p.stderr + p.stdout)

    def test_lifted_ban_stays_lifted_after_restart(self):
        cid = unique_id('lifted')
        self.ctl('ban', 'clientid', cid, '--reason', 'ctl')
        self.assert_refused(cid)
        self.broker.restart()
        self.assertIn(cid, [e['who'] for e in self.banned()])
        self.ctl('unban', 'clientid', cid)
        self.broker.restart()
        self.assertNotIn(cid, [e['who'] for e in self.banned()])
        self.client(cid)  # accepted

    def test_username_and_peerhost_bans_persist(self):
        self.call('POST', '/api/v5/banned', {'as': 'username', 'who': 'mallory'})
        self.call('POST', '/api/v5/banned', {'as': 'peerhost', 'who': '192.0.2.7'})
        self.broker.restart()
        kinds = {(e['as'], e['who']) for e in self.banned()}
        self.assertEqual(kinds, {('username', 'mallory'), ('peerhost', '192.0.2.7')})
        self.client(connect=False).connect(username='mallory', password='x',
                                           expect_rc=REFUSED_V311)
        self.client()  # anybody else from 127.0.0.1 still gets in

    def test_expired_ban_is_purged_and_not_restored(self):
        cid = unique_id('expiring')
        until = int(time.time()) + 2
        status, body = self.call('POST', '/api/v5/banned',
                                 {'as': 'clientid', 'who': cid, 'until': until})
        self.assertEqual(status, 200, body)
        self.assert_refused(cid)
        deadline = time.monotonic() + 10
        while cid in [e['who'] for e in self.banned()]:
            self.assertLess(time.monotonic(), deadline, 'ban did not expire')
            time.sleep(0.2)  # polling a condition with a deadline, not synchronisation
        self.broker.restart()
        self.assertNotIn(cid, [e['who'] for e in self.banned()])
        self.client(cid)
