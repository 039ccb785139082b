// Compiled expressions: a flat list of stack-machine instructions over lead slots, event field
// indices and a constant pool, and the builder that emits them.
//
// Like souffle's interpreter (src/interpreter/Node.h) the evaluator is one switch over a dense
// opcode, not a visitor over a tree: no names are looked up at run time, constants are folded
// and pooled, regexes are compiled once, and the commonest shapes (`lead.x > 50`,
// `lead.country in target_countries`, `lead.title matches /.../`) are fused into one
// instruction that compares in place without copying the field's value.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/value.hpp"

namespace leadflow::engine {

enum class OpCode : std::uint8_t {
  // Loads: push one value.
  PushConst,  // a = const index
  LoadLead,   // a = lead slot (null when the slot is missing)
  LoadEvent,  // a = event field index (null when there is no event or no such field)
  LoadNow,

  // Unary: replace the top.
  Neg,
  Not,        // !truthy
  Truthy,     // bool(truthy): normalises the right operand of and/or
  IsNull,     // `x == null`
  IsNotNull,  // `x != null`

  // Binary: pop two, push one.
  Add, Sub, Mul, Div, Mod,
  Eq, Ne, Lt, Le, Gt, Ge,  // false when either side is null or the kinds are unrelated
  In, NotIn,               // list membership (or substring when the right side is a string)

  MatchRegex,    // replace the top: does it match regexes[a]
  MatchDynamic,  // pop pattern, pop subject; c = 1 for case-insensitive

  // Fused: push one.
  LeadCmpConst,   // compare lead[a] with consts[b] by the comparison `c` (a CmpOp)
  EventCmpConst,  // compare event[a] with consts[b] by the comparison `c`
  LeadInConst,    // lead[a] in consts[b]; c = 1 for `not in`
  LeadMatch,      // lead[a] matches regexes[b]

  // Control.
  JumpIfFalse,  // top falsy: replace it with false and jump to a; else pop it (`and`)
  JumpIfTrue,   // top truthy: replace it with true and jump to a; else pop it (`or`)

  // Variadic.
  Concat,    // pop a values, push their display text joined (string interpolation)
  MakeList,  // pop a values, push a list of them
  Call,      // a = Builtin, b = argument count
};

// The comparisons carried by the fused instructions (in `Instr::c`).
enum class CmpOp : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

enum class Builtin : std::uint8_t {
  DaysSince, HoursSince, MinutesSince, Lower, Upper, Length, Domain, Coalesce,
};
std::optional<Builtin> builtin_by_name(std::string_view name);
const char* builtin_name(Builtin b);
const char* opcode_name(OpCode op);

struct Instr {
  OpCode op;
  std::uint8_t c = 0;
  std::int32_t a = 0;
  std::int32_t b = 0;
};

// std::regex_traits<char> with the same answers, but the per-character ones come from tables
// filled once from the locale when the regex is compiled: libstdc++'s traits look the ctype
// facet up on every call (use_facet, a dynamic_cast), once per character for `i` (case folding)
// and twice per position for `\b` (is this a word character). The executor calls these members
// on the traits type it was given, so hiding the base's members is enough.
struct RegexTraits : std::regex_traits<char> {
  RegexTraits() { fill(); }
  locale_type imbue(locale_type loc) {
    locale_type old = std::regex_traits<char>::imbue(loc);
    fill();
    return old;
  }
  char translate_nocase(char c) const { return lower_[static_cast<unsigned char>(c)]; }
  template <typename It>
  char_class_type lookup_classname(It first, It last, bool icase = false) const {
    if (last - first == 1 && *first == 'w') return word_class_;  // `\b`, `\w`: icase changes nothing
    return std::regex_traits<char>::lookup_classname(first, last, icase);
  }
  bool isctype(char c, char_class_type f) const {
    if (f == word_class_) return word_[static_cast<unsigned char>(c)];
    return std::regex_traits<char>::isctype(c, f);
  }

