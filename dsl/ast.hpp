// The syntax tree of .flow files: every node carries the span of the source it came from.
// Parse actions (dsl/parse_actions.hpp) build it; resolve and typecheck annotate it in place
// (the `resolved_*` and `type` members); lower turns it into the engine's Program.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/source.hpp"
#include "dsl/types.hpp"

namespace leadflow::dsl {

// ---------------------------------------------------------------- expressions

enum class ExprKind : std::uint8_t {
  IntLit,       // int_value
  DecimalLit,   // decimal_value
  DurationLit,  // int_value = seconds
  StringLit,    // parts (literal text and interpolated expressions)
  BoolLit,      // bool_value
  NullLit,
  Now,
  RegexLit,     // text = pattern, flags
  List,         // children = elements
  LeadField,    // name = field name; resolved_slot after resolve
  EventField,   // name = field name; resolved_slot (index in the event's declared fields)
  Name,         // name = constant (or event name in a trigger); resolved by resolve
  Call,         // name = function; children = arguments
  Unary,        // op; children[0]
  Binary,       // op; children[0], children[1]
};

enum class Op : std::uint8_t {
  None,
  // unary
  Neg, Not,
  // arithmetic
  Add, Sub, Mul, Div, Mod,
  // comparison
  Eq, Ne, Lt, Le, Gt, Ge,
  // membership and matching
  In, NotIn, Matches,
  // logic
  And, Or,
};

const char* op_spelling(Op op);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct StringPart {
  bool is_expr = false;
  std::string text;  // literal text with escapes already decoded
  ExprPtr expr;      // when is_expr
  Span span;
};

struct Expr {
  ExprKind kind;
  Span span;
  Op op = Op::None;
  std::int64_t int_value = 0;
  double decimal_value = 0;
  bool bool_value = false;
  std::string name;   // identifier / field / function name, or regex pattern
  std::string flags;  // regex flags
  std::vector<ExprPtr> children;
  std::vector<StringPart> parts;

  // Filled by resolve / typecheck.
  int resolved_slot = -1;             // lead field slot, event field index, or const index
  const struct ConstDecl* resolved_const = nullptr;
  Type type;                          // Type::error() until checked
};

// ---------------------------------------------------------------- schema

struct TypeRef {
  Span span;
  std::string name;                 // bool int decimal string time duration list
  std::unique_ptr<TypeRef> element; // for list<T>
};

struct FieldDecl {
  Span span;       // the whole `name: type`
  Span name_span;
  std::string name;
  TypeRef type;
};

struct SetClause {  // `set lead.x = expr` (in an event declaration or as a step)
  Span span;
  Span field_span;
  std::string field;  // lead field name
  int resolved_slot = -1;
  ExprPtr value;
};

struct SchemaDecl {
  Span span;
  std::vector<FieldDecl> fields;
};

struct EventDecl {
  Span span;
  Span name_span;
  std::string name;
  std::vector<FieldDecl> fields;
  std::vector<SetClause> sets;
};

struct ConstDecl {
  Span span;
  Span name_span;
  std::string name;
  ExprPtr value;
  bool used = false;  // set by resolve, read by lint
};

struct ImportDecl {
  Span span;
  Span path_span;
  std::string path;  // as written
};

// ---------------------------------------------------------------- workflows

enum class TriggerKind : std::uint8_t { Event, Becomes, Crosses, Unchanged };

struct Trigger {
  Span span;
  TriggerKind kind = TriggerKind::Event;
  ExprPtr subject;   // Event: a Name (the event type); Becomes/Crosses: a LeadField; Unchanged: condition
  ExprPtr value;     // Becomes: target value; Crosses: threshold; Unchanged: duration
  ExprPtr where;     // Event: optional filter
  bool crosses_below = false;
};

enum class EnrollPolicyKind : std::uint8_t { Always, Once, AgainAfter };

struct EnrollPolicy {
  Span span;
  EnrollPolicyKind kind = EnrollPolicyKind::Always;
  ExprPtr cooldown;  // AgainAfter
  // `... per account`: the workflow is account-scoped (one run per account event, its `for`
  // steps choose the leads the body runs on). `per lead` and no suffix mean per lead.
  bool per_account = false;
  Span scope_span;
};

struct ExitRule {
  Span span;
  std::vector<std::string> events;  // `exit when event a, b`
  std::vector<Span> event_spans;
  ExprPtr condition;                // `exit when expr`
};

struct Step;
using StepPtr = std::unique_ptr<Step>;
using Block = std::vector<StepPtr>;

enum class StepKind : std::uint8_t {
  Score, Stage, Set, Tag, Assign, Task, Send, Notify, Webhook, Validate, Enrich, Enroll,
  Wait, If, Stop,
  For,  // `for up to N leads of account ...`: arms[0] holds the optional `where` and the body
};

enum class AssignKind : std::uint8_t { Router, Team, Owner };
enum class WaitKind : std::uint8_t { Duration, BusinessDays, BusinessHours, Until, ForEvent };
enum class NotifyTarget : std::uint8_t { Channel, Owner, Manager };

struct IfArm {
  Span span;        // `if cond {...}` or `else if cond {...}`
  ExprPtr condition;
  Block body;
};

struct Step {
  StepKind kind;
  Span span;           // the whole step, keyword to end
  Span keyword_span;   // the leading keyword (node ids use its line)

