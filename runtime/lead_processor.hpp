// Applies batches of events (and due timers) to stored leads through the Engine, one transaction
// per batch: lead states, tenant state, new and fired timers, the event log, outbox and audit rows
// commit together or not at all. The semantics are the simulator's (runtime/simulator.hpp):
// captures deduplicate or create `C-<n>`, account-level events reach every lead of the domain in
// load order, and a timer due before an event's time fires before it, so `serve --ingest` writes
// the same effects as `dry-run` on the same input.
//
// Every lead, tenant and timer is kept in memory (loaded from the store at start): the store is
// the durable copy, written at commit. A failed commit reloads the memory from the store, so what
// was not committed is forgotten everywhere.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/capture.hpp"
#include "engine/engine.hpp"
#include "runtime/jsonl_input.hpp"
#include "runtime/store/lead_codec.hpp"
#include "runtime/store/store.hpp"

namespace leadflow::runtime {

// One event ready to apply: parsed against the live Program.
struct IncomingEvent {
  std::string tenant;
  std::string idempotency_key;  // empty: none given
  std::string body;             // the event JSON as logged (without the key)
  engine::Event event;
  std::size_t line = 0;         // 1-based within its request or file
};

// A request's or file's events, or the first problem found (HTTP refuses the whole batch then).
struct ParsedEvents {
  std::vector<IncomingEvent> events;
  std::vector<InputError> errors;
};

struct BatchOutcome {
  bool committed = true;         // false: nothing of the batch was kept
  std::string error;             // why not
  std::size_t applied = 0;       // events applied
  std::size_t duplicates = 0;    // events skipped: idempotency key seen before
  std::size_t timers_fired = 0;
  std::size_t effects = 0;
  std::vector<InputError> errors;  // events skipped (an unknown lead); lenient mode only
  // stage() only: the commit attempt that makes these events durable (see commit_state()).
  std::uint64_t commit_ticket = 0;
};

// Where a staged batch stands (group commit).
enum class CommitState : std::uint8_t { Pending, Committed, Failed };

struct ProcessorCounters {
  std::uint64_t events_applied = 0;
  std::uint64_t events_duplicate = 0;
  std::uint64_t timers_fired = 0;
  std::uint64_t commits = 0;
  std::uint64_t commit_failures = 0;
  std::map<std::string, std::uint64_t> effects_by_action;  // committed effects
  std::map<std::string, std::uint64_t> blocked_by_reason;
  std::uint64_t sla_breaches = 0;  // `sla` effects at level alert or reassign
  std::vector<double> speed_to_lead_seconds;  // capture → first assign, per lead (bounded)
};

class LeadProcessor {
 public:
  LeadProcessor(store::Store& store, std::shared_ptr<const engine::Program> program, engine::Directory directory);

  // Loads tenants, leads and timers from the store. Throws when the store cannot be read.
  void open();

  // A new Program for new enrollments (hot reload); runs in flight keep theirs. The old one is
  // kept for decoding runs pinned to it.
  void set_program(std::shared_ptr<const engine::Program> program);
  const std::shared_ptr<const engine::Program>& program() const { return program_; }
  // Programs this process knows by version (the live one and every earlier one).
  std::shared_ptr<const engine::Program> program_version(const std::string& version) const;

  // NDJSON (one event a line, or one JSON document) → events. Each line may carry
  // `idempotency_key` (a string); a missing `at` is `now`. `max_depth` limits nesting.
  ParsedEvents parse_events(const std::string& tenant, std::string_view ndjson, engine::TimePoint now,
                            std::size_t max_depth = 16) const;

  // Applies the events in order, firing due timers first (those due before each event's time and
  // not after `now`), and commits. `strict`: an event naming an unknown lead fails the whole batch
  // before anything is applied; otherwise it is skipped and reported in `errors`.
  BatchOutcome apply(std::vector<IncomingEvent> events, engine::TimePoint now, bool strict);

  // Group commit: applies like apply() but leaves the transaction open, so the events of several
  // requests commit (and fsync) together. The changes are in memory at once but durable only
  // when commit_state(outcome.commit_ticket) is Committed; a request must not be answered 2xx
  // before. Any commit (commit_staged(), fire_due(), the next apply()) takes them along; a failed
  // one forgets them, as it forgets everything uncommitted.
  BatchOutcome stage(std::vector<IncomingEvent> events, engine::TimePoint now, bool strict);
  BatchOutcome commit_staged();
  CommitState commit_state(std::uint64_t ticket) const;

  // `leadflow serve --ingest` with leads: loads and events merged in time order as dry-run does
  // (loads first at equal times), committed every `batch_size` items, then timers due by `now`.
  BatchOutcome ingest(std::vector<LeadInput> leads, std::vector<IncomingEvent> events, engine::TimePoint now,
                      std::size_t batch_size = 1000);

  // Fires every timer due at or before `now`, in (due, id) order, and commits.
  BatchOutcome fire_due(engine::TimePoint now);
  std::optional<engine::TimePoint> next_due() const;
  std::size_t pending_timers() const { return timers_.size(); }

