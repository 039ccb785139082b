// Prometheus text exposition of the service's counters (GET /metrics).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "runtime/lead_processor.hpp"
#include "runtime/outbox/relay.hpp"
#include "runtime/reload.hpp"

namespace leadflow::runtime {

struct HttpCounters {
  std::map<int, std::uint64_t> by_status;
};

std::string render_metrics(const LeadProcessor& processor, const ReloadStatus& reload, const HttpCounters& http,
                           std::int64_t outbox_pending);

// The relay's deliveries by connector and outcome, and which connectors an HTTP 410 disabled.
std::string render_outbox_metrics(const outbox::RelayCounters& relay, const std::vector<std::string>& connectors);

}  // namespace leadflow::runtime
