// Engine core: event triggers, steps, waits, exits, branches, scoring and stages.
#include "tests/engine/engine_test_support.hpp"

using namespace leadflow::engine;
using namespace leadflow::engine::testing;

TEST_CASE("an event trigger with where starts the workflow only when the filter holds", "[engine][trigger]") {
  Sim sim(R"(
workflow big_forms {
  when form_submitted where event.pages > 3
  send email "welcome"
}
)");
  sim.event("form_submitted", t("2026-01-05T09:00:00Z"), {{"pages", Value::integer(2)}});
  CHECK(sim.lines().empty());
  sim.event("form_submitted", t("2026-01-05T10:00:00Z"), {{"pages", Value::integer(5)}});
  CHECK(sim.lines() == Lines{"10:00 big_forms email template=\"welcome\" to=\"ana@acme.com\""});
  CHECK(sim.trace_text().find("event.pages > 3 → false (event.pages = 2)") != std::string::npos);
  CHECK(sim.trace_text().find("event.pages > 3 → true (event.pages = 5)") != std::string::npos);
}

TEST_CASE("steps run in order and effects carry their fields", "[engine][steps]") {
  Sim sim(R"(
workflow inbound {
  when form_submitted
  enroll always
  score +10 "inbound form"
  set lead.country = "DE"
  tag "inbound"
  assign to "maria@x.com"
  task "Call {lead.first_name} now" due 5m
  notify slack "#sales" "New lead {lead.first_name}"
  webhook "https://hooks.example.com/x"
  send sms "hello"
}
)");
  sim.set("first_name", Value::string("Ana"));
  sim.set("phone", Value::string("+359"));
  sim.event("form_submitted", t("2026-01-05T09:00:00Z"));
  CHECK(sim.lines() == Lines{
                           "09:00 inbound score delta=10 score=10 reason=\"inbound form\"",
                           "09:00 inbound set field=\"country\" value=\"DE\"",
                           "09:00 inbound set field=\"tags\" value=[\"inbound\"]",
                           "09:00 inbound assign owner=\"maria@x.com\" team=null rule=\"\\\"maria@x.com\\\"\"",
                           "09:00 inbound task title=\"Call Ana now\" due=2026-01-05T09:05:00Z owner=\"maria@x.com\" priority=\"normal\"",
                           "09:00 inbound notify channel=\"slack\" to=\"#sales\" message=\"New lead Ana\"",
                           "09:00 inbound webhook channel=\"webhook\" to=\"https://hooks.example.com/x\"",
                           "09:00 inbound sms template=\"hello\" to=\"+359\"",
                       });
  CHECK(sim.get("owner") == Value::string("maria@x.com"));
  CHECK(sim.lead.score_log.back().source == "workflow inbound");
}

TEST_CASE("wait 30m resumes at the due time", "[engine][wait]") {
  Sim sim(R"(
workflow w {
  when demo_requested
  send email "one"
  wait 30m
  send email "two"
}
)");
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  REQUIRE(sim.timers.size() == 1);
  CHECK(sim.timers[0].due == t("2026-01-05T09:30:00Z"));
  sim.run_until(t("2026-01-06T00:00:00Z"));
  CHECK(sim.lines() == Lines{"09:00 w email template=\"one\" to=\"ana@acme.com\"",
                             "09:30 w email template=\"two\" to=\"ana@acme.com\""});
}

TEST_CASE("wait until a past time continues at once", "[engine][wait]") {
  Sim sim(R"(
workflow w {
  when demo_requested
  wait until lead.meeting_at - 24h
  send email "reminder"
}
)");
  sim.set("meeting_at", Value::time(t("2026-01-05T12:00:00Z")));
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  CHECK(sim.lines() == Lines{"09:00 w email template=\"reminder\" to=\"ana@acme.com\""});
  CHECK(sim.timers.empty());
}

