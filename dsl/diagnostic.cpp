// Diagnostic kinds from diagnostic_kinds.def, and the sink that collects one compilation's.
#include "dsl/diagnostic.hpp"

#include <algorithm>
#include <array>

namespace leadflow::dsl {

namespace {

struct KindInfo {
  std::string_view name;
  Severity severity;
};

constexpr std::array kind_infos = {
#define DIAGNOSTIC(kind, severity, summary) KindInfo{#kind, Severity::severity},
#include "dsl/diagnostic_kinds.def"
#undef DIAGNOSTIC
};

}  // namespace

std::string_view kind_name(DiagnosticKind kind) {
  return kind_infos.at(static_cast<std::size_t>(kind)).name;
}

Severity default_severity(DiagnosticKind kind) {
  return kind_infos.at(static_cast<std::size_t>(kind)).severity;
}

const std::vector<DiagnosticKind>& all_diagnostic_kinds() {
  static const std::vector<DiagnosticKind> kinds = [] {
    std::vector<DiagnosticKind> v;
    for (std::size_t i = 0; i < kind_infos.size(); ++i) v.push_back(static_cast<DiagnosticKind>(i));
    return v;
  }();
  return kinds;
}

void DiagnosticSink::report(Diagnostic d) {
  if (d.severity == Severity::Error) ++errors_;
  if (d.severity == Severity::Warning) ++warnings_;
  diagnostics_.push_back(std::move(d));
}

Diagnostic& DiagnosticSink::error(DiagnosticKind kind, Span span, std::string message) {
  report(Diagnostic{kind, Severity::Error, span, std::move(message), {}, {}});
  return diagnostics_.back();
}

Diagnostic& DiagnosticSink::warning(DiagnosticKind kind, Span span, std::string message) {
  report(Diagnostic{kind, Severity::Warning, span, std::move(message), {}, {}});
  return diagnostics_.back();
}

void DiagnosticSink::sort(const SourceManager& sources) {
  // Spans without a source (whole-compilation problems) come first; files by path, not by
  // load order, so that output does not depend on the order imports were followed.
  auto path_of = [&](const Diagnostic& d) -> std::string_view {
    if (!d.span.valid() || d.span.source >= sources.size()) return {};
    return sources.file(d.span.source).path;
  };
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) {
                     bool av = a.span.valid(), bv = b.span.valid();
                     if (av != bv) return !av;
                     if (!av) return false;
                     std::string_view ap = path_of(a), bp = path_of(b);
                     if (ap != bp) return ap < bp;
                     if (a.span.source != b.span.source) return a.span.source < b.span.source;
                     return a.span.begin < b.span.begin;
                   });
}

}  // namespace leadflow::dsl
