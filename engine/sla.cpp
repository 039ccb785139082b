// SLA clocks and escalation levels.
#include "engine/sla.hpp"

#include "engine/routing.hpp"

namespace leadflow::engine {

namespace {

const Sla* sla_at(const Program& program, std::int32_t sla) {
  if (sla < 0 || static_cast<std::size_t>(sla) >= program.slas.size()) return nullptr;
  return &program.slas[static_cast<std::size_t>(sla)];
}

Effect make_effect(TimePoint at, const std::string& lead, std::string action) {
  Effect effect;
  effect.at = at;
  effect.lead = lead;
  effect.action = std::move(action);
  return effect;
}

Effect notify_effect(TimePoint at, const std::string& lead, std::string_view channel,
                     std::string_view to, std::string message) {
  Effect effect = make_effect(at, lead, "notify");
  effect.fields.emplace_back("channel", Value::string(channel));
  effect.fields.emplace_back("to", Value::string(to));
  effect.fields.emplace_back("message", Value::string(std::move(message)));
  return effect;
}

void set_slot(const Program& program, LeadState& lead, std::string_view name, Value value) {
  const Slot slot = program.lead_slot(name);
  if (slot < 0) return;
  if (lead.fields.size() <= static_cast<std::size_t>(slot))
    lead.fields.resize(static_cast<std::size_t>(slot) + 1);
  lead.fields[static_cast<std::size_t>(slot)] = std::move(value);
}

std::string manager_of(const Program& program, const Directory& directory,
                       const std::string& owner) {
  const std::int32_t team = owner_team_index(program, directory, owner);
  std::string manager = team_manager(program, team, directory);
  if (manager.empty()) {
    auto it = directory.owners.find(owner);
    if (it != directory.owners.end()) manager = it->second.manager;
  }
  return manager;
}

}  // namespace

const char* sla_action_name(SlaAction action) {
  switch (action) {
    case SlaAction::RemindOwner: return "remind_owner";
    case SlaAction::AlertManager: return "alert_manager";
    case SlaAction::AlertTeam: return "alert_team";
    case SlaAction::Reassign: return "reassign";
    case SlaAction::Notify: return "notify";
  }
  return "notify";
}

bool sla_running(const Program& program, const SlaClock& clock) {
  const Sla* sla = sla_at(program, clock.sla);
  if (!sla) return false;
  for (std::size_t level = clock.next_level; level < sla->levels.size(); ++level)
    if (!clock.after_reassign || sla->levels[level].action != SlaAction::Reassign) return true;
  return false;
}

std::vector<TimerRequest> start_sla(const Program& program, std::int32_t sla_index,
                                    LeadState& lead, const std::string& lead_id,
                                    const std::string& owner, TimePoint started_at,
                                    bool after_reassign) {
  std::vector<TimerRequest> timers;
  const Sla* sla = sla_at(program, sla_index);
  if (!sla) return timers;
  // One running clock per SLA: a re-assignment restarts it for the new owner.
  for (SlaClock& clock : lead.slas)
    if (clock.sla == sla_index) clock.next_level = sla->levels.size();
  SlaClock clock;
  clock.sla = sla_index;
  clock.started_at = started_at;
  clock.owner = owner;
  clock.next_level = 0;
  clock.after_reassign = after_reassign;
  lead.slas.push_back(std::move(clock));
  const auto position = static_cast<std::int32_t>(lead.slas.size() - 1);
  for (std::size_t level = 0; level < sla->levels.size(); ++level) {
    if (after_reassign && sla->levels[level].action == SlaAction::Reassign) continue;
    TimerRequest timer;
    timer.due = started_at + sla->levels[level].after_seconds;
    timer.lead = lead_id;
    timer.kind = TimerKind::SlaLevel;
    timer.index = position;
    timer.generation = level;
    timers.push_back(std::move(timer));
  }
  return timers;
}

std::vector<std::string> stop_slas(const Program& program, LeadState& lead, std::int32_t event) {
  std::vector<std::string> trace;
  if (lead.slas.empty()) return trace;  // the common case: no name lookup on every event
  const std::int32_t activity = program.event_index("activity_logged");
  for (SlaClock& clock : lead.slas) {
    const Sla* sla = sla_at(program, clock.sla);
    if (!sla || clock.next_level >= sla->levels.size()) continue;
    const std::int32_t stop = sla->stop_event != no_index ? sla->stop_event : activity;
    if (stop == no_index || stop != event) continue;
    clock.next_level = sla->levels.size();
    trace.push_back("sla " + sla->name + " stopped by " +
                    program.events[static_cast<std::size_t>(event)].name);
  }
  return trace;
}

StepResult fire_sla_level(const Program& program, LeadState& lead, const std::string& lead_id,
                          const TimerRequest& timer, const Directory& directory,
                          TenantState& tenant, TimePoint now, std::int32_t router) {
  StepResult result;
  if (timer.kind != TimerKind::SlaLevel || timer.index < 0 ||
      static_cast<std::size_t>(timer.index) >= lead.slas.size())
    return result;
  const auto clock_pos = static_cast<std::size_t>(timer.index);
  const Sla* sla = sla_at(program, lead.slas[clock_pos].sla);
  const auto level_index = static_cast<std::size_t>(timer.generation);
  if (!sla || level_index >= sla->levels.size() ||
      lead.slas[clock_pos].next_level > level_index)
    return result;  // stopped, restarted or already fired: stale
  lead.slas[clock_pos].next_level = level_index + 1;
  const SlaLevel& level = sla->levels[level_index];
  const std::string owner = lead.slas[clock_pos].owner;

  Effect sla_line = make_effect(now, lead_id, "sla");
  sla_line.fields.emplace_back("level", Value::string(sla_action_name(level.action)));
  sla_line.fields.emplace_back("owner", Value::string(owner));
  sla_line.fields.emplace_back("sla", Value::string(sla->name));
  result.effects.push_back(std::move(sla_line));
  const std::string what = "sla " + sla->name + " " + sla_action_name(level.action) + " at " +
                           format_duration(level.after_seconds);
  result.trace.push_back(TraceLine{now, lead_id, "", what + " (owner " + owner + ")"});

  const std::string uncontacted = "lead " + lead_id + " not contacted " +
                                  format_duration(now - lead.slas[clock_pos].started_at) +
                                  " after assignment (sla " + sla->name + " " +
                                  format_duration(sla->seconds) + ")";
  switch (level.action) {
    case SlaAction::RemindOwner:
      result.effects.push_back(notify_effect(now, lead_id, "email", owner, uncontacted));
      break;
    case SlaAction::AlertManager: {
      const std::string manager = manager_of(program, directory, owner);
      if (manager.empty())
        result.trace.push_back(TraceLine{now, lead_id, "", "no manager known for " + owner});
      else
        result.effects.push_back(notify_effect(now, lead_id, "email", manager,
                                               uncontacted + ", owner " + owner));
      break;
    }
    case SlaAction::AlertTeam: {
      const std::int32_t team = owner_team_index(program, directory, owner);
      if (team == no_index) {
        result.trace.push_back(TraceLine{now, lead_id, "", "no team known for " + owner});
        break;
      }
      for (const std::string& member : program.teams[static_cast<std::size_t>(team)].members)
        result.effects.push_back(notify_effect(now, lead_id, "email", member,
                                               uncontacted + ", owner " + owner));
      break;
    }
    case SlaAction::Notify:
      result.effects.push_back(notify_effect(now, lead_id, level.channel, level.target,
                                             uncontacted + ", owner " + owner));
      break;
    case SlaAction::Reassign: {
      release(tenant, owner);
      RouteDecision decision;
      if (router != no_index) {
        decision = route(program, router, lead.fields, directory, tenant, now, owner);
      } else {
        const std::int32_t team = owner_team_index(program, directory, owner);
        decision = route_to_team(program, team, lead.fields, directory, tenant, now, owner);
      }
      for (std::string& line : decision.trace)
        result.trace.push_back(TraceLine{now, lead_id, "", std::move(line)});
      if (!decision.assigned) {
        // Nobody else: the lead stays with its owner rather than sitting without one.
        ++tenant.open_leads[owner];
        lead.slas[clock_pos].next_level = sla->levels.size();
        result.trace.push_back(TraceLine{now, lead_id, "", "reassign: nobody available, " +
                                                               owner + " keeps the lead"});
        break;
      }
      decision.rule = "sla reassign";
      result.effects.push_back(assign_effect(decision, now, lead_id, ""));
      result.effects.push_back(notify_effect(now, lead_id, "email", decision.owner,
                                             "lead " + lead_id + " reassigned to you from " +
                                                 owner + " (sla " + sla->name + " breached)"));
      set_slot(program, lead, "owner", Value::string(decision.owner));
      if (!decision.team.empty()) set_slot(program, lead, "owner_team", Value::string(decision.team));
      for (TimerRequest& t :
           start_sla(program, lead.slas[clock_pos].sla, lead, lead_id, decision.owner, now, true))
        result.timers.push_back(std::move(t));
      break;
    }
  }
  return result;
}

}  // namespace leadflow::engine
