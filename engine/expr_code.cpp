// ExprCodeBuilder: emits flat expression code, pools constants and regexes, fuses common shapes.
#include "engine/expr_code.hpp"

#include <algorithm>

namespace leadflow::engine {

namespace {

struct BuiltinEntry {
  const char* name;
  Builtin fn;
};

constexpr BuiltinEntry builtin_table[] = {
    {"days_since", Builtin::DaysSince}, {"hours_since", Builtin::HoursSince},
    {"minutes_since", Builtin::MinutesSince}, {"lower", Builtin::Lower},
    {"upper", Builtin::Upper}, {"length", Builtin::Length},
    {"domain", Builtin::Domain}, {"coalesce", Builtin::Coalesce},
};

bool is_comparison(OpCode op) {
  return op == OpCode::Eq || op == OpCode::Ne || op == OpCode::Lt || op == OpCode::Le ||
         op == OpCode::Gt || op == OpCode::Ge;
}

CmpOp cmp_of(OpCode op) {
  switch (op) {
    case OpCode::Eq: return CmpOp::Eq;
    case OpCode::Ne: return CmpOp::Ne;
    case OpCode::Lt: return CmpOp::Lt;
    case OpCode::Le: return CmpOp::Le;
    case OpCode::Gt: return CmpOp::Gt;
    default: return CmpOp::Ge;
  }
}

// Same kind and equal: 1 and 1.0 stay two constants so folding keeps its types.
bool same_const(const Value& a, const Value& b) { return a.kind() == b.kind() && a == b; }

void insert_sorted_unique(std::vector<std::int32_t>& v, std::int32_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it == v.end() || *it != x) v.insert(it, x);
}

}  // namespace

std::optional<Builtin> builtin_by_name(std::string_view name) {
  for (const auto& e : builtin_table) {
    if (name == e.name) return e.fn;
  }
  return std::nullopt;
}

const char* builtin_name(Builtin b) {
  for (const auto& e : builtin_table) {
    if (e.fn == b) return e.name;
  }
  return "?";
}

const char* opcode_name(OpCode op) {
  switch (op) {
    case OpCode::PushConst: return "push_const";
    case OpCode::LoadLead: return "load_lead";
    case OpCode::LoadEvent: return "load_event";
    case OpCode::LoadNow: return "load_now";
    case OpCode::Neg: return "neg";
    case OpCode::Not: return "not";
    case OpCode::Truthy: return "truthy";
    case OpCode::IsNull: return "is_null";
    case OpCode::IsNotNull: return "is_not_null";
    case OpCode::Add: return "add";
    case OpCode::Sub: return "sub";
    case OpCode::Mul: return "mul";
    case OpCode::Div: return "div";
    case OpCode::Mod: return "mod";
    case OpCode::Eq: return "eq";
    case OpCode::Ne: return "ne";
    case OpCode::Lt: return "lt";
    case OpCode::Le: return "le";
    case OpCode::Gt: return "gt";
    case OpCode::Ge: return "ge";
    case OpCode::In: return "in";
    case OpCode::NotIn: return "not_in";
    case OpCode::MatchRegex: return "match_regex";
    case OpCode::MatchDynamic: return "match_dynamic";
    case OpCode::LeadCmpConst: return "lead_cmp_const";
    case OpCode::EventCmpConst: return "event_cmp_const";
    case OpCode::LeadInConst: return "lead_in_const";
    case OpCode::LeadMatch: return "lead_match";
    case OpCode::JumpIfFalse: return "jump_if_false";
    case OpCode::JumpIfTrue: return "jump_if_true";
    case OpCode::Concat: return "concat";
    case OpCode::MakeList: return "make_list";
    case OpCode::Call: return "call";
  }
  return "?";
}

