// The outbox relay of `leadflow serve`: routes committed outbox rows still without a connector
// (the processor routes new ones as it writes them), claims due rows with a lease, delivers them
// on the io_context without blocking it, and stores what the RetrySchedule decides: delivered,
// retry at a time, dead-lettered, or dead-lettered with the connector disabled (HTTP 410), with
// an audit row for the final outcomes.
//
// Threads: every call but counters() and in_flight() on the executor's thread, and the store is
// used from there only (serve gives the relay its own thread, io_context and connection).
//
// At least once, per connector: a row is marked delivered only after its connector reported
// success, and a claim whose lease ran out (a crash mid-delivery) is claimed again. Every attempt
// of an effect, on every connector, carries the same idempotency key (`delivery_key`).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "runtime/outbox/connector.hpp"
#include "runtime/store/store.hpp"

namespace leadflow::runtime::outbox {

struct RelayOptions {
  std::size_t max_in_flight = 32;  // network attempts (webhook, Slack) started and not yet finished
  std::size_t claim_batch = 256;   // rows claimed at once; a file sink writes them with one fsync
  // How long a claim holds a row: at least this, and longer than a whole claimed batch can take
  // at the in-flight limit and the slowest connector's timeout, so that only a crash (never a
  // slow delivery) lets a row be claimed twice.
  Seconds lease{120};
  bool arm_timer = true;  // wake up for retries by itself (tests advance a fake clock instead)
};

// Per-connector outcomes since start, for /metrics.
struct RelayCounters {
  struct PerConnector {
    std::uint64_t delivered = 0;
    std::uint64_t retried = 0;
    std::uint64_t dead_lettered = 0;
  };
  std::map<std::string, PerConnector> by_connector;
  std::set<std::string> disabled;  // connectors turned off by an HTTP 410
};

// The key receivers dedupe by (`webhook-id`, the JSONL line's `key`): the outbox row's key
// (tenant/cause/index) when it is printable ASCII without spaces and at most 255 bytes, else
// `lf_` + 32 hex digits of its SHA-256. The same on every attempt, connector and restart.
std::string delivery_key(const store::OutboxRow& row);

class Relay {
 public:
  Relay(store::Store& store, ConnectorRegistry& registry, boost::asio::any_io_executor executor,
        std::function<TimePoint()> clock, RelayOptions options = {});
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Routes unrouted rows and starts deliveries for every due row, up to the in-flight limit; later
  // completions start the rest. Call after every commit; the retry timer calls it too.
  void kick();
  // No more claims; `drained` runs (on the executor) once the deliveries in flight finished.
  void stop(std::function<void()> drained);

  // Attempts started and not finished (a file sink's batch counts once). Any thread may ask.
  std::size_t in_flight() const { return in_flight_.load(); }
  // Nothing in flight, nothing claimed waiting for a slot, nothing due left to claim (rows
  // waiting for a retry time may remain).
  bool idle() const { return in_flight_ == 0 && waiting_.empty() && !more_due_ && unrecorded_.empty(); }
  // A copy: the service's metrics read them on its own thread while the relay runs on another.
  RelayCounters counters() const;
  const RelayOptions& options() const { return options_; }

 private:
  void start_waiting();
  void start(store::OutboxRow row);
  void start_batch(Connector& connector, std::vector<store::OutboxRow> rows);
  store::OutboxOutcome outcome(const store::OutboxRow& row, const DeliveryResult& result);
  // Outcomes are written together once per turn of the event loop: one transaction (one fsync)
  // for every delivery that finished meanwhile.
  void record(std::vector<store::OutboxOutcome> outcomes);
  void flush();
  void settled();
  void arm_timer();

  store::Store& store_;
  ConnectorRegistry& registry_;
  boost::asio::any_io_executor executor_;
  std::function<TimePoint()> clock_;
  RelayOptions options_;
  RetrySchedule schedule_;
  boost::asio::steady_timer timer_;
  mutable std::mutex counters_mutex_;
  RelayCounters counters_;  // under counters_mutex_
  std::atomic<std::size_t> in_flight_ = 0;
  std::size_t network_in_flight_ = 0;
  std::deque<store::OutboxRow> waiting_;  // claimed network rows waiting for a free slot
  std::vector<store::OutboxOutcome> unrecorded_;
  bool flush_posted_ = false;
  bool more_due_ = false;  // the last claim was full: more rows may be due
  bool kicking_ = false;
  bool kick_again_ = false;
  bool stopping_ = false;
  std::function<void()> drained_;
};

}  // namespace leadflow::runtime::outbox
