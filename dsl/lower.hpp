// Lowering: a checked Compilation (AST + Symbols) to the engine's immutable Program.
#pragma once

#include <memory>

#include "dsl/compiler.hpp"
#include "dsl/diagnostic.hpp"

namespace leadflow::engine {
class Program;
}

namespace leadflow::dsl {

// Builds the Program: one graph per workflow (see engine/workflow_graph.hpp), expressions as
// flat code with constants folded and regexes compiled once. Call only when the compilation has
// no errors: it relies on the `resolved_*` and `type` annotations. Returns null (after reporting
// to `sink`) only if something the checker let through still cannot be lowered.
std::shared_ptr<const engine::Program> lower(const Compilation& c, DiagnosticSink& sink);

}  // namespace leadflow::dsl
