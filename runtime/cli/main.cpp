// The `leadflow` command line: global flags, then exactly one subcommand from runtime/cli/.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <vector>

#include "runtime/cli/commands.hpp"

namespace cli = leadflow::runtime::cli;

int main(int argc, char** argv) {
  CLI::App app{
      "leadflow compiles and runs lead-operations workflows written in .flow files.\n"
      "Run `leadflow COMMAND --help` for the options of a command."};
  app.name("leadflow");
  app.set_version_flag("--version", "leadflow " LEADFLOW_VERSION);
  app.require_subcommand(1);
  // Set before the subcommands are added: they copy it from their parent.
  app.failure_message([](const CLI::App* failed, const CLI::Error& e) {
    std::string command;
    for (const CLI::App* a = failed; a != nullptr; a = a->get_parent()) {
      command = command.empty() ? a->get_name() : a->get_name() + " " + command;
    }
    return "leadflow: error: " + std::string(e.what()) + "\nRun `" + command + " --help` for usage.\n";
  });

  std::vector<cli::Command> commands{cli::add_check_command(app), cli::add_graph_command(app),
                                    cli::add_dry_run_command(app), cli::add_test_command(app),
                                    cli::add_explain_command(app),
                                    cli::add_serve_command(app), cli::add_replay_command(app),
                                    cli::add_reload_command(app)};
  for (cli::Command& command : cli::add_store_commands(app)) commands.push_back(std::move(command));

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Point at the subcommand's own --help when the mistake was inside one.
    CLI::App* failed = &app;
    for (const cli::Command& command : commands) {
      if (command.app->parsed()) failed = command.app;
    }
    failed->exit(e);
    return cli::exit_usage;
  }

  try {
    for (const cli::Command& command : commands) {
      if (command.app->parsed()) return command.run();
    }
  } catch (const std::exception& e) {
    // A bug or an environment failure escaped a command: report it once, never a stack dump.
    std::cerr << "leadflow: internal error: " << e.what() << '\n';
    return 3;
  }
  return cli::exit_usage;
}
