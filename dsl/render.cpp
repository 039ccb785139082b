// Text and JSON rendering of diagnostics; the text layout is a stable contract (golden files).
#include "dsl/render.hpp"

#include <algorithm>
#include <ostream>

namespace leadflow::dsl {

namespace {

constexpr std::size_t tab_stop = 4;

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

struct Style {
  bool on;
  const char* operator()(const char* code) const { return on ? code : ""; }
};
constexpr const char* reset = "\x1b[0m";
constexpr const char* bold = "\x1b[1m";
constexpr const char* red = "\x1b[1;31m";
constexpr const char* magenta = "\x1b[1;35m";
constexpr const char* cyan = "\x1b[1;36m";
constexpr const char* green = "\x1b[1;32m";
constexpr const char* blue = "\x1b[1;34m";

const char* severity_color(Severity s) {
  switch (s) {
    case Severity::Error: return red;
    case Severity::Warning: return magenta;
    case Severity::Note: return cyan;
  }
  return bold;
}

// The echoed line with tabs expanded, so that the underline below it lines up in any terminal.
std::string expand_tabs(std::string_view line) {
  std::string out;
  std::size_t column = 0;
  for (char c : line) {
    if (c == '\t') {
      std::size_t next = (column / tab_stop + 1) * tab_stop;
      out.append(next - column, ' ');
      column = next;
    } else {
      out.push_back(c);
      if (!is_continuation(static_cast<unsigned char>(c))) ++column;
    }
  }
  return out;
}

std::size_t digits(std::uint32_t n) {
  std::size_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

// Source line and underline for one span. `gutter` is the width of the line-number column.
void render_excerpt(std::ostream& out, const SourceManager& sources, Span span, std::size_t gutter,
                    Style style) {
  const SourceFile& file = sources.file(span.source);
  LineCol begin = sources.line_col(span.source, span.begin);
  std::string_view line = sources.line_text(span.source, begin.line);
  std::size_t line_begin = file.line_starts[begin.line - 1];

  std::size_t begin_in_line = std::min<std::size_t>(span.begin - line_begin, line.size());
  // A span that runs past its first line is underlined to the end of that line.
  std::size_t end_in_line =
      std::clamp<std::size_t>(span.end >= line_begin ? span.end - line_begin : 0, begin_in_line, line.size());

  std::size_t first = display_column_after(line.substr(0, begin_in_line));
  std::size_t last = display_column_after(line.substr(begin_in_line, end_in_line - begin_in_line), first);
  std::size_t width = std::max<std::size_t>(1, last - first);

  std::string number = std::to_string(begin.line);
  out << style(blue) << ' ' << std::string(gutter - number.size(), ' ') << number << " |"
      << style(reset);
  std::string echoed = expand_tabs(line);
  if (!echoed.empty()) out << ' ' << echoed;
  out << '\n';
  out << style(blue) << ' ' << std::string(gutter, ' ') << " |" << style(reset) << ' '
      << std::string(first, ' ') << style(green) << '^' << std::string(width - 1, '~')
      << style(reset) << '\n';
}

void render_location(std::ostream& out, const SourceManager& sources, Span span, Style style) {
  if (!span.valid() || span.source >= sources.size()) return;
  LineCol lc = sources.line_col(span.source, span.begin);
  out << style(bold) << sources.file(span.source).path << ':' << lc.line << ':' << lc.col << ':'
      << style(reset) << ' ';
}

bool renderable(const SourceManager& sources, Span span) {
  return span.valid() && span.source < sources.size();
}

void render_json_location(std::ostream& out, const SourceManager& sources, Span span) {
  if (!renderable(sources, span)) {
    out << "\"file\":null,\"line\":null,\"column\":null,\"end_line\":null,\"end_column\":null";
    return;
  }
  LineCol b = sources.line_col(span.source, span.begin);
  LineCol e = sources.line_col(span.source, std::max(span.begin, span.end));
  out << "\"file\":" << json_quote(sources.file(span.source).path) << ",\"line\":" << b.line
      << ",\"column\":" << b.col << ",\"end_line\":" << e.line << ",\"end_column\":" << e.col;
}

}  // namespace

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

std::size_t display_column_after(std::string_view text, std::size_t start) {
  std::size_t column = start;
  for (char c : text) {
    if (c == '\t') {
      column = (column / tab_stop + 1) * tab_stop;
    } else if (!is_continuation(static_cast<unsigned char>(c))) {
      ++column;
    }
  }
  return column;
}

std::string summary_line(std::size_t errors, std::size_t warnings) {
  if (errors == 0 && warnings == 0) return {};
  return std::to_string(errors) + (errors == 1 ? " error, " : " errors, ") + std::to_string(warnings) +
         (warnings == 1 ? " warning" : " warnings") + " generated.";
}

void render_text(std::ostream& out, const SourceManager& sources,
                 const std::vector<Diagnostic>& diagnostics, const TextRenderOptions& options) {
  Style style{options.color};
  std::size_t errors = 0, warnings = 0;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Severity::Error) ++errors;
    if (d.severity == Severity::Warning) ++warnings;

