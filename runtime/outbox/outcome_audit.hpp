// The audit trail's row for what the relay did with an outbox row in the end: delivered through a
// connector, or dead-lettered. The trail's commit-time row says an effect was recorded; this one
// says whether and when it left, with the same channel, recipient and content hash.
#pragma once

#include <string>

#include "engine/engine.hpp"
#include "runtime/store/store.hpp"

namespace leadflow::runtime::outbox {

// From the row's payload (the effect's JSONL line): workflow, channel (its `channel`, else the
// action), recipient (`to`, else `owner`, else the lead), content hash as at commit.
// outcome: "delivered: CONNECTOR" or "dead: CONNECTOR: ERROR"; at: when that was decided.
store::AuditRow outcome_audit_row(const store::OutboxRow& row, engine::TimePoint at, const std::string& outcome);

std::string delivered_outcome(const std::string& connector);
std::string dead_outcome(const std::string& connector, const std::string& error);

}  // namespace leadflow::runtime::outbox
