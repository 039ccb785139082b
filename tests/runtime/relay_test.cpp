// The outbox relay against a real store and a Beast receiver on 127.0.0.1, all on one
// io_context: routing by action, signed deliveries, retries on the seeded jitter schedule,
// dead letters, 410, timeouts, redelivery after a crash, and the schema migration. The clock is
// a variable the tests move; the relay's own timer is off, so nothing sleeps.
#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <sqlite3.h>
#include <unistd.h>

#include "runtime/metrics.hpp"
#include "runtime/outbox/relay.hpp"
#include "runtime/outbox/signature.hpp"
#include "runtime/store/store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace leadflow::runtime;
using namespace leadflow::runtime::outbox;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr TimePoint t0 = 1767603600;  // 2026-01-05T09:00:00Z

struct Received {
  std::string target, id, timestamp, signature, body;
};

// Answers every request by `answer(n)` (n = 0, 1, ...): a status and headers, or silence.
struct Receiver {
  struct Reply {
    http::status status = http::status::ok;
    std::vector<std::pair<std::string, std::string>> headers;
    bool silent = false;
  };
  explicit Receiver(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io, accept(), asio::detached);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/hook"; }

  asio::awaitable<void> accept() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
    }
  }
  asio::awaitable<void> session(tcp::socket socket) {
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    boost::system::error_code ec;
    co_await http::async_read(socket, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    auto header = [&](const char* name) {
      auto it = req.find(name);
      return it == req.end() ? std::string() : std::string(it->value());
    };
    received.push_back({std::string(req.target()), header("webhook-id"), header("webhook-timestamp"),
                         header("webhook-signature"), req.body()});
    Reply reply = answer ? answer(received.size() - 1) : Reply{};
    if (reply.silent) {
      char byte;
      co_await socket.async_read_some(asio::buffer(&byte, 1), asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
    http::response<http::string_body> res{reply.status, 11};
    for (const auto& [k, v] : reply.headers) res.set(k, v);
    res.body() = "{}";
    res.prepare_payload();
    co_await http::async_write(socket, res, asio::redirect_error(asio::use_awaitable, ec));
  }

  tcp::acceptor acceptor;
  std::function<Reply(std::size_t)> answer;
  std::vector<Received> received;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

store::OutboxRow effect_row(const std::string& lead, const std::string& action, int n) {
  store::OutboxRow row;
  row.tenant = "acme";
  row.lead = lead;
  row.action = action;
  row.idempotency_key = "acme/event-" + std::to_string(n) + "/0";
  row.payload = R"({"at":"2026-01-05T09:00:00Z","lead":")" + lead + R"(","workflow":"w","action":")" + action + "\"}";
  return row;
}

void commit_rows(store::Store& db, std::vector<store::OutboxRow> rows) {
  store::Batch batch;
  batch.outbox = std::move(rows);
  REQUIRE(db.commit(batch).ok);
}

// `crm` is a webhook at the receiver, `file` a JSONL sink; assign goes to both, score nowhere,
// everything else to the file.
RegistryConfig registry_config(const Receiver& receiver, const leadflow::testing::TempDir& dir, std::uint32_t max_attempts = 10,
                               int timeout_ms = 2000) {
  RegistryConfig c;
  ConnectorConfig crm;
  crm.name = "crm";
  crm.type = "webhook";
  crm.webhook.url = receiver.url();
  crm.webhook.secrets = {secret};
  crm.webhook.timeout = std::chrono::milliseconds(timeout_ms);
  ConnectorConfig file;
  file.name = "file";
  file.type = "jsonl";
  file.jsonl.path = dir.file("outbox.jsonl");
  c.connectors = {crm, file};
  c.routes["assign"] = {"crm", "file"};
  c.routes["webhook"] = {"crm"};
  c.routes["score"] = {};
  c.routes["*"] = {"file"};
  c.retry.max_attempts = max_attempts;
  c.retry.base = Seconds(5);
  c.retry.cap = Seconds(3600);
  c.retry.seed = 42;
  c.allow_private_targets = true;  // the receiver is on loopback
  return c;
}

// The relay with the test's clock and no timer of its own.
struct Harness {
  Harness(asio::io_context& io, store::Store& db, const RegistryConfig& config)
      : registry(config, io.get_executor()),
        relay(db, registry, io.get_executor(), [this] { return now; }, options()),
        io(io) {}
  static RelayOptions options() {
    RelayOptions o;
    o.arm_timer = false;
    return o;
  }
  // One pass: everything due is attempted and its outcome recorded.
  void pass() {
    relay.kick();
    while (!relay.idle()) io.run_one();
  }
  TimePoint now = t0;
  ConnectorRegistry registry;
  Relay relay;
  asio::io_context& io;
};

const store::OutboxRow& row_for(const std::vector<store::OutboxRow>& rows, const std::string& action,
                                const std::string& connector) {
  for (const store::OutboxRow& r : rows) {
    if (r.action == action && r.connector == connector) return r;
  }
  FAIL("no outbox row for " << action << " via " << connector);
  return rows.front();
}

}  // namespace

TEST_CASE("the relay routes by action, one row per connector, signed with the effect's stable key", "[relay]") {
  leadflow::testing::TempDir dir("leadflow-relay");
  auto db = store::open_sqlite(dir.file("db.sqlite"));
  asio::io_context io;
  Receiver receiver(io);
  Harness h(io, *db, registry_config(receiver, dir));
  commit_rows(*db, {effect_row("L-1", "assign", 1), effect_row("L-1", "email", 2), effect_row("L-1", "score", 3)});
  h.pass();

  const std::vector<store::OutboxRow> rows = db->outbox("acme");
  REQUIRE(rows.size() == 4);  // assign twice (crm, file), email once, score kept out
  const store::OutboxRow& assign_crm = row_for(rows, "assign", "crm");
  CHECK(assign_crm.status == store::OutboxStatus::Delivered);
  CHECK(row_for(rows, "assign", "file").status == store::OutboxStatus::Delivered);
  CHECK(row_for(rows, "email", "file").status == store::OutboxStatus::Delivered);
  CHECK(row_for(rows, "score", "").status == store::OutboxStatus::Skipped);

  REQUIRE(receiver.received.size() == 1);
  const Received& r = receiver.received[0];
  const std::string key = delivery_key(assign_crm);
  CHECK(key == "acme/event-1/0");  // the outbox row's key
  CHECK(r.id == key);
  CHECK(r.timestamp != "");
  CHECK(r.body == assign_crm.payload);
  CHECK(verify_webhook_signature({*decode_webhook_secret(secret)}, r.id, r.timestamp, r.body, r.signature));

  // The file got both of its effects (in row order: the assign's copy for the file is the newest
  // row), keyed the same way as the webhook.
  const std::string file = read_text(dir.file("outbox.jsonl"));
  CHECK(file == "{\"key\":\"" + delivery_key(row_for(rows, "email", "file")) +
                    "\",\"tenant\":\"acme\",\"lead\":\"L-1\",\"kind\":\"email\",\"effect\":" +
                    row_for(rows, "email", "file").payload + "}\n" + "{\"key\":\"" + key +
                    "\",\"tenant\":\"acme\",\"lead\":\"L-1\",\"kind\":\"assign\",\"effect\":" +
                    assign_crm.payload + "}\n");
  CHECK(h.relay.counters().by_connector.at("crm").delivered == 1);
  CHECK(h.relay.counters().by_connector.at("file").delivered == 2);
  CHECK(db->counts().outbox_pending == 0);
}

TEST_CASE("a 503 with Retry-After waits for the later of the jittered backoff and Retry-After", "[relay]") {
  leadflow::testing::TempDir dir("leadflow-relay");
  auto db = store::open_sqlite(dir.file("db.sqlite"));
  asio::io_context io;
  Receiver receiver(io);
  receiver.answer = [](std::size_t n) {
    if (n == 0) return Receiver::Reply{http::status::service_unavailable, {{"Retry-After", "120"}}, false};
    return Receiver::Reply{};
  };
  const RegistryConfig config = registry_config(receiver, dir);
  Harness h(io, *db, config);
  commit_rows(*db, {effect_row("L-1", "webhook", 1)});
  h.pass();

  RetrySchedule expected(config.retry);  // same seed: the same jitter
  const TimePoint first_retry = t0 + std::max<std::int64_t>(expected.backoff(1).count(), 120);
  std::vector<store::OutboxRow> rows = db->outbox("acme");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status == store::OutboxStatus::Pending);
  CHECK(rows[0].attempts == 1);
  CHECK(rows[0].next_attempt_at == first_retry);
  CHECK(rows[0].last_error == "HTTP 503");

  h.now = first_retry - 1;  // not yet due
  h.pass();
  CHECK(receiver.received.size() == 1);

  h.now = first_retry;
  h.pass();
  rows = db->outbox("acme");
  CHECK(rows[0].status == store::OutboxStatus::Delivered);
  CHECK(rows[0].attempts == 2);
  REQUIRE(receiver.received.size() == 2);
  CHECK(receiver.received[0].id == receiver.received[1].id);
  CHECK(receiver.received[1].id == delivery_key(rows[0]));
  CHECK(h.relay.counters().by_connector.at("crm").retried == 1);
  CHECK(h.relay.counters().by_connector.at("crm").delivered == 1);
}

