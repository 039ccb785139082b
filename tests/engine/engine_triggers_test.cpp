// Engine triggers and policies: becomes, crosses, unchanged for, enrollment policies, business
// time and inactivity decay.
#include "tests/engine/engine_test_support.hpp"

using namespace leadflow::engine;
using namespace leadflow::engine::testing;

TEST_CASE("becomes fires once, on the change to the value", "[engine][trigger]") {
  Sim sim(R"(
workflow to_mql {
  when lead.stage becomes "mql"
  enroll always
  send email "mql_welcome"
}
stages lifecycle { new mql opportunity }
workflow setter {
  when demo_requested
  enroll always
  stage mql
}
)");
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.event("demo_requested", t("2026-01-05T10:00:00Z"));  // already mql: no edge
  CHECK(sim.lines() == Lines{"09:00 setter stage from=null to=\"mql\"",
                             "09:00 to_mql email template=\"mql_welcome\" to=\"ana@acme.com\""});
}

TEST_CASE("becomes fires on a change made by an event declaration's set", "[engine][trigger]") {
  Sim sim(R"(
workflow status {
  when lead.country becomes "no_show"
  send email "missed_you"
}
event no_show { set lead.country = "no_show" }
)");
  sim.event("no_show", t("2026-01-05T09:00:00Z"));
  CHECK(sim.lines() == Lines{"09:00 status email template=\"missed_you\" to=\"ana@acme.com\""});
}

TEST_CASE("crosses fires when the score lands exactly on the threshold, the playbooks' 30+", "[engine][trigger]") {
  Sim sim(R"(
scoring engagement {
  on pricing_page_view -> +15 "pricing"
}
workflow hot {
  when lead.score crosses 30
  enroll always
  notify slack "#hot" "{lead.id} is hot"
}
)");
  sim.load(t("2026-01-05T08:00:00Z"));
  sim.event("pricing_page_view", t("2026-01-05T09:00:00Z"));  // 15
  sim.event("pricing_page_view", t("2026-01-05T09:01:00Z"));  // 30: reached
  sim.event("pricing_page_view", t("2026-01-05T09:02:00Z"));  // 45: still above, no new edge
  CHECK(sim.lines("notify") == Lines{"09:01 hot notify channel=\"slack\" to=\"#hot\" message=\"L-1 is hot\""});
}

TEST_CASE("crosses fires once on the upward transition", "[engine][trigger]") {
  Sim sim(R"(
scoring engagement {
  on pricing_page_view -> +20 "pricing"
  on replied -> -40 "reply penalty"
}
workflow hot {
  when lead.score crosses above 50
  enroll always
  notify slack "#hot" "{lead.id} is hot"
}
)");
  sim.load(t("2026-01-05T08:00:00Z"));
  for (int i = 0; i < 4; ++i) sim.event("pricing_page_view", t("2026-01-05T09:00:00Z") + i * 60);  // 20 40 60 80
  sim.event("replied", t("2026-01-05T10:00:00Z"));                                                 // 40
  sim.event("pricing_page_view", t("2026-01-05T11:00:00Z"));                                       // 60
  CHECK(sim.lines("notify") == Lines{"09:02 hot notify channel=\"slack\" to=\"#hot\" message=\"L-1 is hot\"",
                                     "11:00 hot notify channel=\"slack\" to=\"#hot\" message=\"L-1 is hot\""});
}

TEST_CASE("crosses below fires on the downward transition only", "[engine][trigger]") {
  Sim sim(R"(
scoring engagement {
  on pricing_page_view -> +40
  on replied -> -30
}
workflow cold {
  when lead.score crosses below 20
  enroll always
  tag "cooled"
}
)");
  sim.load(t("2026-01-05T08:00:00Z"));
  sim.event("pricing_page_view", t("2026-01-05T09:00:00Z"));  // 40
  sim.event("replied", t("2026-01-05T10:00:00Z"));            // 10
  sim.event("replied", t("2026-01-05T11:00:00Z"));            // 0
  CHECK(sim.lines("set") == Lines{"10:00 cold set field=\"tags\" value=[\"cooled\"]"});
}

const char* const ghost = R"(
stages pipeline { new opportunity proposal }
workflow ghost_buster {
  when lead.stage == "opportunity" unchanged for 30d
  enroll always
  send email "permission_to_close"
}
workflow mover {
  when demo_requested
  enroll always
  stage opportunity
}
workflow back {
  when replied
  enroll always
  stage proposal
}
)";

