// Governance below every workflow: suppression, per-channel and daily action caps, send windows;
// plus the IANA time-zone helpers that routing (working hours) and send windows share.
//
// Entry points (E1 calls these around every `send` step):
//   GovernanceDecision check_send(const Program&, const LeadState&, const TenantState&,
//                                 std::string_view channel, std::string_view sender,
//                                 TimePoint now, std::string_view lead_timezone);
//   void record_send(const Program&, TenantState&, std::string_view channel,
//                    std::string_view sender, TimePoint now);
//   SendVerdict govern_send(const Program&, const std::string& channel, const std::string& sender,
//                           LeadState&, TenantState&, const Directory&, TimePoint now);
//                           // EngineHooks::govern: check_send, then record_send when allowed
//   std::string governance_day(const Program&, TimePoint now);            // "2026-01-05"
//   std::int64_t utc_offset_seconds(std::string_view timezone, TimePoint t);
//   int local_minute_of_day(std::string_view timezone, TimePoint t);      // 0..1439
//   TimePoint local_to_utc(std::string_view timezone, std::int64_t local_seconds);
//   bool in_window(const ClockWindow&, int minute_of_day);
//
// Check order: suppression (permanent) → send window (Held, so the message goes out at the next
// opening and the caps are checked then) → the channel's cap → the daily action cap.
// Counters are per day of the governance time zone (`governance { timezone "..." }`, UTC when
// not declared): a day key is that zone's local date.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/engine.hpp"
#include "engine/program.hpp"

namespace leadflow::engine {

// ---------------------------------------------------------------- time zones

// Offset of local time from UTC at `t`, in seconds (+7200 for Europe/Sofia in winter). An empty or
// unknown zone name counts as UTC (the checker rejects unknown names before a Program exists).
std::int64_t utc_offset_seconds(std::string_view timezone, TimePoint t);
// Minutes after local midnight at `t` in `timezone`.
int local_minute_of_day(std::string_view timezone, TimePoint t);
// The UTC instant of a local wall-clock time given as seconds since 1970-01-01T00:00 local.
// A time skipped by a DST jump maps to the jump; an ambiguous one to its earlier instant.
TimePoint local_to_utc(std::string_view timezone, std::int64_t local_seconds);
// True when the minute is within [begin, end); a window with begin > end wraps past midnight
// (22:00..06:00); begin == end is an empty window.
bool in_window(const ClockWindow& window, int minute_of_day);
// The first instant >= `now` at which `window` is open in `timezone` (now itself when open).
TimePoint next_window_open(const ClockWindow& window, std::string_view timezone, TimePoint now);

// ---------------------------------------------------------------- sends

// The decision is engine.hpp's SendVerdict {kind: Allowed | Blocked | HeldUntil, reason, until}.
// Blocked reasons: "unsubscribed", "bounced", "suppressed" (email_suppressed without the field),
// "cap email 75/sender/day reached", "cap sms 100/day reached", "daily action cap reached".
// HeldUntil reason: "outside send window 08:00..18:00 (Europe/Sofia)"; `until` is the next
// opening of the window, UTC.
using GovernanceDecision = SendVerdict;

// `channel` is the send step's channel (email, sms, linkedin); `sender` its `from` (may be
// empty: one shared sender). `lead_timezone` is the lead's IANA zone or empty; the window then
// falls back to the governance time zone, then UTC. Suppression: an unsubscribed lead
// (LeadState.email_suppressed with the `unsubscribed` field true, or the field alone) gets no
// outreach on any channel; a bounced one no email.
GovernanceDecision check_send(const Program& program, const LeadState& lead,
                              const TenantState& tenant, std::string_view channel,
                              std::string_view sender, TimePoint now,
                              std::string_view lead_timezone);

// EngineHooks::govern: the lead's `timezone` field (else the governance zone, else
// Directory.tenant_timezone) for the window; an allowed send is counted (record_send) here, so
// the caller must not count it again.
SendVerdict govern_send(const Program& program, const std::string& channel,
                        const std::string& sender, LeadState& lead, TenantState& tenant,
                        const Directory& directory, TimePoint now);

// Counts an allowed send: the channel's per-sender (and whole-channel) counter and the daily
// action counter of today's governance day.
void record_send(const Program& program, TenantState& tenant, std::string_view channel,
                 std::string_view sender, TimePoint now);

// The governance day of `now`: "yyyy-mm-dd" in the governance time zone.
std::string governance_day(const Program& program, TimePoint now);

// Keys of TenantState.sent_today / actions_today (exposed for metrics and tests).
std::string sent_key(std::string_view channel, std::string_view sender, std::string_view day);

// "08:00..18:00".
std::string format_window(const ClockWindow& window);

}  // namespace leadflow::engine
