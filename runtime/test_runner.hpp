// Runs one `test` block in virtual time through the same simulator as `leadflow dry-run`, and
// compares the timeline and the final state with the test's expectations.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dsl/test_cases.hpp"
#include "engine/engine.hpp"

namespace leadflow::runtime {

struct TestFailure {
  std::uint32_t line = 0;  // of the expectation
  std::string message;     // expected vs. actual, and the timeline around it
};

struct TestOutcome {
  std::string name;
  std::string file;
  std::uint32_t line = 0;
  std::vector<TestFailure> failures;
  std::vector<engine::Effect> timeline;  // every line the run produced

  bool passed() const { return failures.empty(); }
};

TestOutcome run_test_case(const std::shared_ptr<const engine::Program>& program, const engine::Directory& directory,
                          const dsl::TestCase& test);

}  // namespace leadflow::runtime
