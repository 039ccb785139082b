// The outbox's delivery contract: what a pending effect looks like, what a delivery attempt
// reports, the connectors that perform it, which effect kinds go to which connector, and when a
// failed delivery is tried again. The relay (runtime/service) claims rows, calls a connector,
// and stores what `RetrySchedule::plan` says; connectors never touch the store.
//
// Delivery is at least once: a crash between a connector's success and the store marking the
// row delivered sends it again. Every item carries an idempotency key, stable per effect, that
// receivers dedupe by (it is the Standard Webhooks `webhook-id` and the JSONL line's `key`).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>

#include "engine/engine.hpp"

namespace leadflow::runtime::outbox {

using TimePoint = engine::TimePoint;  // Unix seconds, UTC
using Seconds = std::chrono::seconds;

// One effect bound for one connector (an effect routed to two connectors is two items with the
// same idempotency key).
struct OutboxItem {
  std::uint64_t id = 0;         // the store's row id
  std::string tenant;
  std::string lead;
  std::string kind;             // the effect's action: email notify webhook assign score ...
  std::string connector;        // ConnectorRegistry name this item is routed to
  std::string body;             // the effect as JSON (runtime/timeline.hpp effect_jsonl)
  std::string idempotency_key;  // stable per effect: effect_idempotency_key()
  std::uint32_t attempts = 0;   // attempts made before this one
  TimePoint next_attempt_at = 0;
  TimePoint created_at = 0;
};

// `lf_` + 32 hex digits of SHA-256(tenant, origin, index): the same effect of the same event
// (or timer) gets the same key on every replay. `origin` is what caused the effect and is
// unique per tenant: the event's idempotency key, or a timer's identity.
std::string effect_idempotency_key(std::string_view tenant, std::string_view origin, std::uint64_t index);

enum class DeliveryStatus : std::uint8_t {
  Delivered,  // 2xx / written: mark delivered
  Retry,      // transient (5xx, 429, 408, timeout, connection refused): try again later
  Gone,       // 410: the endpoint asked never to be called again; disable the connector
  Failed,     // permanent (other 4xx, bad config, refused URL): dead-letter now
};

const char* status_name(DeliveryStatus status);  // "delivered" "retry" "gone" "failed"

struct DeliveryResult {
  DeliveryStatus status = DeliveryStatus::Delivered;
  std::optional<Seconds> retry_after;  // Retry: the receiver's Retry-After, already parsed
  std::string reason;                  // "HTTP 503", "timeout", "refused: loopback address 127.0.0.1"
  int http_status = 0;                 // 0 when no response

  static DeliveryResult delivered(int http_status = 0);
  static DeliveryResult retry(std::string reason, std::optional<Seconds> after = std::nullopt, int http_status = 0);
  static DeliveryResult gone(std::string reason, int http_status = 410);
  static DeliveryResult failed(std::string reason, int http_status = 0);
};

// A destination. `async_deliver` runs on the executor given at construction and completes there;
// `deliver` is the same thing run to completion on a private io_context (tests, CLI tools).
// Connectors do not retry by themselves: one call = one attempt.
class Connector {
 public:
  using Handler = boost::asio::any_completion_handler<void(DeliveryResult)>;
  using BatchHandler = boost::asio::any_completion_handler<void(std::vector<DeliveryResult>)>;

  explicit Connector(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}
  virtual ~Connector() = default;
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  virtual std::string_view type() const = 0;  // "jsonl" "webhook" "slack"

  void async_deliver(OutboxItem item, Handler handler);
  // Several items, results in the same order. The default delivers them one after another; the
  // JSONL sink writes them all and fsyncs once.
  void async_deliver_batch(std::vector<OutboxItem> items, BatchHandler handler);

  DeliveryResult deliver(const OutboxItem& item);
  std::vector<DeliveryResult> deliver_batch(const std::vector<OutboxItem>& items);

  const boost::asio::any_io_executor& executor() const { return executor_; }

 protected:
  // One attempt on `ex`; `handler` is called exactly once, on `ex`.
  virtual void start(boost::asio::any_io_executor ex, OutboxItem item, Handler handler) = 0;
  virtual void start_batch(boost::asio::any_io_executor ex, std::vector<OutboxItem> items, BatchHandler handler);

 private:
  boost::asio::any_io_executor executor_;
};

// ---------------------------------------------------------------- retry policy

struct RetryPolicy {
  std::uint32_t max_attempts = 10;   // dead-letter when this many attempts have failed
  Seconds base{5};                   // first retry waits up to `base`
  Seconds cap{3600};                 // no single wait longer than this (before Retry-After)
  Seconds max_retry_after{86400};    // a receiver's Retry-After is honoured up to this
  std::uint64_t seed = 0;            // jitter RNG seed (0 = seeded from the clock by the caller)
};

enum class Outcome : std::uint8_t {
  Delivered,   // mark delivered
  RetryAt,     // keep pending with attempts + 1 and next_attempt_at = at
  DeadLetter,  // give up on this item: failed permanently or out of attempts
  Disable,     // 410: dead-letter the item and disable its connector (endpoint gone)
};

const char* outcome_name(Outcome outcome);  // "delivered" "retry" "dead_letter" "disable"

struct Plan {
  Outcome outcome = Outcome::Delivered;
  TimePoint at = 0;    // RetryAt: the next attempt
  std::uint32_t attempts = 0;  // attempts made, including this one
  std::string reason;
};

// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
// the wait before attempt n+1 is uniform in [0, min(cap, base * 2^(n-1))] seconds, drawn from a
// seeded generator so a test sees a fixed schedule. A receiver's Retry-After wins when longer.
// Not thread-safe: one per relay.
class RetrySchedule {
 public:
  explicit RetrySchedule(RetryPolicy policy);

