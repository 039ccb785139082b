// The entry points that append into a caller's StepResult, and the interned texts effects and
// score log entries refer to.
#include "engine/interned_text.hpp"
#include "tests/engine/engine_test_support.hpp"

using namespace leadflow::engine;
using namespace leadflow::engine::testing;

namespace {

const char* const cadence = R"(
scoring fit {
  lead.employees >= 100 -> +20 "100+ employees"
}
workflow cadence {
  when form_submitted
  send email "welcome"
  wait 2d
  send email "follow_up"
}
)";

Event form(const Program& p, TimePoint at) {
  Event ev;
  ev.at = at;
  ev.type = p.event_index("form_submitted");
  ev.lead = "L-1";
  ev.data.resize(p.events[static_cast<std::size_t>(ev.type)].fields.size());
  return ev;
}

std::vector<std::string> rendered(const StepResult& r) {
  std::vector<std::string> out;
  for (const Effect& e : r.effects) out.push_back(render(e));
  return out;
}

}  // namespace

TEST_CASE("intern gives one stored copy per text, valid after the argument is gone", "[engine][intern]") {
  InternedText a = intern(std::string("scoring ") + "engagement");
  InternedText b = intern("scoring engagement");
  CHECK(a == "scoring engagement");
  CHECK(a.data() == b.data());
  CHECK(intern("on engagement:28").data() != a.data());
  CHECK(intern("").empty());
}

TEST_CASE("apply and fire into a caller's StepResult append what the returning overloads return",
          "[engine][step_result]") {
  auto program = compile(cadence);
  Directory directory;
  Engine returning(program, directory), appending(program, directory);
  LeadState a, b;
  TenantState ta, tb;
  for (LeadState* l : {&a, &b}) {
    l->fields.resize(program->lead_fields.size());
    l->fields[static_cast<std::size_t>(program->lead_slot("id"))] = Value::string("L-1");
    l->fields[static_cast<std::size_t>(program->lead_slot("email"))] = Value::string("ana@acme.com");
    l->fields[static_cast<std::size_t>(program->lead_slot("employees"))] = Value::integer(250);
  }
  const Event ev = form(*program, t("2026-01-05T09:00:00Z"));

  StepResult fresh = returning.apply(a, ta, ev);
  StepResult reused;
  reused.effects.push_back(Effect{});  // something already there: the overload appends after it
  appending.apply(b, tb, ev, reused);
  REQUIRE(reused.effects.size() == fresh.effects.size() + 1);
  reused.effects.erase(reused.effects.begin());
  CHECK(rendered(reused) == rendered(fresh));
  CHECK(rendered(fresh) == Lines{"09:00 score delta=20 score=20 reason=\"100+ employees\"",
                                 "09:00 cadence email template=\"welcome\" to=\"ana@acme.com\""});
  REQUIRE(fresh.timers.size() == reused.timers.size());
  CHECK(b.score_log.size() == a.score_log.size());
  CHECK(b.score_log.front().source == "scoring fit");
  CHECK(b.score_log.front().rule == a.score_log.front().rule);

  // clear() empties the result and keeps its capacity for the next call.
  const std::size_t capacity = reused.effects.capacity();
  const TimerRequest wake = *std::find_if(reused.timers.begin(), reused.timers.end(),
                                          [](const TimerRequest& tr) { return tr.kind == TimerKind::RunWake; });
  reused.clear();
  CHECK(reused.effects.empty());
  CHECK(reused.timers.empty());
  CHECK(reused.effects.capacity() == capacity);
  appending.fire(b, tb, wake, wake.due, reused);
  CHECK(rendered(reused) == rendered(returning.fire(a, ta, wake, wake.due)));
  CHECK(rendered(reused) == Lines{"09:00 cadence email template=\"follow_up\" to=\"ana@acme.com\""});
}
