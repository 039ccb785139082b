// Evaluates compiled expression code against a lead's slot values, an optional event and `now`.
// Pure: no clock, no I/O; the same inputs always give the same value.
#pragma once

#include <cstdint>
#include <span>

#include "engine/expr_code.hpp"
#include "engine/value.hpp"

namespace leadflow::engine {

// `lead` is indexed by slot and `event` by declared field index; an index past either span reads
// as null (a missing field). Pass an empty `event` when no event is in scope. `now` is Unix
// seconds, UTC. Empty code evaluates to null.
Value evaluate(const ExprCode& code, std::span<const Value> lead, std::span<const Value> event,
               std::int64_t now);

// A condition holds only when the expression evaluates to `true`; null (a missing field) and
// every other value count as false.
bool evaluate_condition(const ExprCode& code, std::span<const Value> lead, std::span<const Value> event,
                        std::int64_t now);

// The arithmetic and comparisons the evaluator uses, exposed for constant folding and tests.
Value apply_unary(OpCode op, const Value& a);
Value apply_binary(OpCode op, const Value& a, const Value& b);
bool compare_values(CmpOp cmp, const Value& a, const Value& b);
bool value_in(const Value& needle, const Value& haystack);
Value call_builtin(Builtin fn, std::span<const Value> args, std::int64_t now);

}  // namespace leadflow::engine