std::shared_ptr<const CompiledRegex> RegexPool::get(const std::string& pattern, bool icase,
                                                     std::string* error) {
  auto key = std::make_pair(pattern, icase);
  if (auto it = regexes_.find(key); it != regexes_.end()) return it->second;
  auto compiled = std::make_shared<CompiledRegex>();
  compiled->pattern = pattern;
  compiled->icase = icase;
  try {
    auto flags = std::regex::ECMAScript | std::regex::optimize;
    if (icase) flags |= std::regex::icase;
    // Conservative: any backslash before a digit 1-9 counts as a back-reference.
    bool backref = false;
    for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
      if (pattern[i] == '\\' && pattern[i + 1] >= '1' && pattern[i + 1] <= '9') backref = true;
    }
    if (icase && backref) {
      compiled->plain = std::regex(pattern, flags);
      compiled->plain_traits = true;
    } else {
      compiled->re = std::basic_regex<char, RegexTraits>(pattern, flags);
    }
  } catch (const std::regex_error& e) {
    if (error) *error = e.what();
    return nullptr;
  }
  regexes_.emplace(std::move(key), compiled);
  return compiled;
}

std::optional<Value> ExprCode::constant() const {
  if (code.size() == 1 && code[0].op == OpCode::PushConst) return consts[static_cast<std::size_t>(code[0].a)];
  return std::nullopt;
}

std::int32_t ExprCodeBuilder::add_const(Value v) {
  for (std::size_t i = 0; i < code_.consts.size(); ++i) {
    if (same_const(code_.consts[i], v)) return static_cast<std::int32_t>(i);
  }
  code_.consts.push_back(std::move(v));
  return static_cast<std::int32_t>(code_.consts.size() - 1);
}

std::int32_t ExprCodeBuilder::add_regex(const std::string& pattern, bool icase, std::string* error) {
  RegexPool& pool = pool_ ? *pool_ : own_pool_;
  auto re = pool.get(pattern, icase, error);
  if (!re) return -1;
  for (std::size_t i = 0; i < code_.regexes.size(); ++i) {
    if (code_.regexes[i] == re) return static_cast<std::int32_t>(i);
  }
  code_.regexes.push_back(std::move(re));
  return static_cast<std::int32_t>(code_.regexes.size() - 1);
}

void ExprCodeBuilder::emit(Instr i, int stack_effect) {
  code_.code.push_back(i);
  depth_ += stack_effect;
  if (depth_ > static_cast<int>(code_.max_stack)) code_.max_stack = static_cast<std::uint32_t>(depth_);
}

bool ExprCodeBuilder::fusable(std::size_t n) const {
  std::size_t size = code_.code.size();
  return size >= n && size - n >= last_target_;
}

void ExprCodeBuilder::note_lead(std::int32_t slot) { insert_sorted_unique(code_.lead_reads, slot); }
void ExprCodeBuilder::note_event(std::int32_t index) { insert_sorted_unique(code_.event_reads, index); }

void ExprCodeBuilder::push_const(Value v) {
  std::int32_t k = add_const(std::move(v));
  emit({OpCode::PushConst, 0, k, 0}, +1);
}

void ExprCodeBuilder::load_lead(std::int32_t slot) {
  note_lead(slot);
  emit({OpCode::LoadLead, 0, slot, 0}, +1);
}

void ExprCodeBuilder::load_event(std::int32_t index) {
  note_event(index);
  emit({OpCode::LoadEvent, 0, index, 0}, +1);
}

void ExprCodeBuilder::load_now() {
  code_.reads_now = true;
  emit({OpCode::LoadNow, 0, 0, 0}, +1);
}

void ExprCodeBuilder::unary(OpCode op) { emit({op, 0, 0, 0}, 0); }

