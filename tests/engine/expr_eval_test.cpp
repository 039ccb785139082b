// Expression code: the builder's pooling and fusion, and the evaluator's semantics.
#include "engine/expr_eval.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "engine/expr_code.hpp"

using leadflow::engine::Builtin;
using leadflow::engine::ExprCode;
using leadflow::engine::ExprCodeBuilder;
using leadflow::engine::OpCode;
using leadflow::engine::Value;
using leadflow::engine::ValueKind;
namespace engine = leadflow::engine;

namespace {

constexpr std::int64_t jan5_9am = 1767603600;  // 2026-01-05T09:00:00Z

// Lead slots used below.
constexpr int employees = 0;
constexpr int country = 1;
constexpr int title = 2;
constexpr int first_name = 3;
constexpr int last_activity = 4;
constexpr int unset = 5;  // always null

std::vector<Value> sample_lead() {
  return {Value::integer(120), Value::string("DE"), Value::string("Chief Revenue Officer"),
          Value::string("Ana"), Value::time(jan5_9am - 20 * 86400), Value()};
}

ExprCode build(const std::function<void(ExprCodeBuilder&)>& emit, std::string source = "") {
  ExprCodeBuilder b;
  emit(b);
  return b.finish(std::move(source));
}

Value eval(const ExprCode& code, const std::vector<Value>& lead = sample_lead(),
           const std::vector<Value>& event = {}, std::int64_t now = jan5_9am) {
  return engine::evaluate(code, lead, event, now);
}

Value binary(OpCode op, Value a, Value b) {
  return eval(build([&](ExprCodeBuilder& x) {
    x.push_const(a);
    x.push_const(b);
    x.binary(op);
  }));
}

std::vector<OpCode> ops(const ExprCode& code) {
  std::vector<OpCode> out;
  for (const auto& i : code.code) out.push_back(i.op);
  return out;
}

}  // namespace

TEST_CASE("empty code evaluates to null and is not a condition that holds", "[engine][expr]") {
  ExprCode empty;
  CHECK(eval(empty).is_null());
  CHECK_FALSE(engine::evaluate_condition(empty, {}, {}, 0));
}

TEST_CASE("constants are pooled once per kind and value", "[engine][expr]") {
  ExprCodeBuilder b;
  CHECK(b.add_const(Value::integer(1)) == 0);
  CHECK(b.add_const(Value::integer(1)) == 0);
  CHECK(b.add_const(Value::decimal(1.0)) == 1);  // same number, different kind: folding keeps types
  CHECK(b.add_const(Value::string("DE")) == 2);
  CHECK(b.add_const(Value::string("DE")) == 2);
  ExprCode code = b.finish("");
  CHECK(code.consts.size() == 3);
}

TEST_CASE("integer arithmetic stays integer and overflow or division by zero give null", "[engine][expr]") {
  CHECK(binary(OpCode::Add, Value::integer(2), Value::integer(3)).as_int() == 5);
  CHECK(binary(OpCode::Sub, Value::integer(2), Value::integer(3)).as_int() == -1);
  CHECK(binary(OpCode::Mul, Value::integer(6), Value::integer(7)).as_int() == 42);
  CHECK(binary(OpCode::Div, Value::integer(7), Value::integer(2)).as_int() == 3);
  CHECK(binary(OpCode::Div, Value::integer(-7), Value::integer(2)).as_int() == -3);
  CHECK(binary(OpCode::Mod, Value::integer(7), Value::integer(3)).as_int() == 1);
  CHECK(binary(OpCode::Div, Value::integer(1), Value::integer(0)).is_null());
  CHECK(binary(OpCode::Mod, Value::integer(1), Value::integer(0)).is_null());
  CHECK(binary(OpCode::Add, Value::integer(INT64_MAX), Value::integer(1)).is_null());
  CHECK(binary(OpCode::Mul, Value::integer(INT64_MAX), Value::integer(2)).is_null());
  CHECK(binary(OpCode::Div, Value::integer(INT64_MIN), Value::integer(-1)).is_null());
}

TEST_CASE("mixing int and decimal gives a decimal", "[engine][expr]") {
  Value v = binary(OpCode::Mul, Value::integer(3), Value::decimal(1.5));
  REQUIRE(v.kind() == ValueKind::Decimal);
  CHECK(v.as_decimal() == 4.5);
  CHECK(binary(OpCode::Div, Value::decimal(1), Value::integer(4)).as_decimal() == 0.25);
  CHECK(binary(OpCode::Div, Value::decimal(1), Value::decimal(0)).is_null());
}

