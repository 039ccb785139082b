// Lowering: .flow text through the whole front end to a Program, checked graph by graph and
// expression by expression (evaluated with the engine's evaluator).
#include "dsl/lower.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "dsl/compiler.hpp"
#include "engine/expr_eval.hpp"
#include "engine/program.hpp"
#include "engine/workflow_graph.hpp"

namespace dsl = leadflow::dsl;
namespace engine = leadflow::engine;
using engine::Value;

namespace {

constexpr std::int64_t jan5_9am = 1767603600;  // 2026-01-05T09:00:00Z

// Declarations the test workflows use; appended after them so workflow line numbers are easy.
const char* const declarations = R"(
schema lead {
  first_name: string
  title: string
  employees: int
  country: string
  language: string
  named_account: bool
  account_owner: string
  meeting_at: time
  lost_reason: string
  touches: int
}
event form_submitted { form_id: string }
event demo_requested
event meeting_booked { meeting_at: time  set lead.meeting_at = event.meeting_at }
event meeting_status_changed { status: string }
event replied
event unsubscribed
event pricing_page_view
event email_clicked { url: string }
const target_countries = ["US", "CA", "GB", "DE", "AT", "CH"]
const free_mail = ["gmail.com", "yahoo.com"]
stages by score { cold 0..20  warm 21..40  mql 41..60  sal 61..80  sql 81..100 }
stages lifecycle { opportunity closed_won closed_lost }
team dach { manager "greta@example.com"; members ["hans@example.com", "ida@example.com"] }
team sdr { manager "mia@example.com"; members ["ana@example.com", "ben@example.com"]; capacity 40 }
router ae_router {
  lead.named_account                 -> lead.account_owner
  lead.country in ["DE", "AT", "CH"] -> team dach
  otherwise                          -> round_robin team sdr skip away, at_capacity
  fallback manager
}
sla hot_lead 5m from assign until first_activity {
  at 150% reassign
  at 50% remind owner
  at 100% alert manager
}
workflow mql_nurture {
  when lead.stage becomes "mql"
  tag "nurture"
}
)";

struct Compiled {
  std::unique_ptr<dsl::Compilation> c;
  const engine::Program* p = nullptr;
};

std::string diagnostics_text(const dsl::Compilation& c) {
  std::string out;
  for (const auto& d : c.diagnostics.diagnostics()) {
    auto lc = c.sources.line_col(d.span.source == dsl::no_source ? 0 : d.span.source, d.span.begin);
    out += std::to_string(lc.line) + ":" + std::to_string(lc.col) + ": " + d.message + "\n";
  }
  return out;
}

Compiled compile(const std::string& workflows, bool with_declarations = true) {
  Compiled out;
  out.c = dsl::compile_text("lower_test.flow", workflows + (with_declarations ? declarations : ""));
  INFO(diagnostics_text(*out.c));
  REQUIRE(out.c->diagnostics.error_count() == 0);
  REQUIRE(out.c->program);
  out.p = out.c->program.get();
  return out;
}

const engine::WorkflowGraph& graph(const Compiled& c, const std::string& name) {
  const engine::Workflow* w = c.p->workflow(name);
  REQUIRE(w);
  REQUIRE(w->graph);
  return *w->graph;
}

std::vector<std::string> node_ids(const engine::WorkflowGraph& g) {
  std::vector<std::string> ids;
  for (engine::StepIndex v = 0; v < g.size(); ++v) ids.push_back(g.step(v).id);
  return ids;
}

// "from -label-> to" with the workflow prefix dropped, in export order.
std::vector<std::string> edges(const engine::WorkflowGraph& g, const std::string& workflow) {
  auto strip = [&](const std::string& id) { return id.substr(workflow.size() + 1); };
  std::vector<std::string> out;
  for (engine::StepIndex v = 0; v < g.size(); ++v) {
    for (const auto& [label, to] : g.out_edges(v)) {
      out.push_back(strip(g.step(v).id) + " -" + engine::edge_label_name(label) + "-> " + strip(g.step(to).id));
    }
  }
  return out;
}

template <typename T>
const T& payload(const engine::WorkflowGraph& g, const std::string& id) {
  engine::StepIndex v = g.find(id);
  INFO(id);
  REQUIRE(v != engine::no_step);
  const T* p = std::get_if<T>(&g.step(v).payload);
  REQUIRE(p);
  return *p;
}

// A lead with the given fields set by name, everything else missing.
std::vector<Value> lead(const engine::Program& p, std::vector<std::pair<std::string, Value>> fields) {
  std::vector<Value> slots(p.lead_fields.size());
  for (auto& [name, value] : fields) {
    engine::Slot s = p.lead_slot(name);
    REQUIRE(s != engine::no_index);
    slots[static_cast<std::size_t>(s)] = std::move(value);
  }
  return slots;
}

// The `if` condition of the first step of a one-step workflow `w { when form_submitted; if EXPR {} }`.
engine::ExprCode condition(const std::string& expr) {
  Compiled c = compile("workflow w {\n  when form_submitted\n  if " + expr + " {\n    tag \"t\"\n  }\n}\n");
  return payload<engine::BranchStep>(graph(c, "w"), "w/if@3").condition;
}

}  // namespace

