// Compiles a test program and lists its diagnostics as "line:col Kind: message", for the
// checker's unit tests (resolve, typecheck, lint).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dsl/compiler.hpp"

namespace leadflow::testing {

using Lines = std::vector<std::string>;

// Checks `text` followed by `prelude` (the declarations a test file shares), without lowering.
inline std::unique_ptr<dsl::Compilation> check_text(const std::string& text, const char* prelude, bool warnings) {
  dsl::CompileOptions options;
  options.warnings = warnings;
  options.lower = false;
  return dsl::compile_text("test.flow", text + prelude, options);
}

inline std::string at(const dsl::Compilation& c, dsl::Span span) {
  const dsl::LineCol lc = c.sources.line_col(span.source, span.begin);
  return std::to_string(lc.line) + ":" + std::to_string(lc.col);
}

// "line:col Kind: message" per diagnostic, in reporting order.
inline Lines diagnostic_lines(const dsl::Compilation& c) {
  Lines out;
  for (const dsl::Diagnostic& d : c.diagnostics.diagnostics()) {
    out.push_back(at(c, d.span) + " " + std::string(dsl::kind_name(d.kind)) + ": " + d.message);
  }
  return out;
}

}  // namespace leadflow::testing
