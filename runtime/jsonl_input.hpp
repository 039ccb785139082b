// Reads leads and events from JSON Lines into engine types, binding names through the Program's
// field and event tables and converting each value to its declared type. A bad line becomes an
// `InputError {line, field, message}` and is skipped; reading goes on, so every problem is
// reported in one run.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.hpp"

namespace leadflow::runtime {

// One skipped input line. `field` is the JSON key at fault ("" for the whole line), dotted for
// event data (`data.employees`).
struct InputError {
  std::string file;
  std::size_t line = 0;  // 1-based
  std::string field;
  std::string message;
};

// `file:line: error: field `x`: message` (the field part only when there is one).
std::string format_input_error(const InputError& error);

// A lead record: `{"id": "L-1", "email": "...", "created_at": "...", ...fields}`.
struct LeadInput {
  std::size_t line = 0;
  std::string id;
  engine::TimePoint created_at = 0;  // 0 when the record has none
  bool has_created_at = false;
  std::vector<engine::Value> fields;  // by slot, sized to Program::lead_fields; missing = null
};

// An event record: `{"at": "...", "type": "form_submitted", "lead": "L-1", "data": {...}}`.
// `event.lead` is empty for a capture (an event declaring `email`) or an account-level event
// (one declaring `domain`) that names no lead: the simulator resolves those.
struct EventInput {
  std::size_t line = 0;
  engine::Event event;
};

// Lines longer than this are refused (oversized payloads), without being parsed.
inline constexpr std::size_t max_line_bytes = 1u << 20;

// `file` only labels the errors. Blank lines are skipped silently. Events may be read in parts:
// `text` then starts after `lines_before` lines of the file, and the parts' results are joined
// in file order.
std::vector<LeadInput> read_leads(const engine::Program& program, std::string_view text,
                                  const std::string& file, std::vector<InputError>& errors);
std::vector<EventInput> read_events(const engine::Program& program, std::string_view text,
                                    const std::string& file, std::vector<InputError>& errors,
                                    std::size_t lines_before = 0);

// Whether an event type names its lead by `email` (a capture) or by `domain` (account level)
// when `lead` is absent.
bool is_capture_event(const engine::EventDef& def);
bool is_account_event(const engine::EventDef& def);

}  // namespace leadflow::runtime
