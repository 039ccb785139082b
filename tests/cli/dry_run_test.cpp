// `leadflow dry-run` end to end: golden timelines, byte-identical reruns, bad input lines
// reported with their line and field (exit 1), bad usage (exit 2).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/process.hpp"

using leadflow::testing::run_leadflow;

namespace {

const std::string dir = "tests/golden/dry_run/basic/";

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string read(const std::string& relative) {
  std::ifstream in(std::string(LEADFLOW_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Compares with the golden file; with LEADFLOW_UPDATE_GOLDEN=1 (scripts/update-golden.sh) the
// golden file is rewritten instead, to be reviewed as a diff.
void check_golden(const std::string& relative, const std::string& actual) {
  if (const char* update = std::getenv("LEADFLOW_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream out(std::string(LEADFLOW_SOURCE_DIR) + "/" + relative, std::ios::binary | std::ios::trunc);
    out << actual;
    return;
  }
  INFO("golden file " << relative);
  CHECK(actual == read(relative));
}

std::vector<std::string> basic_args(const std::string& format) {
  return {"dry-run", dir + "basic.flow", "--leads", dir + "leads.jsonl", "--events", dir + "events.jsonl",
          "--until", "10d", "--format", format, "--final-state"};
}

}  // namespace

TEST_CASE("dry-run prints the golden JSONL timeline with final states", "[cli][dry-run]") {
  auto r = run_leadflow(basic_args("jsonl"));
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err == "");
  check_golden("tests/golden/dry_run/basic.jsonl", r.out);
}

TEST_CASE("dry-run text output groups the timeline by lead", "[cli][dry-run]") {
  auto r = run_leadflow(basic_args("text"));
  INFO(r.err);
  CHECK(r.status == 0);
  check_golden("tests/golden/dry_run/basic.txt", r.out);
}

TEST_CASE("two dry runs of the same input give byte-identical output", "[cli][dry-run]") {
  auto a = run_leadflow(basic_args("jsonl"));
  auto b = run_leadflow(basic_args("jsonl"));
  CHECK(a.status == 0);
  CHECK(!a.out.empty());
  CHECK(a.out == b.out);
}

TEST_CASE("dry-run writes the same bytes with its output on a second thread", "[cli][dry-run][examples]") {
  // examples/ is below the size where the second thread starts by itself: --threads forces both.
  std::vector<std::string> args{"dry-run",  "stdlib-workflows",      "--leads", "examples/leads.jsonl",
                                "--events", "examples/events.jsonl", "--until", "10d",
                                "--format", "jsonl",                 "--final-state"};
  std::vector<std::string> one = args, two = args;
  one.insert(one.end(), {"--threads", "1"});
  two.insert(two.end(), {"--threads", "2"});
  auto a = run_leadflow(one);
  auto b = run_leadflow(two);
  INFO(a.err.substr(0, 2000));
  CHECK(a.status == 0);
  CHECK(b.status == 0);
  CHECK(a.out.size() > 1000);
  CHECK(a.out == b.out);
  CHECK(a.err == b.err);
}

TEST_CASE("dry-run refuses a thread count other than 1 or 2", "[cli][dry-run]") {
  std::vector<std::string> args = basic_args("jsonl");
  args.insert(args.end(), {"--threads", "3"});
  auto r = run_leadflow(args);
  CHECK(r.status == 2);
}

TEST_CASE("dry-run of the sample data is deterministic and reads every line", "[cli][dry-run][examples]") {
  // Ten days keep the test quick in Debug builds; the README demo runs the full 90.
  std::vector<std::string> args{"dry-run",  "stdlib-workflows",         "--leads", "examples/leads.jsonl",
                                "--events", "examples/events.jsonl",    "--until", "10d",
                                "--format", "jsonl"};
  auto a = run_leadflow(args);
  auto b = run_leadflow(args);
  INFO(a.err.substr(0, 2000));
  CHECK(a.status == 0);
  CHECK(a.out.size() > 1000);
  CHECK(a.out == b.out);
}

TEST_CASE("a capture without a lead merges into the lead with the same normalised email", "[cli][dry-run]") {
  auto r = run_leadflow(basic_args("jsonl"));
  CHECK(contains(r.out, R"({"at":"2026-01-05T13:00:00Z","lead":"C-1","workflow":null,"action":"merge","into":"L-1","matched_on":"email"})"));
  // The second capture is a new person: the lead C-2 is created and gets the workflow.
  CHECK(contains(r.out, R"("lead":"C-2","workflow":"follow_up","action":"email")"));
}

TEST_CASE("bad event lines are reported with line and field, skipped, and exit 1", "[cli][dry-run]") {
  auto r = run_leadflow({"dry-run", dir + "basic.flow", "--leads", dir + "leads.jsonl", "--events",
                         dir + "bad_events.jsonl", "--format", "jsonl"});
  CHECK(r.status == 1);
  const std::string f = dir + "bad_events.jsonl";
  CHECK(contains(r.err, f + ":2: error: field `data.url`: expected a string, got an integer 5"));
  CHECK(contains(r.err, f + ":3: error: malformed JSON"));
  CHECK(contains(r.err, f + ":4: error: field `at`: expected an ISO 8601 time"));
  CHECK(contains(r.err, f + ":5: error: field `type`: unknown event type `pricing_pageview`; did you mean `pricing_page_view`?"));
  CHECK(contains(r.err, f + ":7: error: field `lead`: unknown lead `L-404`"));
  CHECK(contains(r.err, "5 input lines skipped"));
  // The good lines still ran: line 8's reply reached L-1 after its capture on line 1.
  CHECK(contains(r.out, R"("lead":"L-1","workflow":"follow_up","action":"email")"));
  CHECK(contains(r.out, R"("lead":"L-1","workflow":"follow_up","action":"exit")"));
}

TEST_CASE("bad lead lines are reported with line and field, skipped, and exit 1", "[cli][dry-run]") {
  auto r = run_leadflow({"dry-run", dir + "basic.flow", "--leads", dir + "bad_leads.jsonl", "--format", "jsonl",
                         "--final-state"});
  CHECK(r.status == 1);
  const std::string f = dir + "bad_leads.jsonl";
  CHECK(contains(r.err, f + ":1: error: field `employees`: expected an integer, got \"many\""));
  CHECK(contains(r.err, f + ":2: error: field `employes`: unknown field `employes` on `lead`; did you mean `employees`?"));
  CHECK(contains(r.err, f + ":3: error: field `id`: missing lead id"));
  CHECK(contains(r.err, f + ":5: error: field `id`: duplicate lead id `L-3` (first on line 4)"));
  CHECK(contains(r.out, R"({"lead":"L-3","final":true)"));
}

TEST_CASE("dry-run with an unreadable events file or a bad --until is bad usage", "[cli][dry-run]") {
  auto missing = run_leadflow({"dry-run", dir + "basic.flow", "--events", dir + "missing.jsonl"});
  CHECK(missing.status == 2);
  CHECK(contains(missing.err, "cannot read '" + dir + "missing.jsonl'"));
  auto until = run_leadflow({"dry-run", dir + "basic.flow", "--until", "soon"});
  CHECK(until.status == 2);
  CHECK(contains(until.err, "--until"));
  auto format = run_leadflow({"dry-run", dir + "basic.flow", "--format", "xml"});
  CHECK(format.status == 2);
}
