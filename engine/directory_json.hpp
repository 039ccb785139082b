// Parses the text of `owners.json` (owners, their teams, capacity, hours, vacations) into a
// Directory. The caller reads the file; nothing here does I/O.
//
// Entry point (E3's dry-run and serve load owners.json through it):
//   DirectoryParseResult parse_directory_json(std::string_view text);
//
// Format (every key but `owners[].id` optional):
//   {
//     "tenant_timezone": "Europe/Sofia",                     // default "UTC"
//     "holidays": ["2026-01-01", "2026-12-24"],
//     "owners": [
//       {"id": "ana@example.com", "team": "sdr", "manager": "mia@example.com",
//        "capacity": 40, "timezone": "Europe/Sofia", "hours": "09:00..18:00",
//        "away": [{"from": "2026-01-05", "to": "2026-01-09"},
//                 {"from": "2026-02-02T12:00:00Z", "to": "2026-02-02T18:00:00Z"}]}
//     ]
//   }
// `owners` may also be an object keyed by id (`{"ana@example.com": {...}}`). An `away` bound is a
// time (`parse_time`); a date-only `to` is inclusive (the range ends at the next midnight UTC).
// Errors name the place (`owners[2].away[0].from`) and parsing goes on, so all are reported.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.hpp"

namespace leadflow::engine {

struct DirectoryError {
  std::string path;     // "owners[2].capacity"; "" for the document
  std::string message;  // "expected a non-negative integer"
};

struct DirectoryParseResult {
  Directory directory;
  std::vector<DirectoryError> errors;
  bool ok() const { return errors.empty(); }
};

DirectoryParseResult parse_directory_json(std::string_view text);

// "09:00..18:00" → {540, 1080}; nullopt when malformed.
std::optional<ClockWindow> parse_clock_window(std::string_view text);

}  // namespace leadflow::engine