  // Score: points + text (reason). Stage: name + text (reason).
  std::int64_t points = 0;
  std::string name;    // stage / router / team / sla / workflow / channel / calendar / event name
  Span name_span;
  std::string text;    // reason / template / webhook url / tag
  Span text_span;

  // Set
  std::optional<SetClause> set;

  // Assign
  AssignKind assign_kind = AssignKind::Router;
  std::string sla;     // optional `with sla NAME`
  Span sla_span;

  // Task: text = title; due, owner, priority. Send: name = channel, text = template,
  // sender = from, to. Notify: notify_target, name = channel (slack), text = channel target
  // ("#sales-alerts"), message.
  ExprPtr due;
  ExprPtr owner;       // task owner / assign-to owner / send-to recipient
  std::string priority;
  Span priority_span;
  std::string sender;
  NotifyTarget notify_target = NotifyTarget::Channel;
  ExprPtr message;     // notify message (a StringLit, may interpolate)
  ExprPtr title;       // task title (a StringLit, may interpolate)

  // Wait
  WaitKind wait_kind = WaitKind::Duration;
  ExprPtr amount;      // duration, business count, until-time, or up-to limit
  ExprPtr where;       // ForEvent filter
  Block timeout_body;  // ForEvent `on timeout { ... }`
  bool has_timeout = false;
  Span timeout_span;

  // If; For: one arm (its `where`, possibly null, and the body) and the else block, which runs
  // when no lead of the account matched.
  std::vector<IfArm> arms;
  Block else_body;
  bool has_else = false;
  Span else_span;

  // For: how many leads at most (0 = every one) and the order they are chosen in.
  std::int64_t for_limit = 0;
  Span for_limit_span;
  ExprPtr order_by;
  bool order_descending = false;
};

struct WorkflowDecl {
  Span span;
  Span name_span;
  std::string name;
  std::vector<Trigger> triggers;
  std::vector<EnrollPolicy> policies;  // more than one is an error
  std::vector<ExitRule> exits;
  Block steps;

