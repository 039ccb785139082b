// Scenarios written from the playbooks, one recipe each, run through `leadflow dry-run
// stdlib-workflows --format jsonl --final-state` as a reviewer would, and compared with a golden
// timeline (actions, times to the second, owners and teams, scores, stages). The inputs live in
// tests/cli/data/playbook_scenarios/NAME/{leads,events}.jsonl, the goldens in
// tests/golden/dry_run/playbook_NAME.jsonl. After a deliberate change of the standard library,
// regenerate them with `LEADFLOW_UPDATE_GOLDEN=1 BUILD/tests/test_cli "[playbook]"` and review the
// diff against the playbook line each scenario quotes in its README.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/process.hpp"

using leadflow::testing::run_leadflow;

namespace {

std::string read_source(const std::string& relative) {
  std::ifstream in(std::string(LEADFLOW_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void check_against_golden(const std::string& relative, const std::string& actual) {
  if (const char* update = std::getenv("LEADFLOW_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream out(std::string(LEADFLOW_SOURCE_DIR) + "/" + relative, std::ios::binary | std::ios::trunc);
    out << actual;
    return;
  }
  INFO("golden file " << relative);
  CHECK(actual == read_source(relative));
}

struct Scenario {
  const char* name;
  const char* start;  // virtual time starts here (before the first lead and event)
  const char* until;  // long enough for the recipe's last step
};

// The horizons follow the recipes: the hot cadence ends on day 5, the nurture drip after six
// weeks, template 7 after 180 days, the closed-lost check-ins after a year.
const Scenario scenarios[] = {
    {"inbound_router", "2026-01-05T08:00:00Z", "8d"},  {"speed_to_lead", "2026-01-05T08:00:00Z", "8d"},
    {"meeting_booker", "2026-01-05T08:00:00Z", "2d"},  {"no_show", "2026-01-01T08:00:00Z", "20d"},
    {"ghost_buster", "2026-01-05T08:00:00Z", "40d"},   {"mql_nurture", "2026-01-05T08:00:00Z", "45d"},
    {"closed_lost", "2026-01-05T00:00:00Z", "370d"},   {"new_champion", "2026-01-05T00:00:00Z", "2d"},
    {"webinar", "2026-01-05T00:00:00Z", "5d"},         {"routing", "2026-01-12T08:00:00Z", "1d"},
    {"outbound", "2026-01-05T09:00:00Z", "60d"},       {"bant_icp", "2026-01-05T09:00:00Z", "5d"},
    {"exit_criteria", "2026-01-05T08:00:00Z", "100d"}, {"cadences", "2026-01-05T08:00:00Z", "20d"},
    {"governance", "2026-01-05T08:00:00Z", "2d"},      {"realistic_inputs", "2026-01-05T08:00:00Z", "3d"},
    {"gatekeeper_bypass", "2026-01-02T08:00:00Z", "7d"},
};

std::vector<std::string> dry_run_args(const Scenario& s) {
  const std::string dir = std::string("tests/cli/data/playbook_scenarios/") + s.name + "/";
  return {"dry-run",    "stdlib-workflows", "--leads", dir + "leads.jsonl", "--events", dir + "events.jsonl",
          "--start",    s.start,            "--until", s.until,             "--format", "jsonl",
          "--final-state"};
}

}  // namespace

TEST_CASE("playbook scenarios give their golden dry-run timelines", "[cli][dry-run][playbook]") {
  for (const Scenario& s : scenarios) {
    SECTION(s.name) {
      auto r = run_leadflow(dry_run_args(s));
      INFO(r.err);
      CHECK(r.status == 0);
      CHECK(r.err == "");
      check_against_golden(std::string("tests/golden/dry_run/playbook_") + s.name + ".jsonl", r.out);
    }
  }
}

TEST_CASE("playbook scenarios run twice give byte-identical output", "[cli][dry-run][playbook]") {
  for (const Scenario& s : scenarios) {
    SECTION(s.name) {
      auto a = run_leadflow(dry_run_args(s));
      auto b = run_leadflow(dry_run_args(s));
      CHECK(!a.out.empty());
      CHECK(a.out == b.out);
    }
  }
}
