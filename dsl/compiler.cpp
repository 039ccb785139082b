// The compiler driver: reads files and their imports, then resolve → typecheck → lint → lower.
#include "dsl/compiler.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <unordered_map>

#include "dsl/account_scope_check.hpp"
#include "dsl/lint.hpp"
#include "dsl/resolve.hpp"
#include "dsl/suggest.hpp"
#include "dsl/test_cases.hpp"
#include "dsl/typecheck.hpp"

#if __has_include("dsl/lower.hpp")
#include "dsl/lower.hpp"
#define LEADFLOW_HAS_LOWER 1
#endif

namespace leadflow::dsl {

namespace {

namespace fs = std::filesystem;

std::string code(std::string_view s) { return "`" + std::string(s) + "`"; }

std::string lower_first(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

enum class ReadStatus { Ok, NotFound, TooLarge, Failed };

struct ReadResult {
  ReadStatus status = ReadStatus::Ok;
  std::string text;
  std::string reason;  // for Failed
  std::uintmax_t size = 0;  // for TooLarge
};

// Reads a whole file, refusing one over max_file_bytes before reading it.
ReadResult read_source(const fs::path& path) {
  ReadResult r;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    r.status = ec && ec != std::errc::no_such_file_or_directory ? ReadStatus::Failed : ReadStatus::NotFound;
    r.reason = ec ? lower_first(ec.message()) : "no such file or directory";
    return r;
  }
  if (fs::is_directory(st)) {
    r.status = ReadStatus::Failed;
    r.reason = "it is a directory";
    return r;
  }
  if (fs::is_regular_file(st)) {
    const std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > max_file_bytes) {
      r.status = ReadStatus::TooLarge;
      r.size = size;
      return r;
    }
    if (!ec) r.text.reserve(static_cast<std::size_t>(size));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    r.status = ReadStatus::Failed;
    r.reason = "cannot open it";
    return r;
  }
  // Pipes and other special files have no size up front: read in chunks up to the limit.
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    r.text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (r.text.size() > max_file_bytes) {
      r.status = ReadStatus::TooLarge;
      r.size = r.text.size();
      r.text.clear();
      return r;
    }
  }
  if (in.bad()) {
    r.status = ReadStatus::Failed;
    r.reason = "a read error occurred";
    r.text.clear();
  }
  return r;
}

// Two spellings of one file get one key, so each file is loaded once.
std::string file_key(const fs::path& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  if (ec) abs = path;
  fs::path canonical = fs::weakly_canonical(abs, ec);
  return (ec ? abs.lexically_normal() : canonical).generic_string();
}

std::string too_large_message(std::uintmax_t size) {
  return "file is " + std::to_string(size) + " bytes, over the " + std::to_string(max_file_bytes >> 20) +
         " MiB limit";
}

// Loads root files and, depth first, everything they import. Each file is parsed once and
// appended to `files` after its imports (load order). Iterative, so a long import chain
// cannot overflow the stack.
class Loader {
 public:
  explicit Loader(Compilation& c) : c_(c) {}

  void load_root(const std::string& path, const std::string* text) {
    load_root_file(path, text);
    if (auto it = keys_.find(file_key(path)); it != keys_.end()) c_.roots.push_back(it->second);
  }

  void load_root_file(const std::string& path, const std::string* text) {
    const std::string key = file_key(path);
    if (keys_.count(key)) return;
    if (text) {
      start(key, c_.sources.add(path, *text));
      return;
    }
    ReadResult r = read_source(path);
    switch (r.status) {
      case ReadStatus::Ok:
        start(key, c_.sources.add(path, std::move(r.text)));
        return;
      case ReadStatus::TooLarge: {
        const SourceId id = add_empty(key, path);
        c_.diagnostics.error(DiagnosticKind::FileTooLarge, Span{id, 0, 0}, too_large_message(r.size));
        return;
      }
      case ReadStatus::NotFound:
      case ReadStatus::Failed:
        // The CLI reports unreadable paths before compiling (collect_flow_files); this only
        // keeps a library caller from getting a silent success.
        c_.diagnostics.error(DiagnosticKind::ImportNotFound, Span{},
                             "cannot read " + code(path) + ": " + r.reason);
        return;
    }
  }

