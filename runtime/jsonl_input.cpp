// JSON Lines → LeadInput / EventInput, with per-field type conversion and line-numbered errors.
#include "runtime/jsonl_input.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "dsl/suggest.hpp"

namespace leadflow::runtime {

namespace json = boost::json;
using engine::FieldDef;
using engine::Value;
using engine::ValueKind;

namespace {

// A short form of the offending value for messages: `"many"`, `12.5`, `[...]`.
std::string shown(const json::value& v) {
  std::string s = json::serialize(v);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

const char* json_kind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a bool";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "a list";
    case json::kind::object: return "an object";
  }
  return "a value";
}

std::optional<std::int64_t> integer_of(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(v.get_uint64());
  }
  if (v.is_double()) {
    double d = v.get_double();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) return static_cast<std::int64_t>(d);
    return std::nullopt;
  }
  if (v.is_string()) {
    // Spreadsheet exports quote numbers; accept a string that is exactly an integer.
    std::string_view s = v.get_string();
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return n;
  }
  return std::nullopt;
}

std::optional<double> number_of(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  if (v.is_string()) {
    std::string_view s = v.get_string();
    double d = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty() && std::isfinite(d)) return d;
  }
  return std::nullopt;
}

// Converts `v` to `type` (element type `element` for lists). Null stays null (a missing field).
// On failure returns false and says why in `why`.
bool convert(const json::value& v, ValueKind type, ValueKind element, Value& out, std::string& why) {
  if (v.is_null()) {
    out = Value::null();
    return true;
  }
  switch (type) {
    case ValueKind::String:
      if (v.is_string()) {
        out = Value::string(std::string_view(v.get_string()));
        return true;
      }
      why = std::string("expected a string, got ") + json_kind(v) + " " + shown(v);
      return false;
    case ValueKind::Int:
      if (auto n = integer_of(v)) {
        out = Value::integer(*n);
        return true;
      }
      why = "expected an integer, got " + shown(v);
      return false;
    case ValueKind::Decimal:
      if (auto d = number_of(v)) {
        out = Value::decimal(*d);
        return true;
      }
      why = "expected a number, got " + shown(v);
      return false;
    case ValueKind::Bool:
      if (v.is_bool()) {
        out = Value::boolean(v.get_bool());
        return true;
      }
      if (v.is_string() && (v.get_string() == "true" || v.get_string() == "false")) {
        out = Value::boolean(v.get_string() == "true");
        return true;
      }
      why = "expected true or false, got " + shown(v);
      return false;
    case ValueKind::Time:
      if (v.is_string()) {
        if (auto t = engine::parse_time(std::string_view(v.get_string()))) {
          out = Value::time(*t);
          return true;
        }
      }
      why = "expected an ISO 8601 time like \"2026-01-05T09:00:00Z\", got " + shown(v);
      return false;
    case ValueKind::Duration:
      if (v.is_string()) {
        if (auto d = engine::parse_duration(std::string_view(v.get_string()))) {
          out = Value::duration(*d);
          return true;
        }
      } else if (v.is_int64() || v.is_uint64()) {
        if (auto n = integer_of(v)) {  // seconds
          out = Value::duration(*n);
          return true;
        }
      }
      why = "expected a duration like \"30m\" or \"1h30m\", got " + shown(v);
      return false;
    case ValueKind::List: {
      if (!v.is_array()) {
        why = std::string("expected a list, got ") + json_kind(v) + " " + shown(v);
        return false;
      }
      std::vector<Value> items;
      const json::array& a = v.get_array();
      items.reserve(a.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        Value item;
        std::string inner;
        if (!convert(a[i], element, ValueKind::Null, item, inner)) {
          why = "item " + std::to_string(i) + ": " + inner;
          return false;
        }
        items.push_back(std::move(item));
      }
      out = Value::list(std::move(items));
      return true;
    }
    case ValueKind::Null:
      // Untyped (the checker could not type it): take the JSON value's own type.
      switch (v.kind()) {
        case json::kind::bool_: out = Value::boolean(v.get_bool()); return true;
        case json::kind::int64:
        case json::kind::uint64:
          if (auto n = integer_of(v)) {
            out = Value::integer(*n);
            return true;
          }
          out = Value::decimal(static_cast<double>(v.get_uint64()));
          return true;
        case json::kind::double_: out = Value::decimal(v.get_double()); return true;
        case json::kind::string: out = Value::string(std::string_view(v.get_string())); return true;
        case json::kind::array: return convert(v, ValueKind::List, ValueKind::Null, out, why);
        default: break;
      }
      why = std::string("unsupported value: ") + json_kind(v);
      return false;
  }
  why = "unsupported type";
  return false;
}

std::string unknown_name_help(std::string_view name, const std::vector<std::string>& known) {
  if (auto guess = dsl::suggest(name, known)) return "; did you mean `" + *guess + "`?";
  return "";
}