  const engine::LeadState* lead(const std::string& tenant, const std::string& id) const;
  std::vector<std::string> lead_ids(const std::string& tenant) const;
  const engine::TenantState* tenant(const std::string& tenant) const;
  // Runs in flight per (version, workflow name), over every tenant.
  // Runs not done, by (version, workflow); of one tenant, or of all when `tenant` is null.
  std::map<std::pair<std::string, std::string>, std::size_t> runs_in_flight(const std::string* tenant = nullptr) const;
  std::size_t unassigned_leads() const;
  // Captures and those merged into an existing lead, over all tenants (the duplicate rate).
  std::pair<std::int64_t, std::int64_t> captures_and_duplicates() const;
  const ProcessorCounters& counters() const { return counters_; }
  const store::DecodeReport& decode_report() const { return decode_report_; }

  // Consulted by open() for a version runs are pinned to that this process has not compiled
  // (serve: recompiles the sources saved in the store); what it gives is kept like a reload's.
  std::function<std::shared_ptr<const engine::Program>(const std::string& version)> load_version;

  // The connectors an effect's outbox rows go to (serve: the config's routes, outbox::routes_for):
  // one row per connector, written in the effect's transaction, and a kind routed nowhere is
  // written Skipped. Unset, one unrouted row per effect (connector empty) that the relay routes.
  std::function<std::vector<std::string>(const std::string& action)> outbox_routes;

  // Called for each effect once its batch is committed (logs).
  std::function<void(const std::string& tenant, const engine::Effect&)> on_effect;

 private:
  struct TenantData {
    engine::TenantState state;
    engine::LeadIndex index;
    std::map<std::string, engine::LeadState> leads;
    std::map<std::string, std::int64_t> seq;  // load order
    std::vector<std::string> order;           // ids by seq
    std::uint64_t captures_seen = 0;
    std::int64_t next_seq = 0;
    // The dedup keys each lead is indexed under (email, domain, first and last name), so that
    // reindexing after an event that changed none of them costs a comparison, not a rebuild.
    std::map<std::string, std::array<std::string, 4>, std::less<>> indexed;
  };
  using TimerKey = std::pair<engine::TimePoint, std::int64_t>;  // (due, id)

  TenantData& tenant_data(const std::string& tenant);
  void emit(const std::string& tenant, engine::StepResult&& result, engine::TimePoint now, const std::string& source);
  // One outbox row per connector the effect is routed to (see outbox_routes).
  void add_outbox_rows(store::OutboxRow row);
  void reindex(TenantData& t, const std::string& id);
  void find_dedup_slots();
  std::string field_text(const engine::LeadState& state, std::string_view name) const;
  engine::LeadState* add_lead(const std::string& tenant, const std::string& id, std::vector<engine::Value> fields,
                              engine::TimePoint now, const std::string& source,
                              engine::Engine::Arrival arrival = engine::Engine::Arrival::Loaded);
  // False when the lead is unknown (error filled).
  bool apply_one(IncomingEvent& in, std::optional<InputError>& error);
  // False for a duplicate: the event's idempotency key was seen in this batch or in the store
  // (counted). Otherwise the key is taken for this batch.
  bool take_key(const IncomingEvent& in);
  // apply_one(), then the event's log row and key go into the batch; false (error appended) when
  // the lead is unknown.
  bool apply_and_log(IncomingEvent& in, engine::TimePoint received_at, std::string body,
                     std::vector<InputError>& errors);
  void capture(IncomingEvent& in);
  void fire_before(engine::TimePoint t, bool inclusive);
  bool known_lead(const IncomingEvent& in) const;
  BatchOutcome commit(BatchOutcome outcome);
  void reload();
  void clear_batch();  // after a commit, or before a reload drops what was not committed
  void encode_dirty_leads();

  store::Store& store_;
  std::shared_ptr<const engine::Program> program_;
  // The live Program's slots of the dedup keys (email, domain, first and last name), looked up
  // once per Program instead of by name on every reindex.
  std::array<engine::Slot, 4> dedup_slots_{};
  engine::Directory directory_;
  std::unique_ptr<engine::Engine> engine_;
  engine::StepResult step_;  // the engine's output of one call, reused: clear() keeps its capacity
  std::map<std::string, std::shared_ptr<const engine::Program>> versions_;

  std::map<std::string, TenantData> tenants_;
  std::map<TimerKey, store::TimerRow> timers_;
  std::int64_t next_timer_id_ = 0;
  std::int64_t next_event_id_ = 0;

  // The batch being built.
  store::Batch batch_;
  // Leads changed since they were last encoded, and the encoded states of the leads the batch
  // changed. A lead is encoded right after the event or timer that changed it, while its state
  // is still in the CPU cache; encoding every touched lead at commit, after the whole batch,
  // walked each one again from memory (the largest part of a commit).
  std::set<std::pair<std::string, std::string>> dirty_leads_;
  std::map<std::pair<std::string, std::string>, std::string> encoded_leads_;
  std::set<std::string> dirty_tenants_;
  std::set<std::pair<std::string, std::string>> batch_keys_;
  std::vector<std::pair<std::string, engine::Effect>> batch_effects_;
  std::size_t batch_timers_fired_ = 0;
  std::size_t batch_applied_ = 0;  // events in the batch: counted as applied once committed
  std::uint64_t commit_attempts_ = 0;
  std::set<std::uint64_t> failed_attempts_;
  std::map<std::pair<std::string, std::string>, engine::TimePoint> captured_at_;  // for speed-to-lead

  ProcessorCounters counters_;
  store::DecodeReport decode_report_;
};

// FNV-1a 64 as 16 hex digits (content hashes in the audit trail).
std::string content_hash(std::string_view text);

}  // namespace leadflow::runtime