TEST_CASE("wait until a future time wakes then", "[engine][wait]") {
  Sim sim(R"(
workflow w {
  when demo_requested
  wait until lead.meeting_at - 24h
  send email "reminder"
}
)");
  sim.set("meeting_at", Value::time(t("2026-01-08T12:00:00Z")));
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.run_until(t("2026-01-09T00:00:00Z"));
  REQUIRE(sim.effects.size() == 1);
  CHECK(sim.effects[0].at == t("2026-01-07T12:00:00Z"));
}

const char* const booker = R"(
workflow meeting_booker {
  when demo_requested
  send email "what_to_expect"
  wait up to 1h for event meeting_booked
  on timeout {
    send email "trouble_booking"
  }
  send email "see_you"
}
)";

TEST_CASE("wait up to 1h takes on timeout when no event comes", "[engine][wait]") {
  Sim sim(booker);
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.run_until(t("2026-01-05T12:00:00Z"));
  CHECK(sim.lines() == Lines{"09:00 meeting_booker email template=\"what_to_expect\" to=\"ana@acme.com\"",
                             "10:00 meeting_booker email template=\"trouble_booking\" to=\"ana@acme.com\"",
                             "10:00 meeting_booker email template=\"see_you\" to=\"ana@acme.com\""});
}

TEST_CASE("wait up to 1h resumes on the event and its timer goes stale", "[engine][wait]") {
  Sim sim(booker);
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.event("meeting_booked", t("2026-01-05T09:20:00Z"));
  sim.run_until(t("2026-01-05T12:00:00Z"));
  CHECK(sim.lines() == Lines{"09:00 meeting_booker email template=\"what_to_expect\" to=\"ana@acme.com\"",
                             "09:20 meeting_booker email template=\"see_you\" to=\"ana@acme.com\""});
}

TEST_CASE("wait up to without an on timeout block goes on to the next step", "[engine][wait]") {
  Sim sim(R"(
workflow w {
  when demo_requested
  wait up to 2h for event replied
  send email "next"
}
)");
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.run_until(t("2026-01-05T12:00:00Z"));
  CHECK(sim.lines() == Lines{"11:00 w email template=\"next\" to=\"ana@acme.com\""});
}

TEST_CASE("exit when event ends a run mid-wait with a reason", "[engine][exit]") {
  Sim sim(R"(
workflow cadence {
  when demo_requested
  exit when event replied
  send email "one"
  wait 1d
  send email "two"
}
)");
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.event("replied", t("2026-01-05T15:00:00Z"));
  sim.run_until(t("2026-01-10T00:00:00Z"));
  CHECK(sim.lines() == Lines{"09:00 cadence email template=\"one\" to=\"ana@acme.com\"",
                             "15:00 cadence exit reason=\"exit when event replied\""});
}

TEST_CASE("exit when a condition turns true mid-wait", "[engine][exit]") {
  Sim sim(R"(
workflow cadence {
  when demo_requested
  exit when lead.unsubscribed
  send email "one"
  wait 1d
  send email "two"
}
)");
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.event("unsubscribed", t("2026-01-05T15:00:00Z"));
  sim.run_until(t("2026-01-10T00:00:00Z"));
  CHECK(sim.lines() == Lines{"09:00 cadence email template=\"one\" to=\"ana@acme.com\"",
                             "15:00 cadence exit reason=\"exit when lead.unsubscribed\""});
}

TEST_CASE("a step that sets off an exit rule ends its own run at once", "[engine][exit]") {
  Sim sim(R"(
workflow w {
  when demo_requested
  exit when lead.country == "XX"
  set lead.country = "XX"
  send email "never"
}
)");
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  CHECK(sim.lines() == Lines{"09:00 w set field=\"country\" value=\"XX\"",
                             "09:00 w exit reason=\"exit when lead.country == \\\"XX\\\"\""});
}

