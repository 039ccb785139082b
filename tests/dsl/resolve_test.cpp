// Name resolution: unknown names of every kind, duplicates, event scopes and structural checks.
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
}
event form_submitted { company: string  pages: int }
event replied
event meeting_booked { meeting_at: time }
)";

std::unique_ptr<Compilation> compile(const std::string& text) {
  return leadflow::testing::check_text(text, prelude, false);
}

using leadflow::testing::at;
std::vector<std::string> diagnostics(const Compilation& c) { return leadflow::testing::diagnostic_lines(c); }

const Diagnostic& first(const Compilation& c) {
  REQUIRE_FALSE(c.diagnostics.diagnostics().empty());
  return c.diagnostics.diagnostics().front();
}

}  // namespace

TEST_CASE("an unknown lead field is an error with the closest declared field as help", "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when form_submitted
  if lead.employes > 50 { score +10 "big" }
})");
  CHECK(diagnostics(*c) == std::vector<std::string>{"3:6 UnknownField: unknown field `employes` on `lead`"});
  CHECK(first(*c).help == "did you mean `employees`?");
}

TEST_CASE("an unknown event field is an error naming the event", "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when form_submitted where event.compny == "Acme"
})");
  CHECK(diagnostics(*c) ==
        std::vector<std::string>{"2:29 UnknownEventField: unknown field `compny` on event `form_submitted`"});
  CHECK(first(*c).help == "did you mean `company`?");
}

TEST_CASE("event fields are only readable where an event is in scope", "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when form_submitted
  if event.pages > 3 { score +5 "pages" }
  wait up to 3d for event meeting_booked where event.meeting_at > now
})");
  CHECK(diagnostics(*c) ==
        std::vector<std::string>{"3:6 EventOutsideEventContext: `event.pages` is used where no event is in scope"});
}

TEST_CASE("event fields resolve against the event in scope", "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when form_submitted where event.pages > 3
  wait up to 3d for event meeting_booked where event.meeting_at > now
}
scoring engagement { on form_submitted where event.company == "Acme" -> +5 }
event demo_requested { requested_at: time  set lead.title = "x" })");
  CHECK(diagnostics(*c).empty());
  const WorkflowDecl& wf = c->files[0]->workflows[0];
  const Expr& pages = *wf.triggers[0].where->children[0];
  CHECK(pages.kind == ExprKind::EventField);
  CHECK(pages.resolved_slot == 1);
  CHECK(pages.type == Type::of(TypeKind::Int));
  const Expr& meeting_at = *wf.steps[0]->where->children[0];
  CHECK(meeting_at.resolved_slot == 0);
  CHECK(meeting_at.type == Type::of(TypeKind::Time));
}

TEST_CASE("lead fields get slots after the builtins, in schema order", "[dsl][resolve]") {
  auto c = compile(R"(const big = 50
workflow w {
  when form_submitted
  if lead.employees > big and lead.score > 10 { set lead.country = "DE" }
})");
  REQUIRE(diagnostics(*c).empty());
  const Symbols& s = c->symbols;
  REQUIRE(s.lead_fields.size() == builtin_lead_fields().size() + 3);
  CHECK(s.lead_fields[0].name == "id");
  CHECK(s.lead_field("employees")->slot == static_cast<int>(builtin_lead_fields().size()));
  CHECK(s.lead_field("score")->builtin);
  const IfArm& arm = c->files[0]->workflows[0].steps[0]->arms[0];
  const Expr& employees = *arm.condition->children[0]->children[0];
  CHECK(employees.resolved_slot == s.lead_field("employees")->slot);
  const Expr& big = *arm.condition->children[0]->children[1];
  CHECK(big.resolved_const == s.consts.at("big"));
  CHECK(s.consts.at("big")->used);
  CHECK(arm.body[0]->set->resolved_slot == s.lead_field("country")->slot);
}

