// owners.json text → Directory: fields, vacations, errors by place, the stdlib sample.
#include "engine/directory_json.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace leadflow::engine {

TEST_CASE("owners.json fills the directory", "[engine][directory]") {
  const auto r = parse_directory_json(R"({
    "tenant_timezone": "Europe/Sofia",
    "holidays": ["2026-12-25", "2026-01-01", "2026-01-01"],
    "owners": [
      {"id": "ana@x.com", "team": "sdr", "manager": "mia@x.com", "capacity": 40,
       "timezone": "Europe/Sofia", "hours": "09:00..18:00",
       "away": [{"from": "2026-01-12", "to": "2026-01-16"},
                {"from": "2026-02-02T12:00:00Z", "to": "2026-02-02T18:00:00Z"}]},
      {"id": "ben@x.com"}
    ]
  })");
  REQUIRE(r.ok());
  const Directory& d = r.directory;
  CHECK(d.tenant_timezone == "Europe/Sofia");
  CHECK(d.holidays == std::vector<std::int64_t>{days_from_civil(2026, 1, 1),
                                                days_from_civil(2026, 12, 25)});
  REQUIRE(d.owners.size() == 2);
  const OwnerInfo& ana = d.owners.at("ana@x.com");
  CHECK(ana.team == "sdr");
  CHECK(ana.manager == "mia@x.com");
  CHECK(ana.capacity == 40);
  CHECK(ana.timezone == "Europe/Sofia");
  REQUIRE(ana.hours);
  CHECK(ana.hours->begin_minute == 540);
  CHECK(ana.hours->end_minute == 1080);
  REQUIRE(ana.away.size() == 2);
  // A date-only `to` is inclusive: the vacation ends at the next midnight.
  CHECK(ana.away[0].first == *parse_time("2026-01-12"));
  CHECK(ana.away[0].second == *parse_time("2026-01-17"));
  CHECK(ana.away[1].second == *parse_time("2026-02-02T18:00:00Z"));
  const OwnerInfo& ben = d.owners.at("ben@x.com");
  CHECK(ben.capacity == 0);
  CHECK_FALSE(ben.hours);
}

TEST_CASE("owners may be keyed by id", "[engine][directory]") {
  const auto r = parse_directory_json(R"({"owners": {"ana@x.com": {"team": "sdr"}}})");
  REQUIRE(r.ok());
  CHECK(r.directory.tenant_timezone == "UTC");
  CHECK(r.directory.owners.at("ana@x.com").id == "ana@x.com");
  CHECK(r.directory.owners.at("ana@x.com").team == "sdr");
}

TEST_CASE("every error names its place and parsing goes on", "[engine][directory]") {
  const auto r = parse_directory_json(R"({
    "holidays": ["Jan 1"],
    "owners": [
      {"id": "ana@x.com", "capacity": -1, "hours": "9-5"},
      {"team": "sdr"},
      {"id": "ben@x.com", "away": [{"from": "2026-01-10", "to": "2026-01-05"}, {"from": "soon"}]},
      {"id": "ana@x.com"},
      {"id": "carl@x.com", "timezone": 3}
    ]
  })");
  std::vector<std::string> got;
  for (const auto& e : r.errors) got.push_back(e.path + ": " + e.message);
  CHECK(got == std::vector<std::string>{
                   "holidays[0]: expected a date like 2026-01-01",
                   "owners[0].capacity: expected a non-negative integer",
                   "owners[0].hours: expected HH:MM..HH:MM, saw `9-5`",
                   "owners[1].id: missing owner id",
                   "owners[2].away[0]: `to` is not after `from`",
                   "owners[2].away[1].from: expected a date (2026-01-05) or time "
                   "(2026-01-05T09:00:00Z), saw `soon`",
                   "owners[2].away[1].to: missing",
                   "owners[3].id: duplicate owner `ana@x.com`",
                   "owners[4].timezone: expected a string",
               });
  CHECK(r.directory.owners.count("carl@x.com") == 1);
}

TEST_CASE("malformed JSON is one error with its line and column", "[engine][directory]") {
  const auto r = parse_directory_json("{\n  \"owners\": [\n    {\"id\": }\n  ]\n}");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.rfind("invalid JSON at 3:", 0) == 0);
  CHECK(parse_directory_json("[]").errors.at(0).message == "expected a JSON object with `owners`");
  CHECK(parse_directory_json("{}").errors.at(0).path == "owners");
}

TEST_CASE("clock windows", "[engine][directory]") {
  CHECK(parse_clock_window("08:30..17:45")->end_minute == 17 * 60 + 45);
  CHECK(parse_clock_window("22:00..06:00")->begin_minute == 22 * 60);
  CHECK_FALSE(parse_clock_window("25:00..06:00"));
  CHECK_FALSE(parse_clock_window("08:00-17:00"));
}

TEST_CASE("the stdlib owners.json covers every member of the stdlib teams",
          "[engine][directory]") {
  std::ifstream in(std::string(LEADFLOW_SOURCE_DIR) + "/stdlib-workflows/owners.json");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const auto r = parse_directory_json(text.str());
  REQUIRE(r.ok());
  for (const char* id : {"ana@example.com", "ben@example.com", "chloe@example.com",
                         "dan@example.com", "eva@example.com", "finn@example.com",
                         "hans@example.com", "ida@example.com", "jorge@example.com",
                         "sofia@example.com", "paul@example.com", "rita@example.com"}) {
    INFO(id);
    REQUIRE(r.directory.owners.count(id) == 1);
    CHECK_FALSE(r.directory.owners.at(id).team.empty());
    CHECK_FALSE(r.directory.owners.at(id).manager.empty());
  }
}

}  // namespace leadflow::engine