// ---------------------------------------------------------------- graphs of the DESIGN.md examples

TEST_CASE("inbound_router lowers to a graph with then and else branches joining at end", "[dsl][lower][graph]") {
  Compiled c = compile(R"(workflow inbound_router {
  when form_submitted
  enroll once per lead
  exit when lead.unsubscribed or lead.stage == "disqualified"

  validate email
  enrich
  if lead.employees > 50 and lead.country in target_countries {
    score +30 "mid-market company in a target country"
    assign using ae_router
    task "Call {lead.first_name} now" due 5m
  } else {
    score +10 "inbound form"
    enroll mql_nurture
  }
}
)");
  const auto& g = graph(c, "inbound_router");
  CHECK(node_ids(g) == std::vector<std::string>{
                           "inbound_router/start",
                           "inbound_router/validate@6",
                           "inbound_router/enrich@7",
                           "inbound_router/if@8",
                           "inbound_router/if@8/then/score@9",
                           "inbound_router/if@8/then/assign@10",
                           "inbound_router/if@8/then/task@11",
                           "inbound_router/if@8/else/score@13",
                           "inbound_router/if@8/else/enroll@14",
                           "inbound_router/end",
                       });
  CHECK(edges(g, "inbound_router") == std::vector<std::string>{
                                          "start -next-> validate@6",
                                          "validate@6 -next-> enrich@7",
                                          "enrich@7 -next-> if@8",
                                          "if@8 -then-> if@8/then/score@9",
                                          "if@8 -else-> if@8/else/score@13",
                                          "if@8/then/score@9 -next-> if@8/then/assign@10",
                                          "if@8/then/assign@10 -next-> if@8/then/task@11",
                                          "if@8/then/task@11 -next-> end",
                                          "if@8/else/score@13 -next-> if@8/else/enroll@14",
                                          "if@8/else/enroll@14 -next-> end",
                                      });
  CHECK(g.is_acyclic());
  CHECK(g.step(g.find("inbound_router/if@8")).label == "if lead.employees > 50 and ...");
  CHECK(g.step(g.find("inbound_router/if@8/then/score@9")).label ==
        "score +30 \"mid-market company in a target country\"");
  CHECK(g.step(g.find("inbound_router/if@8/then/task@11")).label == "task \"Call {lead.first_name} now\"");
  CHECK(g.step(g.start()).line == 1);
  CHECK(g.step(g.end()).line == 16);

  const engine::Workflow& w = *c.p->workflow("inbound_router");
  CHECK(w.policy.kind == engine::EnrollPolicyKind::Once);
  REQUIRE(w.triggers.size() == 1);
  CHECK(w.triggers[0].kind == engine::TriggerKind::Event);
  CHECK(w.triggers[0].event == c.p->event_index("form_submitted"));
  CHECK_FALSE(w.triggers[0].where.has_value());
  REQUIRE(w.exits.conditions.size() == 1);
  CHECK(w.exits.conditions[0].source == "lead.unsubscribed or lead.stage == \"disqualified\"");

  const auto& score = payload<engine::ScoreStep>(g, "inbound_router/if@8/then/score@9");
  CHECK(score.points == 30);
  CHECK(score.reason == "mid-market company in a target country");
  const auto& assign = payload<engine::AssignStep>(g, "inbound_router/if@8/then/assign@10");
  CHECK(assign.mode == engine::AssignMode::Router);
  CHECK(assign.router == c.p->router_index("ae_router"));
  const auto& enroll = payload<engine::EnrollStep>(g, "inbound_router/if@8/else/enroll@14");
  CHECK(enroll.workflow == c.p->workflow_index("mql_nurture"));
  const auto& task = payload<engine::TaskStep>(g, "inbound_router/if@8/then/task@11");
  CHECK(engine::evaluate(task.title, lead(*c.p, {{"first_name", Value::string("Ana")}}), {}, 0).as_string() ==
        "Call Ana now");
  REQUIRE(task.due);
  CHECK(task.due->constant() == Value::duration(300));

  // The branch condition, end to end.
  const auto& branch = payload<engine::BranchStep>(g, "inbound_router/if@8");
  auto holds = [&](Value employees, Value country) {
    return engine::evaluate_condition(branch.condition,
                                      lead(*c.p, {{"employees", std::move(employees)}, {"country", std::move(country)}}),
                                      {}, jan5_9am);
  };
  CHECK(holds(Value::integer(120), Value::string("DE")));
  CHECK_FALSE(holds(Value::integer(120), Value::string("FR")));
  CHECK_FALSE(holds(Value::integer(20), Value::string("DE")));
  CHECK_FALSE(holds(Value(), Value::string("DE")));
  CHECK_FALSE(holds(Value::integer(120), Value()));
}

