// `leadflow leads show`, `leadflow runs` and `leadflow forget` against a store written by
// `leadflow serve --ingest` on a tiny workflow: exact output lines, exit statuses, and after
// `forget` no byte of the address left in the database file or its WAL.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/outbox/audit.hpp"
#include "runtime/reload.hpp"
#include "runtime/store/store.hpp"

namespace fs = std::filesystem;
using namespace leadflow;
using namespace leadflow::runtime;

namespace {

const char* const tiny_flow = R"flow(schema lead {
  seats: int
}

event r3_signup {
  email: string
  seats: int
}
event r3_reply

scoring r3_fit {
  lead.seats >= 100 -> +20 "100+ seats"
}
stages by score { cold 0..19  warm 20..100 }

workflow r3_follow_up {
  when r3_signup
  exit when event r3_reply
  send email "welcome"
  wait 2d
  tag "nudged"
}
)flow";

const char* const tiny_leads =
    R"({"id": "L-1", "email": "Ana.Lima@Acme-Corp.com", "seats": 120, "created_at": "2026-01-05T09:00:00Z"})"
    "\n"
    R"({"id": "L-2", "email": "bo@tiny.io", "seats": 8, "created_at": "2026-01-05T09:00:00Z"})"
    "\n";

const char* const tiny_events =
    R"({"at": "2026-01-05T09:30:00Z", "type": "r3_signup", "lead": "L-1", "data": {"email": "Ana.Lima@Acme-Corp.com", "seats": 120}})"
    "\n"
    R"({"at": "2026-01-05T09:40:00Z", "type": "r3_signup", "lead": "L-2", "data": {"email": "bo@tiny.io", "seats": 8}})"
    "\n"
    R"({"at": "2026-01-05T09:50:00Z", "type": "r3_reply", "lead": "L-2", "data": {}})"
    "\n";

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

