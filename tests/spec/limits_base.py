"""Shared helpers of the limits scenarios (76-79): the management API's /banned calls over
urllib with basic auth, and `edgegw ctl`."""
import base64
import json
import subprocess
import urllib.error
import urllib.request

from harness import BrokerTestCase

API = {'api.enable': True, 'api.bind': '127.0.0.1:0'}


class LimitsApiCase(BrokerTestCase):
    CONFIG = API

    def call(self, method, path, body=None):
        """(status, parsed JSON or text) of an API call as admin."""
        url = 'http://127.0.0.1:%d%s' % (self.broker.port('api', ''), path)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            req.add_header('Content-Type', 'application/json')
        req.add_header('Authorization', 'Basic ' + base64.b64encode(b'admin:public').decode())
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, text = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text.decode()

    def banned(self):
        """The whole ban list as a list of dicts."""
        status, body = self.call('GET', '/api/v5/banned?limit=1000')
        self.assertEqual(status, 200, body)
        return body['data']

    def ctl(self, *args):
        cmd = [self.broker.binary, 'ctl', '--url',
               'http://127.0.0.1:%d' % self.broker.port('api', ''), '-u', 'admin', '-p',
               'public']
        p = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, 'stdout: %s\nstderr: %s' % (p.stdout, p.stderr))
        return p.stdout
