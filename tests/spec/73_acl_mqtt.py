"""73 ACL file over MQTT (issue 8 item 4, docs/SECURITY.md "Authorization (ACL)"): mosquitto's
acl_file lines (user, topic, pattern %c/%u) under auth.acl_file, refused SUBSCRIBE (v5 SUBACK
0x87, v3 0x80) and PUBLISH (v5 PUBACK/PUBREC 0x87; v3 dropped silently as mosquitto does),
wildcard subscriptions that do not receive denied topics, retained messages filtered on
subscribe, acl_nomatch, and CONNACK refusals. Clients: paho, mosquitto_sub/mosquitto_pub and a
raw socket for v5 reason codes."""
import os
import tempfile

import packets as pk
from clients import BARRIER_PREFIX
from harness import BrokerTestCase, MosquittoSub, edgegw_only, mosquitto_pub, unique_id, with_config

# Rules before any block apply to every client; the barrier topics keep the harness's
# round trips working under acl_nomatch = deny.
ACL = """\
# everyone
topic readwrite %(barrier)s#
topic read public/#
topic deny public/secret
pattern readwrite devices/%%c/#
pattern read inbox/%%u

user alice
topic read sensors/#
topic deny sensors/secret
topic write alice/#

user writer
topic write #
""" % {'barrier': BARRIER_PREFIX}


def with_acl(text):
    """Per-test ACL file contents (default: ACL above)."""
    def mark(fn):
        fn.acl_text = text
        return fn
    return mark


class AclTestCase(BrokerTestCase):
    """A broker started with auth.acl_file pointing at a file written for the test."""
    ACL_TEXT = ACL

    def setUp(self):
        fd, self.acl_path = tempfile.mkstemp(prefix='edgegw-acl-', suffix='.acl')
        text = getattr(getattr(self, self._testMethodName), 'acl_text', self.ACL_TEXT)
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        self.addCleanup(os.remove, self.acl_path)
        self.CONFIG = dict(self.CONFIG, **{'auth.acl_file': self.acl_path})
        super().setUp()

    def user(self, name, proto=pk.V311, client_id=None):
        return self.client(client_id=client_id, proto=proto, username=name)

    def raw_user(self, name, proto=pk.V5, client_id=None):
        return self.raw(proto=proto, client_id=client_id, username=name)


@edgegw_only('the ACL file is set through auth.acl_file')
class SubscribeTest(AclTestCase):

    def test_v5_suback_0x87_for_denied_filters(self):
        """v5: a filter the client may not read gets SUBACK 0x87; allowed ones their QoS."""
        c = self.user('alice', proto=pk.V5)
        codes = c.subscribe([('sensors/#', 1), ('other/#', 1), ('sensors/secret', 0)])
        self.assertEqual(codes, [1, 0x87, 0x87])

    def test_v311_suback_0x80_for_denied_filters(self):
        """3.1.1: the refusal is the failure code 0x80 [MQTT-3.9.3-2]."""
        r = self.raw_user('alice', proto=pk.V311)
        self.assertEqual(r.subscribe([('other/x', 1), ('public/#', 1)]).codes, [0x80, 1])

    def test_wildcard_subscription_skips_denied_topics(self):
        """mosquitto_sub -t 'sensors/#' as alice receives sensors/* except sensors/secret,
        which she may not read (checked per message, as mosquitto does)."""
        sub = MosquittoSub(self.port, 'sensors/#', qos=1, extra=('-u', 'alice'))
        self.addCleanup(sub.stop)
        sub.wait_subscribed()
        for topic in ('sensors/a', 'sensors/secret', 'sensors/b'):
            mosquitto_pub(self.port, topic, 'v-' + topic, qos=1, extra=('-u', 'writer'))
        # Each publish was acknowledged (and so routed) before the next one started.
        self.assertEqual(sub.get()[:2], ('sensors/a', b'v-sensors/a'))
        self.assertEqual(sub.get()[:2], ('sensors/b', b'v-sensors/b'))

    def test_hash_subscription_gets_only_readable_topics(self):
        """An anonymous '#' subscriber: granted (it can read public/#), then receives
        public/* but not public/secret nor other clients' device topics."""
        c = self.client(proto=pk.V5)
        self.assertEqual(c.subscribe('#', 1), [1])
        w = self.user('writer')
        for t in ('public/1', 'public/secret', 'devices/other/t', 'public/2'):
            w.publish(t, t.encode(), 1)
        got = [m.topic for m in c.get_n(2)]
        self.assertEqual(got, ['public/1', 'public/2'])
        c.assert_no_messages()

    def test_retained_messages_filtered_on_subscribe(self):
        """Retained messages a client may not read are not sent on SUBSCRIBE."""
        w = self.user('writer')
        w.publish('sensors/open', b'o', 1, retain=True)
        w.publish('sensors/secret', b's', 1, retain=True)
        sub = MosquittoSub(self.port, 'sensors/#', qos=1, extra=('-u', 'alice'))
        self.addCleanup(sub.stop)
        topic, payload, _, retain = sub.get()
        self.assertEqual((topic, payload, retain), ('sensors/open', b'o', True))
        w.publish('sensors/after', b'a', 1)  # a live message follows; nothing in between
        self.assertEqual(sub.get()[:2], ('sensors/after', b'a'))

    def test_pattern_username_substitution(self):
        """pattern read inbox/%u: each user reads its own inbox only."""
        ann = self.user('ann', proto=pk.V5)
        self.assertEqual(ann.subscribe([('inbox/ann', 1), ('inbox/bob', 1)]), [1, 0x87])
        anon = self.client(proto=pk.V5)
        self.assertEqual(anon.subscribe('inbox/ann', 1), [0x87])