TEST_CASE("no_show_recovery lowers to a straight line of waits and sends", "[dsl][lower][graph]") {
  Compiled c = compile(R"(workflow no_show_recovery {
  when lead.stage becomes "no_show"
  exit when event meeting_booked
  wait 30m
  send email "missed_you_reschedule"
  wait 24h
  send email "video_recap"
  wait 3d
  enroll mql_nurture
}
)");
  const auto& g = graph(c, "no_show_recovery");
  CHECK(edges(g, "no_show_recovery") == std::vector<std::string>{
                                            "start -next-> wait@4",
                                            "wait@4 -next-> send@5",
                                            "send@5 -next-> wait@6",
                                            "wait@6 -next-> send@7",
                                            "send@7 -next-> wait@8",
                                            "wait@8 -next-> enroll@9",
                                            "enroll@9 -next-> end",
                                        });
  const auto& wait = payload<engine::WaitStep>(g, "no_show_recovery/wait@8");
  CHECK(wait.mode == engine::WaitMode::Duration);
  CHECK(wait.amount.constant() == Value::duration(3 * 86400));
  CHECK(g.step(g.find("no_show_recovery/wait@6")).label == "wait 24h");
  const auto& send = payload<engine::SendStep>(g, "no_show_recovery/send@5");
  CHECK(send.channel == "email");
  CHECK(send.template_name == "missed_you_reschedule");

  const engine::Workflow& w = *c.p->workflow("no_show_recovery");
  REQUIRE(w.triggers.size() == 1);
  CHECK(w.triggers[0].kind == engine::TriggerKind::Becomes);
  CHECK(w.triggers[0].field == c.p->lead_slot("stage"));
  CHECK(w.triggers[0].value.constant() == Value::string("no_show"));
  CHECK(w.exits.events == std::vector<std::int32_t>{c.p->event_index("meeting_booked")});
  CHECK(c.p->exits_by_event[static_cast<std::size_t>(c.p->event_index("meeting_booked"))] ==
        std::vector<std::int32_t>{w.index});
  CHECK(w.policy.kind == engine::EnrollPolicyKind::Once);  // the documented default
}

TEST_CASE("meeting_booker's wait up to has a next edge for the event and a timeout edge", "[dsl][lower][graph]") {
  Compiled c = compile(R"(workflow meeting_booker {
  when demo_requested
  send email "what_to_expect"
  wait up to 1h for event meeting_booked
  on timeout {
    send email "trouble_booking"
    task "Manual follow-up" owner lead.owner
  }
}
)");
  const auto& g = graph(c, "meeting_booker");
  CHECK(edges(g, "meeting_booker") == std::vector<std::string>{
                                          "start -next-> send@3",
                                          "send@3 -next-> wait@4",
                                          "wait@4 -next-> end",
                                          "wait@4 -timeout-> wait@4/timeout/send@6",
                                          "wait@4/timeout/send@6 -next-> wait@4/timeout/task@7",
                                          "wait@4/timeout/task@7 -next-> end",
                                      });
  CHECK(g.step(g.find("meeting_booker/wait@4")).label == "wait up to 1h for meeting_booked");
  const auto& wait = payload<engine::WaitStep>(g, "meeting_booker/wait@4");
  CHECK(wait.mode == engine::WaitMode::ForEvent);
  CHECK(wait.event == c.p->event_index("meeting_booked"));
  CHECK(wait.has_timeout_block);
  CHECK(wait.amount.constant() == Value::duration(3600));
  const auto& task = payload<engine::TaskStep>(g, "meeting_booker/wait@4/timeout/task@7");
  REQUIRE(task.owner);
  CHECK(task.owner->lead_reads == std::vector<std::int32_t>{c.p->lead_slot("owner")});
}

TEST_CASE("ghost_buster nests a wait with a timeout block inside an if without else", "[dsl][lower][graph]") {
  Compiled c = compile(R"(workflow ghost_buster {
  when lead.stage == "opportunity" unchanged for 30d
  if days_since(lead.last_activity_at) > 14 {
    send email "permission_to_close" from "vp_sales"
    wait up to 3d for event replied
    on timeout { stage closed_lost reason "no response"; enroll mql_nurture }
  }
}
)");
  const auto& g = graph(c, "ghost_buster");
  CHECK(edges(g, "ghost_buster") == std::vector<std::string>{
                                        "start -next-> if@3",
                                        "if@3 -then-> if@3/then/send@4",
                                        "if@3 -else-> end",
                                        "if@3/then/send@4 -next-> if@3/then/wait@5",
                                        "if@3/then/wait@5 -next-> end",
                                        "if@3/then/wait@5 -timeout-> if@3/then/wait@5/timeout/stage@6",
                                        "if@3/then/wait@5/timeout/stage@6 -next-> if@3/then/wait@5/timeout/enroll@6",
                                        "if@3/then/wait@5/timeout/enroll@6 -next-> end",
                                    });
  const auto& stage = payload<engine::StageStep>(g, "ghost_buster/if@3/then/wait@5/timeout/stage@6");
  CHECK(stage.stage == "closed_lost");
  CHECK(stage.reason == "no response");
  CHECK(payload<engine::SendStep>(g, "ghost_buster/if@3/then/send@4").sender == "vp_sales");

  const engine::Workflow& w = *c.p->workflow("ghost_buster");
  REQUIRE(w.triggers.size() == 1);
  CHECK(w.triggers[0].kind == engine::TriggerKind::Unchanged);
  CHECK(w.triggers[0].held_seconds == 30 * 86400);
  CHECK(w.triggers[0].condition.source == "lead.stage == \"opportunity\"");
  CHECK(w.triggers[0].text == "when lead.stage == \"opportunity\" unchanged for 30d");
  // A held condition on lead.stage: the workflow is looked at whenever the stage changes.
  const auto& by_stage = c.p->workflows_by_field[static_cast<std::size_t>(c.p->lead_slot("stage"))];
  CHECK(std::find(by_stage.begin(), by_stage.end(), w.index) != by_stage.end());

  const auto& branch = payload<engine::BranchStep>(g, "ghost_buster/if@3");
  CHECK(branch.condition.reads_now);
  auto stale = lead(*c.p, {{"last_activity_at", Value::time(jan5_9am - 20 * 86400)}});
  CHECK(engine::evaluate_condition(branch.condition, stale, {}, jan5_9am));
  CHECK_FALSE(engine::evaluate_condition(branch.condition, stale, {}, jan5_9am - 10 * 86400));
  CHECK_FALSE(engine::evaluate_condition(branch.condition, lead(*c.p, {}), {}, jan5_9am));
}

