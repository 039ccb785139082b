// Why a lead did and did not do things, from its final state and the few facts the engine kept.
// Nothing here feeds back into decisions: these are read-only views for --trace and `explain`.
#include "engine/explain.hpp"

#include <algorithm>
#include <map>

#include "engine/expr_eval.hpp"
#include "engine/workflow_graph.hpp"

namespace leadflow::engine {
namespace {

Value slot_value(std::span<const Value> lead, std::int32_t slot) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= lead.size()) return Value();
  return lead[static_cast<std::size_t>(slot)];
}

Value field(const Program& p, const LeadState& lead, std::string_view name) {
  return slot_value(lead.fields, p.lead_slot(name));
}

std::string slot_name(const Program& p, std::int32_t slot) {
  return slot >= 0 && static_cast<std::size_t>(slot) < p.lead_fields.size()
             ? p.lead_fields[static_cast<std::size_t>(slot)].name
             : "#" + std::to_string(slot);
}

std::string shown(const std::string& name, const Value& v) {
  return v.is_null() ? name + " missing" : name + " = " + to_trace(v);
}

std::int64_t current_score(const Program& p, const LeadState& lead) {
  Value v = field(p, lead, "score");
  return v.kind() == ValueKind::Int ? v.as_int() : 0;
}

// `+20`, `-15`, `+0`, right-aligned in four columns so that a column of points reads as a sum.
std::string points(std::int64_t n) {
  std::string s = (n >= 0 ? "+" : "") + std::to_string(n);
  if (s.size() < 4) s.insert(0, 4 - s.size(), ' ');
  return s;
}

// `= 35` in the same four columns, under a column of points.
std::string total(std::int64_t n) {
  std::string s = "= " + std::to_string(n);
  if (s.size() < 4) s.insert(0, 4 - s.size(), ' ');
  return s;
}

std::string signed_number(std::int64_t n) { return (n >= 0 ? "+" : "") + std::to_string(n); }

std::string times(std::uint32_t n) { return std::to_string(n) + (n == 1 ? " time" : " times"); }

std::string quoted(const std::string& s) { return to_trace(Value::string(s)); }

std::string event_name(const Program& p, std::int32_t type) {
  return type >= 0 && static_cast<std::size_t>(type) < p.events.size() ? p.events[static_cast<std::size_t>(type)].name
                                                                        : "#" + std::to_string(type);
}

const EventSeen* seen(const LeadState& lead, std::int32_t type) {
  auto it = lead.facts.events.find(type);
  return it == lead.facts.events.end() || it->second.count == 0 ? nullptr : &it->second;
}

const Enrollment* enrollment(const LeadState& lead, std::int32_t wi) {
  auto it = lead.enrollments.find(wi);
  return it == lead.enrollments.end() || it->second.count == 0 ? nullptr : &it->second;
}

// Workflows with an `enroll NAME` step.
std::vector<std::int32_t> enrollers(const Program& p, const std::string& name) {
  std::vector<std::int32_t> out;
  for (const Workflow& w : p.workflows) {
    if (!w.graph) continue;
    for (std::size_t i = 0; i < w.graph->size(); ++i) {
      const Step& s = w.graph->step(static_cast<StepIndex>(i));
      if (s.kind == StepKind::Enroll && std::get<EnrollStep>(s.payload).name == name) {
        out.push_back(w.index >= 0 ? w.index : static_cast<std::int32_t>(&w - p.workflows.data()));
        break;
      }
    }
  }
  return out;
}

std::string why_trigger_failed(const Program& p, const LeadState& lead, const Workflow& w, std::int32_t wi,
                               std::size_t ti, TimePoint now) {
  const TriggerDef& t = w.triggers[ti];
  std::string text = trigger_text(t);
  auto check = lead.facts.triggers.find(trigger_key(w.name, ti));
  const TriggerCheck* last = check == lead.facts.triggers.end() ? nullptr : &check->second;
  switch (t.kind) {
    case TriggerKind::Event: {
      std::string name = event_name(p, t.event);
      const EventSeen* s = seen(lead, t.event);
      if (!s) return text + " → false (no " + name + " event arrived)";
      std::string arrivals = name + " arrived " + times(s->count) + ", last at " + format_time(s->last_at);
      if (t.where && last && last->has_text()) {
        return last->text() + " at " + format_time(last->at) + "; false for " + std::to_string(last->failed) + " of " +
               std::to_string(s->count) + " " + name + " events";
      }
      return text + " → true (" + arrivals + ")";
    }
    case TriggerKind::Becomes:
    case TriggerKind::Crosses: {
      std::string name = slot_name(p, t.field);
      Value now_value = slot_value(lead.fields, t.field);
      if (!last) return text + " → false (" + shown(name, now_value) + ", never changed)";
      return last->text() + " at " + format_time(last->at) + "; now " + shown(name, now_value);
    }
    case TriggerKind::Unchanged: {
      const HeldCondition* h = nullptr;
      for (const HeldCondition& c : lead.held) {
        if (c.workflow == wi && c.trigger == static_cast<std::int32_t>(ti)) h = &c;
      }
      std::string reads = describe_reads(p, t.condition, lead.fields);
      std::string longest;
      if (last && last->longest_held > 0) {
        longest = "; held at most " + format_duration(last->longest_held) + " from " + format_time(last->longest_since);
      }
      if (h && h->since != 0 && !h->fired) {
        return text + " → false (held " + format_duration(now - h->since) + " since " + format_time(h->since) +
               ", needs " + format_duration(t.held_seconds) + (reads.empty() ? "" : "; " + reads) + ")";
      }
      if (h && h->fired) return text + " → true (held since " + format_time(h->since) + ")";
      return text + " → false (" + t.condition.source + " is false now" + (reads.empty() ? "" : ": " + reads) +
             longest + ")";
    }
    case TriggerKind::Condition: {
      bool v = evaluate_condition(t.condition, lead.fields, {}, now);
      std::string reads = describe_reads(p, t.condition, lead.fields);
      return text + " → " + (v ? "true" : "false") + (reads.empty() ? "" : " (" + reads + ")");
    }
  }
  return text;
}

