// LeadState and TenantState to JSON and back, for the store. Everything that names a part of a
// Program (fields, workflows, events, SLAs) is written by name, so a state written under one
// Program version reads back under another; runs keep the version string they are pinned to.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/engine.hpp"

namespace leadflow::runtime::store {

// The Program a run pinned to `version` runs on; null when that version cannot be had.
using ProgramResolver = std::function<std::shared_ptr<const engine::Program>(const std::string& version)>;

std::string encode_lead(const engine::LeadState& lead, const engine::Program& live);

struct DecodeReport {
  std::size_t runs_repinned = 0;  // their version was gone: moved to the live one (same workflow name)
  std::size_t runs_dropped = 0;   // their version was gone and the live set has no such workflow
};

// Fields, enrollments, held conditions and facts bind to `live` by name (unknown names are
// dropped). A run binds to `resolve(version)`; when that gives null, to `live` when it has a
// workflow of that name with at least as many steps, else the run is dropped.
engine::LeadState decode_lead(const std::string& json, const std::shared_ptr<const engine::Program>& live,
                              const ProgramResolver& resolve, DecodeReport* report = nullptr);

// Tenant state, plus what the processor keeps per tenant beside it (the capture counter).
std::string encode_tenant(const engine::TenantState& tenant, std::uint64_t captures_seen, std::int64_t next_seq);
engine::TenantState decode_tenant(const std::string& json, std::uint64_t& captures_seen, std::int64_t& next_seq);

// Values keep their kind: strings, bools and null as JSON, others tagged ({"t": seconds} a time,
// {"d": seconds} a duration, {"f": x} a decimal, {"l": [...]} a list; ints stay JSON integers).
std::string encode_value(const engine::Value& v);

}  // namespace leadflow::runtime::store
