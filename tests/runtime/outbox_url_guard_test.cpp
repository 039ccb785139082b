// The SSRF guard's address table and URL parsing.
#include <catch2/catch.hpp>

#include "runtime/outbox/url_guard.hpp"

using namespace leadflow::runtime::outbox;

TEST_CASE("private, loopback, link-local, CGNAT, ULA and unspecified addresses are refused", "[outbox][url-guard]") {
  const char* refused[] = {
      "127.0.0.1",   "127.1.2.3",        "10.0.0.1",         "10.255.255.255",   "172.16.0.1",
      "172.31.255.255", "192.168.1.10",  "169.254.169.254",  "100.64.0.1",       "100.127.255.254",
      "0.0.0.0",     "224.0.0.1",        "255.255.255.255",  "::1",              "::",
      "fc00::1",     "fd12:3456:789a::1", "fe80::1",         "ff02::1",          "::ffff:127.0.0.1",
      "::ffff:10.1.2.3", "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:c0a8:0101::1", "fe80::1%eth0",
      "not-an-ip",   "localhost",
  };
  for (const char* ip : refused) {
    INFO(ip);
    CHECK(address_refusal(ip).has_value());
  }
}

TEST_CASE("public IPv4 and IPv6 addresses pass the guard", "[outbox][url-guard]") {
  const char* allowed[] = {"8.8.8.8",       "1.1.1.1",        "172.15.255.255", "172.32.0.1", "100.63.255.255",
                           "100.128.0.1",   "192.169.0.1",    "93.184.216.34",  "2606:4700:4700::1111",
                           "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808"};
  for (const char* ip : allowed) {
    INFO(ip);
    CHECK_FALSE(address_refusal(ip).has_value());
  }
}

TEST_CASE("refusals name the kind of address", "[outbox][url-guard]") {
  CHECK_THAT(*address_refusal("127.0.0.1"), Catch::Contains("loopback"));
  CHECK_THAT(*address_refusal("192.168.0.1"), Catch::Contains("private"));
  CHECK_THAT(*address_refusal("100.64.0.1"), Catch::Contains("carrier-grade NAT"));
  CHECK_THAT(*address_refusal("fd00::1"), Catch::Contains("unique local"));
  CHECK_THAT(*address_refusal("::ffff:192.168.0.1"), Catch::Contains("private"));
}

TEST_CASE("webhook URLs are parsed into scheme, host, port and target", "[outbox][url]") {
  auto u = parse_url("https://hooks.example.com/services/T0/B0?x=1#frag");
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->host == "hooks.example.com");
  CHECK(u->port == 443);
  CHECK(u->target == "/services/T0/B0?x=1");
  u = parse_url("HTTP://Example.COM:8080");
  REQUIRE(u);
  CHECK(u->scheme == "http");
  CHECK(u->host == "example.com");
  CHECK(u->port == 8080);
  CHECK(u->target == "/");
  u = parse_url("http://[::1]:9000/hook");
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->port == 9000);
  std::string why;
  CHECK_FALSE(parse_url("ftp://example.com/", &why));
  CHECK_THAT(why, Catch::Contains("http"));
  CHECK_FALSE(parse_url("https://user:pw@example.com/", &why));
  CHECK_THAT(why, Catch::Contains("credentials"));
  CHECK_FALSE(parse_url("https://example.com:99999/"));
  CHECK_FALSE(parse_url("https:///path"));
  CHECK_FALSE(parse_url("example.com/hook"));
}
