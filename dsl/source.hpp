// Source buffers kept in memory, and spans (byte ranges) into them, mapped to line:col on demand.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace leadflow::dsl {

using SourceId = std::uint32_t;
inline constexpr SourceId no_source = 0xffffffffu;

// A half-open byte range [begin, end) in one source buffer.
struct Span {
  SourceId source = no_source;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;

  bool valid() const { return source != no_source; }
};

struct LineCol {
  std::uint32_t line = 0;  // 1-based
  std::uint32_t col = 0;   // 1-based, in bytes
};

struct SourceFile {
  std::string path;  // as given by the user (used in diagnostics)
  std::string text;
  std::vector<std::uint32_t> line_starts;  // byte offset of each line, computed on load
};

// Owns every buffer read during one compilation so diagnostics never re-read a file.
class SourceManager {
 public:
  SourceId add(std::string path, std::string text);
  const SourceFile& file(SourceId id) const { return *files_.at(id); }
  std::size_t size() const { return files_.size(); }

  LineCol line_col(SourceId id, std::uint32_t offset) const;
  // The text of the 1-based line, without its newline.
  std::string_view line_text(SourceId id, std::uint32_t line) const;
  std::string_view text(Span span) const;

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace leadflow::dsl
