// Typed runtime values of the engine: 16 bytes, cheap to copy, ordered for comparisons.
//
// Scalars live inline; strings and lists sit behind an intrusive, atomically counted pointer so
// a copy is one increment and a Program's constants can be shared by runs on any thread.
// Missing lead fields and failed operations (division by zero, overflow) are `null`.
#pragma once

#include <atomic>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace leadflow::engine {

enum class ValueKind : std::uint8_t { Null, Bool, Int, Decimal, String, Time, Duration, List };

// "null", "bool", "int", "decimal", "string", "time", "duration", "list".
const char* kind_name(ValueKind kind);

class Value {
 public:
  constexpr Value() noexcept : bits_{0} {}
  Value(const Value& other) noexcept : kind_(other.kind_), bits_(other.bits_) { retain(); }
  Value(Value&& other) noexcept : kind_(other.kind_), bits_(other.bits_) {
    other.kind_ = ValueKind::Null;
    other.bits_.i = 0;
  }
  Value& operator=(const Value& other) noexcept {
    if (this != &other) {
      other.retain();
      release();
      kind_ = other.kind_;
      bits_ = other.bits_;
    }
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      release();
      kind_ = other.kind_;
      bits_ = other.bits_;
      other.kind_ = ValueKind::Null;
      other.bits_.i = 0;
    }
    return *this;
  }
  ~Value() { release(); }

  static Value null() { return Value(); }
  static Value boolean(bool b);
  static Value integer(std::int64_t i);
  static Value decimal(double d);
  static Value string(std::string_view s);
  static Value string(std::string&& s);
  static Value string(const char* s) { return string(std::string_view(s)); }
  static Value time(std::int64_t unix_seconds);
  static Value duration(std::int64_t seconds);
  static Value list(std::vector<Value> items);

  ValueKind kind() const { return kind_; }
  bool is_null() const { return kind_ == ValueKind::Null; }
  bool is_numeric() const { return kind_ == ValueKind::Int || kind_ == ValueKind::Decimal; }

  // Accessors do not convert: the caller checks kind() first.
  bool as_bool() const { return bits_.b; }
  std::int64_t as_int() const { return bits_.i; }
  double as_decimal() const { return bits_.d; }
  std::int64_t as_time() const { return bits_.i; }
  std::int64_t as_duration() const { return bits_.i; }
  std::string_view as_string() const;  // empty unless a String
  std::span<const Value> as_list() const;  // empty unless a List
  // Int or Decimal as a double.
  double as_number() const { return kind_ == ValueKind::Int ? static_cast<double>(bits_.i) : bits_.d; }

  // Conditions: only `true` is true; null (a missing field) and every other value are false.
  bool truthy() const { return kind_ == ValueKind::Bool && bits_.b; }
  // The same kind and the same bits: the same scalar, or a copy sharing the same string or list
  // block. A quick "certainly unchanged" before the full comparison (false says nothing).
  bool identical(const Value& other) const { return kind_ == other.kind_ && bits_.i == other.bits_.i; }

 private:
  struct StringRep {
    std::atomic<std::uint32_t> refs{1};
    std::string text;
  };
  struct ListRep {
    std::atomic<std::uint32_t> refs{1};
    std::vector<Value> items;
  };

  bool on_heap() const noexcept { return kind_ == ValueKind::String || kind_ == ValueKind::List; }
  // Scalars never touch a counter; only strings and lists take the out-of-line path.
  void retain() const noexcept {
    if (on_heap()) retain_heap();
  }
  void release() noexcept {
    if (on_heap()) release_heap();
  }
  void retain_heap() const noexcept;
  void release_heap() noexcept;

  ValueKind kind_ = ValueKind::Null;
  union Bits {
    std::int64_t i;  // first, so `bits_{0}` zeroes all eight bytes
    bool b;
    double d;
    StringRep* s;
    ListRep* l;
  } bits_;
};

inline std::string_view Value::as_string() const {
  return kind_ == ValueKind::String ? std::string_view(bits_.s->text) : std::string_view();
}

inline std::span<const Value> Value::as_list() const {
  return kind_ == ValueKind::List ? std::span<const Value>(bits_.l->items) : std::span<const Value>();
}

// Equality across kinds: int and decimal compare numerically, null equals null, lists compare
// element-wise; values of unrelated kinds are unequal.
bool operator==(const Value& a, const Value& b);
// Ordering: numbers numerically, strings bytewise, times and durations by seconds, bools
// false < true, lists lexicographically. Unrelated kinds (and null against non-null) are
// unordered, so `<`, `>` on them are false, which is what a condition on a missing field needs.
std::partial_ordering operator<=>(const Value& a, const Value& b);

// The trace form: `"DE"`, `120`, `4.5`, `true`, `null`, `2026-01-05T09:00:00Z`, `1h30m`,
// `["DE", "AT"]`.
std::string to_trace(const Value& v);
// JSON for effect and state output: times and durations become JSON strings
// (`"2026-01-05T09:00:00Z"`, `"30m"`), non-finite decimals become null.
std::string to_json(const Value& v);
void append_json(std::string& out, const Value& v);
// The text a value contributes to string interpolation: strings unquoted, null as nothing.
std::string to_display(const Value& v);
void append_display(std::string& out, const Value& v);

// JSON string literal with escapes (quotes included).
void append_json_string(std::string& out, std::string_view s);

// Times are seconds since the Unix epoch, UTC.
std::string format_time(std::int64_t unix_seconds);  // 2026-01-05T09:00:00Z
// Accepts `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z`, `+HH:MM`, `-HH:MM` or
// nothing (UTC).
std::optional<std::int64_t> parse_time(std::string_view text);
// Durations print in the largest whole units: 30m, 1h30m, 2d, 0s, -5m.
std::string format_duration(std::int64_t seconds);
// Accepts the .flow spelling: one or more `<digits><unit>`, unit s m h d w; e.g. 1h30m.
std::optional<std::int64_t> parse_duration(std::string_view text);

// Proleptic Gregorian calendar helpers (days since 1970-01-01).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day);

}  // namespace leadflow::engine
