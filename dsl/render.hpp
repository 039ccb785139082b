// Diagnostics rendered for people (compiler-style text with source excerpts) or for tools (JSON).
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"

namespace leadflow::dsl {

struct TextRenderOptions {
  bool color = false;    // ANSI colours (the CLI decides, from --color and isatty)
  bool summary = true;   // the final "N errors, M warnings generated." line
};

// For each diagnostic, in the order given:
//   path:line:col: error: message
//      12 |   if lead.employes > 50 {
//         |      ^~~~~~~~~~~~~
//   help: did you mean `employees`?
//   path:3:1: note: first defined here
//       3 | ...
// Columns in the location are 1-based bytes; the underline is laid out in display columns
// (one per UTF-8 code point, tabs to the next multiple of 4).
void render_text(std::ostream& out, const SourceManager& sources,
                 const std::vector<Diagnostic>& diagnostics, const TextRenderOptions& options = {});

// One JSON document:
// {"diagnostics":[{"file","line","column","end_line","end_column","severity","kind","message",
//   "help","notes":[{"file","line","column","end_line","end_column","message"}]}],
//  "errors":N,"warnings":M}
// `help` is null when there is none; location members are null for a diagnostic without a span.
void render_json(std::ostream& out, const SourceManager& sources,
                 const std::vector<Diagnostic>& diagnostics);

// "2 errors, 1 warning generated." or "" when both counts are zero.
std::string summary_line(std::size_t errors, std::size_t warnings);

// The JSON string literal (with quotes) for `text`; invalid UTF-8 becomes U+FFFD.
std::string json_quote(std::string_view text);

// Display columns taken by `text` when it starts at display column `start` (0-based): one per
// code point, a tab advances to the next multiple of 4. Returns the column after it.
std::size_t display_column_after(std::string_view text, std::size_t start = 0);

std::string_view severity_name(Severity severity);

}  // namespace leadflow::dsl
