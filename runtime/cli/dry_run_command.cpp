// `leadflow dry-run`: compile, read leads and events from JSON Lines, run them in virtual time
// and print the timeline (JSONL or text grouped by lead), optionally with each lead's final state.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "engine/explain.hpp"
#include "runtime/cli/commands.hpp"
#include "runtime/cli/simulation_input.hpp"
#include "runtime/jsonl_effect_writer.hpp"
#include "runtime/simulator.hpp"
#include "runtime/timeline.hpp"

namespace leadflow::runtime::cli {

namespace {

struct DryRunOptions {
  SimulationArgs sim;
  std::string format = "text";  // text | jsonl
  bool trace = false;
  bool final_state = false;
  int threads = 0;  // 0: two when the input is large (background_threshold), else one
};

// From this many input records on, JSONL output is written on a second thread.
// Below it the thread is not worth starting (and small runs stay on one thread, as tests see them).
constexpr std::size_t background_threshold = 10'000;

// Called with the simulator when the process is about to exit. Freeing a large run's lead state
// piece by piece was a tenth of a 100,000-lead dry run; the operating system takes the memory
// back at once. Sanitizer builds free it, so their leak checks keep meaning something.
void release_at_exit(std::unique_ptr<Simulator> simulator) {
#if defined(__SANITIZE_ADDRESS__)
  simulator.reset();
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  simulator.reset();
#endif
#endif
  static_cast<void>(simulator.release());
}

std::string trace_text(const engine::TraceLine& t) {
  return "trace " + engine::format_time(t.at) + " " + (t.lead.empty() ? "-" : t.lead) + " " +
         (t.workflow.empty() ? "-" : t.workflow) + ": " + t.text;
}

// The text timeline with each lead's why-not block at the end of its group (a lead without lines
// gets a group of its own, before the engine's lines). Group headers are `lead ID` lines; every
// line inside a group is indented.
std::string with_why_not(const std::string& timeline, const std::vector<std::string>& order,
                         const std::map<std::string, std::vector<std::string>>& blocks) {
  auto block_text = [&](const std::string& lead) {
    std::string s;
    auto it = blocks.find(lead);
    if (it == blocks.end() || it->second.empty()) return s;
    s += "  why not:\n";
    for (const std::string& line : it->second) s += "    " + line + "\n";
    return s;
  };
  std::string out;
  std::set<std::string> done;
  std::string open;  // the lead whose group is being copied
  bool in_group = false;
  auto close = [&] {
    if (in_group) out += block_text(open);
    in_group = false;
  };
  std::size_t pos = 0;
  bool engine_section = false;
  while (pos < timeline.size()) {
    std::size_t nl = timeline.find('\n', pos);
    std::string line = timeline.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? timeline.size() : nl + 1;
    if (line.empty() || line == "engine") {
      close();
      if (line == "engine" && !engine_section) {
        engine_section = true;
        // Leads that had no line of their own: their groups go before the engine's lines.
        for (const std::string& lead : order) {
          if (done.count(lead) || block_text(lead).empty()) continue;
          out += "lead " + lead + "\n" + block_text(lead) + "\n";
          done.insert(lead);
        }
      }
    } else if (!engine_section && line.rfind("lead ", 0) == 0) {
      close();
      open = line.substr(5);
      in_group = true;
      done.insert(open);
    }
    out += line + "\n";
  }
  close();
  if (!engine_section) {
    for (const std::string& lead : order) {
      if (done.count(lead) || block_text(lead).empty()) continue;
      if (!out.empty()) out += "\n";
      out += "lead " + lead + "\n" + block_text(lead);
    }
  }
  return out;
}

}  // namespace

int run_dry_run(const DryRunOptions& options, std::ostream& out, std::ostream& err) {
  SimulationInput input;
  if (std::optional<int> status = prepare_simulation(options.sim, input, err)) return *status;
  const engine::Program& program = *input.compilation->program;

  const bool jsonl = options.format == "jsonl";
  const bool background =
      options.threads == 2 || (options.threads == 0 && input.leads.size() + input.events.size() >= background_threshold);
  TextTimeline text;
  std::optional<JsonlEffectWriter> writer;
  SimulatorSink sink;
  if (jsonl) {
    writer.emplace(out, background);
    sink.effect = [&](engine::Effect&& e) { writer->add(e); };
    // stdout keeps to the JSONL contract; the trace goes to stderr.
    if (options.trace) sink.trace = [&](const engine::TraceLine& t) { err << trace_text(t) << '\n'; };
  } else {
    sink.effect = [&](engine::Effect&& e) { text.add(e); };
    if (options.trace) sink.trace = [&](const engine::TraceLine& t) { text.add(t); };
  }

  input.options.trace = options.trace;
  auto simulator_owner = std::make_unique<Simulator>(input.compilation->program, std::move(input.directory), input.options);
  Simulator& simulator = *simulator_owner;
  simulator.run(std::move(input.leads), std::move(input.events), sink, input.input_errors);
  std::string buffer;  // the final states, after every effect line
  if (writer) writer->finish();

  if (options.final_state) {
    for (const std::string& id : simulator.lead_order()) {
      const engine::LeadState* state = simulator.lead(id);
      if (state == nullptr) continue;
      if (jsonl) {
        buffer += final_state_jsonl(program, id, *state);
        buffer += '\n';
      } else {
        text.add_final(program, id, *state);
      }
    }
  }
  // --trace ends with why each lead did not enter the workflows it did not enter and did not
  // reach the stages it did not reach, as of the end of the run.
  std::map<std::string, std::vector<std::string>> why_not;
  if (options.trace) {
    for (const std::string& id : simulator.lead_order()) {
      const engine::LeadState* state = simulator.lead(id);
      if (state == nullptr) continue;
      std::vector<std::string> lines = engine::explain_why_not(program, *state, input.options.until);
      if (jsonl) {
        for (const std::string& line : lines) err << "why-not " << id << ": " << line << '\n';
      } else {
        why_not[id] = std::move(lines);
      }
    }
  }
  if (jsonl) {
    out << buffer;
  } else {
    if (options.trace) {
      std::ostringstream timeline;
      text.write(timeline);
      out << with_why_not(timeline.str(), simulator.lead_order(), why_not);
    } else {
      text.write(out);
    }
    const engine::TenantState& tenant = simulator.tenant();
    out << "\n" << simulator.lead_order().size() << " leads, " << tenant.captures << " captures, "
        << tenant.duplicates << " merged as duplicates\n";
  }
  out.flush();
  const int status = report_simulation(options.sim, simulator, input, err);
  release_at_exit(std::move(simulator_owner));
  return status;
}

Command add_dry_run_command(CLI::App& app) {
  auto options = std::make_shared<DryRunOptions>();
  CLI::App* sub = app.add_subcommand("dry-run", "Run workflows over sample leads and events in virtual time");
  sub->footer(
      "Leads and events are JSON Lines (see DESIGN.md \"Input records\"); owners.json beside the\n"
      "workflows is loaded when present. Time starts at --start (default: the earliest input) and\n"
      "stops at --until (default: 30 days after the latest input). A bad input line is reported\n"
      "with its line number and field on stderr and skipped; the run goes on.\n"
      "Exit status: 0 ok, 1 errors in the workflows or input lines skipped, 2 bad usage.");
  add_simulation_options(sub, options->sim);
  sub->add_option("-f,--format", options->format,
                  "Output: `text` (grouped by lead) or `jsonl` (one effect a line, in time order)")
      ->check(CLI::IsMember({"text", "jsonl"}))
      ->capture_default_str();
  sub->add_flag("--trace", options->trace, "Explain every decision, then why each lead did not enter a workflow or reach a stage (stderr with --format jsonl)");
  sub->add_flag("--final-state", options->final_state, "End with each lead's score, stage, owner and fields");
  sub->add_option("--threads", options->threads,
                  "1: run everything on one thread; 2: write --format jsonl output on a second thread "
                  "(the same bytes). Default: 2 from 10,000 input records on. Large inputs are read "
                  "on two threads either way")
      ->check(CLI::Range(1, 2))
      ->type_name("N");
  return Command{sub, [options] { return run_dry_run(*options, std::cout, std::cerr); }};
}

}  // namespace leadflow::runtime::cli
