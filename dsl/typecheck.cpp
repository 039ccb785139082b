// Expression types and the type rules of each construct; see typecheck.hpp.
#include "dsl/typecheck.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <string_view>
#include <unordered_map>

#include "dsl/compiler.hpp"

namespace leadflow::dsl {

// ---------------------------------------------------------------- constant folding

namespace {

bool checked_add(std::int64_t a, std::int64_t b, std::int64_t& out) { return !__builtin_add_overflow(a, b, &out); }
bool checked_sub(std::int64_t a, std::int64_t b, std::int64_t& out) { return !__builtin_sub_overflow(a, b, &out); }
bool checked_mul(std::int64_t a, std::int64_t b, std::int64_t& out) { return !__builtin_mul_overflow(a, b, &out); }

const Expr* const_value(const Expr& e) {
  return e.kind == ExprKind::Name && e.resolved_const ? e.resolved_const->value.get() : nullptr;
}

}  // namespace

std::optional<std::int64_t> constant_int(const Expr& e) {
  switch (e.kind) {
    case ExprKind::IntLit:
      return e.int_value;
    case ExprKind::Name:
      if (const Expr* v = const_value(e)) return constant_int(*v);
      return std::nullopt;
    case ExprKind::Unary:
      if (e.op == Op::Neg && !e.children.empty() && e.children[0]) {
        auto v = constant_int(*e.children[0]);
        std::int64_t out;
        if (v && checked_sub(0, *v, out)) return out;
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<std::int64_t> constant_seconds(const Expr& e) {
  switch (e.kind) {
    case ExprKind::DurationLit:
      return e.int_value;
    case ExprKind::Name:
      if (const Expr* v = const_value(e)) return constant_seconds(*v);
      return std::nullopt;
    case ExprKind::Unary:
      if (e.op == Op::Neg && !e.children.empty() && e.children[0]) {
        auto v = constant_seconds(*e.children[0]);
        std::int64_t out;
        if (v && checked_sub(0, *v, out)) return out;
      }
      return std::nullopt;
    case ExprKind::Binary: {
      if (e.children.size() != 2 || !e.children[0] || !e.children[1]) return std::nullopt;
      const Expr& l = *e.children[0];
      const Expr& r = *e.children[1];
      std::int64_t out;
      if (e.op == Op::Add || e.op == Op::Sub) {
        auto a = constant_seconds(l), b = constant_seconds(r);
        if (!a || !b) return std::nullopt;
        const bool ok = e.op == Op::Add ? checked_add(*a, *b, out) : checked_sub(*a, *b, out);
        return ok ? std::optional<std::int64_t>(out) : std::nullopt;
      }
      if (e.op == Op::Mul) {
        auto a = constant_seconds(l), n = constant_int(r);
        if (!a || !n) {
          a = constant_seconds(r);
          n = constant_int(l);
        }
        if (a && n && checked_mul(*a, *n, out)) return out;
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

// ---------------------------------------------------------------- checker

namespace {

std::string code(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '`';
  out += s;
  out += '`';
  return out;
}

std::string code(Type t) { return code(type_name(t)); }

bool numeric(TypeKind k) { return k == TypeKind::Int || k == TypeKind::Decimal; }

// A value of type `v` may be stored where `want` is declared (a field, a `becomes` target).
bool assignable(Type want, Type v) {
  if (want.is_error() || v.is_error() || v.kind == TypeKind::Null) return true;
  if (want == v) return true;
  if (want.kind == TypeKind::Decimal && v.kind == TypeKind::Int) return true;
  if (want.kind == TypeKind::List && v.kind == TypeKind::List) {
    return v.element == TypeKind::Null || v.element == want.element ||
           (want.element == TypeKind::Decimal && v.element == TypeKind::Int);
  }
  return false;
}

// `a == b` makes sense.
bool equatable(Type a, Type b) {
  if (a.kind == TypeKind::Null || b.kind == TypeKind::Null) return true;
  if (numeric(a.kind) && numeric(b.kind)) return true;
  if (a.kind != b.kind) return false;
  if (a.kind != TypeKind::List) return a.kind != TypeKind::Regex;
  return a.element == b.element || a.element == TypeKind::Null || b.element == TypeKind::Null ||
         (numeric(a.element) && numeric(b.element));
}

// `a < b` makes sense.
bool ordered(Type a, Type b) {
  if (numeric(a.kind) && numeric(b.kind)) return true;
  return a.kind == b.kind &&
         (a.kind == TypeKind::String || a.kind == TypeKind::Time || a.kind == TypeKind::Duration);
}

bool element_compatible(TypeKind want, TypeKind v) {
  if (want == TypeKind::Null || v == TypeKind::Null || want == v) return true;
  return numeric(want) && numeric(v);
}

// "YYYY-MM-DD" naming a day that exists.
bool valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= days[month - 1] + (month == 2 && leap ? 1 : 0);
}

// The text of a string literal without interpolation, if it is one.
std::optional<std::string> plain_string(const Expr& e) {
  if (e.kind != ExprKind::StringLit) return std::nullopt;
  std::string out;
  for (const StringPart& part : e.parts) {
    if (part.is_expr) return std::nullopt;
    out += part.text;
  }
  return out;
}

const char* arith_verb(Op op) {
  switch (op) {
    case Op::Add: return "add";
    case Op::Sub: return "subtract";
    case Op::Mul: return "multiply";
    case Op::Div: return "divide";
    default: return "take the remainder of";
  }
}

class Checker {
 public:
  explicit Checker(Compilation& c) : c_(c), sym_(c.symbols), sink_(c.diagnostics) {}

  void run() {
    for (auto& file : c_.files) {
      for (ConstDecl& decl : file->consts) check_const(decl);
    }
    for (auto& file : c_.files) {
      for (EventDecl& decl : file->events) {
        for (SetClause& set : decl.sets) check_set(set);
      }
      for (WorkflowDecl& decl : file->workflows) check_workflow(decl);
      for (ScoringDecl& decl : file->scorings) check_scoring(decl);
      for (RouterDecl& decl : file->routers) check_router(decl);
      for (TeamDecl& decl : file->teams) check_team(decl);
      for (SlaDecl& decl : file->slas) duration(decl.duration.get(), "sla");
      for (CalendarDecl& decl : file->calendars) check_calendar(decl);
    }
  }

 private:
  // ------------------------------------------------------------ constants

  // The first node that keeps `e` from being a literal or a list of literals.
  const Expr* non_literal(const Expr& e, bool in_list) {
    switch (e.kind) {
      case ExprKind::IntLit:
      case ExprKind::DecimalLit:
      case ExprKind::DurationLit:
      case ExprKind::BoolLit:
      case ExprKind::NullLit:
        return nullptr;
      case ExprKind::StringLit:
        return plain_string(e) ? nullptr : &e;
      case ExprKind::Unary:
        if (e.op == Op::Neg && !e.children.empty() && e.children[0]) {
          const ExprKind k = e.children[0]->kind;
          if (k == ExprKind::IntLit || k == ExprKind::DecimalLit || k == ExprKind::DurationLit) return nullptr;
        }
        return &e;
      case ExprKind::List:
        if (in_list) return &e;
        for (const ExprPtr& child : e.children) {
          if (!child) continue;
          if (const Expr* bad = non_literal(*child, true)) return bad;
        }
        return nullptr;
      default:
        return &e;
    }
  }

  void check_const(ConstDecl& decl) {
    if (!decl.value) return;
    if (const Expr* bad = non_literal(*decl.value, false)) {
      Diagnostic& d = sink_.error(DiagnosticKind::ConstNotLiteral, bad->span,
                                  "constant " + code(decl.name) + " must be a literal or a list of literals");
      if (bad->kind == ExprKind::StringLit) d.help = "constants cannot interpolate `{...}`";
      decl.value->type = Type::error();
      return;
    }
    check(decl.value.get());
  }

  // ------------------------------------------------------------ expressions

  Type check(Expr* e) {
    if (!e) return Type::error();
    switch (e->kind) {
      case ExprKind::IntLit: e->type = Type::of(TypeKind::Int); break;
      case ExprKind::DecimalLit: e->type = Type::of(TypeKind::Decimal); break;
      case ExprKind::DurationLit: e->type = Type::of(TypeKind::Duration); break;
      case ExprKind::BoolLit: e->type = Type::of(TypeKind::Bool); break;
      case ExprKind::NullLit: e->type = Type::of(TypeKind::Null); break;
      case ExprKind::Now: e->type = Type::of(TypeKind::Time); break;
      case ExprKind::RegexLit: e->type = Type::of(TypeKind::Regex); break;
      case ExprKind::StringLit:
        for (StringPart& part : e->parts) {
          if (part.is_expr) check(part.expr.get());
        }
        e->type = Type::of(TypeKind::String);
        break;
      case ExprKind::List: e->type = check_list(*e); break;
      case ExprKind::LeadField:
      case ExprKind::EventField:
        break;  // typed by resolve, or left `error` when unknown
      case ExprKind::Name:
        e->type = e->resolved_const && e->resolved_const->value ? e->resolved_const->value->type : Type::error();
        break;
      case ExprKind::Call: e->type = check_call(*e); break;
      case ExprKind::Unary: e->type = check_unary(*e); break;
      case ExprKind::Binary: e->type = check_binary(*e); break;
    }
    return e->type;
  }

  Type check_list(Expr& e) {
    TypeKind element = TypeKind::Null;
    bool poisoned = false;
    for (ExprPtr& child : e.children) {
      const Type t = check(child.get());
      if (t.is_error()) {
        poisoned = true;
        continue;
      }
      if (t.kind == TypeKind::List || t.kind == TypeKind::Regex) {
        sink_.error(DiagnosticKind::TypeMismatch, child->span, "a list cannot hold " + code(t));
        poisoned = true;
        continue;
      }
      if (t.kind == TypeKind::Null || t.kind == element) continue;
      if (element == TypeKind::Null) {
        element = t.kind;
      } else if (numeric(element) && numeric(t.kind)) {
        element = TypeKind::Decimal;
      } else {
        sink_.error(DiagnosticKind::TypeMismatch, child->span,
                    "list elements must have one type, found " + code(Type::of(element)) + " and " + code(t));
        poisoned = true;
      }
    }
    return poisoned ? Type::error() : Type::list_of(element);
  }

  Type check_call(Expr& e) {
    std::vector<Type> args;
    args.reserve(e.children.size());
    for (ExprPtr& child : e.children) args.push_back(check(child.get()));
    const auto& functions = builtin_functions();
    auto fn = std::find_if(functions.begin(), functions.end(),
                           [&](const BuiltinFunction& f) { return e.name == f.name; });
    if (fn == functions.end()) return Type::error();  // resolve reported it
    if (static_cast<int>(args.size()) != fn->arity) {
      sink_.error(DiagnosticKind::WrongArgumentCount, e.span,
                  code(e.name) + " takes " + std::to_string(fn->arity) +
                      (fn->arity == 1 ? " argument" : " arguments") + ", but " + std::to_string(args.size()) +
                      (args.size() == 1 ? " was" : " were") + " given");
      return Type::error();
    }
    const std::string_view name = e.name;
    auto want = [&](std::size_t i, bool ok, std::string_view expected) {
      if (args[i].is_error() || ok) return !args[i].is_error();
      sink_.error(DiagnosticKind::TypeMismatch, e.children[i]->span,
                  code(name) + " needs " + std::string(expected) + ", found " + code(args[i]));
      return false;
    };
    if (name == "days_since" || name == "hours_since" || name == "minutes_since") {
      return want(0, args[0].kind == TypeKind::Time, "a `time`") ? Type::of(TypeKind::Int) : Type::error();
    }
    if (name == "lower" || name == "upper" || name == "domain") {
      return want(0, args[0].kind == TypeKind::String, "a `string`") ? Type::of(TypeKind::String) : Type::error();
    }
    if (name == "length") {
      const bool ok = args[0].kind == TypeKind::String || args[0].kind == TypeKind::List;
      return want(0, ok, "a `string` or a list") ? Type::of(TypeKind::Int) : Type::error();
    }
    // coalesce(a, b): the first that is not null, so both must be of one type.
    if (args[0].is_error() || args[1].is_error()) return Type::error();
    if (!equatable(args[0], args[1]) || args[0].kind == TypeKind::Regex) {
      sink_.error(DiagnosticKind::TypeMismatch, e.span,
                  "`coalesce` needs two values of one type, found " + code(args[0]) + " and " + code(args[1]));
      return Type::error();
    }
    if (args[0].kind == TypeKind::Null) return args[1];
    if (numeric(args[0].kind) && numeric(args[1].kind) && args[0].kind != args[1].kind) {
      return Type::of(TypeKind::Decimal);
    }
    return args[0];
  }

  Type check_unary(Expr& e) {
    if (e.children.empty()) return Type::error();
    const Type t = check(e.children[0].get());
    if (t.is_error()) return t;
    if (e.op == Op::Not) {
      if (t.kind == TypeKind::Bool) return t;
      sink_.error(DiagnosticKind::TypeMismatch, e.span, "`not` needs a `bool`, found " + code(t));
      return Type::error();
    }
    if (numeric(t.kind) || t.kind == TypeKind::Duration) return t;
    sink_.error(DiagnosticKind::TypeMismatch, e.span, "cannot negate " + code(t));
    return Type::error();
  }

  bool zero_divisor(const Expr& r) {
    if (r.kind == ExprKind::DecimalLit) return r.decimal_value == 0;
    auto v = constant_int(r);
    if (v) return *v == 0;
    if (const Expr* c = const_value(r)) return c->kind == ExprKind::DecimalLit && c->decimal_value == 0;
    return false;
  }

  Type arithmetic(Expr& e, Type l, Type r) {
    const TypeKind a = l.kind, b = r.kind;
    const auto D = TypeKind::Duration, T = TypeKind::Time, I = TypeKind::Int;
    switch (e.op) {
      case Op::Add:
        if (numeric(a) && numeric(b)) return Type::of(a == b ? a : TypeKind::Decimal);
        if ((a == T && b == D) || (a == D && b == T)) return Type::of(T);
        if (a == D && b == D) return Type::of(D);
        if (a == TypeKind::String && b == TypeKind::String) return l;
        break;
      case Op::Sub:
        if (numeric(a) && numeric(b)) return Type::of(a == b ? a : TypeKind::Decimal);
        if (a == T && b == D) return Type::of(T);
        if (a == T && b == T) return Type::of(D);
        if (a == D && b == D) return Type::of(D);
        break;
      case Op::Mul:
        if (numeric(a) && numeric(b)) return Type::of(a == b ? a : TypeKind::Decimal);
        if ((a == D && b == I) || (a == I && b == D)) return Type::of(D);
        break;
      case Op::Div:
        if (numeric(a) && numeric(b)) return Type::of(a == b ? a : TypeKind::Decimal);
        if (a == D && b == I) return Type::of(D);
        break;
      case Op::Mod:
        if (numeric(a) && numeric(b)) return Type::of(a == b ? a : TypeKind::Decimal);
        break;
      default:
        break;
    }
    sink_.error(DiagnosticKind::TypeMismatch, e.span,
                std::string("cannot ") + arith_verb(e.op) + " " + code(l) + " and " + code(r));
    return Type::error();
  }

  Type check_binary(Expr& e) {
    if (e.children.size() != 2 || !e.children[0] || !e.children[1]) return Type::error();
    Expr& left = *e.children[0];
    Expr& right = *e.children[1];
    const Type l = check(&left);
    if (e.op == Op::Matches) return check_matches(e, l, right);
    const Type r = check(&right);
    const Type boolean = Type::of(TypeKind::Bool);

    if ((e.op == Op::Div || e.op == Op::Mod) && zero_divisor(right)) {
      sink_.error(DiagnosticKind::DivisionByZero, right.span, "division by zero");
      return Type::error();
    }
    if (l.is_error() || r.is_error()) {
      // `x in <not a list>` is worth saying even when the left side was already wrong.
      if ((e.op == Op::In || e.op == Op::NotIn) && !r.is_error() && r.kind != TypeKind::List) in_non_list(right, r);
      return Type::error();
    }
    switch (e.op) {
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div:
      case Op::Mod:
        return arithmetic(e, l, r);
      case Op::Eq:
      case Op::Ne:
        if (equatable(l, r)) return boolean;
        break;
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge:
        if (ordered(l, r)) return boolean;
        break;
      case Op::In:
      case Op::NotIn:
        if (r.kind != TypeKind::List) {
          in_non_list(right, r);
          return Type::error();
        }
        if (l.kind == TypeKind::List || l.kind == TypeKind::Regex || !element_compatible(r.element, l.kind)) {
          sink_.error(DiagnosticKind::TypeMismatch, e.span, "cannot look for " + code(l) + " in " + code(r));
          return Type::error();
        }
        return boolean;
      case Op::And:
      case Op::Or:
        if (l.kind == TypeKind::Bool && r.kind == TypeKind::Bool) return boolean;
        sink_.error(DiagnosticKind::TypeMismatch, e.span,
                    std::string("`") + op_spelling(e.op) + "` needs `bool` operands, found " + code(l) + " and " +
                        code(r));
        return Type::error();
      default:
        return Type::error();
    }
    sink_.error(DiagnosticKind::TypeMismatch, e.span, "cannot compare " + code(l) + " with " + code(r));
    return Type::error();
  }

  void in_non_list(const Expr& right, Type r) {
    sink_.error(DiagnosticKind::InOnNonList, right.span, "the right side of `in` is " + code(r) + ", not a list");
  }

  Type check_matches(Expr& e, Type l, Expr& right) {
    check(&right);
    bool ok = !l.is_error();
    if (ok && l.kind != TypeKind::String) {
      sink_.error(DiagnosticKind::TypeMismatch, e.children[0]->span,
                  "`matches` needs a `string` on its left, found " + code(l));
      ok = false;
    }
    std::string pattern;
    std::string flags;
    if (right.kind == ExprKind::RegexLit) {
      pattern = right.name;
      flags = right.flags;
    } else if (auto text = plain_string(right)) {
      pattern = std::move(*text);
    } else {
      if (!right.type.is_error()) {
        sink_.error(DiagnosticKind::TypeMismatch, right.span,
                    "`matches` needs a regex or string literal on its right, found " + code(right.type))
            .help = "write the pattern literally, e.g. `/^(ceo|cto)$/i`";
      }
      return Type::error();
    }
    for (char f : flags) {
      if (f != 'i') {
        sink_.error(DiagnosticKind::InvalidRegex, right.span, "unknown regex flag " + code(std::string(1, f)))
            .help = "the only flag is `i` (ignore case)";
        return Type::error();
      }
    }
    if (auto error = regex_error(pattern, !flags.empty())) {
      sink_.error(DiagnosticKind::InvalidRegex, right.span, "invalid regular expression: " + *error);
      return Type::error();
    }
    return ok ? Type::of(TypeKind::Bool) : Type::error();
  }

  // Compiling a std::regex is slow, and generated rule sets repeat their patterns: each
  // distinct pattern is compiled once per compilation.
  const std::optional<std::string>& regex_error(const std::string& pattern, bool icase) {
    std::string key = (icase ? "i/" : "/") + pattern;
    auto it = regex_cache_.find(key);
    if (it != regex_cache_.end()) return it->second;
    std::optional<std::string> error;
    try {
      auto syntax = std::regex::ECMAScript;
      if (icase) syntax |= std::regex::icase;
      std::regex compiled(pattern, syntax);
    } catch (const std::regex_error& ex) {
      std::string what = ex.what();
      while (!what.empty() && (what.back() == '.' || what.back() == ' ')) what.pop_back();
      // libstdc++ ends most messages with this; our message already says it.
      constexpr std::string_view tail = " in regular expression";
      if (what.size() > tail.size() && what.compare(what.size() - tail.size(), tail.size(), tail) == 0) {
        what.resize(what.size() - tail.size());
      }
      if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
      error = what.empty() ? std::string("the pattern does not compile") : what;
    }
    return regex_cache_.emplace(std::move(key), std::move(error)).first->second;
  }

  // ------------------------------------------------------------ expectations

  std::string text(Span span) const {
    if (!span.valid() || span.source >= c_.sources.size()) return {};
    return std::string(c_.sources.text(span));
  }

  // `order by`: a value leads can be put in order by (a number, string, time or duration).
  void order_key(Expr* e) {
    const Type t = check(e);
    if (!e || t.is_error()) return;
    switch (t.kind) {
      case TypeKind::Int:
      case TypeKind::Decimal:
      case TypeKind::String:
      case TypeKind::Time:
      case TypeKind::Duration:
      case TypeKind::Null:
        return;
      default:
        sink_.error(DiagnosticKind::TypeMismatch, e->span,
                    "`order by` needs a number, string, time or duration, found " + code(t));
    }
  }

  void condition(Expr* e) {
    const Type t = check(e);
    if (!e || t.is_error() || t.kind == TypeKind::Bool) return;
    sink_.error(DiagnosticKind::ConditionNotBool, e->span, "expected a `bool` condition, found " + code(t));
  }

  void duration(Expr* e, std::string_view what) {
    const Type t = check(e);
    if (!e || t.is_error()) return;
    if (t.kind != TypeKind::Duration) {
      Diagnostic& d = sink_.error(DiagnosticKind::DurationExpected, e->span,
                                  "expected a duration for " + code(what) + ", found " + code(t));
      if (numeric(t.kind)) d.help = "add a unit, e.g. `30m`, `24h` or `3d`";
      return;
    }
    positive(*e, constant_seconds(*e), what);
  }

  void positive(const Expr& e, std::optional<std::int64_t> value, std::string_view what) {
    if (!value || *value > 0) return;
    const std::string shown = text(e.span);
    sink_.error(DiagnosticKind::NonPositiveDuration, e.span,
                code(what) + " needs a positive duration, found " + code(shown.empty() ? "0" : shown));
  }

  void expect_owner(Expr* e, std::string_view what) {
    const Type t = check(e);
    if (!e || t.is_error() || t.kind == TypeKind::String || t.kind == TypeKind::Null) return;
    sink_.error(DiagnosticKind::TypeMismatch, e->span,
                "expected a `string` for " + code(what) + ", found " + code(t));
  }

  void expect_string_list(Expr* e, std::string_view what) {
    const Type t = check(e);
    if (!e || t.is_error()) return;
    if (t.kind == TypeKind::List && (t.element == TypeKind::String || t.element == TypeKind::Null)) return;
    sink_.error(DiagnosticKind::TypeMismatch, e->span,
                "expected `list<string>` for " + code(what) + ", found " + code(t));
  }

  void check_set(SetClause& set) {
    const Type v = check(set.value.get());
    if (set.resolved_slot < 0 || !set.value) return;
    const LeadFieldInfo& field = sym_.lead_fields[static_cast<std::size_t>(set.resolved_slot)];
    if (assignable(field.type, v)) return;
    sink_.error(DiagnosticKind::TypeMismatch, set.value->span,
                "cannot set field " + code(field.name) + " of type " + code(field.type) + " to " + code(v));
  }

  // ------------------------------------------------------------ declarations

  void check_workflow(WorkflowDecl& wf) {
    for (Trigger& t : wf.triggers) check_trigger(t);
    for (EnrollPolicy& p : wf.policies) {
      if (p.kind == EnrollPolicyKind::AgainAfter) duration(p.cooldown.get(), "again after");
    }
    for (ExitRule& rule : wf.exits) condition(rule.condition.get());
    block(wf.steps);
  }

  void check_trigger(Trigger& t) {
    switch (t.kind) {
      case TriggerKind::Event:
        if (t.subject && t.subject->kind != ExprKind::Name) check(t.subject.get());
        condition(t.where.get());
        return;
      case TriggerKind::Becomes: {
        const Type field = check(t.subject.get());
        const Type v = check(t.value.get());
        if (!t.subject || !t.value || t.subject->kind != ExprKind::LeadField) return;
        if (!assignable(field, v)) {
          sink_.error(DiagnosticKind::TypeMismatch, t.value->span,
                      "field " + code(t.subject->name) + " is " + code(field) + ", but the value is " + code(v));
        }
        return;
      }
      case TriggerKind::Crosses: {
        const Type field = check(t.subject.get());
        const Type v = check(t.value.get());
        if (!t.subject || t.subject->kind != ExprKind::LeadField) return;
        if (!field.is_error() && !field.is_numeric()) {
          sink_.error(DiagnosticKind::TypeMismatch, t.subject->span,
                      "`crosses` needs a number field, but " + code(t.subject->name) + " is " + code(field));
        }
        if (t.value && !v.is_error() && !v.is_numeric()) {
          sink_.error(DiagnosticKind::TypeMismatch, t.value->span,
                      "`crosses` needs a number threshold, found " + code(v));
        }
        return;
      }
      case TriggerKind::Unchanged:
        condition(t.subject.get());
        duration(t.value.get(), "unchanged for");
        return;
    }
  }

  void block(Block& steps) {
    for (StepPtr& s : steps) {
      if (s) step(*s);
    }
  }

  void step(Step& s) {
    switch (s.kind) {
      case StepKind::Set:
        if (s.set) check_set(*s.set);
        return;
      case StepKind::Assign:
        if (s.assign_kind == AssignKind::Owner) expect_owner(s.owner.get(), "assign to");
        return;
      case StepKind::Task:
        check(s.title.get());
        if (s.due) duration(s.due.get(), "due");
        expect_owner(s.owner.get(), "owner");
        return;
      case StepKind::Send:
        expect_owner(s.owner.get(), "to");
        return;
      case StepKind::Notify:
        check(s.message.get());
        return;
      case StepKind::Wait:
        check_wait(s);
        return;
      case StepKind::If:
        for (IfArm& arm : s.arms) {
          condition(arm.condition.get());
          block(arm.body);
        }
        block(s.else_body);
        return;
      case StepKind::For:
        for (IfArm& arm : s.arms) {
          condition(arm.condition.get());
          block(arm.body);
        }
        order_key(s.order_by.get());
        block(s.else_body);
        return;
      default:
        return;
    }
  }

  void check_wait(Step& s) {
    switch (s.wait_kind) {
      case WaitKind::Duration:
        duration(s.amount.get(), "wait");
        return;
      case WaitKind::BusinessDays:
      case WaitKind::BusinessHours: {
        const Type t = check(s.amount.get());
        if (!s.amount || t.is_error()) return;
        const char* unit = s.wait_kind == WaitKind::BusinessDays ? "days" : "hours";
        if (t.kind != TypeKind::Int) {
          sink_.error(DiagnosticKind::TypeMismatch, s.amount->span,
                      std::string("`wait ... business ") + unit + "` needs an `int` count, found " + code(t));
          return;
        }
        auto n = constant_int(*s.amount);
        if (n && *n <= 0) {
          sink_.error(DiagnosticKind::NonPositiveDuration, s.amount->span,
                      "`wait` needs a positive number of business " + std::string(unit) + ", found " +
                          code(std::to_string(*n)));
        }
        return;
      }
      case WaitKind::Until: {
        const Type t = check(s.amount.get());
        if (!s.amount || t.is_error() || t.kind == TypeKind::Time) return;
        Diagnostic& d = sink_.error(DiagnosticKind::TypeMismatch, s.amount->span,
                                    "`wait until` needs a `time`, found " + code(t));
        if (t.kind == TypeKind::Duration) d.help = "to wait for a duration, write `wait " + text(s.amount->span) + "`";
        return;
      }
      case WaitKind::ForEvent:
        duration(s.amount.get(), "wait up to");
        condition(s.where.get());
        block(s.timeout_body);
        return;
    }
  }

  void check_scoring(ScoringDecl& decl) {
    for (ScoringRule& rule : decl.rules) {
      if (rule.kind == ScoringRuleKind::Inactive) {
        duration(rule.condition.get(), "inactive");
      } else {
        condition(rule.condition.get());
      }
    }
  }

  void check_router(RouterDecl& decl) {
    for (Route& route : decl.routes) {
      condition(route.condition.get());
      if (route.target.kind == TargetKind::Owner) expect_owner(route.target.owner.get(), "->");
    }
    if (decl.fallback && decl.fallback->kind == TargetKind::Owner) {
      expect_owner(decl.fallback->owner.get(), "fallback");
    }
  }

  void check_team(TeamDecl& decl) { expect_string_list(decl.members.get(), "members"); }

  void check_calendar(CalendarDecl& decl) {
    Expr* holidays = decl.holidays.get();
    expect_string_list(holidays, "holidays");
    if (!holidays || holidays->type.is_error()) return;
    const Expr* list = holidays;
    if (const Expr* v = const_value(*holidays)) list = v;
    if (list->kind != ExprKind::List) return;
    for (const ExprPtr& item : list->children) {
      if (!item) continue;
      auto text = plain_string(*item);
      if (!text || valid_date(*text)) continue;
      sink_.error(DiagnosticKind::TypeMismatch, item->span, code(*text) + " is not a valid date")
          .help = "write holidays as \"YYYY-MM-DD\", e.g. \"2026-12-25\"";
    }
  }

  Compilation& c_;
  const Symbols& sym_;
  DiagnosticSink& sink_;
  std::unordered_map<std::string, std::optional<std::string>> regex_cache_;
};

}  // namespace

void typecheck(Compilation& c) { Checker(c).run(); }

}  // namespace leadflow::dsl