TEST_CASE("time and duration arithmetic follows the calendar-free rules", "[engine][expr][time]") {
  Value t = binary(OpCode::Add, Value::time(jan5_9am), Value::duration(1800));
  REQUIRE(t.kind() == ValueKind::Time);
  CHECK(engine::format_time(t.as_time()) == "2026-01-05T09:30:00Z");
  CHECK(binary(OpCode::Add, Value::duration(60), Value::time(0)).kind() == ValueKind::Time);
  Value before = binary(OpCode::Sub, Value::time(jan5_9am), Value::duration(86400));
  CHECK(engine::format_time(before.as_time()) == "2026-01-04T09:00:00Z");
  Value gap = binary(OpCode::Sub, Value::time(jan5_9am), Value::time(jan5_9am - 5400));
  REQUIRE(gap.kind() == ValueKind::Duration);
  CHECK(gap.as_duration() == 5400);
  CHECK(binary(OpCode::Add, Value::duration(60), Value::duration(60)).as_duration() == 120);
  CHECK(binary(OpCode::Mul, Value::duration(3600), Value::integer(24)).as_duration() == 86400);
  CHECK(binary(OpCode::Mul, Value::integer(2), Value::duration(60)).as_duration() == 120);
  CHECK(binary(OpCode::Div, Value::duration(3600), Value::integer(4)).as_duration() == 900);
  CHECK(binary(OpCode::Add, Value::time(0), Value::time(0)).is_null());
  CHECK(binary(OpCode::Add, Value::time(0), Value::integer(5)).is_null());
}

TEST_CASE("negation applies to numbers and durations", "[engine][expr]") {
  auto neg = [](Value v) {
    return eval(build([&](ExprCodeBuilder& b) {
      b.push_const(v);
      b.unary(OpCode::Neg);
    }));
  };
  CHECK(neg(Value::integer(5)).as_int() == -5);
  CHECK(neg(Value::decimal(0.5)).as_decimal() == -0.5);
  CHECK(neg(Value::duration(60)).as_duration() == -60);
  CHECK(neg(Value::integer(INT64_MIN)).is_null());
  CHECK(neg(Value::string("x")).is_null());
}

TEST_CASE("a comparison with a missing field is false whichever the operator", "[engine][expr][null]") {
  for (OpCode op : {OpCode::Eq, OpCode::Ne, OpCode::Lt, OpCode::Le, OpCode::Gt, OpCode::Ge}) {
    CAPTURE(engine::opcode_name(op));
    CHECK_FALSE(binary(op, Value(), Value::integer(1)).truthy());
    // A missing value on the right (a null constant there is a null test, see below).
    ExprCode right_missing = build([&](ExprCodeBuilder& b) {
      b.push_const(Value::integer(1));
      b.load_lead(unset);
      b.binary(op);
    });
    CHECK_FALSE(eval(right_missing).truthy());
    // Through the fused form too: lead.unset <op> 1.
    ExprCode fused = build([&](ExprCodeBuilder& b) {
      b.load_lead(unset);
      b.push_const(Value::integer(1));
      b.binary(op);
    });
    CHECK(ops(fused) == std::vector<OpCode>{OpCode::LeadCmpConst});
    CHECK_FALSE(eval(fused).truthy());
  }
  CHECK_FALSE(binary(OpCode::In, Value(), Value::list({Value()})).truthy());
  CHECK_FALSE(binary(OpCode::NotIn, Value(), Value::list({Value::string("US")})).truthy());
}

TEST_CASE("`== null` and `!= null` test whether a field is missing", "[engine][expr][null]") {
  auto null_test = [](int slot, OpCode op) {
    return build([&](ExprCodeBuilder& b) {
      b.load_lead(slot);
      b.push_const(Value());
      b.binary(op);
    });
  };
  ExprCode is_missing = null_test(unset, OpCode::Eq);
  CHECK(ops(is_missing) == std::vector<OpCode>{OpCode::LoadLead, OpCode::IsNull});
  CHECK(eval(is_missing).truthy());
  CHECK_FALSE(eval(null_test(country, OpCode::Eq)).truthy());
  CHECK(eval(null_test(country, OpCode::Ne)).truthy());
  CHECK_FALSE(eval(null_test(unset, OpCode::Ne)).truthy());
}

