"""61 `edgegw ctl` (issue 9): the command-line client of the management API against a real
edgegw with real MQTT clients; tables by default, the API's JSON with --json, defaults for
URL and credentials from the ini's [api] section."""
import json
import os
import subprocess

import packets as pk
from harness import BrokerTestCase, edgegw_only

API = {'api.enable': True, 'api.bind': '127.0.0.1:0'}


@edgegw_only('edgegw ctl')
class CtlTest(BrokerTestCase):
    CONFIG = API

    def ctl(self, *args, expect=0, auth=True):
        cmd = [self.broker.binary, 'ctl']
        if auth:
            cmd += ['--url', 'http://127.0.0.1:%d' % self.broker.port('api', ''),
                    '-u', 'admin', '-p', 'public']
        p = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=30)
        if expect is not None:
            self.assertEqual(p.returncode, expect, 'stdout: %s\nstderr: %s' % (p.stdout, p.stderr))
        return p

    @staticmethod
    def table(text):
        """Rows of an aligned table as dicts keyed by the header."""
        lines = text.rstrip('\n').split('\n')
        head = lines[0].split()
        return [dict(zip(head, line.split())) for line in lines[1:]]

    def test_status(self):
        self.client()
        self.client(proto=pk.V5)
        out = self.ctl('status').stdout
        fields = dict(line.split(None, 1) for line in out.strip().split('\n')
                      if not line.startswith('messages'))
        self.assertEqual(fields['connections'].strip(), '2')
        self.assertEqual(fields['status'].strip(), 'running')
        self.assertEqual(fields['node'].strip(), 'edgegw@test')
        j = json.loads(self.ctl('--json', 'status').stdout)
        self.assertEqual(j['stats']['connections.count'], 2)
        self.assertIn('messages.received', j['metrics'])

    def test_clients_and_subscriptions(self):
        a = self.client('ctl-a', proto=pk.V5, username='ann', password='x')
        a.subscribe('ctl/+/t', 1)
        self.client('ctl-b')
        rows = self.table(self.ctl('clients').stdout)
        self.assertEqual(sorted(r['CLIENTID'] for r in rows), ['ctl-a', 'ctl-b'])
        ra = next(r for r in rows if r['CLIENTID'] == 'ctl-a')
        self.assertEqual((ra['USERNAME'], ra['PROTOCOL'], ra['VER'], ra['CONNECTED'], ra['SUBS']),
                         ('ann', 'MQTT', '5', 'true', '1'))
        rb = next(r for r in rows if r['CLIENTID'] == 'ctl-b')
        self.assertEqual((rb['USERNAME'], rb['VER']), ('-', '4'))
        j = json.loads(self.ctl('--json', 'clients').stdout)
        self.assertEqual(j['meta']['count'], 2)
        subs = self.table(self.ctl('subscriptions').stdout)
        self.assertEqual(subs, [{'CLIENTID': 'ctl-a', 'TOPIC': 'ctl/+/t', 'QOS': '1'}])

    def test_publish_and_kick(self):
        sub = self.subscriber('ctl/pub', 1)
        out = self.ctl('publish', 'ctl/pub', 'hello world', '-q', '1').stdout
        self.assertRegex(out, r'^published \S+\n$')
        m = sub.get()
        self.assertEqual((m.topic, m.payload, m.qos), ('ctl/pub', b'hello world', 1))
        out = self.ctl('publish', 'nobody/here', 'x').stdout
        self.assertIn('no matching subscribers', out)
        self.assertEqual(self.ctl('kick', sub.client_id).stdout, 'kicked %s\n' % sub.client_id)
        sub.wait_disconnected()
        p = self.ctl('kick', sub.client_id, expect=1)
        self.assertIn('404', p.stderr)
        p = self.ctl('publish', 'bad/+', 'x', expect=1)
        self.assertIn('400', p.stderr)

    def test_bridges_and_bans(self):
        self.assertEqual(self.ctl('bridges').stdout.split(), ['NAME', 'TYPE', 'STATUS'])
        self.assertEqual(json.loads(self.ctl('--json', 'bridges').stdout), [])
        out = self.ctl('ban', 'clientid', 'rogue', '--reason', 'flood').stdout
        self.assertEqual(out, 'banned clientid rogue until infinity\n')
        rows = self.table(self.ctl('banned').stdout)
        self.assertEqual([(r['AS'], r['WHO'], r['REASON']) for r in rows],
                         [('clientid', 'rogue', 'flood')])
        c = self.client('rogue', proto=pk.V5, connect=False)
        self.assertEqual(c.connect(expect_rc=None), 0x8A)
        self.assertEqual(self.ctl('unban', 'clientid', 'rogue').stdout,
                         'unbanned clientid rogue\n')
        self.assertEqual(self.table(self.ctl('banned').stdout), [])
        self.ctl('ban', 'nonsense', 'x', expect=105)  # CLI11: bad argument value

    def test_credentials_and_defaults_from_ini(self):
        port = self.broker.port('api', '')
        p = self.ctl('--url', 'http://127.0.0.1:%d' % port, '-u', 'admin', '-p', 'nope',
                     'status', auth=False, expect=1)
        self.assertIn('401', p.stderr)
        ini = os.path.join(self.workdir, 'ctl.ini')
        with open(ini, 'w') as f:
            f.write('[api]\nbind = 127.0.0.1:%d\nusername = admin\npassword = public\n' % port)
        self.client('from-ini')
        rows = self.table(self.ctl('-c', ini, 'clients', auth=False).stdout)
        self.assertEqual([r['CLIENTID'] for r in rows], ['from-ini'])
        with open(ini, 'w') as f:
            f.write('[api]\nbind = 127.0.0.1:%d\npassword = wrong\n' % port)
        self.assertIn('401', self.ctl('-c', ini, 'clients', auth=False, expect=1).stderr)

    def test_unreachable(self):
        p = self.ctl('--url', 'http://127.0.0.1:1', '--timeout', '3', 'status', auth=False,
                     expect=1)
        self.assertIn('edgegw ctl: connect', p.stderr)
