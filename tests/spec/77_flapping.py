"""77 flapping detection (EMQX's flapping_detect, issue 8 item 5): a client id that
connects more than limits.flapping_max_count times within limits.flapping_window is banned
for limits.flapping_ban_time, visible in GET /api/v5/banned with by = flapping; other
clients are not affected, and with detection off reconnect loops are never banned."""
import subprocess

import packets as pk
from harness import HOST, edgegw_only, unique_id, with_config
from limits_base import API, LimitsApiCase

FLAPPING = dict(API, **{'limits.flapping_detect': True, 'limits.flapping_max_count': 3,
                        'limits.flapping_window': '1m', 'limits.flapping_ban_time': '5m'})


@edgegw_only('flapping detection')
class FlappingTest(LimitsApiCase):
    CONFIG = FLAPPING

    def connect_once(self, cid, proto=pk.V311, expect_rc=0):
        c = self.client(cid, proto=proto, connect=False)
        rc = c.connect(expect_rc=expect_rc)
        if rc == 0:
            c.disconnect()
        return rc

    def test_reconnect_loop_is_banned_and_listed(self):
        cid = unique_id('flap')
        for _ in range(3):
            self.connect_once(cid)
        # Connect number 4 within the window: refused as banned (v5: 0x8A Banned).
        self.connect_once(cid, proto=pk.V5, expect_rc=0x8A)
        entries = [e for e in self.banned() if e['who'] == cid]
        self.assertEqual(len(entries), 1, self.banned())
        e = entries[0]
        self.assertEqual((e['as'], e['by']), ('clientid', 'flapping'))
        self.assertNotEqual(e['until'], 'infinity')
        # Stays banned, for mosquitto_sub too.
        p = subprocess.run(['mosquitto_sub', '-h', HOST, '-p', str(self.port), '-V', 'mqttv311',
                            '-i', cid, '-t', 'x', '-C', '1', '-W', '5'],
                           capture_output=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        # Another client id is not affected.
        self.connect_once(unique_id('calm'))

    def test_lifting_the_ban_lets_it_back(self):
        cid = unique_id('flap')
        for _ in range(3):
            self.connect_once(cid)
        self.connect_once(cid, expect_rc=5)  # 3.1.1: not authorized
        status, _ = self.call('DELETE', '/api/v5/banned/clientid/' + cid)
        self.assertEqual(status, 204)
        self.connect_once(cid)

    def test_flapping_ban_survives_restart(self):
        cid = unique_id('flap')
        for _ in range(3):
            self.connect_once(cid)
        self.connect_once(cid, expect_rc=5)
        self.broker.restart()
        self.assertIn(('flapping', cid), [(e['by'], e['who']) for e in self.banned()])
        self.connect_once(cid, expect_rc=5)

    @with_config({'limits.flapping_detect': False})
    def test_off_never_bans(self):
        cid = unique_id('loop')
        for _ in range(10):
            self.connect_once(cid)
        self.assertEqual(self.banned(), [])
