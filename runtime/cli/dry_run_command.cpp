// `leadflow dry-run`: compile, read leads and events from JSON Lines, run them in virtual time
// and print the timeline (JSONL or text grouped by lead), optionally with each lead's final state.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "dsl/compiler.hpp"
#include "dsl/render.hpp"
#include "engine/directory_json.hpp"
#include "runtime/cli/commands.hpp"
#include "runtime/jsonl_input.hpp"
#include "runtime/simulator.hpp"
#include "runtime/timeline.hpp"

namespace leadflow::runtime::cli {

namespace {

constexpr engine::TimePoint default_horizon = 30 * 86400;  // past the last input, without --until

struct DryRunOptions {
  std::vector<std::string> paths;
  std::string leads;
  std::string events;
  std::string start;
  std::string until;
  std::string format = "text";  // text | jsonl
  bool trace = false;
  bool final_state = false;
};

bool read_file(const std::string& path, std::string& text, std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) {
    err << "leadflow: error: cannot read '" << path << "': " << unreadable_reason(path) << '\n';
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return true;
}

// `owners.json` beside the workflows: in the first PATH that is a directory holding one, or in the
// folder of the first file PATH.
std::optional<std::string> find_owners(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const std::string& p : paths) {
    fs::path dir = fs::is_directory(p, ec) ? fs::path(p) : fs::path(p).parent_path();
    if (dir.empty()) dir = ".";
    fs::path owners = dir / "owners.json";
    if (fs::is_regular_file(owners, ec)) return owners.string();
  }
  return std::nullopt;
}

std::string trace_text(const engine::TraceLine& t) {
  return "trace " + engine::format_time(t.at) + " " + (t.lead.empty() ? "-" : t.lead) + " " +
         (t.workflow.empty() ? "-" : t.workflow) + ": " + t.text;
}

}  // namespace