std::string refusal_text(const EnrollRefusal& r) {
  return "enrollment refused " + times(r.count) + ", last at " + format_time(r.last_at) + " (" + r.reason + ")";
}

}  // namespace

std::string describe_reads(const Program& p, const ExprCode& code, std::span<const Value> lead,
                           std::int32_t event_type, std::span<const Value> event) {
  std::string reads;
  auto add = [&](const std::string& s) {
    if (!reads.empty()) reads += ", ";
    reads += s;
  };
  for (std::int32_t slot : code.lead_reads) add(shown(slot_name(p, slot), slot_value(lead, slot)));
  if (event_type >= 0 && static_cast<std::size_t>(event_type) < p.events.size()) {
    const EventDef& def = p.events[static_cast<std::size_t>(event_type)];
    for (std::int32_t idx : code.event_reads) {
      std::string name = "event.";
      for (const FieldDef& f : def.fields) {
        if (f.slot == idx) name += f.name;
      }
      add(shown(name, slot_value(event, idx)));
    }
  }
  return reads;
}

std::string describe_condition(const Program& p, const ExprCode& code, bool result, std::span<const Value> lead,
                               std::int32_t event_type, std::span<const Value> event, std::string_view text) {
  std::string s = std::string(text.empty() ? std::string_view(code.source) : text) + " → " + (result ? "true" : "false");
  std::string reads = describe_reads(p, code, lead, event_type, event);
  if (!reads.empty()) s += " (" + reads + ")";
  return s;
}

std::string trigger_text(const TriggerDef& t) {
  std::string s = t.text.rfind("when ", 0) == 0 ? t.text : "when " + t.text;
  if (t.where && s.find(t.where->source) == std::string::npos) s += " where " + t.where->source;
  return s;
}

std::string TriggerCheck::text() const {
  if (edge_trigger.empty()) return line ? *line : std::string();
  std::string field(edge_field.view());
  return std::string(edge_trigger.view()) + " → " + (result ? "true" : "false") + " (" +
         (edge_after.is_null() ? field + " missing" : field + " = " + to_trace(edge_after)) + ", before " +
         (edge_before.is_null() ? "missing" : to_trace(edge_before)) + ")";
}

std::string trigger_key(const std::string& workflow, std::size_t trigger) {
  return workflow + "#" + std::to_string(trigger);
}

std::vector<std::string> explain_score_log(const Program& p, const LeadState& lead) {
  std::vector<std::string> out;
  std::int64_t sum = 0;
  for (const ScoreEntry& e : lead.score_log) {
    sum += e.points;
    out.push_back(format_time(e.at) + "  " + points(e.points) + "  " + std::string(e.source) + ": " + quoted(std::string(e.reason)));
  }
  std::int64_t score = current_score(p, lead);
  if (score != sum) {
    out.push_back(std::string(20, ' ') + "  " + points(score - sum) + "  not from a rule: the score as loaded or set");
  }
  out.push_back(std::string(20, ' ') + "  " + total(score));
  return out;
}