    // One gutter width per diagnostic, so the bars of its notes line up with its own.
    std::uint32_t widest = 0;
    if (renderable(sources, d.span)) widest = sources.line_col(d.span.source, d.span.begin).line;
    for (const DiagnosticNote& n : d.notes) {
      if (renderable(sources, n.span)) widest = std::max(widest, sources.line_col(n.span.source, n.span.begin).line);
    }
    std::size_t gutter = std::max<std::size_t>(4, digits(widest));

    render_location(out, sources, d.span, style);
    out << style(severity_color(d.severity)) << severity_name(d.severity) << ':' << style(reset) << ' '
        << style(bold) << d.message << style(reset) << '\n';
    if (renderable(sources, d.span)) render_excerpt(out, sources, d.span, gutter, style);
    if (!d.help.empty()) out << style(cyan) << "help:" << style(reset) << ' ' << d.help << '\n';
    for (const DiagnosticNote& n : d.notes) {
      render_location(out, sources, n.span, style);
      out << style(severity_color(Severity::Note)) << "note:" << style(reset) << ' ' << n.message << '\n';
      if (renderable(sources, n.span)) render_excerpt(out, sources, n.span, gutter, style);
    }
  }
  if (options.summary) {
    std::string summary = summary_line(errors, warnings);
    if (!summary.empty()) out << summary << '\n';
  }
}

void render_json(std::ostream& out, const SourceManager& sources,
                 const std::vector<Diagnostic>& diagnostics) {
  std::size_t errors = 0, warnings = 0;
  out << "{\"diagnostics\":[";
  bool first = true;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Severity::Error) ++errors;
    if (d.severity == Severity::Warning) ++warnings;
    if (!first) out << ',';
    first = false;
    out << '{';
    render_json_location(out, sources, d.span);
    out << ",\"severity\":" << json_quote(severity_name(d.severity))
        << ",\"kind\":" << json_quote(kind_name(d.kind)) << ",\"message\":" << json_quote(d.message)
        << ",\"help\":" << (d.help.empty() ? std::string("null") : json_quote(d.help)) << ",\"notes\":[";
    bool first_note = true;
    for (const DiagnosticNote& n : d.notes) {
      if (!first_note) out << ',';
      first_note = false;
      out << '{';
      render_json_location(out, sources, n.span);
      out << ",\"message\":" << json_quote(n.message) << '}';
    }
    out << "]}";
  }
  out << "],\"errors\":" << errors << ",\"warnings\":" << warnings << "}\n";
}

std::string json_quote(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Copy a well-formed UTF-8 sequence through; anything else (stray continuation bytes,
    // overlong forms, surrogates, truncation) would make the document invalid JSON.
    std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    bool ok = length != 0 && c >= 0xC2 && c <= 0xF4 && i + length <= text.size();
    for (std::size_t k = 1; ok && k < length; ++k) ok = is_continuation(static_cast<unsigned char>(text[i + k]));
    if (ok && length >= 3) {
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      if (c == 0xE0 && c1 < 0xA0) ok = false;  // overlong
      if (c == 0xED && c1 >= 0xA0) ok = false;  // surrogate
      if (c == 0xF0 && c1 < 0x90) ok = false;  // overlong
      if (c == 0xF4 && c1 >= 0x90) ok = false;  // above U+10FFFF
    }
    if (ok) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace leadflow::dsl
