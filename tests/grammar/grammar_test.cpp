// Accept/reject tables per construct of the .flow grammar, plus PEGTL's own analysis of it.
#include <catch2/catch.hpp>

#include <string>
#include <tao/pegtl/contrib/analyze.hpp>

#include "dsl/compiler.hpp"
#include "grammar/flow_grammar.hpp"

using namespace leadflow::dsl;

namespace {

struct Parsed {
  SourceManager sources;
  DiagnosticSink sink;
  std::unique_ptr<FileAst> ast;
};

std::unique_ptr<Parsed> parse(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  SourceId id = p->sources.add("test.flow", text);
  p->ast = parse_file(p->sources, id, p->sink);
  return p;
}

std::string first_error(const Parsed& p) {
  for (const auto& d : p.sink.diagnostics()) {
    if (d.severity == Severity::Error) {
      LineCol lc = p.sources.line_col(d.span.source, d.span.begin);
      return std::to_string(lc.line) + ":" + std::to_string(lc.col) + ": " + d.message;
    }
  }
  return "";
}

std::string wrap_workflow(const std::string& body) { return "workflow w {\n  when form_submitted\n" + body + "\n}\n"; }

}  // namespace

TEST_CASE("the grammar has no rules that can loop without consuming input", "[grammar]") {
  CHECK(tao::pegtl::analyze<leadflow::grammar::flow_file>(1) == 0);
}

TEST_CASE("every top-level construct parses", "[grammar][accept]") {
  const char* accepted[] = {
      "",
      "# only a comment\n// another\n/* block\ncomment */",
      "import \"schema.flow\"",
      "const target_countries = [\"US\", \"CA\", \"GB\",]",
      "const limit = 50; const pi = 3.14; const window = 1h30m",
      "schema lead { employees: int  country: string  tags: list<string>  owner: string  meeting_at: time }",
      "event replied",
      "event meeting_booked { meeting_at: time  set lead.meeting_at = event.meeting_at }",
      "scoring fit {\n lead.title matches /\\b(ceo|cto)\\b/i -> +25 \"C-level\"\n lead.employees >= 500 -> +20 \"500+\"\n}",
      "scoring engagement { on pricing_page_view -> +20  on email_opened where event.campaign == \"x\" -> +2 \"open\"  inactive 30d -> -15 }",
      "stages by score { cold 0..20  warm 21..40  mql 41..60  sal 61..80  sql 81..100 }",
      "stages playbook by score { disqualified 0..9 nurture 10..19 mql 20..29 sql 30..100 }",
      "stages pipeline { prospect -> contacted -> qualified }",
      "stages lifecycle { subscriber lead mql sql }",
      "use scoring fit, engagement",
      "use stages playbook",
      "disable workflow no_show_cadence, warm_cadence",
      "router ae { lead.named_account -> lead.account_owner\n lead.country in [\"DE\"] -> team dach\n otherwise -> round_robin team sdr skip away, at_capacity\n fallback manager }",
      "team sdr { manager \"m@x.com\" members [\"a@x.com\", \"b@x.com\"] capacity 25 timezone \"Europe/Sofia\" hours 09:00..18:00 }",
      "sla hot_lead 5m from assign until first_activity { at 50% remind owner  at 100% alert manager  at 150% reassign }",
      "sla demo 15m from event demo_requested until event activity_logged { at 133.3% alert team  at 200% notify slack \"#sales\" }",
      "calendar business { timezone \"Europe/Berlin\" workdays mon..fri hours 09:00..17:00 holidays [\"2026-12-25\"] }",
      "governance { timezone \"UTC\" cap email 75 per sender per day  cap actions 1000 per day  send window 08:00..20:00 }",
      "test \"hot lead\" {\n given lead { id: \"L-1\", email: \"a@acme.de\", employees: 120, tags: [\"x\"] }\n"
      " start \"2026-01-05T09:00:00Z\"\n at 0m event form_submitted { form_id: \"demo\" }\n at 2h event replied\n"
      " expect at 0m assign { team: \"dach\" }\n expect at 5m task\n expect no email { template: \"x\" }\n"
      " expect final { stage: \"sql\", score: 40 }\n run for 30d\n}",
  };
  for (const char* text : accepted) {
    INFO(text);
    auto p = parse(text);
    CHECK(first_error(*p) == "");
  }
}

