// Router evaluation: ordered rules, round robin with availability and capacity, fallback.
#include "engine/routing.hpp"

#include "engine/expr_eval.hpp"
#include "engine/governance.hpp"

namespace leadflow::engine {

namespace {

const OwnerInfo* find_owner(const Directory& directory, std::string_view id) {
  auto it = directory.owners.find(std::string(id));
  return it == directory.owners.end() ? nullptr : &it->second;
}

const Team* team_at(const Program& program, std::int32_t team) {
  if (team < 0 || static_cast<std::size_t>(team) >= program.teams.size()) return nullptr;
  return &program.teams[static_cast<std::size_t>(team)];
}

void assign(TenantState& tenant, RouteDecision& decision) {
  decision.assigned = !decision.owner.empty();
  if (decision.assigned) ++tenant.open_leads[decision.owner];
}

// Round robin over a team; true when a member was chosen (written into `decision`).
bool pick_member(const Program& program, std::int32_t team_index, bool skip_away,
                 bool skip_capacity, const Directory& directory, TenantState& tenant,
                 TimePoint now, std::string_view exclude, bool traced, RouteDecision& decision) {
  const Team* team = team_at(program, team_index);
  if (!team) return false;
  const std::size_t n = team->members.size();
  if (n == 0) {
    if (traced) decision.trace.push_back("team " + team->name + " has no members");
    return false;
  }
  std::size_t& cursor = tenant.round_robin[team_index];
  if (cursor >= n) cursor %= n;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t pos = (cursor + k) % n;
    const std::string& member = team->members[pos];
    const OwnerInfo* info = find_owner(directory, member);
    if (!exclude.empty() && member == exclude) {
      if (traced) decision.trace.push_back("skip " + member + ": current owner");
      continue;
    }
    if (skip_away && owner_away(info, team, directory, now)) {
      if (traced) decision.trace.push_back("skip " + member + ": away");
      continue;
    }
    if (skip_capacity && owner_at_capacity(info, team, tenant, member)) {
      auto it = tenant.open_leads.find(member);
      if (traced) decision.trace.push_back("skip " + member + ": at capacity (" +
                               std::to_string(it == tenant.open_leads.end() ? 0 : it->second) +
                               " open)");
      continue;
    }
    cursor = (pos + 1) % n;
    decision.owner = member;
    decision.team = team->name;
    return true;
  }
  if (traced) decision.trace.push_back("nobody available in team " + team->name);
  return false;
}

// Resolves one target; `last_team` tracks the last team tried for `manager`.
bool resolve_target(const Program& program, const RouteTarget& target,
                    std::span<const Value> lead, const Directory& directory, TenantState& tenant,
                    TimePoint now, std::string_view exclude, bool never_skip,
                    std::int32_t& last_team, bool traced, RouteDecision& decision) {
  switch (target.kind) {
    case RouteTargetKind::Owner: {
      const Value v = evaluate(target.owner, lead, {}, now);
      if (v.kind() != ValueKind::String || v.as_string().empty()) {
        if (traced) decision.trace.push_back("owner expression is " + to_trace(v) + ": no owner");
        return false;
      }
      const std::string owner(v.as_string());
      if (!never_skip) {
        const OwnerInfo* info = find_owner(directory, owner);
        const Team* team = info ? team_at(program, program.team_index(info->team)) : nullptr;
        if (!exclude.empty() && owner == exclude) {
          if (traced) decision.trace.push_back("skip " + owner + ": current owner");
          return false;
        }
        if (target.skip_away && owner_away(info, team, directory, now)) {
          if (traced) decision.trace.push_back("skip " + owner + ": away");
          return false;
        }
        if (target.skip_at_capacity && owner_at_capacity(info, team, tenant, owner)) {
          if (traced) decision.trace.push_back("skip " + owner + ": at capacity");
          return false;
        }
      }
      decision.owner = owner;
      const OwnerInfo* info = find_owner(directory, owner);
      decision.team = info ? info->team : std::string();
      return true;
    }
    case RouteTargetKind::Team:
    case RouteTargetKind::RoundRobin: {
      last_team = target.team;
      const bool plain = target.kind == RouteTargetKind::Team;
      const bool skip_away = !never_skip && (plain || target.skip_away);
      const bool skip_capacity = !never_skip && (plain || target.skip_at_capacity);
      if (pick_member(program, target.team, skip_away, skip_capacity, directory, tenant, now,
                      never_skip ? std::string_view() : exclude, traced, decision))
        return true;
      return false;
    }
    case RouteTargetKind::Manager: {
      const std::int32_t team = target.team != no_index ? target.team : last_team;
      const std::string manager = team_manager(program, team, directory);
      if (manager.empty()) {
        if (traced) decision.trace.push_back("no manager known");
        return false;
      }
      decision.owner = manager;
      if (const Team* t = team_at(program, team)) decision.team = t->name;
      return true;
    }
  }
  return false;
}

}  // namespace

bool owner_away(const OwnerInfo* info, const Team* team, const Directory& directory,
                TimePoint now) {
  if (info) {
    for (const auto& [from, to] : info->away)
      if (now >= from && now < to) return true;
  }
  std::optional<ClockWindow> hours;
  if (info && info->hours) hours = info->hours;
  else if (team) hours = team->hours;
  if (!hours) return false;
  std::string_view tz = directory.tenant_timezone;
  if (team && !team->timezone.empty()) tz = team->timezone;
  if (info && !info->timezone.empty()) tz = info->timezone;
  return !in_window(*hours, local_minute_of_day(tz, now));
}

