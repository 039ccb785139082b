// The static types of .flow expressions. Lists hold one scalar element type.
#pragma once

#include <cstdint>
#include <string>

namespace leadflow::dsl {

enum class TypeKind : std::uint8_t {
  Error,  // poison: an expression whose error was already reported; silences follow-on errors
  Null, Bool, Int, Decimal, String, Time, Duration, Regex, List,
};

struct Type {
  TypeKind kind = TypeKind::Error;
  TypeKind element = TypeKind::Error;  // for List; Null for the empty list `[]`

  static Type error() { return {TypeKind::Error, TypeKind::Error}; }
  static Type of(TypeKind k) { return {k, TypeKind::Error}; }
  static Type list_of(TypeKind e) { return {TypeKind::List, e}; }

  bool is_error() const { return kind == TypeKind::Error; }
  bool is_numeric() const { return kind == TypeKind::Int || kind == TypeKind::Decimal; }
  bool operator==(const Type&) const = default;
};

// "int", "list<string>", ...
std::string type_name(Type t);

}  // namespace leadflow::dsl