// A store written by `serve --ingest` on the tiny workflow, in a fresh folder.
struct Fixture {
  fs::path dir;
  std::string version;
  Fixture() {
    static int n = 0;
    dir = fs::temp_directory_path() / ("leadflow-store-commands-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(dir / "wf");
    std::ofstream(dir / "wf" / "tiny.flow") << tiny_flow;
    std::ofstream(dir / "leads.jsonl") << tiny_leads;
    std::ofstream(dir / "events.jsonl") << tiny_events;
    CompiledSet set = compile_workflow_set((dir / "wf").string());
    REQUIRE(set.ok());
    version = set.program->version;
    Result r = run("serve --workflows " + (dir / "wf").string() + " --leads " + (dir / "leads.jsonl").string() +
                   " --ingest " + (dir / "events.jsonl").string() + " --sink " + (dir / "sink.jsonl").string() +
                   " --now 2026-01-05T10:00:00Z");
    REQUIRE(r.status == 0);
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string db() const { return (dir / "store.db").string(); }
  Result run(const std::string& args) const {
    const std::string out = (dir / "out.txt").string(), err = (dir / "err.txt").string();
    std::string command = std::string(LEADFLOW_BINARY) + " " + args + " --db " + db() + " > " + out + " 2> " + err;
    int raw = std::system(command.c_str());
    Result r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = read_bytes(out);
    r.err = read_bytes(err);
    return r;
  }
};

}  // namespace

TEST_CASE("leads show prints a stored lead's fields, score reasons, runs and timers", "[runtime][store-commands]") {
  Fixture f;
  Result r = f.run("leads show L-1");
  CHECK(r.status == 0);
  CHECK(r.out ==
        "lead L-1 (tenant default)\n"
        "stage: warm\n"
        "owner: -\n"
        "score: 20\n"
        "score reasons:\n"
        "  +20 100+ seats (scoring r3_fit, 2026-01-05T09:00:00Z)\n"
        "fields:\n"
        "  id: L-1\n"
        "  email: ana.lima@acme-corp.com\n"  // the engine keeps addresses trimmed and lower-case
        "  email_domain: acme-corp.com\n"
        "  score: 20\n"
        "  stage: warm\n"
        "  stage_changed_at: 2026-01-05T09:00:00Z\n"
        "  created_at: 2026-01-05T09:00:00Z\n"
        "  seats: 120\n"
        "active runs:\n"
        "  run 1 r3_follow_up " + f.version + " node 2 waiting_timer wakes 2026-01-07T09:30:00Z\n"
        "pending timers:\n"
        "  2026-01-07T09:30:00Z run_wake run 1\n");

  Result unknown = f.run("leads show L-404");
  CHECK(unknown.status == 1);
  CHECK(unknown.out.empty());
  CHECK(unknown.err == "leadflow: error: no lead 'L-404' in tenant 'default'\n");
  // Another tenant does not see it.
  CHECK(f.run("leads show L-1 --tenant globex").status == 1);
}

TEST_CASE("runs lists active runs one line each, filtered by workflow", "[runtime][store-commands]") {
  Fixture f;
  Result r = f.run("runs");
  CHECK(r.status == 0);
  // L-2's run ended on its reply: only L-1's is active.
  CHECK(r.out == "L-1 r3_follow_up " + f.version + " node 2 waiting_timer wakes 2026-01-07T09:30:00Z\n");
  Result same = f.run("runs --workflow r3_follow_up");
  CHECK(same.status == 0);
  CHECK(same.out == r.out);
  Result none = f.run("runs --workflow nope");
  CHECK(none.status == 0);
  CHECK(none.out.empty());
  CHECK(f.run("runs --tenant globex").out.empty());
}

TEST_CASE("forget erases a person from the store, the WAL included, and keeps a suppression hash", "[runtime][store-commands]") {
  Fixture f;
  const std::string email = "Ana.Lima@Acme-Corp.com";
  {
    std::string bytes = lowered(read_bytes(f.db()) + read_bytes(f.db() + "-wal"));
    REQUIRE(bytes.find(lowered(email)) != std::string::npos);  // it was there
  }
  // Given in another case and with spaces, it is the same person.
  Result r = f.run("forget --email ' ana.lima@ACME-corp.com '");
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  const std::string hash = outbox::suppression_hash("default", email);
  CHECK(r.out ==
        "forgot ana.lima@acme-corp.com in tenant default\n"
        "leads deleted: 1 L-1\n"
        "events redacted: 1\n"
        "audit rows redacted: 6\n"  // each of the 3 effects recorded, then delivered by --ingest's relay
        "timers deleted: 1\n"
        "outbox rows deleted: 3\n"
        "suppression entry: " + hash + "\n");

  std::string bytes = lowered(read_bytes(f.db()) + read_bytes(f.db() + "-wal"));
  CHECK(bytes.find(lowered(email)) == std::string::npos);
  CHECK(bytes.find("acme-corp") == std::string::npos);
  CHECK(bytes.find(hash) != std::string::npos);  // the suppression entry stays
  CHECK(bytes.find("bo@tiny.io") != std::string::npos);  // nobody else was touched

  CHECK(f.run("leads show L-1").status == 1);
  CHECK(f.run("runs").out.empty());
  {
    auto s = store::open_sqlite(f.db());
    store::StoreCounts c = s->counts();
    CHECK(c.leads == 1);
    CHECK(c.events == 3);  // kept, redacted: counts and times survive
    CHECK(c.audit == 12);  // 6 effects: recorded at commit, then delivered
    for (const store::AuditRow& a : s->audit("default")) CHECK(lowered(a.recipient).find("acme-corp") == std::string::npos);
    std::vector<store::EventRow> events = s->events("default");
    REQUIRE(events.size() == 3);
    CHECK(events[0].body.find(outbox::redacted) != std::string::npos);
    CHECK(events[1].body.find("bo@tiny.io") != std::string::npos);
  }

  // Gone: a second forget finds no one.
  Result again = f.run("forget --email " + email);
  CHECK(again.status == 1);
  CHECK(again.err == "leadflow: error: no record of '" + email + "' in tenant 'default'\n");
  CHECK(f.run("forget --email nobody@example.com").status == 1);

  // Signing up again makes a new lead, but the suppression entry keeps the address from ever
  // being emailed.
  std::ofstream(f.dir / "again.jsonl")
      << R"({"at": "2026-01-06T09:00:00Z", "type": "r3_signup", "idempotency_key": "again-1", "data": {"email": "ana.lima@acme-corp.com", "seats": 120}})"
      << "\n";
  Result back = f.run("serve --workflows " + (f.dir / "wf").string() + " --ingest " + (f.dir / "again.jsonl").string() +
                      " --sink " + (f.dir / "sink2.jsonl").string() + " --now 2026-01-06T09:00:00Z");
  CHECK(back.status == 0);
  const std::string sink = read_bytes(f.dir / "sink2.jsonl");
  CHECK(sink.find("\"action\":\"blocked\",\"effect\":\"email\",\"reason\":\"unsubscribed\"") != std::string::npos);
  CHECK(sink.find("\"action\":\"email\"") == std::string::npos);
}
