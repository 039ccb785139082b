// Suppression, caps and send windows; time-zone arithmetic over the OS tz database.
#include "engine/governance.hpp"

#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>

namespace leadflow::engine {

namespace {

// locate_zone throws for unknown names; the checker has already rejected those, so an unknown
// name here (a hand-built Program, a bad owners.json) degrades to UTC instead of aborting a run.
// Lookups are cached: locate_zone does a search per call.
const date::time_zone* find_zone(std::string_view name) {
  if (name.empty() || name == "UTC" || name == "Etc/UTC") return nullptr;
  static std::mutex mutex;
  static std::map<std::string, const date::time_zone*, std::less<>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(std::string(name));
  } catch (const std::exception&) {
    zone = nullptr;
  }
  cache.emplace(std::string(name), zone);
  return zone;
}

constexpr std::int64_t day_seconds = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::string format_day(std::int64_t days) {
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  if (y < 0 || y > 9999) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
    return buf;
  }
  // Every send asks for today's key twice (check and count): digits by hand, not snprintf.
  const auto year = static_cast<unsigned>(y);
  const char text[10] = {static_cast<char>('0' + year / 1000), static_cast<char>('0' + year / 100 % 10),
                         static_cast<char>('0' + year / 10 % 10), static_cast<char>('0' + year % 10), '-',
                         static_cast<char>('0' + m / 10), static_cast<char>('0' + m % 10), '-',
                         static_cast<char>('0' + d / 10), static_cast<char>('0' + d % 10)};
  return std::string(text, sizeof text);
}

bool field_true(const LeadState& lead, Slot slot) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= lead.fields.size()) return false;
  return lead.fields[static_cast<std::size_t>(slot)].truthy();
}

std::string_view field_string(const LeadState& lead, Slot slot) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= lead.fields.size()) return {};
  return lead.fields[static_cast<std::size_t>(slot)].as_string();  // empty unless a string
}

const CapDef* find_cap(const Program& program, std::string_view channel) {
  for (const CapDef& cap : program.governance.caps)
    if (cap.channel == channel) return &cap;
  return nullptr;
}

std::string count_key(std::string_view channel, bool per_sender, std::string_view sender,
                      std::string_view day) {
  // A whole-channel cap counts under the sender "*", so one map holds both kinds.
  return sent_key(channel, per_sender ? sender : std::string_view("*"), day);
}

std::int64_t lookup(const std::map<std::string, std::int64_t>& map, const std::string& key) {
  auto it = map.find(key);
  return it == map.end() ? 0 : it->second;
}

}  // namespace

std::int64_t utc_offset_seconds(std::string_view timezone, TimePoint t) {
  const date::time_zone* zone = find_zone(timezone);
  if (!zone) return 0;
  const auto info = zone->get_info(date::sys_seconds{std::chrono::seconds{t}});
  return info.offset.count();
}

int local_minute_of_day(std::string_view timezone, TimePoint t) {
  const std::int64_t local = t + utc_offset_seconds(timezone, t);
  const std::int64_t second_of_day = local - floor_div(local, day_seconds) * day_seconds;
  return static_cast<int>(second_of_day / 60);
}

TimePoint local_to_utc(std::string_view timezone, std::int64_t local_seconds) {
  const date::time_zone* zone = find_zone(timezone);
  if (!zone) return local_seconds;
  const date::local_seconds local{std::chrono::seconds{local_seconds}};
  const auto info = zone->get_info(local);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // the earlier instant: first.offset
      return local_seconds - info.first.offset.count();
    case date::local_info::nonexistent:  // in the gap: the instant the clocks jumped
      return info.first.end.time_since_epoch().count();
  }
  return local_seconds;
}

bool in_window(const ClockWindow& window, int minute) {
  if (window.begin_minute == window.end_minute) return false;
  if (window.begin_minute < window.end_minute)
    return minute >= window.begin_minute && minute < window.end_minute;
  return minute >= window.begin_minute || minute < window.end_minute;
}

TimePoint next_window_open(const ClockWindow& window, std::string_view timezone, TimePoint now) {
  if (window.begin_minute == window.end_minute) return now;  // empty window: never blocks
  if (in_window(window, local_minute_of_day(timezone, now))) return now;
  const std::int64_t local = now + utc_offset_seconds(timezone, now);
  const std::int64_t today = floor_div(local, day_seconds);
  // Today's opening if it is still ahead, else tomorrow's (two days cover any DST shift).
  for (std::int64_t day = today; day <= today + 2; ++day) {
    const TimePoint open = local_to_utc(timezone, day * day_seconds + window.begin_minute * 60);
    if (open >= now) return open;
  }
  return now;
}

std::string sent_key(std::string_view channel, std::string_view sender, std::string_view day) {
  std::string key;
  key.reserve(channel.size() + sender.size() + day.size() + 2);
  key.append(channel).append("|").append(sender).append("|").append(day);
  return key;
}

std::string governance_day(const Program& program, TimePoint now) {
  const std::string_view tz = program.governance.timezone;
  const std::int64_t local = now + utc_offset_seconds(tz, now);
  return format_day(floor_div(local, day_seconds));
}

