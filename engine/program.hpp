// The engine's IR: one immutable, compiled set of .flow files, shared by the runs pinned to it.
//
// `dsl/lower.cpp` builds it from a checked AST; nothing here refers back to the AST or looks a
// name up at run time: fields are slots, events/workflows/routers/teams/SLAs/calendars are
// indices into the vectors below, and expressions are flat `ExprCode`. Names are kept for
// output (traces, effects, graph export) and for binding external input (JSON leads, events).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/expr_code.hpp"
#include "engine/value.hpp"

namespace leadflow::engine {

using Slot = std::int32_t;
inline constexpr std::int32_t no_index = -1;

class WorkflowGraph;  // engine/workflow_graph.hpp (the only header that includes Boost.Graph)
struct AccountPlan;   // engine/account_scope.hpp

// ---------------------------------------------------------------- schema

struct FieldDef {
  std::string name;
  ValueKind type = ValueKind::Null;     // Null when the checker could not type it
  ValueKind element = ValueKind::Null;  // for List
  Slot slot = no_index;
  bool builtin = false;  // id, email, score, stage, owner, ... (engine-managed)
};

// `set lead.x = expr` of an event declaration (or a `set` step): the value is evaluated with the
// event's data in scope, before any workflow sees the event.
struct FieldAssignment {
  Slot slot = no_index;
  ExprCode value;
};

struct EventDef {
  std::string name;
  std::int32_t index = no_index;
  std::vector<FieldDef> fields;  // `slot` is the index in the event's data record
  std::vector<FieldAssignment> sets;
};

struct ConstDef {
  std::string name;
  Value value;
};

// A clock range within a day, minutes after local midnight (`09:00..17:30`).
struct ClockWindow {
  int begin_minute = 0;
  int end_minute = 0;
};

// ---------------------------------------------------------------- workflows

enum class TriggerKind : std::uint8_t {
  Event,      // `when form_submitted [where ...]`
  Becomes,    // `when lead.stage becomes "mql"`: the field changes to the value
  Crosses,    // `when lead.score crosses [above|below] 50`
  Unchanged,  // `when lead.stage == "opportunity" unchanged for 30d`
  Condition,  // the condition turns from false to true (not produced by lowering today: the
              // checker asks for `becomes`, `crosses` or `unchanged for` instead)
};

struct TriggerDef {
  TriggerKind kind = TriggerKind::Event;
  std::string text;                    // the trigger as written, for traces and labels
  std::int32_t event = no_index;       // Event
  std::optional<ExprCode> where;       // Event: filter with the event's data in scope
  Slot field = no_index;               // Becomes / Crosses
  ExprCode value;                      // Becomes: target; Crosses: threshold
  bool below = false;                  // Crosses below
  ExprCode condition;                  // Unchanged / Condition
  std::int64_t held_seconds = 0;       // Unchanged
};

enum class EnrollPolicyKind : std::uint8_t { Once, Always, AgainAfter };

struct EnrollPolicyDef {
  // Without an `enroll` header a lead enters a workflow once (the safe default for outreach).
  EnrollPolicyKind kind = EnrollPolicyKind::Once;
  std::int64_t cooldown_seconds = 0;  // AgainAfter
};

struct ExitDef {
  std::vector<std::int32_t> events;  // `exit when event replied, unsubscribed` (sorted, unique)
  std::vector<ExprCode> conditions;  // `exit when lead.unsubscribed or ...` (checked on every change)
};

enum class StepKind : std::uint8_t {
  Start, End,
  Score, Stage, Set, Tag, Assign, Task, Send, Notify, Webhook, Validate, Enrich, Enroll, Wait,
  If,      // the first condition of an if statement
  ElseIf,  // each `else if` arm's condition
  Stop,
  For,     // `for ... of account` in an account workflow's graph (shown, never run per lead)
};
// The keyword used in node ids and graph output: "start", "score", ..., "if", "elif", "stop".
const char* step_kind_name(StepKind kind);

struct ScoreStep {
  std::int64_t points = 0;
  std::string reason;
};

struct StageStep {
  std::string stage;
  std::string reason;
};

struct SetStep {
  Slot slot = no_index;
  std::string field;
  ExprCode value;
};

struct TagStep {
  std::string tag;
};

enum class AssignMode : std::uint8_t { Router, Team, Owner };

struct AssignStep {
  AssignMode mode = AssignMode::Router;
  std::int32_t router = no_index;  // Router
  std::int32_t team = no_index;    // Team
  ExprCode owner;                  // Owner
  std::int32_t sla = no_index;     // `with sla NAME`
};

struct TaskStep {
  ExprCode title;                // a string, possibly interpolated
  std::optional<ExprCode> due;   // a duration from now (or a time)
  std::optional<ExprCode> owner;
  std::string priority;
};

struct SendStep {
  std::string channel;  // email, sms, linkedin
  std::string template_name;
  std::string sender;   // `from`
  std::optional<ExprCode> to;
};

enum class NotifyTarget : std::uint8_t { Channel, Owner, Manager };

struct NotifyStep {
  NotifyTarget target = NotifyTarget::Channel;
  std::string channel;      // Channel: e.g. slack
  std::string destination;  // Channel: e.g. "#sales-alerts"
  ExprCode message;
};

struct WebhookStep {
  std::string url;
};

struct EnrollStep {
  std::int32_t workflow = no_index;
  std::string name;
};

enum class WaitMode : std::uint8_t { Duration, BusinessDays, BusinessHours, Until, ForEvent };

struct WaitStep {
  WaitMode mode = WaitMode::Duration;
  // Duration: a duration; BusinessDays/Hours: an int count; Until: a time; ForEvent: the limit.
  ExprCode amount;
  std::int32_t calendar = no_index;  // business waits: `using NAME` (none: the default calendar)
  std::int32_t event = no_index;     // ForEvent
  std::optional<ExprCode> where;     // ForEvent filter (event data in scope)
  bool has_timeout_block = false;    // ForEvent: `on timeout { ... }` was written
};

struct BranchStep {
  ExprCode condition;
};

using StepPayload = std::variant<std::monostate, ScoreStep, StageStep, SetStep, TagStep, AssignStep,
                                 TaskStep, SendStep, NotifyStep, WebhookStep, EnrollStep, WaitStep,
                                 BranchStep>;

// A vertex of a workflow graph.
struct Step {
  StepKind kind = StepKind::Start;
  std::string id;         // stable, from the source: `inbound_router/if@12/then/assign@14`
  std::uint32_t line = 0; // line of the step's keyword (start: the workflow's; end: its `}`)
  std::string label;      // the step as written, in short: `send email "what_to_expect"`
  StepPayload payload;    // monostate for Start, End, Validate, Enrich, Stop
};

struct Workflow {
  std::string name;
  std::int32_t index = no_index;
  std::string file;   // source path
  std::uint32_t line = 0;
  std::vector<TriggerDef> triggers;
  EnrollPolicyDef policy;
  ExitDef exits;
  std::shared_ptr<const WorkflowGraph> graph;  // never null in a lowered Program
  // `disable workflow NAME`: lowered without its triggers, so only an explicit `enroll` starts it.
  bool disabled = false;
  // An account workflow (`enroll ... per account`): decided once per account event by
  // engine/account_scope.hpp, never run per lead (its graph is for display). Null otherwise.
  std::shared_ptr<const AccountPlan> account;
  // The body of a `for` step of the account workflow with this index: a per-lead workflow with
  // the same name, started only by that step (Engine::start). no_index otherwise.
  std::int32_t body_of = no_index;
};

// ---------------------------------------------------------------- scoring and stages

struct FitRule {
  ExprCode condition;
  std::int64_t points = 0;
  std::string reason;
  std::uint32_t line = 0;
};

struct EventPointsRule {
  std::int32_t event = no_index;
  std::optional<ExprCode> where;
  std::int64_t points = 0;
  std::string reason;  // may be empty
  std::uint32_t line = 0;
};

struct DecayRule {
  std::int64_t after_seconds = 0;  // no activity for this long
  std::int64_t points = 0;
  std::string reason;
  std::uint32_t line = 0;
};

struct ScoringModel {
  std::string name;
  std::vector<FitRule> fit;
  std::vector<EventPointsRule> on_event;
  std::vector<DecayRule> decay;
};

struct StageBand {
  std::string name;
  std::int64_t low = 0;   // by score: inclusive bounds
  std::int64_t high = 0;
};

struct StageSet {
  std::string name;      // "default" when unnamed
  bool by_score = false; // else an ordered pipeline (bands hold names only)
  std::vector<StageBand> bands;
};

// ---------------------------------------------------------------- routing, teams, SLAs

enum class RouteTargetKind : std::uint8_t { Team, RoundRobin, Manager, Owner };

struct RouteTarget {
  RouteTargetKind kind = RouteTargetKind::Owner;
  std::int32_t team = no_index;
  bool skip_away = false;
  bool skip_at_capacity = false;
  ExprCode owner;  // Owner
};

struct RouteRule {
  std::optional<ExprCode> condition;  // none for `otherwise`
  RouteTarget target;
  std::string text;  // the condition as written, or "otherwise" (the `rule` of an assign line)
  std::uint32_t line = 0;
};

struct Router {
  std::string name;
  std::vector<RouteRule> rules;
  std::optional<RouteTarget> fallback;
};

struct Team {
  std::string name;
  std::string manager;
  std::vector<std::string> members;
  std::int64_t capacity = 0;  // 0 = unlimited
  std::string timezone;
  std::optional<ClockWindow> hours;
};

enum class SlaAction : std::uint8_t { RemindOwner, AlertManager, AlertTeam, Reassign, Notify };

struct SlaLevel {
  double percent = 0;             // 50 means half of the SLA's duration
  std::int64_t after_seconds = 0; // percent of the duration, rounded to whole seconds
  SlaAction action = SlaAction::RemindOwner;
  std::string channel;  // Notify
  std::string target;   // Notify
};

struct Sla {
  std::string name;
  std::int64_t seconds = 0;
  std::int32_t start_event = no_index;  // no_index: starts on assign
  std::int32_t stop_event = no_index;   // no_index: stops on the first activity
  std::vector<SlaLevel> levels;         // in ascending percent
};

struct Calendar {
  std::string name;
  std::string timezone;  // empty: the lead's time zone, then the tenant's
  int first_workday = 1; // 0 = Sunday .. 6 = Saturday
  int last_workday = 5;
  std::optional<ClockWindow> hours;
  std::vector<std::int64_t> holidays;  // days since 1970-01-01, ascending, unique
};

struct CapDef {
  std::string channel;  // email, sms, linkedin, actions
  std::int64_t limit = 0;
  bool per_sender = false;
};

struct Governance {
  bool declared = false;
  std::string timezone;
  std::vector<CapDef> caps;
  std::optional<ClockWindow> send_window;
};

// ---------------------------------------------------------------- the program

class Program {
 public:
  // FNV-1a (64-bit, hex) over the source texts in load order: tells hot-reloaded versions apart.
  std::string version;
  std::vector<std::string> files;  // source paths in load order

