// `leadflow check`: compile .flow files and report every diagnostic.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "dsl/compiler.hpp"
#include "dsl/render.hpp"
#include "runtime/cli/commands.hpp"

namespace leadflow::runtime::cli {

int run_check(const CheckOptions& options, std::ostream& out, std::ostream& err) {
  std::vector<std::string> files;
  if (!collect_inputs(options.paths, files, err)) return exit_usage;

  dsl::CompileOptions compile_options;
  compile_options.warnings = options.warnings;
  // check only reports; building the engine program would be wasted work.
  compile_options.lower = false;
  std::unique_ptr<dsl::Compilation> compilation = dsl::compile_files(files, compile_options);
  compilation->diagnostics.sort(compilation->sources);

  std::vector<dsl::Diagnostic> shown;
  for (const dsl::Diagnostic& d : compilation->diagnostics.diagnostics()) {
    if (d.severity == dsl::Severity::Warning && !options.warnings) continue;
    shown.push_back(d);
    // Like -Werror in C compilers: the warning is reported, and counted, as an error.
    if (d.severity == dsl::Severity::Warning && options.werror) shown.back().severity = dsl::Severity::Error;
  }

  if (options.format == "json") {
    dsl::render_json(out, compilation->sources, shown);
  } else {
    dsl::TextRenderOptions render_options;
    render_options.color = use_color(options.color);
    dsl::render_text(out, compilation->sources, shown, render_options);
  }
  for (const dsl::Diagnostic& d : shown) {
    if (d.severity == dsl::Severity::Error) return exit_input_errors;
  }
  return exit_ok;
}

Command add_check_command(CLI::App& app) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* sub = app.add_subcommand("check", "Compile .flow files and report errors and warnings");
  sub->footer(
      "Exit status: 0 no errors (warnings allowed unless --werror), 1 errors in the input,\n"
      "2 bad usage or a path that cannot be read.");
  sub->add_option("PATH", options->paths,
                  "Files and directories to compile; directories are searched recursively for *.flow")
      ->required()
      ->type_name("");
  sub->add_option("--format", options->format,
                  "Output format: `text` (file:line:col, the source line and a caret) or `json` "
                  "(one document with every diagnostic, including its kind)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  sub->add_flag("--warnings,!--no-warnings", options->warnings,
                "Run the lint rules and show warnings (default), or do not");
  sub->add_flag("--werror", options->werror, "Treat warnings as errors: report them as errors and exit 1");
  // A plain string, so that --help shows the three words rather than an enum mapping.
  auto color = std::make_shared<std::string>("auto");
  sub->add_option("--color", *color,
                  "Colour text output: `auto` (when stdout is a terminal and NO_COLOR is unset), "
                  "`always` or `never`")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  return Command{sub, [options, color] {
                   options->color = *color == "always" ? ColorMode::Always
                                    : *color == "never" ? ColorMode::Never
                                                        : ColorMode::Auto;
                   return run_check(*options, std::cout, std::cerr);
                 }};
}

}  // namespace leadflow::runtime::cli
