"""62 the dashboard at / (issue 9): the page compiled into edgegw, loaded in a real browser
(Debian's chromium driven by npm playwright-core), must show what the API says: version,
connections, the clients and subscriptions of real MQTT clients, bridges and gateways; a
screenshot is saved beside the binary (dashboard.png)."""
import base64
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request

import packets as pk
from harness import BrokerTestCase, edgegw_only
from mqttsn_client import SnClient

CHROMIUM = '/usr/bin/chromium'
SCRIPT = r"""
const { chromium } = require('playwright-core');
(async () => {
  const [url, user, pass, shot] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
                                          args: ['--no-sandbox'] });
  try {
    const ctx = await browser.newContext({ httpCredentials: { username: user, password: pass },
                                           viewport: { width: 1100, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(url + '/?refresh=300');
    // Three refreshes: every table filled and the rate chart has at least one segment.
    await page.waitForFunction(() => Number(document.body.dataset.refreshed || 0) >= 3,
                               null, { timeout: 20000 });
    const text = (id) => page.$eval('#' + id, (e) => e.textContent);
    const rows = (id) => page.$$eval('#' + id + ' tbody tr',
        (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    const out = {};
    for (const id of ['version', 'connections', 'sessions', 'subscriptions', 'node'])
      out[id] = await text(id);
    for (const id of ['clients', 'subs', 'bridges', 'gateways']) out[id] = await rows(id);
    out.error_hidden = await page.$eval('#error', (e) => e.hidden);
    out.chart_ink = await page.$eval('#rates', (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 3; i < d.length; i += 4) ink += d[i] > 0;
      return ink;
    });
    await page.screenshot({ path: shot, fullPage: true });
    console.log(JSON.stringify(out));
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(String(e)); process.exit(1); });
"""


def node_path(binary):
    if os.environ.get('NODE_PATH'):
        return os.environ['NODE_PATH']
    return os.path.join(os.path.dirname(os.path.abspath(binary)), 'npm', 'node_modules')


@edgegw_only('dashboard')
class DashboardTest(BrokerTestCase):
    CONFIG = {'api.enable': True, 'api.bind': '127.0.0.1:0',
              'gateway.mqttsn.enable': True, 'gateway.mqttsn.bind': '127.0.0.1:0'}

    def api(self, path, auth=True):
        req = urllib.request.Request('http://127.0.0.1:%d%s' % (self.broker.port('api', ''), path))
        if auth:
            req.add_header('Authorization', 'Basic ' + base64.b64encode(b'admin:public').decode())
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers.get('Content-Type'), r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get('Content-Type'), e.read()

    def test_page_is_served(self):
        status, ctype, body = self.api('/')
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith('text/html'))
        self.assertIn(b'/www/app.js', body)
        for path, kind in (('/www/app.js', 'text/javascript'), ('/www/style.css', 'text/css')):
            status, ctype, body = self.api(path)
            self.assertEqual((status, ctype.split(';')[0]), (200, kind))
            self.assertGreater(len(body), 100)
        self.assertEqual(self.api('/', auth=False)[0], 401)
        self.assertEqual(self.api('/www/nope.js')[0], 404)
        # No resource from outside the box.
        for path in ('/', '/www/app.js', '/www/style.css'):
            self.assertNotRegex(self.api(path)[2].decode(), r'(?i)(https?:)?//[a-z0-9.-]+\.[a-z]')

    def test_browser_shows_what_the_api_says(self):
        if not os.access(CHROMIUM, os.X_OK) or not shutil.which('node'):
            self.skipTest('needs Debian chromium and node')
        npath = node_path(self.broker.binary)
        if not os.path.isdir(os.path.join(npath, 'playwright-core')):
            self.skipTest('needs npm playwright-core in %s (scripts/test.sh installs it)' % npath)
        sn = SnClient(self.broker.port('mqttsn', ''))
        self._clients.append(sn)
        sn.connect('dash-sn')
        a = self.client('dash-a', proto=pk.V5, username='ann', password='x')
        a.subscribe('dash/+/temp', 1)
        b = self.client('dash-b')
        b.subscribe('dash/#', 0)
        for i in range(5):
            a.publish('dash/%d/temp' % i, b'21.5', 1)
        script = os.path.join(self.workdir, 'dashboard.js')
        with open(script, 'w') as f:
            f.write(SCRIPT)
        shot = os.path.join(os.path.dirname(os.path.abspath(self.broker.binary)), 'dashboard.png')
        url = 'http://127.0.0.1:%d' % self.broker.port('api', '')
        p = subprocess.run(['node', script, url, 'admin', 'public', shot], capture_output=True,
                           text=True, timeout=90, env=dict(os.environ, NODE_PATH=npath))
        self.assertEqual(p.returncode, 0, p.stderr)
        page = json.loads(p.stdout)

        api = lambda path: json.loads(self.api('/api/v5/' + path)[2])
        node = api('nodes')[0]
        stats = api('stats?aggregate=true')
        self.assertEqual(page['version'], node['version'])
        self.assertEqual(page['node'], node['node'])
        self.assertEqual(int(page['connections']), stats['connections.count'])
        self.assertEqual(int(page['connections']), 3)  # two MQTT, one MQTT-SN
        self.assertEqual(int(page['subscriptions']), stats['subscriptions.count'])
        clients = {c['clientid']: c for c in api('clients')['data']}
        shown = {r[0]: r for r in page['clients']}
        self.assertEqual(set(shown), set(clients))
        self.assertEqual(shown['dash-a'][1:3], ['ann', 'MQTT 5'])
        self.assertEqual(shown['dash-b'][1:3], ['-', 'MQTT 4'])
        self.assertEqual(shown['dash-a'][4], 'yes')
        subs = sorted((s['clientid'], s['topic'], str(s['qos'])) for s in api('subscriptions')['data'])
        self.assertEqual(sorted(tuple(r) for r in page['subs']), subs)
        self.assertEqual(page['bridges'], [['none']])  # no bridge reports yet
        gw = {r[0]: r for r in page['gateways']}
        self.assertEqual(set(gw), {g['name'] for g in api('gateways')})
        # Each gateway's status and client count as the API reports them.
        for g in api('gateways'):
            self.assertEqual(gw[g['name']], [g['name'], g['status'], str(g['current_connections'])])
        self.assertEqual(gw['mqttsn'], ['mqttsn', 'running', '1'])
        self.assertEqual(gw['coap'][1], 'unloaded')  # not enabled here
        self.assertTrue(page['error_hidden'])
        self.assertGreater(page['chart_ink'], 0)
        with open(shot, 'rb') as f:
            self.assertEqual(f.read(8), b'\x89PNG\r\n\x1a\n')
