// The outbox relay: route, claim with a lease, deliver asynchronously, record the outcome.
#include "runtime/outbox/relay.hpp"

#include <algorithm>
#include <chrono>
#include <random>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "runtime/outbox/outcome_audit.hpp"
#include "runtime/outbox/webhook.hpp"

namespace leadflow::runtime::outbox {

namespace asio = boost::asio;

std::string delivery_key(const store::OutboxRow& row) {
  // The row's key is the tenant, the cause (an event's idempotency key, which the client chose,
  // or a timer) and the effect's index. It goes into an HTTP header as it is when it can;
  // otherwise its hash, which is just as stable.
  const std::string& key = row.idempotency_key;
  const bool header_safe = !key.empty() && key.size() <= 255 &&
                           std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  return header_safe ? key : effect_idempotency_key(row.tenant, key, 0);
}

namespace {

OutboxItem item_of(const store::OutboxRow& row) {
  OutboxItem item;
  item.id = static_cast<std::uint64_t>(row.id);
  item.tenant = row.tenant;
  item.lead = row.lead;
  item.kind = row.action;
  item.connector = row.connector;
  item.body = row.payload;
  item.idempotency_key = delivery_key(row);
  // The claim already counted this attempt; the schedule wants the attempts made before it.
  item.attempts = row.attempts > 0 ? static_cast<std::uint32_t>(row.attempts - 1) : 0;
  item.next_attempt_at = row.next_attempt_at;
  return item;
}

RetryPolicy seeded(RetryPolicy policy) {
  if (policy.seed == 0) policy.seed = std::random_device{}() ^ static_cast<std::uint64_t>(
      std::chrono::steady_clock::now().time_since_epoch().count());
  return policy;
}

}  // namespace

Relay::Relay(store::Store& store, ConnectorRegistry& registry, asio::any_io_executor executor,
             std::function<TimePoint()> clock, RelayOptions options)
    : store_(store),
      registry_(registry),
      executor_(executor),
      clock_(std::move(clock)),
      options_(options),
      schedule_(seeded(registry.retry_policy())),
      timer_(executor) {
  options_.max_in_flight = std::max<std::size_t>(options_.max_in_flight, 1);
  options_.claim_batch = std::max<std::size_t>(options_.claim_batch, 1);
  // A claim must outlast the slowest batch: claim_batch rows at max_in_flight at a time, each
  // taking up to the connector's timeout.
  const auto rounds = static_cast<std::int64_t>((options_.claim_batch + options_.max_in_flight - 1) / options_.max_in_flight);
  for (const std::string& name : registry_.names()) {
    std::chrono::milliseconds timeout{0};
    if (const auto* w = dynamic_cast<const WebhookConnector*>(registry_.find(name))) timeout = w->config().timeout;
    if (const auto* s = dynamic_cast<const SlackConnector*>(registry_.find(name))) timeout = s->config().timeout;
    const Seconds needed = std::chrono::duration_cast<Seconds>(timeout) * rounds + Seconds(60);
    options_.lease = std::max(options_.lease, needed);
  }
}

Relay::~Relay() { flush(); }

void Relay::kick() {
  if (stopping_) return;
  if (kicking_) {
    kick_again_ = true;
    return;
  }
  kicking_ = true;
  do {
    kick_again_ = false;
    try {
      store_.route_outbox([this](const std::string& action) { return registry_.routes_for(action); });
      start_waiting();
      // Claim only when every claimed row has a slot: claimed rows wait under their lease.
      if (waiting_.empty() && !stopping_) {
        const TimePoint now = clock_();
        // Outcomes not yet written (a batch that just finished, its flush still posted) go into
        // the claim's transaction: one transaction per batch instead of two while a backlog lasts.
        // If it fails they are lost like a failed flush: the rows stay claimed until their lease.
        std::vector<store::OutboxOutcome> done = std::exchange(unrecorded_, {});
        std::vector<store::OutboxRow> rows =
            store_.record_and_claim_outbox(done, options_.claim_batch, now, now + options_.lease.count());
        more_due_ = rows.size() == options_.claim_batch;
        // A file sink writes and fsyncs a whole group at once; the others take one row per attempt.
        std::map<std::string, std::vector<store::OutboxRow>> files;
        std::vector<store::OutboxOutcome> refused;
        for (store::OutboxRow& row : rows) {
          Connector* connector = registry_.find(row.connector);
          if (connector == nullptr) {
            refused.push_back(outcome(row, DeliveryResult::failed("no connector named `" + row.connector + "` in the config")));
          } else if (!registry_.enabled(row.connector)) {
            refused.push_back(outcome(row, DeliveryResult::failed("connector `" + row.connector +
                                                                  "` is disabled (its endpoint answered 410)")));
          } else if (connector->type() == "jsonl") {
            files[row.connector].push_back(std::move(row));
          } else {
            waiting_.push_back(std::move(row));
          }
        }
        record(std::move(refused));
        for (auto& [name, group] : files) start_batch(*registry_.find(name), std::move(group));
        start_waiting();
        // Nothing started and the claim was full (every row refused): claim the next ones now.
        if (more_due_ && in_flight_ == 0 && waiting_.empty()) kick_again_ = true;
      }
    } catch (const std::exception& e) {
      // The store failed (disk, lock): rows stay as they were and the timer tries again.
      spdlog::error("outbox relay: {}", e.what());
      more_due_ = false;
    }
  } while (kick_again_ && !stopping_);
  kicking_ = false;
  arm_timer();
}

void Relay::start_waiting() {
  while (!waiting_.empty() && network_in_flight_ < options_.max_in_flight && !stopping_) {
    store::OutboxRow row = std::move(waiting_.front());
    waiting_.pop_front();
    start(std::move(row));
  }
}

void Relay::start(store::OutboxRow row) {
  Connector* connector = registry_.find(row.connector);
  if (connector == nullptr || !registry_.enabled(row.connector)) {
    // Disabled by a 410 while this row waited for a slot.
    record({outcome(row, DeliveryResult::failed("connector `" + row.connector + "` is disabled"))});
    return;
  }
  ++in_flight_;
  ++network_in_flight_;
  OutboxItem item = item_of(row);
  connector->async_deliver(std::move(item), [this, row = std::move(row)](DeliveryResult result) {
    --in_flight_;
    --network_in_flight_;
    record({outcome(row, result)});
    settled();
  });
}

void Relay::start_batch(Connector& connector, std::vector<store::OutboxRow> rows) {
  ++in_flight_;
  std::vector<OutboxItem> items;
  items.reserve(rows.size());
  for (const store::OutboxRow& row : rows) items.push_back(item_of(row));
  connector.async_deliver_batch(std::move(items), [this, rows = std::move(rows)](std::vector<DeliveryResult> results) {
    --in_flight_;
    std::vector<store::OutboxOutcome> outcomes;
    outcomes.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      outcomes.push_back(outcome(rows[i], i < results.size() ? results[i] : DeliveryResult::retry("no result from the connector")));
    }
    record(std::move(outcomes));
    settled();
  });
}