TEST_CASE("comparisons order numbers, strings, times and durations", "[engine][expr]") {
  CHECK(binary(OpCode::Gt, Value::integer(120), Value::integer(50)).truthy());
  CHECK(binary(OpCode::Le, Value::integer(50), Value::decimal(50.0)).truthy());
  CHECK(binary(OpCode::Lt, Value::string("AT"), Value::string("DE")).truthy());
  CHECK(binary(OpCode::Ge, Value::time(10), Value::time(10)).truthy());
  CHECK(binary(OpCode::Lt, Value::duration(60), Value::duration(3600)).truthy());
  CHECK(binary(OpCode::Eq, Value::string("DE"), Value::string("DE")).truthy());
  CHECK(binary(OpCode::Ne, Value::string("DE"), Value::string("US")).truthy());
  CHECK_FALSE(binary(OpCode::Lt, Value::string("1"), Value::integer(2)).truthy());
}

TEST_CASE("the fused lead comparison gives the same answers as the generic one", "[engine][expr]") {
  const std::vector<Value> lead = sample_lead();
  for (OpCode op : {OpCode::Eq, OpCode::Ne, OpCode::Lt, OpCode::Le, OpCode::Gt, OpCode::Ge}) {
    for (std::int64_t k : {50, 120, 500}) {
      CAPTURE(engine::opcode_name(op), k);
      ExprCode fused = build([&](ExprCodeBuilder& b) {
        b.load_lead(employees);
        b.push_const(Value::integer(k));
        b.binary(op);
      });
      REQUIRE(fused.code.size() == 1);
      CHECK(eval(fused, lead).truthy() == binary(op, lead[employees], Value::integer(k)).truthy());
    }
  }
}

TEST_CASE("`in` looks for an element of a list and `not in` is its negation", "[engine][expr]") {
  const Value dach = Value::list({Value::string("DE"), Value::string("AT"), Value::string("CH")});
  CHECK(binary(OpCode::In, Value::string("DE"), dach).truthy());
  CHECK_FALSE(binary(OpCode::In, Value::string("US"), dach).truthy());
  CHECK(binary(OpCode::NotIn, Value::string("US"), dach).truthy());
  CHECK(binary(OpCode::In, Value::integer(2), Value::list({Value::decimal(2.0)})).truthy());
  CHECK_FALSE(binary(OpCode::In, Value::string("x"), Value::list({})).truthy());

  ExprCode fused = build([&](ExprCodeBuilder& b) {
    b.load_lead(country);
    b.push_const(dach);
    b.binary(OpCode::In);
  });
  CHECK(ops(fused) == std::vector<OpCode>{OpCode::LeadInConst});
  CHECK(eval(fused).truthy());
  ExprCode fused_not = build([&](ExprCodeBuilder& b) {
    b.load_lead(country);
    b.push_const(dach);
    b.binary(OpCode::NotIn);
  });
  CHECK_FALSE(eval(fused_not).truthy());
  CHECK_FALSE(eval(fused_not, {Value(), Value()}).truthy());  // missing country: false, not true
}

TEST_CASE("`matches` searches with a regex compiled once, case-insensitive with i", "[engine][expr][regex]") {
  engine::RegexPool pool;
  ExprCodeBuilder b(&pool);
  b.load_lead(title);
  std::int32_t re = b.add_regex(R"(\b(ceo|cto|cfo|coo|chief)\b)", true);
  REQUIRE(re == 0);
  b.match_regex(re);
  ExprCode code = b.finish("lead.title matches /\\b(ceo|cto|cfo|coo|chief)\\b/i");
  CHECK(ops(code) == std::vector<OpCode>{OpCode::LeadMatch});
  CHECK(eval(code).truthy());
  CHECK_FALSE(eval(code, {Value(), Value(), Value::string("Head of Sales")}).truthy());
  CHECK_FALSE(eval(code, {}).truthy());  // missing title

  ExprCodeBuilder again(&pool);
  std::int32_t same = again.add_regex(R"(\b(ceo|cto|cfo|coo|chief)\b)", true);
  CHECK(pool.size() == 1);
  CHECK(again.finish("").regexes[static_cast<std::size_t>(same)] == code.regexes[0]);

  std::string error;
  CHECK(b.add_regex("(unclosed", false, &error) == -1);
  CHECK_FALSE(error.empty());

  ExprCode sensitive = build([&](ExprCodeBuilder& x) {
    x.push_const(Value::string("CEO"));
    x.match_regex(x.add_regex("ceo", false));
  });
  CHECK_FALSE(eval(sensitive).truthy());
}

