// The pure engine's entry points: apply an event or fire a due timer against one lead's state
// and get back effects, timers to set and a trace. No clock (time is a parameter), no I/O, no
// threads, no randomness: the same inputs give the same outputs in dry-run, test and serve.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "engine/index_map.hpp"
#include "engine/interned_text.hpp"
#include "engine/program.hpp"
#include "engine/text_key_map.hpp"
#include "engine/value.hpp"

namespace leadflow::engine {

using TimePoint = std::int64_t;  // Unix seconds, UTC
using StepIndex = std::uint32_t;

// ---------------------------------------------------------------- inputs

struct Event {
  TimePoint at = 0;
  std::int32_t type = no_index;  // index into Program::events
  std::string lead;              // lead id (resolved by capture/dedup for captures)
  std::vector<Value> data;       // by the event's declared field index; missing = null
};

// ---------------------------------------------------------------- lead state

// The texts are interned (engine/interned_text.hpp): a lead keeps one entry per score change, and
// its source, reason and rule are the same few texts of the program over and over.
struct ScoreEntry {
  InternedText source;  // "scoring fit", "workflow inbound_router", "decay"
  InternedText reason;
  std::int64_t points = 0;
  TimePoint at = 0;
  // The scoring rule behind it, "fit MODEL:LINE", "on MODEL:LINE" or "decay MODEL:LINE"; empty
  // for workflow steps. Lets engine/explain.* add the score up rule by rule.
  InternedText rule;
};

enum class RunStatus : std::uint8_t { Running, WaitingTimer, WaitingEvent, Done };

// One lead's progress through one workflow, pinned to the Program version it started on.
// Members are ordered by size (no padding holes): a million parked runs is the 256-bytes-a-run
// budget of issue 3 item 11c, and every byte here counts a million times.
struct Run {
  std::uint64_t id = 0;  // unique per lead (sequence)
  std::shared_ptr<const Program> program;
  TimePoint started_at = 0;
  TimePoint wake_at = 0;          // WaitingTimer, and the timeout of WaitingEvent
  std::uint64_t generation = 0;   // bumped on every wait: a RunWake timer of another generation is stale
  std::string workflow_name;      // for output and for policies across Program versions
  std::int32_t workflow = no_index;
  StepIndex node = 0;
  std::int32_t wait_event = no_index;  // WaitingEvent
  RunStatus status = RunStatus::Running;
  bool retry_step = false;        // WaitingTimer on a send held by the send window: redo `node`
};

// What the lead did with each workflow: for enrollment policies.
struct Enrollment {
  std::uint32_t count = 0;
  TimePoint last_enrolled_at = 0;
};

// A held-state trigger (`... unchanged for 30d`): since when its condition has been true.
struct HeldCondition {
  std::int32_t workflow = no_index;
  std::int32_t trigger = no_index;
  TimePoint since = 0;  // 0 when the condition does not hold
  bool fired = false;   // fired for this stretch; re-armed when the condition turns false
  std::uint64_t generation = 0;  // bumped whenever a stretch starts: older HeldTrigger timers are stale
};

struct SlaClock {
  std::int32_t sla = no_index;
  TimePoint started_at = 0;
  std::string owner;
  std::size_t next_level = 0;
  // Restarted for the owner an SLA reassignment picked: it reminds and alerts but does not
  // reassign again, so an unanswered lead cannot bounce between owners forever.
  bool after_reassign = false;
};

// What the engine remembers so that what did NOT happen can be explained afterwards
// (engine/explain.hpp): counters and last values only, never whole histories.
struct EventSeen {
  std::uint32_t count = 0;
  TimePoint last_at = 0;
};

// The last evaluation of one trigger of one workflow (an event trigger's `where`, a field edge).
struct TriggerCheck {
  TimePoint at = 0;
  std::int64_t longest_held = 0;  // `unchanged for`: the longest stretch that ended before firing
  TimePoint longest_since = 0;
  std::uint32_t failed = 0;   // evaluations that came out false
  bool result = false;
  // The evaluation as a trace line (text()), e.g. `when lead.score crosses above 30 → false
  // (score = 20, before 10)`. A field edge keeps what the line is made of (the trigger's text,
  // the field's name, the two values; interned texts, shared values) and the line is formatted
  // only when read (explain, the store): every score change evaluates the edges of every
  // workflow watching the score, and a formatted line per trigger was a tenth of a lead's state.
  // An event trigger's `where` line reads the event, so it is kept formatted in `line`, as is
  // every line read back from the store: shared and never changed in place, because most
  // entries (field edges) have none, and an empty shared_ptr is half an empty std::string.
  InternedText edge_trigger;  // empty unless the last evaluation was a field edge
  InternedText edge_field;
  Value edge_before, edge_after;
  std::shared_ptr<const std::string> line;

