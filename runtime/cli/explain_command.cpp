// `leadflow explain LEAD_ID PATH...`: the dry-run simulation, then for one lead its final state,
// its score line by line, the workflows it entered (where their runs wait or how they ended) and
// why it never entered the others or reached the stages above its score.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "dsl/suggest.hpp"
#include "engine/explain.hpp"
#include "runtime/cli/commands.hpp"
#include "runtime/cli/simulation_input.hpp"
#include "runtime/simulator.hpp"

namespace leadflow::runtime::cli {

namespace {

struct ExplainOptions {
  std::string lead;
  SimulationArgs sim;
};

engine::Value field(const engine::Program& program, const engine::LeadState& state, std::string_view name) {
  engine::Slot s = program.lead_slot(name);
  if (s == engine::no_index || static_cast<std::size_t>(s) >= state.fields.size()) return engine::Value();
  return state.fields[static_cast<std::size_t>(s)];
}

void section(std::ostream& out, const std::string& title, const std::vector<std::string>& lines,
             const std::string& when_empty) {
  out << title << ":";
  if (lines.empty()) {
    out << ' ' << when_empty << '\n';
    return;
  }
  out << '\n';
  for (const std::string& line : lines) out << "  " << line << '\n';
}

}  // namespace

int run_explain(const ExplainOptions& options, std::ostream& out, std::ostream& err) {
  SimulationInput input;
  if (std::optional<int> status = prepare_simulation(options.sim, input, err)) return *status;
  const engine::Program& program = *input.compilation->program;
  std::set<std::string> in_input;
  for (const LeadInput& l : input.leads) in_input.insert(l.id);

  // The whole simulation, as dry-run runs it: routing and caps depend on the other leads too.
  Simulator simulator(input.compilation->program, std::move(input.directory), input.options);
  simulator.run(std::move(input.leads), std::move(input.events), SimulatorSink{}, input.input_errors);
  int status = report_simulation(options.sim, simulator, input, err);

  const engine::LeadState* state = simulator.lead(options.lead);
  if (state == nullptr) {
    if (in_input.count(options.lead)) {
      err << "leadflow: error: lead `" << options.lead << "` was not loaded before --until ("
          << engine::format_time(input.options.until) << ")\n";
      return exit_input_errors;
    }
    err << "leadflow: error: unknown lead `" << options.lead << "`\n";
    std::vector<std::string> ids = simulator.lead_order();
    ids.insert(ids.end(), in_input.begin(), in_input.end());
    if (std::optional<std::string> near = dsl::suggest(options.lead, ids)) {
      err << "help: did you mean `" << *near << "`?\n";
    }
    return exit_input_errors;
  }

  engine::TimePoint now = input.options.until;
  out << "lead " << options.lead << " at " << engine::format_time(now) << " (the end of the run)\n";
  out << "final: score " << engine::to_trace(field(program, *state, "score")) << ", stage "
      << engine::to_trace(field(program, *state, "stage")) << ", owner "
      << engine::to_trace(field(program, *state, "owner")) << '\n';
  std::vector<std::string> fields;
  for (const engine::FieldDef& f : program.lead_fields) {
    if (f.name == "id" || f.name == "score" || f.name == "stage" || f.name == "owner") continue;
    engine::Value v = field(program, *state, f.name);
    if (!v.is_null()) fields.push_back(f.name + " = " + engine::to_trace(v));
  }
  section(out, "fields", fields, "none");
  section(out, "score, line by line", engine::explain_score_log(program, *state), "none");
  section(out, "workflows entered", engine::explain_runs(program, *state), "none");
  section(out, "why not", engine::explain_why_not(program, *state, now),
          "nothing (every workflow entered, no stage above the score)");
  out.flush();
  return status;
}

Command add_explain_command(CLI::App& app) {
  auto options = std::make_shared<ExplainOptions>();
  CLI::App* sub = app.add_subcommand("explain", "Explain what happened to one lead in a dry run, and what did not");
  sub->footer(
      "Runs the same simulation as `dry-run` (same options), then prints for LEAD_ID its final\n"
      "state, its score line by line, the workflows it entered and where their runs are, and why\n"
      "it never entered the other workflows or reached the stages above its score.\n"
      "Exit status: 0 ok, 1 unknown lead, errors in the workflows or input lines skipped, 2 bad usage.");
  sub->add_option("LEAD_ID", options->lead, "The lead to explain (its `id`, or `C-<n>` for a capture)")
      ->required()
      ->type_name("");
  add_simulation_options(sub, options->sim);
  return Command{sub, [options] { return run_explain(*options, std::cout, std::cerr); }};
}

}  // namespace leadflow::runtime::cli
