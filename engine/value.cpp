// Value: storage, comparison, and the text forms used by traces, JSON output and interpolation.
#include "engine/value.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <utility>

namespace leadflow::engine {

const char* kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::Null: return "null";
    case ValueKind::Bool: return "bool";
    case ValueKind::Int: return "int";
    case ValueKind::Decimal: return "decimal";
    case ValueKind::String: return "string";
    case ValueKind::Time: return "time";
    case ValueKind::Duration: return "duration";
    case ValueKind::List: return "list";
  }
  return "null";
}

static_assert(sizeof(Value) == 16, "Value must stay two words");

void Value::retain_heap() const noexcept {
  // Relaxed is enough for an increment: the new owner already holds a reference.
  if (kind_ == ValueKind::String) {
    bits_.s->refs.fetch_add(1, std::memory_order_relaxed);
  } else if (kind_ == ValueKind::List) {
    bits_.l->refs.fetch_add(1, std::memory_order_relaxed);
  }
}

void Value::release_heap() noexcept {
  if (kind_ == ValueKind::String) {
    if (bits_.s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete bits_.s;
  } else if (kind_ == ValueKind::List) {
    if (bits_.l->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete bits_.l;
  }
}

Value Value::boolean(bool b) {
  Value v;
  v.kind_ = ValueKind::Bool;
  v.bits_.i = 0;
  v.bits_.b = b;
  return v;
}

Value Value::integer(std::int64_t i) {
  Value v;
  v.kind_ = ValueKind::Int;
  v.bits_.i = i;
  return v;
}

Value Value::decimal(double d) {
  Value v;
  v.kind_ = ValueKind::Decimal;
  v.bits_.d = d;
  return v;
}

Value Value::string(std::string_view s) { return string(std::string(s)); }

Value Value::string(std::string&& s) {
  Value v;
  auto* rep = new StringRep;
  rep->text = std::move(s);
  v.kind_ = ValueKind::String;
  v.bits_.s = rep;
  return v;
}

Value Value::time(std::int64_t unix_seconds) {
  Value v;
  v.kind_ = ValueKind::Time;
  v.bits_.i = unix_seconds;
  return v;
}

Value Value::duration(std::int64_t seconds) {
  Value v;
  v.kind_ = ValueKind::Duration;
  v.bits_.i = seconds;
  return v;
}

Value Value::list(std::vector<Value> items) {
  Value v;
  auto* rep = new ListRep;
  rep->items = std::move(items);
  v.kind_ = ValueKind::List;
  v.bits_.l = rep;
  return v;
}

// ---------------------------------------------------------------- comparison

bool operator==(const Value& a, const Value& b) {
  if (a.is_numeric() && b.is_numeric()) {
    if (a.kind() == ValueKind::Int && b.kind() == ValueKind::Int) return a.as_int() == b.as_int();
    return a.as_number() == b.as_number();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case ValueKind::Null: return true;
    case ValueKind::Bool: return a.as_bool() == b.as_bool();
    case ValueKind::String: return a.as_string() == b.as_string();
    case ValueKind::Time:
    case ValueKind::Duration: return a.as_int() == b.as_int();
    case ValueKind::List: {
      auto x = a.as_list();
      auto y = b.as_list();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!(x[i] == y[i])) return false;
      }
      return true;
    }
    case ValueKind::Int:
    case ValueKind::Decimal: break;  // handled above
  }
  return false;
}

std::partial_ordering operator<=>(const Value& a, const Value& b) {
  if (a.is_numeric() && b.is_numeric()) {
    if (a.kind() == ValueKind::Int && b.kind() == ValueKind::Int) return a.as_int() <=> b.as_int();
    return a.as_number() <=> b.as_number();
  }
  if (a.kind() != b.kind()) return std::partial_ordering::unordered;
  switch (a.kind()) {
    case ValueKind::Null: return std::partial_ordering::equivalent;
    case ValueKind::Bool: return a.as_bool() <=> b.as_bool();
    case ValueKind::String: return a.as_string() <=> b.as_string();
    case ValueKind::Time:
    case ValueKind::Duration: return a.as_int() <=> b.as_int();
    case ValueKind::List: {
      auto x = a.as_list();
      auto y = b.as_list();
      for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        auto c = x[i] <=> y[i];
        if (c != std::partial_ordering::equivalent) return c;
      }
      return x.size() <=> y.size();
    }
    case ValueKind::Int:
    case ValueKind::Decimal: break;
  }
  return std::partial_ordering::unordered;
}