  std::string text() const;  // engine/explain.cpp
  bool has_text() const { return !edge_trigger.empty() || line != nullptr; }
  void set_line(std::string text) {
    line = text.empty() ? nullptr : std::make_shared<const std::string>(std::move(text));
  }
};

struct EnrollRefusal {
  std::uint32_t count = 0;
  TimePoint last_at = 0;
  std::string reason;  // the last one: `enroll once: already enrolled at ...`
};

struct RunEnd {
  std::uint64_t run = 0;
  TimePoint at = 0;
  std::string how;  // `done`, `stop at ID`, `exit when event replied`, ...
};

struct LeadFacts {
  IndexMap<EventSeen> events;             // event index -> arrivals
  TextKeyMap<TriggerCheck> triggers;      // "workflow#trigger index" -> last evaluation
  TextKeyMap<EnrollRefusal> refusals;     // workflow name -> enrollment policy refusals
  TextKeyMap<RunEnd> run_ends;            // workflow name -> how its last run ended
  std::vector<std::string> stages;                // stages entered, in first-entry order
};

struct LeadState {
  std::string tenant;
  std::vector<Value> fields;          // by slot; builtins (id, email, score, stage, owner...) included
  std::vector<ScoreEntry> score_log;  // every change of the score, with its reason
  std::vector<Run> runs;              // active and finished-this-step runs
  IndexMap<Enrollment> enrollments;  // workflow index -> history
  std::vector<HeldCondition> held;
  std::vector<SlaClock> slas;
  std::uint64_t next_run_id = 1;
  bool email_suppressed = false;  // unsubscribe or hard bounce: permanent
  // What each fit rule currently contributes ("model:line" -> its points), so the score is
  // explainable line by line and a rule that stops holding takes back what it added.
  TextKeyMap<std::int64_t> fit_points;
  // The score is fit_total + engagement_total shown clamped to 0..100: fit points add up
  // unclamped, engagement saturates (see Engine add_score). Started from the loaded score.
  std::int64_t fit_total = 0;
  std::int64_t engagement_total = 0;
  bool score_started = false;
  // The score the stage was last derived from (by-score stage sets).
  std::optional<std::int64_t> staged_score;
  // The engine's own bookkeeping of `fit_points` by rule number, so that a fit rule is evaluated
  // again only when a field it reads changed (or it reads the clock). Derived data: rebuilt from
  // `fit_points` when it was made by another Engine (or is empty); never persisted.
  struct FitCache {
    std::uint64_t engine = 0;               // Engine serial it belongs to; 0 = none
    std::uint32_t epoch = 0;                // bumped on every change seen of a watched field
    std::vector<Value> seen;                // by watched field: its value when last looked at
    std::vector<std::uint32_t> changed_at;  // by watched field: epoch of its last change
    std::vector<std::uint32_t> checked_at;  // by fit rule: epoch of its last evaluation
    std::vector<std::int64_t> points;       // by fit rule: what it contributes (fit_points)
    std::vector<std::uint8_t> holds;        // by fit rule: contributing (a key in fit_points)
  };
  FitCache fit_cache;
  // Decay rules applied ("model:line" -> start of the inactivity stretch it was applied for).
  TextKeyMap<TimePoint> decay_applied;
  LeadFacts facts;  // for explanations only; never read by the engine's decisions
};

// ---------------------------------------------------------------- shared tenant state

// Owners and their availability come from `owners.json` beside the workflows, not from .flow.
struct OwnerInfo {
  std::string id;    // e.g. an email address
  std::string team;
  std::int64_t capacity = 0;  // open leads at most; 0 = unlimited
  std::string timezone;
  std::optional<ClockWindow> hours;         // working hours in the owner's time zone
  std::vector<std::pair<TimePoint, TimePoint>> away;  // vacations [from, to)
  std::string manager;
};

struct Directory {
  std::map<std::string, OwnerInfo> owners;
  std::string tenant_timezone = "UTC";
  std::vector<std::int64_t> holidays;  // days since epoch, for calendars without their own
};

// State shared by every lead of a tenant; changes only through the engine, deterministically.
struct TenantState {
  std::map<std::int32_t, std::size_t> round_robin;    // team index -> next member position
  std::map<std::string, std::int64_t> open_leads;      // owner -> leads assigned and not closed
  std::map<std::string, std::int64_t> sent_today;      // "channel|sender|yyyy-mm-dd" -> count
  std::map<std::string, std::int64_t> actions_today;   // "yyyy-mm-dd" -> count
  std::int64_t captures = 0;
  std::int64_t duplicates = 0;  // captures merged into an existing lead
  // Account workflows' enrollments (engine/account_scope.hpp): "workflow|account" -> history.
  std::map<std::string, Enrollment> account_enrollments;
};

// ---------------------------------------------------------------- outputs

// An effect's fields in order. Every effect the engine makes has at most four, kept inline: an
// effect costs no allocation of its own when the StepResult it goes into is reused.
using EffectFields = boost::container::small_vector<std::pair<std::string, Value>, 4>;

// One line of the timeline (DESIGN.md "Dry-run output"): `action` plus its fields in order.
struct Effect {
  TimePoint at = 0;
  std::string lead;
  std::string workflow;  // empty = engine-level (null in JSON)
  std::string action;    // score stage set assign task email sms linkedin notify webhook enroll exit sla merge blocked
  EffectFields fields;
};

enum class TimerKind : std::uint8_t { RunWake, HeldTrigger, SlaLevel, Decay, SendWindow };

struct TimerRequest {
  TimePoint due = 0;
  std::string lead;
  TimerKind kind = TimerKind::RunWake;
  std::uint64_t run_id = 0;         // RunWake
  std::int32_t index = no_index;    // HeldTrigger: held[] position; SlaLevel: slas[] position
  std::uint64_t generation = 0;     // a timer whose generation no longer matches is stale
};

struct TraceLine {
  TimePoint at = 0;
  std::string lead;
  std::string workflow;
  std::string text;  // `lead.employees > 50 → true (employees = 120)`
};

struct StepResult {
  std::vector<Effect> effects;
  std::vector<TimerRequest> timers;
  std::vector<TraceLine> trace;

