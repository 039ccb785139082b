// The names a compilation defines, across all files and imports: built by resolve, read by
// typecheck, lint and lower. Lead fields get dense slots here, so the engine never looks a
// field up by name at run time.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/types.hpp"

namespace leadflow::dsl {

struct LeadFieldInfo {
  std::string name;
  Type type;
  int slot = -1;
  bool builtin = false;  // id, email, score, stage, owner, ... (always present, engine-managed)
  Span decl;             // invalid for a builtin not redeclared by a schema
};

struct EventFieldInfo {
  std::string name;
  Type type;
  int index = -1;  // position in the event's data record
  Span decl;
};

struct EventInfo {
  std::string name;
  int index = -1;
  const EventDecl* decl = nullptr;  // null for builtin-only events
  std::vector<EventFieldInfo> fields;
  std::unordered_map<std::string, int> field_index;
};

struct StageInfo {
  std::string name;
  Span decl;  // first declaration
};

class Symbols {
 public:
  // Lead fields in slot order; builtins first (see builtin_lead_fields()).
  std::vector<LeadFieldInfo> lead_fields;
  std::unordered_map<std::string, int> lead_field_slot;

  std::vector<EventInfo> events;
  std::unordered_map<std::string, int> event_index;

  // Declarations by name (first definition wins; later ones are DuplicateDefinition errors).
  std::map<std::string, ConstDecl*> consts;
  std::map<std::string, const WorkflowDecl*> workflows;
  std::map<std::string, const RouterDecl*> routers;
  std::map<std::string, const TeamDecl*> teams;
  std::map<std::string, const SlaDecl*> slas;
  std::map<std::string, const ScoringDecl*> scorings;
  std::map<std::string, const StagesDecl*> stage_sets;
  std::map<std::string, const CalendarDecl*> calendars;
  std::map<std::string, StageInfo> stages;  // every stage name of every stages block
  const GovernanceDecl* governance = nullptr;

  // Selected by `use` (empty = all declared scoring models / the first `by score` stages).
  std::vector<std::string> active_scorings;
  std::string active_stages;
  std::vector<std::string> disabled_workflows;  // `disable workflow NAME`: never triggered

  const LeadFieldInfo* lead_field(const std::string& name) const;
  const EventInfo* event(const std::string& name) const;
};

struct BuiltinField {
  const char* name;
  Type type;
};
// id, tenant, email, email_domain, score, stage, stage_changed_at, owner, owner_team, tags,
// timezone, created_at, last_activity_at, unsubscribed, bounced — slots 0..N-1 in this order.
const std::vector<BuiltinField>& builtin_lead_fields();

// Built-in functions: name, parameter count, result type (checked by typecheck).
struct BuiltinFunction {
  const char* name;
  int arity;
};
const std::vector<BuiltinFunction>& builtin_functions();

}  // namespace leadflow::dsl