// ---------------------------------------------------------------- graph shapes

TEST_CASE("else-if arms are elif vertices on the else edge, each with its own then and else", "[dsl][lower][graph]") {
  Compiled c = compile(R"(workflow segment {
  when form_submitted
  if lead.employees > 500 {
    tag "enterprise"
  } else if lead.employees > 50 and lead.country in ["DE", "AT", "CH"] {
    tag "dach_mid_market"
  } else if lead.employees > 50 {
    tag "mid_market"
  } else {
    tag "smb"
  }
  score +1 "segmented"
}
)");
  const auto& g = graph(c, "segment");
  CHECK(edges(g, "segment") == std::vector<std::string>{
                                   "start -next-> if@3",
                                   "if@3 -then-> if@3/then/tag@4",
                                   "if@3 -else-> if@3/elif@5",
                                   "if@3/then/tag@4 -next-> score@12",
                                   "if@3/elif@5 -then-> if@3/elif@5/then/tag@6",
                                   "if@3/elif@5 -else-> if@3/elif@7",
                                   "if@3/elif@5/then/tag@6 -next-> score@12",
                                   "if@3/elif@7 -then-> if@3/elif@7/then/tag@8",
                                   "if@3/elif@7 -else-> if@3/else/tag@10",
                                   "if@3/elif@7/then/tag@8 -next-> score@12",
                                   "if@3/else/tag@10 -next-> score@12",
                                   "score@12 -next-> end",
                               });
  CHECK(g.step(g.find("segment/if@3/elif@5")).kind == engine::StepKind::ElseIf);
  CHECK(g.step(g.find("segment/if@3/elif@5")).label == "else if lead.employees > 50 and ...");
  CHECK(g.step(g.find("segment/if@3/elif@7")).label == "else if lead.employees > 50");
  CHECK(g.is_acyclic());
}

TEST_CASE("stop goes to end and the other branch continues", "[dsl][lower][graph]") {
  Compiled c = compile(R"(workflow screen {
  when form_submitted
  if lead.email_domain in ["example.com", "test.com"] {
    tag "test_lead"
    stop
  }
  enrich
}
)");
  CHECK(edges(graph(c, "screen"), "screen") == std::vector<std::string>{
                                                   "start -next-> if@3",
                                                   "if@3 -then-> if@3/then/tag@4",
                                                   "if@3 -else-> enrich@7",
                                                   "if@3/then/tag@4 -next-> if@3/then/stop@5",
                                                   "if@3/then/stop@5 -next-> end",
                                                   "enrich@7 -next-> end",
                                               });
}

TEST_CASE("a wait up to without on timeout continues on both edges", "[dsl][lower][graph]") {
  Compiled c = compile(R"(workflow w {
  when form_submitted
  wait up to 2d for event email_clicked where event.url matches "/pricing"
  tag "done"
}
)");
  const auto& g = graph(c, "w");
  CHECK(edges(g, "w") == std::vector<std::string>{
                             "start -next-> wait@3",
                             "wait@3 -next-> tag@4",
                             "wait@3 -timeout-> tag@4",
                             "tag@4 -next-> end",
                         });
  const auto& wait = payload<engine::WaitStep>(g, "w/wait@3");
  CHECK_FALSE(wait.has_timeout_block);
  REQUIRE(wait.where);
  const std::int32_t url = c.p->events[static_cast<std::size_t>(c.p->event_index("email_clicked"))].fields[0].slot;
  CHECK(engine::evaluate_condition(*wait.where, {}, std::vector<Value>{Value::string("https://x.io/pricing?a=1")}, 0));
  CHECK_FALSE(engine::evaluate_condition(*wait.where, {}, std::vector<Value>{Value::string("https://x.io/blog")}, 0));
  CHECK(wait.where->event_reads == std::vector<std::int32_t>{url});
}

TEST_CASE("an empty then block sends the then edge straight to the continuation", "[dsl][lower][graph]") {
  Compiled c = compile(R"(workflow w {
  when form_submitted
  if lead.employees > 5 {
  }
  tag "x"
}
)");
  CHECK(edges(graph(c, "w"), "w") == std::vector<std::string>{
                                         "start -next-> if@3",
                                         "if@3 -then-> tag@5",
                                         "if@3 -else-> tag@5",
                                         "tag@5 -next-> end",
                                     });
}

