// Type checking: expression types, operand rules and the types each construct needs.
#include <catch2/catch.hpp>

#include "tests/support/diagnostic_lines.hpp"

#include <string>
#include <vector>

#include "dsl/compiler.hpp"

using namespace leadflow::dsl;

namespace {

// Declarations the snippets below use; appended after each snippet, so the snippet's own
// line numbers start at 1.
const char* const prelude = R"(
schema lead {
  employees: int
  country: string
  title: string
  deal_amount: decimal
}
event replied
)";

std::unique_ptr<Compilation> compile(const std::string& text) {
  return leadflow::testing::check_text(text, prelude, false);
}

std::vector<std::string> diagnostics(const Compilation& c) { return leadflow::testing::diagnostic_lines(c); }

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("comparing values of different types is a type mismatch naming both types", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  if lead.country > 5 { tag "x" }
  if lead.created_at < now - 3d and lead.employees >= 2.5 and lead.title != null { tag "y" }
})");
  CHECK(diagnostics(*c) == Lines{"3:6 TypeMismatch: cannot compare `string` with `int`"});
}

TEST_CASE("arithmetic needs numbers, times with durations, or two strings to add", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  if lead.employees + "x" > 3 { tag "x" }
  if lead.deal_amount * 2 > 10 and lead.title + "!" == "ceo!" { tag "y" }
  if now - lead.created_at > 1d and lead.created_at - now < 2w * 3 { tag "z" }
})");
  CHECK(diagnostics(*c) == Lines{"3:6 TypeMismatch: cannot add `int` and `string`"});
}

TEST_CASE("in needs a list on its right with a compatible element type", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  if lead.country in "DE" { tag "x" }
  if lead.employees in ["a", "b"] { tag "y" }
  if "vip" in lead.tags and 5 not in [1, 2.5] and lead.country in [] { tag "z" }
})");
  CHECK(diagnostics(*c) == Lines{
                               "3:22 InOnNonList: the right side of `in` is `string`, not a list",
                               "4:6 TypeMismatch: cannot look for `int` in `list<string>`",
                           });
}

TEST_CASE("matches needs a string on its left and a regex that compiles", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  if lead.title matches /(ceo/i { tag "x" }
  if lead.title matches "^vp" or lead.title matches /\b(ceo|cto)\b/i { tag "y" }
  if lead.employees matches /x/ { tag "z" }
})");
  CHECK(diagnostics(*c) == Lines{
                               "3:25 InvalidRegex: invalid regular expression: mismatched '(' and ')'",
                               "5:6 TypeMismatch: `matches` needs a `string` on its left, found `int`",
                           });
}

TEST_CASE("calls are checked for arity and argument types", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  if days_since() > 3 { tag "x" }
  if days_since(lead.country) > 3 { tag "y" }
  if length(lead.tags) > 1 and lower(coalesce(lead.title, "")) == "ceo" { tag "z" }
  if coalesce(lead.employees, "none") == 1 { tag "w" }
})");
  CHECK(diagnostics(*c) == Lines{
                               "3:6 WrongArgumentCount: `days_since` takes 1 argument, but 0 were given",
                               "4:17 TypeMismatch: `days_since` needs a `time`, found `string`",
                               "6:6 TypeMismatch: `coalesce` needs two values of one type, found `int` and `string`",
                           });
}

TEST_CASE("waits and task due dates need durations", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  wait 30
  task "call" due "soon"
})");
  REQUIRE(diagnostics(*c) == Lines{
                                 "3:8 DurationExpected: expected a duration for `wait`, found `int`",
                                 "4:19 DurationExpected: expected a duration for `due`, found `string`",
                             });
  CHECK(c->diagnostics.diagnostics()[0].help == "add a unit, e.g. `30m`, `24h` or `3d`");
  CHECK(c->diagnostics.diagnostics()[1].help.empty());
}

TEST_CASE("unchanged for, again after, SLAs and inactive rules need durations", "[dsl][typecheck]") {
  auto c = compile(R"(workflow v {
  when lead.stage == "sql" unchanged for 3
  enroll again after "later"
}
sla s 5 from assign until first_activity { at 100% reassign }
scoring decay { inactive 30 -> -5 })");
  CHECK(diagnostics(*c) == Lines{
                               "2:42 DurationExpected: expected a duration for `unchanged for`, found `int`",
                               "3:22 DurationExpected: expected a duration for `again after`, found `string`",
                               "5:7 DurationExpected: expected a duration for `sla`, found `int`",
                               "6:26 DurationExpected: expected a duration for `inactive`, found `int`",
                           });
}

