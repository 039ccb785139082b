// SLA clocks: level timers, escalation effects, reassignment and stopping on activity.
#include "engine/sla.hpp"

#include <catch2/catch.hpp>

#include "engine/routing.hpp"

namespace leadflow::engine {
namespace {

// The stdlib hot_lead SLA (routing.flow): 5m from assign until first activity.
Program sla_program() {
  Program p;
  for (const char* name : {"owner", "owner_team"})
    p.lead_fields.push_back(FieldDef{name, ValueKind::String, ValueKind::Null,
                                     static_cast<Slot>(p.lead_fields.size()), true});
  p.events = {EventDef{"activity_logged", 0, {}, {}}, EventDef{"replied", 1, {}, {}},
              EventDef{"demo_requested", 2, {}, {}}};
  p.teams = {Team{"sdr", "mia@x.com", {"ana@x.com", "ben@x.com", "chloe@x.com"}, 0, "",
                  std::nullopt}};
  Sla hot;
  hot.name = "hot_lead";
  hot.seconds = 300;
  hot.levels = {SlaLevel{50, 150, SlaAction::RemindOwner, "", ""},
                SlaLevel{100, 300, SlaAction::AlertManager, "", ""},
                SlaLevel{150, 450, SlaAction::Reassign, "", ""}};
  p.slas.push_back(hot);
  Sla demo;
  demo.name = "demo_request";
  demo.seconds = 900;
  demo.start_event = 2;
  demo.stop_event = 1;  // until event replied
  demo.levels = {SlaLevel{100, 900, SlaAction::AlertTeam, "", ""},
                 SlaLevel{120, 1080, SlaAction::Notify, "slack", "#sales-alerts"}};
  p.slas.push_back(demo);
  p.build_indices();
  return p;
}

std::string line(const Effect& e) {
  std::string s = e.action;
  for (const auto& [k, v] : e.fields) s += " " + k + "=" + to_display(v);
  return s;
}

std::vector<std::string> lines(const StepResult& r) {
  std::vector<std::string> out;
  for (const Effect& e : r.effects) out.push_back(line(e));
  return out;
}

const TimePoint t0 = *parse_time("2026-01-05T10:00:00Z");

}  // namespace

TEST_CASE("a 5m SLA sets level timers at 150s, 300s and 450s", "[engine][sla]") {
  const Program p = sla_program();
  LeadState lead;
  const auto timers = start_sla(p, 0, lead, "L-1", "ana@x.com", t0);
  REQUIRE(timers.size() == 3);
  CHECK(timers[0].due == t0 + 150);
  CHECK(timers[1].due == t0 + 300);
  CHECK(timers[2].due == t0 + 450);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(timers[i].kind == TimerKind::SlaLevel);
    CHECK(timers[i].lead == "L-1");
    CHECK(timers[i].index == 0);
    CHECK(timers[i].generation == i);
  }
  REQUIRE(lead.slas.size() == 1);
  CHECK(lead.slas[0].owner == "ana@x.com");
  CHECK(sla_running(p, lead.slas[0]));
}

TEST_CASE("levels remind the owner, alert the manager, then reassign excluding the owner",
          "[engine][sla]") {
  const Program p = sla_program();
  Directory dir;
  TenantState tenant;
  tenant.round_robin[0] = 0;
  LeadState lead;
  lead.fields.resize(2);
  const RouteDecision first = route_to_team(p, 0, lead.fields, dir, tenant, t0);
  REQUIRE(first.owner == "ana@x.com");
  const auto timers = start_sla(p, 0, lead, "L-1", first.owner, t0);

  auto r = fire_sla_level(p, lead, "L-1", timers[0], dir, tenant, t0 + 150);
  auto out = lines(r);
  REQUIRE(out.size() == 2);
  CHECK(out[0] == "sla level=remind_owner owner=ana@x.com sla=hot_lead");
  CHECK(out[1].rfind("notify channel=email to=ana@x.com message=lead L-1 not contacted 2m30s", 0) == 0);

  r = fire_sla_level(p, lead, "L-1", timers[1], dir, tenant, t0 + 300);
  out = lines(r);
  REQUIRE(out.size() == 2);
  CHECK(out[0] == "sla level=alert_manager owner=ana@x.com sla=hot_lead");
  CHECK(out[1].rfind("notify channel=email to=mia@x.com", 0) == 0);

  r = fire_sla_level(p, lead, "L-1", timers[2], dir, tenant, t0 + 450);
  out = lines(r);
  REQUIRE(out.size() == 3);
  CHECK(out[0] == "sla level=reassign owner=ana@x.com sla=hot_lead");
  CHECK(out[1] == "assign owner=ben@x.com team=sdr rule=sla reassign");
  CHECK(out[2].rfind("notify channel=email to=ben@x.com", 0) == 0);
  CHECK(to_display(lead.fields[0]) == "ben@x.com");
  CHECK(to_display(lead.fields[1]) == "sdr");
  CHECK(tenant.open_leads.count("ana@x.com") == 0);
  CHECK(tenant.open_leads.at("ben@x.com") == 1);
  // The SLA restarts for the new owner, reminding and alerting but never reassigning again:
  // otherwise an unanswered lead would bounce between two owners every 7.5 minutes.
  REQUIRE(r.timers.size() == 2);
  CHECK(r.timers[0].due == t0 + 450 + 150);
  CHECK(r.timers[1].due == t0 + 450 + 300);
  CHECK(r.timers[0].index == 1);
  CHECK(lead.slas[1].owner == "ben@x.com");
  CHECK(lead.slas[1].after_reassign);
  CHECK_FALSE(sla_running(p, lead.slas[0]));
  fire_sla_level(p, lead, "L-1", r.timers[0], dir, tenant, t0 + 600);
  CHECK(sla_running(p, lead.slas[1]));
  fire_sla_level(p, lead, "L-1", r.timers[1], dir, tenant, t0 + 750);
  CHECK_FALSE(sla_running(p, lead.slas[1]));
}