// ---------------------------------------------------------------- calendar

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& year, unsigned& month, unsigned& day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2);
}

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool read_digits(std::string_view s, std::size_t& pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < count; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += count;
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

}  // namespace

std::string format_time(std::int64_t t) {
  std::int64_t days = floor_div(t, 86400);
  std::int64_t secs = t - days * 86400;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  if (y < 0 || y > 9999) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m, d,
                  static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                  static_cast<int>(secs % 60));
    return buf;
  }
  // Every timeline line starts with one of these (millions in a large dry run): digits by hand,
  // not snprintf, which was a seventh of a dry run's instructions.
  const auto year = static_cast<unsigned>(y);
  const auto hour = static_cast<unsigned>(secs / 3600), minute = static_cast<unsigned>(secs / 60 % 60),
             second = static_cast<unsigned>(secs % 60);
  auto digit = [](unsigned v) { return static_cast<char>('0' + v); };
  const char text[20] = {digit(year / 1000), digit(year / 100 % 10), digit(year / 10 % 10), digit(year % 10), '-',
                         digit(m / 10), digit(m % 10), '-', digit(d / 10), digit(d % 10), 'T',
                         digit(hour / 10), digit(hour % 10), ':', digit(minute / 10), digit(minute % 10), ':',
                         digit(second / 10), digit(second % 10), 'Z'};
  return std::string(text, sizeof text);
}

std::optional<std::int64_t> parse_time(std::string_view s) {
  std::size_t pos = 0;
  int year, month, day;
  if (!read_digits(s, pos, 4, year) || !expect(s, pos, '-') || !read_digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month))) {
    return std::nullopt;
  }
  int hour = 0, minute = 0, second = 0;
  std::int64_t offset = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    ++pos;
    if (!read_digits(s, pos, 2, hour) || !expect(s, pos, ':') || !read_digits(s, pos, 2, minute)) {
      return std::nullopt;
    }
    if (expect(s, pos, ':')) {
      if (!read_digits(s, pos, 2, second)) return std::nullopt;
      if (expect(s, pos, '.')) {  // fractional seconds are accepted and dropped
        std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start) return std::nullopt;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    if (pos < s.size()) {
      char c = s[pos];
      if (c == 'Z' || c == 'z') {
        ++pos;
      } else if (c == '+' || c == '-') {
        ++pos;
        int oh, om;
        if (!read_digits(s, pos, 2, oh)) return std::nullopt;
        expect(s, pos, ':');
        if (!read_digits(s, pos, 2, om) || oh > 23 || om > 59) return std::nullopt;
        offset = (oh * 3600 + om * 60) * (c == '+' ? 1 : -1);
      } else {
        return std::nullopt;
      }
    }
  }
  if (pos != s.size()) return std::nullopt;
  std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * 86400 + hour * 3600 + minute * 60 + second - offset;
}

std::string format_duration(std::int64_t seconds) {
  if (seconds == 0) return "0s";
  std::string out;
  // Work in unsigned so that the most negative value does not overflow when negated.
  std::uint64_t rest = seconds < 0 ? 0 - static_cast<std::uint64_t>(seconds) : static_cast<std::uint64_t>(seconds);
  if (seconds < 0) out += '-';
  struct Unit {
    std::uint64_t size;
    char name;
  };
  static constexpr Unit units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (const Unit& u : units) {
    if (rest >= u.size) {
      out += std::to_string(rest / u.size);
      out += u.name;
      rest %= u.size;
    }
  }
  return out;
}

