// Golden diagnostics: `leadflow check tests/diagnostics/NAME.flow` must print NAME.expected exactly.
// The binary is run (not the library) so that the expected files are precisely what users see;
// regenerate them with scripts/update-golden.sh and review the diff.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/process.hpp"

namespace fs = std::filesystem;
using leadflow::testing::run_leadflow;

namespace {

std::vector<std::string> golden_cases() {
  std::vector<std::string> names;
  fs::path dir = fs::path(LEADFLOW_SOURCE_DIR) / "tests" / "diagnostics";
  if (!fs::is_directory(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".flow") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A line diff (longest common subsequence) printed like `diff -u` without hunk headers:
// '-' lines are expected but missing, '+' lines are printed but not expected.
std::string line_diff(const std::string& expected, const std::string& actual) {
  auto a = split_lines(expected), b = split_lines(actual);
  std::vector<std::vector<std::size_t>> lcs(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out = "--- expected\n+++ actual\n";
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out += " " + a[i++] + "\n";
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out += "+" + b[j++] + "\n";
    } else {
      out += "-" + a[i++] + "\n";
    }
  }
  if (!expected.empty() && expected.back() != '\n') out += "(expected has no newline at end)\n";
  if (!actual.empty() && actual.back() != '\n') out += "(actual has no newline at end)\n";
  return out;
}

}  // namespace

TEST_CASE("every golden .flow prints exactly its .expected diagnostics", "[dsl][golden]") {
  if (!leadflow::testing::binary_exists()) FAIL(LEADFLOW_BINARY " is missing: build the `leadflow` target first");
  auto names = golden_cases();
  for (const std::string& name : names) {
    DYNAMIC_SECTION(name) {
      std::string flow = "tests/diagnostics/" + name + ".flow";
      fs::path expected_path = fs::path(LEADFLOW_SOURCE_DIR) / "tests" / "diagnostics" / (name + ".expected");
      INFO("golden case " << flow);
      if (!fs::exists(expected_path)) FAIL("no " << name << ".expected; create it with scripts/update-golden.sh " << name);
      std::ifstream file(expected_path, std::ios::binary);
      std::ostringstream expected;
      expected << file.rdbuf();

      auto r = run_leadflow({"check", "--color", "never", flow});
      INFO("stderr: " << r.err);
      if (r.out != expected.str()) FAIL("output differs from " << name << ".expected:\n" << line_diff(expected.str(), r.out));
      // fail_* cases must fail; any other case may only warn.
      bool must_fail = name.rfind("fail_", 0) == 0;
      CHECK(r.status == (must_fail ? 1 : 0));
    }
  }
}

TEST_CASE("the golden diff marks missing and extra lines", "[dsl][golden]") {
  CHECK(line_diff("a\nb\nc\n", "a\nx\nc\n") == "--- expected\n+++ actual\n a\n+x\n-b\n c\n");
  CHECK(line_diff("a\n", "a") == "--- expected\n+++ actual\n a\n(actual has no newline at end)\n");
}