TEST_CASE("if else takes the branch whose condition holds and traces the values read", "[engine][if]") {
  const char* text = R"(
workflow router {
  when form_submitted
  enroll always
  if lead.employees > 50 {
    send email "big"
  } else if lead.employees > 10 {
    send email "mid"
  } else {
    send email "small"
  }
}
)";
  Sim sim(text);
  sim.set("employees", Value::integer(120));
  sim.event("form_submitted", t("2026-01-05T09:00:00Z"));
  sim.set("employees", Value::integer(20));
  sim.event("form_submitted", t("2026-01-05T10:00:00Z"));
  sim.set("employees", Value::null());
  sim.event("form_submitted", t("2026-01-05T11:00:00Z"));
  CHECK(sim.lines() == Lines{"09:00 router email template=\"big\" to=\"ana@acme.com\"",
                             "10:00 router email template=\"mid\" to=\"ana@acme.com\"",
                             "11:00 router email template=\"small\" to=\"ana@acme.com\""});
  CHECK(sim.trace_text().find("if lead.employees > 50 → true (employees = 120)") != std::string::npos);
  CHECK(sim.trace_text().find("if lead.employees > 50 → false (employees missing)") != std::string::npos);
}

TEST_CASE("stop ends the run without an exit line", "[engine][steps]") {
  Sim sim(R"(
workflow w {
  when demo_requested
  if lead.employees > 50 { stop }
  send email "small"
}
)");
  sim.set("employees", Value::integer(100));
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  CHECK(sim.lines().empty());
  CHECK(sim.lead.runs.size() == 1);
  CHECK(sim.lead.runs[0].status == RunStatus::Done);
}

TEST_CASE("an unsubscribed lead is never emailed: a blocked line instead", "[engine][governance]") {
  Sim sim(R"(
workflow w {
  when demo_requested
  send email "hello"
}
)");
  sim.set("unsubscribed", Value::boolean(true));
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  CHECK(sim.lines() == Lines{"09:00 w blocked effect=\"email\" reason=\"unsubscribed\""});
}

TEST_CASE("a penalty taken at 0 still counts: free mail -10 then a demo +25 is 15", "[engine][scoring]") {
  Sim sim(R"(
scoring playbook {
  lead.email matches /@gmail\.com$/ -> -10 "free-mail address"
  on demo_requested -> +25 "demo request"
}
stages by score { cold 0..9  nurture 10..19  mql 20..29  sql 30..100 }
)");
  sim.set("email", Value::string("ana@gmail.com"));
  sim.load(t("2026-01-05T08:00:00Z"));
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  CHECK(sim.lines() == Lines{
                           "08:00 score delta=0 score=0 reason=\"free-mail address\"",
                           "08:00 stage from=null to=\"cold\"",
                           "09:00 score delta=15 score=15 reason=\"demo request\"",
                           "09:00 stage from=\"cold\" to=\"nurture\"",
                       });
}

TEST_CASE("scores clamp to 0..100 and a stage change gets its own line", "[engine][scoring]") {
  Sim sim(R"(
scoring engagement {
  on pricing_page_view -> +30 "pricing page"
}
stages by score { cold 0..20  warm 21..40  mql 41..60  sal 61..80  sql 81..100 }
)");
  sim.load(t("2026-01-05T08:00:00Z"));
  for (int i = 0; i < 4; ++i) sim.event("pricing_page_view", t("2026-01-05T09:00:00Z") + i * 60);
  CHECK(sim.lines() == Lines{
                           "08:00 stage from=null to=\"cold\"",
                           "09:00 score delta=30 score=30 reason=\"pricing page\"",
                           "09:00 stage from=\"cold\" to=\"warm\"",
                           "09:01 score delta=30 score=60 reason=\"pricing page\"",
                           "09:01 stage from=\"warm\" to=\"mql\"",
                           "09:02 score delta=30 score=90 reason=\"pricing page\"",
                           "09:02 stage from=\"mql\" to=\"sql\"",
                           "09:03 score delta=10 score=100 reason=\"pricing page\"",
                       });
  CHECK(sim.get("score") == Value::integer(100));
}

