// `leadflow graph`: compile, then print one workflow's graph as Graphviz dot, Mermaid or JSON.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "dsl/compiler.hpp"
#include "dsl/render.hpp"
#include "dsl/suggest.hpp"
#include "runtime/cli/commands.hpp"

#include "dsl/graph_export.hpp"

namespace leadflow::runtime::cli {

namespace {

dsl::GraphFormat graph_format(const std::string& name) {
  if (name == "mermaid") return dsl::GraphFormat::Mermaid;
  if (name == "json") return dsl::GraphFormat::Json;
  return dsl::GraphFormat::Dot;
}

std::string join_backticked(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += '`' + n + '`';
  }
  return out;
}

}  // namespace

int run_graph(const GraphOptions& options, std::ostream& out, std::ostream& err) {
  std::vector<std::string> files;
  if (!collect_inputs(options.paths, files, err)) return exit_usage;

  dsl::CompileOptions compile_options;
  // Lint is check's job; the graph only needs a program that compiles.
  compile_options.warnings = false;
  std::unique_ptr<dsl::Compilation> compilation = dsl::compile_files(files, compile_options);
  compilation->diagnostics.sort(compilation->sources);
  if (!compilation->ok() || !compilation->program) {
    // stdout carries the graph, so the reasons there is none go to stderr.
    dsl::render_text(err, compilation->sources, compilation->diagnostics.diagnostics(),
                     dsl::TextRenderOptions{use_color(ColorMode::Auto, true), true});
    return exit_input_errors;
  }

  // Render into memory first: an unknown workflow must not leave an empty -o file behind.
  std::ostringstream graph;
  if (!dsl::export_graph(*compilation->program, options.workflow, graph_format(options.format), graph)) {
    std::vector<std::string> known;
    for (const auto& [name, decl] : compilation->symbols.workflows) known.push_back(name);
    err << "leadflow: error: unknown workflow `" << options.workflow << "`\n";
    if (auto guess = dsl::suggest(options.workflow, known)) err << "help: did you mean `" << *guess << "`?\n";
    if (known.empty()) {
      err << "note: the given files define no workflows\n";
    } else {
      err << "note: known workflows: " << join_backticked(known) << '\n';
    }
    return exit_input_errors;
  }

  if (options.output.empty()) {
    out << graph.str();
    out.flush();
    return exit_ok;
  }
  errno = 0;
  std::ofstream file(options.output, std::ios::binary | std::ios::trunc);
  if (!file) {
    // libstdc++ opens with fopen, so errno still says why.
    err << "leadflow: error: cannot write '" << options.output << "': " << std::strerror(errno != 0 ? errno : EIO)
        << '\n';
    return exit_usage;
  }
  file << graph.str();
  file.flush();
  if (!file) {
    err << "leadflow: error: cannot write '" << options.output << "'\n";
    return exit_usage;
  }
  return exit_ok;
}

Command add_graph_command(CLI::App& app) {
  auto options = std::make_shared<GraphOptions>();
  CLI::App* sub = app.add_subcommand("graph", "Print the compiled graph of one workflow");
  sub->footer(
      "Nodes are the workflow's steps, named after their source lines; edges are labelled\n"
      "next, then, else and timeout. Render dot with e.g. `dot -Tsvg`.\n"
      "Exit status: 0 ok, 1 errors in the input or an unknown workflow, 2 bad usage.");
  sub->add_option("PATH", options->paths, "Files and directories to compile (as for `check`)")
      ->required()
      ->type_name("");
  sub->add_option("-w,--workflow", options->workflow, "The workflow to draw")->required()->type_name("NAME");
  sub->add_option("-f,--format", options->format,
                  "Output format: `dot` (Graphviz), `mermaid` (a flowchart block) or `json` (nodes and edges)")
      ->check(CLI::IsMember({"dot", "mermaid", "json"}))
      ->capture_default_str();
  sub->add_option("-o,--output", options->output, "Write to FILE instead of standard output")
      ->type_name("FILE");
  return Command{sub, [options] { return run_graph(*options, std::cout, std::cerr); }};
}

}  // namespace leadflow::runtime::cli
