// Test execution: the given leads, their timed events, then each expectation checked against the effects.
#include "runtime/test_runner.hpp"

#include <algorithm>
#include <cstdlib>

#include "runtime/jsonl_input.hpp"
#include "runtime/simulator.hpp"
#include "runtime/timeline.hpp"

namespace leadflow::runtime {
namespace {

using engine::Value;
using engine::ValueKind;

// "+5m" relative to the test's start ("-" before it, which only merges can be).
std::string offset_text(engine::TimePoint at, engine::TimePoint start) {
  std::int64_t d = at - start;
  return (d < 0 ? "-" : "+") + engine::format_duration(std::llabs(d));
}

// An expected value matches the effect's when equal, or when the effect holds a time and the
// expectation gives it as an offset from the start (`due: 5m`) or as an ISO string.
bool value_matches(const Value& actual, const Value& expected, engine::TimePoint start) {
  if (actual == expected) return true;
  if (actual.kind() == ValueKind::Time) {
    if (expected.kind() == ValueKind::Duration) return actual.as_time() == start + expected.as_duration();
    if (expected.kind() == ValueKind::String) {
      auto t = engine::parse_time(expected.as_string());
      return t && *t == actual.as_time();
    }
  }
  return false;
}

const Value* field_of(const engine::Effect& e, const std::string& name) {
  for (const auto& [key, value] : e.fields)
    if (key == name) return &value;
  return nullptr;
}

bool effect_matches(const engine::Effect& e, const dsl::TestExpectation& x, engine::TimePoint start) {
  if (e.action != x.action) return false;
  for (const auto& [key, value] : x.fields) {
    if (key == "lead") {  // which lead the line is about (tests with several leads)
      if (!(value.kind() == ValueKind::String && value.as_string() == e.lead)) return false;
      continue;
    }
    const Value* actual = field_of(e, key);
    if (!actual || !value_matches(*actual, value, start)) return false;
  }
  return true;
}

std::string describe_expected(const dsl::TestExpectation& x) {
  std::string out = x.action;
  for (const auto& [key, value] : x.fields) out += " " + key + "=" + engine::to_trace(value);
  return out;
}

std::string timeline_line(const engine::Effect& e, engine::TimePoint start) {
  return "      " + offset_text(e.at, start) + "  " + effect_jsonl(e);
}

// The lines nearest to `at` (at most eight, in time order), so a near miss is visible.
std::string timeline_around(const std::vector<engine::Effect>& timeline, engine::TimePoint at, engine::TimePoint start) {
  if (timeline.empty()) return "      (the timeline is empty)\n";
  std::vector<std::size_t> order(timeline.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::llabs(timeline[a].at - at) < std::llabs(timeline[b].at - at);
  });
  order.resize(std::min<std::size_t>(8, order.size()));
  std::sort(order.begin(), order.end());
  std::string out;
  for (std::size_t i : order) out += timeline_line(timeline[i], start) + "\n";
  return out;
}

}  // namespace

TestOutcome run_test_case(const std::shared_ptr<const engine::Program>& program, const engine::Directory& directory,
                          const dsl::TestCase& test) {
  TestOutcome outcome;
  outcome.name = test.name;
  outcome.file = test.file;
  outcome.line = test.line;

  const engine::Program& p = *program;
  engine::Slot id_slot = p.lead_slot("id");
  std::vector<LeadInput> leads;
  for (std::size_t n = 0; n < test.leads.size(); ++n) {
    LeadInput lead;
    lead.line = test.line;
    lead.created_at = test.start;
    lead.has_created_at = true;
    lead.fields = test.leads[n];
    lead.id = id_slot >= 0 && lead.fields[id_slot].kind() == ValueKind::String
                  ? std::string(lead.fields[id_slot].as_string())
                  : "T-" + std::to_string(n + 1);
    leads.push_back(std::move(lead));
  }
  const std::string lead_id = leads.empty() ? "T-1" : leads.front().id;
  std::vector<EventInput> events;
  for (const auto& [offset, event] : test.events) events.push_back(EventInput{test.line, event});

  SimulatorOptions options;
  options.start = test.start;
  options.until = test.start + test.run_for;
  options.events_file = test.file;
  Simulator simulator(program, directory, options);
  SimulatorSink sink;
  sink.effect = [&](const engine::Effect& e) { outcome.timeline.push_back(e); };
  std::vector<InputError> errors;
  simulator.run(std::move(leads), std::move(events), sink, errors);
  for (const InputError& e : errors) {
    outcome.failures.push_back({test.line, "the test's input was refused: " + e.field + ": " + e.message});
  }

  for (const dsl::TestExpectation& x : test.expects) {
    switch (x.kind) {
      case dsl::ExpectKind::At: {
        const engine::TimePoint at = test.start + x.offset;
        bool found = std::any_of(outcome.timeline.begin(), outcome.timeline.end(), [&](const engine::Effect& e) {
          return e.at == at && effect_matches(e, x, test.start);
        });
        if (found) break;
        std::string message = "expected at " + offset_text(at, test.start) + " (" + engine::format_time(at) +
                              "): " + describe_expected(x) + "\n";
        // Say whether it happened at another time, which is the commonest mistake.
        for (const engine::Effect& e : outcome.timeline) {
          if (effect_matches(e, x, test.start)) {
            message += "    actual: it happened at " + offset_text(e.at, test.start) + " instead\n";
            break;
          }
        }
        message += "    timeline around " + offset_text(at, test.start) + ":\n" +
                   timeline_around(outcome.timeline, at, test.start);
        outcome.failures.push_back({x.line, message});
        break;
      }
      case dsl::ExpectKind::Never: {
        for (const engine::Effect& e : outcome.timeline) {
          if (!effect_matches(e, x, test.start)) continue;
          outcome.failures.push_back({x.line, "expected no " + describe_expected(x) + "\n    actual:\n" +
                                                  timeline_line(e, test.start) + "\n"});
          break;
        }
        break;
      }
      case dsl::ExpectKind::Final: {
        const engine::LeadState* state = simulator.lead(lead_id);
        if (state == nullptr) {
          outcome.failures.push_back({x.line, "expected a final state, but the lead was never loaded\n"});
          break;
        }
        for (const auto& [key, expected] : x.fields) {
          engine::Slot slot = p.lead_slot(key);
          Value actual = slot >= 0 && static_cast<std::size_t>(slot) < state->fields.size() ? state->fields[slot] : Value();
          if (value_matches(actual, expected, test.start)) continue;
          outcome.failures.push_back({x.line, "expected final " + key + " = " + engine::to_trace(expected) +
                                                  "\n    actual: " + engine::to_trace(actual) + "\n"});
        }
        break;
      }
    }
  }
  return outcome;
}

}  // namespace leadflow::runtime
