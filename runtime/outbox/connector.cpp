// Delivery results, the connector base (sync over async), retry planning and Retry-After parsing.
#include "runtime/outbox/connector.hpp"

#include <algorithm>
#include <cctype>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "runtime/outbox/audit.hpp"

namespace leadflow::runtime::outbox {

namespace asio = boost::asio;

std::string effect_idempotency_key(std::string_view tenant, std::string_view origin, std::uint64_t index) {
  // Length-prefixed parts: ("a|b", "c") and ("a", "b|c") must not collide.
  std::string material;
  for (std::string_view part : {tenant, origin}) {
    material += std::to_string(part.size());
    material += ':';
    material += part;
  }
  material += std::to_string(index);
  return "lf_" + sha256_hex(material).substr(0, 32);
}

const char* status_name(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::Delivered: return "delivered";
    case DeliveryStatus::Retry: return "retry";
    case DeliveryStatus::Gone: return "gone";
    case DeliveryStatus::Failed: return "failed";
  }
  return "failed";
}

DeliveryResult DeliveryResult::delivered(int http_status) {
  return DeliveryResult{DeliveryStatus::Delivered, std::nullopt, "delivered", http_status};
}
DeliveryResult DeliveryResult::retry(std::string reason, std::optional<Seconds> after, int http_status) {
  return DeliveryResult{DeliveryStatus::Retry, after, std::move(reason), http_status};
}
DeliveryResult DeliveryResult::gone(std::string reason, int http_status) {
  return DeliveryResult{DeliveryStatus::Gone, std::nullopt, std::move(reason), http_status};
}
DeliveryResult DeliveryResult::failed(std::string reason, int http_status) {
  return DeliveryResult{DeliveryStatus::Failed, std::nullopt, std::move(reason), http_status};
}

// ---------------------------------------------------------------- Connector

void Connector::async_deliver(OutboxItem item, Handler handler) {
  start(executor_, std::move(item), std::move(handler));
}

void Connector::async_deliver_batch(std::vector<OutboxItem> items, BatchHandler handler) {
  start_batch(executor_, std::move(items), std::move(handler));
}

namespace {

// Delivers items[i..] one after another, collecting results; then calls the handler.
struct Sequence : std::enable_shared_from_this<Sequence> {
  Connector* connector;
  std::vector<OutboxItem> items;
  std::vector<DeliveryResult> results;
  Connector::BatchHandler handler;
};

}  // namespace

void Connector::start_batch(asio::any_io_executor ex, std::vector<OutboxItem> items, BatchHandler handler) {
  auto seq = std::make_shared<Sequence>();
  seq->connector = this;
  seq->items = std::move(items);
  seq->handler = std::move(handler);
  seq->results.reserve(seq->items.size());
  // A self-referencing step function: each completion starts the next item.
  auto step = std::make_shared<std::function<void()>>();
  *step = [this, seq, ex, step]() mutable {
    if (seq->results.size() == seq->items.size()) {
      auto h = std::move(seq->handler);
      auto results = std::move(seq->results);
      *step = nullptr;  // break the cycle
      std::move(h)(std::move(results));
      return;
    }
    start(ex, seq->items[seq->results.size()], [seq, step](DeliveryResult r) {
      seq->results.push_back(std::move(r));
      (*step)();
    });
  };
  if (seq->items.empty()) {
    asio::post(ex, [step] { (*step)(); });
  } else {
    (*step)();
  }
}

DeliveryResult Connector::deliver(const OutboxItem& item) {
  asio::io_context io;
  std::optional<DeliveryResult> out;
  start(io.get_executor(), item, [&out](DeliveryResult r) { out = std::move(r); });
  io.run();
  return out ? std::move(*out) : DeliveryResult::retry("delivery did not complete");
}

std::vector<DeliveryResult> Connector::deliver_batch(const std::vector<OutboxItem>& items) {
  asio::io_context io;
  std::optional<std::vector<DeliveryResult>> out;
  start_batch(io.get_executor(), items, [&out](std::vector<DeliveryResult> r) { out = std::move(r); });
  io.run();
  if (!out) return std::vector<DeliveryResult>(items.size(), DeliveryResult::retry("delivery did not complete"));
  return std::move(*out);
}

// ---------------------------------------------------------------- RetrySchedule

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Delivered: return "delivered";
    case Outcome::RetryAt: return "retry";
    case Outcome::DeadLetter: return "dead_letter";
    case Outcome::Disable: return "disable";
  }
  return "dead_letter";
}

RetrySchedule::RetrySchedule(RetryPolicy policy) : policy_(policy), rng_(policy.seed) {}

Seconds RetrySchedule::ceiling(std::uint32_t attempts) const {
  const std::int64_t base = std::max<std::int64_t>(policy_.base.count(), 1);
  const std::int64_t cap = std::max<std::int64_t>(policy_.cap.count(), base);
  const std::uint32_t shift = attempts == 0 ? 0 : attempts - 1;
  // base * 2^shift without overflow: stop doubling at the cap.
  std::int64_t v = base;
  for (std::uint32_t i = 0; i < shift && v < cap; ++i) v *= 2;
  return Seconds(std::min(v, cap));
}