TEST_CASE("a fit rule contributes while it holds and takes its points back when it stops", "[engine][scoring]") {
  Sim sim(R"(
scoring fit {
  lead.employees >= 500 -> +20 "500+ employees"
  lead.title matches /\b(ceo|cto)\b/i -> +25 "C-level"
}
workflow shrink {
  when demo_requested
  set lead.employees = 50
}
)");
  sim.set("employees", Value::integer(800));
  sim.set("title", Value::string("CTO"));
  sim.load(t("2026-01-05T08:00:00Z"));
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  CHECK(sim.lines() == Lines{
                           "08:00 score delta=20 score=20 reason=\"500+ employees\"",
                           "08:00 score delta=25 score=45 reason=\"C-level\"",
                           "09:00 shrink set field=\"employees\" value=50",
                           "09:00 score delta=-20 score=25 reason=\"500+ employees (no longer holds)\"",
                       });
}

TEST_CASE("two workflows on one lead run independently", "[engine][runs]") {
  Sim sim(R"(
workflow a {
  when demo_requested
  wait 1h
  send email "a"
}
workflow b {
  when demo_requested
  exit when event replied
  wait 2h
  send email "b"
}
)");
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.event("replied", t("2026-01-05T10:30:00Z"));
  sim.run_until(t("2026-01-06T00:00:00Z"));
  CHECK(sim.lines() == Lines{"10:00 a email template=\"a\" to=\"ana@acme.com\"",
                             "10:30 b exit reason=\"exit when event replied\""});
}

TEST_CASE("a run stays pinned to its Program after a new Program is used", "[engine][runs]") {
  Sim sim(R"(
workflow w {
  when demo_requested
  enroll always
  wait 1h
  send email "old"
}
)");
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.use(compile(R"(
workflow w {
  when demo_requested
  enroll always
  wait 1h
  send email "new"
}
)"));
  sim.run_until(t("2026-01-05T11:00:00Z"));
  sim.event("demo_requested", t("2026-01-05T11:00:00Z"));
  sim.run_until(t("2026-01-05T13:00:00Z"));
  CHECK(sim.lines() == Lines{"10:00 w email template=\"old\" to=\"ana@acme.com\"",
                             "12:00 w email template=\"new\" to=\"ana@acme.com\""});
}

TEST_CASE("an enroll step starts the target workflow and says so", "[engine][enroll]") {
  Sim sim(R"(
workflow a {
  when demo_requested
  enroll nurture
  send email "a"
}
workflow nurture {
  when meeting_booked
  send email "drip"
}
)");
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  CHECK(sim.lines() == Lines{"09:00 a enroll target=\"nurture\"", "09:00 a email template=\"a\" to=\"ana@acme.com\"",
                             "09:00 nurture email template=\"drip\" to=\"ana@acme.com\""});
}

TEST_CASE("a stale timer does nothing", "[engine][wait]") {
  Sim sim(booker);
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  REQUIRE(sim.timers.size() == 1);
  TimerRequest old = sim.timers[0];
  sim.event("meeting_booked", t("2026-01-05T09:20:00Z"));  // resumes the run: the timeout is stale
  std::size_t before = sim.effects.size();
  StepResult r = sim.engine->fire(sim.lead, sim.tenant, old, old.due);
  CHECK(r.effects.empty());
  CHECK(r.timers.empty());
  TimerRequest gone = old;
  gone.run_id = 999;
  CHECK(sim.engine->fire(sim.lead, sim.tenant, gone, old.due).effects.empty());
  CHECK(sim.effects.size() == before);
}

TEST_CASE("wait up to with where resumes only on a matching event", "[engine][wait]") {
  Sim sim(R"(
workflow no_show {
  when demo_requested
  wait up to 1d for event meeting_status_changed where event.status == "no_show"
  on timeout { stop }
  send email "missed_you"
}
)");
  sim.event("demo_requested", t("2026-01-05T09:00:00Z"));
  sim.event("meeting_status_changed", t("2026-01-05T10:00:00Z"), {{"status", Value::string("held")}});
  CHECK(sim.lines().empty());
  sim.event("meeting_status_changed", t("2026-01-05T11:00:00Z"), {{"status", Value::string("no_show")}});
  CHECK(sim.lines() == Lines{"11:00 no_show email template=\"missed_you\" to=\"ana@acme.com\""});
  CHECK(sim.trace_text().find("event.status == \"no_show\" → false (event.status = \"held\")") != std::string::npos);
}