 private:
  void fill() {
    static const char w[] = "w";
    word_class_ = std::regex_traits<char>::lookup_classname(w, w + 1, false);
    for (int i = 0; i < 256; ++i) {
      const char c = static_cast<char>(i);
      lower_[i] = std::regex_traits<char>::translate_nocase(c);
      word_[i] = std::regex_traits<char>::isctype(c, word_class_);
    }
  }
  char lower_[256] = {};
  bool word_[256] = {};
  char_class_type word_class_{};
};

// A regex compiled once per program (ECMAScript syntax, searched, not anchored). With `i` and a
// back-reference (`\1`) it stays a std::regex: libstdc++ compares back-references without case
// only for std::regex_traits itself.
struct CompiledRegex {
  std::string pattern;
  bool icase = false;
  bool plain_traits = false;  // `plain` is the one to search, not `re`
  std::basic_regex<char, RegexTraits> re;
  std::regex plain;
};

// Shares one CompiledRegex per (pattern, flags) across all the expressions of a program.
class RegexPool {
 public:
  // Null and `error` set when the pattern does not compile.
  std::shared_ptr<const CompiledRegex> get(const std::string& pattern, bool icase, std::string* error);
  std::size_t size() const { return regexes_.size(); }

 private:
  std::map<std::pair<std::string, bool>, std::shared_ptr<const CompiledRegex>> regexes_;
};

class ExprCode {
 public:
  std::vector<Instr> code;
  std::vector<Value> consts;
  std::vector<std::shared_ptr<const CompiledRegex>> regexes;
  std::vector<std::int32_t> lead_reads;   // distinct lead slots read, ascending (for traces)
  std::vector<std::int32_t> event_reads;  // distinct event field indices read, ascending
  std::uint32_t max_stack = 0;
  bool reads_now = false;
  // Every instruction is a fused comparison, a jump, `not` or `truthy`: the evaluator runs it
  // on a stack of plain bools (most conditions, e.g. `lead.x > 50 and lead.y in list`).
  bool bool_only = false;
  std::string source;  // the expression as written, whitespace collapsed: `lead.employees > 50`

  bool empty() const { return code.empty(); }
  // The value when the code is a single constant (after folding), else nullopt.
  std::optional<Value> constant() const;
  // No lead, event or clock reads: evaluating it needs no state.
  bool is_constant() const { return lead_reads.empty() && event_reads.empty() && !reads_now; }
};

// Emits ExprCode. Tracks the stack depth so the evaluator can size its stack once.
class ExprCodeBuilder {
 public:
  using Label = std::size_t;

  explicit ExprCodeBuilder(RegexPool* pool = nullptr) : pool_(pool) {}

  std::int32_t add_const(Value v);  // deduplicated (same kind and equal value)
  // -1 and `error` set when the pattern does not compile.
  std::int32_t add_regex(const std::string& pattern, bool icase, std::string* error = nullptr);

  void push_const(Value v);
  void load_lead(std::int32_t slot);
  void load_event(std::int32_t index);
  void load_now();
  void unary(OpCode op);   // Neg Not Truthy IsNull IsNotNull
  void binary(OpCode op);  // Add..Mod Eq..Ge In NotIn; fuses with the loads before it
  void match_regex(std::int32_t regex);
  void match_dynamic(bool icase);
  void concat(std::int32_t count);
  void make_list(std::int32_t count);
  void call(Builtin fn, std::int32_t argc);

  // Short-circuit jumps: emit, then bind the returned label where the jump should land.
  Label jump_if_false();
  Label jump_if_true();
  void bind(Label label);

  std::size_t size() const { return code_.code.size(); }
  ExprCode finish(std::string source);

 private:
  void emit(Instr i, int stack_effect);
  // The last `n` instructions can be rewritten: no jump lands between or after them.
  bool fusable(std::size_t n) const;
  void note_lead(std::int32_t slot);
  void note_event(std::int32_t index);

  RegexPool* pool_;
  RegexPool own_pool_;
  ExprCode code_;
  int depth_ = 0;
  std::size_t last_target_ = 0;  // instructions before this index may be fused
};

// Whitespace runs (including newlines) collapsed to one space, ends trimmed.
std::string collapse_whitespace(std::string_view text);

}  // namespace leadflow::engine
