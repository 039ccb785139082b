// Routers: rule kinds, round robin, skipping away and at-capacity members, manager fallback.
#include "engine/routing.hpp"

#include <catch2/catch.hpp>

#include "engine/expr_code.hpp"

namespace leadflow::engine {
namespace {

enum : Slot { kCountry, kLanguage, kEmployees, kNamed, kAccountOwner, kSlots };

ExprCode load(Slot slot) {
  ExprCodeBuilder b;
  b.load_lead(slot);
  return b.finish("lead.x");
}
ExprCode cmp(Slot slot, OpCode op, Value v, std::string text) {
  ExprCodeBuilder b;
  b.load_lead(slot);
  b.push_const(std::move(v));
  b.binary(op);
  return b.finish(std::move(text));
}

RouteTarget rr(std::int32_t team, bool away = true, bool capacity = true) {
  RouteTarget t;
  t.kind = RouteTargetKind::RoundRobin;
  t.team = team;
  t.skip_away = away;
  t.skip_at_capacity = capacity;
  return t;
}

// The stdlib ae_router (routing.flow): named account, DACH, Spanish, enterprise, round robin.
Program ae_program() {
  Program p;
  for (const char* name : {"country", "language", "employees", "named_account", "account_owner"})
    p.lead_fields.push_back(FieldDef{name, ValueKind::String, ValueKind::Null,
                                     static_cast<Slot>(p.lead_fields.size()), false});
  p.teams = {
      Team{"ae", "max@x.com", {"dan@x.com", "eva@x.com", "finn@x.com"}, 2, "", std::nullopt},
      Team{"dach", "greta@x.com", {"hans@x.com", "ida@x.com"}, 0, "Europe/Berlin", std::nullopt},
      Team{"spanish", "", {"jorge@x.com"}, 0, "", std::nullopt},
      Team{"enterprise", "olga@x.com", {"paul@x.com"}, 0, "", std::nullopt},
  };
  Router r;
  r.name = "ae_router";
  RouteRule named;
  named.condition = load(kNamed);
  named.target.kind = RouteTargetKind::Owner;
  named.target.owner = load(kAccountOwner);
  named.text = "lead.named_account";
  r.rules.push_back(named);
  r.rules.push_back(RouteRule{cmp(kCountry, OpCode::In,
                                  Value::list({Value::string("DE"), Value::string("AT"),
                                               Value::string("CH")}),
                                  "lead.country in dach_countries"),
                              rr(1), "lead.country in dach_countries", 2});
  r.rules.push_back(RouteRule{cmp(kLanguage, OpCode::Eq, Value::string("es"), "lead.language == \"es\""),
                              rr(2), "lead.language == \"es\"", 3});
  r.rules.push_back(RouteRule{cmp(kEmployees, OpCode::Gt, Value::integer(500), "lead.employees > 500"),
                              rr(3), "lead.employees > 500", 4});
  r.rules.push_back(RouteRule{std::nullopt, rr(0), "otherwise", 5});
  RouteTarget manager;
  manager.kind = RouteTargetKind::Manager;
  r.fallback = manager;
  p.routers.push_back(std::move(r));
  p.build_indices();
  return p;
}

std::vector<Value> lead(const char* country, const char* language, std::int64_t employees,
                        bool named = false, const char* account_owner = nullptr) {
  std::vector<Value> v(kSlots);
  if (country) v[kCountry] = Value::string(country);
  if (language) v[kLanguage] = Value::string(language);
  v[kEmployees] = Value::integer(employees);
  v[kNamed] = Value::boolean(named);
  if (account_owner) v[kAccountOwner] = Value::string(account_owner);
  return v;
}

const TimePoint monday_10utc = *parse_time("2026-01-05T10:00:00Z");

}  // namespace

TEST_CASE("each rule kind of the ae router routes to its target", "[engine][routing]") {
  const Program p = ae_program();
  Directory dir;
  TenantState tenant;

  auto d = route(p, 0, lead("US", "en", 50, true, "acct@x.com"), dir, tenant, monday_10utc);
  CHECK(d.assigned);
  CHECK(d.owner == "acct@x.com");
  CHECK(d.rule == "lead.named_account");
  CHECK_FALSE(fell_back(d));

  d = route(p, 0, lead("DE", "de", 50), dir, tenant, monday_10utc);
  CHECK(d.owner == "hans@x.com");
  CHECK(d.team == "dach");
  CHECK(d.rule == "lead.country in dach_countries");

  d = route(p, 0, lead("MX", "es", 50), dir, tenant, monday_10utc);
  CHECK(d.owner == "jorge@x.com");
  CHECK(d.team == "spanish");
  CHECK(d.rule == "lead.language == \"es\"");

  d = route(p, 0, lead("US", "en", 900), dir, tenant, monday_10utc);
  CHECK(d.owner == "paul@x.com");
  CHECK(d.rule == "lead.employees > 500");

  d = route(p, 0, lead("US", "en", 50), dir, tenant, monday_10utc);
  CHECK(d.owner == "dan@x.com");
  CHECK(d.team == "ae");
  CHECK(d.rule == "otherwise");

  CHECK(tenant.open_leads.at("hans@x.com") == 1);
  CHECK(tenant.open_leads.at("acct@x.com") == 1);
}

TEST_CASE("a named account with no account owner falls through to the next rule",
          "[engine][routing]") {
  const Program p = ae_program();
  Directory dir;
  TenantState tenant;
  auto d = route(p, 0, lead("AT", "de", 50, true, nullptr), dir, tenant, monday_10utc);
  CHECK(d.owner == "hans@x.com");
  CHECK(d.rule == "lead.country in dach_countries");
}

TEST_CASE("round robin is deterministic across calls and wraps around", "[engine][routing]") {
  const Program p = ae_program();
  Directory dir;
  TenantState tenant;
  std::vector<std::string> owners;
  for (int i = 0; i < 4; ++i)
    owners.push_back(route(p, 0, lead("DE", "de", 10), dir, tenant, monday_10utc).owner);
  CHECK(owners == std::vector<std::string>{"hans@x.com", "ida@x.com", "hans@x.com", "ida@x.com"});
  CHECK(tenant.round_robin.at(1) == 0);

  // The same inputs from the same state give the same answers.
  TenantState again;
  CHECK(route(p, 0, lead("DE", "de", 10), dir, again, monday_10utc).owner == "hans@x.com");
}

TEST_CASE("round robin skips members on vacation", "[engine][routing]") {
  const Program p = ae_program();
  Directory dir;
  dir.owners["hans@x.com"] = OwnerInfo{"hans@x.com", "dach", 0, "", std::nullopt,
                                       {{*parse_time("2026-01-05"), *parse_time("2026-01-09")}}, ""};
  TenantState tenant;
  auto d = route(p, 0, lead("DE", "de", 10), dir, tenant, monday_10utc);
  CHECK(d.owner == "ida@x.com");
  CHECK(std::find(d.trace.begin(), d.trace.end(), "skip hans@x.com: away") != d.trace.end());
  // After the vacation ([from, to) ends at the 9th) hans is back, in turn.
  d = route(p, 0, lead("DE", "de", 10), dir, tenant, *parse_time("2026-01-09T10:00:00Z"));
  CHECK(d.owner == "hans@x.com");
}

TEST_CASE("outside working hours in the owner's time zone counts as away", "[engine][routing]") {
  Program p = ae_program();
  p.teams[1].hours = ClockWindow{9 * 60, 18 * 60};  // dach, Europe/Berlin (UTC+1 in January)
  Directory dir;
  dir.owners["ida@x.com"] =
      OwnerInfo{"ida@x.com", "dach", 0, "America/New_York", std::nullopt, {}, ""};
  TenantState tenant;
  // 08:30 UTC: 09:30 in Berlin (hans works), 03:30 in New York (ida does not).
  auto d = route(p, 0, lead("DE", "de", 10), dir, tenant, *parse_time("2026-01-05T08:30:00Z"));
  CHECK(d.owner == "hans@x.com");
  d = route(p, 0, lead("DE", "de", 10), dir, tenant, *parse_time("2026-01-05T08:30:00Z"));
  CHECK(d.owner == "hans@x.com");
  // 16:30 UTC: 17:30 in Berlin, 11:30 in New York: both work; ida's turn.
  d = route(p, 0, lead("DE", "de", 10), dir, tenant, *parse_time("2026-01-05T16:30:00Z"));
  CHECK(d.owner == "ida@x.com");
  // 17:30 UTC: 18:30 in Berlin (hans off), ida works.
  d = route(p, 0, lead("DE", "de", 10), dir, tenant, *parse_time("2026-01-05T17:30:00Z"));
  CHECK(d.owner == "ida@x.com");
  // Owner hours win over the team's.
  dir.owners["hans@x.com"] = OwnerInfo{"hans@x.com", "dach", 0, "Europe/Berlin",
                                       ClockWindow{18 * 60, 23 * 60}, {}, ""};
  d = route(p, 0, lead("DE", "de", 10), dir, tenant, *parse_time("2026-01-05T17:30:00Z"));
  CHECK(d.owner == "hans@x.com");
}

TEST_CASE("members at capacity are skipped; release frees a slot", "[engine][routing]") {
  const Program p = ae_program();  // team ae: capacity 2
  Directory dir;
  dir.owners["eva@x.com"] = OwnerInfo{"eva@x.com", "ae", 1, "", std::nullopt, {}, ""};
  TenantState tenant;
  tenant.open_leads["dan@x.com"] = 2;
  auto d = route(p, 0, lead("US", "en", 10), dir, tenant, monday_10utc);
  CHECK(d.owner == "eva@x.com");
  // eva's own capacity is 1: now full; finn next.
  d = route(p, 0, lead("US", "en", 10), dir, tenant, monday_10utc);
  CHECK(d.owner == "finn@x.com");
  d = route(p, 0, lead("US", "en", 10), dir, tenant, monday_10utc);
  CHECK(d.owner == "finn@x.com");
  CHECK(tenant.open_leads.at("finn@x.com") == 2);
  release(tenant, "dan@x.com");
  d = route(p, 0, lead("US", "en", 10), dir, tenant, monday_10utc);
  CHECK(d.owner == "dan@x.com");
}

TEST_CASE("when nobody qualifies the next rule is tried", "[engine][routing]") {
  const Program p = ae_program();
  Directory dir;
  for (const char* m : {"hans@x.com", "ida@x.com"})
    dir.owners[m] = OwnerInfo{m, "dach", 0, "", std::nullopt, {{0, *parse_time("2027-01-01")}}, ""};
  TenantState tenant;
  // A DACH enterprise lead: DACH all away → enterprise rule.
  auto d = route(p, 0, lead("CH", "de", 900), dir, tenant, monday_10utc);
  CHECK(d.owner == "paul@x.com");
  CHECK(d.rule == "lead.employees > 500");
  CHECK(tenant.round_robin.count(1) == 1);
  CHECK(tenant.round_robin.at(1) == 0);  // the cursor of a team with nobody free stays put
}

TEST_CASE("fallback is the manager of the last team tried", "[engine][routing]") {
  const Program p = ae_program();
  Directory dir;
  TenantState tenant;
  for (const char* m : {"dan@x.com", "eva@x.com", "finn@x.com"}) tenant.open_leads[m] = 2;
  auto d = route(p, 0, lead("US", "en", 10), dir, tenant, monday_10utc);
  CHECK(d.assigned);
  CHECK(d.owner == "max@x.com");
  CHECK(d.team == "ae");
  CHECK(d.rule == "fallback");
  CHECK(fell_back(d));
  CHECK(tenant.open_leads.at("max@x.com") == 1);
}

TEST_CASE("a team without a manager falls back to the directory's manager", "[engine][routing]") {
  Program p = ae_program();
  p.routers[0].rules.erase(p.routers[0].rules.begin() + 3, p.routers[0].rules.end());
  Directory dir;
  dir.owners["jorge@x.com"] = OwnerInfo{"jorge@x.com", "spanish", 0, "", std::nullopt,
                                        {{0, *parse_time("2027-01-01")}}, "lucia@x.com"};
  TenantState tenant;
  auto d = route(p, 0, lead("ES", "es", 10), dir, tenant, monday_10utc);
  CHECK(d.owner == "lucia@x.com");
  CHECK(d.rule == "fallback");
}

TEST_CASE("an excluded owner is never picked by a team target", "[engine][routing]") {
  const Program p = ae_program();
  Directory dir;
  TenantState tenant;
  auto d = route(p, 0, lead("DE", "de", 10), dir, tenant, monday_10utc, "hans@x.com");
  CHECK(d.owner == "ida@x.com");
  d = route_to_team(p, 1, {}, dir, tenant, monday_10utc, "hans@x.com");
  CHECK(d.owner == "ida@x.com");
  CHECK(d.rule == "team dach");
}

TEST_CASE("the assign effect carries owner, team and rule", "[engine][routing]") {
  RouteDecision d;
  d.assigned = true;
  d.owner = "ana@x.com";
  d.team = "sdr";
  d.rule = "otherwise";
  const Effect e = assign_effect(d, 100, "L-1", "inbound_router");
  CHECK(e.action == "assign");
  REQUIRE(e.fields.size() == 3);
  CHECK(e.fields[0].first == "owner");
  CHECK(to_trace(e.fields[0].second) == "\"ana@x.com\"");
  CHECK(to_trace(e.fields[2].second) == "\"otherwise\"");
}


TEST_CASE("a route without trace lines makes the same decisions and round-robin moves", "[engine][routing]") {
  const Program p = ae_program();
  Directory dir;
  TenantState traced_tenant, quiet_tenant;
  const std::vector<std::vector<Value>> leads = {lead("DE", "de", 50), lead("AT", "de", 50), lead("US", "en", 50),
                                                 lead("US", "en", 50), lead("MX", "es", 50), lead("US", "en", 900)};
  for (const std::vector<Value>& l : leads) {
    const RouteDecision traced = route(p, 0, l, dir, traced_tenant, monday_10utc);
    const RouteDecision quiet = route(p, 0, l, dir, quiet_tenant, monday_10utc, {}, false);
    CHECK(quiet.owner == traced.owner);
    CHECK(quiet.team == traced.team);
    CHECK(quiet.rule == traced.rule);
    CHECK(quiet.assigned == traced.assigned);
    CHECK_FALSE(traced.trace.empty());
    CHECK(quiet.trace.empty());
  }
  CHECK(quiet_tenant.round_robin == traced_tenant.round_robin);
  CHECK(quiet_tenant.open_leads == traced_tenant.open_leads);
  const RouteDecision quiet_team = route_to_team(p, 1, leads[0], dir, quiet_tenant, monday_10utc, {}, false);
  const RouteDecision traced_team = route_to_team(p, 1, leads[0], dir, traced_tenant, monday_10utc);
  CHECK(quiet_team.owner == traced_team.owner);
  CHECK(quiet_team.trace.empty());
}

}  // namespace leadflow::engine