  // Who sees whom, from the import edges followed, and which files miss an import.
  Visibility visibility() {
    imports_.resize(c_.sources.size());
    Visibility v = Visibility::from_imports(imports_);
    for (SourceId s : incomplete_) v.mark_incomplete(s);
    return v;
  }

 private:
  enum class State : std::uint8_t { Loading, Done };

  struct Frame {
    SourceId id;
    std::unique_ptr<FileAst> ast;
    std::size_t next = 0;  // the next import to follow; the one before it is being followed
  };

  SourceId add_empty(const std::string& key, const std::string& path) {
    const SourceId id = c_.sources.add(path, std::string());
    keys_.emplace(key, id);
    set_state(id, State::Done);
    return id;
  }

  void set_state(SourceId id, State s) {
    if (state_.size() <= id) state_.resize(id + 1, State::Done);
    state_[id] = s;
  }

  void start(const std::string& key, SourceId id) {
    keys_.emplace(key, id);
    push(id);
    run();
  }

  void push(SourceId id) {
    std::unique_ptr<FileAst> ast = parse_file(c_.sources, id, c_.diagnostics);
    if (!ast) ast = std::make_unique<FileAst>();
    ast->source = id;
    set_state(id, State::Loading);
    if (stack_pos_.size() <= id) stack_pos_.resize(id + 1, 0);
    stack_pos_[id] = stack_.size();
    stack_.push_back(Frame{id, std::move(ast), 0});
  }

  void add_edge(SourceId from, SourceId to) {
    if (imports_.size() <= std::max(from, to)) imports_.resize(std::max(from, to) + 1);
    imports_[from].push_back(to);
  }

  void run() {
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      if (top.next == top.ast->imports.size()) {
        set_state(top.id, State::Done);
        c_.files.push_back(std::move(top.ast));
        stack_.pop_back();
        continue;
      }
      const SourceId from = top.id;
      const ImportDecl& imp = top.ast->imports[top.next++];
      follow(from, imp);  // may push a frame: `top` is not used after this
    }
  }

  void follow(SourceId from, const ImportDecl& imp) {
    const fs::path base = fs::path(c_.sources.file(from).path).parent_path();
    const fs::path written(imp.path);
    const std::string shown = (written.is_absolute() ? written : base / written).lexically_normal().generic_string();
    const std::string key = file_key(shown);
    if (auto it = keys_.find(key); it != keys_.end()) {
      const SourceId to = it->second;
      add_edge(from, to);
      if (state_[to] == State::Loading) report_cycle(to, imp);
      return;
    }
    ReadResult r = read_source(shown);
    switch (r.status) {
      case ReadStatus::Ok: {
        const SourceId to = c_.sources.add(shown, std::move(r.text));
        keys_.emplace(key, to);
        add_edge(from, to);
        push(to);
        return;
      }
      case ReadStatus::TooLarge: {
        const SourceId to = add_empty(key, shown);
        add_edge(from, to);
        incomplete_.push_back(from);
        c_.diagnostics.error(DiagnosticKind::FileTooLarge, Span{to, 0, 0}, too_large_message(r.size));
        return;
      }
      case ReadStatus::NotFound:
        incomplete_.push_back(from);
        not_found(imp, base, shown);
        return;
      case ReadStatus::Failed:
        incomplete_.push_back(from);
        c_.diagnostics.error(DiagnosticKind::ImportNotFound, imp.path_span,
                             "cannot read imported file " + code(imp.path) + ": " + r.reason);
        return;
    }
  }

  void not_found(const ImportDecl& imp, const fs::path& base, const std::string& shown) {
    Diagnostic& d = c_.diagnostics.error(DiagnosticKind::ImportNotFound, imp.path_span,
                                         "imported file " + code(imp.path) + " does not exist");
    // A near miss among the .flow files next to the one we looked for.
    const fs::path wanted(imp.path);
    const fs::path dir = (wanted.is_absolute() ? wanted : base / wanted).parent_path();
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir.empty() ? fs::path(".") : dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".flow") names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    if (auto s = suggest(wanted.filename().string(), names)) {
      fs::path fixed = wanted;
      fixed.replace_filename(*s);
      d.help = "did you mean " + code(fixed.generic_string()) + "?";
    } else if (shown != imp.path) {
      d.help = "imports are relative to the importing file; looked for " + code(shown);
    }
  }

  // `imp` (in the top frame) imports `to`, which is still loading: every frame from `to`'s up
  // to the top is in the cycle, each following one import.
  void report_cycle(SourceId to, const ImportDecl& imp) {
    const std::size_t first = stack_pos_[to];
    std::string chain;
    for (std::size_t k = first; k < stack_.size(); ++k) {
      chain += code(c_.sources.file(stack_[k].id).path) + " -> ";
    }
    chain += code(c_.sources.file(to).path);
    Diagnostic& d = c_.diagnostics.error(DiagnosticKind::ImportCycle, imp.path_span, "import cycle: " + chain);
    for (std::size_t k = first; k + 1 < stack_.size(); ++k) {
      const Frame& f = stack_[k];
      const ImportDecl& via = f.ast->imports[f.next - 1];
      d.notes.push_back({via.path_span, code(c_.sources.file(f.id).path) + " imports " +
                                            code(c_.sources.file(stack_[k + 1].id).path) + " here"});
    }
  }

  Compilation& c_;
  std::unordered_map<std::string, SourceId> keys_;
  std::vector<State> state_;            // by SourceId
  std::vector<std::size_t> stack_pos_;  // by SourceId, valid while Loading
  std::vector<Frame> stack_;
  std::vector<std::vector<SourceId>> imports_;
  std::vector<SourceId> incomplete_;  // files with an import that could not be loaded
};

