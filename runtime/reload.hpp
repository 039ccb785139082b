// Compiling the workflow folder as one set, for `serve` at start and on every hot reload: a set
// that fails to compile is never swapped in; its diagnostics are kept for the log, for
// `GET /v1/workflows` and for the reload metric.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "runtime/store/store.hpp"

namespace leadflow::runtime {

struct CompiledSet {
  std::shared_ptr<const engine::Program> program;  // null when it failed
  std::string diagnostics;  // rendered text (errors only), empty when clean
  std::vector<std::pair<std::string, std::string>> sources;  // path, text in load order
  bool ok() const { return program != nullptr; }
};

// Every `*.flow` below `dir`; `owners.json` is not part of it.
CompiledSet compile_workflow_set(const std::string& dir);

// Recompiles a version saved by `save_program_sources` (JSON `[[path, text], ...]`): the texts are
// laid out in a private temporary folder under their relative paths (imports resolve as they did)
// and compiled in their saved order, which gives back the same version string. Null, with
// `error` filled, when the JSON is malformed or the sources no longer compile.
std::shared_ptr<const engine::Program> compile_saved_sources(const std::string& sources_json, std::string& error);

// For LeadProcessor::load_version: a version's saved sources from `store`, recompiled. Each
// version is tried once; a failure is logged and its runs fall back as decode_lead describes.
std::function<std::shared_ptr<const engine::Program>(const std::string& version)> saved_version_loader(
    store::Store& store);

// What a reload would change: per workflow name, `added`, `removed`, `changed` or `same`, and the
// runs in flight on it (they stay on their version either way).
struct ReloadPlanEntry {
  std::string workflow;
  std::string change;
  std::size_t runs_in_flight = 0;
};
std::vector<ReloadPlanEntry> reload_plan(const CompiledSet& live, const CompiledSet& next,
                                         const std::map<std::pair<std::string, std::string>, std::size_t>& runs);

struct ReloadStatus {
  std::uint64_t attempts = 0;
  std::uint64_t failures = 0;
  std::int64_t last_at = 0;
  bool last_ok = true;
  std::string last_diagnostics;
};

}  // namespace leadflow::runtime
