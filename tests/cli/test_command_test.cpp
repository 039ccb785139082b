// `leadflow test`: passing and failing test blocks, their report and exit status.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/support/process.hpp"

using leadflow::testing::run_leadflow;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(std::string(LEADFLOW_SOURCE_DIR) + "/" + path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string dir = "tests/cli/data/test_command/";

}  // namespace

TEST_CASE("leadflow test passes expectations of timing, fields, absence and final state", "[cli][test]") {
  auto r = run_leadflow({"test", dir + "passing_test.flow"});
  CHECK(r.status == 0);
  CHECK(r.out ==
        "PASS " + dir + "passing_test.flow:4: no meeting within the hour gets the trouble-booking email\n"
        "PASS " + dir + "passing_test.flow:14: a reply ends the run at once\n"
        "2 tests, 0 failed\n");
}

TEST_CASE("a failing expectation prints expected vs. actual and the timeline around it", "[cli][test]") {
  auto r = run_leadflow({"test", dir + "failing_test.flow"});
  CHECK(r.status == 1);
  CHECK(r.out == read(dir + "failing_test.expected"));
}

TEST_CASE("leadflow test over a folder runs each file's own tests once", "[cli][test]") {
  auto r = run_leadflow({"test", dir, "--filter", "reply"});
  CHECK(r.status == 0);
  CHECK(r.out == "PASS " + dir + "passing_test.flow:14: a reply ends the run at once\n1 test, 0 failed\n");
}

TEST_CASE("a test naming an unknown action is a compile error with exit 1", "[cli][test]") {
  auto r = run_leadflow({"test", "tests/diagnostics/fail_unknown_action.flow"});
  CHECK(r.status == 1);
  CHECK(r.err.find("error: unknown timeline action `mail`") != std::string::npos);
  CHECK(r.out == "0 tests, 0 failed, 1 file with errors\n");
}

TEST_CASE("leadflow test of a missing path is bad usage", "[cli][test]") {
  auto r = run_leadflow({"test", "no/such/dir"});
  CHECK(r.status == 2);
}
