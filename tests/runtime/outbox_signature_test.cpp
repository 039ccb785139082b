// Standard Webhooks signatures: the spec's published vector, key rotation, secret decoding.
#include <catch2/catch.hpp>

#include "runtime/outbox/signature.hpp"

using namespace leadflow::runtime::outbox;

namespace {
// The test vector published with the Standard Webhooks reference libraries ("sign function works").
constexpr const char* spec_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* spec_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t spec_timestamp = 1614265330;
constexpr const char* spec_body = "{\"test\": 2432232314}";
constexpr const char* spec_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
}  // namespace

TEST_CASE("the signature matches the Standard Webhooks test vector", "[outbox][signature]") {
  auto key = decode_webhook_secret(spec_secret);
  REQUIRE(key);
  CHECK(webhook_signature(*key, spec_id, spec_timestamp, spec_body) == spec_signature);
  CHECK(verify_webhook_signature({*key}, spec_id, "1614265330", spec_body, spec_signature));
  CHECK_FALSE(verify_webhook_signature({*key}, spec_id, "1614265331", spec_body, spec_signature));
  CHECK_FALSE(verify_webhook_signature({*key}, spec_id, "1614265330", "{\"test\":2432232314}", spec_signature));
}

TEST_CASE("a secret without the whsec_ prefix decodes to the same key", "[outbox][signature]") {
  CHECK(decode_webhook_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == decode_webhook_secret(spec_secret));
  CHECK_FALSE(decode_webhook_secret("whsec_not*base64"));
  CHECK_FALSE(decode_webhook_secret("whsec_"));
}

TEST_CASE("several keys give one space-separated signature each, in key order", "[outbox][signature]") {
  auto old_key = decode_webhook_secret(spec_secret);
  auto new_key = decode_webhook_secret("whsec_" + base64_encode("a brand new 32-byte signing key!"));
  REQUIRE(old_key);
  REQUIRE(new_key);
  const std::string header = webhook_signature({*new_key, *old_key}, spec_id, spec_timestamp, spec_body);
  const std::string first = webhook_signature(*new_key, spec_id, spec_timestamp, spec_body);
  CHECK(header == first + " " + spec_signature);
  // A receiver holding only one of the keys accepts it.
  CHECK(verify_webhook_signature({*old_key}, spec_id, "1614265330", spec_body, header));
  CHECK(verify_webhook_signature({*new_key}, spec_id, "1614265330", spec_body, header));
  auto other = decode_webhook_secret("whsec_" + base64_encode("somebody else's key"));
  CHECK_FALSE(verify_webhook_signature({*other}, spec_id, "1614265330", spec_body, header));
}

TEST_CASE("base64 round-trips every length and rejects foreign characters", "[outbox][signature]") {
  std::string s;
  for (int n = 0; n < 10; ++n) {
    const std::string enc = base64_encode(s);
    CHECK(enc.size() % 4 == 0);
    auto dec = base64_decode(enc);
    REQUIRE(dec);
    CHECK(std::string(dec->begin(), dec->end()) == s);
    s += static_cast<char>(0xf0 + n);
  }
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK_FALSE(base64_decode("Zm9v!mFy"));
}
