// Checks IANA time zone names (calendar, team and governance `timezone`) against the OS tz database.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace leadflow::dsl {

// True when `name` names a zone or link of the installed IANA database ("Europe/Berlin", "UTC").
// Reads $TZDIR (default /usr/share/zoneinfo) once per process; safe to call from any thread.
bool is_valid_time_zone(std::string_view name);

// The known zone closest to a wrong name, for a "did you mean" help: case slips
// ("europe/berlin"), a bare city ("Berlin", "New York") or a misspelling ("Europe/Berln").
std::optional<std::string> suggest_time_zone(std::string_view name);

}  // namespace leadflow::dsl
