// A diagnostic (error, warning or note) about the input, and the sink that collects them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/source.hpp"

namespace leadflow::dsl {

enum class Severity { Error, Warning, Note };

enum class DiagnosticKind : std::uint16_t {
#define DIAGNOSTIC(kind, severity, summary) kind,
#include "dsl/diagnostic_kinds.def"
#undef DIAGNOSTIC
};

std::string_view kind_name(DiagnosticKind kind);
Severity default_severity(DiagnosticKind kind);
// Every kind, in declaration order (for coverage tests and `--list-diagnostics`).
const std::vector<DiagnosticKind>& all_diagnostic_kinds();

struct DiagnosticNote {
  Span span;
  std::string message;
};

struct Diagnostic {
  DiagnosticKind kind;
  Severity severity;
  Span span;
  std::string message;              // lower case, no final period, code in backticks
  std::vector<DiagnosticNote> notes;  // e.g. "first defined here"
  std::string help;                 // e.g. "did you mean `employees`?"
};

// Collects diagnostics of one compilation; never throws, never stops the compiler.
class DiagnosticSink {
 public:
  void report(Diagnostic d);
  Diagnostic& error(DiagnosticKind kind, Span span, std::string message);
  Diagnostic& warning(DiagnosticKind kind, Span span, std::string message);

  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  std::size_t error_count() const { return errors_; }
  std::size_t warning_count() const { return warnings_; }
  bool has_errors() const { return errors_ > 0; }
  // Sorted by file, offset, then insertion order (stable), for deterministic output.
  void sort(const SourceManager& sources);

 private:
  std::vector<Diagnostic> diagnostics_;
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
};

}  // namespace leadflow::dsl
