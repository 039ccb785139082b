// Checks `test` blocks and turns their literal records into engine values.
#include "dsl/test_cases.hpp"

#include <algorithm>
#include <set>

#include "dsl/compiler.hpp"
#include "dsl/suggest.hpp"
#include "engine/program.hpp"

namespace leadflow::dsl {
namespace {

using engine::Value;
using engine::ValueKind;

std::string code(std::string_view s) { return "`" + std::string(s) + "`"; }

std::vector<std::string> names_of(const std::vector<const char*>& v) { return {v.begin(), v.end()}; }

void did_you_mean(Diagnostic& d, std::string_view wrong, const std::vector<std::string>& candidates) {
  if (auto s = suggest(wrong, candidates)) d.help = "did you mean " + code(*s) + "?";
}

ValueKind value_kind_of(TypeKind k) {
  switch (k) {
    case TypeKind::Bool: return ValueKind::Bool;
    case TypeKind::Int: return ValueKind::Int;
    case TypeKind::Decimal: return ValueKind::Decimal;
    case TypeKind::String: return ValueKind::String;
    case TypeKind::Time: return ValueKind::Time;
    case TypeKind::Duration: return ValueKind::Duration;
    case TypeKind::List: return ValueKind::List;
    default: return ValueKind::Null;
  }
}

// Converts one literal of a test record to a value of the expected type (Null = any type).
// Times may be written as an ISO 8601 string or as an offset from the test's start.
class LiteralReader {
 public:
  LiteralReader(DiagnosticSink& sink, engine::TimePoint start) : sink_(sink), start_(start) {}

  std::optional<Value> read(const Expr& e, Type expected, const std::string& what) {
    std::optional<Value> v = literal(e);
    if (!v) return std::nullopt;
    if (expected.kind == TypeKind::Error || expected.kind == TypeKind::Null || v->is_null()) return v;
    ValueKind want = value_kind_of(expected.kind);
    if (want == ValueKind::Time && v->kind() == ValueKind::String) {
      if (auto t = engine::parse_time(v->as_string())) return Value::time(*t);
      sink_.error(DiagnosticKind::TypeMismatch, e.span,
                  code(std::string(v->as_string())) + " is not an ISO 8601 time like `2026-01-05T09:00:00Z`");
      return std::nullopt;
    }
    if (want == ValueKind::Time && v->kind() == ValueKind::Duration) return Value::time(start_ + v->as_duration());
    if (want == ValueKind::Decimal && v->kind() == ValueKind::Int) return Value::decimal(static_cast<double>(v->as_int()));
    if (want != v->kind()) {
      sink_.error(DiagnosticKind::TypeMismatch, e.span,
                  what + " is " + code(type_name(expected)) + ", but this value is " + code(engine::kind_name(v->kind())));
      return std::nullopt;
    }
    return v;
  }

 private:
  std::optional<Value> literal(const Expr& e) {
    switch (e.kind) {
      case ExprKind::IntLit: return Value::integer(e.int_value);
      case ExprKind::DecimalLit: return Value::decimal(e.decimal_value);
      case ExprKind::DurationLit: return Value::duration(e.int_value);
      case ExprKind::BoolLit: return Value::boolean(e.bool_value);
      case ExprKind::NullLit: return Value::null();
      case ExprKind::StringLit: {
        std::string text;
        for (const auto& part : e.parts) {
          if (part.is_expr) {
            sink_.error(DiagnosticKind::ConstNotLiteral, part.span, "test values cannot interpolate");
            return std::nullopt;
          }
          text += part.text;
        }
        return Value::string(std::move(text));
      }
      case ExprKind::Unary:
        if (e.op == Op::Neg && e.children[0]->kind == ExprKind::IntLit) return Value::integer(-e.children[0]->int_value);
        if (e.op == Op::Neg && e.children[0]->kind == ExprKind::DecimalLit)
          return Value::decimal(-e.children[0]->decimal_value);
        break;
      case ExprKind::List: {
        std::vector<Value> items;
        for (const auto& child : e.children) {
          auto v = literal(*child);
          if (!v) return std::nullopt;
          items.push_back(std::move(*v));
        }
        return Value::list(std::move(items));
      }
      default: break;
    }
    sink_.error(DiagnosticKind::ConstNotLiteral, e.span, "test values must be literals (numbers, strings, durations, lists)");
    return std::nullopt;
  }

