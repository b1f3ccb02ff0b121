"""Shared set-up of the MQTT-SN scenarios (30-39): an edgegw with the MQTT-SN gateway on
127.0.0.1 port 0 (learnt from READY), SnClient factories cleaned up after each test."""
import harness
from harness import BrokerTestCase, unique_id
from mqttsn_client import SnClient

PREDEFINED = {7: 'pre/seven', 1024: 'pre/last'}


class _SnBroker(harness.EdgegwBroker):
    """The harness writes a key into the section named by everything before its last dot;
    `gateway.mqttsn.predefined.<ID>` has a dot of its own, so move those keys back into
    [gateway.mqttsn] as `predefined.<ID>`."""

    def _write_ini(self):
        super()._write_ini()
        out, moving = [], False
        with open(self.ini_path) as f:
            for line in f:
                if line.startswith('['):
                    moving = line.strip() == '[gateway.mqttsn.predefined]'
                    out.append('[gateway.mqttsn]\n' if moving else line)
                elif moving and '=' in line:
                    out.append('predefined.' + line)
                else:
                    out.append(line)
        with open(self.ini_path, 'w') as f:
            f.writelines(out)


class MqttSnTestCase(BrokerTestCase):
    CONFIG = {
        'gateway.mqttsn.enable': True,
        'gateway.mqttsn.bind': '127.0.0.1:0',
        'gateway.mqttsn.predefined.7': 'pre/seven',
        'gateway.mqttsn.predefined.1024': 'pre/last',
    }

    def setUp(self):
        make = harness.make_broker
        harness.make_broker = _SnBroker
        try:
            super().setUp()
        finally:
            harness.make_broker = make

    @property
    def sn_port(self):
        return self.broker.port('mqttsn', '')

    def sn(self, client_id=None, connect=True, host='127.0.0.1', **kw):
        """A new MQTT-SN client on its own UDP port, CONNECTed (clean) unless connect=False;
        kw go to connect()."""
        c = SnClient(self.sn_port, host=host, predefined=PREDEFINED,
                     node_id=kw.pop('node_id', None), auto_ack=kw.pop('auto_ack', True))
        self._clients.append(c)
        if connect:
            c.connect(client_id or unique_id('sn'), **kw)
        return c
