// leadflow serve's core without sockets: the store, batches, idempotency, timers after a restart,
// handle_request() for each endpoint, and serve --ingest against dry-run on the same input.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/program.hpp"
#include "runtime/http_ingest.hpp"
#include "runtime/lead_processor.hpp"
#include "runtime/metrics.hpp"
#include "runtime/reload.hpp"
#include "runtime/store/lead_codec.hpp"
#include "runtime/store/store.hpp"

namespace fs = std::filesystem;
using namespace leadflow;
using namespace leadflow::runtime;

namespace {

struct TempDb {
  fs::path dir;
  TempDb() {
    dir = fs::temp_directory_path() / ("leadflow-serve-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::create_directories(dir);
  }
  ~TempDb() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string path(const char* name = "store.db") const { return (dir / name).string(); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

const CompiledSet& stdlib() {
  static CompiledSet set = compile_workflow_set(std::string(LEADFLOW_SOURCE_DIR) + "/stdlib-workflows");
  return set;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const engine::TimePoint t0 = *engine::parse_time("2026-01-05T09:00:00Z");

std::string capture(const std::string& email, const std::string& key = {}) {
  std::string s = R"({"at":"2026-01-05T09:00:00Z","type":"form_submitted","data":{"email":")" + email +
                  R"(","first_name":"Ana","last_name":"Lima","company":"Acme","title":"CEO","country":"DE","employees":120})";
  if (!key.empty()) s += R"(,"idempotency_key":")" + key + "\"";
  return s + "}";
}

}  // namespace

TEST_CASE("the SQLite store migrates a new file to the latest schema and an old one step by step", "[runtime][store]") {
  TempDb db;
  {
    store::SqliteOptions old;
    old.schema_version = 1;
    auto s = store::open_sqlite(db.path(), old);
  }
  CHECK(store::sqlite_schema_version(db.path()) == 1);
  {
    auto s = store::open_sqlite(db.path());
    s->save_program_version("abc", "[]");
    CHECK(s->program_version("abc") == std::optional<std::string>("[]"));
  }
  CHECK(store::sqlite_schema_version(db.path()) == store::latest_schema_version);
  auto again = store::open_sqlite(db.path());  // opening at the latest version changes nothing
  CHECK(store::sqlite_schema_version(db.path()) == store::latest_schema_version);
}

TEST_CASE("a lead's state survives the store round trip, runs pinned to their version", "[runtime][store]") {
  REQUIRE(stdlib().ok());
  TempDb db;
  std::string before;
  std::string id;
  {
    auto s = store::open_sqlite(db.path());
    LeadProcessor p(*s, stdlib().program, {});
    p.open();
    ParsedEvents parsed = p.parse_events("acme", capture("ana@acme-corp.com"), t0);
    REQUIRE(parsed.errors.empty());
    BatchOutcome out = p.apply(std::move(parsed.events), t0, true);
    REQUIRE(out.committed);
    REQUIRE(p.lead_ids("acme").size() == 1);
    id = p.lead_ids("acme").front();
    before = store::encode_lead(*p.lead("acme", id), *stdlib().program);
  }
  auto s = store::open_sqlite(db.path());
  LeadProcessor p(*s, stdlib().program, {});
  p.open();
  const engine::LeadState* lead = p.lead("acme", id);
  REQUIRE(lead != nullptr);
  CHECK(store::encode_lead(*lead, *stdlib().program) == before);
  for (const engine::Run& r : lead->runs) CHECK(r.program->version == stdlib().program->version);
}

TEST_CASE("a batch whose commit fails leaves nothing behind, in the store or in memory", "[runtime][store]") {
  REQUIRE(stdlib().ok());
  TempDb db;
  auto s = store::open_sqlite(db.path());
  LeadProcessor p(*s, stdlib().program, {});
  p.open();
  ParsedEvents parsed = p.parse_events("acme", capture("ana@acme-corp.com") + "\n" + capture("bo@initech.io"), t0);
  REQUIRE(parsed.events.size() == 2);
  store::fail_next_commit_for_tests(*s);
  BatchOutcome out = p.apply(std::move(parsed.events), t0, true);
  CHECK_FALSE(out.committed);
  store::StoreCounts c = s->counts();
  CHECK(c.leads == 0);
  CHECK(c.events == 0);
  CHECK(c.outbox_pending == 0);
  CHECK(c.timers == 0);
  CHECK(c.audit == 0);
  CHECK(p.lead_ids("acme").empty());
  CHECK(p.pending_timers() == 0);
}

