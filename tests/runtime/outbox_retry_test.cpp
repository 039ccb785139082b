// Retry planning: backoff ceilings, a fixed-seed jitter schedule, Retry-After, dead-lettering.
#include <catch2/catch.hpp>

#include "runtime/outbox/connector.hpp"

using namespace leadflow::runtime::outbox;

namespace {
RetryPolicy policy(std::uint64_t seed) {
  RetryPolicy p;
  p.max_attempts = 5;
  p.base = Seconds(10);
  p.cap = Seconds(300);
  p.max_retry_after = Seconds(3600);
  p.seed = seed;
  return p;
}
OutboxItem item_after(std::uint32_t attempts) {
  OutboxItem item;
  item.idempotency_key = "lf_test";
  item.attempts = attempts;
  return item;
}
}  // namespace

TEST_CASE("backoff ceilings double from the base up to the cap", "[outbox][retry]") {
  RetrySchedule s(policy(1));
  CHECK(s.ceiling(1) == Seconds(10));
  CHECK(s.ceiling(2) == Seconds(20));
  CHECK(s.ceiling(3) == Seconds(40));
  CHECK(s.ceiling(5) == Seconds(160));
  CHECK(s.ceiling(6) == Seconds(300));
  CHECK(s.ceiling(4000) == Seconds(300));
}

TEST_CASE("a fixed seed gives the same full-jitter schedule every time", "[outbox][retry]") {
  RetrySchedule a(policy(42));
  RetrySchedule b(policy(42));
  RetrySchedule c(policy(43));
  std::vector<std::int64_t> sa, sb, sc;
  for (std::uint32_t n = 1; n <= 8; ++n) {
    const Seconds wait = a.backoff(n);
    CHECK(wait >= Seconds(0));
    CHECK(wait <= a.ceiling(n));
    sa.push_back(wait.count());
    sb.push_back(b.backoff(n).count());
    sc.push_back(c.backoff(n).count());
  }
  CHECK(sa == sb);
  CHECK(sa != sc);
}

TEST_CASE("a retryable failure is planned after the jittered wait, then dead-lettered", "[outbox][retry]") {
  RetrySchedule s(policy(7));
  RetrySchedule twin(policy(7));
  const TimePoint now = 1'800'000'000;
  for (std::uint32_t done = 0; done < 4; ++done) {
    const Plan p = s.plan(item_after(done), DeliveryResult::retry("HTTP 503", std::nullopt, 503), now);
    CHECK(p.outcome == Outcome::RetryAt);
    CHECK(p.attempts == done + 1);
    CHECK(p.at == now + twin.backoff(done + 1).count());
  }
  const Plan last = s.plan(item_after(4), DeliveryResult::retry("HTTP 503"), now);
  CHECK(last.outcome == Outcome::DeadLetter);
  CHECK(last.attempts == 5);
  CHECK_THAT(last.reason, Catch::Contains("gave up after 5 attempts"));
}

TEST_CASE("Retry-After wins when longer than the backoff and is capped by the policy", "[outbox][retry]") {
  RetrySchedule s(policy(7));
  const TimePoint now = 1'800'000'000;
  Plan p = s.plan(item_after(0), DeliveryResult::retry("HTTP 429", Seconds(120), 429), now);
  CHECK(p.outcome == Outcome::RetryAt);
  CHECK(p.at == now + 120);
  p = s.plan(item_after(0), DeliveryResult::retry("HTTP 503", Seconds(999999), 503), now);
  CHECK(p.at == now + 3600);
}

TEST_CASE("delivered, gone and failed results are final", "[outbox][retry]") {
  RetrySchedule s(policy(7));
  CHECK(s.plan(item_after(0), DeliveryResult::delivered(200), 0).outcome == Outcome::Delivered);
  CHECK(s.plan(item_after(0), DeliveryResult::gone("HTTP 410"), 0).outcome == Outcome::Disable);
  CHECK(s.plan(item_after(0), DeliveryResult::failed("HTTP 400"), 0).outcome == Outcome::DeadLetter);
}

TEST_CASE("Retry-After is read as delay-seconds", "[outbox][retry-after]") {
  CHECK(parse_retry_after("120", 0) == Seconds(120));
  CHECK(parse_retry_after(" 0 ", 0) == Seconds(0));
  CHECK_FALSE(parse_retry_after("-5", 0));
  CHECK_FALSE(parse_retry_after("1.5", 0));
  CHECK_FALSE(parse_retry_after("", 0));
  CHECK_FALSE(parse_retry_after("soon", 0));
}

TEST_CASE("Retry-After is read as an HTTP-date in all three forms", "[outbox][retry-after]") {
  const TimePoint t = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example)
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", t - 30) == Seconds(30));
  CHECK(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", t - 30) == Seconds(30));
  CHECK(parse_retry_after("Sun Nov  6 08:49:37 1994", t - 30) == Seconds(30));
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 3600) == Seconds(3600));
  // A date already past means "now".
  CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", t + 100) == Seconds(0));
  CHECK_FALSE(parse_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", t));
  CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 25:49:37 GMT", t));
  CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 GMT", t));
}

TEST_CASE("idempotency keys are stable per effect and differ between effects", "[outbox][key]") {
  const std::string k = effect_idempotency_key("acme", "evt-1", 0);
  CHECK(k == effect_idempotency_key("acme", "evt-1", 0));
  CHECK(k.rfind("lf_", 0) == 0);
  CHECK(k.size() == 35);
  CHECK(k != effect_idempotency_key("acme", "evt-1", 1));
  CHECK(k != effect_idempotency_key("other", "evt-1", 0));
  CHECK(effect_idempotency_key("a|b", "c", 0) != effect_idempotency_key("a", "b|c", 0));
}