void check_and_lower(Compilation& c, Loader& loader, const CompileOptions& options) {
  const Visibility visibility = loader.visibility();
  resolve(c, visibility);
  typecheck(c);
  check_account_scope(c);
  build_test_cases(c, nullptr, c.diagnostics);
  if (options.warnings) lint(c);
#ifdef LEADFLOW_HAS_LOWER
  if (options.lower && !c.diagnostics.has_errors()) c.program = lower(c, c.diagnostics);
  if (c.diagnostics.has_errors()) c.program.reset();
#endif
  c.diagnostics.sort(c.sources);
}

}  // namespace

std::vector<std::string> collect_flow_files(const std::vector<std::string>& paths, std::vector<std::string>& bad) {
  std::vector<std::string> out;
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      bad.push_back(path);
      continue;
    }
    if (!fs::is_directory(st)) {
      std::ifstream probe(path, std::ios::binary);
      if (probe) {
        out.push_back(path);
      } else {
        bad.push_back(path);
      }
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      std::error_code fec;
      if (it->path().extension() == ".flow" && it->is_regular_file(fec)) found.push_back(it->path().string());
    }
    if (ec) {
      bad.push_back(path);
      continue;
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

std::unique_ptr<Compilation> compile_files(const std::vector<std::string>& files, const CompileOptions& options) {
  auto c = std::make_unique<Compilation>();
  std::vector<std::string> bad;
  const std::vector<std::string> found = collect_flow_files(files, bad);
  for (const std::string& path : bad) {
    c->diagnostics.error(DiagnosticKind::ImportNotFound, Span{}, "cannot read " + code(path));
  }
  Loader loader(*c);
  for (const std::string& path : found) loader.load_root(path, nullptr);
  check_and_lower(*c, loader, options);
  return c;
}

std::unique_ptr<Compilation> compile_text(const std::string& path, const std::string& text,
                                          const CompileOptions& options) {
  auto c = std::make_unique<Compilation>();
  Loader loader(*c);
  if (text.size() > max_file_bytes) {
    const SourceId id = c->sources.add(path, std::string());
    c->diagnostics.error(DiagnosticKind::FileTooLarge, Span{id, 0, 0}, too_large_message(text.size()));
  } else {
    loader.load_root(path, &text);
  }
  check_and_lower(*c, loader, options);
  return c;
}

}  // namespace leadflow::dsl
