// Text and JSON rendering of diagnostics, compared byte for byte.
#include "dsl/render.hpp"

#include <catch2/catch.hpp>
#include <sstream>

using namespace leadflow::dsl;

namespace {

Diagnostic make(Severity severity, Span span, std::string message) {
  return Diagnostic{DiagnosticKind::UnknownField, severity, span, std::move(message), {}, {}};
}

std::string text(const SourceManager& sm, const std::vector<Diagnostic>& ds, TextRenderOptions options = {}) {
  std::ostringstream out;
  render_text(out, sm, ds, options);
  return out.str();
}

std::string json(const SourceManager& sm, const std::vector<Diagnostic>& ds) {
  std::ostringstream out;
  render_json(out, sm, ds);
  return out.str();
}

}  // namespace

TEST_CASE("an error renders its location, the line, a caret under the span and the help", "[dsl][render]") {
  SourceManager sm;
  std::string src = "workflow w {\n  if lead.employes > 50 {\n  }\n}\n";
  auto id = sm.add("flows/a.flow", src);
  auto begin = static_cast<std::uint32_t>(src.find("lead.employes"));
  Diagnostic d = make(Severity::Error, Span{id, begin, begin + 13}, "unknown field `employes` on `lead`");
  d.help = "did you mean `employees`?";
  CHECK(text(sm, {d}) ==
        "flows/a.flow:2:6: error: unknown field `employes` on `lead`\n"
        "    2 |   if lead.employes > 50 {\n"
        "      |      ^~~~~~~~~~~~~\n"
        "help: did you mean `employees`?\n"
        "1 error, 0 warnings generated.\n");
}

TEST_CASE("notes render with their own location and excerpt", "[dsl][render]") {
  SourceManager sm;
  std::string src = "const a = 1\nconst a = 2\n";
  auto id = sm.add("c.flow", src);
  Diagnostic d = make(Severity::Error, Span{id, 18, 19}, "`a` is defined twice");
  d.notes.push_back(DiagnosticNote{Span{id, 6, 7}, "first defined here"});
  CHECK(text(sm, {d}) ==
        "c.flow:2:7: error: `a` is defined twice\n"
        "    2 | const a = 2\n"
        "      |       ^\n"
        "c.flow:1:7: note: first defined here\n"
        "    1 | const a = 1\n"
        "      |       ^\n"
        "1 error, 0 warnings generated.\n");
}

TEST_CASE("the underline counts UTF-8 code points, not bytes", "[dsl][render]") {
  SourceManager sm;
  // "é" is 2 bytes and "€" 3: the caret must sit under `x` and span the 4 code points "€€€x".
  std::string src = "tag \"\xC3\xA9\" \xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC" "x\n";
  auto id = sm.add("u.flow", src);
  auto begin = static_cast<std::uint32_t>(src.find("\xE2\x82\xAC"));
  auto end = static_cast<std::uint32_t>(src.find('x') + 1);
  CHECK(text(sm, {make(Severity::Warning, Span{id, begin, end}, "odd")}) ==
        "u.flow:1:10: warning: odd\n"
        "    1 | tag \"\xC3\xA9\" \xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC" "x\n"
        "      |         ^~~~\n"
        "0 errors, 1 warning generated.\n");
}

TEST_CASE("tabs expand to the next multiple of 4 in the line and the underline", "[dsl][render]") {
  SourceManager sm;
  std::string src = "\tscore\t+5 \"x\"\n";
  auto id = sm.add("t.flow", src);
  // The span "score\t+5" covers a tab that expands from column 9 to 12.
  CHECK(text(sm, {make(Severity::Error, Span{id, 1, 9}, "bad")}) ==
        "t.flow:1:2: error: bad\n"
        "    1 |     score   +5 \"x\"\n"
        "      |     ^~~~~~~~~~\n"
        "1 error, 0 warnings generated.\n");
}

TEST_CASE("a span over several lines is underlined to the end of its first line", "[dsl][render]") {
  SourceManager sm;
  std::string src = "if x {\n  stop\n}\n";
  auto id = sm.add("m.flow", src);
  CHECK(text(sm, {make(Severity::Error, Span{id, 3, 15}, "block")}) ==
        "m.flow:1:4: error: block\n"
        "    1 | if x {\n"
        "      |    ^~~\n"
        "1 error, 0 warnings generated.\n");
}

TEST_CASE("a zero-width span gets a single caret, also at the end of the file", "[dsl][render]") {
  SourceManager sm;
  std::string src = "workflow w {";
  auto id = sm.add("z.flow", src);
  CHECK(text(sm, {make(Severity::Error, Span{id, 12, 12}, "expected `}`")}) ==
        "z.flow:1:13: error: expected `}`\n"
        "    1 | workflow w {\n"
        "      |             ^\n"
        "1 error, 0 warnings generated.\n");
}

TEST_CASE("the gutter widens for line numbers of five digits", "[dsl][render]") {
  SourceManager sm;
  std::string src(12345 - 1, '\n');
  src += "stop\n";
  auto id = sm.add("long.flow", src);
  auto begin = static_cast<std::uint32_t>(src.size() - 5);
  CHECK(text(sm, {make(Severity::Error, Span{id, begin, begin + 4}, "late")}) ==
        "long.flow:12345:1: error: late\n"
        " 12345 | stop\n"
        "       | ^~~~\n"
        "1 error, 0 warnings generated.\n");
}

TEST_CASE("a diagnostic without a span has no location and no excerpt", "[dsl][render]") {
  SourceManager sm;
  CHECK(text(sm, {make(Severity::Error, Span{}, "no input files")}) ==
        "error: no input files\n"
        "1 error, 0 warnings generated.\n");
}