TEST_CASE("`matches` with i folds case like std::regex icase, on mixed-case patterns and subjects",
          "[engine][expr][regex]") {
  // The pooled regexes use RegexTraits (tables instead of a facet lookup per character): every
  // answer must be std::regex's own.
  const std::vector<std::string> patterns = {
      R"(\b(ceo|cto|cfo|coo|chief)\b)", R"(\b(VP|Vice President|Head|DIRECTOR)\b.*\b(sales|Ops)\b)",
      "PriCing", "^[A-F0-9]+$", "[^a-z]", R"(\bmanager\b)", R"(\Bing\b)", R"(\w+@\w+\.COM)", "(ab)\\1",
      R"((a)\1)", "[[:upper:]]", "[[:lower:]]x", "\\d\\s\\W", "é", "Ü"};
  const std::vector<std::string> subjects = {
      "CEO", "ceo", "Co-Founder & Ceo", "Chief of Staff", "chiefs", "VP Sales", "vice president, OPS",
      "Head of Growth", "DIRECTOR of sales operations", "/PRICING", "/de/preise", "deadBEEF", "DEADbeef",
      "Marketing MANAGER", "Managers", "Engineering", "ANA@ACME.com", "ana@acme.COM", "AbaB", "aA",
      "x", "Yx", "7 -", "É", "é", "ü", "Ü", ""};
  engine::RegexPool pool;
  for (const std::string& p : patterns) {
    for (bool icase : {true, false}) {
      std::string error;
      ExprCodeBuilder b(&pool);
      b.load_lead(title);
      b.match_regex(b.add_regex(p, icase, &error));
      REQUIRE(error.empty());
      ExprCode code = b.finish("lead.title matches /" + p + "/");
      auto flags = std::regex::ECMAScript;
      if (icase) flags |= std::regex::icase;
      const std::regex reference(p, flags);
      for (const std::string& s : subjects) {
        INFO(p << (icase ? " /i" : "") << " on " << s);
        CHECK(eval(code, {Value(), Value(), Value::string(s)}).truthy() == std::regex_search(s, reference));
      }
    }
  }
  ExprCode icp = build([](ExprCodeBuilder& b) {
    b.load_lead(title);
    b.match_regex(b.add_regex(R"(\b(VP|director)\b)", true));
  });
  CHECK(eval(icp, {Value(), Value(), Value::string("Regional Director, EMEA")}).truthy());
  CHECK(eval(icp, {Value(), Value(), Value::string("vp marketing")}).truthy());
  CHECK_FALSE(eval(icp, {Value(), Value(), Value::string("MVP Engineer")}).truthy());
}

TEST_CASE("`and` and `or` short-circuit with jumps and treat null as false", "[engine][expr][logic]") {
  // lead.unset > 1 and lead.employees > 50
  auto and_code = build([](ExprCodeBuilder& b) {
    b.load_lead(unset);
    b.push_const(Value::integer(1));
    b.binary(OpCode::Gt);
    auto skip = b.jump_if_false();
    b.load_lead(employees);
    b.push_const(Value::integer(50));
    b.binary(OpCode::Gt);
    b.unary(OpCode::Truthy);
    b.bind(skip);
  });
  REQUIRE(ops(and_code) == std::vector<OpCode>{OpCode::LeadCmpConst, OpCode::JumpIfFalse, OpCode::LeadCmpConst,
                                                OpCode::Truthy});
  CHECK(and_code.code[1].a == 4);  // past the right operand
  CHECK_FALSE(eval(and_code).truthy());
  CHECK(eval(and_code).kind() == ValueKind::Bool);

  auto logic = [](OpCode jump, Value l, Value r) {
    return eval(build([&](ExprCodeBuilder& b) {
      b.push_const(l);
      auto skip = jump == OpCode::JumpIfFalse ? b.jump_if_false() : b.jump_if_true();
      b.push_const(r);
      b.unary(OpCode::Truthy);
      b.bind(skip);
    }));
  };
  const Value t = Value::boolean(true), f = Value::boolean(false), n;
  CHECK(logic(OpCode::JumpIfFalse, t, t).truthy());
  CHECK_FALSE(logic(OpCode::JumpIfFalse, t, f).truthy());
  CHECK_FALSE(logic(OpCode::JumpIfFalse, f, t).truthy());
  CHECK_FALSE(logic(OpCode::JumpIfFalse, n, t).truthy());
  CHECK_FALSE(logic(OpCode::JumpIfFalse, t, n).truthy());
  CHECK(logic(OpCode::JumpIfTrue, f, t).truthy());
  CHECK(logic(OpCode::JumpIfTrue, t, n).truthy());
  CHECK_FALSE(logic(OpCode::JumpIfTrue, n, f).truthy());
  CHECK(logic(OpCode::JumpIfTrue, n, f).kind() == ValueKind::Bool);
}