TEST_CASE("every workflow header and step parses", "[grammar][accept]") {
  const char* accepted[] = {
      "enroll once per lead",
      "enroll once",
      "enroll always",
      "enroll again after 30d",
      "exit when lead.unsubscribed or lead.stage == \"disqualified\"",
      "exit when event replied, unsubscribed, bounced",
      "when lead.meeting_status becomes \"no_show\"",
      "when lead.score crosses 30",
      "when lead.score crosses below 10",
      "when lead.stage == \"opportunity\" unchanged for 30d",
      "when demo_requested where event.form_id == \"demo\"",
      "score +30 \"mid-market\"",
      "score -10 \"free mail\"",
      "stage closed_lost reason \"no response\"",
      "stage \"opportunity\"",
      "stage lead",
      "set lead.lost_reason = \"timing\"",
      "tag \"hot\"",
      "assign using ae_router",
      "assign using ae_router with sla hot_lead",
      "assign to team sdr",
      "assign to lead.account_owner",
      "task \"Call {lead.first_name} now\" due 5m owner lead.owner priority high",
      "send email \"what_to_expect\"",
      "send email \"permission_to_close\" from \"vp_sales\" to lead.email",
      "send sms \"reminder\"",
      "notify slack \"#sales-alerts\" \"Hot lead: {lead.first_name} from {lead.company}\"",
      "notify owner \"new lead\"",
      "notify manager \"SLA breach\"",
      "webhook \"crm_sync\"",
      "validate email",
      "enrich",
      "enroll mql_nurture",
      "wait 30m",
      "wait 3 business days",
      "wait 4 business hours using business",
      "wait until lead.meeting_at - 24h",
      "wait up to 1h for event meeting_booked",
      "wait up to 3d for event replied where event.channel == \"email\" on timeout { stage closed_lost; enroll n }",
      "if lead.employees > 50 { score +30 \"x\" } else if lead.employees > 10 { score +5 \"y\" } else { stop }",
      "if not (lead.country in [\"US\"]) and lead.email matches \"@gmail\" { stop }",
      "if days_since(lead.last_activity_at) > 14 and lead.score * 2 - 3 % 2 >= -1 { stop }",
      "if lead.country not in target_countries or lead.created_at < now - 1d { stop }",
      "stop",
  };
  for (const char* body : accepted) {
    INFO(body);
    auto p = parse(wrap_workflow(body));
    CHECK(first_error(*p) == "");
  }
}

TEST_CASE("syntax errors say what was expected and what was found, at the right place", "[grammar][reject]") {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case rejected[] = {
      {"workflow {", "1:10: expected a name, found `{`"},
      {"workflow w\n  when x\n}", "2:3: expected `{` to open the workflow, found `when`"},
      {"workflow w { when x\n score 30 \"r\" }", "2:8: expected points like `+25` or `-10`, found `30`"},
      {"workflow w { when x\n score +30 }", "2:12: expected a string in double quotes, found `}`"},
      {"workflow w { when x\n if lead.a > { stop } }", "2:14: expected an operand, found `{`"},
      {"workflow w { when x\n if lead.a > 1 stop }", "2:16: expected `{` after the condition, found `stop`"},
      {"workflow w { when x\n wait up to 1h for replied }", "2:20: expected `event`, found `replied`"},
      {"workflow w { when x\n send email \"a }\n}", "2:17: expected `\"` to close the string (strings end on the same line), found end of line"},
      {"workflow w { when x\n stop", "2:6: expected `}`, found end of file"},
      {"flow w {}", "1:1: expected a declaration (`workflow`, `schema`, `event`, `const`, `import`, `scoring`, `stages`, `use`, `disable`, `router`, `team`, `sla`, `calendar`, `governance` or `test`), found `flow`"},
      {"const x = [1, 2", "1:16: expected `,` or `]` after a list element, found end of file"},
      {"const x = f(1 2)", "1:15: expected `,` or `)` after an argument, found `2`"},
      {"scoring s { lead.a > 1 +25 \"r\" }", "1:28: expected `->`, found a string"},
      {"stages by score { cold 0-20 }", "1:25: expected `..`, found `-`"},
      {"schema lead { employees int }", "1:25: expected `:` between a field name and its type, found `int`"},
      {"team t { hours 9:00..17:00 }", "1:16: expected a clock range like `09:00..17:00`, found `9`"},
      {"const x = 1 not 2", "1:13: expected a declaration (`workflow`, `schema`, `event`, `const`, `import`, `scoring`, `stages`, `use`, `disable`, `router`, `team`, `sla`, `calendar`, `governance` or `test`), found `not`"},
      {"/* never closed", "1:16: expected `*/` to close the comment, found end of file"},
      {"const x = 30min", "1:11: expected the constant's value, found `30min`"},
  };
  for (const auto& c : rejected) {
    INFO(c.text);
    auto p = parse(c.text);
    CHECK(first_error(*p) == c.error);
  }
}