TEST_CASE("an event sent twice with the same idempotency key is applied once", "[runtime][idempotency]") {
  REQUIRE(stdlib().ok());
  TempDb db;
  auto s = store::open_sqlite(db.path());
  LeadProcessor p(*s, stdlib().program, {});
  p.open();
  BatchOutcome first = p.apply(p.parse_events("acme", capture("ana@acme-corp.com", "k-1"), t0).events, t0, true);
  CHECK(first.applied == 1);
  std::int64_t outbox = s->counts().outbox_pending;
  BatchOutcome again = p.apply(p.parse_events("acme", capture("ana@acme-corp.com", "k-1"), t0).events, t0, true);
  CHECK(again.applied == 0);
  CHECK(again.duplicates == 1);
  CHECK(s->counts().events == 1);
  CHECK(s->counts().outbox_pending == outbox);
  // The same key of another tenant is another event.
  BatchOutcome other = p.apply(p.parse_events("globex", capture("ana@acme-corp.com", "k-1"), t0).events, t0, true);
  CHECK(other.applied == 1);
}

TEST_CASE("after a restart overdue timers fire in due order, each once", "[runtime][timers]") {
  REQUIRE(stdlib().ok());
  TempDb db;
  std::size_t pending = 0;
  {
    auto s = store::open_sqlite(db.path());
    LeadProcessor p(*s, stdlib().program, {});
    p.open();
    REQUIRE(p.apply(p.parse_events("acme", capture("ana@acme-corp.com"), t0).events, t0, true).committed);
    pending = p.pending_timers();
    REQUIRE(pending > 0);
  }
  auto s = store::open_sqlite(db.path());
  std::vector<store::TimerRow> rows = s->timers();
  REQUIRE(rows.size() == pending);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    CHECK((rows[i - 1].timer.due < rows[i].timer.due ||
           (rows[i - 1].timer.due == rows[i].timer.due && rows[i - 1].id < rows[i].id)));
  }
  LeadProcessor p(*s, stdlib().program, {});
  p.open();
  const engine::TimePoint later = t0 + 3600;
  std::size_t due = 0;
  for (const store::TimerRow& r : rows) due += r.timer.due <= later ? 1 : 0;
  BatchOutcome out = p.fire_due(later);
  CHECK(out.committed);
  CHECK(out.timers_fired >= due);
  for (const store::TimerRow& r : s->timers()) CHECK(r.timer.due > later);
  // Firing again at the same time does nothing: each timer fired once.
  CHECK(p.fire_due(later).timers_fired == 0);
}

TEST_CASE("handle_request authenticates, isolates tenants and names the field of a bad request", "[runtime][http]") {
  REQUIRE(stdlib().ok());
  TempDb db;
  auto s = store::open_sqlite(db.path());
  LeadProcessor p(*s, stdlib().program, {});
  p.open();
  ServiceConfig config;
  config.tokens["acme-token-0123456789"] = "acme";
  config.tokens["globex-token-0123456789"] = "globex";
  config.max_body_bytes = 4096;
  config.max_json_depth = 8;
  ApiContext ctx{p, config, [] { return t0; },
                 [](const std::string& tenant) { return "{\"tenant\":\"" + tenant + "\"}"; }, {}, {}, [] { return std::string("m 1\n"); }, {}};
  auto req = [&](std::string method, std::string target, std::string token, std::string body = {}) {
    return handle_request(HttpRequest{method, target, token.empty() ? "" : "Bearer " + token, body}, ctx);
  };

  CHECK(req("GET", "/healthz", "").status == 200);
  CHECK(req("GET", "/metrics", "").status == 200);
  HttpResponse noauth = req("POST", "/v1/events", "", capture("ana@acme-corp.com"));
  CHECK(noauth.status == 401);
  CHECK(noauth.body.find("\"field\":\"authorization\"") != std::string::npos);
  CHECK(req("POST", "/v1/events", "acme-token-wrong", capture("ana@acme-corp.com")).status == 401);

  HttpResponse posted = req("POST", "/v1/events", "acme-token-0123456789", capture("ana@acme-corp.com"));
  CHECK(posted.status == 200);
  CHECK(posted.body.find("\"applied\":1") != std::string::npos);
  std::string id = p.lead_ids("acme").front();
  HttpResponse lead = req("GET", "/v1/leads/" + id, "acme-token-0123456789");
  CHECK(lead.status == 200);
  CHECK(lead.body.find("\"score_reasons\"") != std::string::npos);
  // Another tenant cannot read it, nor tell that it exists.
  HttpResponse cross = req("GET", "/v1/leads/" + id, "globex-token-0123456789");
  CHECK(cross.status == 404);
  CHECK(cross.body.find("\"field\":\"id\"") != std::string::npos);
  // Nor change it.
  HttpResponse cross_event = req("POST", "/v1/events", "globex-token-0123456789",
                                 R"({"type":"replied","lead":")" + id + R"("})");
  CHECK(cross_event.status == 422);
  CHECK(cross_event.body.find("\"field\":\"lead\"") != std::string::npos);

  HttpResponse big = req("POST", "/v1/events", "acme-token-0123456789", std::string(5000, ' '));
  CHECK(big.status == 413);
  CHECK(big.body.find("\"field\":\"body\"") != std::string::npos);
  std::string deep = R"({"type":"replied","lead":"x","data":)" + std::string(20, '[') + std::string(20, ']') + "}";
  HttpResponse too_deep = req("POST", "/v1/events", "acme-token-0123456789", deep);
  CHECK(too_deep.status == 413);
  HttpResponse bad_json = req("POST", "/v1/events", "acme-token-0123456789", "{\"type\":");
  CHECK(bad_json.status == 400);
  HttpResponse bad_type = req("POST", "/v1/events", "acme-token-0123456789", R"({"type":"no_such_event","lead":"x"})");
  CHECK(bad_type.status == 400);
  CHECK(bad_type.body.find("\"field\":\"type\"") != std::string::npos);
  HttpResponse bad_key = req("POST", "/v1/events", "acme-token-0123456789",
                             R"({"type":"replied","lead":"x","idempotency_key":5})");
  CHECK(bad_key.body.find("\"field\":\"idempotency_key\"") != std::string::npos);
  // Runs in flight are counted for the caller's tenant only.
  HttpResponse workflows = req("GET", "/v1/workflows", "acme-token-0123456789");
  CHECK(workflows.status == 200);
  CHECK(workflows.body == "{\"tenant\":\"acme\"}");
  CHECK(req("GET", "/v1/nope", "acme-token-0123456789").status == 404);
  CHECK(req("DELETE", "/v1/events", "acme-token-0123456789").status == 405);
  CHECK(s->counts().events == 1);  // none of the refused requests changed the store
}

