// See peer_identity.hpp. mbedTLS 2.28 keeps every subjectAltName as a raw tagged value
// (x509_crt.subject_alt_names); the textual kinds are IA5Strings, so the value bytes are
// the name itself.
#include "gateway/net/tls/peer_identity.hpp"

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include <array>
#include <string_view>
#include <cstring>
#include <vector>

namespace edgegw::net::tls {

namespace {

std::string as_string(const mbedtls_asn1_buf& b) {
  return std::string(reinterpret_cast<const char*>(b.p), b.len);
}

// RFC 4514 section 2.4: special characters anywhere, '#' or ' ' leading, ' ' trailing.
void append_escaped(std::string& out, const std::string& v) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    const bool special = c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' ||
                         c == ';' || c == '=';
    const bool edge = (i == 0 && (c == '#' || c == ' ')) || (i + 1 == v.size() && c == ' ');
    if (special || edge) out += '\\';
    out += c;
  }
}

std::string attribute_name(const mbedtls_asn1_buf& oid) {
  const char* shortname = nullptr;
  if (mbedtls_oid_get_attr_short_name(&oid, &shortname) == 0 && shortname != nullptr)
    return shortname;
  std::array<char, 128> buf{};
  if (mbedtls_oid_get_numeric_string(buf.data(), buf.size(), &oid) > 0) {
    // RFC 4514's table has UID, which mbedTLS does not name.
    if (std::string_view(buf.data()) == "0.9.2342.19200300.100.1.1") return "UID";
    return buf.data();
  }
  return "?";
}

}  // namespace

std::string common_name(const mbedtls_x509_crt& crt) {
  for (const mbedtls_x509_name* n = &crt.subject; n != nullptr; n = n->next) {
    if (n->oid.p != nullptr && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0)
      return as_string(n->val);
  }
  return {};
}

std::string first_text_san(const mbedtls_x509_crt& crt) {
  for (const mbedtls_x509_sequence* s = &crt.subject_alt_names; s != nullptr; s = s->next) {
    if (s->buf.p == nullptr || (s->buf.tag & MBEDTLS_ASN1_CONTEXT_SPECIFIC) == 0) continue;
    switch (s->buf.tag & MBEDTLS_ASN1_TAG_VALUE_MASK) {
      case MBEDTLS_X509_SAN_DNS_NAME:
      case MBEDTLS_X509_SAN_RFC822_NAME:
      case MBEDTLS_X509_SAN_UNIFORM_RESOURCE_IDENTIFIER:
        if (s->buf.len > 0) return as_string(s->buf);
        break;
      default:
        break;
    }
  }
  return {};
}

std::string subject_dn(const mbedtls_x509_crt& crt) {
  // Group the attributes into RDNs (next_merged joins a multi-valued RDN), then write
  // the RDNs last first.
  std::vector<std::string> rdns;
  bool continue_rdn = false;
  for (const mbedtls_x509_name* n = &crt.subject; n != nullptr; n = n->next) {
    if (n->oid.p == nullptr) continue;
    std::string ava = attribute_name(n->oid) + "=";
    append_escaped(ava, as_string(n->val));
    if (continue_rdn && !rdns.empty()) {
      rdns.back() += "+" + ava;
    } else {
      rdns.push_back(std::move(ava));
    }
    continue_rdn = n->next_merged != 0;
  }
  std::string out;
  for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) {
    if (!out.empty()) out += ',';
    out += *it;
  }
  return out;
}

std::string certificate_identity(const mbedtls_x509_crt& crt, cert_identity which) {
  switch (which) {
    case cert_identity::cn:
      return common_name(crt);
    case cert_identity::san:
      return first_text_san(crt);
    case cert_identity::dn:
      return subject_dn(crt);
    case cert_identity::none:
      break;
  }
  return {};
}

const char* to_string(cert_identity which) noexcept {
  switch (which) {
    case cert_identity::cn:
      return "cn";
    case cert_identity::san:
      return "san";
    case cert_identity::dn:
      return "dn";
    case cert_identity::none:
      break;
  }
  return "none";
}

}  // namespace edgegw::net::tls
