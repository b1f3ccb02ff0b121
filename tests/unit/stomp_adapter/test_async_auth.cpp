// CONNECT with hooks.on_authenticated: CONNECTED or ERROR only once authenticate_async
// answers; frames pipelined after CONNECT wait unconsumed, then run in order; a late answer
// after the connect time-out is ignored.
#include "harness.hpp"

namespace edgegw::stomp::test {
namespace {

TEST(StompAsyncAuth, ConnectedWhenTheAnswerArrivesThenPipelinedFrames) {
  harness h({}, true);
  const std::string input = "CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0"s +
                            "SEND\ndestination:a/b\nreceipt:r1\n\nhi\0"s;
  h.feed(input);
  EXPECT_TRUE(h.frames().empty());
  EXPECT_FALSE(h.ch->wants_read());  // nothing more is read meanwhile
  EXPECT_FALSE(h.pending.empty());   // the SEND waits, unconsumed
  EXPECT_TRUE(h.broker.open_calls.empty());
  EXPECT_TRUE(h.broker.published.empty());
  ASSERT_EQ(h.auth_answers.size(), 1u);
  h.answer_auth();
  auto f = h.frames();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].command, "CONNECTED");
  EXPECT_EQ(f[1].command, "RECEIPT");
  EXPECT_EQ(hdr(f[1], "receipt-id"), "r1");
  ASSERT_EQ(h.broker.published.size(), 1u);
  EXPECT_EQ(h.broker.published[0]->payload, "hi");
  EXPECT_TRUE(h.ch->wants_read());
}

TEST(StompAsyncAuth, RefusalIsAnErrorWithTheConnectReceipt) {
  harness h({}, true);
  h.broker.auth_error = errc::not_authorized;
  h.feed("CONNECT\naccept-version:1.2\nreceipt:c1\n\n\0SEND\ndestination:x\n\nno\0"s);
  EXPECT_TRUE(h.frames().empty());
  h.answer_auth();
  auto f = h.one();
  EXPECT_EQ(f.command, "ERROR");
  EXPECT_EQ(hdr(f, "message"), "authentication failed");
  EXPECT_EQ(hdr(f, "receipt-id"), "c1");
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_TRUE(h.broker.published.empty());  // the pipelined SEND is discarded
}

TEST(StompAsyncAuth, LateAnswerAfterConnectTimeoutIsIgnored) {
  settings s;
  s.connect_timeout = 1s;
  harness h(s, true);
  h.feed("CONNECT\naccept-version:1.2\n\n\0"s);
  h.advance(2s);
  auto f = h.one();
  EXPECT_EQ(hdr(f, "message"), "connect timeout");
  h.answer_auth();
  EXPECT_TRUE(h.frames().empty());
  EXPECT_TRUE(h.broker.open_calls.empty());
}

}  // namespace
}  // namespace edgegw::stomp::test