  std::vector<FieldDef> lead_fields;  // by slot
  std::vector<EventDef> events;       // by index
  std::vector<ConstDef> constants;
  std::vector<Workflow> workflows;    // in source order
  std::vector<ScoringModel> scorings;
  std::vector<std::int32_t> active_scorings;  // indices into scorings
  std::vector<StageSet> stage_sets;
  std::int32_t active_stages = no_index;      // index into stage_sets
  std::vector<Router> routers;
  std::vector<Team> teams;
  std::vector<Sla> slas;
  std::vector<Calendar> calendars;
  Governance governance;

  // Dispatch tables, so applying an event or a field change touches only what it can trigger.
  std::vector<std::vector<std::int32_t>> workflows_by_event;  // event index -> workflows
  std::vector<std::vector<std::int32_t>> workflows_by_field;  // slot -> workflows (becomes/crosses)
  std::vector<std::vector<std::int32_t>> exits_by_event;      // event index -> workflows exiting

  // Builtin lead fields that engine modules read on every send or step, looked up once by
  // build_indices() rather than by name on each call; no_index when the schema has no such field.
  struct BuiltinSlots {
    Slot owner = no_index;
    Slot timezone = no_index;
    Slot unsubscribed = no_index;
    Slot bounced = no_index;
  };
  BuiltinSlots builtin_slots;

  // Name lookups (no_index / null when unknown). For binding input, not for the hot path.
  Slot lead_slot(std::string_view name) const;
  std::int32_t event_index(std::string_view name) const;
  const Workflow* workflow(std::string_view name) const;
  std::int32_t workflow_index(std::string_view name) const;
  std::int32_t router_index(std::string_view name) const;
  std::int32_t team_index(std::string_view name) const;
  std::int32_t sla_index(std::string_view name) const;
  std::int32_t calendar_index(std::string_view name) const;
  std::int32_t scoring_index(std::string_view name) const;
  std::int32_t stage_set_index(std::string_view name) const;
  const Value* constant(std::string_view name) const;

  // Fills the name indices and dispatch tables from the vectors above; call once after building.
  void build_indices();

 private:
  using NameIndex = std::map<std::string, std::int32_t, std::less<>>;
  static std::int32_t find(const NameIndex& index, std::string_view name);

  NameIndex lead_slots_, events_, workflows_, routers_, teams_, slas_, calendars_, scorings_,
      stage_sets_, constants_;
};

// FNV-1a 64 over the texts, each followed by a 0xff separator, as 16 lower-case hex digits.
std::string source_set_version(const std::vector<std::string_view>& texts);

}  // namespace leadflow::engine