  // Empty again, keeping the vectors' capacity for the next call.
  void clear() {
    effects.clear();
    timers.clear();
    trace.clear();
  }
};

// ---------------------------------------------------------------- the engine

// Routing and governance live in engine/routing.* and engine/governance.*; the engine calls them
// through these hooks (set by default from those files when they exist), so each stays testable.
struct RouteDecision {
  bool assigned = false;
  std::string owner;
  std::string team;
  std::string rule;                 // the router rule's text, "otherwise", "fallback"
  std::vector<std::string> trace;   // decision lines, in order
};

enum class SendVerdictKind : std::uint8_t { Allowed, Blocked, HeldUntil };
struct SendVerdict {
  SendVerdictKind kind = SendVerdictKind::Allowed;
  std::string reason;   // Blocked / HeldUntil: e.g. "unsubscribed", "email cap 50 per sender per day"
  TimePoint until = 0;  // HeldUntil: when the send window opens
};

struct EngineHooks {
  std::function<RouteDecision(const Program&, std::int32_t router, LeadState&, TenantState&,
                              const Directory&, TimePoint now)>
      route;
  // channel: email sms linkedin; sender: the `from` of the step (may be empty).
  std::function<SendVerdict(const Program&, const std::string& channel, const std::string& sender,
                            LeadState&, TenantState&, const Directory&, TimePoint now)>
      govern;
};

// What the engine builds besides effects and timers.
struct EngineOptions {
  // Trace lines (StepResult::trace) are built only when true: set it when something reads them
  // (dry-run --trace, tests). The facts `explain` reads (LeadState::facts) are kept either way.
  bool trace = true;
};

// Applies events and due timers to one lead at a time. Holds the Program new runs start on;
// a run keeps the Program it started on (Run::program) until it ends.
class Engine {
 public:
  Engine(std::shared_ptr<const Program> program, const Directory& directory, EngineHooks hooks = {});
  Engine(std::shared_ptr<const Program> program, const Directory& directory, EngineHooks hooks,
         EngineOptions options);

