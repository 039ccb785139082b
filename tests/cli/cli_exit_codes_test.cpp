// The `leadflow` binary's exit statuses (0 ok, 1 input errors, 2 bad usage) and key output lines.
#include <catch2/catch.hpp>

#include "tests/support/process.hpp"

using leadflow::testing::run_leadflow;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("leadflow with no arguments is bad usage", "[cli]") {
  auto r = run_leadflow({});
  CHECK(r.status == 2);
  CHECK(r.out == "");
  CHECK(starts_with(r.err, "leadflow: error: "));
  CHECK(contains(r.err, "Run `leadflow --help` for usage."));
}

TEST_CASE("leadflow --version prints the version and exits 0", "[cli]") {
  auto r = run_leadflow({"--version"});
  CHECK(r.status == 0);
  CHECK(r.out == "leadflow " LEADFLOW_VERSION_FOR_TESTS "\n");
}

TEST_CASE("leadflow --help lists the commands and exits 0", "[cli]") {
  auto r = run_leadflow({"--help"});
  CHECK(r.status == 0);
  CHECK(contains(r.out, "check"));
  CHECK(contains(r.out, "graph"));
}

TEST_CASE("leadflow check --help explains every option", "[cli]") {
  auto r = run_leadflow({"check", "--help"});
  CHECK(r.status == 0);
  for (const char* option : {"--format", "--warnings", "--no-warnings", "--werror", "--color", "PATH"}) {
    INFO(option);
    CHECK(contains(r.out, option));
  }
}

TEST_CASE("an unknown command is bad usage", "[cli]") {
  auto r = run_leadflow({"compile", "x.flow"});
  CHECK(r.status == 2);
  CHECK(starts_with(r.err, "leadflow: error: "));
}

TEST_CASE("check without a path is bad usage", "[cli][check]") {
  auto r = run_leadflow({"check"});
  CHECK(r.status == 2);
  CHECK(starts_with(r.err, "leadflow: error: "));
  CHECK(contains(r.err, "Run `leadflow check --help` for usage."));
}

TEST_CASE("check of a missing file is exit 2 with the OS reason", "[cli][check]") {
  auto r = run_leadflow({"check", "tests/cli/data/check/missing.flow"});
  CHECK(r.status == 2);
  CHECK(r.out == "");
  CHECK(r.err == "leadflow: error: cannot read 'tests/cli/data/check/missing.flow': No such file or directory\n");
}

TEST_CASE("check with an unknown --format is bad usage", "[cli][check]") {
  auto r = run_leadflow({"check", "--format", "xml", "tests/cli/data/check/clean.flow"});
  CHECK(r.status == 2);
  CHECK(starts_with(r.err, "leadflow: error: "));
  CHECK(contains(r.err, "xml"));
}

TEST_CASE("check with an unknown --color is bad usage", "[cli][check]") {
  auto r = run_leadflow({"check", "--color", "sometimes", "tests/cli/data/check/clean.flow"});
  CHECK(r.status == 2);
  CHECK(starts_with(r.err, "leadflow: error: "));
}

TEST_CASE("check of a clean file prints nothing and exits 0", "[cli][check]") {
  auto r = run_leadflow({"check", "tests/cli/data/check/clean.flow"});
  CHECK(r.err == "");
  CHECK(r.out == "");
  CHECK(r.status == 0);
}

TEST_CASE("check of a clean file in JSON is an empty diagnostics list", "[cli][check]") {
  auto r = run_leadflow({"check", "--format", "json", "tests/cli/data/check/clean.flow"});
  CHECK(r.status == 0);
  CHECK(r.out == "{\"diagnostics\":[],\"errors\":0,\"warnings\":0}\n");
}

TEST_CASE("check of a file with an error prints it with its location and exits 1", "[cli][check]") {
  auto r = run_leadflow({"check", "--color", "never", "tests/cli/data/check/unknown_field.flow"});
  CHECK(r.status == 1);
  INFO(r.out);
  CHECK(starts_with(r.out, "tests/cli/data/check/unknown_field.flow:6:"));
  CHECK(contains(r.out, ": error: "));
  CHECK(contains(r.out, "emial"));
  CHECK(contains(r.out, "    6 |   if lead.emial == \"x@example.com\" {\n"));
  CHECK(contains(r.out, "help: did you mean `email`?\n"));
  CHECK(contains(r.out, "\n1 error, 0 warnings generated.\n"));
}

TEST_CASE("check --format json reports the kind of each diagnostic", "[cli][check]") {
  auto r = run_leadflow({"check", "--format", "json", "tests/cli/data/check/unknown_field.flow"});
  CHECK(r.status == 1);
  CHECK(starts_with(r.out, "{\"diagnostics\":[{\"file\":\"tests/cli/data/check/unknown_field.flow\",\"line\":6,"));
  CHECK(contains(r.out, "\"kind\":\"UnknownField\""));
  CHECK(contains(r.out, "\"errors\":1,\"warnings\":0}\n"));
}

