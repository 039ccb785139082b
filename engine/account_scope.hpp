// Account workflows (`enroll ... per account`): one decision per account-level event (like
// `company_intent`) for the whole account, instead of one per lead of its domain. Their `for`
// steps choose leads of the account (`for up to 3 leads of account where ... order by ...`); the
// chosen leads then run the step's body as an ordinary per-lead run (Engine::start).
//
// Pure like the rest of the engine: the caller passes the account's leads in load order and gets
// back which leads start which body; nothing here reads a clock or does I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.hpp"

namespace leadflow::engine {

// One `for ... of account` step.
struct AccountSelection {
  std::string label;   // `for up to 3 leads of account where ...`, for traces
  std::uint32_t line = 0;
  std::int64_t limit = 0;  // at most this many leads; 0 = every lead that matches
  std::optional<ExprCode> where;
  std::optional<ExprCode> order_by;  // none: load order
  bool descending = false;
  // The hidden workflow (Workflow::body_of) that runs the body on each lead chosen.
  std::int32_t body = no_index;
  // The `else` block: tried, in order, when no lead of the account matched `where`.
  std::vector<AccountSelection> otherwise;
};

// What an account workflow does when triggered: its `for` steps, in order.
struct AccountPlan {
  std::vector<AccountSelection> steps;
};

// A lead of the account, in load order.
struct AccountMember {
  std::string id;
  const LeadState* state = nullptr;
};

// Start `workflow` (a `for` body) on `lead`.
struct AccountStart {
  std::string lead;
  std::int32_t workflow = no_index;
  std::string why;  // for the trace: `for up to 3 leads of account where ...`
};

struct AccountDecision {
  std::vector<AccountStart> starts;  // in the order the bodies must run
  std::vector<TraceLine> trace;      // only when asked for
};

// The account key of an account-level event: its `domain`, ASCII lower-cased ("" when none).
std::string account_of_event(const Program& program, const Event& event);

// Decides every account workflow `event` triggers, for the account `account` whose leads are
// `members` (load order). All decisions read the leads as they are now (no body has run yet), so
// the outcome does not depend on what the bodies do. Per-account enrollment policies are kept in
// `tenant.account_enrollments`.
AccountDecision decide_account_event(const Program& program, TenantState& tenant, const std::string& account,
                                     const std::vector<AccountMember>& members, const Event& event, bool trace);

}  // namespace leadflow::engine