// Splits `text` into lines and hands each non-blank one, parsed as a JSON object, to `each`.
// Lines that are too long, not JSON or not an object become errors here. `text` begins after
// `lines_before` lines of its file (the line numbers in errors count from there).
template <typename Each>
void for_each_object(std::string_view text, std::size_t lines_before, const std::string& file,
                     std::vector<InputError>& errors, Each&& each) {
  // One parser and one block of memory for every line: a line's JSON lives only until `each`
  // has built its record, so the next line reuses the memory (json::parse allocated every
  // object and string of every line). The parser is the one json::parse uses, so malformed
  // lines get the same error codes.
  // (In this order: the parser, which refers to the others, goes first.)
  unsigned char parser_stack[BOOST_JSON_STACK_BUFFER_SIZE];
  std::vector<unsigned char> line_memory(16 * 1024);
  json::monotonic_resource memory(line_memory.data(), line_memory.size());  // larger lines: heap
  json::parser parser(json::storage_ptr(), json::parse_options(), parser_stack, sizeof parser_stack);
  std::size_t line_no = lines_before;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (line.size() > max_line_bytes) {
      errors.push_back({file, line_no, "", "line longer than " + std::to_string(max_line_bytes) + " bytes"});
      continue;
    }
    parser.reset();  // lets go of the last line's values before their memory is reused
    memory.release();
    parser.reset(json::storage_ptr(&memory));
    boost::system::error_code ec;
    parser.write(line, ec);
    if (ec) {
      errors.push_back({file, line_no, "", "malformed JSON: " + ec.message()});
      continue;
    }
    const json::value v = parser.release();
    if (!v.is_object()) {
      errors.push_back({file, line_no, "", std::string("expected a JSON object, got ") + json_kind(v)});
      continue;
    }
    each(line_no, v.get_object());
  }
}

std::vector<std::string> lead_field_names(const engine::Program& program) {
  std::vector<std::string> names;
  for (const FieldDef& f : program.lead_fields) names.push_back(f.name);
  return names;
}

}  // namespace

std::string format_input_error(const InputError& error) {
  std::string s = error.file + ":" + std::to_string(error.line) + ": error: ";
  if (!error.field.empty()) s += "field `" + error.field + "`: ";
  s += error.message;
  return s;
}

bool is_capture_event(const engine::EventDef& def) {
  for (const FieldDef& f : def.fields) {
    if (f.name == "email") return true;
  }
  return false;
}

bool is_account_event(const engine::EventDef& def) {
  if (is_capture_event(def)) return false;
  for (const FieldDef& f : def.fields) {
    if (f.name == "domain") return true;
  }
  return false;
}

std::vector<LeadInput> read_leads(const engine::Program& program, std::string_view text, const std::string& file,
                                  std::vector<InputError>& errors) {
  std::vector<LeadInput> leads;
  std::map<std::string, std::size_t, std::less<>> first_line;  // id -> line
  const std::vector<std::string> known = lead_field_names(program);
  const engine::Slot id_slot = program.lead_slot("id");
  const engine::Slot created_slot = program.lead_slot("created_at");

  // Lead records repeat their keys in the same order: the slot of the n-th key of the last record
  // is checked first, a string comparison instead of a lookup by name.
  struct KnownKey {
    std::string key;
    engine::Slot slot = engine::no_index;
    bool looked_up = false;
  };
  std::vector<KnownKey> slot_at;
  for_each_object(text, 0, file, errors, [&](std::size_t line, const json::object& obj) {
    LeadInput lead;
    lead.line = line;
    lead.fields.assign(program.lead_fields.size(), Value());
    std::size_t position = 0;
    for (const auto& [key_sv, value] : obj) {
      const std::string_view key(key_sv);
      if (position == slot_at.size()) slot_at.emplace_back();
      KnownKey& known_key = slot_at[position++];
      if (!known_key.looked_up || known_key.key != key) {
        known_key = KnownKey{std::string(key), program.lead_slot(key), true};
      }
      const engine::Slot slot = known_key.slot;
      if (slot == engine::no_index) {
        errors.push_back({file, line, std::string(key),
                          "unknown field `" + std::string(key) + "` on `lead`" + unknown_name_help(key, known)});
        return;
      }
      const FieldDef& def = program.lead_fields[static_cast<std::size_t>(slot)];
      std::string why;
      Value converted;
      if (!convert(value, def.type, def.element, converted, why)) {
        errors.push_back({file, line, std::string(key), why});
        return;
      }
      lead.fields[static_cast<std::size_t>(slot)] = std::move(converted);
    }
    if (id_slot == engine::no_index) {
      errors.push_back({file, line, "id", "the program declares no `id` field on `lead`"});
      return;
    }
    const Value& id = lead.fields[static_cast<std::size_t>(id_slot)];
    if (id.kind() != ValueKind::String || id.as_string().empty()) {
      errors.push_back({file, line, "id", "missing lead id"});
      return;
    }
    lead.id = std::string(id.as_string());
    if (auto [it, fresh] = first_line.emplace(lead.id, line); !fresh) {
      errors.push_back({file, line, "id",
                        "duplicate lead id `" + lead.id + "` (first on line " + std::to_string(it->second) + ")"});
      return;
    }
    if (created_slot != engine::no_index) {
      const Value& c = lead.fields[static_cast<std::size_t>(created_slot)];
      if (c.kind() == ValueKind::Time) {
        lead.created_at = c.as_time();
        lead.has_created_at = true;
      }
    }
    leads.push_back(std::move(lead));
  });
  return leads;
}

