// The built-in lead fields and functions every compilation starts with, and symbol lookups.
#include "dsl/symbols.hpp"

namespace leadflow::dsl {

const LeadFieldInfo* Symbols::lead_field(const std::string& name) const {
  auto it = lead_field_slot.find(name);
  return it == lead_field_slot.end() ? nullptr : &lead_fields[static_cast<std::size_t>(it->second)];
}

const EventInfo* Symbols::event(const std::string& name) const {
  auto it = event_index.find(name);
  return it == event_index.end() ? nullptr : &events[static_cast<std::size_t>(it->second)];
}

const std::vector<BuiltinField>& builtin_lead_fields() {
  // The engine manages these itself (ids, scoring, stages, routing, suppression), so their
  // slots are fixed: the engine addresses them by these indices.
  static const std::vector<BuiltinField> fields = {
      {"id", Type::of(TypeKind::String)},
      {"tenant", Type::of(TypeKind::String)},
      {"email", Type::of(TypeKind::String)},
      {"email_domain", Type::of(TypeKind::String)},
      {"score", Type::of(TypeKind::Int)},
      {"stage", Type::of(TypeKind::String)},
      {"stage_changed_at", Type::of(TypeKind::Time)},
      {"owner", Type::of(TypeKind::String)},
      {"owner_team", Type::of(TypeKind::String)},
      {"tags", Type::list_of(TypeKind::String)},
      {"timezone", Type::of(TypeKind::String)},
      {"created_at", Type::of(TypeKind::Time)},
      {"last_activity_at", Type::of(TypeKind::Time)},
      {"unsubscribed", Type::of(TypeKind::Bool)},
      {"bounced", Type::of(TypeKind::Bool)},
  };
  return fields;
}

const std::vector<BuiltinFunction>& builtin_functions() {
  // Parameter and result types are checked in typecheck.cpp (check_call).
  static const std::vector<BuiltinFunction> functions = {
      {"days_since", 1}, {"hours_since", 1}, {"minutes_since", 1}, {"lower", 1},
      {"upper", 1},      {"length", 1},      {"domain", 1},        {"coalesce", 2},
  };
  return functions;
}

}  // namespace leadflow::dsl
