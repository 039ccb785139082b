// Refuses webhook targets inside the operator's network (SSRF): loopback, private, link-local,
// CGNAT, ULA and unspecified addresses. The connector resolves a host once, checks every
// address, and connects only to checked ones, so a DNS answer that changes between the check
// and the connect (DNS rebinding) cannot slip past.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leadflow::runtime::outbox {

struct ParsedUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6 literals
  std::uint16_t port = 0;
  std::string target;  // path and query, at least "/"
};

// Absolute http(s) URLs only; no userinfo; nullopt with `error` set otherwise.
std::optional<ParsedUrl> parse_url(std::string_view url, std::string* error = nullptr);

// Why an IP address (textual IPv4 or IPv6) must not be called, or nullopt when it is public.
// IPv4-mapped and IPv4-compatible IPv6 addresses are judged by their IPv4 address. Text that is
// not an address is refused ("not an IP address").
std::optional<std::string> address_refusal(std::string_view ip);

}  // namespace leadflow::runtime::outbox