TEST_CASE("parsing resumes at the next declaration after a syntax error", "[grammar][recovery]") {
  auto p = parse(
      "workflow broken {\n  when x\n  score 30 \"no sign\"\n}\n"
      "workflow fine { when y stop }\n"
      "workflow also_broken {\n  when z\n  wait up to for event q\n}\n");
  REQUIRE(p->sink.error_count() == 2);
  CHECK(p->sink.diagnostics()[0].kind == DiagnosticKind::SyntaxError);
  REQUIRE(p->ast->workflows.size() == 1);
  CHECK(p->ast->workflows[0].name == "fine");
}

TEST_CASE("a test block keeps its lead, events and expectations in order", "[grammar][test]") {
  auto p = parse(
      "test \"t\" {\n  given lead { id: \"L-1\" employees: 120 }\n  at 0m event form_submitted { form_id: \"demo\" }\n"
      "  expect at 5m task { title: \"Call\" }\n  expect no sms\n  expect final { stage: \"sql\" }\n  run for 2d\n}\n");
  REQUIRE(first_error(*p) == "");
  REQUIRE(p->ast->tests.size() == 1);
  const TestDecl& t = p->ast->tests[0];
  CHECK(t.name == "t");
  REQUIRE(t.leads.size() == 1);
  REQUIRE(t.leads[0].size() == 2);
  CHECK(t.leads[0][1].key == "employees");
  CHECK(t.leads[0][1].value->int_value == 120);
  REQUIRE(t.events.size() == 1);
  CHECK(t.events[0].event == "form_submitted");
  CHECK(t.events[0].data.at(0).key == "form_id");
  REQUIRE(t.expects.size() == 3);
  CHECK(t.expects[0].kind == ExpectKind::At);
  CHECK(t.expects[0].action == "task");
  CHECK(t.expects[0].offset->int_value == 300);
  CHECK(t.expects[1].kind == ExpectKind::Never);
  CHECK(t.expects[1].action == "sms");
  CHECK(t.expects[2].kind == ExpectKind::Final);
  CHECK(t.expects[2].fields.at(0).key == "stage");
  CHECK(t.run_for->int_value == 2 * 86400);
}

TEST_CASE("operators bind with the usual precedence", "[grammar][expression]") {
  auto p = parse("const x = not a == 1 + 2 * 3 or b and c");
  REQUIRE(first_error(*p) == "");
  const Expr& e = *p->ast->consts.at(0).value;
  // or(not(==(a, +(1, *(2, 3)))), and(b, c))
  REQUIRE(e.kind == ExprKind::Binary);
  CHECK(e.op == Op::Or);
  const Expr& left = *e.children[0];
  CHECK(left.op == Op::Not);
  const Expr& eq = *left.children[0];
  CHECK(eq.op == Op::Eq);
  CHECK(eq.children[1]->op == Op::Add);
  CHECK(eq.children[1]->children[1]->op == Op::Mul);
  CHECK(e.children[1]->op == Op::And);
}