std::vector<EventInput> read_events(const engine::Program& program, std::string_view text, const std::string& file,
                                    std::vector<InputError>& errors, std::size_t lines_before) {
  std::vector<EventInput> events;
  // Only for the help of an unknown type: serve reads every event of a request through here one
  // line at a time, and copying every event name per line was half of this function.
  auto event_names = [&] {
    std::vector<std::string> names;
    for (const engine::EventDef& e : program.events) names.push_back(e.name);
    return names;
  };

  for_each_object(text, lines_before, file, errors, [&](std::size_t line, const json::object& obj) {
    EventInput in;
    in.line = line;
    const json::value* at = nullptr;
    const json::value* type = nullptr;
    const json::value* lead = nullptr;
    const json::value* data = nullptr;
    for (const auto& [key_sv, value] : obj) {
      if (key_sv == "at") {
        at = &value;
      } else if (key_sv == "type") {
        type = &value;
      } else if (key_sv == "lead") {
        lead = &value;
      } else if (key_sv == "data") {
        data = &value;
      } else {
        errors.push_back({file, line, std::string(key_sv),
                          "unknown key `" + std::string(key_sv) + "` in an event (expected at, type, lead, data)"});
        return;
      }
    }
    if (type == nullptr || !type->is_string()) {
      errors.push_back({file, line, "type", type == nullptr ? "missing event type" : "expected a string, got " + shown(*type)});
      return;
    }
    const std::string_view type_name(type->get_string());
    std::int32_t index = program.event_index(type_name);
    if (index == engine::no_index) {
      errors.push_back({file, line, "type",
                        "unknown event type `" + std::string(type_name) + "`" + unknown_name_help(type_name, event_names())});
      return;
    }
    const engine::EventDef& def = program.events[static_cast<std::size_t>(index)];
    in.event.type = index;

    std::string why;
    Value at_value;
    if (at == nullptr || at->is_null()) {
      errors.push_back({file, line, "at", "missing event time"});
      return;
    }
    if (!convert(*at, ValueKind::Time, ValueKind::Null, at_value, why)) {
      errors.push_back({file, line, "at", why});
      return;
    }
    in.event.at = at_value.as_time();

    if (lead != nullptr && !lead->is_null()) {
      if (!lead->is_string() || lead->get_string().empty()) {
        errors.push_back({file, line, "lead", "expected a lead id string, got " + shown(*lead)});
        return;
      }
      in.event.lead = std::string(lead->get_string());
    }

    in.event.data.assign(def.fields.size(), Value());
    if (data != nullptr && !data->is_null()) {
      if (!data->is_object()) {
        errors.push_back({file, line, "data", std::string("expected an object, got ") + json_kind(*data)});
        return;
      }
      for (const auto& [key_sv, value] : data->get_object()) {
        const FieldDef* field = nullptr;
        for (const FieldDef& f : def.fields) {
          if (f.name == key_sv) field = &f;
        }
        auto key = [&] { return "data." + std::string(key_sv); };  // only errors need it
        if (field == nullptr) {
          std::vector<std::string> names;
          for (const FieldDef& f : def.fields) names.push_back(f.name);
          errors.push_back({file, line, key(),
                            "unknown field `" + std::string(key_sv) + "` on event `" + def.name + "`" +
                                unknown_name_help(key_sv, names)});
          return;
        }
        Value converted;
        if (!convert(value, field->type, field->element, converted, why)) {
          errors.push_back({file, line, key(), why});
          return;
        }
        in.event.data[static_cast<std::size_t>(field->slot)] = std::move(converted);
      }
    }

    if (in.event.lead.empty()) {
      auto data_of = [&](std::string_view name) -> const Value* {
        for (const FieldDef& f : def.fields) {
          if (f.name == name) return &in.event.data[static_cast<std::size_t>(f.slot)];
        }
        return nullptr;
      };
      if (is_capture_event(def)) {
        const Value* email = data_of("email");
        if (email == nullptr || email->kind() != ValueKind::String || email->as_string().empty()) {
          errors.push_back({file, line, "data.email", "a `" + def.name + "` without `lead` needs `data.email`"});
          return;
        }
      } else if (is_account_event(def)) {
        const Value* domain = data_of("domain");
        if (domain == nullptr || domain->kind() != ValueKind::String || domain->as_string().empty()) {
          errors.push_back({file, line, "data.domain", "a `" + def.name + "` without `lead` needs `data.domain`"});
          return;
        }
      } else {
        errors.push_back({file, line, "lead",
                          "missing lead id (only captures, events with `email`, may omit it)"});
        return;
      }
    }
    events.push_back(std::move(in));
  });
  return events;
}

}  // namespace leadflow::runtime