TEST_CASE("conditions must be booleans", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  exit when lead.employees
  if lead.employees { tag "x" }
}
router r { lead.country -> "a@example.com"  fallback manager }
scoring fit { lead.employees -> +5 "many" })");
  CHECK(diagnostics(*c) == Lines{
                               "3:13 ConditionNotBool: expected a `bool` condition, found `int`",
                               "4:6 ConditionNotBool: expected a `bool` condition, found `int`",
                               "6:12 ConditionNotBool: expected a `bool` condition, found `string`",
                               "7:15 ConditionNotBool: expected a `bool` condition, found `int`",
                           });
}

TEST_CASE("constants must be literals or lists of literals", "[dsl][typecheck]") {
  auto c = compile(R"(const a = lead.employees
const b = [1, 2, now]
const c = "hi {lead.title}"
const d = -5
const e = ["x", "y"])");
  REQUIRE(diagnostics(*c) == Lines{
                                 "1:11 ConstNotLiteral: constant `a` must be a literal or a list of literals",
                                 "2:18 ConstNotLiteral: constant `b` must be a literal or a list of literals",
                                 "3:11 ConstNotLiteral: constant `c` must be a literal or a list of literals",
                             });
  CHECK(c->diagnostics.diagnostics()[2].help == "constants cannot interpolate `{...}`");
  CHECK(c->symbols.consts.at("d")->value->type == Type::of(TypeKind::Int));
  CHECK(c->symbols.consts.at("e")->value->type == Type::list_of(TypeKind::String));
  CHECK(c->symbols.consts.at("a")->value->type.is_error());
}

TEST_CASE("dividing by a literal zero is an error", "[dsl][typecheck]") {
  auto c = compile(R"(const none = 0
workflow w {
  when replied
  if lead.employees / 0 > 1 { tag "x" }
  if lead.deal_amount % 0.0 > 1 or lead.employees / none > 1 { tag "y" }
  if lead.employees / 2 > 1 { tag "z" }
})");
  CHECK(diagnostics(*c) == Lines{
                               "4:23 DivisionByZero: division by zero",
                               "5:25 DivisionByZero: division by zero",
                               "5:53 DivisionByZero: division by zero",
                           });
}

TEST_CASE("waits and due dates of zero or less are errors", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  wait 0m
  task "call" due -5m
  wait 0 business days
  wait 1h - 2h
  wait 1h30m
})");
  CHECK(diagnostics(*c) == Lines{
                               "3:8 NonPositiveDuration: `wait` needs a positive duration, found `0m`",
                               "4:19 NonPositiveDuration: `due` needs a positive duration, found `-5m`",
                               "5:8 NonPositiveDuration: `wait` needs a positive number of business days, found `0`",
                               "6:8 NonPositiveDuration: `wait` needs a positive duration, found `1h - 2h`",
                           });
}

TEST_CASE("wait until needs a time and business waits an int count", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  wait until 3d
  wait 2d business days
  wait until lead.created_at + 30d
  wait 3 business hours
})");
  REQUIRE(diagnostics(*c) == Lines{
                                 "3:14 TypeMismatch: `wait until` needs a `time`, found `duration`",
                                 "4:8 TypeMismatch: `wait ... business days` needs an `int` count, found `duration`",
                             });
  CHECK(c->diagnostics.diagnostics()[0].help == "to wait for a duration, write `wait 3d`");
}

TEST_CASE("becomes values match the field and crosses needs numbers", "[dsl][typecheck]") {
  auto c = compile(R"(workflow a { when lead.employees becomes "many" }
workflow b { when lead.country crosses above 5 }
workflow c { when lead.score crosses below "x" }
workflow d { when lead.stage becomes "sql" }
workflow e { when lead.deal_amount crosses 1000 })");
  CHECK(diagnostics(*c) == Lines{
                               "1:42 TypeMismatch: field `employees` is `int`, but the value is `string`",
                               "2:19 TypeMismatch: `crosses` needs a number field, but `country` is `string`",
                               "3:44 TypeMismatch: `crosses` needs a number threshold, found `string`",
                           });
}

