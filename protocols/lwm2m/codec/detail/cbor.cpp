// Strict CBOR reader for SenML CBOR (content format 112).
#include "cbor.hpp"

#include <bit>
#include <cmath>

namespace edgegw::lwm2m::detail {

namespace {

class reader {
 public:
  explicit reader(std::span<const uint8_t> in) : in_(in) {}
  bool done() const { return pos_ == in_.size(); }

  result<cbor_item> item(int depth) {
    if (depth < 0) return fail("CBOR nested too deep");
    if (done()) return fail("CBOR truncated");
    const uint8_t ib = in_[pos_++];
    const uint8_t major = ib >> 5, info = ib & 31;
    if (major == 7) return simple(info);
    auto arg = argument(info);
    if (!arg) return arg.error();
    const uint64_t n = arg.value();
    switch (major) {
      case 0:
        if (n <= uint64_t(INT64_MAX)) return cbor_item{int64_t(n)};
        return cbor_item{n};
      case 1:
        if (n > uint64_t(INT64_MAX)) return fail("CBOR negative integer out of range");
        return cbor_item{-1 - int64_t(n)};
      case 2:
      case 3: {
        if (n > in_.size() - pos_) return fail("CBOR string longer than the payload");
        const auto* p = in_.data() + pos_;
        pos_ += std::size_t(n);
        if (major == 2) return cbor_item{cbor_bytes{{p, p + n}}};
        return cbor_item{std::string(reinterpret_cast<const char*>(p), std::size_t(n))};
      }
      case 4: {
        // Each element takes at least one byte: a bound on hostile counts.
        if (n > in_.size() - pos_) return fail("CBOR array longer than the payload");
        auto arr = std::make_shared<cbor_array>();
        arr->reserve(std::size_t(n));
        for (uint64_t k = 0; k < n; ++k) {
          auto e = item(depth - 1);
          if (!e) return e.error();
          arr->push_back(std::move(e).value());
        }
        return cbor_item{std::move(arr)};
      }
      case 5: {
        if (n > (in_.size() - pos_) / 2) return fail("CBOR map longer than the payload");
        auto map = std::make_shared<cbor_map>();
        map->reserve(std::size_t(n));
        for (uint64_t k = 0; k < n; ++k) {
          auto key = item(depth - 1);
          if (!key) return key.error();
          auto val = item(depth - 1);
          if (!val) return val.error();
          map->emplace_back(std::move(key).value(), std::move(val).value());
        }
        return cbor_item{std::move(map)};
      }
      default:
        return fail("CBOR tags are not supported");
    }
  }

 private:
  result<uint64_t> argument(uint8_t info) {
    if (info < 24) return uint64_t(info);
    if (info > 27) return fail("CBOR indefinite length or reserved value");
    const std::size_t len = std::size_t(1) << (info - 24);
    if (in_.size() - pos_ < len) return fail("CBOR truncated");
    uint64_t v = 0;
    for (std::size_t k = 0; k < len; ++k) v = v << 8 | in_[pos_++];
    return v;
  }

  result<cbor_item> simple(uint8_t info) {
    switch (info) {
      case 20:
        return cbor_item{false};
      case 21:
        return cbor_item{true};
      case 22:
        return cbor_item{cbor_null{}};
      case 25: {
        auto a = argument(info);
        if (!a) return a.error();
        return cbor_item{half_to_double(uint16_t(a.value()))};
      }
      case 26: {
        auto a = argument(info);
        if (!a) return a.error();
        return cbor_item{double(std::bit_cast<float>(uint32_t(a.value())))};
      }
      case 27: {
        auto a = argument(info);
        if (!a) return a.error();
        return cbor_item{std::bit_cast<double>(a.value())};
      }
      default:
        return fail("CBOR simple value not supported");
    }
  }

  static double half_to_double(uint16_t h) {
    const int exp = (h >> 10) & 0x1f;
    const int mant = h & 0x3ff;
    double v;
    if (exp == 0)
      v = std::ldexp(mant, -24);
    else if (exp != 31)
      v = std::ldexp(mant + 1024, exp - 25);
    else
      v = mant == 0 ? INFINITY : NAN;
    return (h & 0x8000) ? -v : v;
  }

  std::span<const uint8_t> in_;
  std::size_t pos_ = 0;
};

}  // namespace

result<cbor_item> cbor_parse(std::span<const uint8_t> in, int max_depth) {
  reader r(in);
  auto item = r.item(max_depth);
  if (!item) return item.error();
  if (!r.done()) return fail("CBOR trailing bytes after the data item");
  return item;
}

}  // namespace edgegw::lwm2m::detail
