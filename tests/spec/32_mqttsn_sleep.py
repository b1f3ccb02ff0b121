"""32 MQTT-SN sleeping clients, retransmission and lost clients (MQTT-SN 1.2 sections 6.13,
6.14): messages published by MQTT clients while a sensor sleeps are delivered when it wakes
with PINGREQ, then PINGRESP; a sleeper that misses 1.5 x its duration is lost and its will
fires; unacknowledged deliveries are resent with DUP, and a client that never answers is
lost."""
from harness import mosquitto_pub, with_config
from mqttsn_base import MqttSnTestCase
from mqttsn_client import PINGRESP, PUBLISH


class SleepTest(MqttSnTestCase):

    def test_messages_wait_for_the_wake_up(self):
        c = self.sn('sleeper', clean=False)
        c.subscribe('home/cmd/#', 1)
        c.disconnect(duration=60)
        for i in range(3):
            mosquitto_pub(self.port, 'home/cmd/%d' % i, 'while asleep %d' % i, qos=i % 2)
        # Published and acknowledged by the broker: the gateway holds them for the sleeper.
        c.expect_nothing(PUBLISH, 0.3)
        c.ping(b'sleeper')
        got = [(d.topic, d.payload) for d in c.get_n(3, timeout=0)]
        self.assertEqual(got, [('home/cmd/%d' % i, b'while asleep %d' % i) for i in range(3)])
        # Back asleep: the next message waits for the next wake-up.
        mosquitto_pub(self.port, 'home/cmd/x', 'later', qos=1)
        c.expect_nothing(PUBLISH, 0.3)
        c.ping(b'sleeper')
        self.assertEqual(c.get(timeout=0).payload, b'later')

    def test_wake_up_with_nothing_waiting(self):
        c = self.sn('idle-sleeper')
        c.disconnect(duration=30)
        c.ping(b'idle-sleeper')

    @with_config({'gateway.mqttsn.max_sleep_buffer': 2})
    def test_sleep_buffer_is_bounded(self):
        c = self.sn('small-sleeper')
        c.subscribe('buf/t', 0)
        c.disconnect(duration=60)
        p = self.client()
        for i in range(5):
            p.publish('buf/t', b'%d' % i, 0)
        p.barrier()
        c.ping(b'small-sleeper')
        got = [d.payload for d in c.get_n(2, timeout=0)]
        self.assertEqual(got, [b'3', b'4'])  # the oldest gave way
        c.expect_nothing(PUBLISH, 0.2)

    def test_sleeper_that_does_not_wake_is_lost(self):
        sub = self.subscriber('will/sleeper', 1)
        c = self.sn('heavy-sleeper', will=('will/sleeper', b'overslept', 1, False))
        c.disconnect(duration=1)
        m = sub.get(timeout=5)  # 1.5 s after going to sleep
        self.assertEqual(m.payload, b'overslept')

    def test_sleeper_waking_from_a_new_address(self):
        c = self.sn('nomad')
        c.subscribe('nomad/in', 1)
        c.disconnect(duration=60)
        mosquitto_pub(self.port, 'nomad/in', 'follow me', qos=1)
        moved = self.sn(connect=False)
        moved.topics = c.topics
        moved.ping(b'nomad')
        self.assertEqual(moved.get(timeout=0).payload, b'follow me')

    def test_connect_ends_the_sleep(self):
        c = self.sn('early-riser', clean=False)
        c.subscribe('rise/t', 1)
        c.disconnect(duration=60)
        mosquitto_pub(self.port, 'rise/t', 'kept', qos=1)
        c.connect('early-riser', clean=False)
        self.assertEqual(c.get().payload, b'kept')
        c.ping()  # active again: an ordinary PINGRESP


class RetransmissionTest(MqttSnTestCase):
    CONFIG = dict(MqttSnTestCase.CONFIG, **{'gateway.mqttsn.retry_interval': '300ms',
                                            'gateway.mqttsn.max_retries': 2})

    def test_unacknowledged_delivery_is_resent_with_dup(self):
        c = self.sn(auto_ack=False)
        c.subscribe('re/t', 1)
        mosquitto_pub(self.port, 're/t', 'again', qos=1)
        first = c.get()
        second = c.get(timeout=2)
        self.assertEqual((first.dup, second.dup), (False, True))
        self.assertEqual((second.msg_id, second.payload), (first.msg_id, b'again'))
        c.send(0x0D, bytes([first.topic_id >> 8, first.topic_id & 255, first.msg_id >> 8,
                            first.msg_id & 255, 0]))
        c.ping()  # still connected; nothing more is resent
        c.expect_nothing(PUBLISH, 0.5)

    def test_client_that_never_answers_is_lost(self):
        sub = self.subscriber('will/mute', 1)
        c = self.sn(auto_ack=False, will=('will/mute', b'unresponsive', 0, False))
        c.subscribe('mute/t', 1)
        mosquitto_pub(self.port, 'mute/t', 'hello?', qos=1)
        self.assertEqual(sub.get(timeout=5).payload, b'unresponsive')  # after 1 + 2 sends
        self.assertEqual(len(c.get_n(3, timeout=0)), 3)
        self.assertFalse([p for p in c.inbox if p.type == PINGRESP])