void ExprCodeBuilder::binary(OpCode op) {
  auto& code = code_.code;
  // `x == null` / `x != null` test for a missing value; every other comparison with null is false.
  if ((op == OpCode::Eq || op == OpCode::Ne) && fusable(1) && code.back().op == OpCode::PushConst &&
      code_.consts[static_cast<std::size_t>(code.back().a)].is_null()) {
    code.pop_back();
    --depth_;
    emit({op == OpCode::Eq ? OpCode::IsNull : OpCode::IsNotNull, 0, 0, 0}, 0);
    return;
  }
  if (fusable(2) && code[code.size() - 1].op == OpCode::PushConst) {
    const Instr load = code[code.size() - 2];
    const std::int32_t k = code.back().a;
    if (load.op == OpCode::LoadLead && is_comparison(op)) {
      code.resize(code.size() - 2);
      depth_ -= 2;
      emit({OpCode::LeadCmpConst, static_cast<std::uint8_t>(cmp_of(op)), load.a, k}, +1);
      return;
    }
    if (load.op == OpCode::LoadEvent && is_comparison(op)) {
      code.resize(code.size() - 2);
      depth_ -= 2;
      emit({OpCode::EventCmpConst, static_cast<std::uint8_t>(cmp_of(op)), load.a, k}, +1);
      return;
    }
    if (load.op == OpCode::LoadLead && (op == OpCode::In || op == OpCode::NotIn) &&
        code_.consts[static_cast<std::size_t>(k)].kind() == ValueKind::List) {
      code.resize(code.size() - 2);
      depth_ -= 2;
      emit({OpCode::LeadInConst, static_cast<std::uint8_t>(op == OpCode::NotIn), load.a, k}, +1);
      return;
    }
  }
  emit({op, 0, 0, 0}, -1);
}

void ExprCodeBuilder::match_regex(std::int32_t regex) {
  auto& code = code_.code;
  if (fusable(1) && code.back().op == OpCode::LoadLead) {
    std::int32_t slot = code.back().a;
    code.pop_back();
    --depth_;
    emit({OpCode::LeadMatch, 0, slot, regex}, +1);
    return;
  }
  emit({OpCode::MatchRegex, 0, regex, 0}, 0);
}

void ExprCodeBuilder::match_dynamic(bool icase) { emit({OpCode::MatchDynamic, icase ? std::uint8_t{1} : std::uint8_t{0}, 0, 0}, -1); }

void ExprCodeBuilder::concat(std::int32_t count) { emit({OpCode::Concat, 0, count, 0}, 1 - count); }

void ExprCodeBuilder::make_list(std::int32_t count) { emit({OpCode::MakeList, 0, count, 0}, 1 - count); }

void ExprCodeBuilder::call(Builtin fn, std::int32_t argc) {
  if (fn == Builtin::DaysSince || fn == Builtin::HoursSince || fn == Builtin::MinutesSince) {
    code_.reads_now = true;
  }
  emit({OpCode::Call, 0, static_cast<std::int32_t>(fn), argc}, 1 - argc);
}

ExprCodeBuilder::Label ExprCodeBuilder::jump_if_false() {
  emit({OpCode::JumpIfFalse, 0, -1, 0}, -1);
  return code_.code.size() - 1;
}

ExprCodeBuilder::Label ExprCodeBuilder::jump_if_true() {
  emit({OpCode::JumpIfTrue, 0, -1, 0}, -1);
  return code_.code.size() - 1;
}

void ExprCodeBuilder::bind(Label label) {
  // Both paths arrive with one value where the jump's operand was: the kept operand when the
  // jump was taken, the right operand when it fell through. No fusion may straddle this point.
  code_.code[label].a = static_cast<std::int32_t>(code_.code.size());
  last_target_ = code_.code.size();
}

ExprCode ExprCodeBuilder::finish(std::string source) {
  ExprCode out = std::move(code_);
  out.source = std::move(source);
  out.bool_only = !out.code.empty() && std::all_of(out.code.begin(), out.code.end(), [](const Instr& i) {
    switch (i.op) {
      case OpCode::LeadCmpConst:
      case OpCode::EventCmpConst:
      case OpCode::LeadInConst:
      case OpCode::LeadMatch:
      case OpCode::JumpIfFalse:
      case OpCode::JumpIfTrue:
      case OpCode::Not:
      case OpCode::Truthy: return true;
      default: return false;
    }
  });
  code_ = ExprCode();
  depth_ = 0;
  last_target_ = 0;
  return out;
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      // String literals keep their spacing exactly.
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
    if (c == '"') in_string = true;
  }
  return out;
}

}  // namespace leadflow::engine
