// The outbox as `leadflow serve` runs it since the relay left the request thread: rows routed by
// the processor when they are written, the schema-4 index the relay reads by, the relay on its own
// thread and SQLite connection beside a writer, and delivery outcomes in the audit trail (and out
// of it again after `forget`).
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "runtime/lead_processor.hpp"
#include "runtime/outbox/outcome_audit.hpp"
#include "runtime/outbox/relay.hpp"
#include "runtime/reload.hpp"
#include "runtime/store/forget.hpp"
#include "runtime/store/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
namespace asio = boost::asio;
using namespace leadflow;
using namespace leadflow::runtime;
using namespace leadflow::runtime::outbox;

namespace {

const engine::TimePoint at = *engine::parse_time("2026-01-05T09:00:00Z");

const CompiledSet& standard_workflows() {
  static CompiledSet set = compile_workflow_set(std::string(LEADFLOW_SOURCE_DIR) + "/stdlib-workflows");
  return set;
}

std::string hot_form(const std::string& email, const std::string& key) {
  return R"({"at":"2026-01-05T09:00:00Z","type":"form_submitted","idempotency_key":")" + key +
         R"(","data":{"email":")" + email +
         R"(","first_name":"Ana","last_name":"Lima","company":"Acme","title":"CEO","country":"DE","employees":120}})";
}

ConnectorConfig jsonl_connector(const std::string& name, const std::string& path) {
  ConnectorConfig c;
  c.name = name;
  c.type = "jsonl";
  c.jsonl.path = path;
  return c;
}

