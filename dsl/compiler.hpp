// The front end's single entry point: files in, diagnostics and a compiled Program out.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"
#include "dsl/symbols.hpp"

namespace leadflow::engine {
class Program;
}

namespace leadflow::dsl {

struct CompileOptions {
  bool warnings = true;  // run lint rules
  bool lower = true;     // build the engine Program when there are no errors
};

struct Compilation {
  SourceManager sources;
  DiagnosticSink diagnostics;
  std::vector<std::unique_ptr<FileAst>> files;  // in load order (imports before importers)
  std::vector<SourceId> roots;  // the files asked for, as opposed to those only imported
  Symbols symbols;
  std::shared_ptr<const engine::Program> program;  // null when there were errors

  bool ok() const { return !diagnostics.has_errors(); }
};

// Limits enforced while reading and parsing (each reported as a diagnostic).
inline constexpr std::size_t max_file_bytes = 8u << 20;
inline constexpr int max_nesting_depth = 64;
inline constexpr std::size_t max_identifier_bytes = 128;
inline constexpr std::size_t max_string_bytes = 4096;

// Expands directories (recursively, `*.flow`, sorted) and compiles every file found, following
// imports. A path that cannot be read is reported by the CLI, not here: see `collect_flow_files`.
std::unique_ptr<Compilation> compile_files(const std::vector<std::string>& files,
                                           const CompileOptions& options = {});
// Compiles one in-memory buffer (tests, fuzzing, docs examples). Imports resolve against
// the filesystem relative to `path`.
std::unique_ptr<Compilation> compile_text(const std::string& path, const std::string& text,
                                          const CompileOptions& options = {});

// Files and directories to the sorted list of `.flow` files; unreadable paths go to `bad`.
std::vector<std::string> collect_flow_files(const std::vector<std::string>& paths,
                                            std::vector<std::string>& bad);

// Parses one buffer already in `sources`. Never throws; syntax errors go to `sink` and
// parsing resumes at the next top-level declaration.
std::unique_ptr<FileAst> parse_file(const SourceManager& sources, SourceId id, DiagnosticSink& sink);

}  // namespace leadflow::dsl
