// Parse actions: build the AST from grammar matches. Included only by dsl/parse.cpp.
// Every rule with an action either sits after a committing keyword (if_must) or is a token that
// is never backtracked once matched, so the stacks in ParseState always describe the final parse.
#pragma once

#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dsl/compiler.hpp"
#include "dsl/parse_state.hpp"
#include "grammar/flow_grammar.hpp"

namespace leadflow::dsl::actions {

namespace g = leadflow::grammar;
namespace pegtl = tao::pegtl;

template <typename Rule>
struct action : pegtl::nothing<Rule> {};

// ------------------------------------------------------------------ helpers

inline bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The identifier that ends a match such as `lead . first_name`.
inline std::string_view trailing_word(std::string_view text) {
  std::size_t i = text.size();
  while (i > 0 && is_word_char(text[i - 1])) --i;
  return text.substr(i);
}

inline void check_identifier_length(ParseState& st, std::string_view name, Span span) {
  if (name.size() > max_identifier_bytes) {
    st.sink.error(DiagnosticKind::IdentifierTooLong, span,
                  "identifier is " + std::to_string(name.size()) + " bytes long; the limit is " +
                      std::to_string(max_identifier_bytes));
  }
}

inline std::int64_t parse_int(ParseState& st, std::string_view digits, Span span) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) {
    st.sink.error(DiagnosticKind::InvalidNumber, span,
                  "number `" + std::string(digits) + "` does not fit in 64 bits");
    return 0;
  }
  return value;
}

inline ExprPtr make_expr(ExprKind kind, Span span) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->span = span;
  return e;
}

inline Span join(Span a, Span b) { return Span{a.source, a.begin, b.end}; }

// The literal text of a string expression (interpolations are reported: not allowed here).
inline std::string literal_text(ParseState& st, const Expr& s, const char* where) {
  std::string out;
  for (const auto& part : s.parts) {
    if (part.is_expr) {
      st.sink.error(DiagnosticKind::SyntaxError, part.span,
                    std::string("interpolation is not allowed in ") + where);
      continue;
    }
    out += part.text;
  }
  return out;
}

inline Step& open_step(ParseState& st) { return *st.open_steps.back(); }

inline void begin_step(ParseState& st, StepKind kind, Span keyword) {
  auto step = std::make_unique<Step>();
  step->kind = kind;
  step->keyword_span = keyword;
  step->span = keyword;
  st.open_steps.push_back(std::move(step));
}

inline void finish_step(ParseState& st, Span span) {
  StepPtr step = std::move(st.open_steps.back());
  st.open_steps.pop_back();
  step->span = span;
  st.blocks.back()->push_back(std::move(step));
}

inline void push_binary(ParseState& st, Op op) {
  ExprPtr rhs = st.pop_expr();
  ExprPtr lhs = st.pop_expr();
  auto e = make_expr(ExprKind::Binary, join(lhs->span, rhs->span));
  e->op = op;
  e->children.push_back(std::move(lhs));
  e->children.push_back(std::move(rhs));
  st.exprs.push_back(std::move(e));
}

inline int parse_clock(ParseState& st, std::string_view text, Span span, bool is_end) {
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  bool ok = minutes < 60 && (hours < 24 || (is_end && hours == 24 && minutes == 0));
  if (!ok) {
    st.sink.error(DiagnosticKind::InvalidClock, span,
                  "`" + std::string(text) + "` is not a time of day (00:00 to 24:00)");
    return 0;
  }
  return hours * 60 + minutes;
}

#define LEADFLOW_ACTION(rule)  \
  template <>                  \
  struct action<g::rule> {     \
    template <typename Input>  \
    static void apply(const Input& in, ParseState& st)

#define LEADFLOW_END \
  }                  \
  ;

// ------------------------------------------------------------------ literals

LEADFLOW_ACTION(number_lit) {
  std::string_view text(in.begin(), in.size());
  Span span = st.span(in);
  if (text.find('.') != std::string_view::npos) {
    auto e = make_expr(ExprKind::DecimalLit, span);
    e->decimal_value = std::strtod(std::string(text).c_str(), nullptr);
    st.exprs.push_back(std::move(e));
    return;
  }
  std::size_t first_unit = 0;
  while (first_unit < text.size() && text[first_unit] >= '0' && text[first_unit] <= '9') ++first_unit;
  if (first_unit == text.size()) {
    auto e = make_expr(ExprKind::IntLit, span);
    e->int_value = parse_int(st, text, span);
    st.exprs.push_back(std::move(e));
    return;
  }
  // A duration: digit groups each followed by a unit, e.g. 1h30m.
  std::int64_t seconds = 0;
  std::size_t i = 0;
  bool overflow = false;
  while (i < text.size()) {
    std::size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    std::int64_t amount = 0;
    auto [p, ec] = std::from_chars(text.data() + i, text.data() + j, amount);
    (void)p;
    std::int64_t unit = 1;
    switch (text[j]) {
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      case 'w': unit = 7 * 86400; break;
      default: unit = 1; break;
    }
    std::int64_t part = 0;
    if (ec != std::errc() || __builtin_mul_overflow(amount, unit, &part) ||
        __builtin_add_overflow(seconds, part, &seconds)) {
      overflow = true;
    }
    i = j + 1;
  }
  if (overflow) {
    st.sink.error(DiagnosticKind::InvalidNumber, span, "duration `" + std::string(text) + "` is too long");
    seconds = 0;
  }
  auto e = make_expr(ExprKind::DurationLit, span);
  e->int_value = seconds;
  st.exprs.push_back(std::move(e));
}
LEADFLOW_END

LEADFLOW_ACTION(true_lit) {
  auto e = make_expr(ExprKind::BoolLit, st.span(in));
  e->bool_value = true;
  st.exprs.push_back(std::move(e));
}
LEADFLOW_END
LEADFLOW_ACTION(false_lit) { st.exprs.push_back(make_expr(ExprKind::BoolLit, st.span(in))); }
LEADFLOW_END
LEADFLOW_ACTION(null_lit) { st.exprs.push_back(make_expr(ExprKind::NullLit, st.span(in))); }
LEADFLOW_END
LEADFLOW_ACTION(now_lit) { st.exprs.push_back(make_expr(ExprKind::Now, st.span(in))); }
LEADFLOW_END

