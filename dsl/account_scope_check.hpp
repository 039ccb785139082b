// Checks of account workflows (`enroll ... per account`) and their `for ... of account` steps.
#pragma once

namespace leadflow::dsl {

struct Compilation;

// After resolve: `AccountScope` errors into `c.diagnostics` for an account workflow started by a
// per-lead event, a step outside `for` in an account workflow (it would have no lead), a `for`
// inside a `for` body or in a per-lead workflow, `up to 0`, and `enroll` of an account workflow.
void check_account_scope(Compilation& c);

}  // namespace leadflow::dsl