store::OutboxOutcome Relay::outcome(const store::OutboxRow& row, const DeliveryResult& result) {
  const TimePoint now = clock_();
  const Plan plan = schedule_.plan(item_of(row), result, now);
  std::lock_guard lock(counters_mutex_);
  RelayCounters::PerConnector& count = counters_.by_connector[row.connector];
  store::OutboxOutcome out{row.id, store::OutboxStatus::Dead, now, plan.reason, std::nullopt};
  switch (plan.outcome) {
    case Outcome::Delivered:
      out.status = store::OutboxStatus::Delivered;
      out.error.clear();
      out.audit = outcome_audit_row(row, now, delivered_outcome(row.connector));
      ++count.delivered;
      break;
    case Outcome::RetryAt:
      out.status = store::OutboxStatus::Pending;
      out.at = plan.at;
      ++count.retried;
      spdlog::warn("outbox: {} for lead {} via {}: {} (attempt {}, next at {})", row.action, row.lead,
                   row.connector, plan.reason, plan.attempts, engine::format_time(plan.at));
      break;
    case Outcome::DeadLetter:
      ++count.dead_lettered;
      spdlog::error("outbox: {} for lead {} via {} dead-lettered: {}", row.action, row.lead, row.connector, plan.reason);
      break;
    case Outcome::Disable:
      ++count.dead_lettered;
      if (registry_.enabled(row.connector)) {
        registry_.disable(row.connector);
        counters_.disabled.insert(row.connector);
        spdlog::error("outbox: connector {} disabled until restart: {}; its rows are dead-lettered", row.connector,
                      plan.reason);
      }
      break;
  }
  if (out.status == store::OutboxStatus::Dead) out.audit = outcome_audit_row(row, now, dead_outcome(row.connector, plan.reason));
  return out;
}

