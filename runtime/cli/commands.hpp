// The `leadflow` subcommands: each registers itself on the CLI11 app and runs from plain options,
// so a new command (dry-run, test, serve) is one more file and one more line in main.cpp.
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.hpp"

namespace CLI {
class App;
}

namespace leadflow::runtime::cli {

// Process exit statuses shared by every command.
inline constexpr int exit_ok = 0;
inline constexpr int exit_input_errors = 1;  // the .flow files (or other input) have errors
inline constexpr int exit_usage = 2;         // bad arguments, unreadable paths

enum class ColorMode { Auto, Always, Never };

struct Command {
  CLI::App* app = nullptr;    // the subcommand, to see whether it was chosen
  std::function<int()> run;   // runs it with the options parsed into it
};

struct CheckOptions {
  std::vector<std::string> paths;
  std::string format = "text";  // text | json
  bool warnings = true;
  bool werror = false;
  ColorMode color = ColorMode::Auto;
};
Command add_check_command(CLI::App& app);
int run_check(const CheckOptions& options, std::ostream& out, std::ostream& err);

struct GraphOptions {
  std::vector<std::string> paths;
  std::string workflow;
  std::string format = "dot";  // dot | mermaid | json
  std::string output;          // empty = stdout
};
Command add_graph_command(CLI::App& app);
int run_graph(const GraphOptions& options, std::ostream& out, std::ostream& err);

Command add_dry_run_command(CLI::App& app);  // runtime/cli/dry_run_command.cpp
Command add_test_command(CLI::App& app);     // runtime/cli/test_command.cpp
Command add_explain_command(CLI::App& app);  // runtime/cli/explain_command.cpp

struct ServeOptions {
  std::string workflows;
  std::string db = "leadflow.db";
  std::string listen;
  std::string config;
  std::string ingest;
  std::string leads;
  std::string tenant = "default";
  std::string sink;
  std::string durability = "full";  // full | process
  // WAL size at which serve's checkpoint thread copies it back. Small, so that no single sync of
  // the database file is long (docs/performance.md, "The WAL checkpoint off the request thread").
  int wal_checkpoint_pages = 2048;
  std::string now;                  // injected clock (ISO time); empty = the system clock
};
Command add_serve_command(CLI::App& app);  // runtime/cli/serve_command.cpp
int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err);
Command add_replay_command(CLI::App& app);  // runtime/cli/replay_command.cpp
Command add_reload_command(CLI::App& app);  // runtime/cli/reload_command.cpp

// `leads show`, `runs` and `forget`, reading the store serve writes (runtime/cli/store_commands.cpp).
std::vector<Command> add_store_commands(CLI::App& app);

// `owners.json` beside the workflows: in the first PATH that is a directory holding one, or in
// the folder of a file PATH (runtime/cli/owners_file.cpp).
std::optional<std::string> find_owners_file(const std::vector<std::string>& paths);
// Loads it into `directory` when there is one; false (errors written, naming the place) when it
// cannot be read or has errors.
bool load_owners(const std::vector<std::string>& paths, engine::Directory& directory, std::ostream& err);
// Parses owners.json text already read from `path`; errors are written naming the place.
bool parse_owners(const std::string& path, const std::string& text, engine::Directory& directory, std::ostream& err);

// Helpers shared by the commands (runtime/cli/common.cpp).
// Whether to colour output written to stdout (or stderr).
bool use_color(ColorMode mode, bool to_stderr = false);
// Why `path` cannot be read, as the OS puts it ("No such file or directory").
std::string unreadable_reason(const std::string& path);
// Expands `paths` to .flow files; prints `leadflow: error: cannot read 'x': reason` for each
// bad one and returns false if there was any.
bool collect_inputs(const std::vector<std::string>& paths, std::vector<std::string>& files, std::ostream& err);

}  // namespace leadflow::runtime::cli