TEST_CASE("no instruction is fused across a jump target", "[engine][expr][logic]") {
  // (lead.unset > 1 or lead.country) == "DE": the load after the jump must not fuse with the
  // comparison, whose left operand may come from either path.
  ExprCode code = build([](ExprCodeBuilder& b) {
    b.load_lead(unset);
    auto skip = b.jump_if_true();
    b.load_lead(country);
    b.bind(skip);
    b.push_const(Value::string("DE"));
    b.binary(OpCode::Eq);
  });
  CHECK(ops(code) == std::vector<OpCode>{OpCode::LoadLead, OpCode::JumpIfTrue, OpCode::LoadLead, OpCode::PushConst,
                                         OpCode::Eq});
}

TEST_CASE("`not` inverts truthiness, so not of a missing field is true", "[engine][expr][logic]") {
  auto not_of = [](int slot) {
    return eval(build([&](ExprCodeBuilder& b) {
      b.load_lead(slot);
      b.unary(OpCode::Not);
    }), {Value::boolean(true), Value()});
  };
  CHECK_FALSE(not_of(0).truthy());
  CHECK(not_of(1).truthy());
}

TEST_CASE("interpolation concatenates the display text of its parts", "[engine][expr][string]") {
  ExprCode code = build([](ExprCodeBuilder& b) {
    b.push_const(Value::string("Call "));
    b.load_lead(first_name);
    b.push_const(Value::string(" ("));
    b.load_lead(employees);
    b.push_const(Value::string(" staff, "));
    b.load_lead(unset);
    b.push_const(Value::string(")"));
    b.concat(7);
  });
  CHECK(eval(code).as_string() == "Call Ana (120 staff, )");
  CHECK(code.lead_reads == std::vector<std::int32_t>{employees, first_name, unset});
}

TEST_CASE("lists are built from their elements", "[engine][expr]") {
  ExprCode code = build([](ExprCodeBuilder& b) {
    b.load_lead(country);
    b.push_const(Value::string("US"));
    b.make_list(2);
  });
  Value v = eval(code);
  REQUIRE(v.kind() == ValueKind::List);
  CHECK(engine::to_trace(v) == "[\"DE\", \"US\"]");
}

TEST_CASE("built-in functions compute from their arguments and now", "[engine][expr][builtin]") {
  auto call = [](Builtin fn, std::vector<Value> args, std::int64_t now = jan5_9am) {
    return engine::call_builtin(fn, args, now);
  };
  CHECK(call(Builtin::DaysSince, {Value::time(jan5_9am - 20 * 86400)}).as_int() == 20);
  CHECK(call(Builtin::DaysSince, {Value::time(jan5_9am - 20 * 86400 + 1)}).as_int() == 19);
  CHECK(call(Builtin::DaysSince, {Value::time(jan5_9am + 1)}).as_int() == -1);
  CHECK(call(Builtin::HoursSince, {Value::time(jan5_9am - 5400)}).as_int() == 1);
  CHECK(call(Builtin::MinutesSince, {Value::time(jan5_9am - 5400)}).as_int() == 90);
  CHECK(call(Builtin::DaysSince, {Value()}).is_null());
  CHECK(call(Builtin::Lower, {Value::string("Ana@Example.COM")}).as_string() == "ana@example.com");
  CHECK(call(Builtin::Upper, {Value::string("de")}).as_string() == "DE");
  CHECK(call(Builtin::Length, {Value::string("Zoë")}).as_int() == 3);
  CHECK(call(Builtin::Length, {Value::list({Value::integer(1), Value::integer(2)})}).as_int() == 2);
  CHECK(call(Builtin::Domain, {Value::string("ana@Acme.io")}).as_string() == "acme.io");
  CHECK(call(Builtin::Domain, {Value::string("https://www.acme.io/pricing")}).as_string() == "acme.io");
  CHECK(call(Builtin::Coalesce, {Value(), Value::integer(0)}).as_int() == 0);
  CHECK(call(Builtin::Coalesce, {Value::integer(3), Value::integer(0)}).as_int() == 3);

  ExprCode code = build([](ExprCodeBuilder& b) {
    b.load_lead(last_activity);
    b.call(Builtin::DaysSince, 1);
    b.push_const(Value::integer(14));
    b.binary(OpCode::Gt);
  });
  CHECK(code.reads_now);
  CHECK(eval(code).truthy());
  CHECK_FALSE(eval(code, sample_lead(), {}, jan5_9am - 10 * 86400).truthy());
  CHECK(engine::builtin_by_name("days_since") == Builtin::DaysSince);
  CHECK_FALSE(engine::builtin_by_name("nope").has_value());
}

