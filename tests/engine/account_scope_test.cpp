// Account workflows decided once per account event: selection (where, order by, limit, else),
// the per-account enrollment window, and the bodies started on the chosen leads.
#include "engine/account_scope.hpp"

#include "tests/engine/engine_test_support.hpp"

namespace leadflow::engine::testing {
namespace {

const char* const account_flow = R"(
event company_intent { domain: string  page: string }

workflow intent {
  when company_intent where event.page matches /pricing/i
  enroll again after 30d per account
  for up to 1 lead of account where lead.stage == "opportunity" {
    tag "deal_alerted"
  } else {
    for up to 2 leads of account where lead.title matches /\bvp\b/i order by lead.employees desc {
      tag "chosen"
    }
  }
}
)";

struct Account {
  std::shared_ptr<const Program> program = compile(account_flow);
  Directory directory;
  Engine engine{program, directory};
  TenantState tenant;
  std::vector<std::pair<std::string, LeadState>> leads;

  void add(const std::string& id, const std::string& title, Value employees, const std::string& stage = "") {
    LeadState s;
    s.fields.resize(program->lead_fields.size());
    s.fields[program->lead_slot("id")] = Value::string(id);
    s.fields[program->lead_slot("title")] = Value::string(title);
    s.fields[program->lead_slot("employees")] = employees;
    if (!stage.empty()) s.fields[program->lead_slot("stage")] = Value::string(stage);
    leads.emplace_back(id, std::move(s));
  }

  Event intent(const std::string& at, const std::string& page = "/pricing") const {
    Event e;
    e.at = t(at);
    e.type = program->event_index("company_intent");
    e.data = {Value::string("acme.com"), Value::string(page)};
    return e;
  }

  // The leads chosen, as "id:body-index" in start order.
  std::vector<std::string> decide(const Event& e) {
    std::vector<AccountMember> members;
    for (auto& [id, s] : leads) members.push_back({id, &s});
    AccountDecision d = decide_account_event(*program, tenant, account_of_event(*program, e), members, e, true);
    std::vector<std::string> out;
    for (const AccountStart& s : d.starts) out.push_back(s.lead);
    return out;
  }
};

TEST_CASE("an account workflow is not triggered per lead", "[engine][account]") {
  Account a;
  const Workflow* w = a.program->workflow("intent");
  REQUIRE(w != nullptr);
  REQUIRE(w->account != nullptr);
  const auto& by_event = a.program->workflows_by_event[static_cast<std::size_t>(a.program->event_index("company_intent"))];
  CHECK(by_event.empty());
  // Two `for` bodies, each a hidden per-lead workflow of the same name.
  REQUIRE(a.program->workflows.size() == 3);
  CHECK(a.program->workflows[1].body_of == w->index);
  CHECK(a.program->workflows[2].name == "intent");
}

TEST_CASE("an open deal anywhere at the account takes the first for; else the others are chosen", "[engine][account]") {
  Account a;
  a.add("L-1", "VP Sales", Value::integer(50));
  a.add("L-2", "CFO", Value::null(), "opportunity");
  a.add("L-3", "VP Ops", Value::integer(500));
  CHECK(a.decide(a.intent("2026-01-05T10:00:00Z")) == std::vector<std::string>{"L-2"});

  Account b;
  b.add("L-1", "VP Sales", Value::integer(50));
  b.add("L-2", "Intern", Value::integer(900));
  b.add("L-3", "vp ops", Value::integer(500));
  b.add("L-4", "VP Revenue", Value::null());  // no value: ordered last
  b.add("L-5", "VP Marketing", Value::integer(50));
  // Highest employees first; ties (L-1, L-5) in load order; up to 2.
  CHECK(b.decide(b.intent("2026-01-05T10:00:00Z")) == std::vector<std::string>{"L-3", "L-1"});
}

TEST_CASE("enroll again after 30d per account: one decision per account in the window", "[engine][account]") {
  Account a;
  a.add("L-1", "VP Sales", Value::integer(50));
  CHECK(a.decide(a.intent("2026-01-05T10:00:00Z", "/blog")).empty());  // the trigger's where
  CHECK(a.decide(a.intent("2026-01-05T11:00:00Z")) == std::vector<std::string>{"L-1"});
  CHECK(a.decide(a.intent("2026-01-20T11:00:00Z")).empty());
  CHECK(a.decide(a.intent("2026-02-04T11:00:00Z")) == std::vector<std::string>{"L-1"});
  CHECK(a.tenant.account_enrollments.at("intent|acme.com").count == 2);
}

TEST_CASE("Engine::start runs a for body on the chosen lead", "[engine][account]") {
  Account a;
  a.add("L-1", "VP Sales", Value::integer(50));
  Event e = a.intent("2026-01-05T10:00:00Z");
  std::vector<AccountMember> members{{"L-1", &a.leads[0].second}};
  AccountDecision d = decide_account_event(*a.program, a.tenant, "acme.com", members, e, false);
  REQUIRE(d.starts.size() == 1);
  e.lead = "L-1";
  StepResult r = a.engine.start(a.leads[0].second, a.tenant, d.starts[0].workflow, e, d.starts[0].why);
  REQUIRE(r.effects.size() == 1);
  CHECK(render(r.effects[0]) == "10:00 intent set field=\"tags\" value=[\"chosen\"]");
}

}  // namespace
}  // namespace leadflow::engine::testing
