// The parser: runs the PEGTL grammar with the AST-building actions, one top-level declaration at
// a time, turning syntax errors into diagnostics and resuming at the next declaration.
// This is the only translation unit that instantiates PEGTL.
#include <string>
#include <string_view>
#include <type_traits>

#include "dsl/compiler.hpp"
#include "dsl/parse_actions.hpp"
#include "dsl/parse_state.hpp"
#include "grammar/error_messages.hpp"
#include "grammar/flow_grammar.hpp"

namespace leadflow::dsl {
namespace {

namespace g = leadflow::grammar;
namespace pegtl = tao::pegtl;

constexpr const char* nesting_message = "nesting is too deep";

template <typename Rule>
struct is_s_wrapper : std::false_type {};
template <typename R>
struct is_s_wrapper<g::s_<R>> : std::true_type {
  using inner = R;
};

template <typename Rule>
constexpr const char* expected_message() {
  if constexpr (is_s_wrapper<Rule>::value) {
    return expected_message<typename is_s_wrapper<Rule>::inner>();
  } else if constexpr (g::error_messages::message<Rule> != nullptr) {
    return g::error_messages::message<Rule>;
  } else {
    return "syntax error";
  }
}

// Rules that recurse: each level costs stack, so their depth is bounded before the stack is.
template <typename Rule>
inline constexpr bool nests = std::is_same_v<Rule, g::paren_expr> || std::is_same_v<Rule, g::neg_expr> ||
                              std::is_same_v<Rule, g::not_tail> || std::is_same_v<Rule, g::list_lit> ||
                              std::is_same_v<Rule, g::call_args> || std::is_same_v<Rule, g::string_interp> ||
                              std::is_same_v<Rule, g::if_step> || std::is_same_v<Rule, g::else_if_arm> ||
                              std::is_same_v<Rule, g::wait_step> || std::is_same_v<Rule, g::list_type>;

struct DepthGuard {
  int& depth;
  ~DepthGuard() { --depth; }
};

template <typename Rule>
struct control : pegtl::normal<Rule> {
  template <typename Input, typename... States>
  [[noreturn]] static void raise(const Input& in, States&&...) {
    throw pegtl::parse_error(expected_message<Rule>(), in);
  }

  template <pegtl::apply_mode A, pegtl::rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename Input>
  static bool match(Input& in, ParseState& st) {
    if constexpr (nests<Rule>) {
      if (st.depth >= max_nesting_depth) throw pegtl::parse_error(nesting_message, in);
      ++st.depth;
      DepthGuard guard{st.depth};
      return pegtl::normal<Rule>::template match<A, M, Action, Control>(in, st);
    } else {
      return pegtl::normal<Rule>::template match<A, M, Action, Control>(in, st);
    }
  }
};

bool is_word_byte(unsigned char c) { return std::isalnum(c) || c == '_'; }

// Skips whitespace and comments, so an error points at the next token rather than at the end
// of the previous line.
std::size_t skip_blank(std::string_view text, std::size_t i) {
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      std::size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) return i;
      i = end + 2;
    } else {
      break;
    }
  }
  return i;
}

// The token at `i`, for "found ..." and the span under it.
std::size_t token_end(std::string_view text, std::size_t i) {
  if (i >= text.size() || text[i] == '\n') return i;
  unsigned char c = text[i];
  if (is_word_byte(c)) {
    std::size_t j = i;
    while (j < text.size() && is_word_byte(static_cast<unsigned char>(text[j]))) ++j;
    return j;
  }
  if (c == '"') {
    std::size_t j = i + 1;
    while (j < text.size() && text[j] != '"' && text[j] != '\n') j += text[j] == '\\' ? 2 : 1;
    return std::min(text.size(), j < text.size() && text[j] == '"' ? j + 1 : j);
  }
  static const char* const pairs[] = {"->", "..", "==", "!=", "<=", ">="};
  for (const char* p : pairs)
    if (text.substr(i, 2) == p) return i + 2;
  std::size_t j = i + 1;  // one UTF-8 code point
  while (j < text.size() && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;
  return j;
}

std::string describe_token(std::string_view text, std::size_t begin, std::size_t end) {
  if (begin >= text.size()) return "end of file";
  if (text[begin] == '\n' || text[begin] == '\r') return "end of line";
  if (text[begin] == '"') return "a string";
  std::string_view tok = text.substr(begin, end - begin);
  if (tok.size() > 40) return "`" + std::string(tok.substr(0, 40)) + "...`";
  return "`" + std::string(tok) + "`";
}

// Resynchronises after a syntax error at the next line that starts a top-level declaration.
std::size_t next_declaration(std::string_view text, std::size_t from) {
  static const std::string_view starts[] = {"import", "const", "schema", "event", "workflow", "scoring",
                                            "stages", "use", "disable", "router", "team", "sla", "calendar", "governance", "test"};
  std::size_t line = text.find('\n', from);
  while (line != std::string_view::npos) {
    std::size_t i = line + 1;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    for (std::string_view s : starts) {
      if (text.substr(i, s.size()) == s && (i + s.size() >= text.size() || !is_word_byte(text[i + s.size()]))) {
        return line + 1;
      }
    }
    line = text.find('\n', line + 1);
  }
  return text.size();
}

}  // namespace

std::unique_ptr<FileAst> parse_file(const SourceManager& sources, SourceId id, DiagnosticSink& sink) {
  auto file = std::make_unique<FileAst>();
  file->source = id;
  const SourceFile& source = sources.file(id);
  std::string_view text = source.text;
  ParseState state(sources, id, sink, *file);

  pegtl::memory_input<pegtl::tracking_mode::lazy> in(text.data(), text.data() + text.size(), source.path);
  while (!in.empty()) {
    try {
      pegtl::parse<g::top_item, actions::action, control>(in, state);
    } catch (const pegtl::parse_error& e) {
      std::size_t at = e.positions().empty() ? text.size() : e.positions().front().byte;
      bool too_deep = std::string_view(e.message()) == nesting_message;
      // An unterminated string is reported where its line ends, not at the next token.
      bool in_string = std::string_view(e.message()) == g::error_messages::message<g::string_close>;
      std::size_t begin = too_deep || in_string ? at : skip_blank(text, at);
      std::size_t end = token_end(text, begin);
      Span span{id, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)};
      if (too_deep) {
        sink.error(DiagnosticKind::NestingTooDeep, span,
                   "blocks and expressions nest more than " + std::to_string(max_nesting_depth) + " levels deep");
      } else {
        sink.error(DiagnosticKind::SyntaxError, span,
                   std::string(e.message()) + ", found " + describe_token(text, begin, end));
      }
      state.reset();
      std::size_t resume = next_declaration(text, std::max(begin, static_cast<std::size_t>(in.current() - text.data())));
      in.bump(resume - static_cast<std::size_t>(in.current() - text.data()));
    }
  }
  return file;
}

}  // namespace leadflow::dsl