TEST_CASE("a trigger on an undeclared event is an error with a suggestion", "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when form_submited
})");
  CHECK(diagnostics(*c) == std::vector<std::string>{"2:8 UnknownEvent: unknown event `form_submited`"});
  CHECK(first(*c).help == "did you mean `form_submitted`?");
}

TEST_CASE("an unknown name and an unknown function are errors with suggestions", "[dsl][resolve]") {
  auto c = compile(R"(const target_countries = ["US"]
workflow w {
  when form_submitted
  if lead.country in target_countrie { score +1 "x" }
  if day_since(lead.created_at) > 3 { score +1 "y" }
})");
  REQUIRE(diagnostics(*c) == std::vector<std::string>{
                                 "4:22 UnknownName: unknown name `target_countrie`",
                                 "5:6 UnknownFunction: unknown function `day_since`",
                             });
  CHECK(c->diagnostics.diagnostics()[0].help == "did you mean `target_countries`?");
  CHECK(c->diagnostics.diagnostics()[1].help == "did you mean `days_since`?");
}

TEST_CASE("references to undeclared routers, teams, SLAs, workflows, stages, calendars, channels and "
          "scoring models are errors",
          "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when form_submitted
  assign using ae_routr with sla hot_led
  assign to team sdrs
  enroll nurture
  stage mql
  wait 2 business days using office_hour
  send fax "hello"
  notify teams "#sales" "new lead"
}
use scoring fitt
scoring fit { lead.employees > 10 -> +5 "big" }
team sdr { members ["a@example.com"] }
router ae_router { otherwise -> team sdr  fallback manager }
sla hot_lead 5m from assign until first_activity { at 100% alert manager }
workflow nurture_leads { when replied }
calendar office_hours { workdays mon..fri }
)");
  REQUIRE(diagnostics(*c) == std::vector<std::string>{
                                 "3:16 UnknownRouter: unknown router `ae_routr`",
                                 "3:34 UnknownSla: unknown SLA `hot_led`",
                                 "4:18 UnknownTeam: unknown team `sdrs`",
                                 "5:10 UnknownWorkflow: unknown workflow `nurture`",
                                 "6:9 UnknownStage: unknown stage `mql`",
                                 "7:30 UnknownCalendar: unknown calendar `office_hour`",
                                 "8:8 UnknownChannel: unknown channel `fax` for `send`",
                                 "9:10 UnknownChannel: unknown channel `teams` for `notify`",
                                 "11:13 UnknownScoring: unknown scoring model `fitt`",
                             });
  const auto& d = c->diagnostics.diagnostics();
  CHECK(d[0].help == "did you mean `ae_router`?");
  CHECK(d[1].help == "did you mean `hot_lead`?");
  CHECK(d[2].help == "did you mean `sdr`?");
  CHECK(d[3].help.empty());
  CHECK(d[4].help == "declare the stage in a `stages` block");
  CHECK(d[5].help == "did you mean `office_hours`?");
  CHECK(d[6].help == "`send` channels are `email`, `sms` and `linkedin`");
  CHECK(d[7].help == "`notify` channels are `slack`");
  CHECK(d[8].help == "did you mean `fit`?");
}

TEST_CASE("a stage step names a stage of any stages block", "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when replied
  stage sql
  stage "closed_won"
  stage opportunty
}
stages by score { cold 0..20  warm 21..40  mql 41..60  sal 61..80  sql 81..100 }
stages pipeline { prospect contacted opportunity closed_won closed_lost }
use stages pipeline)");
  CHECK(diagnostics(*c) == std::vector<std::string>{"5:9 UnknownStage: unknown stage `opportunty`"});
  CHECK(first(*c).help == "did you mean `opportunity`?");
  CHECK(c->symbols.active_stages == "pipeline");
  CHECK(c->symbols.stages.count("closed_lost") == 1);
}

