// Account workflows: enrollment per account, and the leads each `for` step chooses.
#include "engine/account_scope.hpp"

#include <algorithm>

#include "engine/capture.hpp"
#include "engine/explain.hpp"
#include "engine/expr_eval.hpp"

namespace leadflow::engine {
namespace {

struct Decider {
  const Program& program;
  TenantState& tenant;
  const std::string& account;
  const std::vector<AccountMember>& members;
  const Event& event;
  bool tracing;
  AccountDecision out;

  void trace(const std::string& workflow, std::string text) {
    if (tracing) out.trace.push_back(TraceLine{event.at, "", workflow, "account " + account + ": " + std::move(text)});
  }

  std::span<const Value> fields(const AccountMember& m) const {
    return m.state ? std::span<const Value>(m.state->fields) : std::span<const Value>();
  }

  // The per-account enrollment policy; records the enrollment when it allows one.
  bool enroll(const Workflow& w) {
    Enrollment& e = tenant.account_enrollments[w.name + "|" + account];
    std::string refused;
    switch (w.policy.kind) {
      case EnrollPolicyKind::Once:
        if (e.count > 0) refused = "enroll once per account: already enrolled at " + format_time(e.last_enrolled_at);
        break;
      case EnrollPolicyKind::Always: break;  // an account run ends at once: nothing can be active
      case EnrollPolicyKind::AgainAfter:
        if (e.count > 0 && event.at - e.last_enrolled_at < w.policy.cooldown_seconds) {
          refused = "enroll again after " + format_duration(w.policy.cooldown_seconds) +
                    " per account: last enrolled at " + format_time(e.last_enrolled_at);
        }
        break;
    }
    if (!refused.empty()) {
      trace(w.name, "not enrolled (" + refused + ")");
      return false;
    }
    e.count++;
    e.last_enrolled_at = event.at;
    trace(w.name, "enrolled");
    return true;
  }

  // Runs the `for` steps of one block (the top level, or an `else` block), in order.
  void block(const Workflow& w, const std::vector<AccountSelection>& steps) {
    for (const AccountSelection& s : steps) select(w, s);
  }

  void select(const Workflow& w, const AccountSelection& s) {
    std::vector<std::size_t> matching;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (!s.where || evaluate_condition(*s.where, fields(members[i]), {}, event.at)) matching.push_back(i);
    }
    if (s.order_by) {
      std::vector<Value> keys(members.size());
      for (std::size_t i : matching) keys[i] = evaluate(*s.order_by, fields(members[i]), {}, event.at);
      // Leads without a value (or one that does not compare) come last; ties keep load order.
      std::stable_sort(matching.begin(), matching.end(), [&](std::size_t a, std::size_t b) {
        const Value& x = keys[a];
        const Value& y = keys[b];
        if (x.is_null() != y.is_null()) return y.is_null();
        auto order = s.descending ? y <=> x : x <=> y;
        return order == std::partial_ordering::less;
      });
    }
    const std::size_t found = matching.size();
    if (s.limit > 0 && matching.size() > static_cast<std::size_t>(s.limit)) matching.resize(static_cast<std::size_t>(s.limit));
    std::string chosen;
    for (std::size_t i : matching) chosen += (chosen.empty() ? "" : ", ") + members[i].id;
    trace(w.name, s.label + ": " + std::to_string(found) + " of " + std::to_string(members.size()) + " leads match" +
                      (matching.empty() ? "" : "; chose " + chosen));
    if (matching.empty()) {
      block(w, s.otherwise);
      return;
    }
    for (std::size_t i : matching) out.starts.push_back(AccountStart{members[i].id, s.body, s.label});
  }
};

}  // namespace

std::string account_of_event(const Program& program, const Event& event) {
  if (event.type < 0 || static_cast<std::size_t>(event.type) >= program.events.size()) return {};
  for (const FieldDef& f : program.events[static_cast<std::size_t>(event.type)].fields) {
    if (f.name != "domain" || f.slot < 0 || static_cast<std::size_t>(f.slot) >= event.data.size()) continue;
    const Value& v = event.data[static_cast<std::size_t>(f.slot)];
    if (v.kind() == ValueKind::String) return ascii_lower(v.as_string());
  }
  return {};
}

AccountDecision decide_account_event(const Program& program, TenantState& tenant, const std::string& account,
                                     const std::vector<AccountMember>& members, const Event& event, bool trace) {
  Decider d{program, tenant, account, members, event, trace, {}};
  if (account.empty()) return std::move(d.out);
  for (const Workflow& w : program.workflows) {
    if (!w.account || w.disabled) continue;
    for (const TriggerDef& t : w.triggers) {
      if (t.kind != TriggerKind::Event || t.event != event.type) continue;
      // The trigger's `where` reads the event only: no lead is in scope at the account level.
      bool ok = !t.where || evaluate_condition(*t.where, {}, event.data, event.at);
      d.trace(w.name, trigger_text(t) + (ok ? " → true" : " → false"));
      if (ok && d.enroll(w)) d.block(w, w.account->steps);
      break;
    }
  }
  return std::move(d.out);
}

}  // namespace leadflow::engine
