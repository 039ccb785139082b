// One account-level event: every lead of the account first, then the account workflows.
#include "runtime/account_fanout.hpp"

namespace leadflow::runtime {

void fan_out_account_event(engine::Engine& engine, engine::TenantState& tenant, const std::string& account,
                           const engine::Event& event, const AccountFanout& fanout) {
  const std::vector<std::string>& ids = fanout.leads;

  for (const std::string& id : ids) {
    engine::LeadState* state = fanout.state(id);
    if (state == nullptr) continue;
    engine::Event copy = event;
    copy.lead = id;
    fanout.emit(id, engine.apply(*state, tenant, copy));
  }

  // The account decides on its leads as the event left them; the bodies run after that.
  std::vector<engine::AccountMember> members;
  for (const std::string& id : ids) {
    if (const engine::LeadState* state = fanout.state(id)) members.push_back({id, state});
  }
  engine::AccountDecision decision =
      engine::decide_account_event(*engine.program(), tenant, account, members, event, fanout.trace);
  if (!decision.trace.empty()) {
    engine::StepResult lines;
    lines.trace = std::move(decision.trace);
    fanout.emit("", std::move(lines));
  }
  for (const engine::AccountStart& s : decision.starts) {
    engine::LeadState* state = fanout.state(s.lead);
    if (state == nullptr) continue;
    engine::Event copy = event;
    copy.lead = s.lead;
    fanout.emit(s.lead, engine.start(*state, tenant, s.workflow, copy, s.why));
  }
}

}  // namespace leadflow::runtime
