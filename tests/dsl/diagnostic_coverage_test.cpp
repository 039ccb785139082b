// Fails when a kind in dsl/diagnostic_kinds.def is emitted by no golden case in tests/diagnostics/,
// so that every diagnostic's wording is pinned by a test (as carbon-lang's coverage_test does).
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "dsl/diagnostic.hpp"
#include "tests/support/process.hpp"

namespace fs = std::filesystem;

TEST_CASE("every diagnostic kind is emitted by some golden case", "[dsl][golden][coverage]") {
  if (!leadflow::testing::binary_exists()) FAIL(LEADFLOW_BINARY " is missing: build the `leadflow` target first");
  std::vector<std::string> flows;
  fs::path dir = fs::path(LEADFLOW_SOURCE_DIR) / "tests" / "diagnostics";
  if (fs::is_directory(dir)) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".flow") flows.push_back("tests/diagnostics/" + entry.path().filename().string());
    }
  }
  std::sort(flows.begin(), flows.end());

  // JSON output names each diagnostic's kind; message text is escaped, so `"kind":"` only
  // ever appears as the member name.
  std::set<std::string> emitted;
  for (const std::string& flow : flows) {
    auto r = leadflow::testing::run_leadflow({"check", "--format", "json", flow});
    const std::string key = "\"kind\":\"";
    for (auto pos = r.out.find(key); pos != std::string::npos; pos = r.out.find(key, pos)) {
      pos += key.size();
      emitted.insert(r.out.substr(pos, r.out.find('"', pos) - pos));
    }
  }

  std::string missing;
  for (auto kind : leadflow::dsl::all_diagnostic_kinds()) {
    std::string name(leadflow::dsl::kind_name(kind));
    if (!emitted.count(name)) missing += "  " + name + "\n";
  }
  INFO("kinds no golden case in tests/diagnostics/ emits (add fail_<what>.flow cases):\n" << missing);
  CHECK(missing.empty());
}