Seconds RetrySchedule::backoff(std::uint32_t attempts) {
  const std::uint64_t top = static_cast<std::uint64_t>(ceiling(attempts).count());
  // Modulo rather than std::uniform_int_distribution: the latter's algorithm differs between
  // standard libraries, and a seeded schedule should be the same everywhere. The bias of
  // 2^64 mod (top+1) is negligible for waits of hours.
  return Seconds(static_cast<std::int64_t>(rng_() % (top + 1)));
}

Plan RetrySchedule::plan(const OutboxItem& item, const DeliveryResult& result, TimePoint now) {
  Plan p;
  p.attempts = item.attempts + 1;
  p.reason = result.reason;
  switch (result.status) {
    case DeliveryStatus::Delivered:
      p.outcome = Outcome::Delivered;
      return p;
    case DeliveryStatus::Gone:
      p.outcome = Outcome::Disable;
      return p;
    case DeliveryStatus::Failed:
      p.outcome = Outcome::DeadLetter;
      return p;
    case DeliveryStatus::Retry:
      break;
  }
  if (p.attempts >= std::max<std::uint32_t>(policy_.max_attempts, 1)) {
    p.outcome = Outcome::DeadLetter;
    p.reason = result.reason + " (gave up after " + std::to_string(p.attempts) + " attempts)";
    return p;
  }
  Seconds wait = backoff(p.attempts);
  if (result.retry_after) {
    const Seconds asked = std::clamp(*result.retry_after, Seconds(0), policy_.max_retry_after);
    wait = std::max(wait, asked);
  }
  p.outcome = Outcome::RetryAt;
  p.at = now + wait.count();
  return p;
}

// ---------------------------------------------------------------- Retry-After

namespace {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The three HTTP-date forms of RFC 9110 §5.6.7 share their parts in different orders:
//   IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
//   RFC 850      Sunday, 06-Nov-94 08:49:37 GMT
//   asctime      Sun Nov  6 08:49:37 1994
// so tokens are classified by shape: month name, hh:mm:ss, then the first number is the day and
// the second the year.
std::optional<TimePoint> parse_http_date(std::string_view text) {
  static constexpr std::string_view months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                "jul", "aug", "sep", "oct", "nov", "dec"};
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == '-' || text[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != ',' && text[j] != '-' && text[j] != '\t') ++j;
    if (j > i) tokens.push_back(text.substr(i, j - i));
    i = j;
  }
  int month = -1, hh = -1, mm = -1, ss = -1;
  std::vector<std::string_view> numbers;
  bool gmt_or_asctime = false;
  for (std::string_view t : tokens) {
    if (all_digits(t)) {
      numbers.push_back(t);
    } else if (t.find(':') != std::string_view::npos) {
      if (t.size() != 8 || t[2] != ':' || t[5] != ':' || !all_digits(t.substr(0, 2)) ||
          !all_digits(t.substr(3, 2)) || !all_digits(t.substr(6, 2)))
        return std::nullopt;
      hh = std::stoi(std::string(t.substr(0, 2)));
      mm = std::stoi(std::string(t.substr(3, 2)));
      ss = std::stoi(std::string(t.substr(6, 2)));
    } else {
      const std::string l = lower(t);
      if (l == "gmt" || l == "utc") {
        gmt_or_asctime = true;
        continue;
      }
      bool found = false;
      for (int m = 0; m < 12; ++m) {
        if (l == months[m]) {
          month = m + 1;
          found = true;
        }
      }
      if (!found && l.size() < 3) return std::nullopt;  // weekday names are tolerated, not checked
    }
  }
  if (month < 0 || hh < 0 || numbers.size() != 2) return std::nullopt;
  if (numbers[0].size() > 2 || numbers[1].size() > 4) return std::nullopt;
  const int day = std::stoi(std::string(numbers[0]));
  int year = std::stoi(std::string(numbers[1]));
  if (numbers[1].size() == 2) {
    year += year < 70 ? 2000 : 1900;  // RFC 850's two-digit years
  } else if (numbers[1].size() != 4) {
    return std::nullopt;
  } else if (!gmt_or_asctime && tokens.back() != numbers[1]) {
    return std::nullopt;  // IMF/RFC 850 must say GMT; asctime ends with the year
  }
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 + hh * 3600 +
         mm * 60 + ss;
}

}  // namespace

std::optional<Seconds> parse_retry_after(std::string_view value, TimePoint now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (all_digits(value)) {
    if (value.size() > 9) return Seconds(999999999);  // absurd, clamped by the policy anyway
    return Seconds(std::stoll(std::string(value)));
  }
  const auto at = parse_http_date(value);
  if (!at) return std::nullopt;
  return Seconds(std::max<std::int64_t>(*at - now, 0));
}

}  // namespace leadflow::runtime::outbox
