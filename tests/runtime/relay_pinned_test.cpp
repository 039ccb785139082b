// Runs stay on the workflow version they started on across a restart: `serve` recompiles the
// version's sources saved in the store, while new enrollments take the version on disk.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "runtime/reload.hpp"
#include "runtime/store/store.hpp"
#include "tests/support/process.hpp"

namespace fs = std::filesystem;
using namespace leadflow::runtime;
using leadflow::testing::run_leadflow;

namespace {

const char* const schema = R"flow(schema lead {
  seats: int
}

event signup {
  seats: int
}
)flow";

// v1 waits two days, then tags; v2 has another shape: one day, a tag, one more day, a tag.
const char* const follow_up_v1 = R"flow(import "schema.flow"

workflow follow_up {
  when signup
  wait 2d
  tag "v1 nudge"
}
)flow";

const char* const follow_up_v2 = R"flow(import "schema.flow"

workflow follow_up {
  when signup
  wait 1d
  tag "v2 first"
  wait 1d
  tag "v2 second"
}
)flow";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) out.push_back(line);
  }
  return out;
}

struct Folder {
  fs::path dir;
  Folder() {
    dir = fs::temp_directory_path() / ("leadflow-pinned-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "wf");
  }
  ~Folder() { fs::remove_all(dir); }
  leadflow::testing::ProcessResult serve(const std::string& events, const std::string& now, const std::string& sink) {
    std::ofstream(dir / "events.jsonl") << events;
    return run_leadflow({"serve", "--workflows", (dir / "wf").string(), "--db", (dir / "db.sqlite").string(),
                         "--leads", (dir / "leads.jsonl").string(), "--ingest", (dir / "events.jsonl").string(),
                         "--now", now, "--sink", (dir / sink).string()});
  }
};

}  // namespace

TEST_CASE("a run waiting on v1 continues with v1's steps after the files changed and serve restarted",
          "[runtime][pinned][e2e]") {
  REQUIRE(leadflow::testing::binary_exists());
  Folder f;
  std::ofstream(f.dir / "wf" / "schema.flow") << schema;
  std::ofstream(f.dir / "wf" / "follow_up.flow") << follow_up_v1;
  std::ofstream(f.dir / "leads.jsonl") << R"({"id": "L-1", "seats": 10, "created_at": "2026-01-05T09:00:00Z"})" "\n"
                                       << R"({"id": "L-2", "seats": 20, "created_at": "2026-01-05T09:00:00Z"})" "\n";
  const CompiledSet v1 = compile_workflow_set((f.dir / "wf").string());
  REQUIRE(v1.ok());

  // L-1 signs up on v1 and waits (two days).
  leadflow::testing::ProcessResult r = f.serve(
      R"({"at": "2026-01-05T09:30:00Z", "type": "signup", "lead": "L-1", "data": {"seats": 10}})" "\n",
      "2026-01-05T10:00:00Z", "first.jsonl");
  REQUIRE(r.status == 0);
  CHECK(read_text(f.dir / "first.jsonl").empty());  // nothing due yet

  // The file changes to v2 (a reload would swap the same way); then the server restarts, L-2 signs
  // up on v2, and the clock passes L-1's timer.
  std::ofstream(f.dir / "wf" / "follow_up.flow") << follow_up_v2;
  const CompiledSet v2 = compile_workflow_set((f.dir / "wf").string());
  REQUIRE(v2.ok());
  REQUIRE(v2.program->version != v1.program->version);
  r = f.serve(R"({"at": "2026-01-06T09:00:00Z", "type": "signup", "lead": "L-2", "data": {"seats": 20}})" "\n",
              "2026-01-08T09:30:00Z", "second.jsonl");
  REQUIRE(r.status == 0);
  CHECK(r.err.find("moved to the live version") == std::string::npos);

  const std::string second = read_text(f.dir / "second.jsonl");
  // L-1 ran v1's next step (its only tag), not v2's second node.
  const std::vector<std::string> l1 = lines_with(second, "\"lead\":\"L-1\"");
  REQUIRE(l1.size() == 1);
  CHECK(l1[0] == R"({"at":"2026-01-07T09:30:00Z","lead":"L-1","workflow":"follow_up","action":"set","field":"tags","value":["v1 nudge"]})");
  // L-2 enrolled on v2: both of v2's tags by now (one day, then another).
  const std::vector<std::string> l2 = lines_with(second, "\"lead\":\"L-2\"");
  REQUIRE(l2.size() == 2);
  CHECK(l2[0] == R"({"at":"2026-01-07T09:00:00Z","lead":"L-2","workflow":"follow_up","action":"set","field":"tags","value":["v2 first"]})");
  CHECK(l2[1] == R"({"at":"2026-01-08T09:00:00Z","lead":"L-2","workflow":"follow_up","action":"set","field":"tags","value":["v2 first","v2 second"]})");

  // Both versions' sources are in the store.
  auto db = store::open_sqlite((f.dir / "db.sqlite").string());
  CHECK(db->program_version(v1.program->version));
  CHECK(db->program_version(v2.program->version));
}

TEST_CASE("saved sources compile back to the same version", "[runtime][pinned]") {
  Folder f;
  std::ofstream(f.dir / "wf" / "schema.flow") << schema;
  std::ofstream(f.dir / "wf" / "follow_up.flow") << follow_up_v1;
  const CompiledSet v1 = compile_workflow_set((f.dir / "wf").string());
  REQUIRE(v1.ok());
  std::string json = "[";
  for (const auto& [path, text] : v1.sources) {
    auto quote = [](const std::string& s) {
      std::string q = "\"";
      for (char c : s) {
        if (c == '"' || c == '\\') q += '\\';
        if (c == '\n') {
          q += "\\n";
          continue;
        }
        q += c;
      }
      return q + "\"";
    };
    if (json.size() > 1) json += ",";
    json += "[" + quote(path) + "," + quote(text) + "]";
  }
  json += "]";
  fs::remove_all(f.dir / "wf");  // the files are gone: only the saved copy is left
  std::string error;
  auto program = compile_saved_sources(json, error);
  REQUIRE(program);
  CHECK(error.empty());
  CHECK(program->version == v1.program->version);
  REQUIRE(program->workflow("follow_up") != nullptr);

  CHECK_FALSE(compile_saved_sources("{}", error));
  CHECK(error == "saved sources are not a JSON list");
  CHECK_FALSE(compile_saved_sources(R"([["../../../../../../../../../../etc/x.flow", ""]])", error));
  CHECK(error == "saved sources: path '../../../../../../../../../../etc/x.flow' climbs too far");
}
