// Program: name lookups, dispatch tables and the source-set version hash.
#include "engine/program.hpp"

#include <algorithm>
#include <cstdio>

namespace leadflow::engine {

const char* step_kind_name(StepKind kind) {
  switch (kind) {
    case StepKind::Start: return "start";
    case StepKind::End: return "end";
    case StepKind::Score: return "score";
    case StepKind::Stage: return "stage";
    case StepKind::Set: return "set";
    case StepKind::Tag: return "tag";
    case StepKind::Assign: return "assign";
    case StepKind::Task: return "task";
    case StepKind::Send: return "send";
    case StepKind::Notify: return "notify";
    case StepKind::Webhook: return "webhook";
    case StepKind::Validate: return "validate";
    case StepKind::Enrich: return "enrich";
    case StepKind::Enroll: return "enroll";
    case StepKind::Wait: return "wait";
    case StepKind::If: return "if";
    case StepKind::ElseIf: return "elif";
    case StepKind::Stop: return "stop";
    case StepKind::For: return "for";
  }
  return "?";
}

std::int32_t Program::find(const NameIndex& index, std::string_view name) {
  auto it = index.find(name);
  return it == index.end() ? no_index : it->second;
}

Slot Program::lead_slot(std::string_view name) const { return find(lead_slots_, name); }
std::int32_t Program::event_index(std::string_view name) const { return find(events_, name); }
std::int32_t Program::workflow_index(std::string_view name) const { return find(workflows_, name); }
std::int32_t Program::router_index(std::string_view name) const { return find(routers_, name); }
std::int32_t Program::team_index(std::string_view name) const { return find(teams_, name); }
std::int32_t Program::sla_index(std::string_view name) const { return find(slas_, name); }
std::int32_t Program::calendar_index(std::string_view name) const { return find(calendars_, name); }
std::int32_t Program::scoring_index(std::string_view name) const { return find(scorings_, name); }
std::int32_t Program::stage_set_index(std::string_view name) const { return find(stage_sets_, name); }

const Workflow* Program::workflow(std::string_view name) const {
  std::int32_t i = workflow_index(name);
  return i == no_index ? nullptr : &workflows[static_cast<std::size_t>(i)];
}

const Value* Program::constant(std::string_view name) const {
  std::int32_t i = find(constants_, name);
  return i == no_index ? nullptr : &constants[static_cast<std::size_t>(i)].value;
}

namespace {

template <typename T, typename NameOf>
void index_names(std::map<std::string, std::int32_t, std::less<>>& index, const std::vector<T>& items,
                 NameOf name_of) {
  index.clear();
  for (std::size_t i = 0; i < items.size(); ++i) {
    index.emplace(name_of(items[i]), static_cast<std::int32_t>(i));  // first wins
  }
}

void add_unique(std::vector<std::int32_t>& v, std::int32_t x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

void Program::build_indices() {
  auto by_name = [](const auto& x) { return x.name; };
  index_names(lead_slots_, lead_fields, by_name);
  index_names(events_, events, by_name);
  index_names(workflows_, workflows, by_name);
  index_names(routers_, routers, by_name);
  index_names(teams_, teams, by_name);
  index_names(slas_, slas, by_name);
  index_names(calendars_, calendars, by_name);
  index_names(scorings_, scorings, by_name);
  index_names(stage_sets_, stage_sets, by_name);
  index_names(constants_, constants, by_name);
  builtin_slots = {lead_slot("owner"), lead_slot("timezone"), lead_slot("unsubscribed"), lead_slot("bounced")};

  workflows_by_event.assign(events.size(), {});
  workflows_by_field.assign(lead_fields.size(), {});
  exits_by_event.assign(events.size(), {});
  auto in_range = [](std::int32_t i, std::size_t n) { return i >= 0 && static_cast<std::size_t>(i) < n; };
  for (const Workflow& w : workflows) {
    // Account workflows are decided per account (engine/account_scope.hpp), not per lead.
    if (w.account) continue;
    for (const TriggerDef& t : w.triggers) {
      switch (t.kind) {
        case TriggerKind::Event:
          if (in_range(t.event, events.size())) add_unique(workflows_by_event[static_cast<std::size_t>(t.event)], w.index);
          break;
        case TriggerKind::Becomes:
        case TriggerKind::Crosses:
          if (in_range(t.field, lead_fields.size())) add_unique(workflows_by_field[static_cast<std::size_t>(t.field)], w.index);
          break;
        case TriggerKind::Unchanged:
        case TriggerKind::Condition:
          for (Slot s : t.condition.lead_reads) {
            if (in_range(s, lead_fields.size())) add_unique(workflows_by_field[static_cast<std::size_t>(s)], w.index);
          }
          break;
      }
    }
    for (std::int32_t e : w.exits.events) {
      if (in_range(e, events.size())) add_unique(exits_by_event[static_cast<std::size_t>(e)], w.index);
    }
  }
}

std::string source_set_version(const std::vector<std::string_view>& texts) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 0x100000001b3ull;
  };
  for (std::string_view t : texts) {
    for (unsigned char c : t) mix(c);
    // A separator, so that moving text from the end of one file to the next changes the hash.
    mix(0xff);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace leadflow::engine