TEST_CASE("constant_time_equal compares whole strings", "[runtime][http]") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK_FALSE(constant_time_equal("", "a"));
}

TEST_CASE("serve --ingest delivers the same effects as dry-run on the same input, across a restart", "[runtime][e2e]") {
  TempDb db;
  const std::string src = LEADFLOW_SOURCE_DIR;
  const std::string bin = LEADFLOW_BINARY;
  const std::string dry = db.path("dry.jsonl"), sink = db.path("sink.jsonl");
  std::string common = " --workflows " + src + "/stdlib-workflows --db " + db.path() + " --leads " + src +
                       "/examples/leads.jsonl --sink " + sink;
  REQUIRE(std::system((bin + " dry-run " + src + "/stdlib-workflows --leads " + src + "/examples/leads.jsonl --events " +
                       src + "/examples/events.jsonl --until 2026-02-15T00:00:00Z --format jsonl > " + dry + " 2>/dev/null")
                          .c_str()) == 0);
  // The events in two runs of the daemon, the second one catching up on the timers in between.
  std::string events = read_text(src + "/examples/events.jsonl");
  std::string first, second;
  std::istringstream lines(events);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"at\": \"2026-01-2") != std::string::npos || line.find("\"at\": \"2026-01-3") != std::string::npos ||
        line.find("\"at\": \"2026-02") != std::string::npos || line.find("\"at\": \"2026-03") != std::string::npos) {
      second += line + "\n";
    } else {
      first += line + "\n";
    }
  }
  std::ofstream(db.path("a.jsonl")) << first;
  std::ofstream(db.path("b.jsonl")) << second;
  REQUIRE(std::system((bin + " serve" + common + " --ingest " + db.path("a.jsonl") + " --now 2026-01-20T00:00:00Z 2>/dev/null").c_str()) == 0);
  REQUIRE(std::system((bin + " serve" + common + " --ingest " + db.path("b.jsonl") + " --now 2026-02-15T00:00:00Z 2>/dev/null").c_str()) == 0);
  std::string a = read_text(dry), b = read_text(sink);
  CHECK(a.size() > 1000);
  CHECK(a == b);
}

TEST_CASE("metrics count captures and duplicates and give the duplicate rate", "[runtime][metrics]") {
  REQUIRE(stdlib().ok());
  TempDb db;
  auto s = store::open_sqlite(db.path());
  LeadProcessor p(*s, stdlib().program, {});
  p.open();
  // The same person twice (case and spaces differ), then someone else: 3 captures, 1 duplicate.
  std::string body = capture("ana@acme-corp.com") + "\n" + capture("  ANA@acme-corp.com ") + "\n" + capture("bo@initech.com");
  ParsedEvents parsed = p.parse_events("acme", body, t0);
  REQUIRE(parsed.errors.empty());
  REQUIRE(p.apply(std::move(parsed.events), t0, true).committed);
  const std::string text = render_metrics(p, ReloadStatus{}, HttpCounters{}, 0);
  CHECK(text.find("\nleadflow_captures_total 3\n") != std::string::npos);
  CHECK(text.find("\nleadflow_capture_duplicates_total 1\n") != std::string::npos);
  CHECK(text.find("\nleadflow_duplicate_rate 0.333333\n") != std::string::npos);
}