// Strings: open pushes a builder, text/escapes/interpolations append parts, close moves the
// finished literal to the expression stack.
LEADFLOW_ACTION(string_open) { st.strings.push_back(make_expr(ExprKind::StringLit, st.span(in))); }
LEADFLOW_END

inline void append_text(ParseState& st, std::string_view text, Span span) {
  auto& parts = st.strings.back()->parts;
  if (!parts.empty() && !parts.back().is_expr) {
    parts.back().text += text;
    parts.back().span.end = span.end;
    return;
  }
  StringPart part;
  part.text = std::string(text);
  part.span = span;
  parts.push_back(std::move(part));
}

LEADFLOW_ACTION(string_text) { append_text(st, std::string_view(in.begin(), in.size()), st.span(in)); }
LEADFLOW_END

LEADFLOW_ACTION(string_escape) {
  char c = in.begin()[1];
  std::string decoded;
  switch (c) {
    case '"': decoded = "\""; break;
    case '\\': decoded = "\\"; break;
    case 'n': decoded = "\n"; break;
    case 't': decoded = "\t"; break;
    case '{': decoded = "{"; break;
    case '}': decoded = "}"; break;
    default:
      st.sink.error(DiagnosticKind::InvalidEscape, st.span(in),
                    "unknown escape sequence `" + std::string(in.begin(), in.size()) + "`")
          .help = "use `\\\"`, `\\\\`, `\\n`, `\\t`, `\\{` or `\\}`";
      decoded = std::string(in.begin() + 1, in.size() - 1);
  }
  append_text(st, decoded, st.span(in));
}
LEADFLOW_END

LEADFLOW_ACTION(string_interp) {
  StringPart part;
  part.is_expr = true;
  part.expr = st.pop_expr();
  part.span = st.span(in);
  st.strings.back()->parts.push_back(std::move(part));
}
LEADFLOW_END

LEADFLOW_ACTION(string_lit) {
  ExprPtr s = std::move(st.strings.back());
  st.strings.pop_back();
  s->span = st.span(in);
  std::size_t bytes = 0;
  for (const auto& p : s->parts) bytes += p.text.size();
  if (bytes > max_string_bytes) {
    st.sink.error(DiagnosticKind::StringTooLong, s->span,
                  "string is " + std::to_string(bytes) + " bytes long; the limit is " +
                      std::to_string(max_string_bytes));
  }
  st.exprs.push_back(std::move(s));
}
LEADFLOW_END

LEADFLOW_ACTION(regex_lit) {
  std::string_view text(in.begin(), in.size());
  std::size_t close = text.rfind('/');
  auto e = make_expr(ExprKind::RegexLit, st.span(in));
  e->name = std::string(text.substr(1, close - 1));
  e->flags = std::string(text.substr(close + 1));
  st.exprs.push_back(std::move(e));
}
LEADFLOW_END

LEADFLOW_ACTION(list_open) { st.marks.push_back(st.exprs.size()); }
LEADFLOW_END
LEADFLOW_ACTION(list_lit) {
  std::size_t mark = st.marks.back();
  st.marks.pop_back();
  auto list = make_expr(ExprKind::List, st.span(in));
  for (std::size_t i = mark; i < st.exprs.size(); ++i) list->children.push_back(std::move(st.exprs[i]));
  st.exprs.resize(mark);
  st.exprs.push_back(std::move(list));
}
LEADFLOW_END

// ------------------------------------------------------------------ names and fields

LEADFLOW_ACTION(lead_field_ref) {
  auto e = make_expr(ExprKind::LeadField, st.span(in));
  e->name = std::string(trailing_word(std::string_view(in.begin(), in.size())));
  check_identifier_length(st, e->name, e->span);
  st.exprs.push_back(std::move(e));
}
LEADFLOW_END
LEADFLOW_ACTION(event_field_ref) {
  auto e = make_expr(ExprKind::EventField, st.span(in));
  e->name = std::string(trailing_word(std::string_view(in.begin(), in.size())));
  check_identifier_length(st, e->name, e->span);
  st.exprs.push_back(std::move(e));
}
LEADFLOW_END
LEADFLOW_ACTION(name_ref) {
  auto e = make_expr(ExprKind::Name, st.span(in));
  e->name = in.string();
  check_identifier_length(st, e->name, e->span);
  st.exprs.push_back(std::move(e));
}
LEADFLOW_END
LEADFLOW_ACTION(call_open) {
  st.exprs.back()->kind = ExprKind::Call;
  st.marks.push_back(st.exprs.size());
}
LEADFLOW_END
LEADFLOW_ACTION(call_args) {
  std::size_t mark = st.marks.back();
  st.marks.pop_back();
  Expr& call = *st.exprs[mark - 1];
  for (std::size_t i = mark; i < st.exprs.size(); ++i) call.children.push_back(std::move(st.exprs[i]));
  st.exprs.resize(mark);
}
LEADFLOW_END
LEADFLOW_ACTION(name_or_call) { st.exprs.back()->span = st.span(in); }
LEADFLOW_END

// ------------------------------------------------------------------ operators

LEADFLOW_ACTION(neg_expr) {
  auto e = make_expr(ExprKind::Unary, st.span(in));
  e->op = Op::Neg;
  e->children.push_back(st.pop_expr());
  st.exprs.push_back(std::move(e));
}
LEADFLOW_END
LEADFLOW_ACTION(not_tail) {
  auto e = make_expr(ExprKind::Unary, st.span(in));
  e->op = Op::Not;
  e->children.push_back(st.pop_expr());
  st.exprs.push_back(std::move(e));
}
LEADFLOW_END

