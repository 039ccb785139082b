// Workflow tests (`test "name" { ... }` blocks): checked against the schema and turned into
// values the test runner feeds to the simulator.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostic.hpp"
#include "engine/engine.hpp"

namespace leadflow::dsl {

struct Compilation;

// The timeline actions an expectation may name, with the fields each effect carries. Every
// expectation may also name the `lead` the line is about (tests with several leads).
struct EffectShape {
  const char* action;
  std::vector<const char*> fields;
};
const std::vector<EffectShape>& effect_shapes();

struct TestExpectation {
  ExpectKind kind = ExpectKind::At;
  std::int64_t offset = 0;  // At: seconds after the test's start
  std::string action;       // At / Never
  // At / Never: effect fields to match; Final: `score`, `stage`, `owner` or a lead field.
  std::vector<std::pair<std::string, engine::Value>> fields;
  std::uint32_t line = 0;
  std::string text;  // the expectation as written, for failure messages
};

struct TestCase {
  std::string name;
  std::string file;
  std::uint32_t line = 0;
  engine::TimePoint start = 0;
  // The given leads, each by slot; `id` defaults to "T-1", "T-2", ... in order. `expect final`
  // reads the first.
  std::vector<std::vector<engine::Value>> leads;
  // offset, event (`at` filled; `lead` is the first lead's id, or empty for an event an account
  // workflow starts on, which reaches every lead of its domain as in dry-run)
  std::vector<std::pair<std::int64_t, engine::Event>> events;
  std::vector<TestExpectation> expects;
  std::int64_t run_for = 0;  // seconds of virtual time after the start
};

// Monday 2026-01-05 09:00 UTC: a working morning, so business-time waits read naturally.
inline constexpr engine::TimePoint default_test_start = 1767603600;

// Checks every test block of the compilation (unknown fields, events, actions; value types;
// offsets that are not durations) and, when `program` is given, builds the cases. Errors go to
// `sink`; a test with errors is left out.
std::vector<TestCase> build_test_cases(const Compilation& compilation, const engine::Program* program,
                                       DiagnosticSink& sink);

}  // namespace leadflow::dsl