int run_dry_run(const DryRunOptions& options, std::ostream& out, std::ostream& err) {
  // Usage first: nothing is compiled or read when an option is malformed.
  std::optional<engine::TimePoint> start;
  if (!options.start.empty()) {
    start = engine::parse_time(options.start);
    if (!start) {
      err << "leadflow: error: --start: expected a time like 2026-01-05T09:00:00Z, got '" << options.start << "'\n";
      return exit_usage;
    }
  }
  std::optional<engine::TimePoint> until_time;
  std::optional<std::int64_t> until_span;
  if (!options.until.empty()) {
    if (auto d = engine::parse_duration(options.until)) {
      until_span = *d;
    } else if (auto t = engine::parse_time(options.until)) {
      until_time = *t;
    } else {
      err << "leadflow: error: --until: expected a duration like 90d or a time like 2026-04-01T00:00:00Z, got '"
          << options.until << "'\n";
      return exit_usage;
    }
  }

  std::vector<std::string> files;
  if (!collect_inputs(options.paths, files, err)) return exit_usage;
  std::string leads_text, events_text, owners_text;
  if (!options.leads.empty() && !read_file(options.leads, leads_text, err)) return exit_usage;
  if (!options.events.empty() && !read_file(options.events, events_text, err)) return exit_usage;
  std::optional<std::string> owners_path = find_owners(options.paths);
  if (owners_path && !read_file(*owners_path, owners_text, err)) return exit_usage;

  dsl::CompileOptions compile_options;
  compile_options.warnings = false;  // lint is check's job
  std::unique_ptr<dsl::Compilation> compilation = dsl::compile_files(files, compile_options);
  compilation->diagnostics.sort(compilation->sources);
  if (!compilation->ok() || !compilation->program) {
    dsl::render_text(err, compilation->sources, compilation->diagnostics.diagnostics(),
                     dsl::TextRenderOptions{use_color(ColorMode::Auto, true), true});
    return exit_input_errors;
  }
  const engine::Program& program = *compilation->program;

  bool failed = false;
  engine::Directory directory;
  if (owners_path) {
    engine::DirectoryParseResult parsed = engine::parse_directory_json(owners_text);
    for (const engine::DirectoryError& e : parsed.errors) {
      err << *owners_path << ": error: " << (e.path.empty() ? "" : "`" + e.path + "`: ") << e.message << '\n';
      failed = true;
    }
    directory = std::move(parsed.directory);
  }

  std::vector<InputError> input_errors;
  std::vector<LeadInput> leads = read_leads(program, leads_text, options.leads, input_errors);
  std::vector<EventInput> events = read_events(program, events_text, options.events, input_errors);

  // Without --start, time begins at the earliest input; without --until, it ends 30 days after
  // the latest, so recurring timers cannot run forever.
  engine::TimePoint first = 0, last = 0;
  bool any = false;
  auto see = [&](engine::TimePoint t) {
    if (!any || t < first) first = t;
    if (!any || t > last) last = t;
    any = true;
  };
  for (const LeadInput& l : leads) {
    if (l.has_created_at) see(l.created_at);
  }
  for (const EventInput& e : events) see(e.event.at);
  SimulatorOptions sim_options;
  sim_options.start = start ? *start : first;
  if (until_time) {
    sim_options.until = *until_time;
  } else if (until_span) {
    sim_options.until = sim_options.start + *until_span;
  } else {
    sim_options.until = std::max(last, sim_options.start) + default_horizon;
  }
  sim_options.events_file = options.events;

  const bool jsonl = options.format == "jsonl";
  TextTimeline text;
  std::string buffer;
  SimulatorSink sink;
  if (jsonl) {
    sink.effect = [&](const engine::Effect& e) {
      buffer += effect_jsonl(e);
      buffer += '\n';
      if (buffer.size() > (1u << 16)) {
        out << buffer;
        buffer.clear();
      }
    };
    // stdout keeps to the JSONL contract; the trace goes to stderr.
    if (options.trace) sink.trace = [&](const engine::TraceLine& t) { err << trace_text(t) << '\n'; };
  } else {
    sink.effect = [&](const engine::Effect& e) { text.add(e); };
    if (options.trace) sink.trace = [&](const engine::TraceLine& t) { text.add(t); };
  }

  Simulator simulator(compilation->program, std::move(directory), sim_options);
  simulator.run(std::move(leads), std::move(events), sink, input_errors);

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
  if (jsonl) {
    out << buffer;
  } else {
    text.write(out);
    const engine::TenantState& tenant = simulator.tenant();
    out << "\n" << simulator.lead_order().size() << " leads, " << tenant.captures << " captures, "
        << tenant.duplicates << " merged as duplicates\n";
  }
  out.flush();

  if (simulator.events_before_start() > 0) {
    err << "leadflow: note: " << simulator.events_before_start() << " events before --start were not applied\n";
  }
  // Errors by file (leads, then events) and line, whenever they were found.
  std::stable_sort(input_errors.begin(), input_errors.end(), [&](const InputError& a, const InputError& b) {
    bool a_leads = a.file == options.leads, b_leads = b.file == options.leads;
    if (a_leads != b_leads) return a_leads;
    return a.line < b.line;
  });
  for (const InputError& e : input_errors) err << format_input_error(e) << '\n';
  if (!input_errors.empty()) {
    err << input_errors.size() << (input_errors.size() == 1 ? " input line" : " input lines") << " skipped (each reported above)\n";
  }
  return failed || !input_errors.empty() ? exit_input_errors : exit_ok;
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
  sub->add_option("PATH", options->paths, "Files and directories to compile (as for `check`)")
      ->required()
      ->type_name("");
  sub->add_option("--leads", options->leads, "Leads, one JSON object a line")->type_name("FILE");
  sub->add_option("--events", options->events, "Events, one JSON object a line")->type_name("FILE");
  sub->add_option("--start", options->start, "Virtual start time, ISO 8601 (e.g. 2026-01-05T00:00:00Z)")
      ->type_name("TIME");
  sub->add_option("--until", options->until, "Stop after this long (e.g. 90d) or at this time")
      ->type_name("DURATION|TIME");
  sub->add_option("-f,--format", options->format,
                  "Output: `text` (grouped by lead) or `jsonl` (one effect a line, in time order)")
      ->check(CLI::IsMember({"text", "jsonl"}))
      ->capture_default_str();
  sub->add_flag("--trace", options->trace, "Explain every decision (stderr with --format jsonl)");
  sub->add_flag("--final-state", options->final_state, "End with each lead's score, stage, owner and fields");
  return Command{sub, [options] { return run_dry_run(*options, std::cout, std::cerr); }};
}

}  // namespace leadflow::runtime::cli