TEST_CASE("set values match the field type", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  set lead.employees = "x"
  set lead.tags = []
  set lead.title = null
  set lead.deal_amount = 5
}
event bounced_hard { code: int  set lead.country = event.code })");
  CHECK(diagnostics(*c) == Lines{
                               "3:24 TypeMismatch: cannot set field `employees` of type `int` to `string`",
                               "8:52 TypeMismatch: cannot set field `country` of type `string` to `int`",
                           });
}

TEST_CASE("team members are strings and holidays are valid dates", "[dsl][typecheck]") {
  auto c = compile(R"(team t { members [1, 2] }
calendar c { holidays ["2026-02-30", "2026-12-25", "2028-02-29"] }
const days_off = ["2026-13-01"]
calendar d { holidays days_off })");
  REQUIRE(diagnostics(*c) == Lines{
                                 "1:18 TypeMismatch: expected `list<string>` for `members`, found `list<int>`",
                                 "2:24 TypeMismatch: `2026-02-30` is not a valid date",
                                 "3:19 TypeMismatch: `2026-13-01` is not a valid date",
                             });
  CHECK(c->diagnostics.diagnostics()[1].help == "write holidays as \"YYYY-MM-DD\", e.g. \"2026-12-25\"");
}

TEST_CASE("list elements have one type; int and decimal mix to decimal", "[dsl][typecheck]") {
  auto c = compile(R"(const xs = ["a", 1]
const ys = [1, 2.5]
const zs = [])");
  CHECK(diagnostics(*c) == Lines{"1:18 TypeMismatch: list elements must have one type, found `string` and `int`"});
  CHECK(c->symbols.consts.at("ys")->value->type == Type::list_of(TypeKind::Decimal));
  CHECK(c->symbols.consts.at("zs")->value->type == Type::list_of(TypeKind::Null));
}

TEST_CASE("every expression gets its type", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  wait until lead.created_at + 2d
  if now - lead.created_at > 1d and days_since(lead.created_at) > 3 { task "call {lead.employees}" }
})");
  REQUIRE(diagnostics(*c).empty());
  const Block& steps = c->files[0]->workflows[0].steps;
  CHECK(steps[0]->amount->type == Type::of(TypeKind::Time));
  const Expr& cond = *steps[1]->arms[0].condition;
  CHECK(cond.type == Type::of(TypeKind::Bool));
  const Expr& elapsed = *cond.children[0]->children[0];
  CHECK(elapsed.op == Op::Sub);
  CHECK(elapsed.type == Type::of(TypeKind::Duration));
  CHECK(elapsed.children[0]->type == Type::of(TypeKind::Time));
  CHECK(cond.children[1]->children[0]->type == Type::of(TypeKind::Int));
}

TEST_CASE("an unresolved operand does not cause follow-on type errors", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  if lead.nope > 5 and lead.nope + 1 > 2 { tag "x" }
  wait lead.nope2
})");
  CHECK(diagnostics(*c) == Lines{
                               "3:6 UnknownField: unknown field `nope` on `lead`",
                               "3:24 UnknownField: unknown field `nope` on `lead`",
                               "4:8 UnknownField: unknown field `nope2` on `lead`",
                           });
}

TEST_CASE("and, or and not need booleans", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  if lead.employees and true { tag "x" }
  if not lead.title { tag "y" }
  if -lead.title == "x" { tag "z" }
})");
  CHECK(diagnostics(*c) == Lines{
                               "3:6 TypeMismatch: `and` needs `bool` operands, found `int` and `bool`",
                               "4:6 TypeMismatch: `not` needs a `bool`, found `string`",
                               "5:6 TypeMismatch: cannot negate `string`",
                           });
}

TEST_CASE("owners and recipients are strings", "[dsl][typecheck]") {
  auto c = compile(R"(workflow w {
  when replied
  assign to lead.employees
  task "call" owner 5
  send email "hi" to lead.title
  assign to "max@example.com"
})");
  CHECK(diagnostics(*c) == Lines{
                               "3:13 TypeMismatch: expected a `string` for `assign to`, found `int`",
                               "4:21 TypeMismatch: expected a `string` for `owner`, found `int`",
                           });
}