TEST_CASE("event fields are read by index and missing when no event is in scope", "[engine][expr][event]") {
  ExprCode code = build([](ExprCodeBuilder& b) {
    b.load_event(1);
    b.push_const(Value::string("no_show"));
    b.binary(OpCode::Eq);
  });
  CHECK(ops(code) == std::vector<OpCode>{OpCode::EventCmpConst});
  CHECK(code.event_reads == std::vector<std::int32_t>{1});
  CHECK(eval(code, {}, {Value::time(0), Value::string("no_show")}).truthy());
  CHECK_FALSE(eval(code, {}, {}).truthy());
}

TEST_CASE("now is a parameter, never the clock", "[engine][expr][time]") {
  ExprCode code = build([](ExprCodeBuilder& b) { b.load_now(); });
  CHECK(eval(code, {}, {}, 42).as_time() == 42);
  CHECK_FALSE(code.is_constant());
}

TEST_CASE("deep expressions use a larger stack than the inline one", "[engine][expr]") {
  // 1 + (1 + (1 + ... )) forty deep: every operand is pushed before any add.
  ExprCode code = build([](ExprCodeBuilder& b) {
    for (int i = 0; i < 40; ++i) b.push_const(Value::integer(1));
    for (int i = 0; i < 39; ++i) b.binary(OpCode::Add);
  });
  CHECK(code.max_stack == 40);
  CHECK(eval(code).as_int() == 40);
}

TEST_CASE("whitespace is collapsed outside string literals only", "[engine][expr]") {
  CHECK(engine::collapse_whitespace("  lead.employees\n   > 50 ") == "lead.employees > 50");
  CHECK(engine::collapse_whitespace("x == \"a  b\"  and y") == "x == \"a  b\" and y");
  CHECK(engine::collapse_whitespace("\"a \\\"  b\"   c") == "\"a \\\"  b\" c");
}

TEST_CASE("conditions made only of fused comparisons run on plain bools with the same answers",
          "[engine][expr][logic]") {
  const Value dach = Value::list({Value::string("DE"), Value::string("AT"), Value::string("CH")});
  // not (lead.employees > 50) or lead.country not in ["DE", "AT", "CH"]
  ExprCode code = build([&](ExprCodeBuilder& b) {
    b.load_lead(employees);
    b.push_const(Value::integer(50));
    b.binary(OpCode::Gt);
    b.unary(OpCode::Not);
    auto skip = b.jump_if_true();
    b.load_lead(country);
    b.push_const(dach);
    b.binary(OpCode::NotIn);
    b.unary(OpCode::Truthy);
    b.bind(skip);
  });
  REQUIRE(code.bool_only);
  struct Case {
    Value employees, country;
    bool expected;
  };
  const Case cases[] = {
      {Value::integer(10), Value::string("DE"), true},    // not (10 > 50)
      {Value::integer(120), Value::string("DE"), false},  // big and in DACH
      {Value::integer(120), Value::string("US"), true},   // big, not in DACH
      {Value::integer(120), Value(), false},              // missing country: `not in` is false
      {Value(), Value::string("DE"), true},               // missing employees: `>` false, so `not` true
  };
  for (const Case& c : cases) {
    CAPTURE(engine::to_trace(c.employees), engine::to_trace(c.country));
    std::vector<Value> lead{c.employees, c.country};
    CHECK(engine::evaluate_condition(code, lead, {}, 0) == c.expected);
    Value v = engine::evaluate(code, lead, {}, 0);
    CHECK(v.kind() == ValueKind::Bool);
    CHECK(v.truthy() == c.expected);
  }
  ExprCode general = build([](ExprCodeBuilder& b) {
    b.load_lead(employees);
    b.push_const(Value::integer(1));
    b.binary(OpCode::Add);
  });
  CHECK_FALSE(general.bool_only);
}