RelayCounters Relay::counters() const {
  std::lock_guard lock(counters_mutex_);
  return counters_;
}

void Relay::record(std::vector<store::OutboxOutcome> outcomes) {
  if (outcomes.empty()) return;
  for (store::OutboxOutcome& o : outcomes) unrecorded_.push_back(std::move(o));
  if (flush_posted_) return;
  flush_posted_ = true;
  asio::post(executor_, [this] {
    flush_posted_ = false;
    flush();
    if (stopping_) {
      if (in_flight_ == 0 && drained_) std::exchange(drained_, nullptr)();
    } else {
      arm_timer();  // the retry times just written may be the earliest
    }
  });
}

void Relay::flush() {
  if (unrecorded_.empty()) return;
  std::vector<store::OutboxOutcome> outcomes = std::move(unrecorded_);
  unrecorded_.clear();
  try {
    store_.record_outbox(outcomes);
  } catch (const std::exception& e) {
    // Not recorded: the rows stay claimed and are attempted again when their lease runs out.
    spdlog::error("outbox: cannot record {} delivery outcomes: {}", outcomes.size(), e.what());
  }
}

void Relay::settled() {
  if (stopping_) {
    if (in_flight_ == 0 && drained_) {
      flush();
      asio::post(executor_, std::exchange(drained_, nullptr));
    }
    return;
  }
  if (more_due_ || !waiting_.empty()) {
    kick();
  } else {
    arm_timer();
  }
}

void Relay::arm_timer() {
  if (!options_.arm_timer || stopping_) return;
  std::optional<TimePoint> next;
  try {
    next = store_.next_outbox_attempt();
  } catch (const std::exception& e) {
    spdlog::error("outbox relay: {}", e.what());
    next = clock_() + 5;  // look again soon
  }
  if (!next) {
    timer_.cancel();
    return;
  }
  // At least a second: the store counts in seconds, and a row due now is either in flight
  // (its lease is what is due) or waits for a free slot, which a completion will fill.
  const TimePoint wait = std::max<TimePoint>(*next - clock_(), 1);
  timer_.expires_after(std::chrono::seconds(wait));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !stopping_) kick();
  });
}

void Relay::stop(std::function<void()> drained) {
  stopping_ = true;
  timer_.cancel();
  // Claimed but never started: back to pending now rather than after the lease (the claim
  // counted an attempt all the same).
  std::vector<store::OutboxOutcome> released;
  for (const store::OutboxRow& row : waiting_) {
    released.push_back({row.id, store::OutboxStatus::Pending, clock_(), "not attempted: shutting down", std::nullopt});
  }
  waiting_.clear();
  record(std::move(released));
  flush();
  if (in_flight_ == 0) {
    asio::post(executor_, std::move(drained));
  } else {
    drained_ = std::move(drained);
  }
}

}  // namespace leadflow::runtime::outbox