  // An account workflow (`enroll ... per account`).
  bool account_scoped() const {
    for (const EnrollPolicy& p : policies)
      if (p.per_account) return true;
    return false;
  }
};

// ---------------------------------------------------------------- scoring and stages

enum class ScoringRuleKind : std::uint8_t { Fit, OnEvent, Inactive };

struct ScoringRule {
  Span span;
  ScoringRuleKind kind = ScoringRuleKind::Fit;
  ExprPtr condition;   // Fit: condition; OnEvent: optional where; Inactive: duration
  std::string event;   // OnEvent
  Span event_span;
  std::int64_t points = 0;
  Span points_span;
  std::string reason;  // empty when omitted (OnEvent / Inactive)
};

struct ScoringDecl {
  Span span;
  Span name_span;
  std::string name;
  std::vector<ScoringRule> rules;
};

struct StageRange {
  Span span;
  Span name_span;
  std::string name;
  std::int64_t low = 0;
  std::int64_t high = 0;
};

struct StagesDecl {
  Span span;
  Span name_span;
  std::string name;   // "default" when unnamed
  bool by_score = false;
  std::vector<StageRange> ranges;  // by_score: with low/high; pipeline: names only, in order
};

enum class UseKind : std::uint8_t { Scoring, Stages, DisableWorkflows };

struct UseDecl {
  Span span;
  UseKind kind;
  std::vector<std::string> names;
  std::vector<Span> name_spans;
};

// ---------------------------------------------------------------- routing, teams, SLAs

enum class TargetKind : std::uint8_t { Team, RoundRobin, Manager, Owner };

struct RouteTarget {
  Span span;
  TargetKind kind = TargetKind::Owner;
  std::string team;
  Span team_span;
  bool skip_away = false;
  bool skip_at_capacity = false;
  ExprPtr owner;  // Owner
};

struct Route {
  Span span;
  ExprPtr condition;  // null for `otherwise`
  RouteTarget target;
};

struct RouterDecl {
  Span span;
  Span name_span;
  std::string name;
  std::vector<Route> routes;
  std::optional<RouteTarget> fallback;
};

struct ClockRange {
  Span span;
  int begin_minute = 0;  // minutes after midnight
  int end_minute = 0;
};

struct TeamDecl {
  Span span;
  Span name_span;
  std::string name;
  std::string manager;
  ExprPtr members;  // a list of strings (or a const naming one)
  std::int64_t capacity = 0;  // 0 = unlimited
  std::string timezone;
  Span timezone_span;
  std::optional<ClockRange> hours;
};

enum class SlaAction : std::uint8_t { RemindOwner, AlertManager, AlertTeam, Reassign, Notify };

struct SlaLevel {
  Span span;
  double percent = 0;
  Span percent_span;
  SlaAction action = SlaAction::RemindOwner;
  std::string channel;  // Notify
  std::string target;   // Notify
};

struct SlaDecl {
  Span span;
  Span name_span;
  std::string name;
  ExprPtr duration;
  std::string start_event;  // empty = from assign
  Span start_span;
  std::string stop_event;   // empty = until first_activity
  Span stop_span;
  std::vector<SlaLevel> levels;
};

struct CalendarDecl {
  Span span;
  Span name_span;
  std::string name;
  std::string timezone;  // empty = the lead's time zone, then the tenant's
  Span timezone_span;
  int first_workday = 1;  // 0 = Sunday .. 6 = Saturday
  int last_workday = 5;
  std::optional<ClockRange> hours;
  ExprPtr holidays;  // list of "YYYY-MM-DD" strings
};

struct CapRule {
  Span span;
  std::string channel;  // email, sms, linkedin, actions
  std::int64_t limit = 0;
  bool per_sender = false;
};

struct GovernanceDecl {
  Span span;
  std::string timezone;
  Span timezone_span;
  std::vector<CapRule> caps;
  std::optional<ClockRange> send_window;
};

// ---------------------------------------------------------------- tests (`leadflow test`)

struct RecordEntry {  // `name: value` in a test's lead, event data or expectation
  Span span;
  std::string key;
  Span key_span;
  ExprPtr value;
};

struct TestEvent {  // `at 2h event replied { channel: "email" }`
  Span span;
  ExprPtr offset;
  std::string event;
  Span event_span;
  std::vector<RecordEntry> data;
};

enum class ExpectKind : std::uint8_t { At, Never, Final };

struct TestExpect {  // `expect at 5m task {..}`, `expect no email {..}`, `expect final {..}`
  Span span;
  ExpectKind kind = ExpectKind::At;
  ExprPtr offset;      // At
  std::string action;  // At / Never: score stage set assign task email sms linkedin notify ...
  Span action_span;
  std::vector<RecordEntry> fields;
};

struct TestDecl {
  Span span;
  Span name_span;
  std::string name;
  // `given lead { ... }`, once per lead: several make an account (account-level events reach
  // each lead of their domain; other events go to the first lead).
  std::vector<std::vector<RecordEntry>> leads;
  Span given_span;
  std::string start;              // ISO 8601; empty = the default start
  Span start_span;
  std::vector<TestEvent> events;
  std::vector<TestExpect> expects;
  ExprPtr run_for;                // empty = until a day after the last event or expectation
};

// ---------------------------------------------------------------- file

struct FileAst {
  SourceId source = no_source;
  std::vector<ImportDecl> imports;
  std::vector<ConstDecl> consts;
  std::vector<SchemaDecl> schemas;
  std::vector<EventDecl> events;
  std::vector<WorkflowDecl> workflows;
  std::vector<ScoringDecl> scorings;
  std::vector<StagesDecl> stages;
  std::vector<UseDecl> uses;
  std::vector<RouterDecl> routers;
  std::vector<TeamDecl> teams;
  std::vector<SlaDecl> slas;
  std::vector<CalendarDecl> calendars;
  std::vector<GovernanceDecl> governance;
  std::vector<TestDecl> tests;
};

}  // namespace leadflow::dsl
