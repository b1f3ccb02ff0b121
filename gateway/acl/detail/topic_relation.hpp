// How an ACL rule's topic filter relates to what a client asks for: a topic name (matched
// as MQTT does) or a subscription filter, where the question is whether the rule covers
// every topic the filter can match, or shares at least one with it. Both follow the MQTT
// rule that a wildcard at the first level never matches a topic starting with '$'.
#pragma once
#include <string_view>

namespace edgegw::acl::detail {

// Every topic matched by `filter` is matched by `rule`. Conservative: may answer false for
// odd equivalences ("+/#" does cover "#"), which only means deliveries are checked one by one.
bool covers(std::string_view rule, std::string_view filter) noexcept;

// Some topic is matched by both.
bool intersects(std::string_view rule, std::string_view filter) noexcept;

}  // namespace edgegw::acl::detail
