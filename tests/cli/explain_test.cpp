// `leadflow explain LEAD_ID` and the why-not block of `dry-run --trace`, end to end on the small
// fixture in tests/cli/data/explain/.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/support/process.hpp"

using leadflow::testing::run_leadflow;

namespace {

const std::string dir = "tests/cli/data/explain/";

std::vector<std::string> args(std::vector<std::string> head) {
  for (const char* a : {"--leads", "leads.jsonl", "--events", "events.jsonl", "--until", "3d"}) {
    std::string s = a;
    head.push_back(s.ends_with(".jsonl") ? dir + s : s);
  }
  return head;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("explain prints the final state, the score line by line, the runs and why not", "[cli][explain]") {
  auto r = run_leadflow(args({"explain", "L-1", dir + "explain.flow"}));
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err == "");
  CHECK(r.out ==
        "lead L-1 at 2026-01-08T09:00:00Z (the end of the run)\n"
        "final: score 35, stage \"warm\", owner null\n"
        "fields:\n"
        "  email = \"ana@acme.com\"\n"
        "  email_domain = \"acme.com\"\n"
        "  stage_changed_at = 2026-01-05T09:00:00Z\n"
        "  tags = [\"nudged\"]\n"
        "  created_at = 2026-01-05T09:00:00Z\n"
        "  contact_name = \"Ana\"\n"
        "  seats = 120\n"
        "  region = \"US\"\n"
        "score, line by line:\n"
        "  2026-01-05T09:00:00Z   +20  scoring explain_fit: \"100+ seats\"\n"
        "  2026-01-05T12:00:00Z   +15  scoring explain_intent: \"pricing page\"\n"
        "                        = 35\n"
        "workflows entered:\n"
        "  explain_follow_up: entered 1 time, last at 2026-01-05T09:30:00Z\n"
        "    run 1 waits at `wait 5d` until 2026-01-12T09:30:00Z\n"
        "why not:\n"
        "  workflow explain_enterprise: never entered\n"
        "    when explain_signup where lead.seats > 500 → false (seats = 120) at 2026-01-05T09:30:00Z; "
        "false for 1 of 1 explain_signup events\n"
        "  workflow explain_meeting_booker: never entered\n"
        "    when explain_demo_request → false (no explain_demo_request event arrived)\n"
        "  stage hot 40..100 not reached: score 35 < 40\n"
        "    score 35, rule by rule:\n"
        "       +20  scoring explain_fit: lead.seats >= 100 → true (seats = 120); +20 \"100+ seats\"\n"
        "       +15  scoring explain_intent: on explain_pricing_view +15 \"pricing page\": explain_pricing_view "
        "arrived 1 time, last at 2026-01-05T12:00:00Z\n"
        "        +0  scoring explain_intent: on explain_demo_request +30 \"demo request\": no explain_demo_request "
        "event arrived\n"
        "      = 35\n");
}

TEST_CASE("explain says where a run ended", "[cli][explain]") {
  auto r = run_leadflow(args({"explain", "L-2", dir + "explain.flow"}));
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out,
                 "workflows entered:\n"
                 "  explain_follow_up: entered 1 time, last at 2026-01-06T10:00:00Z\n"
                 "    run 1 ended at 2026-01-06T11:00:00Z: exit when event explain_reply\n"));
  CHECK(contains(r.out, "  stage warm 20..39 not reached: score 0 < 20\n"));
}

TEST_CASE("explain of an unknown lead exits 1 and suggests a lead id", "[cli][explain]") {
  auto r = run_leadflow(args({"explain", "L1", dir + "explain.flow"}));
  CHECK(r.status == 1);
  CHECK(r.out == "");
  CHECK(r.err == "leadflow: error: unknown lead `L1`\nhelp: did you mean `L-1`?\n");
}

TEST_CASE("explain without a lead id is bad usage", "[cli][explain]") {
  auto r = run_leadflow({"explain"});
  CHECK(r.status == 2);
}

TEST_CASE("dry-run --trace ends each lead's group with its why-not block", "[cli][explain][dry-run]") {
  auto r = run_leadflow(args({"dry-run", dir + "explain.flow", "--trace"}));
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "  · explain_enterprise: when explain_signup where lead.seats > 500 → false (seats = 8)\n"));
  CHECK(contains(r.out, "  · explain_follow_up: exit when event explain_reply → true (explain_reply arrived)\n"));
  CHECK(contains(r.out,
                 "  2026-01-06 11:00Z  explain_follow_up  exit  reason=\"exit when event explain_reply\"\n"
                 "  why not:\n"
                 "    workflow explain_enterprise: never entered\n"
                 "      when explain_signup where lead.seats > 500 → false (seats = 8) at 2026-01-06T10:00:00Z; "
                 "false for 1 of 1 explain_signup events\n"
                 "    workflow explain_meeting_booker: never entered\n"
                 "      when explain_demo_request → false (no explain_demo_request event arrived)\n"
                 "    stage warm 20..39 not reached: score 0 < 20\n"));
  CHECK(!contains(r.out, "when when"));
}

TEST_CASE("dry-run --trace --format jsonl writes the why-not lines to stderr", "[cli][explain][dry-run]") {
  auto r = run_leadflow(args({"dry-run", dir + "explain.flow", "--trace", "--format", "jsonl"}));
  CHECK(r.status == 0);
  CHECK(!contains(r.out, "why-not"));
  CHECK(contains(r.err, "why-not L-1: workflow explain_meeting_booker: never entered\n"
                        "why-not L-1:   when explain_demo_request → false (no explain_demo_request event arrived)\n"));
}

TEST_CASE("dry-run without --trace prints no why-not block", "[cli][explain][dry-run]") {
  auto r = run_leadflow(args({"dry-run", dir + "explain.flow"}));
  CHECK(r.status == 0);
  CHECK(!contains(r.out, "why not"));
}