std::vector<std::string> explain_score_rules(const Program& p, const LeadState& lead, TimePoint now) {
  // Points by rule key, and the entries no active rule accounts for, by source and reason.
  std::map<std::string, std::int64_t> by_rule;
  std::map<std::string, std::uint32_t> count_by_rule;
  std::map<std::string, TimePoint> last_by_rule;
  for (const ScoreEntry& e : lead.score_log) {
    if (e.rule.empty()) continue;
    const std::string rule(e.rule);
    by_rule[rule] += e.points;
    count_by_rule[rule]++;
    last_by_rule[rule] = e.at;
  }
  std::map<std::string, bool> used;
  std::vector<std::string> out;
  std::int64_t sum = 0;
  auto take = [&](const std::string& key) -> std::int64_t {
    used[key] = true;
    auto it = by_rule.find(key);
    return it == by_rule.end() ? 0 : it->second;
  };

  for (std::int32_t m : p.active_scorings) {
    const ScoringModel& model = p.scorings[static_cast<std::size_t>(m)];
    std::string source = "scoring " + model.name;
    for (const FitRule& rule : model.fit) {
      std::string key = "fit " + model.name + ":" + std::to_string(rule.line);
      std::int64_t pts = take(key);
      sum += pts;
      bool holds = evaluate_condition(rule.condition, lead.fields, {}, now);
      std::string line = points(pts) + "  " + source + ": " + describe_condition(p, rule.condition, holds, lead.fields) +
                         "; " + signed_number(rule.points) + " " + quoted(rule.reason);
      if (!holds) line += " when true";
      else if (pts != rule.points) line += " (clamped to 0..100)";
      out.push_back(std::move(line));
    }
    for (const EventPointsRule& rule : model.on_event) {
      std::string key = "on " + model.name + ":" + std::to_string(rule.line);
      std::int64_t pts = take(key);
      sum += pts;
      std::string name = event_name(p, rule.event);
      std::string line = points(pts) + "  " + source + ": on " + name + (rule.where ? " where " + rule.where->source : "") +
                         " " + signed_number(rule.points) + (rule.reason.empty() ? "" : " " + quoted(rule.reason)) + ": ";
      const EventSeen* s = seen(lead, rule.event);
      std::uint32_t counted = count_by_rule.count(key) ? count_by_rule[key] : 0;
      if (!s) {
        line += "no " + name + " event arrived";
      } else {
        line += name + " arrived " + times(s->count) + ", last at " + format_time(s->last_at);
        if (counted != s->count) line += ", counted " + times(counted);
      }
      out.push_back(std::move(line));
    }
    for (const DecayRule& rule : model.decay) {
      std::string key = "decay " + model.name + ":" + std::to_string(rule.line);
      std::int64_t pts = take(key);
      sum += pts;
      std::string line = points(pts) + "  " + source + ": inactive " + format_duration(rule.after_seconds) + " " +
                         signed_number(rule.points) + (rule.reason.empty() ? "" : " " + quoted(rule.reason)) + ": ";
      if (count_by_rule.count(key)) {
        line += "applied " + times(count_by_rule[key]) + ", last at " + format_time(last_by_rule[key]);
      } else {
        Value la = field(p, lead, "last_activity_at");
        if (la.kind() != ValueKind::Time) la = field(p, lead, "created_at");
        if (la.kind() == ValueKind::Time) {
          line += "not applied (inactive " + format_duration(std::max<std::int64_t>(0, now - la.as_time())) + " since " +
                  format_time(la.as_time()) + ")";
        } else {
          line += "not applied";
        }
      }
      out.push_back(std::move(line));
    }
  }

  // Workflow score steps and rules of models no longer active: by source and reason, first seen first.
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::uint32_t>> other;
  for (const ScoreEntry& e : lead.score_log) {
    if (!e.rule.empty() && used.count(std::string(e.rule))) continue;
    std::string reason(e.reason);
    const std::string suffix = " (no longer holds)";
    if (reason.size() > suffix.size() && reason.compare(reason.size() - suffix.size(), suffix.size(), suffix) == 0) {
      reason.resize(reason.size() - suffix.size());
    }
    auto key = std::make_pair(std::string(e.source), reason);
    auto [it, fresh] = other.emplace(key, std::make_pair(0, 0u));
    if (fresh) order.push_back(key);
    it->second.first += e.points;
    it->second.second++;
  }
  for (const auto& key : order) {
    auto [pts, n] = other[key];
    sum += pts;
    out.push_back(points(pts) + "  " + key.first + ": " + quoted(key.second) + " (" + times(n) + ")");
  }
  std::int64_t score = current_score(p, lead);
  if (score != sum) out.push_back(points(score - sum) + "  not from a rule: the score as loaded or set");
  out.push_back(total(score));
  return out;
}

