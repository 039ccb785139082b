// What `dry-run` and `explain` share before and after a virtual-time run: the time options,
// compiling the workflows, reading leads, events and owners.json, the time span, and reporting
// skipped input lines. One place, so both commands see the same run for the same arguments.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/compiler.hpp"
#include "engine/engine.hpp"
#include "runtime/jsonl_input.hpp"
#include "runtime/simulator.hpp"

namespace CLI {
class App;
}

namespace leadflow::runtime::cli {

struct SimulationArgs {
  std::vector<std::string> paths;
  std::string leads;   // empty: no leads file
  std::string events;  // empty: no events file
  std::string start;   // empty: the earliest input
  std::string until;   // empty: 30 days after the latest input
};

// The positional PATH... and --leads, --events, --start, --until, in that order.
void add_simulation_options(CLI::App* sub, SimulationArgs& args);

struct SimulationInput {
  std::unique_ptr<dsl::Compilation> compilation;  // holds the Program
  engine::Directory directory;
  std::vector<LeadInput> leads;
  std::vector<EventInput> events;
  std::vector<InputError> input_errors;  // the run adds its own (an unknown lead)
  SimulatorOptions options;
  bool owners_failed = false;  // owners.json had errors (reported): exit 1 after the run
};

// Reads and compiles everything; returns the exit status when the run cannot start (usage errors,
// unreadable files, workflow errors: all reported on `err`), nothing when `input` is ready.
std::optional<int> prepare_simulation(const SimulationArgs& args, SimulationInput& input, std::ostream& err);

// After the run: the note on events before --start and the skipped input lines, sorted by file
// (leads, then events) and line. Returns the exit status: 1 when anything was skipped or
// owners.json had errors, else 0.
int report_simulation(const SimulationArgs& args, const Simulator& simulator, SimulationInput& input,
                      std::ostream& err);

}  // namespace leadflow::runtime::cli