@edgegw_only('the ACL file is set through auth.acl_file')
class PublishTest(AclTestCase):

    def test_v5_puback_and_pubrec_0x87(self):
        """v5: a denied QoS 1 publish gets PUBACK 0x87, QoS 2 PUBREC 0x87 (the flow ends),
        and the connection stays open."""
        r = self.raw_user('alice')
        self.assertEqual(r.publish('alice/ok', b'x', 1).rc, 0x10)  # allowed, no subscribers
        self.assertEqual(r.publish('sensors/a', b'x', 1).rc, 0x87)
        self.assertEqual(r.publish('sensors/a', b'x', 2).rc, 0x87)
        r.ping()

    def test_v5_pattern_client_id(self):
        """pattern readwrite devices/%c/#: a device writes under its own client id only."""
        r = self.raw(proto=pk.V5, client_id='dev1')
        self.assertEqual(r.publish('devices/dev1/temp', b'21', 1).rc, 0x10)
        self.assertEqual(r.publish('devices/dev2/temp', b'21', 1).rc, 0x87)

    def test_v311_denied_publish_is_dropped_silently(self):
        """3.1.1 has no way to say no: QoS 0 and 1 publishes are dropped, QoS 1 still gets
        its PUBACK and the connection stays open (mosquitto's behaviour)."""
        sub = self.user('alice')
        sub.subscribe('sensors/#', 1)
        pub = self.client()  # anonymous: may not write sensors/
        pub.publish('sensors/x', b'dropped', 0)
        pub.publish('sensors/x', b'dropped too', 1)  # waits for the PUBACK
        mosquitto_pub(self.port, 'sensors/x', 'mosq dropped', qos=1)  # exits 0 as well
        self.assertTrue(pub.connected)
        self.user('writer').publish('sensors/x', b'allowed', 1)
        self.assertEqual(sub.get().payload, b'allowed')
        sub.assert_no_messages()

    def test_sys_topics_are_never_published_by_clients(self):
        r = self.raw_user('writer')  # may write '#', which never covers $SYS
        self.assertEqual(r.publish('$SYS/broker/version', b'fake', 1).rc, 0x87)

    @with_acl('user writer\ntopic write #\n')
    @with_config({'auth.acl_nomatch': 'allow'})
    def test_nomatch_allow(self):
        """acl_nomatch = allow: topics no rule mentions are open."""
        r = self.raw(proto=pk.V5)
        self.assertEqual(r.publish('free/topic', b'x', 1).rc, 0x10)
        self.assertEqual(r.subscribe([('free/#', 1)]).codes, [1])

    @with_acl('user writer\ntopic write #\n')
    def test_nomatch_defaults_to_deny_with_a_file(self):
        r = self.raw(proto=pk.V5)
        self.assertEqual(r.publish('free/topic', b'x', 1).rc, 0x87)
        self.assertEqual(r.subscribe([('free/#', 1)]).codes, [0x87])


class ConnackTest(BrokerTestCase):
    CONFIG = {'auth.allow_anonymous': False}

    def test_refused_connects(self):
        """Without credentials to accept: v5 CONNACK 0x87 (no username) / 0x86 (with one),
        3.1.1 CONNACK 5 / 4."""
        for proto, none, named in ((pk.V5, 0x87, 0x86), (pk.V311, 5, 4)):
            self.assertEqual(self.raw(proto=proto, connect=False).connect(expect_rc=None).rc,
                             none)
            self.assertEqual(self.raw(proto=proto, connect=False).connect(
                expect_rc=None, username='u', password=b'p').rc, named)