inline Op op_from_text(std::string_view t) {
  if (t == "*") return Op::Mul;
  if (t == "/") return Op::Div;
  if (t == "%") return Op::Mod;
  if (t == "+") return Op::Add;
  if (t == "-") return Op::Sub;
  if (t == "==") return Op::Eq;
  if (t == "!=") return Op::Ne;
  if (t == "<") return Op::Lt;
  if (t == "<=") return Op::Le;
  if (t == ">") return Op::Gt;
  if (t == ">=") return Op::Ge;
  return Op::None;
}

LEADFLOW_ACTION(mul_op) { st.ops.push_back(op_from_text(std::string_view(in.begin(), in.size()))); }
LEADFLOW_END
LEADFLOW_ACTION(add_op) { st.ops.push_back(op_from_text(std::string_view(in.begin(), in.size()))); }
LEADFLOW_END
LEADFLOW_ACTION(cmp_op) { st.ops.push_back(op_from_text(std::string_view(in.begin(), in.size()))); }
LEADFLOW_END

inline void pop_op_binary(ParseState& st) {
  Op op = st.ops.back();
  st.ops.pop_back();
  push_binary(st, op);
}
LEADFLOW_ACTION(mul_tail) { pop_op_binary(st); }
LEADFLOW_END
LEADFLOW_ACTION(add_tail) { pop_op_binary(st); }
LEADFLOW_END
LEADFLOW_ACTION(cmp_tail) { pop_op_binary(st); }
LEADFLOW_END
LEADFLOW_ACTION(in_tail) { push_binary(st, Op::In); }
LEADFLOW_END
LEADFLOW_ACTION(not_in_tail) { push_binary(st, Op::NotIn); }
LEADFLOW_END
LEADFLOW_ACTION(matches_tail) { push_binary(st, Op::Matches); }
LEADFLOW_END
LEADFLOW_ACTION(and_tail) { push_binary(st, Op::And); }
LEADFLOW_END
LEADFLOW_ACTION(or_tail) { push_binary(st, Op::Or); }
LEADFLOW_END

// ------------------------------------------------------------------ shared declaration pieces

inline void push_name(ParseState& st, const std::string& text, Span span) {
  check_identifier_length(st, text, span);
  st.names.emplace_back(text, span);
}
LEADFLOW_ACTION(decl_name) { push_name(st, in.string(), st.span(in)); }
LEADFLOW_END

LEADFLOW_ACTION(clock_begin) {
  st.clock_begin = parse_clock(st, std::string_view(in.begin(), in.size()), st.span(in), false);
}
LEADFLOW_END
LEADFLOW_ACTION(clock_end) {
  ClockRange r;
  r.begin_minute = st.clock_begin;
  r.end_minute = parse_clock(st, std::string_view(in.begin(), in.size()), st.span(in), true);
  st.clock = r;
}
LEADFLOW_END
LEADFLOW_ACTION(clock_range) { st.clock->span = st.span(in); }
LEADFLOW_END

LEADFLOW_ACTION(timezone_value) {
  ExprPtr s = st.pop_expr();
  st.timezone = literal_text(st, *s, "a time zone");
  st.timezone_span = s->span;
}
LEADFLOW_END

// ------------------------------------------------------------------ import, const

LEADFLOW_ACTION(import_decl) {
  ExprPtr path = st.pop_expr();
  ImportDecl d;
  d.span = st.span(in);
  d.path_span = path->span;
  d.path = literal_text(st, *path, "an import path");
  st.file.imports.push_back(std::move(d));
}
LEADFLOW_END

LEADFLOW_ACTION(const_decl) {
  ConstDecl d;
  d.span = st.span(in);
  d.value = st.pop_expr();
  auto [name, span] = st.pop_name();
  d.name = std::move(name);
  d.name_span = span;
  st.file.consts.push_back(std::move(d));
}
LEADFLOW_END

// ------------------------------------------------------------------ types, schema, events

LEADFLOW_ACTION(type_name) {
  TypeRef t;
  t.span = st.span(in);
  t.name = in.string();
  st.types.push_back(std::move(t));
}
LEADFLOW_END
LEADFLOW_ACTION(list_type) {
  TypeRef t;
  t.span = st.span(in);
  t.name = "list";
  t.element = std::make_unique<TypeRef>(std::move(st.types.back()));
  st.types.pop_back();
  st.types.push_back(std::move(t));
}
LEADFLOW_END

LEADFLOW_ACTION(field_name) { push_name(st, in.string(), st.span(in)); }
LEADFLOW_END

template <typename Input>
FieldDecl take_field(const Input& in, ParseState& st) {
  FieldDecl f;
  f.span = st.span(in);
  f.type = std::move(st.types.back());
  st.types.pop_back();
  auto [name, span] = st.pop_name();
  f.name = std::move(name);
  f.name_span = span;
  return f;
}

