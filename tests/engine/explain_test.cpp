// Explanations: decision trace lines in the `CONDITION → true|false (values)` form, and why a
// lead never entered a workflow or reached a stage, from the facts the engine kept.
#include <catch2/catch.hpp>

#include "engine/explain.hpp"
#include "tests/engine/engine_test_support.hpp"

using namespace leadflow::engine;
using namespace leadflow::engine::testing;

namespace {

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("enrollment trace lines name the trigger once, as written", "[engine][explain][trace]") {
  Sim sim(R"(
workflow welcome {
  when form_submitted
  tag "new"
}
)");
  sim.load(t("2026-01-05T09:00:00Z"));
  sim.event("form_submitted", t("2026-01-05T09:00:00Z"));
  sim.event("form_submitted", t("2026-01-06T09:00:00Z"));
  std::string trace = sim.trace_text();
  INFO(trace);
  CHECK(!has(trace, "when when"));
  CHECK(has(trace, "welcome: when form_submitted: enrolled in welcome (run 1)\n"));
  CHECK(has(trace, "welcome: when form_submitted: not enrolled in welcome (enroll once: already enrolled at "
                   "2026-01-05T09:00:00Z)\n"));
}

TEST_CASE("a trigger's where is traced as the whole trigger with the values it read", "[engine][explain][trace]") {
  Sim sim(R"(
workflow big_accounts {
  when form_submitted where lead.employees > 50
  tag "big"
}
)");
  sim.set("employees", Value::integer(120));
  sim.load(t("2026-01-05T09:00:00Z"));
  sim.event("form_submitted", t("2026-01-05T09:00:00Z"));
  INFO(sim.trace_text());
  CHECK(has(sim.trace_text(), "big_accounts: when form_submitted where lead.employees > 50 → true (employees = 120)\n"));
}

TEST_CASE("becomes and crosses trace lines show the new and the previous value", "[engine][explain][trace]") {
  Sim sim(R"(
workflow hot {
  when lead.score crosses above 30
  tag "hot"
}
workflow lost {
  when lead.stage becomes "lost"
  tag "lost"
}
scoring intent { on pricing_page_view -> +20 "pricing page" }
)");
  sim.load(t("2026-01-05T09:00:00Z"));
  sim.event("pricing_page_view", t("2026-01-05T10:00:00Z"));
  sim.event("pricing_page_view", t("2026-01-05T11:00:00Z"));
  INFO(sim.trace_text());
  CHECK(has(sim.trace_text(), "hot: when lead.score crosses above 30 → true (score = 40, before 20)\n"));
}

TEST_CASE("why not: a where that was false is explained with the value it saw", "[engine][explain][why-not]") {
  Sim sim(R"(
workflow big_accounts {
  when form_submitted where lead.employees > 50
  tag "big"
}
)");
  sim.set("employees", Value::integer(20));
  sim.load(t("2026-01-05T09:00:00Z"));
  sim.event("form_submitted", t("2026-01-05T09:00:00Z"));
  CHECK(joined(explain_why_not(*sim.program, sim.lead, t("2026-01-06T09:00:00Z"))) ==
        "workflow big_accounts: never entered\n"
        "  when form_submitted where lead.employees > 50 → false (employees = 20) at 2026-01-05T09:00:00Z; "
        "false for 1 of 1 form_submitted events\n");
}

TEST_CASE("why not: an event that never came is named", "[engine][explain][why-not]") {
  Sim sim(R"(
workflow meeting_booker {
  when demo_requested
  send email "what_to_expect"
}
workflow welcome {
  when form_submitted
  tag "new"
}
)");
  sim.load(t("2026-01-05T09:00:00Z"));
  sim.event("form_submitted", t("2026-01-05T09:00:00Z"));
  CHECK(joined(explain_why_not(*sim.program, sim.lead, t("2026-01-06T09:00:00Z"))) ==
        "workflow meeting_booker: never entered\n"
        "  when demo_requested → false (no demo_requested event arrived)\n");
}

TEST_CASE("why not: edges that never happened, states not held long enough, refusals", "[engine][explain][why-not]") {
  Sim sim(R"(
workflow lost {
  when lead.country becomes "XX"
  tag "lost"
}
workflow ghost {
  when lead.country == "DE" unchanged for 30d
  tag "ghost"
}
workflow nurture {
  when demo_requested
  tag "nurture"
}
workflow welcome {
  when form_submitted
  enroll nurture
}
workflow later {
  when replied
  enroll rare
}
workflow rare {
  when demo_requested
  tag "rare"
}
)");
  sim.set("country", Value::string("US"));
  sim.load(t("2026-01-05T09:00:00Z"));
  sim.event("form_submitted", t("2026-01-05T09:00:00Z"));
  sim.event("form_submitted", t("2026-01-06T09:00:00Z"));
  sim.set("country", Value::string("DE"));
  sim.event("pricing_page_view", t("2026-01-07T09:00:00Z"));
  CHECK(joined(explain_why_not(*sim.program, sim.lead, t("2026-01-17T09:00:00Z"))) ==
        "workflow lost: never entered\n"
        "  when lead.country becomes \"XX\" → false (country = \"DE\", never changed)\n"
        "workflow ghost: never entered\n"
        "  when lead.country == \"DE\" unchanged for 30d → false (held 10d since 2026-01-07T09:00:00Z, needs 30d; "
        "country = \"DE\")\n"
        "workflow welcome: entered 1 time, then enrollment refused 1 time, last at 2026-01-06T09:00:00Z "
        "(enroll once: already enrolled at 2026-01-05T09:00:00Z)\n"
        "workflow later: never entered\n"
        "  when replied → false (no replied event arrived)\n"
        "workflow rare: never entered\n"
        "  when demo_requested → false (no demo_requested event arrived)\n"
        "  also started by `enroll rare` in later (never entered)\n");
}

TEST_CASE("why not: a stage not reached shows threshold, score and every rule", "[engine][explain][why-not]") {
  Sim sim(R"(
scoring fit {
  lead.employees >= 100 -> +20 "100+ employees"
  lead.title matches /ceo/i -> +25 "C-level"
}
scoring engagement {
  on pricing_page_view -> +15 "pricing page"
  on demo_requested -> +30
  inactive 30d -> -5
}
stages by score { cold 0..20  warm 21..40  hot 41..100 }
)");
  sim.set("employees", Value::integer(120));
  sim.set("title", Value::string("VP Sales"));
  sim.load(t("2026-01-05T09:00:00Z"));
  sim.event("pricing_page_view", t("2026-01-05T10:00:00Z"));
  CHECK(joined(explain_why_not(*sim.program, sim.lead, t("2026-01-06T10:00:00Z"))) ==
        "stage hot 41..100 not reached: score 35 < 41\n"
        "  score 35, rule by rule:\n"
        "     +20  scoring fit: lead.employees >= 100 → true (employees = 120); +20 \"100+ employees\"\n"
        "      +0  scoring fit: lead.title matches /ceo/i → false (title = \"VP Sales\"); +25 \"C-level\" when true\n"
        "     +15  scoring engagement: on pricing_page_view +15 \"pricing page\": pricing_page_view arrived 1 time, "
        "last at 2026-01-05T10:00:00Z\n"
        "      +0  scoring engagement: on demo_requested +30: no demo_requested event arrived\n"
        "      +0  scoring engagement: inactive 30d -5: not applied (inactive 1d since 2026-01-05T10:00:00Z)\n"
        "    = 35\n");
}

TEST_CASE("the score log sums to the score, with what no rule explains", "[engine][explain][score]") {
  Sim sim(R"(
scoring engagement { on pricing_page_view -> +15 "pricing page" }
workflow welcome {
  when form_submitted
  score +10 "inbound form"
}
)");
  sim.set("score", Value::integer(5));
  sim.load(t("2026-01-05T09:00:00Z"));
  sim.event("pricing_page_view", t("2026-01-05T10:00:00Z"));
  sim.event("form_submitted", t("2026-01-05T11:00:00Z"));
  CHECK(joined(explain_score_log(*sim.program, sim.lead)) ==
        "2026-01-05T10:00:00Z   +15  scoring engagement: \"pricing page\"\n"
        "2026-01-05T11:00:00Z   +10  workflow welcome: \"inbound form\"\n" +
            std::string(22, ' ') + "  +5  not from a rule: the score as loaded or set\n" +
            std::string(22, ' ') + "= 30\n");
  CHECK(joined(explain_runs(*sim.program, sim.lead)) ==
        "welcome: entered 1 time, last at 2026-01-05T11:00:00Z\n"
        "  run 1 ended at 2026-01-05T11:00:00Z: done\n");
}
