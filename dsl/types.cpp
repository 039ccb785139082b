// Spelling of static types as users write them in schemas and read them in diagnostics.
#include "dsl/types.hpp"

namespace leadflow::dsl {

namespace {

const char* kind_spelling(TypeKind k) {
  switch (k) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Null: return "null";
    case TypeKind::Bool: return "bool";
    case TypeKind::Int: return "int";
    case TypeKind::Decimal: return "decimal";
    case TypeKind::String: return "string";
    case TypeKind::Time: return "time";
    case TypeKind::Duration: return "duration";
    case TypeKind::Regex: return "regex";
    case TypeKind::List: return "list";
  }
  return "<error>";
}

}  // namespace

std::string type_name(Type t) {
  if (t.kind != TypeKind::List) return kind_spelling(t.kind);
  // `[]` has element Null until context gives it one; users know it as an empty list.
  if (t.element == TypeKind::Null) return "list";
  return std::string("list<") + kind_spelling(t.element) + ">";
}

}  // namespace leadflow::dsl
