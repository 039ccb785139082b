// Virtual-time execution for `leadflow dry-run` and `leadflow test`: lead loads, input events and
// the engine's timers in one queue ordered by (time, sequence), so the same input always gives
// the same timeline, byte for byte.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/capture.hpp"
#include "engine/engine.hpp"
#include "runtime/jsonl_input.hpp"
#include "runtime/timer_queue.hpp"

namespace leadflow::runtime {

struct SimulatorOptions {
  engine::TimePoint start = 0;  // virtual time begins here; earlier events are skipped
  engine::TimePoint until = 0;  // nothing due after this is processed
  std::string events_file;      // labels errors found while running (an unknown lead)
  bool trace = false;           // build the engine's trace lines (only dry-run --trace reads them)
};

struct SimulatorSink {
  // Gets each effect to keep (moved out of the engine's answer: no copy).
  std::function<void(engine::Effect&&)> effect;
  std::function<void(const engine::TraceLine&)> trace;  // may be empty: no trace wanted
};

// Runs every lead and event through one Engine. Leads are loaded at their `created_at` (not
// before `start`), or when their first event arrives if that is earlier. A capture without a
// lead gets a capture id `C-<n>` (n counts such captures in time order): when deduplication
// finds the person, a `merge` line says so and the event goes to the lead found; otherwise the
// lead `C-<n>` is created from the capture's data. An account-level event without a lead
// (`company_intent`) goes to every loaded lead of its domain, in load order.
class Simulator {
 public:
  Simulator(std::shared_ptr<const engine::Program> program, engine::Directory directory, SimulatorOptions options);

  void run(std::vector<LeadInput> leads, std::vector<EventInput> events, const SimulatorSink& sink,
           std::vector<InputError>& errors);

  // Loaded leads in load order, and their state after the run.
  const std::vector<std::string>& lead_order() const { return order_; }
  const engine::LeadState* lead(const std::string& id) const;
  const engine::TenantState& tenant() const { return tenant_; }
  std::size_t events_before_start() const { return before_start_; }
  std::size_t items_processed() const { return processed_; }

 private:
  struct LeadEntry {
    engine::LeadState state;
    bool loaded = false;
    // Where the lead is in order_, and the key it has in accounts_ ("" when it has none).
    std::size_t position = 0;
    std::string account;
    // The email, domain, first and last name last given to index_, and whether the lead got every
    // key it asked for then: while both hold, removing and adding it again changes nothing.
    std::array<engine::Value, 4> indexed;
    bool indexed_all = false;
    bool in_index = false;  // added to index_ at least once
    // index_removals_ when the lead was last added: a lead without every key it asked for gets
    // nothing new from being added again until another lead's keys came out of the index.
    std::uint64_t removals_seen = 0;
    // The domain and email `account` was worked out from (it is recomputed only when they change).
    std::array<engine::Value, 2> account_source;
    bool account_known = false;
  };

  // A timer the engine asked for, without the lead id string of engine::TimerRequest: a million
  // leads parked in a wait hold a million of these (issue 3 item 11c). The entry's map node
  // does not move, and its `position` in order_ gives the id back when the timer fires.
  struct StoredTimer {
    LeadEntry* entry = nullptr;
    std::uint64_t run_id = 0;
    std::uint64_t generation = 0;
    std::int32_t index = engine::no_index;
    engine::TimerKind kind = engine::TimerKind::RunWake;
  };

  // `entry` is the lead the result is for (its timers are that lead's).
  // Effects are moved out of `result` into the sink.
  void emit(engine::StepResult& result, engine::TimePoint now, const SimulatorSink& sink, LeadEntry* entry);
  LeadEntry* load(const std::string& id, engine::TimePoint now, const SimulatorSink& sink);
  void reindex(const std::string& id, LeadEntry& entry);
  bool holds_all_keys(const std::string& id, std::string_view email, std::string_view domain,
                      std::string_view first, std::string_view last) const;
  // Keeps accounts_ in step with the lead's domain (or its email's domain).
  void update_account(LeadEntry& entry);
  std::string account_domain(const engine::LeadState& state) const;
  void apply_event(EventInput& input, engine::TimePoint now, const SimulatorSink& sink,
                   std::vector<InputError>& errors);
  void capture(EventInput& input, engine::TimePoint now, const SimulatorSink& sink);
  std::string field_text(const engine::LeadState& state, std::string_view name) const;
  std::string_view field_view(const engine::LeadState& state, engine::Slot slot) const;

  std::shared_ptr<const engine::Program> program_;
  engine::Directory directory_;  // before engine_: the engine keeps a reference to it
  SimulatorOptions options_;
  engine::Engine engine_;
  engine::StepResult step_;  // the engine's output of one call, reused: clear() keeps its capacity
  engine::TenantState tenant_;
  engine::LeadIndex index_;
  std::uint64_t index_removals_ = 0;  // how often a lead's keys left index_ for other keys

  // Everything runs in (time, sequence) order, the sequence being the order things were queued:
  // loads in input order, then events in input order, then timers as the engine asks for them.
  // The inputs are all known before the run, so they are sorted once and only the timers need a
  // queue: at equal times a load goes before an event, and both before a timer. (A heap of a
  // million inputs cost 8% of a dry run in cache misses.)
  std::vector<LeadInput> leads_;
  std::vector<std::uint32_t> load_order_;  // leads_ positions by load time, then input order
  // Events by time, then input order; each is dropped once applied, so their memory goes as the
  // run goes (a million of them held 80 MB to the end in a vector).
  std::deque<EventInput> events_;
  std::vector<StoredTimer> timers_;
  std::vector<std::size_t> free_timers_;  // slots of timers_ already fired, for the next ones
  // Hashed: lead ids share long prefixes (`L-000123`), so ordered maps spent their time in memcmp.
  // Nothing iterates these (order_ is the load order); entries do not move once made.
  std::unordered_map<std::string, LeadEntry> entries_;
  std::unordered_map<std::string, std::size_t> pending_;  // lead id -> leads_ position, not yet loaded
  std::vector<std::string> order_;
  // Account-level events: loaded leads by lower-cased domain, as order_ positions (ascending).
  std::map<std::string, std::vector<std::size_t>, std::less<>> accounts_;
  engine::Slot email_slot_ = engine::no_index;
  engine::Slot domain_slot_ = engine::no_index;
  engine::Slot first_name_slot_ = engine::no_index;
  engine::Slot last_name_slot_ = engine::no_index;
  TimerQueue timer_queue_;  // slots of timers_
  std::uint64_t captures_ = 0;
  std::size_t before_start_ = 0;
  std::size_t processed_ = 0;
};

}  // namespace leadflow::runtime