TEST_CASE("an unknown type in a schema or an event is an error", "[dsl][resolve]") {
  auto c = compile(R"(schema lead { size: strng }
event tagged { tags: list<list<string>> })");
  REQUIRE(diagnostics(*c) == std::vector<std::string>{
                                 "1:21 UnknownType: unknown type `strng`",
                                 "2:27 UnknownType: a list cannot hold lists",
                             });
  CHECK(first(*c).help == "did you mean `string`?");
}

TEST_CASE("a name defined twice is an error with a note at the first definition", "[dsl][resolve]") {
  auto c = compile(R"(workflow a { when replied }
workflow a { when replied }
const x = 1
const x = 2
event replied)");
  REQUIRE(diagnostics(*c) == std::vector<std::string>{
                                 "2:10 DuplicateDefinition: workflow `a` is already defined",
                                 "4:7 DuplicateDefinition: constant `x` is already defined",
                                 "12:7 DuplicateDefinition: event `replied` is already defined",
                             });
  const Diagnostic& d = first(*c);
  REQUIRE(d.notes.size() == 1);
  CHECK(at(*c, d.notes[0].span) == "1:10");
  CHECK(d.notes[0].message == "first defined here");
  CHECK(at(*c, c->diagnostics.diagnostics()[2].notes[0].span) == "5:7");
}

TEST_CASE("a schema may redeclare a builtin field only with its builtin type", "[dsl][resolve]") {
  auto c = compile(R"(schema lead { email: string  score: string })");
  CHECK(diagnostics(*c) ==
        std::vector<std::string>{"1:37 TypeMismatch: built-in field `score` is `int`, not `string`"});
  CHECK(c->symbols.lead_field("email")->builtin);
  CHECK(c->symbols.lead_field("email")->decl.valid());
}

TEST_CASE("becomes and crosses need a lead field on their left", "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when form_submitted becomes 3
}
workflow v {
  when lead.employees crosses above 100
})");
  CHECK(diagnostics(*c) == std::vector<std::string>{
                               "2:8 TriggerNotField: `becomes` needs a lead field on its left, like `lead.stage`"});
}

TEST_CASE("a workflow without a trigger is an error", "[dsl][resolve]") {
  auto c = compile(R"(workflow w { score +5 "x" })");
  CHECK(diagnostics(*c) == std::vector<std::string>{"1:10 MissingTrigger: workflow `w` has no `when` trigger"});
  CHECK(first(*c).help == "add a trigger, e.g. `when form_submitted`");
}

TEST_CASE("a workflow with two enroll policies is an error with a note at the first", "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when replied
  enroll once
  enroll always
})");
  CHECK(diagnostics(*c) ==
        std::vector<std::string>{"4:3 DuplicatePolicy: workflow `w` has more than one `enroll` policy"});
  REQUIRE(first(*c).notes.size() == 1);
  CHECK(at(*c, first(*c).notes[0].span) == "3:3");
}

TEST_CASE("points outside -100..100 are errors in steps and scoring rules", "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when replied
  score +150 "x"
  score -100 "fine"
}
scoring fit { lead.employees > 10 -> -120 "too much" })");
  CHECK(diagnostics(*c) == std::vector<std::string>{
                               "3:9 ScoreOutOfRange: points `+150` are outside -100..100",
                               "6:38 ScoreOutOfRange: points `-120` are outside -100..100",
                           });
}