  DiagnosticSink& sink_;
  engine::TimePoint start_;
};

std::optional<std::int64_t> read_offset(const Expr& e, DiagnosticSink& sink) {
  if (e.kind == ExprKind::DurationLit) return e.int_value;
  if (e.kind == ExprKind::IntLit && e.int_value == 0) return 0;
  sink.error(DiagnosticKind::DurationExpected, e.span, "an offset from the test's start must be a duration like `30m`");
  return std::nullopt;
}

const EffectShape* find_shape(std::string_view action) {
  for (const auto& s : effect_shapes())
    if (action == s.action) return &s;
  return nullptr;
}

std::string source_text(const Compilation& c, Span span) { return std::string(c.sources.text(span)); }

}  // namespace

const std::vector<EffectShape>& effect_shapes() {
  static const std::vector<EffectShape> shapes = {
      {"score", {"delta", "score", "reason"}},
      {"stage", {"from", "to"}},
      {"set", {"field", "value"}},
      {"assign", {"owner", "team", "rule"}},
      {"task", {"title", "due", "owner", "priority"}},
      {"email", {"template", "to", "from"}},
      {"sms", {"template", "to", "from"}},
      {"linkedin", {"template", "to", "from"}},
      {"notify", {"channel", "to", "message"}},
      {"webhook", {"channel", "to"}},
      {"validate", {"field", "value"}},
      {"enrich", {"to"}},
      {"enroll", {"target"}},
      {"exit", {"reason"}},
      {"sla", {"sla", "level", "owner"}},
      {"merge", {"into", "matched_on"}},
      {"blocked", {"effect", "reason"}},
  };
  return shapes;
}

std::vector<TestCase> build_test_cases(const Compilation& c, const engine::Program* program, DiagnosticSink& sink) {
  std::vector<TestCase> cases;
  // Every compilation is checked here; most have no tests, so skip the name tables they'd need.
  if (std::none_of(c.files.begin(), c.files.end(), [](const auto& f) { return !f->tests.empty(); })) return cases;
  const Symbols& sym = c.symbols;
  std::vector<std::string> field_names;
  for (const auto& f : sym.lead_fields) field_names.push_back(f.name);
  std::vector<std::string> event_names;
  for (const auto& e : sym.events) event_names.push_back(e.name);
  std::vector<std::string> action_names;
  for (const auto& s : effect_shapes()) action_names.emplace_back(s.action);

  std::set<std::string> account_events;
  for (const auto& file : c.files) {
    for (const WorkflowDecl& wf : file->workflows) {
      if (!wf.account_scoped()) continue;
      for (const Trigger& t : wf.triggers) {
        if (t.kind == TriggerKind::Event && t.subject && t.subject->kind == ExprKind::Name) account_events.insert(t.subject->name);
      }
    }
  }

  for (const auto& file : c.files) {
    const std::string& path = c.sources.file(file->source).path;
    for (const TestDecl& t : file->tests) {
      const std::size_t errors_before = sink.error_count();
      TestCase tc;
      tc.name = t.name;
      tc.file = path;
      tc.line = c.sources.line_col(t.span.source, t.span.begin).line;
      tc.start = default_test_start;
      if (!t.start.empty()) {
        if (auto s = engine::parse_time(t.start)) {
          tc.start = *s;
        } else {
          sink.error(DiagnosticKind::TypeMismatch, t.start_span,
                     code(t.start) + " is not an ISO 8601 time like `2026-01-05T09:00:00Z`");
        }
      }
      LiteralReader reader(sink, tc.start);

      auto lead_field = [&](const RecordEntry& entry) -> const LeadFieldInfo* {
        const LeadFieldInfo* f = sym.lead_field(entry.key);
        if (!f) {
          Diagnostic& d = sink.error(DiagnosticKind::UnknownField, entry.key_span,
                                     "unknown field " + code(entry.key) + " on `lead`");
          did_you_mean(d, entry.key, field_names);
        }
        return f;
      };

      std::string lead_id = "T-1";
      const std::vector<std::vector<RecordEntry>> no_fields(1);
      const auto& given = t.leads.empty() ? no_fields : t.leads;
      for (std::size_t n = 0; n < given.size(); ++n) {
        std::vector<Value> lead;
        if (program) lead.assign(program->lead_fields.size(), Value::null());
        bool has_id = false;
        for (const RecordEntry& entry : given[n]) {
          const LeadFieldInfo* f = lead_field(entry);
          if (!f) continue;
          auto v = reader.read(*entry.value, f->type, "`lead." + entry.key + "`");
          if (!v) continue;
          has_id = has_id || entry.key == "id";
          if (program) {
            engine::Slot slot = program->lead_slot(entry.key);
            if (slot >= 0) lead[slot] = std::move(*v);
          }
        }
        if (program) {
          engine::Slot slot = program->lead_slot("id");
          if (slot >= 0 && !has_id) lead[slot] = Value::string("T-" + std::to_string(n + 1));
          if (n == 0 && slot >= 0 && lead[slot].kind() == ValueKind::String) lead_id = std::string(lead[slot].as_string());
        }
        tc.leads.push_back(std::move(lead));
      }

      std::int64_t last_offset = 0;
      for (const TestEvent& te : t.events) {
        auto offset = read_offset(*te.offset, sink);
        const EventInfo* info = sym.event(te.event);
        if (!info) {
          Diagnostic& d = sink.error(DiagnosticKind::UnknownEvent, te.event_span, "unknown event " + code(te.event));
          did_you_mean(d, te.event, event_names);
          continue;
        }
        engine::Event ev;
        // An event an account workflow starts on (`company_intent`) is not aimed at one lead: it
        // reaches every lead of its domain, as in dry-run. Any other goes to the first lead.
        if (account_events.count(te.event) == 0) ev.lead = lead_id;
        ev.data.assign(info->fields.size(), Value::null());
        for (const RecordEntry& entry : te.data) {
          auto it = info->field_index.find(entry.key);
          if (it == info->field_index.end()) {
            std::vector<std::string> known;
            for (const auto& f : info->fields) known.push_back(f.name);
            Diagnostic& d = sink.error(DiagnosticKind::UnknownEventField, entry.key_span,
                                       "unknown field " + code(entry.key) + " on event " + code(te.event));
            did_you_mean(d, entry.key, known);
            continue;
          }
          const EventFieldInfo& f = info->fields[it->second];
          if (auto v = reader.read(*entry.value, f.type, "`event." + entry.key + "`")) ev.data[f.index] = std::move(*v);
        }
        if (!offset) continue;
        last_offset = std::max(last_offset, *offset);
        if (program) ev.type = program->event_index(te.event);
        ev.at = tc.start + *offset;
        tc.events.emplace_back(*offset, std::move(ev));
      }

      for (const TestExpect& x : t.expects) {
        TestExpectation out;
        out.kind = x.kind;
        out.line = c.sources.line_col(x.span.source, x.span.begin).line;
        out.text = source_text(c, x.span);
        out.action = x.action;
        if (x.kind == ExpectKind::At) {
          auto offset = read_offset(*x.offset, sink);
          if (!offset) continue;
          out.offset = *offset;
          last_offset = std::max(last_offset, *offset);
        }
        if (x.kind == ExpectKind::Final) {
          for (const RecordEntry& entry : x.fields) {
            const LeadFieldInfo* f = lead_field(entry);
            if (!f) continue;
            if (auto v = reader.read(*entry.value, f->type, "`lead." + entry.key + "`"))
              out.fields.emplace_back(entry.key, std::move(*v));
          }
          tc.expects.push_back(std::move(out));
          continue;
        }
        const EffectShape* shape = find_shape(x.action);
        if (!shape) {
          Diagnostic& d = sink.error(DiagnosticKind::UnknownAction, x.action_span,
                                     "unknown timeline action " + code(x.action));
          did_you_mean(d, x.action, action_names);
          continue;
        }
        for (const RecordEntry& entry : x.fields) {
          if (entry.key != "lead" &&
              std::find_if(shape->fields.begin(), shape->fields.end(),
                           [&](const char* f) { return entry.key == f; }) == shape->fields.end()) {
            Diagnostic& d = sink.error(DiagnosticKind::UnknownEffectField, entry.key_span,
                                       code(x.action) + " lines have no field " + code(entry.key));
            did_you_mean(d, entry.key, names_of(shape->fields));
            continue;
          }
          if (auto v = reader.read(*entry.value, Type::error(), code(entry.key)))
            out.fields.emplace_back(entry.key, std::move(*v));
        }
        tc.expects.push_back(std::move(out));
      }

      if (t.run_for) {
        if (auto d = read_offset(*t.run_for, sink)) tc.run_for = *d;
      } else {
        tc.run_for = last_offset + 86400;
      }
      if (sink.error_count() == errors_before) cases.push_back(std::move(tc));
    }
  }
  return cases;
}

}  // namespace leadflow::dsl