TEST_CASE("a workflow without steps goes from start to end", "[dsl][lower][graph]") {
  Compiled c = compile("workflow w {\n  when form_submitted\n}\n");
  const auto& g = graph(c, "w");
  CHECK(node_ids(g) == std::vector<std::string>{"w/start", "w/end"});
  CHECK(edges(g, "w") == std::vector<std::string>{"start -next-> end"});
}

TEST_CASE("two steps of one kind on one line get #2", "[dsl][lower][graph]") {
  Compiled c = compile(R"(workflow w {
  when form_submitted
  tag "a"; tag "b"; score +1 "c"; tag "d"
}
)");
  CHECK(node_ids(graph(c, "w")) ==
        std::vector<std::string>{"w/start", "w/tag@3", "w/tag@3#2", "w/score@3", "w/tag@3#3", "w/end"});
}

TEST_CASE("labels shorten long conditions and texts after whole words", "[dsl][lower][graph]") {
  Compiled c = compile(R"(workflow w {
  when form_submitted
  score +5 "a reason that is far too long to fit on a graph node"
  if lead.title matches /\b(ceo|cto|cfo|coo|chief)\b/i or lead.employees > 5000 {
    notify slack "#sales-alerts" "hot: {lead.title}"
  }
}
)");
  const auto& g = graph(c, "w");
  CHECK(g.step(g.find("w/score@3")).label == "score +5 \"a reason that is far too long to fit...\"");
  CHECK(g.step(g.find("w/if@4")).label == "if lead.title matches ...");
  CHECK(g.step(g.find("w/if@4/then/notify@5")).label == "notify slack \"#sales-alerts\"");
  const auto& notify = payload<engine::NotifyStep>(g, "w/if@4/then/notify@5");
  CHECK(notify.target == engine::NotifyTarget::Channel);
  CHECK(notify.channel == "slack");
  CHECK(notify.destination == "#sales-alerts");
  CHECK(engine::evaluate(notify.message, lead(*c.p, {{"title", Value::string("CEO")}}), {}, 0).as_string() == "hot: CEO");
}

TEST_CASE("the stdlib workflows lower to acyclic graphs", "[dsl][lower][graph]") {
  std::vector<std::string> bad;
  auto files = dsl::collect_flow_files({std::string(LEADFLOW_SOURCE_DIR) + "/stdlib-workflows"}, bad);
  REQUIRE_FALSE(files.empty());
  auto c = dsl::compile_files(files);
  INFO(diagnostics_text(*c));
  REQUIRE(c->ok());
  REQUIRE(c->program);
  REQUIRE_FALSE(c->program->workflows.empty());
  for (const engine::Workflow& w : c->program->workflows) {
    CAPTURE(w.name);
    REQUIRE(w.graph);
    CHECK(w.graph->is_acyclic());
    CHECK(w.graph->sealed());
    CHECK(w.graph->step(w.graph->start()).kind == engine::StepKind::Start);
    CHECK(w.graph->step(w.graph->end()).kind == engine::StepKind::End);
    // Every vertex but start is reachable: each has an edge in.
    for (engine::StepIndex v = 1; v < w.graph->size(); ++v) CHECK_FALSE(w.graph->in_edges(v).empty());
  }
}

// ---------------------------------------------------------------- expressions

TEST_CASE("arithmetic follows precedence and constant expressions fold to one value", "[dsl][lower][expr]") {
  engine::ExprCode code = condition("1 + 2 * 3 == 7 and not (10 - 4 - 3 != 3)");
  CHECK(code.constant() == Value::boolean(true));
  CHECK(condition("(1 + 2) * 3 == 9").constant() == Value::boolean(true));
  CHECK(condition("7 / 2 == 3 and 7 % 2 == 1").constant() == Value::boolean(true));
  CHECK(condition("-2 * 3 < 0").constant() == Value::boolean(true));
  CHECK(condition("1h30m == 90m and 2d > 47h").constant() == Value::boolean(true));
}

TEST_CASE("a constant list is folded and the membership test fused", "[dsl][lower][expr]") {
  engine::ExprCode code = condition("lead.country in target_countries");
  REQUIRE(code.code.size() == 1);
  CHECK(code.code[0].op == engine::OpCode::LeadInConst);
  CHECK(engine::to_trace(code.consts[static_cast<std::size_t>(code.code[0].b)]) ==
        "[\"US\", \"CA\", \"GB\", \"DE\", \"AT\", \"CH\"]");
  CHECK(code.source == "lead.country in target_countries");
}

TEST_CASE("and/or compile to jumps that skip the right operand", "[dsl][lower][expr]") {
  engine::ExprCode code = condition("lead.employees > 50 and lead.country == \"DE\"");
  std::vector<engine::OpCode> ops;
  for (const auto& i : code.code) ops.push_back(i.op);
  CHECK(ops == std::vector<engine::OpCode>{engine::OpCode::LeadCmpConst, engine::OpCode::JumpIfFalse,
                                           engine::OpCode::LeadCmpConst, engine::OpCode::Truthy});
  CHECK(code.code[1].a == 4);
  engine::ExprCode either = condition("lead.employees > 50 or lead.named_account");
  CHECK(either.code[1].op == engine::OpCode::JumpIfTrue);
}