TEST_CASE("no diagnostics render as nothing at all", "[dsl][render]") {
  SourceManager sm;
  CHECK(text(sm, {}) == "");
}

TEST_CASE("the summary counts and pluralises errors and warnings", "[dsl][render]") {
  CHECK(summary_line(0, 0) == "");
  CHECK(summary_line(1, 0) == "1 error, 0 warnings generated.");
  CHECK(summary_line(2, 1) == "2 errors, 1 warning generated.");
  CHECK(summary_line(0, 3) == "0 errors, 3 warnings generated.");
}

TEST_CASE("colour wraps the location, severity and caret in ANSI escapes", "[dsl][render]") {
  SourceManager sm;
  auto id = sm.add("a.flow", "stop\n");
  TextRenderOptions options;
  options.color = true;
  options.summary = false;
  CHECK(text(sm, {make(Severity::Error, Span{id, 0, 4}, "m")}, options) ==
        "\x1b[1ma.flow:1:1:\x1b[0m \x1b[1;31merror:\x1b[0m \x1b[1mm\x1b[0m\n"
        "\x1b[1;34m    1 |\x1b[0m stop\n"
        "\x1b[1;34m      |\x1b[0m \x1b[1;32m^~~~\x1b[0m\n");
}

TEST_CASE("JSON rendering carries locations, kind, help and notes", "[dsl][render]") {
  SourceManager sm;
  auto id = sm.add("dir/a.flow", "const a = 1\nconst a = 2\n");
  Diagnostic d{DiagnosticKind::DuplicateDefinition, Severity::Error, Span{id, 18, 19},
               "`a` is defined twice", {}, {}};
  d.notes.push_back(DiagnosticNote{Span{id, 6, 7}, "first defined here"});
  Diagnostic w{DiagnosticKind::UnusedConstant, Severity::Warning, Span{id, 6, 7}, "unused", {}, "remove it"};
  CHECK(json(sm, {d, w}) ==
        "{\"diagnostics\":["
        "{\"file\":\"dir/a.flow\",\"line\":2,\"column\":7,\"end_line\":2,\"end_column\":8,"
        "\"severity\":\"error\",\"kind\":\"DuplicateDefinition\",\"message\":\"`a` is defined twice\","
        "\"help\":null,\"notes\":[{\"file\":\"dir/a.flow\",\"line\":1,\"column\":7,\"end_line\":1,"
        "\"end_column\":8,\"message\":\"first defined here\"}]},"
        "{\"file\":\"dir/a.flow\",\"line\":1,\"column\":7,\"end_line\":1,\"end_column\":8,"
        "\"severity\":\"warning\",\"kind\":\"UnusedConstant\",\"message\":\"unused\","
        "\"help\":\"remove it\",\"notes\":[]}"
        "],\"errors\":1,\"warnings\":1}\n");
}

TEST_CASE("JSON rendering of no diagnostics is an empty list with zero counts", "[dsl][render]") {
  SourceManager sm;
  CHECK(json(sm, {}) == "{\"diagnostics\":[],\"errors\":0,\"warnings\":0}\n");
}

TEST_CASE("JSON rendering of a diagnostic without a span has null locations", "[dsl][render]") {
  SourceManager sm;
  CHECK(json(sm, {make(Severity::Error, Span{}, "x")}) ==
        "{\"diagnostics\":[{\"file\":null,\"line\":null,\"column\":null,\"end_line\":null,"
        "\"end_column\":null,\"severity\":\"error\",\"kind\":\"UnknownField\",\"message\":\"x\","
        "\"help\":null,\"notes\":[]}],\"errors\":1,\"warnings\":0}\n");
}

TEST_CASE("json_quote escapes quotes, backslashes and control characters", "[dsl][render]") {
  CHECK(json_quote("") == "\"\"");
  CHECK(json_quote("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(json_quote("a\\b") == "\"a\\\\b\"");
  CHECK(json_quote("l1\nl2\r\t") == "\"l1\\nl2\\r\\t\"");
  CHECK(json_quote(std::string("\x01\x1f\b\f", 4)) == "\"\\u0001\\u001f\\b\\f\"");
  CHECK(json_quote(std::string("nul\0x", 5)) == "\"nul\\u0000x\"");
  CHECK(json_quote("/slash/ and \x7f") == "\"/slash/ and \x7f\"");
}

TEST_CASE("json_quote keeps valid UTF-8 and replaces invalid bytes with U+FFFD", "[dsl][render]") {
  CHECK(json_quote("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x88") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x88\"");
  CHECK(json_quote("\xFF") == "\"\\ufffd\"");
  CHECK(json_quote("\x80x") == "\"\\ufffdx\"");
  CHECK(json_quote("\xC3") == "\"\\ufffd\"");                  // truncated
  CHECK(json_quote("\xC0\xAF") == "\"\\ufffd\\ufffd\"");       // overlong '/'
  CHECK(json_quote("\xED\xA0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
}

TEST_CASE("display columns count code points and expand tabs to multiples of 4", "[dsl][render]") {
  CHECK(display_column_after("") == 0);
  CHECK(display_column_after("abc") == 3);
  CHECK(display_column_after("\xC3\xA9\xE2\x82\xAC") == 2);
  CHECK(display_column_after("\t") == 4);
  CHECK(display_column_after("ab\t") == 4);
  CHECK(display_column_after("abcd\t") == 8);
  CHECK(display_column_after("\t", 5) == 8);
}
