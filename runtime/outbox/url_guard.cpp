// URL parsing and the address table of the SSRF guard.
#include "runtime/outbox/url_guard.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <boost/asio/ip/address.hpp>

namespace leadflow::runtime::outbox {

namespace ip = boost::asio::ip;

std::optional<ParsedUrl> parse_url(std::string_view url, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<ParsedUrl> {
    if (error != nullptr) *error = std::move(why);
    return std::nullopt;
  };
  ParsedUrl out;
  const std::size_t colon = url.find("://");
  if (colon == std::string_view::npos) return fail("expected an http:// or https:// URL");
  std::string scheme(url.substr(0, colon));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme != "http" && scheme != "https") return fail("expected an http:// or https:// URL");
  out.scheme = scheme;
  std::string_view rest = url.substr(colon + 3);
  const std::size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  if (const std::size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  out.target = target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
  if (authority.find('@') != std::string_view::npos) return fail("credentials in the URL are not allowed");
  if (authority.empty()) return fail("the URL has no host");
  std::string_view port;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated IPv6 address in the URL");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after the IPv6 address");
      port = after.substr(1);
    }
  } else {
    const std::size_t c = authority.rfind(':');
    out.host = std::string(authority.substr(0, c));
    if (c != std::string_view::npos) port = authority.substr(c + 1);
  }
  if (out.host.empty()) return fail("the URL has no host");
  for (char& ch : out.host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      return fail("invalid port in the URL");
    const int p = std::stoi(std::string(port));
    if (p < 1 || p > 65535) return fail("invalid port in the URL");
    out.port = static_cast<std::uint16_t>(p);
  } else {
    out.port = out.scheme == "https" ? 443 : 80;
  }
  return out;
}

namespace {

std::optional<std::string> v4_refusal(const ip::address_v4& a) {
  const std::uint32_t v = a.to_uint();
  struct Range {
    std::uint32_t net;
    int bits;
    const char* what;
  };
  static constexpr Range ranges[] = {
      {0x00000000u, 8, "unspecified (0.0.0.0/8)"},
      {0x0A000000u, 8, "private (10.0.0.0/8)"},
      {0x64400000u, 10, "carrier-grade NAT (100.64.0.0/10)"},
      {0x7F000000u, 8, "loopback (127.0.0.0/8)"},
      {0xA9FE0000u, 16, "link-local (169.254.0.0/16)"},
      {0xAC100000u, 12, "private (172.16.0.0/12)"},
      {0xC0000000u, 24, "IETF protocol assignments (192.0.0.0/24)"},
      {0xC0A80000u, 16, "private (192.168.0.0/16)"},
      {0xC6120000u, 15, "benchmarking (198.18.0.0/15)"},
      {0xE0000000u, 4, "multicast (224.0.0.0/4)"},
      {0xF0000000u, 4, "reserved (240.0.0.0/4)"},
  };
  for (const Range& r : ranges) {
    const std::uint32_t mask = r.bits == 0 ? 0 : ~std::uint32_t{0} << (32 - r.bits);
    if ((v & mask) == r.net) return std::string(r.what) + " address " + a.to_string();
  }
  return std::nullopt;
}

std::optional<std::string> v6_refusal(const ip::address_v6& a) {
  const std::array<unsigned char, 16> b = a.to_bytes();
  auto embedded_v4 = [&](std::size_t at) {
    return ip::address_v4(ip::address_v4::bytes_type{b[at], b[at + 1], b[at + 2], b[at + 3]});
  };
  const bool first80_zero = std::all_of(b.begin(), b.begin() + 10, [](unsigned char c) { return c == 0; });
  if (a.is_unspecified()) return "unspecified address " + a.to_string();
  if (a.is_loopback()) return "loopback address " + a.to_string();
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d) carry an IPv4
  // address that the kernel may reach directly; NAT64 (64:ff9b::/96) and 6to4 (2002::/16) embed
  // one that a gateway reaches. Judge them by it.
  if (first80_zero && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0))) {
    if (auto why = v4_refusal(embedded_v4(12))) return "IPv4-in-IPv6 " + *why;
    return std::nullopt;
  }
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b &&
      std::all_of(b.begin() + 4, b.begin() + 12, [](unsigned char c) { return c == 0; })) {
    if (auto why = v4_refusal(embedded_v4(12))) return "NAT64 " + *why;
  }
  if (b[0] == 0x20 && b[1] == 0x02) {
    if (auto why = v4_refusal(embedded_v4(2))) return "6to4 " + *why;
  }
  if ((b[0] & 0xfe) == 0xfc) return "unique local address " + a.to_string();
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local address " + a.to_string();
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "site-local address " + a.to_string();
  if (b[0] == 0xff) return "multicast address " + a.to_string();
  return std::nullopt;
}

}  // namespace

std::optional<std::string> address_refusal(std::string_view text) {
  boost::system::error_code ec;
  std::string s(text);
  // A zone id (fe80::1%eth0) names an interface: always local.
  if (s.find('%') != std::string::npos) return "scoped address " + s;
  const ip::address a = ip::make_address(s, ec);
  if (ec) return "not an IP address: " + s;
  return a.is_v4() ? v4_refusal(a.to_v4()) : v6_refusal(a.to_v6());
}

}  // namespace leadflow::runtime::outbox