  // The item's attempt just finished with `result` at `now`.
  Plan plan(const OutboxItem& item, const DeliveryResult& result, TimePoint now);
  // The jittered wait after the `attempts`-th failed attempt (attempts >= 1).
  Seconds backoff(std::uint32_t attempts);
  // The ceiling of that wait before jitter.
  Seconds ceiling(std::uint32_t attempts) const;

  const RetryPolicy& policy() const { return policy_; }

 private:
  RetryPolicy policy_;
  std::mt19937_64 rng_;
};

// `Retry-After` as delay-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT", also
// the obsolete RFC 850 and asctime forms), relative to `now`. A date in the past is 0 seconds;
// anything else unparseable is nullopt.
std::optional<Seconds> parse_retry_after(std::string_view value, TimePoint now);

// ---------------------------------------------------------------- configuration and registry

struct JsonlConfig {
  std::string path = "outbox.jsonl";
  // true ("format": "envelope"): `{"key":...,"tenant":...,"lead":...,"kind":...,"effect":EFFECT}`,
  // deduplicated by key across restarts. false ("format": "effect"): the effect line alone, the
  // bytes `dry-run --format jsonl` prints (the `sinks.jsonl` / `--sink` shorthand); a crash
  // between the write and the relay's bookkeeping can repeat a line.
  bool envelope = true;
};

struct WebhookConfig {
  std::string url;                    // http:// or https://
  std::vector<std::string> secrets;   // `whsec_<base64>`; one signature per secret (rotation)
  std::chrono::milliseconds timeout{10000};  // whole attempt: resolve, connect, TLS, write, read
  bool allow_private = false;         // allow loopback/private/link-local targets (tests, LAN)
  // Post to the effect's own `to` field (a `webhook "URL"` step) instead of `url`; the URL guard
  // applies to it all the same.
  bool use_effect_url = false;
  std::string user_agent = "leadflow-webhook/1";
};

struct SlackConfig {
  std::string url;  // https://hooks.slack.com/services/...
  std::chrono::milliseconds timeout{10000};
  bool allow_private = false;
};

struct ConnectorConfig {
  std::string name;
  std::string type;  // "jsonl" "webhook" "slack"
  JsonlConfig jsonl;
  WebhookConfig webhook;
  SlackConfig slack;
};

// examples/connectors.json:
//   {"connectors": {"file": {"type": "jsonl", "path": "outbox.jsonl"},
//                   "crm":  {"type": "webhook", "url": "https://...", "secrets": ["whsec_..."]},
//                   "ops":  {"type": "slack", "url": "https://hooks.slack.com/services/..."}},
//    "routes": {"notify": ["ops", "file"], "webhook": ["crm"], "*": ["file"]},
//    "retry": {"max_attempts": 10, "base_seconds": 5, "cap_seconds": 3600, "seed": 0},
//    "allow_private_targets": false}
// A kind without a route takes the "*" route; without a "*" route, everything goes to a JSONL
// sink at "outbox.jsonl". `"routes": {"score": []}` keeps a kind out of the outbox.
struct RegistryConfig {
  std::vector<ConnectorConfig> connectors;
  std::map<std::string, std::vector<std::string>> routes;  // effect kind or "*" -> connector names
  RetryPolicy retry;
  bool allow_private_targets = false;  // overrides every connector's allow_private when true
};

struct ConfigError {
  std::string field;    // JSON path: "connectors.crm.url"
  std::string message;  // "expected an http:// or https:// URL"
};

// Parses the JSON above; relative JSONL paths are taken relative to `base_dir`. Errors are
// values, all of them at once.
std::optional<RegistryConfig> parse_registry_config(std::string_view json, const std::string& base_dir,
                                                    std::vector<ConfigError>& errors);
// One jsonl connector named "file" for every kind. `envelope` as in JsonlConfig.
RegistryConfig default_registry_config(const std::string& jsonl_path = "outbox.jsonl", bool envelope = true);

// Connector names for an effect kind, in the configured order (empty: not delivered): the
// kind's route, else the "*" route, else none. Pure: the processor routes its outbox rows by it
// when it builds them, the relay by it for rows written unrouted by an older version.
const std::vector<std::string>& routes_for(const RegistryConfig& config, std::string_view kind);

class ConnectorRegistry {
 public:
  ConnectorRegistry(const RegistryConfig& config, boost::asio::any_io_executor executor);
  ~ConnectorRegistry();

  // Connector names for an effect kind, in the configured order (empty: not delivered).
  const std::vector<std::string>& routes_for(std::string_view kind) const;
  Connector* find(std::string_view name) const;
  // 410 seen: the connector stays registered but `enabled` turns false until a reload.
  void disable(std::string_view name);
  bool enabled(std::string_view name) const;
  std::vector<std::string> names() const;
  const RetryPolicy& retry_policy() const { return config_.retry; }

 private:
  RegistryConfig config_;
  std::map<std::string, std::unique_ptr<Connector>, std::less<>> connectors_;
  std::map<std::string, bool, std::less<>> enabled_;
};

}  // namespace leadflow::runtime::outbox
