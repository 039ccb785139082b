// Explanations for one lead: condition lines with the values they read, the score line by line
// and rule by rule, the workflows entered, and for every workflow the lead never entered and every
// stage it did not reach, why not. Pure: reads a Program and a LeadState (with the LeadFacts the
// engine kept) and returns lines; `now` is the end of the run, never the clock.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.hpp"

namespace leadflow::engine {

// `lead.employees > 50 → true (employees = 120, country missing)`: `text` (default: the code's
// source), the result, then every lead field and event field the code reads with its value.
// Event fields are named `event.NAME` and read only when `event_type` is an event's index.
std::string describe_condition(const Program& program, const ExprCode& code, bool result,
                               std::span<const Value> lead, std::int32_t event_type = no_index,
                               std::span<const Value> event = {}, std::string_view text = {});

// The values a condition reads, as in describe_condition's parentheses (empty when none).
std::string describe_reads(const Program& program, const ExprCode& code, std::span<const Value> lead,
                           std::int32_t event_type = no_index, std::span<const Value> event = {});

// The trigger as written, always starting with `when` (`when form_submitted where ...`).
std::string trigger_text(const TriggerDef& trigger);

// The key of a trigger in LeadFacts::triggers.
std::string trigger_key(const std::string& workflow, std::size_t trigger);

// Every change of the score in time order, `TIME  +20  scoring fit: "reason"`, then what the log
// does not account for (a score loaded or set directly), then `= SCORE`: sums to the score.
std::vector<std::string> explain_score_log(const Program& program, const LeadState& lead);

// The score rule by rule: each fit rule of the active scoring models true or false with the
// values it read and the points it contributes, event points received, decay applied, workflow
// score steps and what is left (loaded or set); the points sum to the score.
std::vector<std::string> explain_score_rules(const Program& program, const LeadState& lead, TimePoint now);

// Workflows the lead entered: how often, when last, where its run waits or how its last run ended.
std::vector<std::string> explain_runs(const Program& program, const LeadState& lead);

// For each workflow the lead never entered, why not (each trigger: the event that never came, the
// `where` that was false with its values, the edge that never happened, the state not held long
// enough; or enrollment policy refusals); refusals of workflows it did enter; and for each stage
// of the active `stages by score` set it did not reach, the threshold against the score, with the
// score rule by rule. Lines are indented by two spaces per level; empty when there is nothing.
std::vector<std::string> explain_why_not(const Program& program, const LeadState& lead, TimePoint now);

}  // namespace leadflow::engine
