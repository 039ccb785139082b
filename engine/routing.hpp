// Routers: ordered rules → an owner, by named-account override, territory, language, segment and
// round robin over team members who are neither away nor at capacity; the fallback last.
//
// Entry points (E1 calls these from `assign` steps and SLA reassignment):
//   RouteDecision route(const Program&, std::int32_t router, std::span<const Value> lead,
//                       const Directory&, TenantState&, TimePoint now,
//                       std::string_view exclude = {});
//   RouteDecision route_to_team(const Program&, std::int32_t team, std::span<const Value> lead,
//                               const Directory&, TenantState&, TimePoint now,
//                               std::string_view exclude = {});   // `assign team NAME`
//   void release(TenantState&, std::string_view owner);            // the lead closed / moved
//   bool owner_away(const OwnerInfo*, const Team*, const Directory&, TimePoint now);
//   bool owner_at_capacity(const OwnerInfo*, const Team*, const TenantState&, std::string_view);
//   std::string team_manager(const Program&, std::int32_t team, const Directory&);
//   Effect assign_effect(const RouteDecision&, TimePoint at, std::string lead, std::string workflow);
//   RouteDecision route_lead(const Program&, std::int32_t router, LeadState&, TenantState&,
//                            const Directory&, TimePoint now);   // EngineHooks::route
//
// Semantics:
// - Rules are tried in order; a rule applies when its condition is true (`otherwise`: always).
// - `-> lead.account_owner` (Owner): the expression's string; null or "" means the rule does not
//   apply and the next one is tried. Skip flags, when written, apply to it too.
// - `-> team X` and `-> round_robin team X`: the team's round-robin cursor
//   (TenantState.round_robin[team]) picks the next member from the cursor on, skipping those the
//   flags name (`skip away, at_capacity`; a plain `team X` skips both); the cursor moves past
//   the chosen member. When nobody qualifies the cursor stays and the next rule is tried.
// - `-> manager`: the manager of the rule's team, else of the last team tried.
// - Fallback (`fallback manager`): the manager of the last team tried (Team.manager, else the
//   `manager` of a directory owner of that team), else of the router's last team target. Any
//   other fallback target is resolved like a rule but never skipped.
// - Away: an OwnerInfo.away range [from, to) covers now, or, when working hours are known
//   (OwnerInfo.hours, else the Team's), now is outside them in the owner's time zone (OwnerInfo
//   timezone, else the Team's, else Directory.tenant_timezone). Owners missing from the
//   directory are never away unless the team's hours say so.
// - Capacity: OwnerInfo.capacity, else Team.capacity; 0 = unlimited; at capacity when
//   TenantState.open_leads[owner] >= capacity.
// - `exclude` is never chosen by a team target (SLA reassignment excludes the current owner).
// - Every assignment, the fallback included, increments TenantState.open_leads[owner].
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.hpp"
#include "engine/program.hpp"
#include "engine/value.hpp"

namespace leadflow::engine {

// RouteDecision is declared in engine/engine.hpp (E1's hook type): {assigned, owner, team, rule,
// trace}. `rule` is the rule's text ("otherwise" included) or "fallback".
inline bool fell_back(const RouteDecision& decision) { return decision.rule == "fallback"; }

// `traced`: fill RouteDecision::trace; without it the lines are not built (same decision).
RouteDecision route(const Program& program, std::int32_t router, std::span<const Value> lead,
                    const Directory& directory, TenantState& tenant, TimePoint now,
                    std::string_view exclude = {}, bool traced = true);

// `assign team NAME` and SLA reassignment: round robin over the team skipping away and at
// capacity, then the team's manager (rule "fallback").
RouteDecision route_to_team(const Program& program, std::int32_t team,
                            std::span<const Value> lead, const Directory& directory,
                            TenantState& tenant, TimePoint now, std::string_view exclude = {},
                            bool traced = true);

// EngineHooks::route: route() over lead.fields. Does not write the owner slots.
RouteDecision route_lead(const Program& program, std::int32_t router, LeadState& lead,
                         TenantState& tenant, const Directory& directory, TimePoint now);

// One open lead fewer for `owner` (a lead closed, was disqualified or reassigned).
void release(TenantState& tenant, std::string_view owner);

// Availability checks (either info pointer may be null).
bool owner_away(const OwnerInfo* info, const Team* team, const Directory& directory,
                TimePoint now);
bool owner_at_capacity(const OwnerInfo* info, const Team* team, const TenantState& tenant,
                       std::string_view owner);

// Team.manager, else the `manager` of the first directory owner of that team; "" when unknown.
std::string team_manager(const Program& program, std::int32_t team, const Directory& directory);

// The team index of `owner`: its directory team, else the first Program team listing it.
std::int32_t owner_team_index(const Program& program, const Directory& directory,
                              std::string_view owner);

// The `assign` effect line: {owner, team, rule}.
Effect assign_effect(const RouteDecision& decision, TimePoint at, std::string lead,
                     std::string workflow);

}  // namespace leadflow::engine
