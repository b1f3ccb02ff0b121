// Reassembly of block-wise request bodies (RFC 7959 Block1) by the gateway itself.
// libcoap 4.3.1 reassembles a Block1 body only when Size1 announces its length; the
// gateway's stack runs without libcoap's single-body mode and hands every block here.
//
// An upload is named by the client's transport session, the request's URI (path and
// query) and its Request-Tag: tokens may change from block to block (RFC 7959 2.4).
// Blocks must come in order: block 0 starts (or restarts) an upload, block N continues it
// only at the offset received so far; a repeat of the last block is answered again
// without being appended (a lost 2.31). Memory is bounded per body (max_body), per
// client (max_per_client uploads at once) and in total (max_total bytes); an upload
// untouched for `lifetime` (EXCHANGE_LIFETIME) is dropped.
//
// Pure: no libcoap, no clock of its own. Owner: the CoAP io thread.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace edgegw::coap {

struct block1_option {
  uint32_t num = 0;
  bool more = false;
  uint8_t szx = 0;  // block size 16 << szx; 7 (BERT) is for CoAP over TCP only
};

struct block1_limits {
  std::size_t max_body = 1024 * 1024;       // mqtt.max_packet_size
  std::size_t max_total = 8 * 1024 * 1024;  // all partial uploads together
  std::size_t max_per_client = 4;
  std::chrono::steady_clock::duration lifetime = std::chrono::seconds(247);
};

class block1_assembly {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  enum class status : uint8_t {
    more,        // stored: answer 2.31 Continue
    complete,    // `body` holds the whole request body
    too_large,   // 4.13 with Size1 = max_body
    incomplete,  // missing / out-of-order block: 4.08
    bad,         // malformed block (wrong size, BERT over UDP): 4.00
    busy,        // total or per-client limit: 5.03
  };
  struct outcome {
    status st;
    std::string body;  // with complete
  };

  explicit block1_assembly(block1_limits l) : limits_(l) {}

  // One block of the upload `uri` (path + query + Request-Tag) from transport `client`.
  outcome add(uint64_t client, const std::string& uri, block1_option b, std::string_view data,
              std::optional<std::size_t> size1, time_point now);
  // Drops uploads untouched for `lifetime`; returns how many.
  std::size_t expire(time_point now);
  // The client's transport session is gone.
  void forget(uint64_t client);

  std::size_t uploads() const { return uploads_.size(); }
  std::size_t bytes() const { return bytes_; }
  const block1_limits& limits() const { return limits_; }

 private:
  struct upload {
    std::string body;
    std::size_t last_block_size = 0;  // bytes the last appended block carried
    time_point touched;
  };
  using key = std::pair<uint64_t, std::string>;
  void erase(std::map<key, upload>::iterator it);
  std::size_t count_for(uint64_t client) const;

  block1_limits limits_;
  std::map<key, upload> uploads_;
  std::size_t bytes_ = 0;
};

}  // namespace edgegw::coap
