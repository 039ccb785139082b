// Lint rules: warnings about programs that compile but are likely wrong (run when warnings are on).
#pragma once

namespace leadflow::dsl {

struct Compilation;

// After resolve and typecheck: `MissingStopRule`, `RouterWithoutFallback`, `WaitTooLong` and
// `UnusedConstant` warnings into `c.diagnostics`.
void lint(Compilation& c);

}  // namespace leadflow::dsl