std::vector<std::string> explain_runs(const Program& p, const LeadState& lead) {
  std::vector<std::string> out;
  for (std::size_t wi = 0; wi < p.workflows.size(); ++wi) {
    const Workflow& w = p.workflows[wi];
    const Enrollment* e = enrollment(lead, static_cast<std::int32_t>(wi));
    if (!e) continue;
    std::string line = w.name + ": entered " + times(e->count) + ", last at " + format_time(e->last_enrolled_at);
    out.push_back(line);
    for (const Run& r : lead.runs) {
      if (r.workflow_name != w.name || r.status == RunStatus::Done || !r.program) continue;
      const Workflow& rw = r.program->workflows[static_cast<std::size_t>(r.workflow)];
      std::string at = rw.graph ? rw.graph->step(r.node).label : "";
      std::string s = "  run " + std::to_string(r.id) + " ";
      switch (r.status) {
        case RunStatus::WaitingTimer:
          s += "waits at `" + at + "` until " + format_time(r.wake_at);
          break;
        case RunStatus::WaitingEvent:
          s += "waits at `" + at + "` for " + event_name(*r.program, r.wait_event) + " until " + format_time(r.wake_at);
          break;
        default: s += "is at `" + at + "`"; break;
      }
      out.push_back(std::move(s));
    }
    if (auto it = lead.facts.run_ends.find(w.name); it != lead.facts.run_ends.end()) {
      out.push_back("  run " + std::to_string(it->second.run) + " ended at " + format_time(it->second.at) + ": " +
                    it->second.how);
    }
    if (auto it = lead.facts.refusals.find(w.name); it != lead.facts.refusals.end()) {
      out.push_back("  " + refusal_text(it->second));
    }
  }
  return out;
}

std::vector<std::string> explain_why_not(const Program& p, const LeadState& lead, TimePoint now) {
  std::vector<std::string> out;
  for (std::size_t wi = 0; wi < p.workflows.size(); ++wi) {
    const Workflow& w = p.workflows[wi];
    auto refusal = lead.facts.refusals.find(w.name);
    const Enrollment* e = enrollment(lead, static_cast<std::int32_t>(wi));
    if (e) {
      if (refusal != lead.facts.refusals.end()) {
        out.push_back("workflow " + w.name + ": entered " + times(e->count) + ", then " + refusal_text(refusal->second));
      }
      continue;
    }
    // An account workflow runs no lead itself: its `for` bodies (same name) are what a lead enters.
    if (w.body_of != no_index) continue;
    if (w.account) {
      bool chosen = false;
      for (std::size_t bi = 0; bi < p.workflows.size(); ++bi) {
        if (p.workflows[bi].body_of == w.index && enrollment(lead, static_cast<std::int32_t>(bi))) chosen = true;
      }
      if (!chosen) out.push_back("workflow " + w.name + ": decided per account; its `for` steps never chose this lead");
      continue;
    }
    out.push_back("workflow " + w.name + ": never entered");
    for (std::size_t ti = 0; ti < w.triggers.size(); ++ti) {
      out.push_back("  " + why_trigger_failed(p, lead, w, static_cast<std::int32_t>(wi), ti, now));
    }
    std::vector<std::int32_t> from = enrollers(p, w.name);
    if (!from.empty()) {
      std::string line = std::string(w.triggers.empty() ? "started only by" : "also started by") + " `enroll " +
                         w.name + "` in ";
      for (std::size_t i = 0; i < from.size(); ++i) {
        const std::string& name = p.workflows[static_cast<std::size_t>(from[i])].name;
        line += (i ? ", " : "") + name + (enrollment(lead, from[i]) ? " (entered)" : " (never entered)");
      }
      out.push_back("  " + line);
    } else if (w.triggers.empty()) {
      out.push_back("  no trigger, and no workflow enrolls it");
    }
    if (refusal != lead.facts.refusals.end()) out.push_back("  " + refusal_text(refusal->second));
  }

  if (p.active_stages >= 0) {
    const StageSet& set = p.stage_sets[static_cast<std::size_t>(p.active_stages)];
    if (set.by_score) {
      std::int64_t score = current_score(p, lead);
      Value stage = field(p, lead, "stage");
      std::string current = stage.kind() == ValueKind::String ? std::string(stage.as_string()) : "";
      bool in_set = current.empty();
      for (const StageBand& b : set.bands) in_set = in_set || b.name == current;
      std::vector<std::string> stages;
      for (const StageBand& b : set.bands) {
        bool reached = b.name == current ||
                       std::find(lead.facts.stages.begin(), lead.facts.stages.end(), b.name) != lead.facts.stages.end();
        if (reached || b.low <= score) continue;
        stages.push_back("stage " + b.name + " " + std::to_string(b.low) + ".." + std::to_string(b.high) +
                         " not reached: score " + std::to_string(score) + " < " + std::to_string(b.low));
      }
      if (!in_set && !stages.empty()) {
        out.push_back("stages by score: not applied, stage " + quoted(current) + " is none of its bands");
      }
      if (!stages.empty()) {
        for (std::string& s : stages) out.push_back(std::move(s));
        out.push_back("  score " + std::to_string(score) + ", rule by rule:");
        for (std::string& s : explain_score_rules(p, lead, now)) out.push_back("    " + s);
      }
    }
  }
  return out;
}

}  // namespace leadflow::engine
