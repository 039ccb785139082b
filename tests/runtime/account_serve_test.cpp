// Account workflows in serve: `serve --ingest` gives the same effects as dry-run for the
// gatekeeper-bypass scenario, with a restart between the first and the second intent of a company,
// so the per-account enrollment window has to survive the store round trip.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "engine/engine.hpp"
#include "runtime/store/lead_codec.hpp"

namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("the tenant state keeps account workflows' enrollments", "[runtime][store][account]") {
  leadflow::engine::TenantState t;
  t.account_enrollments["gatekeeper_bypass|globex.com"] = {2, 1767610800};
  std::uint64_t captures_seen = 0;
  std::int64_t next_seq = 0;
  leadflow::engine::TenantState back =
      leadflow::runtime::store::decode_tenant(leadflow::runtime::store::encode_tenant(t, 3, 9), captures_seen, next_seq);
  REQUIRE(back.account_enrollments.size() == 1);
  CHECK(back.account_enrollments.at("gatekeeper_bypass|globex.com").count == 2);
  CHECK(back.account_enrollments.at("gatekeeper_bypass|globex.com").last_enrolled_at == 1767610800);
}

TEST_CASE("serve --ingest equals dry-run for account workflows, across a restart", "[runtime][e2e][account]") {
  const fs::path dir = fs::temp_directory_path() / ("leadflow-account-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string src = LEADFLOW_SOURCE_DIR, bin = LEADFLOW_BINARY;
  const std::string data = src + "/tests/cli/data/playbook_scenarios/gatekeeper_bypass/";
  const std::string db = (dir / "store.db").string(), dry = (dir / "dry.jsonl").string(),
                    sink = (dir / "sink.jsonl").string();
  REQUIRE(std::system((bin + " dry-run " + src + "/stdlib-workflows --leads " + data + "leads.jsonl --events " + data +
                       "events.jsonl --start 2026-01-02T08:00:00Z --until 2026-01-09T08:00:00Z --format jsonl > " + dry +
                       " 2>/dev/null")
                          .c_str()) == 0);
  // The second intent of globex.com (day 3) comes after a restart.
  std::string first, second;
  std::istringstream lines(read_text(data + "events.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    (line.find("2026-01-07") != std::string::npos ? second : first) += line + "\n";
  }
  std::ofstream((dir / "a.jsonl").string()) << first;
  std::ofstream((dir / "b.jsonl").string()) << second;
  const std::string common = " --workflows " + src + "/stdlib-workflows --db " + db + " --leads " + data +
                             "leads.jsonl --sink " + sink;
  REQUIRE(std::system((bin + " serve" + common + " --ingest " + (dir / "a.jsonl").string() +
                       " --now 2026-01-06T00:00:00Z 2>/dev/null").c_str()) == 0);
  REQUIRE(std::system((bin + " serve" + common + " --ingest " + (dir / "b.jsonl").string() +
                       " --now 2026-01-09T08:00:00Z 2>/dev/null").c_str()) == 0);
  const std::string a = read_text(dry), b = read_text(sink);
  CHECK(a.find("\"workflow\":\"gatekeeper_bypass\",\"action\":\"notify\"") != std::string::npos);
  CHECK(a == b);
  std::error_code ec;
  fs::remove_all(dir, ec);
}
