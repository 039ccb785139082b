// Diagnostic kinds, the sink's counts and its deterministic order, and type names.
#include "dsl/diagnostic.hpp"

#include <catch2/catch.hpp>

#include "dsl/types.hpp"

using namespace leadflow::dsl;

TEST_CASE("kinds have their .def names and default severities", "[dsl][diagnostic]") {
  CHECK(kind_name(DiagnosticKind::SyntaxError) == "SyntaxError");
  CHECK(kind_name(DiagnosticKind::UnknownField) == "UnknownField");
  CHECK(default_severity(DiagnosticKind::UnknownField) == Severity::Error);
  CHECK(default_severity(DiagnosticKind::UnusedConstant) == Severity::Warning);
}

TEST_CASE("all_diagnostic_kinds lists every kind once, in declaration order", "[dsl][diagnostic]") {
  const auto& kinds = all_diagnostic_kinds();
  REQUIRE(kinds.size() > 40);
  CHECK(kinds.front() == DiagnosticKind::SyntaxError);
  for (std::size_t i = 0; i < kinds.size(); ++i) CHECK(static_cast<std::size_t>(kinds[i]) == i);
}

TEST_CASE("the sink counts errors and warnings and returns the reported diagnostic", "[dsl][diagnostic]") {
  DiagnosticSink sink;
  CHECK_FALSE(sink.has_errors());
  sink.warning(DiagnosticKind::UnusedConstant, Span{}, "w").help = "remove it";
  sink.error(DiagnosticKind::UnknownField, Span{}, "e");
  sink.report(Diagnostic{DiagnosticKind::SyntaxError, Severity::Note, Span{}, "n", {}, {}});
  CHECK(sink.error_count() == 1);
  CHECK(sink.warning_count() == 1);
  CHECK(sink.has_errors());
  REQUIRE(sink.diagnostics().size() == 3);
  CHECK(sink.diagnostics()[0].help == "remove it");
  CHECK(sink.diagnostics()[0].severity == Severity::Warning);
}

TEST_CASE("sort orders by file path, then offset, then report order", "[dsl][diagnostic]") {
  SourceManager sm;
  auto b = sm.add("b.flow", "0123456789");
  auto a = sm.add("a.flow", "0123456789");
  DiagnosticSink sink;
  sink.error(DiagnosticKind::UnknownField, Span{b, 1, 2}, "b1");
  sink.error(DiagnosticKind::UnknownField, Span{a, 5, 6}, "a5-first");
  sink.error(DiagnosticKind::UnknownField, Span{a, 2, 3}, "a2");
  sink.error(DiagnosticKind::UnknownField, Span{}, "nowhere");
  sink.error(DiagnosticKind::UnknownField, Span{a, 5, 9}, "a5-second");
  sink.sort(sm);
  std::vector<std::string> order;
  for (const auto& d : sink.diagnostics()) order.push_back(d.message);
  CHECK(order == std::vector<std::string>{"nowhere", "a2", "a5-first", "a5-second", "b1"});
}

TEST_CASE("type names read as users write types", "[dsl][types]") {
  CHECK(type_name(Type::of(TypeKind::Int)) == "int");
  CHECK(type_name(Type::of(TypeKind::Duration)) == "duration");
  CHECK(type_name(Type::list_of(TypeKind::String)) == "list<string>");
  CHECK(type_name(Type::list_of(TypeKind::Null)) == "list");
  CHECK(type_name(Type::error()) == "<error>");
}
