// Setting up and reporting a virtual-time run for `dry-run` and `explain`.
#include "runtime/cli/simulation_input.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <ostream>
#include <sstream>
#include <thread>

#include "dsl/render.hpp"
#include "runtime/cli/commands.hpp"

namespace leadflow::runtime::cli {

void add_simulation_options(CLI::App* sub, SimulationArgs& args) {
  sub->add_option("PATH", args.paths, "Files and directories to compile (as for `check`)")->required()->type_name("");
  sub->add_option("--leads", args.leads, "Leads, one JSON object a line")->type_name("FILE");
  sub->add_option("--events", args.events, "Events, one JSON object a line")->type_name("FILE");
  sub->add_option("--start", args.start, "Virtual start time, ISO 8601 (e.g. 2026-01-05T00:00:00Z)")->type_name("TIME");
  sub->add_option("--until", args.until, "Stop after this long (e.g. 90d) or at this time")->type_name("DURATION|TIME");
}

namespace {

constexpr engine::TimePoint default_horizon = 30 * 86400;  // past the last input, without --until

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

// Inputs at least this large are read on two threads (below it a thread costs more than it saves).
constexpr std::size_t parallel_read_bytes = 4u << 20;

// Reads the leads, and the events in two parts, one on a second thread: the leads and the first
// part of the events there, the rest here, split so both threads read about as many bytes. The
// events are joined in file order and the errors are those of one pass (leads first), so the
// result is the same as reading on one thread.
void read_inputs(const engine::Program& program, const SimulationArgs& args, std::string_view leads_text,
                 std::string_view events_text, SimulationInput& input) {
  if (leads_text.size() + events_text.size() < parallel_read_bytes) {
    input.leads = read_leads(program, leads_text, args.leads, input.input_errors);
    input.events = read_events(program, events_text, args.events, input.input_errors);
    return;
  }
  // The first part ends at a line end near the byte that balances the two threads' shares.
  const std::size_t total = leads_text.size() + events_text.size();
  std::size_t split = total / 2 > leads_text.size() ? total / 2 - leads_text.size() : 0;
  if (split > 0) {
    split = events_text.find('\n', std::min(split, events_text.size() - 1));
    split = split == std::string_view::npos ? events_text.size() : split + 1;
  }
  const std::string_view first_part = events_text.substr(0, split), second_part = events_text.substr(split);
  const auto lines_in_first = static_cast<std::size_t>(std::count(first_part.begin(), first_part.end(), '\n'));

#if defined(__GLIBC__)
  // One malloc arena for the process: the events read on the second thread are freed on this
  // one as the run applies them, and only memory of this thread's arena is reused for the lead
  // state that grows meanwhile (a second arena kept ~50 MB of freed events resident in a
  // 100,000-lead run). Set before the thread allocates anything.
  mallopt(M_ARENA_MAX, 1);
#endif
  std::vector<InputError> first_errors;
  std::vector<EventInput> first_events;
  std::thread helper([&] {
    input.leads = read_leads(program, leads_text, args.leads, first_errors);
    first_events = read_events(program, first_part, args.events, first_errors);
  });
  std::vector<InputError> second_errors;
  std::vector<EventInput> second_events = read_events(program, second_part, args.events, second_errors, lines_in_first);
  helper.join();

  input.events = std::move(first_events);
  input.events.reserve(input.events.size() + second_events.size());
  std::move(second_events.begin(), second_events.end(), std::back_inserter(input.events));
  input.input_errors.insert(input.input_errors.end(), std::make_move_iterator(first_errors.begin()),
                            std::make_move_iterator(first_errors.end()));
  input.input_errors.insert(input.input_errors.end(), std::make_move_iterator(second_errors.begin()),
                            std::make_move_iterator(second_errors.end()));
}

}  // namespace

std::optional<int> prepare_simulation(const SimulationArgs& args, SimulationInput& input, std::ostream& err) {
  // Usage first: nothing is compiled or read when an option is malformed.
  std::optional<engine::TimePoint> start;
  if (!args.start.empty()) {
    start = engine::parse_time(args.start);
    if (!start) {
      err << "leadflow: error: --start: expected a time like 2026-01-05T09:00:00Z, got '" << args.start << "'\n";
      return exit_usage;
    }
  }
  std::optional<engine::TimePoint> until_time;
  std::optional<std::int64_t> until_span;
  if (!args.until.empty()) {
    if (auto d = engine::parse_duration(args.until)) {
      until_span = *d;
    } else if (auto t = engine::parse_time(args.until)) {
      until_time = *t;
    } else {
      err << "leadflow: error: --until: expected a duration like 90d or a time like 2026-04-01T00:00:00Z, got '"
          << args.until << "'\n";
      return exit_usage;
    }
  }

  std::vector<std::string> files;
  if (!collect_inputs(args.paths, files, err)) return exit_usage;
  std::string leads_text, events_text, owners_text;
  if (!args.leads.empty() && !read_file(args.leads, leads_text, err)) return exit_usage;
  if (!args.events.empty() && !read_file(args.events, events_text, err)) return exit_usage;
  std::optional<std::string> owners_path = find_owners_file(args.paths);
  if (owners_path && !read_file(*owners_path, owners_text, err)) return exit_usage;

  dsl::CompileOptions compile_options;
  compile_options.warnings = false;  // lint is check's job
  input.compilation = dsl::compile_files(files, compile_options);
  dsl::Compilation& compilation = *input.compilation;
  compilation.diagnostics.sort(compilation.sources);
  if (!compilation.ok() || !compilation.program) {
    dsl::render_text(err, compilation.sources, compilation.diagnostics.diagnostics(),
                     dsl::TextRenderOptions{use_color(ColorMode::Auto, true), true});
    return exit_input_errors;
  }
  const engine::Program& program = *compilation.program;

  if (owners_path) input.owners_failed = !parse_owners(*owners_path, owners_text, input.directory, err);

  read_inputs(program, args, leads_text, events_text, input);

  // Without --start, time begins at the earliest input; without --until, it ends 30 days after
  // the latest, so recurring timers cannot run forever.
  engine::TimePoint first = 0, last = 0;
  bool any = false;
  auto see = [&](engine::TimePoint t) {
    if (!any || t < first) first = t;
    if (!any || t > last) last = t;
    any = true;
  };
  for (const LeadInput& l : input.leads) {
    if (l.has_created_at) see(l.created_at);
  }
  for (const EventInput& e : input.events) see(e.event.at);
  input.options.start = start ? *start : first;
  if (until_time) {
    input.options.until = *until_time;
  } else if (until_span) {
    input.options.until = input.options.start + *until_span;
  } else {
    input.options.until = std::max(last, input.options.start) + default_horizon;
  }
  input.options.events_file = args.events;
  return std::nullopt;
}

int report_simulation(const SimulationArgs& args, const Simulator& simulator, SimulationInput& input,
                      std::ostream& err) {
  if (simulator.events_before_start() > 0) {
    err << "leadflow: note: " << simulator.events_before_start() << " events before --start were not applied\n";
  }
  // Errors by file (leads, then events) and line, whenever they were found.
  std::vector<InputError>& errors = input.input_errors;
  std::stable_sort(errors.begin(), errors.end(), [&](const InputError& a, const InputError& b) {
    bool a_leads = a.file == args.leads, b_leads = b.file == args.leads;
    if (a_leads != b_leads) return a_leads;
    return a.line < b.line;
  });
  for (const InputError& e : errors) err << format_input_error(e) << '\n';
  if (!errors.empty()) {
    err << errors.size() << (errors.size() == 1 ? " input line" : " input lines") << " skipped (each reported above)\n";
  }
  return input.owners_failed || !errors.empty() ? exit_input_errors : exit_ok;
}

}  // namespace leadflow::runtime::cli