bool owner_at_capacity(const OwnerInfo* info, const Team* team, const TenantState& tenant,
                       std::string_view owner) {
  std::int64_t capacity = info && info->capacity > 0 ? info->capacity : team ? team->capacity : 0;
  if (capacity <= 0) return false;
  auto it = tenant.open_leads.find(std::string(owner));
  return it != tenant.open_leads.end() && it->second >= capacity;
}

std::string team_manager(const Program& program, std::int32_t team, const Directory& directory) {
  const Team* t = team_at(program, team);
  if (!t) return {};
  if (!t->manager.empty()) return t->manager;
  for (const auto& [id, info] : directory.owners)
    if (info.team == t->name && !info.manager.empty()) return info.manager;
  return {};
}

std::int32_t owner_team_index(const Program& program, const Directory& directory,
                              std::string_view owner) {
  if (const OwnerInfo* info = find_owner(directory, owner); info && !info->team.empty()) {
    const std::int32_t index = program.team_index(info->team);
    if (index != no_index) return index;
  }
  for (std::size_t i = 0; i < program.teams.size(); ++i)
    for (const std::string& member : program.teams[i].members)
      if (member == owner) return static_cast<std::int32_t>(i);
  return no_index;
}

RouteDecision route(const Program& program, std::int32_t router, std::span<const Value> lead,
                    const Directory& directory, TenantState& tenant, TimePoint now,
                    std::string_view exclude, bool traced) {
  RouteDecision decision;
  if (router < 0 || static_cast<std::size_t>(router) >= program.routers.size()) {
    if (traced) decision.trace.push_back("unknown router");
    return decision;
  }
  const Router& r = program.routers[static_cast<std::size_t>(router)];
  std::int32_t last_team = no_index;
  for (const RouteRule& rule : r.rules) {
    if (rule.condition && !evaluate_condition(*rule.condition, lead, {}, now)) {
      if (traced) decision.trace.push_back("rule `" + rule.text + "` → false");
      continue;
    }
    if (traced) decision.trace.push_back("rule `" + rule.text + "` → true");
    if (resolve_target(program, rule.target, lead, directory, tenant, now, exclude, false,
                       last_team, traced, decision)) {
      decision.rule = rule.text;
      if (traced) decision.trace.push_back("assigned to " + decision.owner);
      assign(tenant, decision);
      return decision;
    }
  }

  decision.rule = "fallback";
  if (last_team == no_index) {
    // No team was tried (every team rule was false): the router's last team target stands in.
    for (auto it = r.rules.rbegin(); it != r.rules.rend(); ++it) {
      if (it->target.team != no_index) {
        last_team = it->target.team;
        break;
      }
    }
  }
  const RouteTarget fallback =
      r.fallback ? *r.fallback : RouteTarget{RouteTargetKind::Manager, no_index, false, false, {}};
  if (resolve_target(program, fallback, lead, directory, tenant, now, exclude, true, last_team,
                     traced, decision)) {
    if (traced) decision.trace.push_back("fallback: assigned to " + decision.owner);
    assign(tenant, decision);
  } else {
    if (traced) decision.trace.push_back("fallback: no owner found");
  }
  return decision;
}

RouteDecision route_to_team(const Program& program, std::int32_t team,
                            std::span<const Value> /*lead*/, const Directory& directory,
                            TenantState& tenant, TimePoint now, std::string_view exclude, bool traced) {
  RouteDecision decision;
  const Team* t = team_at(program, team);
  if (!t) {
    if (traced) decision.trace.push_back("unknown team");
    return decision;
  }
  if (pick_member(program, team, true, true, directory, tenant, now, exclude, traced, decision)) {
    decision.rule = "team " + t->name;
    assign(tenant, decision);
    return decision;
  }
  decision.rule = "fallback";
  decision.owner = team_manager(program, team, directory);
  decision.team = t->name;
  if (decision.owner.empty()) {
    if (traced) decision.trace.push_back("fallback: team " + t->name + " has no manager");
  } else {
    if (traced) decision.trace.push_back("fallback: assigned to " + decision.owner);
    assign(tenant, decision);
  }
  return decision;
}

RouteDecision route_lead(const Program& program, std::int32_t router, LeadState& lead,
                         TenantState& tenant, const Directory& directory, TimePoint now) {
  return route(program, router, lead.fields, directory, tenant, now);
}

void release(TenantState& tenant, std::string_view owner) {
  auto it = tenant.open_leads.find(std::string(owner));
  if (it == tenant.open_leads.end()) return;
  if (--it->second <= 0) tenant.open_leads.erase(it);
}

Effect assign_effect(const RouteDecision& decision, TimePoint at, std::string lead,
                     std::string workflow) {
  Effect effect;
  effect.at = at;
  effect.lead = std::move(lead);
  effect.workflow = std::move(workflow);
  effect.action = "assign";
  effect.fields.emplace_back("owner", decision.owner.empty() ? Value::null()
                                                             : Value::string(decision.owner));
  effect.fields.emplace_back("team", decision.team.empty() ? Value::null()
                                                           : Value::string(decision.team));
  effect.fields.emplace_back("rule", Value::string(decision.rule));
  return effect;
}

}  // namespace leadflow::engine