TEST_CASE("stage ranges by score must tile 0..100", "[dsl][resolve]") {
  SECTION("a gap between two ranges") {
    auto c = compile("stages by score { cold 0..20  warm 25..100 }");
    CHECK(diagnostics(*c) ==
          std::vector<std::string>{"1:31 StageRangeGap: stage ranges leave a gap: `21..24` belongs to no stage"});
  }
  SECTION("a gap at the top") {
    auto c = compile("stages by score { cold 0..20  warm 21..90 }");
    CHECK(diagnostics(*c) ==
          std::vector<std::string>{"1:31 StageRangeGap: stage ranges leave a gap: `91..100` belongs to no stage"});
  }
  SECTION("an overlap") {
    auto c = compile("stages by score { cold 0..30  warm 20..100 }");
    CHECK(diagnostics(*c) ==
          std::vector<std::string>{"1:31 StageRangeOverlap: stage `warm` `20..100` overlaps `cold` `0..30`"});
    REQUIRE(first(*c).notes.size() == 1);
    CHECK(at(*c, first(*c).notes[0].span) == "1:19");
  }
  SECTION("empty and out-of-range ranges") {
    auto c = compile("stages by score { cold 0..20  warm 40..21  hot 21..120 }");
    CHECK(diagnostics(*c) == std::vector<std::string>{
                                 "1:31 StageRangeInvalid: stage `warm` has an empty range `40..21`",
                                 "1:44 StageRangeInvalid: stage `hot` range `21..120` is outside 0..100",
                             });
  }
  SECTION("a tiling in any order is fine") {
    auto c = compile("stages by score { warm 51..100  cold 0..50 }");
    CHECK(diagnostics(*c).empty());
  }
}

TEST_CASE("SLA levels outside 1%..1000% are errors", "[dsl][resolve]") {
  auto c = compile(R"(sla s 5m from assign until first_activity {
  at 0% remind owner
  at 150% reassign
  at 1500% alert manager
})");
  CHECK(diagnostics(*c) == std::vector<std::string>{
                               "2:6 InvalidPercent: SLA level `0%` is outside 1%..1000%",
                               "4:6 InvalidPercent: SLA level `1500%` is outside 1%..1000%",
                           });
}

TEST_CASE("manager is a router target only as the fallback", "[dsl][resolve]") {
  auto c = compile(R"(router r {
  lead.employees > 5 -> manager
  fallback manager
})");
  CHECK(diagnostics(*c) ==
        std::vector<std::string>{"2:25 ManagerFallbackOnly: `manager` can only be a router's `fallback`"});
}

TEST_CASE("the first step after stop in a block is unreachable", "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when replied
  if lead.employees > 5 {
    stop
    score +5 "x"
    tag "y"
  }
  stop
  tag "z"
})");
  CHECK(diagnostics(*c) == std::vector<std::string>{
                               "5:5 UnreachableStep: this step comes after `stop` and can never run",
                               "9:3 UnreachableStep: this step comes after `stop` and can never run",
                           });
  REQUIRE(first(*c).notes.size() == 1);
  CHECK(at(*c, first(*c).notes[0].span) == "4:5");
}

TEST_CASE("time zones must be in the IANA database", "[dsl][resolve]") {
  auto c = compile(R"(team sdr { timezone "Europe/Berln" }
calendar office { timezone "berlin" }
governance { timezone "Europe/Sofia" }
team ae { timezone "../../etc/passwd" })");
  REQUIRE(diagnostics(*c) == std::vector<std::string>{
                                 "1:21 UnknownTimeZone: unknown time zone `Europe/Berln`",
                                 "2:28 UnknownTimeZone: unknown time zone `berlin`",
                                 "4:20 UnknownTimeZone: unknown time zone `../../etc/passwd`",
                             });
  CHECK(c->diagnostics.diagnostics()[0].help == "did you mean `Europe/Berlin`?");
  CHECK(c->diagnostics.diagnostics()[1].help == "did you mean `Europe/Berlin`?");
}

TEST_CASE("send, notify and cap channels are checked", "[dsl][resolve]") {
  auto c = compile(R"(workflow w {
  when replied
  send emial "hello"
  send sms "hi" to lead.title
  notify slack "#sales" "new reply"
}
governance { cap email 50 per sender per day  cap fax 10 per day })");
  REQUIRE(diagnostics(*c) == std::vector<std::string>{
                                 "3:8 UnknownChannel: unknown channel `emial` for `send`",
                                 "7:47 UnknownChannel: unknown channel `fax` for `cap`",
                             });
  CHECK(first(*c).help == "did you mean `email`?");
}