TEST_CASE("a row is dead-lettered after max_attempts, its retries on the seeded schedule", "[relay]") {
  leadflow::testing::TempDir dir("leadflow-relay");
  auto db = store::open_sqlite(dir.file("db.sqlite"));
  asio::io_context io;
  Receiver receiver(io);
  receiver.answer = [](std::size_t) { return Receiver::Reply{http::status::internal_server_error, {}, false}; };
  const RegistryConfig config = registry_config(receiver, dir, 3);
  Harness h(io, *db, config);
  commit_rows(*db, {effect_row("L-1", "webhook", 1)});

  RetrySchedule expected(config.retry);
  h.pass();
  const TimePoint second = t0 + expected.backoff(1).count();
  CHECK(db->outbox("acme")[0].next_attempt_at == second);
  h.now = second;
  h.pass();
  const TimePoint third = second + expected.backoff(2).count();
  CHECK(db->outbox("acme")[0].next_attempt_at == third);
  CHECK(db->outbox("acme")[0].status == store::OutboxStatus::Pending);
  h.now = third;
  h.pass();

  const store::OutboxRow row = db->outbox("acme")[0];
  CHECK(row.status == store::OutboxStatus::Dead);
  CHECK(row.attempts == 3);
  CHECK(row.last_error == "HTTP 500 (gave up after 3 attempts)");
  CHECK(receiver.received.size() == 3);
  CHECK(db->counts().outbox_dead == 1);
  h.now = third + 86400;
  h.pass();
  CHECK(receiver.received.size() == 3);  // a dead letter is never attempted again
  CHECK(h.relay.counters().by_connector.at("crm").dead_lettered == 1);
}