LEADFLOW_ACTION(schema_kw) {
  st.schema = std::make_unique<SchemaDecl>();
  st.schema->span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(schema_field) { st.schema->fields.push_back(take_field(in, st)); }
LEADFLOW_END
LEADFLOW_ACTION(schema_decl) {
  st.schema->span = st.span(in);
  st.file.schemas.push_back(std::move(*st.schema));
  st.schema.reset();
}
LEADFLOW_END

LEADFLOW_ACTION(set_target) {
  push_name(st, std::string(trailing_word(std::string_view(in.begin(), in.size()))), st.span(in));
}
LEADFLOW_END

inline SetClause take_set(ParseState& st, Span span) {
  SetClause s;
  s.span = span;
  s.value = st.pop_expr();
  auto [name, field_span] = st.pop_name();
  s.field = std::move(name);
  s.field_span = field_span;
  return s;
}

LEADFLOW_ACTION(event_kw) {
  st.event = std::make_unique<EventDecl>();
  st.event->span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(event_field_decl) { st.event->fields.push_back(take_field(in, st)); }
LEADFLOW_END
LEADFLOW_ACTION(event_set) { st.event->sets.push_back(take_set(st, st.span(in))); }
LEADFLOW_END
LEADFLOW_ACTION(event_decl) {
  auto [name, span] = st.pop_name();
  st.event->name = std::move(name);
  st.event->name_span = span;
  st.event->span = st.span(in);
  st.file.events.push_back(std::move(*st.event));
  st.event.reset();
}
LEADFLOW_END

// ------------------------------------------------------------------ workflows

LEADFLOW_ACTION(workflow_kw) {
  st.workflow = std::make_unique<WorkflowDecl>();
  st.workflow->span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(workflow_open) {
  auto [name, span] = st.pop_name();
  st.workflow->name = std::move(name);
  st.workflow->name_span = span;
  st.blocks.push_back(&st.workflow->steps);
}
LEADFLOW_END
LEADFLOW_ACTION(workflow_decl) {
  st.blocks.pop_back();
  st.workflow->span = st.span(in);
  st.file.workflows.push_back(std::move(*st.workflow));
  st.workflow.reset();
}
LEADFLOW_END

LEADFLOW_ACTION(when_kw) {
  st.trigger = Trigger{};
  st.trigger.span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(trigger_subject) { st.trigger.subject = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(trigger_value) { st.trigger.value = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(trigger_where) { st.trigger.where = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(becomes_suffix) { st.trigger.kind = TriggerKind::Becomes; }
LEADFLOW_END
LEADFLOW_ACTION(crosses_suffix) { st.trigger.kind = TriggerKind::Crosses; }
LEADFLOW_END
LEADFLOW_ACTION(crosses_below) { st.trigger.crosses_below = true; }
LEADFLOW_END
LEADFLOW_ACTION(unchanged_suffix) { st.trigger.kind = TriggerKind::Unchanged; }
LEADFLOW_END
LEADFLOW_ACTION(when_clause) {
  st.trigger.span = st.span(in);
  if (st.trigger.kind == TriggerKind::Event && st.trigger.subject->kind != ExprKind::Name) {
    st.sink.error(DiagnosticKind::SyntaxError, st.trigger.subject->span,
                  "expected an event name or a condition followed by `becomes`, `crosses` or `unchanged for`");
  }
  st.workflow->triggers.push_back(std::move(st.trigger));
  st.trigger = Trigger{};
}
LEADFLOW_END

LEADFLOW_ACTION(exit_kw) {
  st.exit = ExitRule{};
  st.exit.span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(exit_event) {
  st.exit.events.push_back(in.string());
  st.exit.event_spans.push_back(st.span(in));
}
LEADFLOW_END
LEADFLOW_ACTION(exit_condition) { st.exit.condition = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(exit_clause) {
  st.exit.span = st.span(in);
  st.workflow->exits.push_back(std::move(st.exit));
  st.exit = ExitRule{};
}
LEADFLOW_END

LEADFLOW_ACTION(enroll_kw) {
  st.policy.reset();
  st.policy_account = false;
  st.names.emplace_back(std::string(), st.span(in));  // placeholder: the keyword's span
}
LEADFLOW_END
LEADFLOW_ACTION(policy_once) { st.policy = EnrollPolicyKind::Once; }
LEADFLOW_END
LEADFLOW_ACTION(policy_always) { st.policy = EnrollPolicyKind::Always; }
LEADFLOW_END
LEADFLOW_ACTION(policy_cooldown) { st.policy_cooldown = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(policy_again) { st.policy = EnrollPolicyKind::AgainAfter; }
LEADFLOW_END
LEADFLOW_ACTION(policy_account) { st.policy_account = true; }
LEADFLOW_END
LEADFLOW_ACTION(policy_scope) { st.policy_scope_span = st.span(in); }
LEADFLOW_END
LEADFLOW_ACTION(enroll_target) { push_name(st, in.string(), st.span(in)); }
LEADFLOW_END
LEADFLOW_ACTION(enroll_clause) {
  Span span = st.span(in);
  if (st.policy) {
    st.names.pop_back();  // the keyword placeholder
    if (st.blocks.size() > 1) {
      st.sink.error(DiagnosticKind::SyntaxError, span,
                    "an enrollment policy belongs at the top of the workflow, not inside a block");
    } else {
      EnrollPolicy p;
      p.span = span;
      p.kind = *st.policy;
      p.cooldown = std::move(st.policy_cooldown);
      p.per_account = st.policy_account;
      if (st.policy_account) p.scope_span = st.policy_scope_span;
      st.workflow->policies.push_back(std::move(p));
    }
    st.policy.reset();
    st.policy_account = false;
    return;
  }
  auto [target, target_span] = st.pop_name();
  auto [placeholder, keyword_span] = st.pop_name();
  begin_step(st, StepKind::Enroll, keyword_span);
  open_step(st).name = std::move(target);
  open_step(st).name_span = target_span;
  finish_step(st, span);
}
LEADFLOW_END

// ---- steps: the keyword opens the step, clauses fill it, the whole rule closes it

#define LEADFLOW_STEP_KEYWORD(rule, kind) \
  LEADFLOW_ACTION(rule) { begin_step(st, StepKind::kind, st.span(in)); } \
  LEADFLOW_END
#define LEADFLOW_STEP_END(rule) \
  LEADFLOW_ACTION(rule) { finish_step(st, st.span(in)); } \
  LEADFLOW_END

LEADFLOW_STEP_KEYWORD(score_kw, Score)
LEADFLOW_STEP_END(score_step)
LEADFLOW_STEP_KEYWORD(stage_kw, Stage)
LEADFLOW_STEP_END(stage_step)
LEADFLOW_STEP_KEYWORD(set_kw, Set)
LEADFLOW_STEP_KEYWORD(tag_kw, Tag)
LEADFLOW_STEP_END(tag_step)
LEADFLOW_STEP_KEYWORD(assign_kw, Assign)
LEADFLOW_STEP_END(assign_step)
LEADFLOW_STEP_KEYWORD(task_kw, Task)
LEADFLOW_STEP_END(task_step)
LEADFLOW_STEP_KEYWORD(send_kw, Send)
LEADFLOW_STEP_END(send_step)
LEADFLOW_STEP_KEYWORD(notify_kw, Notify)
LEADFLOW_STEP_END(notify_step)
LEADFLOW_STEP_KEYWORD(webhook_kw, Webhook)
LEADFLOW_STEP_END(webhook_step)
LEADFLOW_STEP_KEYWORD(validate_kw, Validate)
LEADFLOW_STEP_END(validate_step)
LEADFLOW_STEP_KEYWORD(wait_kw, Wait)
LEADFLOW_STEP_END(wait_step)
LEADFLOW_STEP_END(if_step)

LEADFLOW_ACTION(enrich_step) {
  begin_step(st, StepKind::Enrich, st.span(in));
  finish_step(st, st.span(in));
}
LEADFLOW_END
LEADFLOW_ACTION(stop_step) {
  begin_step(st, StepKind::Stop, st.span(in));
  finish_step(st, st.span(in));
}
LEADFLOW_END

LEADFLOW_ACTION(step_points) {
  std::string_view text(in.begin(), in.size());
  Span span = st.span(in);
  std::int64_t value = parse_int(st, text.substr(1), span);
  open_step(st).points = text[0] == '-' ? -value : value;
  open_step(st).name_span = span;  // points span, for ScoreOutOfRange
}
LEADFLOW_END

LEADFLOW_ACTION(step_text) {
  ExprPtr s = st.pop_expr();
  Step& step = open_step(st);
  step.text = literal_text(st, *s, "this string");
  step.text_span = s->span;
}
LEADFLOW_END

LEADFLOW_ACTION(stage_word) {
  if (st.stages) {  // inside a `stages` declaration
    push_name(st, in.string(), st.span(in));
    return;
  }
  open_step(st).name = in.string();
  open_step(st).name_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(stage_string) {
  ExprPtr s = st.pop_expr();
  open_step(st).name = literal_text(st, *s, "a stage name");
  open_step(st).name_span = s->span;
}
LEADFLOW_END

LEADFLOW_ACTION(set_step) {
  open_step(st).set = take_set(st, st.span(in));
  finish_step(st, st.span(in));
}
LEADFLOW_END

LEADFLOW_ACTION(assign_router) {
  open_step(st).assign_kind = AssignKind::Router;
  open_step(st).name = in.string();
  open_step(st).name_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(assign_team) {
  open_step(st).assign_kind = AssignKind::Team;
  open_step(st).name = in.string();
  open_step(st).name_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(assign_owner) {
  open_step(st).assign_kind = AssignKind::Owner;
  open_step(st).owner = st.pop_expr();
}
LEADFLOW_END
LEADFLOW_ACTION(assign_sla_name) {
  open_step(st).sla = in.string();
  open_step(st).sla_span = st.span(in);
}
LEADFLOW_END

LEADFLOW_ACTION(task_title) {
  ExprPtr s = st.pop_expr();
  Step& step = open_step(st);
  step.text_span = s->span;
  for (const auto& part : s->parts)
    if (!part.is_expr) step.text += part.text;
  step.title = std::move(s);
}
LEADFLOW_END
LEADFLOW_ACTION(task_due_value) { open_step(st).due = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(task_owner_value) { open_step(st).owner = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(task_priority_value) {
  open_step(st).priority = in.string();
  open_step(st).priority_span = st.span(in);
  if (open_step(st).priority != "high" && open_step(st).priority != "normal" && open_step(st).priority != "low") {
    st.sink.error(DiagnosticKind::SyntaxError, st.span(in),
                  "unknown priority `" + in.string() + "`; expected `high`, `normal` or `low`");
  }
}
LEADFLOW_END

LEADFLOW_ACTION(send_channel) {
  open_step(st).name = in.string();
  open_step(st).name_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(send_sender) {
  ExprPtr s = st.pop_expr();
  open_step(st).sender = literal_text(st, *s, "a sender");
}
LEADFLOW_END
LEADFLOW_ACTION(send_recipient) { open_step(st).owner = st.pop_expr(); }
LEADFLOW_END

LEADFLOW_ACTION(notify_owner) { open_step(st).notify_target = NotifyTarget::Owner; }
LEADFLOW_END
LEADFLOW_ACTION(notify_manager) { open_step(st).notify_target = NotifyTarget::Manager; }
LEADFLOW_END
LEADFLOW_ACTION(notify_channel_name) {
  open_step(st).notify_target = NotifyTarget::Channel;
  open_step(st).name = in.string();
  open_step(st).name_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(notify_message) { open_step(st).message = st.pop_expr(); }
LEADFLOW_END

LEADFLOW_ACTION(wait_amount_value) {
  open_step(st).wait_kind = WaitKind::Duration;
  open_step(st).amount = st.pop_expr();
}
LEADFLOW_END
LEADFLOW_ACTION(business_days) { open_step(st).wait_kind = WaitKind::BusinessDays; }
LEADFLOW_END
LEADFLOW_ACTION(business_hours) { open_step(st).wait_kind = WaitKind::BusinessHours; }
LEADFLOW_END
LEADFLOW_ACTION(business_calendar) {
  open_step(st).name = in.string();
  open_step(st).name_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(wait_until_value) {
  open_step(st).wait_kind = WaitKind::Until;
  open_step(st).amount = st.pop_expr();
}
LEADFLOW_END
LEADFLOW_ACTION(wait_limit) {
  open_step(st).wait_kind = WaitKind::ForEvent;
  open_step(st).amount = st.pop_expr();
}
LEADFLOW_END
LEADFLOW_ACTION(wait_event) {
  open_step(st).name = in.string();
  open_step(st).name_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(wait_where_value) { open_step(st).where = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(timeout_open) {
  Step& step = open_step(st);
  step.has_timeout = true;
  step.timeout_span = st.span(in);
  st.blocks.push_back(&step.timeout_body);
}
LEADFLOW_END
LEADFLOW_ACTION(step_block_close) { st.blocks.pop_back(); }
LEADFLOW_END

LEADFLOW_ACTION(if_kw) {
  begin_step(st, StepKind::If, st.span(in));
  open_step(st).arms.emplace_back();
  open_step(st).arms.back().span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(elif_kw) {
  open_step(st).arms.emplace_back();
  open_step(st).arms.back().span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(if_condition) { open_step(st).arms.back().condition = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(for_kw) {
  begin_step(st, StepKind::For, st.span(in));
  open_step(st).arms.emplace_back();
  open_step(st).arms.back().span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(for_limit) {
  open_step(st).for_limit = parse_int(st, std::string_view(in.begin(), in.size()), st.span(in));
  open_step(st).for_limit_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(for_where_value) { open_step(st).arms.back().condition = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(for_order_value) { open_step(st).order_by = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(for_descending) { open_step(st).order_descending = true; }
LEADFLOW_END
LEADFLOW_STEP_END(for_step)
LEADFLOW_ACTION(then_open) { st.blocks.push_back(&open_step(st).arms.back().body); }
LEADFLOW_END
LEADFLOW_ACTION(else_open) {
  Step& step = open_step(st);
  step.has_else = true;
  step.else_span = st.span(in);
  st.blocks.push_back(&step.else_body);
}
LEADFLOW_END

// ------------------------------------------------------------------ scoring

LEADFLOW_ACTION(scoring_kw) {
  st.scoring = std::make_unique<ScoringDecl>();
  st.scoring->span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(scoring_open) {
  auto [name, span] = st.pop_name();
  st.scoring->name = std::move(name);
  st.scoring->name_span = span;
}
LEADFLOW_END
LEADFLOW_ACTION(rule_event) {
  st.rule.event = in.string();
  st.rule.event_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(rule_where) { st.rule.condition = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(inactive_after) { st.rule.condition = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(fit_condition) { st.rule.condition = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(rule_points) {
  std::string_view text(in.begin(), in.size());
  Span span = st.span(in);
  std::int64_t value = parse_int(st, text.substr(1), span);
  st.rule.points = text[0] == '-' ? -value : value;
  st.rule.points_span = span;
}
LEADFLOW_END
LEADFLOW_ACTION(rule_reason) {
  ExprPtr s = st.pop_expr();
  st.rule.reason = literal_text(st, *s, "a scoring reason");
}
LEADFLOW_END

template <typename Input>
void finish_rule(const Input& in, ParseState& st, ScoringRuleKind kind) {
  st.rule.kind = kind;
  st.rule.span = st.span(in);
  st.scoring->rules.push_back(std::move(st.rule));
  st.rule = ScoringRule{};
}
LEADFLOW_ACTION(on_rule) { finish_rule(in, st, ScoringRuleKind::OnEvent); }
LEADFLOW_END
LEADFLOW_ACTION(inactive_rule) { finish_rule(in, st, ScoringRuleKind::Inactive); }
LEADFLOW_END
LEADFLOW_ACTION(fit_rule) { finish_rule(in, st, ScoringRuleKind::Fit); }
LEADFLOW_END
LEADFLOW_ACTION(scoring_decl) {
  st.scoring->span = st.span(in);
  st.file.scorings.push_back(std::move(*st.scoring));
  st.scoring.reset();
}
LEADFLOW_END

// ------------------------------------------------------------------ stages, use

LEADFLOW_ACTION(stages_kw) {
  st.stages = std::make_unique<StagesDecl>();
  st.stages->span = st.span(in);
  st.stages->name = "default";
  st.stages->name_span = st.span(in);
  st.stages_names_mark = st.names.size();
}
LEADFLOW_END
inline void take_stages_name(ParseState& st) {
  if (st.names.size() > st.stages_names_mark) {
    auto [name, span] = st.pop_name();
    st.stages->name = std::move(name);
    st.stages->name_span = span;
  }
}
LEADFLOW_ACTION(score_ranges_open) {
  take_stages_name(st);
  st.stages->by_score = true;
}
LEADFLOW_END
LEADFLOW_ACTION(pipeline_open) { take_stages_name(st); }
LEADFLOW_END
LEADFLOW_ACTION(range_low) { st.range_low = parse_int(st, in.string(), st.span(in)); }
LEADFLOW_END
LEADFLOW_ACTION(range_high) { st.range_high = parse_int(st, in.string(), st.span(in)); }
LEADFLOW_END
LEADFLOW_ACTION(stage_range) {
  StageRange r;
  r.span = st.span(in);
  auto [name, span] = st.pop_name();
  r.name = std::move(name);
  r.name_span = span;
  r.low = st.range_low;
  r.high = st.range_high;
  st.stages->ranges.push_back(std::move(r));
}
LEADFLOW_END
LEADFLOW_ACTION(pipeline_stage) {
  StageRange r;
  r.span = st.span(in);
  r.name = in.string();
  r.name_span = r.span;
  check_identifier_length(st, r.name, r.span);
  st.stages->ranges.push_back(std::move(r));
}
LEADFLOW_END
LEADFLOW_ACTION(stages_decl) {
  st.stages->span = st.span(in);
  st.file.stages.push_back(std::move(*st.stages));
  st.stages.reset();
}
LEADFLOW_END

LEADFLOW_ACTION(use_kw) {
  st.use = std::make_unique<UseDecl>();
  st.use->span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(use_name) {
  st.use->names.push_back(in.string());
  st.use->name_spans.push_back(st.span(in));
}
LEADFLOW_END
LEADFLOW_ACTION(use_scoring) { st.use->kind = UseKind::Scoring; }
LEADFLOW_END
LEADFLOW_ACTION(use_stages) { st.use->kind = UseKind::Stages; }
LEADFLOW_END
LEADFLOW_ACTION(disable_kw) {
  st.use = std::make_unique<UseDecl>();
  st.use->span = st.span(in);
  st.use->kind = UseKind::DisableWorkflows;
}
LEADFLOW_END
LEADFLOW_ACTION(disable_decl) {
  st.use->span = st.span(in);
  st.file.uses.push_back(std::move(*st.use));
  st.use.reset();
}
LEADFLOW_END
LEADFLOW_ACTION(use_decl) {
  st.use->span = st.span(in);
  st.file.uses.push_back(std::move(*st.use));
  st.use.reset();
}
LEADFLOW_END

// ------------------------------------------------------------------ routers

LEADFLOW_ACTION(router_kw) {
  st.router = std::make_unique<RouterDecl>();
  st.router->span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(router_open) {
  auto [name, span] = st.pop_name();
  st.router->name = std::move(name);
  st.router->name_span = span;
}
LEADFLOW_END
LEADFLOW_ACTION(target_team_name) {
  st.target.team = in.string();
  st.target.team_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(skip_condition) {
  std::string what = in.string();
  if (what == "away") {
    st.target.skip_away = true;
  } else if (what == "at_capacity") {
    st.target.skip_at_capacity = true;
  } else {
    st.sink.error(DiagnosticKind::SyntaxError, st.span(in),
                  "unknown skip condition `" + what + "`; expected `away` or `at_capacity`");
  }
}
LEADFLOW_END
LEADFLOW_ACTION(target_round_robin) { st.target.kind = TargetKind::RoundRobin; }
LEADFLOW_END
LEADFLOW_ACTION(target_team) {
  st.target.kind = TargetKind::Team;
  st.target.skip_away = st.target.skip_at_capacity = true;
}
LEADFLOW_END
LEADFLOW_ACTION(target_manager) { st.target.kind = TargetKind::Manager; }
LEADFLOW_END
LEADFLOW_ACTION(target_owner) {
  st.target.kind = TargetKind::Owner;
  st.target.owner = st.pop_expr();
}
LEADFLOW_END
LEADFLOW_ACTION(route_target) { st.target.span = st.span(in); }
LEADFLOW_END
LEADFLOW_ACTION(route_condition) { st.route_condition = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(route) {
  Route r;
  r.span = st.span(in);
  r.condition = std::move(st.route_condition);
  r.target = std::move(st.target);
  st.target = RouteTarget{};
  st.router->routes.push_back(std::move(r));
}
LEADFLOW_END
LEADFLOW_ACTION(fallback_clause) {
  if (st.router->fallback) {
    st.sink.error(DiagnosticKind::DuplicateDefinition, st.span(in), "router `" + st.router->name + "` has two fallbacks")
        .notes.push_back({st.router->fallback->span, "first fallback here"});
  } else {
    st.router->fallback = std::move(st.target);
  }
  st.target = RouteTarget{};
}
LEADFLOW_END
LEADFLOW_ACTION(router_decl) {
  st.router->span = st.span(in);
  st.file.routers.push_back(std::move(*st.router));
  st.router.reset();
}
LEADFLOW_END

// ------------------------------------------------------------------ teams

LEADFLOW_ACTION(team_kw) {
  st.team = std::make_unique<TeamDecl>();
  st.team->span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(team_open) {
  auto [name, span] = st.pop_name();
  st.team->name = std::move(name);
  st.team->name_span = span;
}
LEADFLOW_END
LEADFLOW_ACTION(team_manager_value) {
  ExprPtr s = st.pop_expr();
  st.team->manager = literal_text(st, *s, "a manager");
}
LEADFLOW_END
LEADFLOW_ACTION(team_members_value) { st.team->members = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(team_capacity_value) { st.team->capacity = parse_int(st, in.string(), st.span(in)); }
LEADFLOW_END
LEADFLOW_ACTION(team_timezone) {
  st.team->timezone = st.timezone;
  st.team->timezone_span = st.timezone_span;
}
LEADFLOW_END
LEADFLOW_ACTION(team_hours) { st.team->hours = st.clock; }
LEADFLOW_END
LEADFLOW_ACTION(team_decl) {
  st.team->span = st.span(in);
  st.file.teams.push_back(std::move(*st.team));
  st.team.reset();
}
LEADFLOW_END

// ------------------------------------------------------------------ SLAs

LEADFLOW_ACTION(sla_kw) {
  st.sla = std::make_unique<SlaDecl>();
  st.sla->span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(sla_duration) { st.sla->duration = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(sla_start_event) {
  st.sla->start_event = in.string();
  st.sla->start_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(sla_stop_event) {
  st.sla->stop_event = in.string();
  st.sla->stop_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(sla_open) {
  auto [name, span] = st.pop_name();
  st.sla->name = std::move(name);
  st.sla->name_span = span;
}
LEADFLOW_END
LEADFLOW_ACTION(sla_percent) {
  std::string text = in.string();
  text.pop_back();  // '%'
  st.level = SlaLevel{};
  st.level.percent = std::strtod(text.c_str(), nullptr);
  st.level.percent_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(sla_remind_owner) { st.level.action = SlaAction::RemindOwner; }
LEADFLOW_END
LEADFLOW_ACTION(sla_alert_manager) { st.level.action = SlaAction::AlertManager; }
LEADFLOW_END
LEADFLOW_ACTION(sla_alert_team) { st.level.action = SlaAction::AlertTeam; }
LEADFLOW_END
LEADFLOW_ACTION(sla_reassign) { st.level.action = SlaAction::Reassign; }
LEADFLOW_END
LEADFLOW_ACTION(sla_notify_channel) {
  st.level.action = SlaAction::Notify;
  st.level.channel = in.string();
}
LEADFLOW_END
LEADFLOW_ACTION(sla_notify_target) {
  ExprPtr s = st.pop_expr();
  st.level.target = literal_text(st, *s, "a notification target");
}
LEADFLOW_END
LEADFLOW_ACTION(sla_level) {
  st.level.span = st.span(in);
  st.sla->levels.push_back(std::move(st.level));
  st.level = SlaLevel{};
}
LEADFLOW_END
LEADFLOW_ACTION(sla_decl) {
  st.sla->span = st.span(in);
  st.file.slas.push_back(std::move(*st.sla));
  st.sla.reset();
}
LEADFLOW_END

// ------------------------------------------------------------------ calendars

inline int weekday_number(ParseState& st, const std::string& name, Span span) {
  static const char* const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  for (int i = 0; i < 7; ++i)
    if (name == days[i]) return i;
  st.sink.error(DiagnosticKind::SyntaxError, span, "unknown weekday `" + name + "`; expected `mon` .. `sun`");
  return 1;
}
LEADFLOW_ACTION(calendar_kw) {
  st.calendar = std::make_unique<CalendarDecl>();
  st.calendar->span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(calendar_open) {
  auto [name, span] = st.pop_name();
  st.calendar->name = std::move(name);
  st.calendar->name_span = span;
}
LEADFLOW_END
LEADFLOW_ACTION(weekday_first) { st.calendar->first_workday = weekday_number(st, in.string(), st.span(in)); }
LEADFLOW_END
LEADFLOW_ACTION(weekday_last) { st.calendar->last_workday = weekday_number(st, in.string(), st.span(in)); }
LEADFLOW_END
LEADFLOW_ACTION(calendar_hours) { st.calendar->hours = st.clock; }
LEADFLOW_END
LEADFLOW_ACTION(calendar_holidays_value) { st.calendar->holidays = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(calendar_timezone) {
  st.calendar->timezone = st.timezone;
  st.calendar->timezone_span = st.timezone_span;
}
LEADFLOW_END
LEADFLOW_ACTION(calendar_decl) {
  st.calendar->span = st.span(in);
  st.file.calendars.push_back(std::move(*st.calendar));
  st.calendar.reset();
}
LEADFLOW_END

// ------------------------------------------------------------------ governance

LEADFLOW_ACTION(governance_kw) {
  st.governance = std::make_unique<GovernanceDecl>();
  st.governance->span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(cap_channel) {
  st.cap = CapRule{};
  st.cap.channel = in.string();
}
LEADFLOW_END
LEADFLOW_ACTION(cap_limit) { st.cap.limit = parse_int(st, in.string(), st.span(in)); }
LEADFLOW_END
LEADFLOW_ACTION(cap_per_sender) { st.cap.per_sender = true; }
LEADFLOW_END
LEADFLOW_ACTION(governance_cap) {
  st.cap.span = st.span(in);
  st.governance->caps.push_back(st.cap);
}
LEADFLOW_END
LEADFLOW_ACTION(governance_window) { st.governance->send_window = st.clock; }
LEADFLOW_END
LEADFLOW_ACTION(governance_timezone) {
  st.governance->timezone = st.timezone;
  st.governance->timezone_span = st.timezone_span;
}
LEADFLOW_END
LEADFLOW_ACTION(governance_decl) {
  st.governance->span = st.span(in);
  st.file.governance.push_back(std::move(*st.governance));
  st.governance.reset();
}
LEADFLOW_END

// ------------------------------------------------------------------ tests

LEADFLOW_ACTION(test_kw) {
  st.test = std::make_unique<TestDecl>();
  st.test->span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(test_name) {
  ExprPtr s = st.pop_expr();
  st.test->name = literal_text(st, *s, "a test name");
  st.test->name_span = s->span;
}
LEADFLOW_END
LEADFLOW_ACTION(record_entry) {
  RecordEntry e;
  e.span = st.span(in);
  e.value = st.pop_expr();
  auto [key, key_span] = st.pop_name();
  e.key = std::move(key);
  e.key_span = key_span;
  st.record.push_back(std::move(e));
}
LEADFLOW_END
LEADFLOW_ACTION(record_key) { push_name(st, in.string(), st.span(in)); }
LEADFLOW_END
inline std::vector<RecordEntry> take_record(ParseState& st) {
  std::vector<RecordEntry> r = std::move(st.record);
  st.record.clear();
  return r;
}
LEADFLOW_ACTION(test_lead_record) {
  st.test->leads.push_back(take_record(st));
  st.test->given_span = st.span(in);
}
LEADFLOW_END
LEADFLOW_ACTION(test_start_value) {
  ExprPtr s = st.pop_expr();
  st.test->start = literal_text(st, *s, "a start time");
  st.test->start_span = s->span;
}
LEADFLOW_END
LEADFLOW_ACTION(test_offset) { st.test_offset = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(test_event_name) { push_name(st, in.string(), st.span(in)); }
LEADFLOW_END
LEADFLOW_ACTION(test_event) {
  TestEvent e;
  e.span = st.span(in);
  e.offset = std::move(st.test_offset);
  auto [name, span] = st.pop_name();
  e.event = std::move(name);
  e.event_span = span;
  e.data = take_record(st);
  st.test->events.push_back(std::move(e));
}
LEADFLOW_END
LEADFLOW_ACTION(expect_action) { push_name(st, in.string(), st.span(in)); }
LEADFLOW_END
template <typename Input>
void finish_expect(const Input& in, ParseState& st, ExpectKind kind) {
  TestExpect x;
  x.span = st.span(in);
  x.kind = kind;
  if (kind != ExpectKind::Final) {
    auto [name, span] = st.pop_name();
    x.action = std::move(name);
    x.action_span = span;
  }
  if (kind == ExpectKind::At) x.offset = std::move(st.test_offset);
  x.fields = take_record(st);
  st.test->expects.push_back(std::move(x));
}
LEADFLOW_ACTION(expect_at) { finish_expect(in, st, ExpectKind::At); }
LEADFLOW_END
LEADFLOW_ACTION(expect_never) { finish_expect(in, st, ExpectKind::Never); }
LEADFLOW_END
LEADFLOW_ACTION(expect_final) { finish_expect(in, st, ExpectKind::Final); }
LEADFLOW_END
LEADFLOW_ACTION(test_expect) { st.test->expects.back().span = st.span(in); }
LEADFLOW_END
LEADFLOW_ACTION(test_run_for_value) { st.test->run_for = st.pop_expr(); }
LEADFLOW_END
LEADFLOW_ACTION(test_decl) {
  st.test->span = st.span(in);
  st.file.tests.push_back(std::move(*st.test));
  st.test.reset();
}
LEADFLOW_END

#undef LEADFLOW_STEP_KEYWORD
#undef LEADFLOW_STEP_END
#undef LEADFLOW_ACTION
#undef LEADFLOW_END

}  // namespace leadflow::dsl::actions