TEST_CASE("check of a directory compiles every .flow file inside it together", "[cli][check]") {
  auto r = run_leadflow({"check", "--color", "never", "tests/cli/data/check"});
  CHECK(r.status == 1);
  CHECK(r.out ==
        "tests/cli/data/check/unknown_field.flow:6:6: error: unknown field `emial` on `lead`\n"
        "    6 |   if lead.emial == \"x@example.com\" {\n"
        "      |      ^~~~~~~~~~\n"
        "help: did you mean `email`?\n"
        "tests/cli/data/check/unused_constant.flow:2:7: warning: constant `cli_test_unused` is never used\n"
        "    2 | const cli_test_unused = 5\n"
        "      |       ^~~~~~~~~~~~~~~\n"
        "1 error, 1 warning generated.\n");
}

TEST_CASE("warnings alone exit 0, but 1 with --werror, and --no-warnings hides them", "[cli][check]") {
  auto plain = run_leadflow({"check", "--color", "never", "tests/cli/data/check/unused_constant.flow"});
  CHECK(plain.status == 0);
  CHECK(starts_with(plain.out, "tests/cli/data/check/unused_constant.flow:2:"));
  CHECK(contains(plain.out, ": warning: "));
  CHECK(contains(plain.out, "\n0 errors, 1 warning generated.\n"));

  auto werror = run_leadflow({"check", "--color", "never", "--werror", "tests/cli/data/check/unused_constant.flow"});
  CHECK(werror.status == 1);
  CHECK(contains(werror.out, ": error: "));
  CHECK(contains(werror.out, "\n1 error, 0 warnings generated.\n"));

  auto quiet = run_leadflow({"check", "--no-warnings", "tests/cli/data/check/unused_constant.flow"});
  CHECK(quiet.status == 0);
  CHECK(quiet.out == "");
}

TEST_CASE("check with --color always colours the diagnostics even into a pipe", "[cli][check]") {
  auto r = run_leadflow({"check", "--color", "always", "tests/cli/data/check/unknown_field.flow"});
  CHECK(r.status == 1);
  CHECK(starts_with(r.out, "\x1b[1mtests/cli/data/check/unknown_field.flow:6:"));
}

TEST_CASE("graph without --workflow is bad usage", "[cli][graph]") {
  auto r = run_leadflow({"graph", "tests/cli/data/check/clean.flow"});
  CHECK(r.status == 2);
  CHECK(starts_with(r.err, "leadflow: error: "));
}

TEST_CASE("graph with an unknown --format is bad usage", "[cli][graph]") {
  auto r = run_leadflow({"graph", "tests/cli/data/check/clean.flow", "--workflow", "cli_test_welcome", "--format", "png"});
  CHECK(r.status == 2);
}

TEST_CASE("graph of an unknown workflow exits 1 and suggests a known one", "[cli][graph]") {
  auto r = run_leadflow({"graph", "tests/cli/data/check/clean.flow", "--workflow", "cli_test_welcom"});
  CHECK(r.status == 1);
  CHECK(r.out == "");
  CHECK(r.err ==
        "leadflow: error: unknown workflow `cli_test_welcom`\n"
        "help: did you mean `cli_test_welcome`?\n"
        "note: known workflows: `cli_test_welcome`\n");
}

TEST_CASE("graph of a file with errors prints them to stderr and exits 1", "[cli][graph]") {
  auto r = run_leadflow({"graph", "tests/cli/data/check/unknown_field.flow", "--workflow", "cli_test_typo"});
  CHECK(r.status == 1);
  CHECK(r.out == "");
  CHECK(starts_with(r.err, "tests/cli/data/check/unknown_field.flow:6:"));
}

TEST_CASE("graph prints a workflow as Graphviz dot", "[cli][graph]") {
  auto r = run_leadflow({"graph", "tests/cli/data/check/clean.flow", "--workflow", "cli_test_welcome", "--format", "dot"});
  CHECK(r.status == 0);
  CHECK(contains(r.out, "digraph"));
}

TEST_CASE("graph -o into a missing directory cannot write and exits 2", "[cli][graph]") {
  auto r = run_leadflow({"graph", "tests/cli/data/check/clean.flow", "--workflow", "cli_test_welcome", "-o",
                         "tests/cli/data/no_such_dir/out.dot"});
  CHECK(r.status == 2);
  CHECK(r.err == "leadflow: error: cannot write 'tests/cli/data/no_such_dir/out.dot': No such file or directory\n");
}