TEST_CASE("matches compiles each regex once and honours the i flag", "[dsl][lower][expr]") {
  Compiled c = compile(R"(workflow w {
  when form_submitted
  if lead.title matches /\b(ceo|cto|chief)\b/i {
    tag "c"
  }
  if lead.title matches /\b(ceo|cto|chief)\b/i or lead.title matches "VP" {
    tag "v"
  }
}
)");
  const auto& g = graph(c, "w");
  const auto& first = payload<engine::BranchStep>(g, "w/if@3").condition;
  const auto& second = payload<engine::BranchStep>(g, "w/if@6").condition;
  REQUIRE(first.regexes.size() == 1);
  REQUIRE(second.regexes.size() == 2);
  CHECK(first.regexes[0] == second.regexes[0]);  // one compiled regex for both uses
  CHECK(first.regexes[0]->icase);
  CHECK_FALSE(second.regexes[1]->icase);
  auto titled = [&](const char* title) { return lead(*c.p, {{"title", Value::string(title)}}); };
  CHECK(engine::evaluate_condition(first, titled("Chief Revenue Officer"), {}, 0));
  CHECK(engine::evaluate_condition(first, titled("CEO"), {}, 0));
  CHECK_FALSE(engine::evaluate_condition(first, titled("Chiefly"), {}, 0));
  CHECK(engine::evaluate_condition(second, titled("VP Sales"), {}, 0));
  CHECK_FALSE(engine::evaluate_condition(second, titled("vp sales"), {}, 0));
}

TEST_CASE("a missing field makes a condition false and `== null` tests for it", "[dsl][lower][expr][null]") {
  Compiled c = compile(R"(workflow w {
  when form_submitted
  if lead.country != "US" {
    tag "a"
  }
  if lead.country == null {
    tag "b"
  }
  if null != lead.country {
    tag "c"
  }
}
)");
  const auto& g = graph(c, "w");
  const auto empty = lead(*c.p, {});
  const auto german = lead(*c.p, {{"country", Value::string("DE")}});
  const auto& ne = payload<engine::BranchStep>(g, "w/if@3").condition;
  CHECK_FALSE(engine::evaluate_condition(ne, empty, {}, 0));
  CHECK(engine::evaluate_condition(ne, german, {}, 0));
  const auto& is_null = payload<engine::BranchStep>(g, "w/if@6").condition;
  CHECK(engine::evaluate_condition(is_null, empty, {}, 0));
  CHECK_FALSE(engine::evaluate_condition(is_null, german, {}, 0));
  const auto& not_null = payload<engine::BranchStep>(g, "w/if@9").condition;
  CHECK(not_null.code.back().op == engine::OpCode::IsNotNull);
  CHECK_FALSE(engine::evaluate_condition(not_null, empty, {}, 0));
  CHECK(engine::evaluate_condition(not_null, german, {}, 0));
}

TEST_CASE("set steps lower time arithmetic, coalesce and interpolation", "[dsl][lower][expr]") {
  Compiled c = compile(R"(workflow w {
  when form_submitted
  set lead.meeting_at = now + 2d
  set lead.touches = coalesce(lead.touches, 0) + 1
  set lead.lost_reason = "{lead.first_name} has {lead.employees} staff, {upper(lead.country)}"
  wait until lead.meeting_at - 24h
}
)");
  const auto& g = graph(c, "w");
  const auto& meeting = payload<engine::SetStep>(g, "w/set@3");
  CHECK(meeting.slot == c.p->lead_slot("meeting_at"));
  CHECK(meeting.field == "meeting_at");
  CHECK(engine::to_trace(engine::evaluate(meeting.value, {}, {}, jan5_9am)) == "2026-01-07T09:00:00Z");
  const auto& touches = payload<engine::SetStep>(g, "w/set@4");
  CHECK(engine::evaluate(touches.value, lead(*c.p, {}), {}, 0).as_int() == 1);
  CHECK(engine::evaluate(touches.value, lead(*c.p, {{"touches", Value::integer(4)}}), {}, 0).as_int() == 5);
  const auto& text = payload<engine::SetStep>(g, "w/set@5");
  auto ana = lead(*c.p, {{"first_name", Value::string("Ana")}, {"employees", Value::integer(120)},
                        {"country", Value::string("de")}});
  CHECK(engine::evaluate(text.value, ana, {}, 0).as_string() == "Ana has 120 staff, DE");
  CHECK(engine::evaluate(text.value, lead(*c.p, {}), {}, 0).as_string() == " has  staff, ");

  const auto& wait = payload<engine::WaitStep>(g, "w/wait@6");
  CHECK(wait.mode == engine::WaitMode::Until);
  CHECK(g.step(g.find("w/wait@6")).label == "wait until lead.meeting_at - 24h");
  auto booked = lead(*c.p, {{"meeting_at", Value::time(jan5_9am)}});
  CHECK(engine::to_trace(engine::evaluate(wait.amount, booked, {}, 0)) == "2026-01-04T09:00:00Z");
}

// ---------------------------------------------------------------- program tables