TEST_CASE("unchanged for 30d fires after 30 days of the condition holding", "[engine][trigger]") {
  Sim sim(ghost);
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.run_until(t("2026-02-03T09:00:00Z"));
  CHECK(sim.lines("email").empty());
  sim.run_until(t("2026-02-04T09:00:00Z"));
  CHECK(sim.lines("email") == Lines{"09:00 ghost_buster email template=\"permission_to_close\" to=\"ana@acme.com\""});
  CHECK(sim.effects.back().at == t("2026-02-04T09:00:00Z"));
  sim.run_until(t("2026-06-01T00:00:00Z"));
  CHECK(sim.lines("email").size() == 1);  // once per stretch
}

TEST_CASE("unchanged for re-arms when the condition turns false and true again", "[engine][trigger]") {
  Sim sim(ghost);
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.event("replied", t("2026-01-20T09:00:00Z"));         // leaves the stage: the timer goes stale
  sim.event("demo_requested", t("2026-01-25T09:00:00Z"));  // back: a new stretch
  sim.run_until(t("2026-02-23T09:00:00Z"));
  CHECK(sim.lines("email").empty());
  sim.run_until(t("2026-02-24T09:00:00Z"));
  REQUIRE(sim.lines("email").size() == 1);
  CHECK(sim.lines("email")[0].substr(0, 5) == "09:00");
  CHECK(sim.effects.back().at == t("2026-02-24T09:00:00Z"));
}

const char* const policies = R"(
workflow once_wf {
  when demo_requested
  enroll once
  wait 1h
  send email "once"
}
workflow always_wf {
  when demo_requested
  enroll always
  wait 1h
  send email "always"
}
workflow again_wf {
  when demo_requested
  enroll again after 1d
  send email "again"
}
)";

TEST_CASE("enroll once, always and again after", "[engine][enroll]") {
  Sim sim(policies);
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.event("demo_requested", t("2026-01-05T09:30:00Z"));  // always: its run is still waiting
  sim.event("demo_requested", t("2026-01-05T12:00:00Z"));  // always again; again_wf cooling down
  sim.event("demo_requested", t("2026-01-06T10:00:00Z"));  // again_wf: a day has passed
  sim.run_until(t("2026-01-07T00:00:00Z"));
  CHECK(sim.lines() == Lines{
                           "09:00 again_wf email template=\"again\" to=\"ana@acme.com\"",
                           "10:00 once_wf email template=\"once\" to=\"ana@acme.com\"",
                           "10:00 always_wf email template=\"always\" to=\"ana@acme.com\"",
                           "13:00 always_wf email template=\"always\" to=\"ana@acme.com\"",
                           "10:00 again_wf email template=\"again\" to=\"ana@acme.com\"",
                           "11:00 always_wf email template=\"always\" to=\"ana@acme.com\"",
                       });
  CHECK(sim.trace_text().find("enroll once: already enrolled") != std::string::npos);
  CHECK(sim.trace_text().find("enroll always: a run is still active") != std::string::npos);
}

TEST_CASE("wait 2 business days skips the weekend in the lead's time zone", "[engine][wait][calendar]") {
  Sim sim(R"(
workflow w {
  when demo_requested
  wait 2 business days
  send email "follow_up"
}
)");
  sim.set("timezone", Value::string("Europe/Sofia"));
  sim.event("demo_requested", t("2026-01-09T10:00:00Z"));  // Friday 12:00 in Sofia
  REQUIRE(sim.timers.size() == 1);
  CHECK(format_time(sim.timers[0].due) == "2026-01-13T10:00:00Z");  // Tuesday
}

TEST_CASE("wait business hours continues inside working hours only", "[engine][wait][calendar]") {
  Sim sim(R"(
calendar office {
  timezone "Europe/Sofia"
  workdays mon..fri
  hours 09:00..17:00
}
workflow w {
  when demo_requested
  wait 4 business hours using office
  send email "follow_up"
}
)");
  sim.event("demo_requested", t("2026-01-09T13:00:00Z"));  // Friday 15:00 in Sofia: 2h left
  REQUIRE(sim.timers.size() == 1);
  CHECK(format_time(sim.timers[0].due) == "2026-01-12T09:00:00Z");  // Monday 11:00 in Sofia
}

TEST_CASE("inactivity decay applies once per inactivity stretch", "[engine][scoring]") {
  Sim sim(R"(
scoring engagement {
  on pricing_page_view -> +40 "pricing"
  inactive 30d -> -15 "30 days inactive"
}
)");
  sim.set("created_at", Value::time(t("2026-01-05T09:00:00Z")));
  sim.load(t("2026-01-05T09:00:00Z"));
  sim.event("pricing_page_view", t("2026-01-05T10:00:00Z"));
  sim.run_until(t("2026-06-01T00:00:00Z"));
  CHECK(sim.lines("score") == Lines{"10:00 score delta=40 score=40 reason=\"pricing\"",
                                    "10:00 score delta=-15 score=25 reason=\"30 days inactive\""});
  CHECK(sim.effects.back().at == t("2026-02-04T10:00:00Z"));
}
