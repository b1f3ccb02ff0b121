"""34 MQTT-SN gateway discovery (MQTT-SN 1.2 sections 6.1, 5.4.2-5.4.4): ADVERTISE every
advertise_interval to advertise_address, SEARCHGW answered with GWINFO. Unicast on
loopback here; the multicast case runs only inside a new network namespace that has
loopback alone (unshare -rn), and is skipped where one cannot be made."""
import os
import shutil
import socket
import struct
import subprocess
import sys
import time

from mqttsn_base import MqttSnTestCase
from mqttsn_client import ADVERTISE, GWINFO, SEARCHGW, decode, frame

HERE = os.path.dirname(os.path.abspath(__file__))
IN_NETNS = os.environ.get('EDGEGW_SN_NETNS') == '1'
GROUP = '224.0.0.1'


def read_one(sock, timeout):
    sock.settimeout(timeout)
    data, addr = sock.recvfrom(65536)
    return decode(data), addr


class AdvertiseTest(MqttSnTestCase):

    def setUp(self):
        # The listener of ADVERTISE must exist before the gateway starts (its address is
        # configuration).
        self.adv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(self.adv.close)
        if IN_NETNS:
            self.adv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.adv.bind(('0.0.0.0', 0))
            mreq = struct.pack('4s4s', socket.inet_aton(GROUP), socket.inet_aton('127.0.0.1'))
            self.adv.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
            target = '%s:%d' % (GROUP, self.adv.getsockname()[1])
            extra = {'gateway.mqttsn.bind': '0.0.0.0:0'}
        else:
            self.adv.bind(('127.0.0.1', 0))
            target = '127.0.0.1:%d' % self.adv.getsockname()[1]
            extra = {}
        self.CONFIG = dict(MqttSnTestCase.CONFIG, **extra, **{
            'gateway.mqttsn.advertise_interval': '1s',
            'gateway.mqttsn.advertise_address': target,
            'gateway.mqttsn.gateway_id': 9,
        })
        super().setUp()

    def test_advertise_every_interval(self):
        p, _ = read_one(self.adv, 5)
        self.assertEqual((p.type, p.body), (ADVERTISE, b'\x09\x00\x01'))  # gw 9, 1 s
        t0 = time.monotonic()
        p, _ = read_one(self.adv, 5)
        self.assertEqual(p.type, ADVERTISE)
        self.assertGreater(time.monotonic() - t0, 0.5)

    def test_searchgw_to_the_gateway(self):
        dest = (GROUP, self.sn_port) if IN_NETNS else ('127.0.0.1', self.sn_port)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(s.close)
        s.bind(('127.0.0.1', 0))
        s.sendto(frame(SEARCHGW, b'\x01'), dest)
        p, _ = read_one(s, 5)
        self.assertEqual((p.type, p.body), (GWINFO, b'\x09'))  # unicast to the sender


class MulticastInNamespaceTest(MqttSnTestCase):
    """Runs AdvertiseTest again inside `unshare -rn` with a multicast group."""

    def setUp(self):
        pass  # no broker out here: the inner run starts its own

    def test_multicast_in_a_namespace(self):
        if IN_NETNS:
            self.skipTest('already inside the namespace')
        if not shutil.which('unshare') or not shutil.which('ip'):
            self.skipTest('unshare or ip missing')
        probe = subprocess.run(['unshare', '-rn', 'true'], capture_output=True)
        if probe.returncode != 0:
            self.skipTest('cannot create a network namespace here: %s' % probe.stderr.decode())
        script = ('ip link set lo up && ip link set lo multicast on && '
                  'ip route add 224.0.0.0/4 dev lo && exec "$0" "$1" -k AdvertiseTest "$2"')
        env = dict(os.environ, EDGEGW_SN_NETNS='1')
        r = subprocess.run(['unshare', '-rn', 'sh', '-c', script, sys.executable,
                            os.path.join(HERE, 'run.py'), os.path.abspath(__file__)],
                           env=env, capture_output=True, timeout=90)
        out = r.stdout.decode(errors='replace') + r.stderr.decode(errors='replace')
        self.assertEqual(r.returncode, 0, out)
        self.assertIn('Ran 2 tests', out)
        self.assertNotIn('skipped', out)