TEST_CASE("the first activity stops the SLA and its pending timers go stale", "[engine][sla]") {
  const Program p = sla_program();
  Directory dir;
  TenantState tenant;
  LeadState lead;
  const auto timers = start_sla(p, 0, lead, "L-1", "ana@x.com", t0);
  CHECK(fire_sla_level(p, lead, "L-1", timers[0], dir, tenant, t0 + 150).effects.size() == 2);

  CHECK(stop_slas(p, lead, p.event_index("replied")).empty());  // not this SLA's stop event
  const auto trace = stop_slas(p, lead, p.event_index("activity_logged"));
  REQUIRE(trace.size() == 1);
  CHECK(trace[0] == "sla hot_lead stopped by activity_logged");
  CHECK_FALSE(sla_running(p, lead.slas[0]));
  CHECK(fire_sla_level(p, lead, "L-1", timers[1], dir, tenant, t0 + 300).effects.empty());
  CHECK(fire_sla_level(p, lead, "L-1", timers[2], dir, tenant, t0 + 450).effects.empty());
}

TEST_CASE("a level timer fires once", "[engine][sla]") {
  const Program p = sla_program();
  Directory dir;
  TenantState tenant;
  LeadState lead;
  const auto timers = start_sla(p, 0, lead, "L-1", "ana@x.com", t0);
  CHECK_FALSE(fire_sla_level(p, lead, "L-1", timers[0], dir, tenant, t0 + 150).effects.empty());
  CHECK(fire_sla_level(p, lead, "L-1", timers[0], dir, tenant, t0 + 150).effects.empty());
}

TEST_CASE("an SLA with its own stop event ignores activity; team alert and notify levels",
          "[engine][sla]") {
  const Program p = sla_program();
  CHECK(sla_starts_on(p.slas[1], p.event_index("demo_requested")));
  CHECK_FALSE(sla_starts_on(p.slas[0], p.event_index("demo_requested")));
  Directory dir;
  TenantState tenant;
  LeadState lead;
  const auto timers = start_sla(p, 1, lead, "L-2", "ben@x.com", t0);
  CHECK(stop_slas(p, lead, p.event_index("activity_logged")).empty());

  auto out = lines(fire_sla_level(p, lead, "L-2", timers[0], dir, tenant, t0 + 900));
  REQUIRE(out.size() == 4);
  CHECK(out[0] == "sla level=alert_team owner=ben@x.com sla=demo_request");
  CHECK(out[1].rfind("notify channel=email to=ana@x.com", 0) == 0);
  CHECK(out[3].rfind("notify channel=email to=chloe@x.com", 0) == 0);

  out = lines(fire_sla_level(p, lead, "L-2", timers[1], dir, tenant, t0 + 1080));
  REQUIRE(out.size() == 2);
  CHECK(out[0] == "sla level=notify owner=ben@x.com sla=demo_request");
  CHECK(out[1].rfind("notify channel=slack to=#sales-alerts", 0) == 0);

  CHECK(stop_slas(p, lead, p.event_index("replied")).empty());  // already finished
}

TEST_CASE("reassign with nobody else available leaves the lead with its owner",
          "[engine][sla]") {
  Program p = sla_program();
  p.teams[0].members = {"ana@x.com"};
  p.teams[0].manager.clear();
  Directory dir;
  TenantState tenant;
  tenant.open_leads["ana@x.com"] = 1;
  LeadState lead;
  lead.fields.resize(2);
  const auto timers = start_sla(p, 0, lead, "L-1", "ana@x.com", t0);
  auto out = lines(fire_sla_level(p, lead, "L-1", timers[2], dir, tenant, t0 + 450));
  REQUIRE(out.size() == 1);
  CHECK(out[0] == "sla level=reassign owner=ana@x.com sla=hot_lead");
  CHECK(tenant.open_leads.at("ana@x.com") == 1);
}

}  // namespace leadflow::engine
