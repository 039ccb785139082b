// Audit rows for delivery outcomes, read back from the effect's JSONL line.
#include "runtime/outbox/outcome_audit.hpp"

#include <boost/json.hpp>

#include "runtime/lead_processor.hpp"

namespace leadflow::runtime::outbox {

namespace json = boost::json;

namespace {

// As the commit-time row shows a field: a string as it is, anything else as JSON.
std::string display(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : json::serialize(v); }

}  // namespace

store::AuditRow outcome_audit_row(const store::OutboxRow& row, engine::TimePoint at, const std::string& outcome) {
  store::AuditRow audit;
  audit.tenant = row.tenant;
  audit.at = at;
  audit.lead = row.lead;
  audit.action = row.action;
  audit.channel = row.action;
  audit.recipient = row.lead;
  audit.content_hash = content_hash(row.payload);  // the commit-time row's hash of the same line
  audit.outcome = outcome;
  boost::system::error_code ec;
  const json::value effect = json::parse(row.payload, ec);
  if (ec || !effect.is_object()) return audit;
  const json::object& o = effect.get_object();
  if (const json::value* w = o.if_contains("workflow"); w != nullptr && w->is_string()) audit.workflow = w->get_string();
  if (const json::value* c = o.if_contains("channel")) audit.channel = display(*c);
  if (const json::value* to = o.if_contains("to")) {
    audit.recipient = display(*to);
  } else if (const json::value* owner = o.if_contains("owner")) {
    audit.recipient = display(*owner);
  }
  return audit;
}

std::string delivered_outcome(const std::string& connector) { return "delivered: " + connector; }

std::string dead_outcome(const std::string& connector, const std::string& error) {
  return "dead: " + connector + ": " + error;
}

}  // namespace leadflow::runtime::outbox