TEST_CASE("literals keep their values and spans", "[grammar][literal]") {
  auto p = parse("const a = [42, 4.5, 1h30m, 2w, \"hi {lead.first_name}\\n\", true, null, now]");
  REQUIRE(first_error(*p) == "");
  const Expr& list = *p->ast->consts.at(0).value;
  REQUIRE(list.children.size() == 8);
  CHECK(list.children[0]->int_value == 42);
  CHECK(list.children[1]->decimal_value == Approx(4.5));
  CHECK(list.children[2]->kind == ExprKind::DurationLit);
  CHECK(list.children[2]->int_value == 5400);
  CHECK(list.children[3]->int_value == 14 * 86400);
  const Expr& s = *list.children[4];
  REQUIRE(s.parts.size() == 3);
  CHECK(s.parts[0].text == "hi ");
  CHECK(s.parts[1].expr->name == "first_name");
  CHECK(s.parts[2].text == "\n");
  CHECK(s.span.begin == 31);
  CHECK(s.span.end == 55);
}

TEST_CASE("limits on numbers, identifiers, strings and nesting are diagnostics", "[grammar][limits]") {
  SECTION("a number over 64 bits") {
    auto p = parse("const x = 99999999999999999999");
    REQUIRE(p->sink.error_count() == 1);
    CHECK(p->sink.diagnostics()[0].kind == DiagnosticKind::InvalidNumber);
  }
  SECTION("an identifier over 128 bytes") {
    auto p = parse("const " + std::string(129, 'a') + " = 1");
    REQUIRE(p->sink.error_count() == 1);
    CHECK(p->sink.diagnostics()[0].kind == DiagnosticKind::IdentifierTooLong);
  }
  SECTION("a string over 4096 bytes") {
    auto p = parse("const x = \"" + std::string(5000, 'a') + "\"");
    REQUIRE(p->sink.error_count() == 1);
    CHECK(p->sink.diagnostics()[0].kind == DiagnosticKind::StringTooLong);
  }
  SECTION("parentheses nested 100000 deep do not overflow the stack") {
    auto p = parse("const x = " + std::string(100000, '(') + "1" + std::string(100000, ')'));
    REQUIRE(p->sink.error_count() == 1);
    CHECK(p->sink.diagnostics()[0].kind == DiagnosticKind::NestingTooDeep);
  }
  SECTION("ifs nested 65 deep") {
    std::string body;
    for (int i = 0; i < 65; ++i) body += "if true {\n";
    body += "stop\n";
    for (int i = 0; i < 65; ++i) body += "}\n";
    auto p = parse(wrap_workflow(body));
    REQUIRE(p->sink.error_count() >= 1);
    CHECK(p->sink.diagnostics()[0].kind == DiagnosticKind::NestingTooDeep);
  }
  SECTION("an unknown escape") {
    auto p = parse("const x = \"a\\qb\"");
    REQUIRE(p->sink.error_count() == 1);
    CHECK(p->sink.diagnostics()[0].kind == DiagnosticKind::InvalidEscape);
  }
}

TEST_CASE("steps land in the right blocks", "[grammar][workflow]") {
  auto p = parse(
      "workflow w {\n  when form_submitted\n  enroll once per lead\n  exit when event replied\n"
      "  if lead.a > 1 {\n    score +1 \"a\"\n  } else if lead.a > 0 {\n    score +2 \"b\"\n  } else {\n    stop\n  }\n"
      "  wait up to 1h for event meeting_booked on timeout { send email \"t\" }\n  enroll other\n}\n");
  REQUIRE(first_error(*p) == "");
  const WorkflowDecl& w = p->ast->workflows.at(0);
  CHECK(w.triggers.size() == 1);
  REQUIRE(w.policies.size() == 1);
  CHECK(w.policies[0].kind == EnrollPolicyKind::Once);
  REQUIRE(w.exits.size() == 1);
  CHECK(w.exits[0].events == std::vector<std::string>{"replied"});
  REQUIRE(w.steps.size() == 3);
  const Step& branch = *w.steps[0];
  REQUIRE(branch.arms.size() == 2);
  CHECK(branch.arms[0].body.at(0)->points == 1);
  CHECK(branch.arms[1].body.at(0)->points == 2);
  CHECK(branch.has_else);
  CHECK(branch.else_body.at(0)->kind == StepKind::Stop);
  const Step& wait = *w.steps[1];
  CHECK(wait.wait_kind == WaitKind::ForEvent);
  CHECK(wait.name == "meeting_booked");
  CHECK(wait.timeout_body.at(0)->text == "t");
  CHECK(w.steps[2]->kind == StepKind::Enroll);
  CHECK(w.steps[2]->name == "other");
}
