// Effect and final-state lines: the JSONL contract, byte for byte, and the readable text form.
#include "runtime/timeline.hpp"

#include <charconv>
#include <cstdint>
#include <ostream>

namespace leadflow::runtime {

using engine::Effect;
using engine::Value;
using engine::ValueKind;

namespace {

const Value* field_of(const Effect& e, std::string_view name) {
  for (const auto& [key, value] : e.fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string shown(const Value* v) { return v == nullptr ? std::string("null") : engine::to_trace(*v); }

// `2026-01-05 09:00Z` reads better in a column than the full ISO form; seconds only when set.
std::string short_time(engine::TimePoint t) {
  std::string s = engine::format_time(t);  // 2026-01-05T09:00:00Z
  if (s.size() == 20) {
    s[10] = ' ';
    if (s.compare(16, 3, ":00") == 0) s.erase(16, 3);
  }
  return s;
}

// `"2026-01-05T09:00:00Z"` as engine::format_time writes it, without a string to hold it.
void append_json_time(std::string& out, engine::TimePoint t) {
  std::int64_t days = t / 86400;
  if (t % 86400 < 0) --days;
  const std::int64_t secs = t - days * 86400;
  std::int64_t year = 0;
  unsigned month = 0, day = 0;
  engine::civil_from_days(days, year, month, day);
  if (year < 0 || year > 9999) {
    out += '"';
    out += engine::format_time(t);
    out += '"';
    return;
  }
  const auto y = static_cast<unsigned>(year);
  const auto hour = static_cast<unsigned>(secs / 3600), minute = static_cast<unsigned>(secs / 60 % 60),
             second = static_cast<unsigned>(secs % 60);
  auto digit = [](unsigned v) { return static_cast<char>('0' + v); };
  const char text[22] = {'"', digit(y / 1000), digit(y / 100 % 10), digit(y / 10 % 10), digit(y % 10), '-',
                         digit(month / 10), digit(month % 10), '-', digit(day / 10), digit(day % 10), 'T',
                         digit(hour / 10), digit(hour % 10), ':', digit(minute / 10), digit(minute % 10), ':',
                         digit(second / 10), digit(second % 10), 'Z', '"'};
  out.append(text, sizeof text);
}

// engine::append_json, with the kinds effect lines are made of done here without temporaries.
void append_json_value(std::string& out, const Value& v) {
  switch (v.kind()) {
    case ValueKind::String: engine::append_json_string(out, v.as_string()); return;
    case ValueKind::Time: append_json_time(out, v.as_time()); return;
    case ValueKind::Int: {
      char digits[24];
      const auto end = std::to_chars(digits, digits + sizeof digits, v.as_int()).ptr;
      out.append(digits, static_cast<std::size_t>(end - digits));
      return;
    }
    default: engine::append_json(out, v); return;
  }
}

}  // namespace

std::string effect_jsonl(const Effect& effect) {
  std::string out;
  out.reserve(128);
  append_effect_jsonl(out, effect);
  return out;
}

void append_effect_jsonl(std::string& out, const Effect& effect) {
  out += "{\"at\":";
  append_json_time(out, effect.at);
  out += ",\"lead\":";
  engine::append_json_string(out, effect.lead);
  out += ",\"workflow\":";
  if (effect.workflow.empty()) {
    out += "null";
  } else {
    engine::append_json_string(out, effect.workflow);
  }
  out += ",\"action\":";
  engine::append_json_string(out, effect.action);
  for (const auto& [key, value] : effect.fields) {
    out += ',';
    engine::append_json_string(out, key);
    out += ':';
    append_json_value(out, value);
  }
  out += '}';
}

std::string final_state_jsonl(const engine::Program& program, const std::string& lead,
                              const engine::LeadState& state) {
  auto slot_value = [&](std::string_view name) -> Value {
    engine::Slot s = program.lead_slot(name);
    if (s == engine::no_index || static_cast<std::size_t>(s) >= state.fields.size()) return Value();
    return state.fields[static_cast<std::size_t>(s)];
  };
  std::string out = "{\"lead\":";
  engine::append_json_string(out, lead);
  out += ",\"final\":true,\"score\":";
  engine::append_json(out, slot_value("score"));
  out += ",\"stage\":";
  engine::append_json(out, slot_value("stage"));
  out += ",\"owner\":";
  engine::append_json(out, slot_value("owner"));
  out += ",\"fields\":{";
  bool first = true;
  for (const engine::FieldDef& f : program.lead_fields) {
    if (f.name == "id" || f.name == "score" || f.name == "stage" || f.name == "owner") continue;
    if (f.slot < 0 || static_cast<std::size_t>(f.slot) >= state.fields.size()) continue;
    const Value& v = state.fields[static_cast<std::size_t>(f.slot)];
    if (v.is_null()) continue;
    if (!first) out += ',';
    first = false;
    engine::append_json_string(out, f.name);
    out += ':';
    engine::append_json(out, v);
  }
  out += "}}";
  return out;
}

std::string effect_text(const Effect& e) {
  const std::string& a = e.action;
  if (a == "score") {
    const Value* delta = field_of(e, "delta");
    std::string d = shown(delta);
    if (delta != nullptr && delta->kind() == ValueKind::Int && delta->as_int() >= 0) d = "+" + d;
    return "score " + d + " → " + shown(field_of(e, "score")) + "  " + shown(field_of(e, "reason"));
  }
  if (a == "stage") return "stage " + shown(field_of(e, "from")) + " → " + shown(field_of(e, "to"));
  if (a == "set") return "set " + engine::to_display(field_of(e, "field") ? *field_of(e, "field") : Value()) + " = " +
                         shown(field_of(e, "value"));
  if (a == "merge") {
    return "merge into " + shown(field_of(e, "into")) + " (matched on " + engine::to_display(
        field_of(e, "matched_on") ? *field_of(e, "matched_on") : Value()) + ")";
  }
  std::string out = a;
  for (const auto& [key, value] : e.fields) {
    out += "  " + key + "=" + engine::to_trace(value);
  }
  return out;
}

TextTimeline::Group& TextTimeline::group(const std::string& lead) {
  auto [it, fresh] = index_.emplace(lead, groups_.size());
  if (fresh) groups_.push_back(Group{lead, {}});
  return groups_[it->second];
}

void TextTimeline::add(const Effect& effect) {
  std::string line = "  " + short_time(effect.at) + "  " + (effect.workflow.empty() ? "-" : effect.workflow) + "  " +
                     effect_text(effect);
  if (effect.lead.empty()) {
    engine_lines_.push_back(std::move(line));
  } else {
    group(effect.lead).lines.push_back(std::move(line));
  }
}

void TextTimeline::add(const engine::TraceLine& trace) {
  std::string line = "  " + short_time(trace.at) + "    · " + (trace.workflow.empty() ? "" : trace.workflow + ": ") +
                     trace.text;
  if (trace.lead.empty()) {
    engine_lines_.push_back(std::move(line));
  } else {
    group(trace.lead).lines.push_back(std::move(line));
  }
}

void TextTimeline::add_final(const engine::Program& program, const std::string& lead, const engine::LeadState& state) {
  auto slot_value = [&](std::string_view name) -> Value {
    engine::Slot s = program.lead_slot(name);
    if (s == engine::no_index || static_cast<std::size_t>(s) >= state.fields.size()) return Value();
    return state.fields[static_cast<std::size_t>(s)];
  };
  group(lead).lines.push_back("  final: score " + engine::to_trace(slot_value("score")) + ", stage " +
                              engine::to_trace(slot_value("stage")) + ", owner " +
                              engine::to_trace(slot_value("owner")));
}

void TextTimeline::write(std::ostream& out) const {
  bool first = true;
  for (const Group& g : groups_) {
    if (!first) out << '\n';
    first = false;
    out << "lead " << g.lead << '\n';
    for (const std::string& line : g.lines) out << line << '\n';
  }
  if (!engine_lines_.empty()) {
    if (!first) out << '\n';
    out << "engine\n";
    for (const std::string& line : engine_lines_) out << line << '\n';
  }
}

}  // namespace leadflow::runtime