TEST_CASE("a 410 dead-letters the row and disables the connector; later rows are not sent", "[relay]") {
  leadflow::testing::TempDir dir("leadflow-relay");
  auto db = store::open_sqlite(dir.file("db.sqlite"));
  asio::io_context io;
  Receiver receiver(io);
  receiver.answer = [](std::size_t) { return Receiver::Reply{http::status::gone, {}, false}; };
  Harness h(io, *db, registry_config(receiver, dir));
  commit_rows(*db, {effect_row("L-1", "assign", 1)});
  h.pass();
  CHECK_FALSE(h.registry.enabled("crm"));
  CHECK(h.registry.enabled("file"));
  CHECK(h.relay.counters().disabled == std::set<std::string>{"crm"});

  commit_rows(*db, {effect_row("L-2", "assign", 2)});
  h.pass();
  CHECK(receiver.received.size() == 1);
  const std::vector<store::OutboxRow> rows = db->outbox("acme");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].status == store::OutboxStatus::Dead);  // L-1 via crm
  CHECK(rows[0].last_error == "HTTP 410 (endpoint gone)");
  for (const store::OutboxRow& r : rows) {
    if (r.connector == "file") CHECK(r.status == store::OutboxStatus::Delivered);
    if (r.connector == "crm" && r.lead == "L-2") {
      CHECK(r.status == store::OutboxStatus::Dead);
      CHECK(r.last_error == "connector `crm` is disabled (its endpoint answered 410)");
    }
  }
  const std::string metrics = render_outbox_metrics(h.relay.counters(), h.registry.names());
  CHECK(metrics.find("leadflow_connector_disabled{connector=\"crm\"} 1\n") != std::string::npos);
  CHECK(metrics.find("leadflow_connector_disabled{connector=\"file\"} 0\n") != std::string::npos);
  CHECK(metrics.find("leadflow_outbox_deliveries_total{connector=\"crm\",outcome=\"dead_lettered\"} 2\n") !=
        std::string::npos);
  CHECK(metrics.find("leadflow_outbox_deliveries_total{connector=\"file\",outcome=\"delivered\"} 2\n") !=
        std::string::npos);
}