std::string format_window(const ClockWindow& window) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d..%02d:%02d", window.begin_minute / 60,
                window.begin_minute % 60, window.end_minute / 60, window.end_minute % 60);
  return buf;
}

namespace {

// check_send with today's governance day and the cap counter's key (count_key) worked out by
// the caller, which needs them again to record the send.
GovernanceDecision check_send_on(const Program& program, const LeadState& lead, const TenantState& tenant,
                                 std::string_view channel, std::string_view sender, TimePoint now,
                                 std::string_view lead_timezone, const std::string& day,
                                 const std::string& sent_count_key) {
  GovernanceDecision decision;
  const bool is_email = channel == "email";

  // Suppression is permanent and holds whatever a workflow says.
  if (field_true(lead, program.builtin_slots.unsubscribed)) {
    decision.kind = SendVerdictKind::Blocked;
    decision.reason = "unsubscribed";
    return decision;
  }
  if (is_email && field_true(lead, program.builtin_slots.bounced)) {
    decision.kind = SendVerdictKind::Blocked;
    decision.reason = "bounced";
    return decision;
  }
  if (is_email && lead.email_suppressed) {
    decision.kind = SendVerdictKind::Blocked;
    decision.reason = "suppressed";
    return decision;
  }

  const Governance& gov = program.governance;
  if (gov.send_window) {
    const std::string_view tz = !lead_timezone.empty() ? lead_timezone
                                : !gov.timezone.empty() ? std::string_view(gov.timezone)
                                                        : std::string_view("UTC");
    const TimePoint open = next_window_open(*gov.send_window, tz, now);
    if (open != now) {
      decision.kind = SendVerdictKind::HeldUntil;
      decision.until = open;
      decision.reason = "outside send window " + format_window(*gov.send_window) + " (" +
                        std::string(tz) + ")";
      return decision;
    }
  }

  // A message from no sender comes from the tenant's system address: per-sender caps (a
  // salesperson's mailbox, 000's "per sender address") do not count it; channel caps do.
  const CapDef* channel_cap = find_cap(program, channel);
  if (channel_cap && channel_cap->per_sender && sender.empty()) channel_cap = nullptr;
  if (const CapDef* cap = channel_cap) {
    const std::int64_t used = lookup(tenant.sent_today, sent_count_key);
    if (used >= cap->limit) {
      decision.kind = SendVerdictKind::Blocked;
      decision.reason = "cap " + std::string(channel) + " " + std::to_string(cap->limit) +
                        (cap->per_sender ? "/sender/day" : "/day") + " reached";
      return decision;
    }
  }
  if (const CapDef* cap = find_cap(program, "actions")) {
    if (lookup(tenant.actions_today, day) >= cap->limit) {
      decision.kind = SendVerdictKind::Blocked;
      decision.reason = "daily action cap reached";
      return decision;
    }
  }
  return decision;
}

// The key a send counts under in TenantState::sent_today: per sender unless the channel's cap
// is for the whole channel.
std::string sent_count_key(const Program& program, std::string_view channel, std::string_view sender,
                           std::string_view day) {
  const CapDef* cap = find_cap(program, channel);
  return count_key(channel, cap ? cap->per_sender : true, sender, day);
}

void record_send_on(TenantState& tenant, std::string&& sent_count_key, const std::string& day) {
  ++tenant.sent_today[std::move(sent_count_key)];
  ++tenant.actions_today[day];
}

}  // namespace

GovernanceDecision check_send(const Program& program, const LeadState& lead, const TenantState& tenant,
                              std::string_view channel, std::string_view sender, TimePoint now,
                              std::string_view lead_timezone) {
  const std::string day = governance_day(program, now);
  return check_send_on(program, lead, tenant, channel, sender, now, lead_timezone, day,
                       sent_count_key(program, channel, sender, day));
}

SendVerdict govern_send(const Program& program, const std::string& channel,
                        const std::string& sender, LeadState& lead, TenantState& tenant,
                        const Directory& directory, TimePoint now) {
  std::string_view timezone = field_string(lead, program.builtin_slots.timezone);
  if (timezone.empty() && program.governance.timezone.empty())
    timezone = directory.tenant_timezone;
  // Without `from`, a message goes out on behalf of the lead's owner, so it counts against the
  // owner's daily cap (000: "50-75 emails per day per sender address, across sequences").
  std::string_view from = sender;
  if (from.empty()) from = field_string(lead, program.builtin_slots.owner);
  // Today's day and counter key once, for the check and for counting the send.
  const std::string day = governance_day(program, now);
  std::string key = sent_count_key(program, channel, from, day);
  SendVerdict verdict = check_send_on(program, lead, tenant, channel, from, now, timezone, day, key);
  if (verdict.kind == SendVerdictKind::Allowed) record_send_on(tenant, std::move(key), day);
  return verdict;
}

void record_send(const Program& program, TenantState& tenant, std::string_view channel,
                 std::string_view sender, TimePoint now) {
  const std::string day = governance_day(program, now);
  record_send_on(tenant, sent_count_key(program, channel, sender, day), day);
}

}  // namespace leadflow::engine