// `copy` and `file` are both JSONL sinks; assign goes to both, `score` nowhere, the rest to `file`.
RegistryConfig two_files(const leadflow::testing::TempDir& dir) {
  RegistryConfig c;
  c.connectors = {jsonl_connector("copy", dir.file("copy.jsonl")), jsonl_connector("file", dir.file("outbox.jsonl"))};
  c.routes["assign"] = {"copy", "file"};
  c.routes["score"] = {};
  c.routes["*"] = {"file"};
  return c;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string key_of_line(const std::string& line) {
  const std::string prefix = "{\"key\":\"";
  REQUIRE(line.rfind(prefix, 0) == 0);
  return line.substr(prefix.size(), line.find('"', prefix.size()) - prefix.size());
}

// One pass of a relay on the calling thread, as `serve --ingest` runs it.
void relay_once(store::Store& db, const RegistryConfig& config, engine::TimePoint now) {
  asio::io_context io;
  ConnectorRegistry registry(config, io.get_executor());
  RelayOptions options;
  options.arm_timer = false;
  Relay relay(db, registry, io.get_executor(), [now] { return now; }, options);
  relay.kick();
  io.run();
}

std::vector<store::AuditRow> outcome_rows(store::Store& db, const std::string& tenant) {
  std::vector<store::AuditRow> out;
  for (store::AuditRow& row : db.audit(tenant)) {
    if (row.outcome != "recorded" && row.outcome.rfind("blocked: ", 0) != 0) out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

TEST_CASE("the processor writes one outbox row per routed connector in the effect's transaction", "[relay][runtime]") {
  REQUIRE(standard_workflows().ok());
  testing::TempDir dir("leadflow-relay-outcomes");
  const RegistryConfig config = two_files(dir);

  // The same capture without routes: one unrouted row per effect, as an older version wrote.
  auto plain_db = store::open_sqlite(dir.file("plain.db"));
  LeadProcessor plain(*plain_db, standard_workflows().program, {});
  plain.open();
  REQUIRE(plain.apply(plain.parse_events("acme", hot_form("ana@acme-corp.com", "k-1"), at).events, at, true).committed);
  const std::vector<store::OutboxRow> effects = plain_db->outbox("acme");
  REQUIRE(!effects.empty());

  auto db = store::open_sqlite(dir.file("routed.db"));
  LeadProcessor p(*db, standard_workflows().program, {});
  p.outbox_routes = [&config](const std::string& action) { return routes_for(config, action); };
  p.open();
  REQUIRE(p.apply(p.parse_events("acme", hot_form("ana@acme-corp.com", "k-1"), at).events, at, true).committed);
  const std::vector<store::OutboxRow> rows = db->outbox("acme");

  std::map<std::string, std::vector<std::string>> connectors_by_key;
  for (const store::OutboxRow& row : rows) connectors_by_key[row.idempotency_key].push_back(row.connector);
  std::size_t expected_rows = 0;
  for (const store::OutboxRow& effect : effects) {
    CHECK(effect.connector.empty());
    const std::vector<std::string>& routes = routes_for(config, effect.action);
    const std::vector<std::string> expected = routes.empty() ? std::vector<std::string>{""} : routes;
    CHECK(connectors_by_key[effect.idempotency_key] == expected);
    expected_rows += expected.size();
  }
  CHECK(rows.size() == expected_rows);
  std::size_t assigns = 0;
  for (const store::OutboxRow& row : rows) {
    if (row.connector.empty()) {
      CHECK(row.status == store::OutboxStatus::Skipped);
      CHECK(row.last_error == "no route for this kind");
    } else {
      CHECK(row.status == store::OutboxStatus::Pending);
    }
    assigns += row.action == "assign" ? 1 : 0;
  }
  CHECK(assigns == 2);  // the hot lead's assignment, once per connector

  // Nothing left for the relay to route: a pass delivers the rows as they are.
  CHECK(db->route_outbox([&config](const std::string& action) { return routes_for(config, action); }) == 0);
  relay_once(*db, config, at);
  CHECK(db->counts().outbox_pending == 0);
  CHECK(db->outbox("acme").size() == rows.size());
  CHECK(lines_of(dir.file("copy.jsonl")).size() == 1);
}

TEST_CASE("a schema-3 store migrates to 4: rows kept, the relay's reads go through the due index", "[relay][store]") {
  testing::TempDir dir("leadflow-relay-outcomes");
  const std::string path = dir.file("v3.db");
  {
    store::SqliteOptions v3;
    v3.schema_version = 3;
    auto db = store::open_sqlite(path, v3);
    store::Batch batch;
    for (int i = 0; i < 3; ++i) {
      store::OutboxRow row;
      row.tenant = "acme";
      row.lead = "L-" + std::to_string(i);
      row.action = "email";
      row.idempotency_key = "acme/e-" + std::to_string(i) + "/0";
      row.payload = "{}";
      row.next_attempt_at = at + i;
      batch.outbox.push_back(row);
    }
    REQUIRE(db->commit(batch).ok);
    REQUIRE(db->route_outbox([](const std::string&) { return std::vector<std::string>{"file"}; }) == 3);
    db->mark_delivered(1, at);
  }
  CHECK(store::sqlite_schema_version(path) == 3);
  auto db = store::open_sqlite(path);
  CHECK(store::sqlite_schema_version(path) == 4);
  const std::vector<store::OutboxRow> rows = db->outbox("acme");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].status == store::OutboxStatus::Delivered);
  CHECK(rows[1].status == store::OutboxStatus::Pending);
  CHECK(rows[1].connector == "file");
  CHECK(db->next_outbox_attempt() == at + 1);  // the delivered row no longer counts

  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  auto plan = [raw](const char* sql) {
    std::string out;
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(raw, (std::string("EXPLAIN QUERY PLAN ") + sql).c_str(), -1, &s, nullptr) == SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) out += reinterpret_cast<const char*>(sqlite3_column_text(s, 3)) + std::string("\n");
    sqlite3_finalize(s);
    return out;
  };
  // The relay's queries name the indexes (INDEXED BY fails to prepare when one cannot serve it);
  // the wake-up read is the index's first entry, the claim reads it in order: no sort.
  const std::string next = plan("SELECT next_attempt_at FROM outbox INDEXED BY outbox_due WHERE status IN "
                                "('pending','claimed') AND connector != '' ORDER BY next_attempt_at LIMIT 1");
  CHECK_THAT(next, Catch::Contains("outbox_due") && !Catch::Contains("TEMP B-TREE"));
  const std::string claim = plan("SELECT id FROM outbox INDEXED BY outbox_due WHERE status IN ('pending','claimed') "
                                 "AND next_attempt_at <= 5 AND connector != '' ORDER BY next_attempt_at, id LIMIT 9");
  CHECK_THAT(claim, Catch::Contains("outbox_due") && !Catch::Contains("TEMP B-TREE"));
  CHECK_THAT(plan("SELECT 1 FROM outbox INDEXED BY outbox_unrouted WHERE connector = '' AND status IN "
                  "('pending','claimed') LIMIT 1"),
             Catch::Contains("outbox_unrouted"));
  sqlite3_close(raw);
}