TEST_CASE("the schema, events and their set clauses are lowered by slot and index", "[dsl][lower][program]") {
  Compiled c = compile("");
  const engine::Program& p = *c.p;
  for (std::size_t i = 0; i < p.lead_fields.size(); ++i) CHECK(p.lead_fields[i].slot == static_cast<int>(i));
  REQUIRE(p.lead_slot("id") == 0);
  CHECK(p.lead_fields[0].builtin);
  const engine::FieldDef& employees = p.lead_fields[static_cast<std::size_t>(p.lead_slot("employees"))];
  CHECK(employees.type == engine::ValueKind::Int);
  CHECK_FALSE(employees.builtin);
  CHECK(p.lead_fields[static_cast<std::size_t>(p.lead_slot("tags"))].element == engine::ValueKind::String);

  const engine::EventDef& booked = p.events[static_cast<std::size_t>(p.event_index("meeting_booked"))];
  REQUIRE(booked.fields.size() == 1);
  CHECK(booked.fields[0].name == "meeting_at");
  CHECK(booked.fields[0].type == engine::ValueKind::Time);
  REQUIRE(booked.sets.size() == 1);
  CHECK(booked.sets[0].slot == p.lead_slot("meeting_at"));
  CHECK(engine::evaluate(booked.sets[0].value, {}, std::vector<Value>{Value::time(jan5_9am)}, 0) == Value::time(jan5_9am));

  REQUIRE(p.constant("target_countries"));
  CHECK(p.constant("target_countries")->as_list().size() == 6);
  CHECK(p.constant("nope") == nullptr);
}

TEST_CASE("scoring models lower fit rules, event points and decay", "[dsl][lower][program]") {
  Compiled c = compile(R"(scoring fit {
  lead.title matches /\b(ceo|cto|cfo|coo|chief)\b/i   -> +25 "C-level"
  lead.employees >= 500                               -> +20 "500+ employees"
  lead.email_domain in free_mail                      -> -10 "free-mail address"
}
scoring engagement {
  on pricing_page_view                              -> +20
  on email_clicked where event.url matches "/demo"  -> +5 "demo link"
  inactive 30d                                      -> -15
}
use scoring fit, engagement
)");
  const engine::Program& p = *c.p;
  REQUIRE(p.scorings.size() == 2);
  const engine::ScoringModel& fit = p.scorings[static_cast<std::size_t>(p.scoring_index("fit"))];
  REQUIRE(fit.fit.size() == 3);
  CHECK(fit.fit[0].points == 25);
  CHECK(fit.fit[0].reason == "C-level");
  CHECK(fit.fit[0].line == 2);
  CHECK(fit.fit[2].points == -10);
  CHECK(engine::evaluate_condition(fit.fit[2].condition, lead(p, {{"email_domain", Value::string("gmail.com")}}), {}, 0));
  const engine::ScoringModel& eng = p.scorings[static_cast<std::size_t>(p.scoring_index("engagement"))];
  REQUIRE(eng.on_event.size() == 2);
  CHECK(eng.on_event[0].event == p.event_index("pricing_page_view"));
  CHECK_FALSE(eng.on_event[0].where.has_value());
  CHECK(eng.on_event[0].reason.empty());
  REQUIRE(eng.on_event[1].where);
  CHECK(engine::evaluate_condition(*eng.on_event[1].where, {}, std::vector<Value>{Value::string("https://x.io/demo")}, 0));
  REQUIRE(eng.decay.size() == 1);
  CHECK(eng.decay[0].after_seconds == 30 * 86400);
  CHECK(eng.decay[0].points == -15);
  CHECK(p.active_scorings == std::vector<std::int32_t>{p.scoring_index("fit"), p.scoring_index("engagement")});
}

TEST_CASE("stages, routers, teams and SLAs keep their order and resolve names to indices", "[dsl][lower][program]") {
  Compiled c = compile("");
  const engine::Program& p = *c.p;
  REQUIRE(p.active_stages != engine::no_index);
  const engine::StageSet& by_score = p.stage_sets[static_cast<std::size_t>(p.active_stages)];
  CHECK(by_score.by_score);
  REQUIRE(by_score.bands.size() == 5);
  CHECK(by_score.bands[2].name == "mql");
  CHECK(by_score.bands[2].low == 41);
  CHECK(by_score.bands[2].high == 60);
  const engine::StageSet& lifecycle = p.stage_sets[static_cast<std::size_t>(p.stage_set_index("lifecycle"))];
  CHECK_FALSE(lifecycle.by_score);
  REQUIRE(lifecycle.bands.size() == 3);
  CHECK(lifecycle.bands[1].name == "closed_won");

  const engine::Router& r = p.routers[static_cast<std::size_t>(p.router_index("ae_router"))];
  REQUIRE(r.rules.size() == 3);
  CHECK(r.rules[0].target.kind == engine::RouteTargetKind::Owner);
  CHECK(r.rules[0].target.owner.lead_reads == std::vector<std::int32_t>{p.lead_slot("account_owner")});
  CHECK(r.rules[1].text == "lead.country in [\"DE\", \"AT\", \"CH\"]");
  CHECK(r.rules[1].target.kind == engine::RouteTargetKind::Team);
  CHECK(r.rules[1].target.team == p.team_index("dach"));
  CHECK_FALSE(r.rules[2].condition.has_value());
  CHECK(r.rules[2].text == "otherwise");
  CHECK(r.rules[2].target.kind == engine::RouteTargetKind::RoundRobin);
  CHECK(r.rules[2].target.team == p.team_index("sdr"));
  CHECK(r.rules[2].target.skip_away);
  CHECK(r.rules[2].target.skip_at_capacity);
  REQUIRE(r.fallback);
  CHECK(r.fallback->kind == engine::RouteTargetKind::Manager);

  const engine::Team& sdr = p.teams[static_cast<std::size_t>(p.team_index("sdr"))];
  CHECK(sdr.manager == "mia@example.com");
  CHECK(sdr.members == std::vector<std::string>{"ana@example.com", "ben@example.com"});
  CHECK(sdr.capacity == 40);

  const engine::Sla& sla = p.slas[static_cast<std::size_t>(p.sla_index("hot_lead"))];
  CHECK(sla.seconds == 300);
  CHECK(sla.start_event == engine::no_index);
  CHECK(sla.stop_event == engine::no_index);
  REQUIRE(sla.levels.size() == 3);
  CHECK(sla.levels[0].action == engine::SlaAction::RemindOwner);
  CHECK(sla.levels[0].after_seconds == 150);
  CHECK(sla.levels[1].action == engine::SlaAction::AlertManager);
  CHECK(sla.levels[2].action == engine::SlaAction::Reassign);
  CHECK(sla.levels[2].after_seconds == 450);
}

