// `leadflow test`: compile, then run every `test` block of the files in virtual time and report
// each failing expectation with expected vs. actual and the timeline around it.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "dsl/compiler.hpp"
#include "dsl/render.hpp"
#include "dsl/test_cases.hpp"
#include "runtime/cli/commands.hpp"
#include "runtime/test_runner.hpp"
#include "runtime/timeline.hpp"

namespace leadflow::runtime::cli {

namespace {

struct TestOptions {
  std::vector<std::string> paths;
  std::string filter;  // run only tests whose name contains this
  bool verbose = false;
};

// Each file with tests is compiled on its own, with what it imports: a test sees exactly the
// workflows, scoring models and `use` selections its file pulls in, so alternative models can be
// tested side by side in one tree.
int run_tests(const TestOptions& options, std::ostream& out, std::ostream& err) {
  std::vector<std::string> files;
  if (!collect_inputs(options.paths, files, err)) return exit_usage;
  engine::Directory directory;
  if (!load_owners(options.paths, directory, err)) return exit_input_errors;

  dsl::CompileOptions compile_options;
  compile_options.warnings = false;  // lint is check's job
  std::size_t ran = 0, failed = 0, broken_files = 0;
  for (const std::string& file : files) {
    std::unique_ptr<dsl::Compilation> compilation = dsl::compile_files({file}, compile_options);
    std::vector<dsl::TestCase> cases;
    if (compilation->ok() && compilation->program) {
      cases = dsl::build_test_cases(*compilation, compilation->program.get(), compilation->diagnostics);
    }
    if (!compilation->ok() || !compilation->program) {
      ++broken_files;
      compilation->diagnostics.sort(compilation->sources);
      dsl::render_text(err, compilation->sources, compilation->diagnostics.diagnostics(),
                       dsl::TextRenderOptions{use_color(ColorMode::Auto, true), true});
      continue;
    }
    for (const dsl::TestCase& test : cases) {
      if (test.file != compilation->sources.file(compilation->roots.front()).path) continue;  // an import's tests
      if (!options.filter.empty() && test.name.find(options.filter) == std::string::npos) continue;
      ++ran;
      TestOutcome outcome = run_test_case(compilation->program, directory, test);
      const std::string where = outcome.file + ":" + std::to_string(outcome.line);
      if (outcome.passed()) {
        out << "PASS " << where << ": " << outcome.name << '\n';
      } else {
        ++failed;
        out << "FAIL " << where << ": " << outcome.name << '\n';
        for (const TestFailure& f : outcome.failures) out << "  " << outcome.file << ":" << f.line << ": " << f.message;
      }
      if (options.verbose) {
        out << "  timeline:\n";
        for (const engine::Effect& e : outcome.timeline) out << "    " << effect_jsonl(e) << '\n';
      }
    }
  }
  out << ran << (ran == 1 ? " test, " : " tests, ") << failed << " failed";
  if (broken_files > 0) out << ", " << broken_files << (broken_files == 1 ? " file" : " files") << " with errors";
  out << '\n';
  return failed == 0 && broken_files == 0 ? exit_ok : exit_input_errors;
}

}  // namespace

Command add_test_command(CLI::App& app) {
  auto options = std::make_shared<TestOptions>();
  CLI::App* sub = app.add_subcommand("test", "Run the `test` blocks of workflow files in virtual time");
  sub->footer(
      "Each `test \"name\" { ... }` block gives a lead, events at offsets from its start, and\n"
      "expectations: `expect at 5m task {title: \"...\"}` (a timeline line at that time whose fields\n"
      "match), `expect no email` (no such line at all), `expect final {stage: \"sql\"}` (the lead's\n"
      "state at the end). Each file is compiled on its own with what it imports, so a test sees\n"
      "the workflows and `use` selections of its file. owners.json beside the workflows is loaded.\n"
      "Exit status: 0 all passed, 1 a test failed or the files have errors, 2 bad usage.");
  sub->add_option("PATH", options->paths, "Files and directories to compile (as for `check`)")
      ->required()
      ->type_name("");
  sub->add_option("--filter", options->filter, "Run only the tests whose name contains this text")->type_name("TEXT");
  sub->add_flag("-v,--verbose", options->verbose, "Print every test's whole timeline");
  return Command{sub, [options] { return run_tests(*options, std::cout, std::cerr); }};
}

}  // namespace leadflow::runtime::cli
