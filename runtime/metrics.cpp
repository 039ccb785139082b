// Counters, gauges and the speed-to-lead histogram in the Prometheus text format (version 0.0.4).
#include "runtime/metrics.hpp"

#include <sstream>

#include "engine/capture.hpp"

namespace leadflow::runtime {

namespace {

std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string render_metrics(const LeadProcessor& processor, const ReloadStatus& reload, const HttpCounters& http,
                           std::int64_t outbox_pending) {
  const ProcessorCounters& c = processor.counters();
  std::ostringstream o;
  o << "# HELP leadflow_events_applied_total Events applied and committed.\n"
    << "# TYPE leadflow_events_applied_total counter\nleadflow_events_applied_total " << c.events_applied << "\n";
  o << "# HELP leadflow_events_duplicate_total Events skipped because their idempotency key was seen.\n"
    << "# TYPE leadflow_events_duplicate_total counter\nleadflow_events_duplicate_total " << c.events_duplicate << "\n";
  o << "# HELP leadflow_effects_total Effects committed to the outbox, by action.\n# TYPE leadflow_effects_total counter\n";
  for (const auto& [action, n] : c.effects_by_action) o << "leadflow_effects_total{action=\"" << label(action) << "\"} " << n << "\n";
  o << "# HELP leadflow_blocked_total Sends blocked by governance, by reason.\n# TYPE leadflow_blocked_total counter\n";
  for (const auto& [reason, n] : c.blocked_by_reason) o << "leadflow_blocked_total{reason=\"" << label(reason) << "\"} " << n << "\n";
  o << "# HELP leadflow_timers_pending Timers waiting in the store.\n# TYPE leadflow_timers_pending gauge\n"
    << "leadflow_timers_pending " << processor.pending_timers() << "\n";
  o << "# HELP leadflow_timers_fired_total Timers fired.\n# TYPE leadflow_timers_fired_total counter\n"
    << "leadflow_timers_fired_total " << c.timers_fired << "\n";
  o << "# HELP leadflow_commit_failures_total Batches the store refused (nothing of them was kept).\n"
    << "# TYPE leadflow_commit_failures_total counter\nleadflow_commit_failures_total " << c.commit_failures << "\n";
  o << "# HELP leadflow_reloads_total Hot reloads attempted, by result.\n# TYPE leadflow_reloads_total counter\n"
    << "leadflow_reloads_total{result=\"ok\"} " << (reload.attempts - reload.failures) << "\n"
    << "leadflow_reloads_total{result=\"failed\"} " << reload.failures << "\n";
  o << "# HELP leadflow_reload_last_ok Whether the last reload compiled (1) or kept the old set (0).\n"
    << "# TYPE leadflow_reload_last_ok gauge\nleadflow_reload_last_ok " << (reload.last_ok ? 1 : 0) << "\n";
  o << "# HELP leadflow_sla_breaches_total SLA levels reached at alert or reassign.\n"
    << "# TYPE leadflow_sla_breaches_total counter\nleadflow_sla_breaches_total " << c.sla_breaches << "\n";
  static const double bounds[] = {1, 5, 30, 60, 300, 900, 1800, 3600, 86400};
  o << "# HELP leadflow_speed_to_lead_seconds From capture to the first assign, in event time.\n"
    << "# TYPE leadflow_speed_to_lead_seconds histogram\n";
  double sum = 0;
  for (double s : c.speed_to_lead_seconds) sum += s;
  for (double b : bounds) {
    std::size_t n = 0;
    for (double s : c.speed_to_lead_seconds) n += s <= b ? 1 : 0;
    o << "leadflow_speed_to_lead_seconds_bucket{le=\"" << b << "\"} " << n << "\n";
  }
  o << "leadflow_speed_to_lead_seconds_bucket{le=\"+Inf\"} " << c.speed_to_lead_seconds.size() << "\n"
    << "leadflow_speed_to_lead_seconds_sum " << sum << "\n"
    << "leadflow_speed_to_lead_seconds_count " << c.speed_to_lead_seconds.size() << "\n";
  // The playbooks' data-quality benchmark is a duplicate rate under 2%.
  const auto [captures, duplicates] = processor.captures_and_duplicates();
  o << "# HELP leadflow_captures_total Captures (form submissions without a lead id) processed.\n"
    << "# TYPE leadflow_captures_total counter\nleadflow_captures_total " << captures << "\n";
  o << "# HELP leadflow_capture_duplicates_total Captures merged into an existing lead.\n"
    << "# TYPE leadflow_capture_duplicates_total counter\nleadflow_capture_duplicates_total " << duplicates << "\n";
  o << "# HELP leadflow_duplicate_rate Share of captures that were duplicates of an existing lead.\n"
    << "# TYPE leadflow_duplicate_rate gauge\nleadflow_duplicate_rate "
    << (captures > 0 ? static_cast<double>(duplicates) / static_cast<double>(captures) : 0.0) << "\n";
  o << "# HELP leadflow_unassigned_leads Leads without an owner.\n# TYPE leadflow_unassigned_leads gauge\n"
    << "leadflow_unassigned_leads " << processor.unassigned_leads() << "\n";
  o << "# HELP leadflow_outbox_pending Outbox rows not yet delivered.\n# TYPE leadflow_outbox_pending gauge\n"
    << "leadflow_outbox_pending " << outbox_pending << "\n";
  o << "# HELP leadflow_http_requests_total HTTP answers by status.\n# TYPE leadflow_http_requests_total counter\n";
  for (const auto& [code, n] : http.by_status) o << "leadflow_http_requests_total{code=\"" << code << "\"} " << n << "\n";
  return o.str();
}

std::string render_outbox_metrics(const outbox::RelayCounters& relay, const std::vector<std::string>& connectors) {
  std::ostringstream o;
  o << "# HELP leadflow_outbox_deliveries_total Delivery attempts by connector and outcome "
       "(delivered, retried, dead_lettered).\n# TYPE leadflow_outbox_deliveries_total counter\n";
  for (const std::string& name : connectors) {
    auto it = relay.by_connector.find(name);
    const outbox::RelayCounters::PerConnector n = it == relay.by_connector.end() ? outbox::RelayCounters::PerConnector{}
                                                                                 : it->second;
    const std::string c = label(name);
    o << "leadflow_outbox_deliveries_total{connector=\"" << c << "\",outcome=\"delivered\"} " << n.delivered << "\n"
      << "leadflow_outbox_deliveries_total{connector=\"" << c << "\",outcome=\"retried\"} " << n.retried << "\n"
      << "leadflow_outbox_deliveries_total{connector=\"" << c << "\",outcome=\"dead_lettered\"} " << n.dead_lettered
      << "\n";
  }
  o << "# HELP leadflow_connector_disabled 1 when the connector's endpoint answered 410 and it is off until restart.\n"
    << "# TYPE leadflow_connector_disabled gauge\n";
  for (const std::string& name : connectors) {
    o << "leadflow_connector_disabled{connector=\"" << label(name) << "\"} " << relay.disabled.count(name) << "\n";
  }
  return o.str();
}

}  // namespace leadflow::runtime
