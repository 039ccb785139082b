// Graph export: golden dot / Mermaid / JSON for tests/golden/graphs/NAME.flow (the workflow
// NAME of each), byte stability, unknown workflows, and `dot -Tsvg` accepting the output.
// Regenerate the golden files on purpose with scripts/update-golden-graphs.sh.
#include "dsl/graph_export.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "dsl/compiler.hpp"
#include "engine/program.hpp"

namespace dsl = leadflow::dsl;
namespace fs = std::filesystem;

namespace {

const fs::path golden_dir = fs::path(LEADFLOW_SOURCE_DIR) / "tests" / "golden" / "graphs";

struct Format {
  dsl::GraphFormat format;
  const char* extension;
};
const Format formats[] = {{dsl::GraphFormat::Dot, "dot"}, {dsl::GraphFormat::Mermaid, "mmd"},
                          {dsl::GraphFormat::Json, "json"}};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> golden_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(golden_dir)) {
    if (entry.path().extension() == ".flow") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::unique_ptr<dsl::Compilation> compile_golden(const std::string& name) {
  auto c = dsl::compile_files({(golden_dir / (name + ".flow")).string()});
  std::string messages;
  for (const auto& d : c->diagnostics.diagnostics()) messages += d.message + "\n";
  INFO(name << ".flow: " << messages);
  REQUIRE(c->ok());
  REQUIRE(c->program);
  return c;
}

std::string exported(const leadflow::engine::Program& p, const std::string& workflow, dsl::GraphFormat format) {
  std::ostringstream out;
  REQUIRE(dsl::export_graph(p, workflow, format, out));
  return out.str();
}

// First differing line, for a readable failure.
std::string first_difference(const std::string& expected, const std::string& actual) {
  std::istringstream e(expected), a(actual);
  std::string le, la;
  for (int line = 1;; ++line) {
    bool he = static_cast<bool>(std::getline(e, le));
    bool ha = static_cast<bool>(std::getline(a, la));
    if (!he && !ha) return "the files differ only in their final newline";
    if (le != la || he != ha) {
      return "line " + std::to_string(line) + ":\n  expected: " + (he ? le : "<end>") + "\n  actual:   " +
             (ha ? la : "<end>");
    }
  }
}

}  // namespace

TEST_CASE("graph exports match the golden files byte for byte", "[dsl][graph][golden]") {
  const std::vector<std::string> names = golden_names();
  REQUIRE(names.size() >= 4);
  for (const std::string& name : names) {
    auto c = compile_golden(name);
    for (const Format& f : formats) {
      const fs::path path = golden_dir / (name + "." + f.extension);
      CAPTURE(path.string());
      REQUIRE(fs::exists(path));
      const std::string expected = read_file(path);
      const std::string actual = exported(*c->program, name, f.format);
      INFO(first_difference(expected, actual) << "\n(regenerate with scripts/update-golden-graphs.sh if intended)");
      CHECK(actual == expected);
    }
  }
}

TEST_CASE("graph exports are byte-stable across compilations", "[dsl][graph]") {
  for (const std::string& name : golden_names()) {
    auto a = compile_golden(name);
    auto b = compile_golden(name);
    for (const Format& f : formats) {
      CAPTURE(name, f.extension);
      CHECK(exported(*a->program, name, f.format) == exported(*b->program, name, f.format));
      CHECK(exported(*a->program, name, f.format) == exported(*a->program, name, f.format));
    }
  }
}

TEST_CASE("exporting an unknown workflow returns false and writes nothing", "[dsl][graph]") {
  auto c = compile_golden("meeting_booker");
  for (const Format& f : formats) {
    std::ostringstream out;
    CHECK_FALSE(dsl::export_graph(*c->program, "no_such_workflow", f.format, out));
    CHECK(out.str().empty());
  }
}

TEST_CASE("the JSON export lists every node and edge with the program version", "[dsl][graph]") {
  auto c = compile_golden("meeting_booker");
  const std::string json = exported(*c->program, "meeting_booker", dsl::GraphFormat::Json);
  CHECK(json.find("\"workflow\": \"meeting_booker\"") != std::string::npos);
  CHECK(json.find("\"version\": \"" + c->program->version + "\"") != std::string::npos);
  CHECK(json.find("{\"id\": \"meeting_booker/wait@6\", \"kind\": \"wait\", \"line\": 6, "
                  "\"label\": \"wait up to 1h for meeting_booked\"}") != std::string::npos);
  CHECK(json.find("{\"from\": \"meeting_booker/wait@6\", \"to\": \"meeting_booker/wait@6/timeout/send@8\", "
                  "\"label\": \"timeout\"}") != std::string::npos);
}

TEST_CASE("dot renders every golden graph when graphviz is installed", "[dsl][graph][dot]") {
  if (std::system("command -v dot >/dev/null 2>&1") != 0) {
    WARN("dot is not on PATH; skipping the rendering check");
    return;
  }
  const fs::path dir = fs::temp_directory_path() / ("leadflow-graph-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const std::string& name : golden_names()) {
    auto c = compile_golden(name);
    const fs::path input = dir / (name + ".dot");
    {
      std::ofstream out(input, std::ios::binary);
      out << exported(*c->program, name, dsl::GraphFormat::Dot);
    }
    const std::string command = "dot -Tsvg '" + input.string() + "' -o '" + (dir / (name + ".svg")).string() + "'";
    CAPTURE(command);
    CHECK(std::system(command.c_str()) == 0);
    CHECK(fs::file_size(dir / (name + ".svg")) > 0);
  }
  fs::remove_all(dir);
}
