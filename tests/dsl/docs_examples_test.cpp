// Keeps the language reference and the standard library honest: every ```flow example in
// docs/language.md and every stdlib-workflows/*.flow file must compile as documented.
#include <catch2/catch.hpp>

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/compiler.hpp"
#include "dsl/diagnostic.hpp"

// One fenced block: ```flow (must compile cleanly) or ```flow fails=Kind (must report Kind).
struct DocExample {
  int line = 0;               // 1-based line of the opening fence
  std::string expected_kind;  // empty for a plain example
  std::string text;
};

static std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

static std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// Splits the markdown into lines and collects the ```flow blocks. Other fences (```text,
// ```sh, ...) are skipped whole, so a ```flow inside them is not taken for an example.
static std::vector<DocExample> extract_flow_examples(const std::string& markdown) {
  std::vector<DocExample> examples;
  std::istringstream in(markdown);
  std::string raw;
  int line_no = 0;
  enum class State { Prose, Flow, OtherFence } state = State::Prose;
  DocExample current;
  while (std::getline(in, raw)) {
    ++line_no;
    std::string_view line = trim(raw);
    const bool fence = line.substr(0, 3) == "```";
    switch (state) {
      case State::Prose:
        if (!fence) break;
        if (line.substr(0, 7) == "```flow" && (line.size() == 7 || line[7] == ' ')) {
          current = DocExample{};
          current.line = line_no;
          std::string_view info = trim(line.substr(7));
          if (info.substr(0, 6) == "fails=") current.expected_kind = std::string(trim(info.substr(6)));
          state = State::Flow;
        } else {
          state = State::OtherFence;
        }
        break;
      case State::Flow:
        if (fence && line.size() == 3) {
          examples.push_back(std::move(current));
          state = State::Prose;
        } else {
          current.text += raw;
          current.text += '\n';
        }
        break;
      case State::OtherFence:
        if (fence && line.size() == 3) state = State::Prose;
        break;
    }
  }
  REQUIRE(state == State::Prose);  // an unclosed fence would hide every example after it
  return examples;
}

static const char* severity_name(leadflow::dsl::Severity s) {
  switch (s) {
    case leadflow::dsl::Severity::Error: return "error";
    case leadflow::dsl::Severity::Warning: return "warning";
    case leadflow::dsl::Severity::Note: return "note";
  }
  return "?";
}

// One line per diagnostic: place, severity, kind and message (not the renderer's format, so
// this test does not break when rendering changes). A diagnostic in the example itself (the
// buffer named `example_path`) is placed at its line in docs/language.md, which starts on the
// line after the fence.
static std::string describe(const leadflow::dsl::Compilation& c, const std::string& example_path = {},
                            int fence_line = 0) {
  std::ostringstream out;
  for (const auto& d : c.diagnostics.diagnostics()) {
    if (d.span.valid()) {
      const auto& file = c.sources.file(d.span.source);
      const auto lc = c.sources.line_col(d.span.source, d.span.begin);
      if (!example_path.empty() && file.path == example_path) {
        out << "docs/language.md:" << fence_line + static_cast<int>(lc.line) << ':' << lc.col << ": ";
      } else {
        out << file.path << ':' << lc.line << ':' << lc.col << ": ";
      }
    }
    out << severity_name(d.severity) << " [" << leadflow::dsl::kind_name(d.kind) << "]: " << d.message;
    if (!d.help.empty()) out << " (help: " << d.help << ')';
    out << '\n';
  }
  return out.str();
}

static bool is_known_kind(const std::string& name) {
  for (auto kind : leadflow::dsl::all_diagnostic_kinds()) {
    if (leadflow::dsl::kind_name(kind) == name) return true;
  }
  return false;
}

static std::vector<DocExample> language_examples() {
  return extract_flow_examples(read_whole_file(LEADFLOW_SOURCE_DIR "/docs/language.md"));
}

TEST_CASE("the language reference keeps at least 40 flow examples", "[dsl][docs]") {
  const auto examples = language_examples();
  std::size_t plain = 0;
  std::size_t failing = 0;
  for (const auto& ex : examples) (ex.expected_kind.empty() ? plain : failing) += 1;
  CHECK(plain >= 40);
  CHECK(failing >= 8);
}

TEST_CASE("every plain flow example in the language reference compiles without diagnostics",
          "[dsl][docs]") {
  for (const auto& ex : language_examples()) {
    if (!ex.expected_kind.empty()) continue;
    const std::string path = "docs/language.md:" + std::to_string(ex.line);
    auto c = leadflow::dsl::compile_text(path, ex.text);
    REQUIRE(c != nullptr);
    INFO(path << "\n" << ex.text << "--- diagnostics:\n" << describe(*c, path, ex.line));
    CHECK(c->diagnostics.error_count() == 0);
    CHECK(c->diagnostics.warning_count() == 0);
  }
}

// A `fails=Kind` example must report Kind with the kind's own severity (an error for errors,
// a warning for the lint kinds), so the Diagnostics section can show lint warnings too.
TEST_CASE("every fails= example in the language reference reports its diagnostic kind",
          "[dsl][docs]") {
  for (const auto& ex : language_examples()) {
    if (ex.expected_kind.empty()) continue;
    const std::string path = "docs/language.md:" + std::to_string(ex.line);
    INFO(path << " expects " << ex.expected_kind);
    REQUIRE(is_known_kind(ex.expected_kind));
    auto c = leadflow::dsl::compile_text(path, ex.text);
    REQUIRE(c != nullptr);
    INFO(ex.text << "--- diagnostics:\n" << describe(*c, path, ex.line));
    bool found = false;
    for (const auto& d : c->diagnostics.diagnostics()) {
      if (leadflow::dsl::kind_name(d.kind) == ex.expected_kind &&
          d.severity == leadflow::dsl::default_severity(d.kind)) {
        found = true;
      }
    }
    CHECK(found);
  }
}

TEST_CASE("the standard workflows compile together without errors or warnings", "[dsl][stdlib]") {
  auto c = leadflow::dsl::compile_files({LEADFLOW_SOURCE_DIR "/stdlib-workflows"});
  REQUIRE(c != nullptr);
  INFO(describe(*c));
  CHECK(c->files.size() >= 7);
  CHECK(c->symbols.workflows.count("inbound_router") == 1);
  CHECK(c->symbols.workflows.count("no_show_recovery") == 1);
  CHECK(c->symbols.workflows.count("ghost_buster") == 1);
  CHECK(c->diagnostics.error_count() == 0);
  CHECK(c->diagnostics.warning_count() == 0);
}