TEST_CASE("a receiver slower than the timeout gets the row again later", "[relay]") {
  leadflow::testing::TempDir dir("leadflow-relay");
  auto db = store::open_sqlite(dir.file("db.sqlite"));
  asio::io_context io;
  Receiver receiver(io);
  receiver.answer = [](std::size_t n) { return n == 0 ? Receiver::Reply{http::status::ok, {}, true} : Receiver::Reply{}; };
  Harness h(io, *db, registry_config(receiver, dir, 10, 200));
  commit_rows(*db, {effect_row("L-1", "webhook", 1)});
  h.pass();
  store::OutboxRow row = db->outbox("acme")[0];
  CHECK(row.status == store::OutboxStatus::Pending);
  CHECK(row.last_error == "timeout after 200 ms");
  h.now = row.next_attempt_at;
  h.pass();
  row = db->outbox("acme")[0];
  CHECK(row.status == store::OutboxStatus::Delivered);
  REQUIRE(receiver.received.size() == 2);
  CHECK(receiver.received[0].id == receiver.received[1].id);
}

TEST_CASE("a row claimed when the process died is delivered again after its lease, with the same webhook-id",
          "[relay]") {
  leadflow::testing::TempDir dir("leadflow-relay");
  std::vector<Received> before;
  {
    auto db = store::open_sqlite(dir.file("db.sqlite"));
    asio::io_context io;
    Receiver receiver(io);
    receiver.answer = [](std::size_t) { return Receiver::Reply{http::status::ok, {}, true}; };  // never answers
    Harness h(io, *db, registry_config(receiver, dir));
    commit_rows(*db, {effect_row("L-1", "webhook", 1)});
    h.relay.kick();
    while (receiver.received.empty()) io.run_one();
    before = receiver.received;
    // The process dies here: the attempt reached the receiver, the outcome was never recorded.
  }
  auto db = store::open_sqlite(dir.file("db.sqlite"));
  store::OutboxRow row = db->outbox("acme")[0];
  CHECK(row.status == store::OutboxStatus::Claimed);
  asio::io_context io;
  Receiver receiver(io);
  Harness h(io, *db, registry_config(receiver, dir));
  h.pass();
  CHECK(receiver.received.empty());  // the lease still holds
  h.now = row.next_attempt_at;       // the lease ran out
  h.pass();
  REQUIRE(receiver.received.size() == 1);
  CHECK(receiver.received[0].id == before[0].id);
  CHECK(receiver.received[0].body == before[0].body);
  row = db->outbox("acme")[0];
  CHECK(row.status == store::OutboxStatus::Delivered);
  CHECK(row.attempts == 2);
}

