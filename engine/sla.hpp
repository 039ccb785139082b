// SLA clocks: timers per escalation level from assignment (or the SLA's start event), the
// effects of each level (remind the owner, alert the manager or team, reassign), and stopping
// on the first activity.
//
// Entry points (E1 calls these):
//   std::vector<TimerRequest> start_sla(const Program&, std::int32_t sla, LeadState&,
//                                       const std::string& lead_id, const std::string& owner,
//                                       TimePoint started_at);
//   StepResult fire_sla_level(const Program&, LeadState&, const std::string& lead_id,
//                             const TimerRequest& timer, const Directory&, TenantState&,
//                             TimePoint now, std::int32_t router = no_index);
//   std::vector<std::string> stop_slas(const Program&, LeadState&, std::int32_t event);
//   bool sla_starts_on(const Sla&, std::int32_t event);   // start_event == event
//
// Timers: kind SlaLevel, `index` = the clock's position in LeadState.slas, `generation` = the
// level's position in Sla.levels. LeadState.slas is append-only (a stopped or finished clock stays
// as a tombstone with next_level == levels.size()), so a position names one clock for good and a
// timer is stale when its clock has stopped or already passed that level. Do not compact
// LeadState.slas while timers may be pending. (SlaClock has no generation of its own; if one is
// added, stop_slas is the place to bump it.)
//
// Effects of a level (all engine-level: workflow ""):
//   remind owner   sla {level: "remind_owner", owner, sla} + notify {channel: "email", to: owner, message}
//   alert manager  sla {level: "alert_manager", owner, sla} + notify {channel: "email", to: manager, message}
//   alert team     sla {level: "alert_team", owner, sla} + notify {channel: "email", to: member, message} per member
//   notify C T     sla {level: "notify", owner, sla} + notify {channel: C, to: T, message}
//   reassign       sla {level: "reassign", owner, sla} (the logged incident) + assign {owner, team,
//                  rule: "sla reassign"} + notify {channel: "email", to: new owner, message};
//                  the old owner is released, the owner/owner_team slots are written, the old clock
//                  ends and the same SLA restarts for the new owner (its timers are returned).
// The manager is the team manager of the owner's team (directory team, else the Program team that
// lists the owner), else OwnerInfo.manager.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "engine/program.hpp"

namespace leadflow::engine {

// "remind_owner", "alert_manager", "alert_team", "reassign", "notify".
const char* sla_action_name(SlaAction action);

// Appends a clock for `owner` and returns one timer per level, due at started_at + after_seconds.
std::vector<TimerRequest> start_sla(const Program& program, std::int32_t sla, LeadState& lead,
                                    const std::string& lead_id, const std::string& owner,
                                    TimePoint started_at, bool after_reassign = false);

// A SlaLevel timer is due. Stale timers give an empty result. `router` is used for reassignment
// when given (the router of the assign step that started the SLA), excluding the current owner;
// otherwise the current owner's team is round-robined, excluding the current owner.
StepResult fire_sla_level(const Program& program, LeadState& lead, const std::string& lead_id,
                          const TimerRequest& timer, const Directory& directory,
                          TenantState& tenant, TimePoint now, std::int32_t router = no_index);

// Stops running clocks whose stop event is `event` (an SLA without `until event X` stops on
// `activity_logged`). Returns one trace line per stopped clock.
std::vector<std::string> stop_slas(const Program& program, LeadState& lead, std::int32_t event);

// True while the clock has levels left.
bool sla_running(const Program& program, const SlaClock& clock);

inline bool sla_starts_on(const Sla& sla, std::int32_t event) {
  return sla.start_event != no_index && sla.start_event == event;
}

}  // namespace leadflow::engine
