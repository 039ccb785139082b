// SourceManager: byte offsets to line:col, line text and span text.
#include "dsl/source.hpp"

#include <catch2/catch.hpp>

using leadflow::dsl::LineCol;
using leadflow::dsl::SourceManager;
using leadflow::dsl::Span;

namespace {

std::pair<std::uint32_t, std::uint32_t> at(const SourceManager& sm, leadflow::dsl::SourceId id, std::uint32_t offset) {
  LineCol lc = sm.line_col(id, offset);
  return {lc.line, lc.col};
}

}  // namespace

TEST_CASE("line_col maps offsets to 1-based lines and byte columns", "[dsl][source]") {
  SourceManager sm;
  auto id = sm.add("a.flow", "ab\ncd\n\nef");
  CHECK(at(sm, id, 0) == std::pair{1u, 1u});
  CHECK(at(sm, id, 1) == std::pair{1u, 2u});
  CHECK(at(sm, id, 2) == std::pair{1u, 3u});  // the newline itself ends line 1
  CHECK(at(sm, id, 3) == std::pair{2u, 1u});
  CHECK(at(sm, id, 5) == std::pair{2u, 3u});
  CHECK(at(sm, id, 6) == std::pair{3u, 1u});  // the empty line
  CHECK(at(sm, id, 7) == std::pair{4u, 1u});
  CHECK(at(sm, id, 9) == std::pair{4u, 3u});  // end of a last line without newline
}

TEST_CASE("line_col clamps offsets past the end to the end of the file", "[dsl][source]") {
  SourceManager sm;
  auto id = sm.add("a.flow", "ab\ncd");
  CHECK(at(sm, id, 100) == std::pair{2u, 3u});
}

TEST_CASE("line_col counts columns in bytes for UTF-8 and tabs", "[dsl][source]") {
  SourceManager sm;
  // "é" is two bytes, "€" three.
  auto id = sm.add("u.flow", "\xC3\xA9x\n\t\xE2\x82\xAC y");
  CHECK(at(sm, id, 2) == std::pair{1u, 3u});
  CHECK(at(sm, id, 5) == std::pair{2u, 2u});
  CHECK(at(sm, id, 9) == std::pair{2u, 6u});
}

TEST_CASE("line_text returns a line without its newline or carriage return", "[dsl][source]") {
  SourceManager sm;
  auto id = sm.add("a.flow", "first\r\nsecond\n\nlast");
  CHECK(sm.line_text(id, 1) == "first");
  CHECK(sm.line_text(id, 2) == "second");
  CHECK(sm.line_text(id, 3) == "");
  CHECK(sm.line_text(id, 4) == "last");
  CHECK(sm.line_text(id, 5) == "");
  CHECK(sm.line_text(id, 0) == "");
}

TEST_CASE("a file ending in a newline has an empty last line", "[dsl][source]") {
  SourceManager sm;
  auto id = sm.add("a.flow", "x\n");
  CHECK(sm.file(id).line_starts == std::vector<std::uint32_t>{0, 2});
  CHECK(at(sm, id, 2) == std::pair{2u, 1u});
  CHECK(sm.line_text(id, 2) == "");
}

TEST_CASE("an empty file has one empty line", "[dsl][source]") {
  SourceManager sm;
  auto id = sm.add("empty.flow", "");
  CHECK(at(sm, id, 0) == std::pair{1u, 1u});
  CHECK(sm.line_text(id, 1) == "");
}

TEST_CASE("text returns the bytes of a span, clamped to the buffer", "[dsl][source]") {
  SourceManager sm;
  sm.add("first.flow", "unused");
  auto id = sm.add("b.flow", "lead.employes > 50");
  CHECK(id == 1);
  CHECK(sm.file(id).path == "b.flow");
  CHECK(sm.text(Span{id, 5, 13}) == "employes");
  CHECK(sm.text(Span{id, 16, 99}) == "50");
  CHECK(sm.text(Span{id, 4, 4}) == "");
  CHECK(sm.text(Span{}) == "");
}