TEST_CASE("calendars and governance are lowered with days and clock windows", "[dsl][lower][program]") {
  Compiled c = compile(R"(calendar office {
  timezone "Europe/Berlin"
  workdays mon..fri
  hours 09:00..17:00
  holidays ["2026-12-25", "2026-12-24", "2026-12-25"]
}
governance {
  timezone "Europe/Berlin"
  cap email 75 per sender per day
  cap sms 100 per day
  send window 08:00..18:00
}
)");
  const engine::Program& p = *c.p;
  const engine::Calendar& cal = p.calendars[static_cast<std::size_t>(p.calendar_index("office"))];
  CHECK(cal.timezone == "Europe/Berlin");
  CHECK(cal.first_workday == 1);
  CHECK(cal.last_workday == 5);
  REQUIRE(cal.hours);
  CHECK(cal.hours->begin_minute == 9 * 60);
  CHECK(cal.hours->end_minute == 17 * 60);
  CHECK(cal.holidays == std::vector<std::int64_t>{*engine::parse_time("2026-12-24") / 86400,
                                                  *engine::parse_time("2026-12-25") / 86400});
  CHECK(p.governance.declared);
  REQUIRE(p.governance.caps.size() == 2);
  CHECK(p.governance.caps[0].channel == "email");
  CHECK(p.governance.caps[0].limit == 75);
  CHECK(p.governance.caps[0].per_sender);
  CHECK_FALSE(p.governance.caps[1].per_sender);
  REQUIRE(p.governance.send_window);
  CHECK(p.governance.send_window->begin_minute == 8 * 60);
}

TEST_CASE("triggers fill the dispatch tables and policies keep their cooldown", "[dsl][lower][program]") {
  Compiled c = compile(R"(workflow hand_raisers {
  when demo_requested
  when form_submitted where event.form_id == "demo"
  when lead.score crosses below 10
  enroll again after 90d
  tag "raised"
}
)");
  const engine::Program& p = *c.p;
  const engine::Workflow& w = *p.workflow("hand_raisers");
  REQUIRE(w.triggers.size() == 3);
  REQUIRE(w.triggers[1].where);
  CHECK(engine::evaluate_condition(*w.triggers[1].where, {}, std::vector<Value>{Value::string("demo")}, 0));
  CHECK(w.triggers[2].kind == engine::TriggerKind::Crosses);
  CHECK(w.triggers[2].below);
  CHECK(w.triggers[2].field == p.lead_slot("score"));
  CHECK(w.triggers[2].value.constant() == Value::integer(10));
  CHECK(w.policy.kind == engine::EnrollPolicyKind::AgainAfter);
  CHECK(w.policy.cooldown_seconds == 90 * 86400);
  auto has = [&](const std::vector<std::int32_t>& v) { return std::find(v.begin(), v.end(), w.index) != v.end(); };
  CHECK(has(p.workflows_by_event[static_cast<std::size_t>(p.event_index("demo_requested"))]));
  CHECK(has(p.workflows_by_event[static_cast<std::size_t>(p.event_index("form_submitted"))]));
  CHECK_FALSE(has(p.workflows_by_event[static_cast<std::size_t>(p.event_index("replied"))]));
  CHECK(has(p.workflows_by_field[static_cast<std::size_t>(p.lead_slot("score"))]));
}

TEST_CASE("the version hashes the source texts and changes with them", "[dsl][lower][program]") {
  const std::string text = "workflow w {\n  when form_submitted\n}\n";
  Compiled a = compile(text);
  Compiled b = compile(text);
  Compiled changed = compile(text + "\n");
  CHECK(a.p->version.size() == 16);
  CHECK(a.p->version == b.p->version);
  CHECK(a.p->version != changed.p->version);
  CHECK(engine::source_set_version({}) == "cbf29ce484222325");
  CHECK(engine::source_set_version({"ab", "c"}) != engine::source_set_version({"a", "bc"}));
  CHECK(a.p->files == std::vector<std::string>{"lower_test.flow"});
  CHECK(a.p->workflow("w")->file == "lower_test.flow");
}
