// SourceManager: owns the buffers of one compilation and maps byte offsets to line:col.
#include "dsl/source.hpp"

#include <algorithm>

namespace leadflow::dsl {

SourceId SourceManager::add(std::string path, std::string text) {
  auto file = std::make_unique<SourceFile>();
  file->path = std::move(path);
  file->text = std::move(text);
  // Line starts are computed once here so that every later lookup is a binary search.
  file->line_starts.push_back(0);
  const std::string& t = file->text;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\n') file->line_starts.push_back(static_cast<std::uint32_t>(i + 1));
  }
  files_.push_back(std::move(file));
  return static_cast<SourceId>(files_.size() - 1);
}

LineCol SourceManager::line_col(SourceId id, std::uint32_t offset) const {
  const SourceFile& f = file(id);
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(f.text.size()));
  // The last line start <= offset is the line holding it.
  auto it = std::upper_bound(f.line_starts.begin(), f.line_starts.end(), offset);
  auto index = static_cast<std::uint32_t>(it - f.line_starts.begin());  // >= 1: line_starts[0] == 0
  return LineCol{index, offset - f.line_starts[index - 1] + 1};
}

std::string_view SourceManager::line_text(SourceId id, std::uint32_t line) const {
  const SourceFile& f = file(id);
  if (line == 0 || line > f.line_starts.size()) return {};
  std::size_t begin = f.line_starts[line - 1];
  std::size_t end = line < f.line_starts.size() ? f.line_starts[line] - 1 : f.text.size();
  std::string_view text(f.text.data() + begin, end - begin);
  // A CRLF file must not echo the carriage return into the excerpt.
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

std::string_view SourceManager::text(Span span) const {
  if (!span.valid() || span.source >= files_.size()) return {};
  const std::string& t = file(span.source).text;
  std::size_t begin = std::min<std::size_t>(span.begin, t.size());
  std::size_t end = std::clamp<std::size_t>(span.end, begin, t.size());
  return std::string_view(t).substr(begin, end - begin);
}

}  // namespace leadflow::dsl
