// The expression evaluator: one switch over flat code with a fixed-size value stack.
#include "engine/expr_eval.hpp"

#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace leadflow::engine {

namespace {

constexpr std::int64_t int_min = std::numeric_limits<std::int64_t>::min();

// Constant-initialised (Value's default constructor is constexpr): no guard on the hot path.
const Value null_value;

inline const Value& slot_or_null(std::span<const Value> values, std::int32_t index) {
  return index >= 0 && static_cast<std::size_t>(index) < values.size()
             ? values[static_cast<std::size_t>(index)]
             : null_value;
}

Value add(const Value& a, const Value& b) {
  const ValueKind ka = a.kind(), kb = b.kind();
  if (ka == ValueKind::Int && kb == ValueKind::Int) {
    std::int64_t r;
    if (__builtin_add_overflow(a.as_int(), b.as_int(), &r)) return Value();
    return Value::integer(r);
  }
  if (a.is_numeric() && b.is_numeric()) return Value::decimal(a.as_number() + b.as_number());
  std::int64_t r;
  if (ka == ValueKind::Time && kb == ValueKind::Duration) {
    if (__builtin_add_overflow(a.as_int(), b.as_int(), &r)) return Value();
    return Value::time(r);
  }
  if (ka == ValueKind::Duration && kb == ValueKind::Time) {
    if (__builtin_add_overflow(a.as_int(), b.as_int(), &r)) return Value();
    return Value::time(r);
  }
  if (ka == ValueKind::Duration && kb == ValueKind::Duration) {
    if (__builtin_add_overflow(a.as_int(), b.as_int(), &r)) return Value();
    return Value::duration(r);
  }
  if (ka == ValueKind::String && kb == ValueKind::String) {
    std::string s(a.as_string());
    s += b.as_string();
    return Value::string(std::move(s));
  }
  return Value();
}

Value sub(const Value& a, const Value& b) {
  const ValueKind ka = a.kind(), kb = b.kind();
  std::int64_t r;
  if (ka == ValueKind::Int && kb == ValueKind::Int) {
    if (__builtin_sub_overflow(a.as_int(), b.as_int(), &r)) return Value();
    return Value::integer(r);
  }
  if (a.is_numeric() && b.is_numeric()) return Value::decimal(a.as_number() - b.as_number());
  if (ka == ValueKind::Time && kb == ValueKind::Duration) {
    if (__builtin_sub_overflow(a.as_int(), b.as_int(), &r)) return Value();
    return Value::time(r);
  }
  if ((ka == ValueKind::Time && kb == ValueKind::Time) ||
      (ka == ValueKind::Duration && kb == ValueKind::Duration)) {
    if (__builtin_sub_overflow(a.as_int(), b.as_int(), &r)) return Value();
    return Value::duration(r);
  }
  return Value();
}

Value scale_duration(std::int64_t seconds, const Value& factor) {
  if (factor.kind() == ValueKind::Int) {
    std::int64_t r;
    if (__builtin_mul_overflow(seconds, factor.as_int(), &r)) return Value();
    return Value::duration(r);
  }
  double r = static_cast<double>(seconds) * factor.as_decimal();
  if (!std::isfinite(r) || std::fabs(r) > 9.2e18) return Value();
  return Value::duration(std::llround(r));
}

Value mul(const Value& a, const Value& b) {
  const ValueKind ka = a.kind(), kb = b.kind();
  if (ka == ValueKind::Int && kb == ValueKind::Int) {
    std::int64_t r;
    if (__builtin_mul_overflow(a.as_int(), b.as_int(), &r)) return Value();
    return Value::integer(r);
  }
  if (a.is_numeric() && b.is_numeric()) return Value::decimal(a.as_number() * b.as_number());
  if (ka == ValueKind::Duration && b.is_numeric()) return scale_duration(a.as_duration(), b);
  if (a.is_numeric() && kb == ValueKind::Duration) return scale_duration(b.as_duration(), a);
  return Value();
}

Value div(const Value& a, const Value& b) {
  const ValueKind ka = a.kind(), kb = b.kind();
  if (ka == ValueKind::Int && kb == ValueKind::Int) {
    if (b.as_int() == 0 || (a.as_int() == int_min && b.as_int() == -1)) return Value();
    return Value::integer(a.as_int() / b.as_int());
  }
  if (a.is_numeric() && b.is_numeric()) {
    if (b.as_number() == 0) return Value();
    return Value::decimal(a.as_number() / b.as_number());
  }
  if (ka == ValueKind::Duration && kb == ValueKind::Int) {
    if (b.as_int() == 0 || (a.as_int() == int_min && b.as_int() == -1)) return Value();
    return Value::duration(a.as_duration() / b.as_int());
  }
  if (ka == ValueKind::Duration && kb == ValueKind::Decimal) {
    if (b.as_decimal() == 0) return Value();
    double r = static_cast<double>(a.as_duration()) / b.as_decimal();
    if (!std::isfinite(r) || std::fabs(r) > 9.2e18) return Value();
    return Value::duration(std::llround(r));
  }
  if (ka == ValueKind::Duration && kb == ValueKind::Duration) {
    if (b.as_duration() == 0) return Value();
    return Value::decimal(static_cast<double>(a.as_duration()) / static_cast<double>(b.as_duration()));
  }
  return Value();
}

Value mod(const Value& a, const Value& b) {
  const ValueKind ka = a.kind(), kb = b.kind();
  if ((ka == ValueKind::Int && kb == ValueKind::Int) ||
      (ka == ValueKind::Duration && kb == ValueKind::Duration)) {
    if (b.as_int() == 0 || (a.as_int() == int_min && b.as_int() == -1)) return Value();
    std::int64_t r = a.as_int() % b.as_int();
    return ka == ValueKind::Int ? Value::integer(r) : Value::duration(r);
  }
  if (a.is_numeric() && b.is_numeric()) {
    if (b.as_number() == 0) return Value();
    return Value::decimal(std::fmod(a.as_number(), b.as_number()));
  }
  return Value();
}

bool search(const CompiledRegex& re, const Value& subject) {
  if (subject.kind() != ValueKind::String) return false;
  std::string_view s = subject.as_string();
  if (re.plain_traits) return std::regex_search(s.begin(), s.end(), re.plain);
  return std::regex_search(s.begin(), s.end(), re.re);
}

bool match_dynamic(const Value& subject, const Value& pattern, bool icase) {
  if (subject.kind() != ValueKind::String || pattern.kind() != ValueKind::String) return false;
  // A pattern only known at run time (an interpolated string) is compiled here; an invalid one
  // matches nothing rather than failing the run.
  try {
    auto flags = std::regex::ECMAScript;
    if (icase) flags |= std::regex::icase;
    std::regex re(std::string(pattern.as_string()), flags);
    std::string_view s = subject.as_string();
    return std::regex_search(s.begin(), s.end(), re);
  } catch (const std::regex_error&) {
    return false;
  }
}

std::string ascii_case(std::string_view s, bool upper) {
  std::string out(s);
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The domain of an email address (after the last `@`) or of a URL / bare host, lower case,
// without a leading `www.`.
std::string domain_of(std::string_view s) {
  if (auto at = s.rfind('@'); at != std::string_view::npos) {
    s.remove_prefix(at + 1);
  } else {
    if (auto scheme = s.find("://"); scheme != std::string_view::npos) s.remove_prefix(scheme + 3);
    if (auto end = s.find_first_of("/?#:"); end != std::string_view::npos) s = s.substr(0, end);
    if (s.size() > 4 && (s.substr(0, 4) == "www." || s.substr(0, 4) == "WWW.")) s.remove_prefix(4);
  }
  while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return ascii_case(s, false);
}

std::int64_t utf8_length(std::string_view s) {
  std::int64_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

bool compare_values(CmpOp cmp, const Value& a, const Value& b) {
  if (a.kind() == ValueKind::Int && b.kind() == ValueKind::Int) {
    const std::int64_t x = a.as_int(), y = b.as_int();
    switch (cmp) {
      case CmpOp::Eq: return x == y;
      case CmpOp::Ne: return x != y;
      case CmpOp::Lt: return x < y;
      case CmpOp::Le: return x <= y;
      case CmpOp::Gt: return x > y;
      case CmpOp::Ge: return x >= y;
    }
  }
  // A missing field (null) makes every comparison false; `== null` is compiled to IsNull.
  if (a.is_null() || b.is_null()) return false;
  switch (cmp) {
    case CmpOp::Eq: return a == b;
    case CmpOp::Ne: return !(a == b);
    case CmpOp::Lt: return (a <=> b) == std::partial_ordering::less;
    case CmpOp::Le: {
      auto c = a <=> b;
      return c == std::partial_ordering::less || c == std::partial_ordering::equivalent;
    }
    case CmpOp::Gt: return (a <=> b) == std::partial_ordering::greater;
    case CmpOp::Ge: {
      auto c = a <=> b;
      return c == std::partial_ordering::greater || c == std::partial_ordering::equivalent;
    }
  }
  return false;
}

bool value_in(const Value& needle, const Value& haystack) {
  if (needle.is_null()) return false;
  if (haystack.kind() == ValueKind::List) {
    if (needle.kind() == ValueKind::String) {
      const std::string_view s = needle.as_string();
      for (const Value& item : haystack.as_list()) {
        if (item.kind() == ValueKind::String && item.as_string() == s) return true;
      }
      return false;
    }
    for (const Value& item : haystack.as_list()) {
      if (!item.is_null() && item == needle) return true;
    }
    return false;
  }
  if (haystack.kind() == ValueKind::String && needle.kind() == ValueKind::String) {
    return haystack.as_string().find(needle.as_string()) != std::string_view::npos;
  }
  return false;
}

Value apply_unary(OpCode op, const Value& a) {
  switch (op) {
    case OpCode::Neg:
      if (a.kind() == ValueKind::Int) return a.as_int() == int_min ? Value() : Value::integer(-a.as_int());
      if (a.kind() == ValueKind::Decimal) return Value::decimal(-a.as_decimal());
      if (a.kind() == ValueKind::Duration) {
        return a.as_int() == int_min ? Value() : Value::duration(-a.as_duration());
      }
      return Value();
    case OpCode::Not: return Value::boolean(!a.truthy());
    case OpCode::Truthy: return Value::boolean(a.truthy());
    case OpCode::IsNull: return Value::boolean(a.is_null());
    case OpCode::IsNotNull: return Value::boolean(!a.is_null());
    default: return Value();
  }
}

Value apply_binary(OpCode op, const Value& a, const Value& b) {
  switch (op) {
    case OpCode::Add: return add(a, b);
    case OpCode::Sub: return sub(a, b);
    case OpCode::Mul: return mul(a, b);
    case OpCode::Div: return div(a, b);
    case OpCode::Mod: return mod(a, b);
    case OpCode::Eq: return Value::boolean(compare_values(CmpOp::Eq, a, b));
    case OpCode::Ne: return Value::boolean(compare_values(CmpOp::Ne, a, b));
    case OpCode::Lt: return Value::boolean(compare_values(CmpOp::Lt, a, b));
    case OpCode::Le: return Value::boolean(compare_values(CmpOp::Le, a, b));
    case OpCode::Gt: return Value::boolean(compare_values(CmpOp::Gt, a, b));
    case OpCode::Ge: return Value::boolean(compare_values(CmpOp::Ge, a, b));
    case OpCode::In: return Value::boolean(value_in(a, b));
    case OpCode::NotIn:
      // `not in` on a missing field is false too, like every condition on a missing field.
      if (a.is_null() || (b.kind() != ValueKind::List && b.kind() != ValueKind::String)) {
        return Value::boolean(false);
      }
      return Value::boolean(!value_in(a, b));
    default: return Value();
  }
}

Value call_builtin(Builtin fn, std::span<const Value> args, std::int64_t now) {
  auto arg = [&](std::size_t i) -> const Value& { return slot_or_null(args, static_cast<std::int32_t>(i)); };
  switch (fn) {
    case Builtin::DaysSince:
    case Builtin::HoursSince:
    case Builtin::MinutesSince: {
      const Value& t = arg(0);
      if (t.kind() != ValueKind::Time) return Value();
      std::int64_t unit = fn == Builtin::DaysSince ? 86400 : fn == Builtin::HoursSince ? 3600 : 60;
      std::int64_t elapsed;
      if (__builtin_sub_overflow(now, t.as_time(), &elapsed)) return Value();
      return Value::integer(floor_div(elapsed, unit));
    }
    case Builtin::Lower:
    case Builtin::Upper:
      if (arg(0).kind() != ValueKind::String) return Value();
      return Value::string(ascii_case(arg(0).as_string(), fn == Builtin::Upper));
    case Builtin::Length:
      if (arg(0).kind() == ValueKind::String) return Value::integer(utf8_length(arg(0).as_string()));
      if (arg(0).kind() == ValueKind::List) return Value::integer(static_cast<std::int64_t>(arg(0).as_list().size()));
      return Value();
    case Builtin::Domain:
      if (arg(0).kind() != ValueKind::String) return Value();
      return Value::string(domain_of(arg(0).as_string()));
    case Builtin::Coalesce:
      for (const Value& v : args) {
        if (!v.is_null()) return v;
      }
      return Value();
  }
  return Value();
}

namespace {

// The evaluator's value stack over raw storage: only the slots in use are ever constructed or
// destroyed, so a short condition does not pay for sixteen constructors and destructors.
class ValueStack {
 public:
  ValueStack(std::byte* storage) : base_(reinterpret_cast<Value*>(storage)) {}
  ValueStack(const ValueStack&) = delete;
  ValueStack& operator=(const ValueStack&) = delete;
  ~ValueStack() {
    while (sp_ > 0) pop();
  }

  void push(const Value& v) { new (base_ + sp_++) Value(v); }
  void push(Value&& v) { new (base_ + sp_++) Value(std::move(v)); }
  void pop() { base_[--sp_].~Value(); }
  Value& top() { return base_[sp_ - 1]; }
  Value& below_top() { return base_[sp_ - 2]; }
  Value* data() { return base_; }
  std::size_t size() const { return sp_; }
  void drop(std::size_t n) {
    while (n-- > 0) pop();
  }

 private:
  Value* base_;
  std::size_t sp_ = 0;
};

}  // namespace

namespace {

// The bool_only fast path: the same semantics as the general loop below, on plain bools.
bool evaluate_bools(const ExprCode& code, std::span<const Value> lead, std::span<const Value> event) {
  constexpr std::size_t inline_depth = 32;
  bool inline_stack[inline_depth];
  std::unique_ptr<bool[]> heap_stack;
  bool* stack = inline_stack;
  if (code.max_stack > inline_depth) {
    heap_stack.reset(new bool[code.max_stack]);
    stack = heap_stack.get();
  }
  std::size_t sp = 0;
  const Instr* instrs = code.code.data();
  const std::size_t count = code.code.size();
  for (std::size_t pc = 0; pc < count; ++pc) {
    const Instr& in = instrs[pc];
    switch (in.op) {
      case OpCode::LeadCmpConst:
        stack[sp++] = compare_values(static_cast<CmpOp>(in.c), slot_or_null(lead, in.a),
                                     code.consts[static_cast<std::size_t>(in.b)]);
        break;
      case OpCode::EventCmpConst:
        stack[sp++] = compare_values(static_cast<CmpOp>(in.c), slot_or_null(event, in.a),
                                     code.consts[static_cast<std::size_t>(in.b)]);
        break;
      case OpCode::LeadInConst: {
        const Value& needle = slot_or_null(lead, in.a);
        bool found = value_in(needle, code.consts[static_cast<std::size_t>(in.b)]);
        stack[sp++] = in.c ? !needle.is_null() && !found : found;
        break;
      }
      case OpCode::LeadMatch:
        stack[sp++] = search(*code.regexes[static_cast<std::size_t>(in.b)], slot_or_null(lead, in.a));
        break;
      case OpCode::JumpIfFalse:
        if (!stack[sp - 1]) {
          pc = static_cast<std::size_t>(in.a) - 1;
        } else {
          --sp;
        }
        break;
      case OpCode::JumpIfTrue:
        if (stack[sp - 1]) {
          pc = static_cast<std::size_t>(in.a) - 1;
        } else {
          --sp;
        }
        break;
      case OpCode::Not: stack[sp - 1] = !stack[sp - 1]; break;
      case OpCode::Truthy: break;
      default: return false;  // not bool_only: never reached
    }
  }
  return sp > 0 && stack[sp - 1];
}

}  // namespace

bool evaluate_condition(const ExprCode& code, std::span<const Value> lead, std::span<const Value> event,
                        std::int64_t now) {
  if (code.bool_only) return evaluate_bools(code, lead, event);
  return evaluate(code, lead, event, now).truthy();
}

Value evaluate(const ExprCode& code, std::span<const Value> lead, std::span<const Value> event,
               std::int64_t now) {
  if (code.code.empty()) return Value();
  if (code.bool_only) return Value::boolean(evaluate_bools(code, lead, event));
  // Conditions need a handful of slots; the heap is only touched by unusually deep expressions.
  constexpr std::size_t inline_depth = 16;
  alignas(Value) std::byte inline_storage[inline_depth * sizeof(Value)];
  std::unique_ptr<std::byte[]> heap_storage;
  std::byte* storage = inline_storage;
  if (code.max_stack > inline_depth) {
    heap_storage.reset(new std::byte[code.max_stack * sizeof(Value)]);
    storage = heap_storage.get();
  }
  ValueStack st(storage);

  const Instr* instrs = code.code.data();
  const std::size_t count = code.code.size();
  for (std::size_t pc = 0; pc < count; ++pc) {
    const Instr& in = instrs[pc];
    switch (in.op) {
      case OpCode::PushConst: st.push(code.consts[static_cast<std::size_t>(in.a)]); break;
      case OpCode::LoadLead: st.push(slot_or_null(lead, in.a)); break;
      case OpCode::LoadEvent: st.push(slot_or_null(event, in.a)); break;
      case OpCode::LoadNow: st.push(Value::time(now)); break;

      case OpCode::Neg:
      case OpCode::Not:
      case OpCode::Truthy:
      case OpCode::IsNull:
      case OpCode::IsNotNull: st.top() = apply_unary(in.op, st.top()); break;

      case OpCode::Add:
      case OpCode::Sub:
      case OpCode::Mul:
      case OpCode::Div:
      case OpCode::Mod:
      case OpCode::Eq:
      case OpCode::Ne:
      case OpCode::Lt:
      case OpCode::Le:
      case OpCode::Gt:
      case OpCode::Ge:
      case OpCode::In:
      case OpCode::NotIn:
        st.below_top() = apply_binary(in.op, st.below_top(), st.top());
        st.pop();
        break;

      case OpCode::MatchRegex:
        st.top() = Value::boolean(search(*code.regexes[static_cast<std::size_t>(in.a)], st.top()));
        break;
      case OpCode::MatchDynamic:
        st.below_top() = Value::boolean(match_dynamic(st.below_top(), st.top(), in.c != 0));
        st.pop();
        break;

      case OpCode::LeadCmpConst:
        st.push(Value::boolean(compare_values(static_cast<CmpOp>(in.c), slot_or_null(lead, in.a),
                                              code.consts[static_cast<std::size_t>(in.b)])));
        break;
      case OpCode::EventCmpConst:
        st.push(Value::boolean(compare_values(static_cast<CmpOp>(in.c), slot_or_null(event, in.a),
                                              code.consts[static_cast<std::size_t>(in.b)])));
        break;
      case OpCode::LeadInConst: {
        const Value& needle = slot_or_null(lead, in.a);
        bool found = value_in(needle, code.consts[static_cast<std::size_t>(in.b)]);
        // `not in` on a missing field is false, like every condition on a missing field.
        st.push(Value::boolean(in.c ? !needle.is_null() && !found : found));
        break;
      }
      case OpCode::LeadMatch:
        st.push(Value::boolean(search(*code.regexes[static_cast<std::size_t>(in.b)], slot_or_null(lead, in.a))));
        break;

      case OpCode::JumpIfFalse:
        if (!st.top().truthy()) {
          st.top() = Value::boolean(false);
          pc = static_cast<std::size_t>(in.a) - 1;
        } else {
          st.pop();
        }
        break;
      case OpCode::JumpIfTrue:
        if (st.top().truthy()) {
          st.top() = Value::boolean(true);
          pc = static_cast<std::size_t>(in.a) - 1;
        } else {
          st.pop();
        }
        break;

      case OpCode::Concat: {
        std::string out;
        const std::size_t n = static_cast<std::size_t>(in.a);
        Value* first = st.data() + st.size() - n;
        for (std::size_t i = 0; i < n; ++i) append_display(out, first[i]);
        st.drop(n);
        st.push(Value::string(std::move(out)));
        break;
      }
      case OpCode::MakeList: {
        const std::size_t n = static_cast<std::size_t>(in.a);
        Value* first = st.data() + st.size() - n;
        std::vector<Value> items(std::make_move_iterator(first), std::make_move_iterator(first + n));
        st.drop(n);
        st.push(Value::list(std::move(items)));
        break;
      }
      case OpCode::Call: {
        const std::size_t n = static_cast<std::size_t>(in.b);
        Value result = call_builtin(static_cast<Builtin>(in.a),
                                    std::span<const Value>(st.data() + st.size() - n, n), now);
        st.drop(n);
        st.push(std::move(result));
        break;
      }
    }
  }
  return st.size() > 0 ? std::move(st.top()) : Value();
}

}  // namespace leadflow::engine
