// Account-level events (`company_intent`: a `domain`, no lead) in dry-run and serve alike: the
// event reaches every lead of its domain in load order (their per-lead workflows, scoring and
// the event's `set`s), then the account workflows decide once for the account
// (engine/account_scope.hpp) and the leads they choose run the chosen `for` bodies, in order.
// Simulator and LeadProcessor both call this, so serve writes what dry-run prints.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/account_scope.hpp"
#include "engine/engine.hpp"

namespace leadflow::runtime {

struct AccountFanout {
  // The account's leads, in load order.
  std::vector<std::string> leads;
  // Gets each engine answer, with the lead it is about ("" for the account's own trace lines),
  // as soon as it is made (the caller emits effects and timers, and reindexes the lead).
  std::function<void(const std::string& lead, engine::StepResult&&)> emit;
  // Looks a lead up again by id (its state may have moved after an earlier emit).
  std::function<engine::LeadState*(const std::string& lead)> state;
  bool trace = false;
};

void fan_out_account_event(engine::Engine& engine, engine::TenantState& tenant, const std::string& account,
                           const engine::Event& event, const AccountFanout& fanout);

}  // namespace leadflow::runtime
