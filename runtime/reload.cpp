// Whole-set compilation for serve and hot reload, and the reload plan.
#include "runtime/reload.hpp"

#include <fstream>
#include <set>
#include <sstream>

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
