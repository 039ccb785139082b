// A tiny driver for engine tests: compiles .flow text, applies events and fires due timers in
// time order, and renders effects as one line each for exact comparisons.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dsl/compiler.hpp"
#include "engine/engine.hpp"

namespace leadflow::engine::testing {

inline const char* const prelude = R"(
schema lead {
  employees: int
  country: string
  title: string
  first_name: string
  meeting_at: time
  phone: string
}
event form_submitted { company: string  pages: int }
event demo_requested
event replied
event meeting_booked { meeting_at: time }
event pricing_page_view
event unsubscribed { set lead.unsubscribed = true }
event meeting_status_changed { status: string }
)";

inline std::shared_ptr<const Program> compile(const std::string& text) {
  dsl::CompileOptions options;
  options.warnings = false;
  auto c = dsl::compile_text("test.flow", text + prelude, options);
  if (!c->program) {
    std::string all;
    for (const auto& d : c->diagnostics.diagnostics()) all += d.message + "\n";
    FAIL("does not compile:\n" << all);
  }
  return c->program;
}

// 2026-01-05 is a Monday.
inline TimePoint t(const std::string& iso) { return *parse_time(iso); }

inline std::string render(const Effect& e) {
  std::string s = format_time(e.at).substr(11, 5) + " ";
  if (!e.workflow.empty()) s += e.workflow + " ";
  s += e.action;
  for (const auto& [k, v] : e.fields) s += " " + k + "=" + to_trace(v);
  return s;
}

struct Sim {
  std::shared_ptr<const Program> program;
  Directory directory;
  std::unique_ptr<Engine> engine;
  LeadState lead;
  TenantState tenant;
  std::vector<TimerRequest> timers;
  std::vector<Effect> effects;
  std::vector<TraceLine> trace;

  explicit Sim(const std::string& text, const std::string& id = "L-1") {
    program = compile(text);
    engine = std::make_unique<Engine>(program, directory);
    lead.fields.resize(program->lead_fields.size());
    set("id", Value::string(id));
    set("email", Value::string("ana@acme.com"));
  }

  void use(std::shared_ptr<const Program> p) {
    program = std::move(p);
    engine = std::make_unique<Engine>(program, directory);
  }

  void set(const std::string& field, Value v) {
    Slot s = program->lead_slot(field);
    REQUIRE(s >= 0);
    if (lead.fields.size() <= static_cast<std::size_t>(s)) lead.fields.resize(s + 1);
    lead.fields[static_cast<std::size_t>(s)] = std::move(v);
  }
  Value get(const std::string& field) const {
    Slot s = program->lead_slot(field);
    return s >= 0 && static_cast<std::size_t>(s) < lead.fields.size() ? lead.fields[static_cast<std::size_t>(s)] : Value();
  }

  void take(StepResult r) {
    for (auto& e : r.effects) effects.push_back(std::move(e));
    for (auto& tl : r.trace) trace.push_back(std::move(tl));
    for (auto& tm : r.timers) timers.push_back(std::move(tm));
  }

  void load(TimePoint now) { take(engine->load(lead, tenant, now)); }

  // Fires every timer due up to `until`, in due order, then applies the event at its time.
  void event(const std::string& type, TimePoint at, std::map<std::string, Value> data = {}) {
    run_until(at);
    Event ev;
    ev.at = at;
    ev.type = program->event_index(type);
    REQUIRE(ev.type >= 0);
    ev.lead = to_display(get("id"));
    const EventDef& def = program->events[static_cast<std::size_t>(ev.type)];
    ev.data.resize(def.fields.size());
    for (const auto& [k, v] : data) {
      bool found = false;
      for (const FieldDef& f : def.fields) {
        if (f.name == k) {
          ev.data[static_cast<std::size_t>(f.slot)] = v;
          found = true;
        }
      }
      REQUIRE(found);
    }
    take(engine->apply(lead, tenant, ev));
  }

  void run_until(TimePoint until) {
    while (true) {
      auto it = std::min_element(timers.begin(), timers.end(),
                                 [](const TimerRequest& a, const TimerRequest& b) { return a.due < b.due; });
      if (it == timers.end() || it->due > until) return;
      TimerRequest tm = *it;
      timers.erase(it);
      take(engine->fire(lead, tenant, tm, tm.due));
    }
  }

  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const Effect& e : effects) out.push_back(render(e));
    return out;
  }
  // Effects of one action only.
  std::vector<std::string> lines(const std::string& action) const {
    std::vector<std::string> out;
    for (const Effect& e : effects) {
      if (e.action == action) out.push_back(render(e));
    }
    return out;
  }
  std::string trace_text() const {
    std::string s;
    for (const TraceLine& l : trace) s += l.workflow + ": " + l.text + "\n";
    return s;
  }
};

using Lines = std::vector<std::string>;

}  // namespace leadflow::engine::testing