std::optional<std::int64_t> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t pos = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    pos = 1;
  }
  if (pos == s.size()) return std::nullopt;
  while (pos < s.size()) {
    std::int64_t n = 0;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, s[pos] - '0', &n)) {
        return std::nullopt;
      }
      ++pos;
    }
    if (pos == start || pos == s.size()) return std::nullopt;
    std::int64_t unit;
    switch (s[pos]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      case 'w': unit = 7 * 86400; break;
      default: return std::nullopt;
    }
    ++pos;
    if (__builtin_mul_overflow(n, unit, &n) || __builtin_add_overflow(total, n, &total)) {
      return std::nullopt;
    }
  }
  return negative ? -total : total;
}

// ---------------------------------------------------------------- text forms

namespace {

// Whether none of eight bytes needs an escape in a JSON string (a control character, `"` or `\`).
// Bitwise tests on the whole word; each is exact about whether any byte matches (a borrow starts
// only at a byte that matches, and bytes with the high bit set, UTF-8, never count).
bool plain_json_word(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  auto any_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
  const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
  return (below_space | any_zero(w ^ (ones * '"')) | any_zero(w ^ (ones * '\\'))) == 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  std::size_t plain = 0;  // characters of `s` before `i` already copied
  for (std::size_t i = 0; i < s.size(); ++i) {
    // Almost every string written (names, ids, reasons, stored lead states, every dry-run line)
    // has nothing to escape: skip it eight bytes at a time, then copy the run in one go.
    while (i + 8 <= s.size()) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (!plain_json_word(w)) break;
      i += 8;
    }
    if (i == s.size()) break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;  // copied with its run, below
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        }
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

namespace {

void append_decimal(std::string& out, double d) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, static_cast<std::size_t>(res.ptr - buf));
  out += text;
  // A decimal keeps looking like one: 2.0, not 2.
  if (text.find_first_of(".eEn") == std::string_view::npos) out += ".0";
}

enum class Form { Trace, Json, Display };

void append_value(std::string& out, const Value& v, Form form) {
  switch (v.kind()) {
    case ValueKind::Null:
      if (form != Form::Display) out += "null";
      return;
    case ValueKind::Bool: out += v.as_bool() ? "true" : "false"; return;
    case ValueKind::Int: out += std::to_string(v.as_int()); return;
    case ValueKind::Decimal:
      if (!std::isfinite(v.as_decimal())) {
        out += form == Form::Json ? "null" : (std::isnan(v.as_decimal()) ? "nan" : v.as_decimal() > 0 ? "inf" : "-inf");
        return;
      }
      append_decimal(out, v.as_decimal());
      return;
    case ValueKind::String:
      if (form == Form::Display) {
        out += v.as_string();
      } else {
        append_json_string(out, v.as_string());
      }
      return;
    case ValueKind::Time:
      if (form == Form::Json) {
        out += '"' + format_time(v.as_time()) + '"';
      } else {
        out += format_time(v.as_time());
      }
      return;
    case ValueKind::Duration:
      if (form == Form::Json) {
        out += '"' + format_duration(v.as_duration()) + '"';
      } else {
        out += format_duration(v.as_duration());
      }
      return;
    case ValueKind::List: {
      out += '[';
      bool first = true;
      // Inside a list, strings keep their quotes even when interpolated, so items stay apart.
      Form inner = form == Form::Display ? Form::Trace : form;
      for (const Value& item : v.as_list()) {
        if (!first) out += form == Form::Json ? "," : ", ";
        first = false;
        append_value(out, item, inner);
      }
      out += ']';
      return;
    }
  }
}

}  // namespace

std::string to_trace(const Value& v) {
  std::string out;
  append_value(out, v, Form::Trace);
  return out;
}

std::string to_json(const Value& v) {
  std::string out;
  append_value(out, v, Form::Json);
  return out;
}

void append_json(std::string& out, const Value& v) { append_value(out, v, Form::Json); }

std::string to_display(const Value& v) {
  std::string out;
  append_value(out, v, Form::Display);
  return out;
}

void append_display(std::string& out, const Value& v) { append_value(out, v, Form::Display); }

}  // namespace leadflow::engine
