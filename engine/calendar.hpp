// Business time: adding business days or hours to an instant in a calendar's time zone, skipping
// weekends outside the workdays and holidays. Zones come from the OS tz database through
// HowardHinnant date's `locate_zone` (read lazily, once, by the library; no other I/O here).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/program.hpp"

namespace leadflow::engine {

struct BusinessCalendar {
  std::string timezone = "UTC";
  int first_workday = 1;  // 0 = Sunday .. 6 = Saturday
  int last_workday = 5;
  ClockWindow hours{9 * 60, 17 * 60};
  std::vector<std::int64_t> holidays;  // local days since 1970-01-01, ascending
};

// UTC offset in seconds of `zone` at `at` (Unix seconds); nullopt when the zone is unknown.
std::optional<std::int64_t> utc_offset(const std::string& zone, std::int64_t at);
bool known_timezone(const std::string& zone);

// Is the local day a workday (within first..last workday, not a holiday)?
bool is_business_day(const BusinessCalendar& cal, std::int64_t local_day);

// `start` plus `days` business days: the same local time of day on the days-th business day
// after the start's local day.
std::int64_t add_business_days(const BusinessCalendar& cal, std::int64_t start, std::int64_t days);
// `start` plus `hours` of working time inside the calendar's hours on business days.
std::int64_t add_business_hours(const BusinessCalendar& cal, std::int64_t start, std::int64_t hours);

}  // namespace leadflow::engine
