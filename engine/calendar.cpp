// Business days and hours over local time; conversions through the OS tz database.
#include "engine/calendar.hpp"

#include <algorithm>
#include <chrono>

#include <date/tz.h>

namespace leadflow::engine {
namespace {

const date::time_zone* zone_of(const std::string& name) {
  if (name.empty() || name == "UTC" || name == "Etc/UTC") return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::int64_t offset_at(const date::time_zone* tz, std::int64_t at) {
  if (!tz) return 0;
  auto info = tz->get_info(date::sys_seconds{std::chrono::seconds{at}});
  return info.offset.count();
}

// Local seconds -> UTC, choosing the earlier instant on ambiguity and shifting forward on a gap.
std::int64_t to_utc(const date::time_zone* tz, std::int64_t local) {
  if (!tz) return local;
  auto info = tz->get_info(date::local_seconds{std::chrono::seconds{local}});
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous: return local - info.first.offset.count();
    case date::local_info::nonexistent: return local - info.first.offset.count();
  }
  return local;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int weekday_of(std::int64_t day) {  // 1970-01-01 was a Thursday (4)
  std::int64_t w = (day + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

}  // namespace

std::optional<std::int64_t> utc_offset(const std::string& zone, std::int64_t at) {
  if (zone.empty() || zone == "UTC" || zone == "Etc/UTC") return 0;
  const date::time_zone* tz = zone_of(zone);
  if (!tz) return std::nullopt;
  return offset_at(tz, at);
}

bool known_timezone(const std::string& zone) {
  return zone.empty() || zone == "UTC" || zone == "Etc/UTC" || zone_of(zone) != nullptr;
}

bool is_business_day(const BusinessCalendar& cal, std::int64_t local_day) {
  int w = weekday_of(local_day);
  bool in_week = cal.first_workday <= cal.last_workday
                     ? (w >= cal.first_workday && w <= cal.last_workday)
                     : (w >= cal.first_workday || w <= cal.last_workday);
  if (!in_week) return false;
  return !std::binary_search(cal.holidays.begin(), cal.holidays.end(), local_day);
}

std::int64_t add_business_days(const BusinessCalendar& cal, std::int64_t start, std::int64_t days) {
  const date::time_zone* tz = zone_of(cal.timezone);
  std::int64_t local = start + offset_at(tz, start);
  std::int64_t day = floor_div(local, 86400);
  std::int64_t tod = local - day * 86400;
  for (std::int64_t n = 0; n < days;) {
    ++day;
    if (is_business_day(cal, day)) ++n;
    if (day - floor_div(local, 86400) > 3660) break;  // no workdays at all: give up after ten years
  }
  return to_utc(tz, day * 86400 + tod);
}

std::int64_t add_business_hours(const BusinessCalendar& cal, std::int64_t start, std::int64_t hours) {
  const date::time_zone* tz = zone_of(cal.timezone);
  std::int64_t local = start + offset_at(tz, start);
  std::int64_t remaining = hours * 3600;
  const std::int64_t open = cal.hours.begin_minute * 60LL;
  const std::int64_t close = cal.hours.end_minute * 60LL;
  if (close <= open) return start;
  std::int64_t guard = 0;
  while (remaining > 0 && guard++ < 20000) {
    std::int64_t day = floor_div(local, 86400);
    std::int64_t tod = local - day * 86400;
    if (!is_business_day(cal, day) || tod >= close) {
      local = (day + 1) * 86400 + open;
      if (!is_business_day(cal, day + 1)) local = (day + 1) * 86400;  // walk on to the next day
      continue;
    }
    if (tod < open) {
      local = day * 86400 + open;
      continue;
    }
    std::int64_t avail = close - tod;
    std::int64_t take = std::min(avail, remaining);
    local += take;
    remaining -= take;
  }
  return to_utc(tz, local);
}

}  // namespace leadflow::engine
