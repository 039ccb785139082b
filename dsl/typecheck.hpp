// Type checking: gives every expression its `type` and checks each construct's operand types.
#pragma once

#include <cstdint>
#include <optional>

namespace leadflow::dsl {

struct Compilation;
struct Expr;

// Runs after resolve (which types field references): constants first, then every other
// declaration. Errors go to `c.diagnostics`; an operand of type `error` silences the checks
// that would only repeat an error already reported.
void typecheck(Compilation& c);

// The value of a constant duration expression in seconds (`30m`, `-1h`, `1d + 12h`, `2 * 1w`,
// or a constant naming one), if it is one. Needs resolve to have bound constant names.
std::optional<std::int64_t> constant_seconds(const Expr& e);
// The same for a constant integer (`3`, `-2`, or a constant naming one).
std::optional<std::int64_t> constant_int(const Expr& e);

}  // namespace leadflow::dsl