TEST_CASE("stop() releases claimed rows that never started and waits for the ones in flight", "[relay]") {
  leadflow::testing::TempDir dir("leadflow-relay");
  auto db = store::open_sqlite(dir.file("db.sqlite"));
  asio::io_context io;
  Receiver receiver(io);
  RegistryConfig config = registry_config(receiver, dir);
  ConnectorRegistry registry(config, io.get_executor());
  RelayOptions options;
  options.arm_timer = false;
  options.max_in_flight = 1;
  Relay relay(*db, registry, io.get_executor(), [] { return t0; }, options);
  commit_rows(*db, {effect_row("L-1", "webhook", 1), effect_row("L-2", "webhook", 2)});
  relay.kick();
  CHECK(relay.in_flight() == 1);
  bool drained = false;
  relay.stop([&] { drained = true; });
  while (!drained) io.run_one();
  const std::vector<store::OutboxRow> rows = db->outbox("acme");
  CHECK(rows[0].status == store::OutboxStatus::Delivered);
  CHECK(rows[1].status == store::OutboxStatus::Pending);
  CHECK(rows[1].next_attempt_at == t0);
  CHECK(receiver.received.size() == 1);
}

TEST_CASE("a schema-2 store migrates: its outbox rows keep their state and pending ones are routed", "[relay][store]") {
  leadflow::testing::TempDir dir("leadflow-relay");
  const std::string path = dir.file("old.sqlite");
  {
    store::SqliteOptions v2;
    v2.schema_version = 2;
    auto db = store::open_sqlite(path, v2);
    // As a schema-2 version wrote them: no connector column yet (today's commit writes one).
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    for (const store::OutboxRow& row : {effect_row("L-1", "assign", 1), effect_row("L-2", "email", 2)}) {
      sqlite3_stmt* s = nullptr;
      REQUIRE(sqlite3_prepare_v2(raw, "INSERT INTO outbox (tenant, lead, action, idempotency_key, payload) "
                                      "VALUES (?, ?, ?, ?, ?)", -1, &s, nullptr) == SQLITE_OK);
      const std::string* values[] = {&row.tenant, &row.lead, &row.action, &row.idempotency_key, &row.payload};
      for (int i = 0; i < 5; ++i) sqlite3_bind_text(s, i + 1, values[i]->c_str(), -1, SQLITE_TRANSIENT);
      REQUIRE(sqlite3_step(s) == SQLITE_DONE);
      sqlite3_finalize(s);
    }
    sqlite3_close(raw);
    db->mark_delivered(1, t0);
  }
  CHECK(store::sqlite_schema_version(path) == 2);
  auto db = store::open_sqlite(path);
  CHECK(store::sqlite_schema_version(path) == store::latest_schema_version);
  std::vector<store::OutboxRow> rows = db->outbox("acme");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].status == store::OutboxStatus::Delivered);
  CHECK(rows[0].connector == "");
  CHECK(rows[1].status == store::OutboxStatus::Pending);

  asio::io_context io;
  Receiver receiver(io);
  Harness h(io, *db, registry_config(receiver, dir));
  h.pass();
  rows = db->outbox("acme");
  REQUIRE(rows.size() == 2);  // the delivered row is not routed again
  CHECK(rows[1].connector == "file");
  CHECK(rows[1].status == store::OutboxStatus::Delivered);
  // New rows share an effect's key across connectors.
  commit_rows(*db, {effect_row("L-3", "assign", 3)});
  h.pass();
  rows = db->outbox("acme");
  REQUIRE(rows.size() == 4);
  CHECK(rows[2].idempotency_key == rows[3].idempotency_key);
  CHECK(receiver.received.size() == 1);
}

TEST_CASE("the delivery key is the row's key, or its hash when it cannot be a header value", "[relay]") {
  store::OutboxRow row = effect_row("L-1", "assign", 1);
  CHECK(delivery_key(row) == "acme/event-1/0");
  row.idempotency_key = "acme/a key with spaces\r\nX-Evil: 1/0";
  const std::string hashed = delivery_key(row);
  CHECK(hashed == effect_idempotency_key("acme", row.idempotency_key, 0));
  CHECK(hashed.rfind("lf_", 0) == 0);
  CHECK(hashed.size() == 35);
}