  // How a lead appears. A captured lead (made from a capture event's data) starts no workflow
  // from the state it arrives in: the capture event applied right after is its first change, so
  // a hot inbound lead is not first nurtured for the fit points of its own form fields.
  enum class Arrival { Loaded, Captured };

  // Each entry point comes twice: one returns a fresh StepResult, the other appends to `out`, so a
  // caller that handles a stream of calls reuses one StepResult (clear() keeps its capacity) instead
  // of allocating its vectors again on every call.

  // A lead appears (loaded or captured): fit rules, stage, held-state triggers, decay timers.
  StepResult load(LeadState& lead, TenantState& tenant, TimePoint now, Arrival arrival = Arrival::Loaded);
  void load(LeadState& lead, TenantState& tenant, TimePoint now, Arrival arrival, StepResult& out);
  // An event of this lead; `event.at` is now.
  StepResult apply(LeadState& lead, TenantState& tenant, const Event& event);
  void apply(LeadState& lead, TenantState& tenant, const Event& event, StepResult& out);
  // An account workflow chose this lead (engine/account_scope.hpp): run the `for` body
  // `workflow` on it now, with the account event's data in scope. Refused only while an earlier
  // run of the same body is still active on the lead.
  StepResult start(LeadState& lead, TenantState& tenant, std::int32_t workflow, const Event& event,
                   const std::string& why);
  // A timer this engine asked for is due. Stale timers do nothing.
  StepResult fire(LeadState& lead, TenantState& tenant, const TimerRequest& timer, TimePoint now);
  void fire(LeadState& lead, TenantState& tenant, const TimerRequest& timer, TimePoint now, StepResult& out);

  const std::shared_ptr<const Program>& program() const { return program_; }
  const EngineOptions& options() const { return options_; }
  // Events that count as activity (update lead.last_activity_at): by name.
  static bool is_engagement_event(std::string_view name);

 private:
  struct Context;
  std::shared_ptr<const Program> program_;
  const Directory& directory_;
  EngineHooks hooks_;
  // Looked up once per Engine (its Program never changes), not on every call: the builtin slots
  // Context uses (in the order of `builtin_slot_names` in engine.cpp) and whether each event
  // type counts as activity.
  std::vector<Slot> slots_;
  std::vector<bool> engagement_;
  // Everything else derived from the Program once (fit rules by number, their keys and texts).
  struct Tables;
  std::shared_ptr<const Tables> tables_;
  struct Scratch;
  std::shared_ptr<Scratch> scratch_;  // buffers one call borrows (an Engine serves one call at a time)
  std::uint64_t serial_ = 0;  // unique per Engine: whose LeadState::fit_cache it is
  EngineOptions options_;
};

}  // namespace leadflow::engine
