// Spellings of AST operators, as the user writes them (diagnostics, graph labels, traces).
#include "dsl/ast.hpp"

namespace leadflow::dsl {

const char* op_spelling(Op op) {
  switch (op) {
    case Op::None: return "";
    case Op::Neg: return "-";
    case Op::Not: return "not";
    case Op::Add: return "+";
    case Op::Sub: return "-";
    case Op::Mul: return "*";
    case Op::Div: return "/";
    case Op::Mod: return "%";
    case Op::Eq: return "==";
    case Op::Ne: return "!=";
    case Op::Lt: return "<";
    case Op::Le: return "<=";
    case Op::Gt: return ">";
    case Op::Ge: return ">=";
    case Op::In: return "in";
    case Op::NotIn: return "not in";
    case Op::Matches: return "matches";
    case Op::And: return "and";
    case Op::Or: return "or";
  }
  return "";
}

}  // namespace leadflow::dsl