TEST_CASE("a relay on its own thread and connection delivers every row a concurrent writer commits, once, "
          "by its stable key", "[relay][runtime]") {
  testing::TempDir dir("leadflow-relay-outcomes");
  const std::string path = dir.file("db.sqlite");
  auto writer = store::open_sqlite(path);
  auto relay_db = store::open_sqlite(path, store::SqliteOptions{store::Durability::Process, 0});
  RegistryConfig config;
  config.connectors = {jsonl_connector("file", dir.file("outbox.jsonl"))};
  config.routes["*"] = {"file"};

  asio::io_context relay_io{1};
  auto work = asio::make_work_guard(relay_io);
  ConnectorRegistry registry(config, relay_io.get_executor());
  RelayOptions options;
  options.arm_timer = false;
  options.claim_batch = 7;  // several claims per pass, so passes overlap the writer's commits
  Relay relay(*relay_db, registry, relay_io.get_executor(), [] { return at; }, options);
  std::thread relay_thread([&] { relay_io.run(); });

  // The writer commits batches on this thread and only notifies the relay, as the service does.
  std::set<std::string> keys;
  for (int batch_no = 0; batch_no < 40; ++batch_no) {
    store::Batch batch;
    for (int i = 0; i < 5; ++i) {
      store::OutboxRow row;
      row.tenant = "acme";
      row.lead = "L-" + std::to_string(batch_no);
      row.action = "email";
      row.idempotency_key = "acme/event-" + std::to_string(batch_no) + "/" + std::to_string(i);
      row.payload = R"({"at":"2026-01-05T09:00:00Z","lead":"L-)" + std::to_string(batch_no) +
                    R"(","workflow":"w","action":"email","to":"p)" + std::to_string(batch_no) + R"(@example.com"})";
      row.connector = "file";
      keys.insert(row.idempotency_key);
      batch.outbox.push_back(std::move(row));
    }
    REQUIRE(writer->commit(batch).ok);
    asio::post(relay_io, [&] { relay.kick(); });
  }
  // Until the relay has nothing left: each check runs on its thread, after the kicks posted above.
  for (;;) {
    std::promise<bool> done;
    asio::post(relay_io, [&] {
      relay.kick();
      done.set_value(relay.idle());
    });
    if (done.get_future().get() && writer->counts().outbox_pending == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::promise<void> stopped;
  asio::post(relay_io, [&] { relay.stop([&] { stopped.set_value(); }); });
  stopped.get_future().get();
  work.reset();
  relay_thread.join();

  std::multiset<std::string> written;
  for (const std::string& line : lines_of(dir.file("outbox.jsonl"))) written.insert(key_of_line(line));
  CHECK(written == std::multiset<std::string>(keys.begin(), keys.end()));
  for (const store::OutboxRow& row : writer->outbox("acme")) {
    CHECK(row.status == store::OutboxStatus::Delivered);
    CHECK(row.attempts == 1);
  }
  CHECK(relay.counters().by_connector.at("file").delivered == keys.size());
  CHECK(outcome_rows(*writer, "acme").size() == keys.size());
}

TEST_CASE("delivered and dead-lettered rows are in the audit trail, forget redacts them, a late outcome "
          "adds nothing", "[relay][runtime][audit]") {
  REQUIRE(standard_workflows().ok());
  testing::TempDir dir("leadflow-relay-outcomes");
  const std::string path = dir.file("db.sqlite");
  auto db = store::open_sqlite(path);
  // `file` takes everything; `gone` is a webhook nobody listens on, given one attempt.
  RegistryConfig config;
  config.connectors = {jsonl_connector("file", dir.file("outbox.jsonl"))};
  ConnectorConfig gone;
  gone.name = "gone";
  gone.type = "webhook";
  gone.webhook.url = "http://127.0.0.1:1/hook";
  config.connectors.push_back(gone);
  config.allow_private_targets = true;
  config.retry.max_attempts = 1;
  config.routes["assign"] = {"file", "gone"};
  config.routes["*"] = {"file"};

  LeadProcessor p(*db, standard_workflows().program, {});
  p.outbox_routes = [&config](const std::string& action) { return routes_for(config, action); };
  p.open();
  REQUIRE(p.apply(p.parse_events("acme", hot_form("ana@acme-corp.com", "k-1"), at).events, at, true).committed);
  const std::vector<store::AuditRow> recorded = db->audit("acme");
  relay_once(*db, config, at + 5);

  std::map<std::string, const store::AuditRow*> by_hash;  // the commit-time row of each effect
  for (const store::AuditRow& row : recorded) by_hash[row.content_hash] = &row;
  std::size_t delivered = 0, dead = 0;
  const std::vector<store::AuditRow> outcomes = outcome_rows(*db, "acme");
  for (const store::AuditRow& row : outcomes) {
    CHECK(row.at == at + 5);
    REQUIRE(by_hash.count(row.content_hash) == 1);  // the same effect, hashed the same way
    const store::AuditRow& effect = *by_hash[row.content_hash];
    CHECK(row.lead == effect.lead);
    CHECK(row.workflow == effect.workflow);
    CHECK(row.action == effect.action);
    CHECK(row.channel == effect.channel);
    CHECK(row.recipient == effect.recipient);
    if (row.outcome == "delivered: file") {
      ++delivered;
    } else {
      CHECK(row.action == "assign");
      CHECK_THAT(row.outcome, Catch::StartsWith("dead: gone: "));
      ++dead;
    }
  }
  CHECK(dead == 1);
  CHECK(static_cast<std::int64_t>(delivered) == db->counts().outbox_delivered);
  bool names_ana = false;
  for (const store::AuditRow& row : outcomes) names_ana = names_ana || row.recipient == "ana@acme-corp.com";
  CHECK(names_ana);  // an effect addressed to the lead

  // A second capture whose rows the relay has claimed when the person is erased.
  REQUIRE(p.apply(p.parse_events("acme", hot_form("bo@initech.io", "k-2"), at).events, at, true).committed);
  const std::vector<store::OutboxRow> claimed = db->claim_outbox(1000, at + 6, at + 600);
  REQUIRE(!claimed.empty());
  const store::ForgetResult erased = store::forget_email(path, "acme", "ana@acme-corp.com", at + 7);
  REQUIRE(erased.found());
  const store::ForgetResult erased_bo = store::forget_email(path, "acme", "bo@initech.io", at + 7);
  REQUIRE(erased_bo.found());
  for (const store::AuditRow& row : db->audit("acme")) {
    CHECK(row.recipient.find("ana@acme-corp.com") == std::string::npos);
    CHECK(row.outcome.find("ana@acme-corp.com") == std::string::npos);
  }
  const std::size_t audit_rows = db->audit("acme").size();
  std::vector<store::OutboxOutcome> late;
  for (const store::OutboxRow& row : claimed) {
    late.push_back({row.id, store::OutboxStatus::Delivered, at + 8, "", std::nullopt});
    late.back().audit = store::AuditRow{row.tenant, at + 8, row.lead, "w", row.action, row.action,
                                        "bo@initech.io", "0", "delivered: file"};
  }
  db->record_outbox(late);
  CHECK(db->audit("acme").size() == audit_rows);  // the rows were erased: no outcome is written
}

TEST_CASE("one transaction records a delivered batch and claims the next", "[relay][store]") {
  testing::TempDir dir("leadflow-relay-outcomes");
  auto db = store::open_sqlite(dir.file("db.sqlite"));
  store::Batch batch;
  for (int i = 0; i < 3; ++i) {
    store::OutboxRow row;
    row.tenant = "acme";
    row.lead = "L-" + std::to_string(i);
    row.action = "email";
    row.idempotency_key = "acme/e-" + std::to_string(i) + "/0";
    row.payload = R"({"at":"2026-01-05T09:00:00Z","lead":"L-)" + std::to_string(i) + R"(","workflow":"w","action":"email"})";
    row.connector = "file";
    batch.outbox.push_back(row);
  }
  REQUIRE(db->commit(batch).ok);
  const std::vector<store::OutboxRow> first = db->claim_outbox(1, at, at + 600);
  REQUIRE(first.size() == 1);
  store::OutboxOutcome delivered{first[0].id, store::OutboxStatus::Delivered, at + 1, "", std::nullopt};
  delivered.audit = outcome_audit_row(first[0], at + 1, delivered_outcome("file"));
  const std::vector<store::OutboxRow> next = db->record_and_claim_outbox({delivered}, 10, at + 1, at + 601);
  CHECK(next.size() == 2);
  const std::vector<store::OutboxRow> rows = db->outbox("acme");
  CHECK(rows[0].status == store::OutboxStatus::Delivered);
  CHECK(rows[1].status == store::OutboxStatus::Claimed);
  CHECK(rows[2].status == store::OutboxStatus::Claimed);
  const std::vector<store::AuditRow> audit = db->audit("acme");
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].outcome == "delivered: file");
  CHECK(audit[0].lead == "L-0");
  CHECK(audit[0].workflow == "w");
  CHECK(audit[0].channel == "email");
  CHECK(audit[0].at == at + 1);
}
