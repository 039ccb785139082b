// Whole-set compilation for serve and hot reload, and the reload plan.
#include "runtime/reload.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "dsl/compiler.hpp"
#include "dsl/render.hpp"
#include "engine/program.hpp"

namespace leadflow::runtime {

CompiledSet compile_workflow_set(const std::string& dir) {
  CompiledSet out;
  std::vector<std::string> bad;
  std::vector<std::string> files = dsl::collect_flow_files({dir}, bad);
  if (!bad.empty()) {
    out.diagnostics = "cannot read '" + bad.front() + "'\n";
    return out;
  }
  if (files.empty()) {
    out.diagnostics = "no .flow files in '" + dir + "'\n";
    return out;
  }
  dsl::CompileOptions options;
  options.warnings = false;
  std::unique_ptr<dsl::Compilation> c = dsl::compile_files(files, options);
  c->diagnostics.sort(c->sources);
  if (!c->ok() || !c->program) {
    std::ostringstream text;
    dsl::render_text(text, c->sources, c->diagnostics.diagnostics(), dsl::TextRenderOptions{false, true});
    out.diagnostics = text.str();
    return out;
  }
  out.program = c->program;
  for (const std::string& path : out.program->files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out.sources.emplace_back(path, text.str());
  }
  return out;
}

std::shared_ptr<const engine::Program> compile_saved_sources(const std::string& sources_json, std::string& error) {
  namespace fs = std::filesystem;
  namespace json = boost::json;
  boost::system::error_code ec;
  json::value v = json::parse(sources_json, ec);
  if (ec || !v.is_array()) {
    error = "saved sources are not a JSON list";
    return nullptr;
  }
  std::error_code fs_ec;
  char pattern[] = "/tmp/leadflow-version-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    error = "cannot create a temporary folder";
    return nullptr;
  }
  const fs::path root(pattern);
  // Paths were saved as the compiler saw them, relative (possibly with `..`) or absolute; eight
  // levels of padding let `../` climb without leaving the temporary folder.
  const fs::path base = root / "v/v/v/v/v/v/v/v";
  std::vector<std::string> files;
  for (const json::value& entry : v.as_array()) {
    if (!entry.is_array() || entry.as_array().size() != 2 || !entry.as_array()[0].is_string() ||
        !entry.as_array()[1].is_string()) {
      error = "saved sources: expected [path, text] pairs";
      fs::remove_all(root, fs_ec);
      return nullptr;
    }
    fs::path saved(std::string(entry.as_array()[0].as_string()));
    fs::path target = (base / (saved.is_absolute() ? saved.relative_path() : saved)).lexically_normal();
    if (target.string().rfind(root.string(), 0) != 0) {
      error = "saved sources: path '" + saved.string() + "' climbs too far";
      fs::remove_all(root, fs_ec);
      return nullptr;
    }
    fs::create_directories(target.parent_path(), fs_ec);
    std::ofstream(target, std::ios::binary) << std::string_view(entry.as_array()[1].as_string());
    files.push_back(target.string());
  }
  dsl::CompileOptions options;
  options.warnings = false;
  std::unique_ptr<dsl::Compilation> c = dsl::compile_files(files, options);
  fs::remove_all(root, fs_ec);
  if (!c->ok() || !c->program) {
    c->diagnostics.sort(c->sources);
    std::ostringstream text;
    dsl::render_text(text, c->sources, c->diagnostics.diagnostics(), dsl::TextRenderOptions{false, true});
    error = "saved sources no longer compile:\n" + text.str();
    return nullptr;
  }
  return c->program;
}

std::function<std::shared_ptr<const engine::Program>(const std::string& version)> saved_version_loader(
    store::Store& store) {
  auto tried = std::make_shared<std::set<std::string>>();
  return [&store, tried](const std::string& version) -> std::shared_ptr<const engine::Program> {
    if (!tried->insert(version).second) return nullptr;
    std::optional<std::string> sources = store.program_version(version);
    if (!sources) {
      spdlog::warn("runs pinned to version {}: its sources were never saved", version);
      return nullptr;
    }
    std::string error;
    std::shared_ptr<const engine::Program> program = compile_saved_sources(*sources, error);
    if (!program) {
      spdlog::error("runs pinned to version {}: {}", version, error);
      return nullptr;
    }
    if (program->version != version) {
      spdlog::warn("version {} recompiled as {}: its runs continue on it", version, program->version);
    }
    spdlog::info("recompiled version {} from the store for the runs pinned to it", version);
    return program;
  };
}

std::vector<ReloadPlanEntry> reload_plan(const CompiledSet& live, const CompiledSet& next,
                                         const std::map<std::pair<std::string, std::string>, std::size_t>& runs) {
  std::map<std::string, std::string> live_text(live.sources.begin(), live.sources.end());
  std::map<std::string, std::string> next_text(next.sources.begin(), next.sources.end());
  std::map<std::string, std::size_t> in_flight;
  for (const auto& [key, n] : runs) in_flight[key.second] += n;
  std::vector<ReloadPlanEntry> out;
  std::set<std::string> seen;
  if (next.program) {
    for (const engine::Workflow& w : next.program->workflows) {
      seen.insert(w.name);
      const engine::Workflow* old = live.program ? live.program->workflow(w.name) : nullptr;
      std::string change = "added";
      if (old != nullptr) {
        change = old->file == w.file && old->line == w.line && live_text[old->file] == next_text[w.file] ? "same"
                                                                                                          : "changed";
      }
      out.push_back({w.name, change, in_flight[w.name]});
    }
  }
  if (live.program) {
    for (const engine::Workflow& w : live.program->workflows) {
      if (seen.count(w.name) == 0) out.push_back({w.name, "removed", in_flight[w.name]});
    }
  }
  return out;
}

}  // namespace leadflow::runtime
