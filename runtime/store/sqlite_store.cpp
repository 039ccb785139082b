// The embedded SQLite store: WAL, synchronous=FULL by default, a versioned schema with ordered
// migrations, and one transaction per batch.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "runtime/store/sqlite_statement.hpp"
#include "runtime/store/store.hpp"

namespace leadflow::runtime::store {

const char* outbox_status_name(OutboxStatus status) {
  switch (status) {
    case OutboxStatus::Pending: return "pending";
    case OutboxStatus::Claimed: return "claimed";
    case OutboxStatus::Delivered: return "delivered";
    case OutboxStatus::Dead: return "dead";
    case OutboxStatus::Skipped: return "skipped";
  }
  return "pending";
}

namespace {

OutboxStatus outbox_status_from(std::string_view s) {
  if (s == "claimed") return OutboxStatus::Claimed;
  if (s == "delivered") return OutboxStatus::Delivered;
  if (s == "dead") return OutboxStatus::Dead;
  if (s == "skipped") return OutboxStatus::Skipped;
  return OutboxStatus::Pending;
}

// The columns read_outbox_row() expects, in its order.
#define LEADFLOW_OUTBOX_COLUMNS \
  "id, tenant, lead, action, idempotency_key, payload, status, attempts, next_attempt_at, last_error, connector"

OutboxRow read_outbox_row(Statement& s) {
  return {s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5),
          outbox_status_from(s.text(6)), s.integer(7), s.integer(8), s.text(9), s.text(10)};
}

// Ordered migrations: migration N takes the schema from version N-1 to N. Never edit one that
// has shipped; add the next.
const char* const migrations[] = {
    // 1: the core tables.
    R"sql(
CREATE TABLE leads (
  tenant TEXT NOT NULL, id TEXT NOT NULL, state TEXT NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (tenant, id));
CREATE TABLE tenants (tenant TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE timers (
  id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, lead TEXT NOT NULL, due INTEGER NOT NULL,
  kind INTEGER NOT NULL, run_id INTEGER NOT NULL, idx INTEGER NOT NULL, generation INTEGER NOT NULL);
CREATE INDEX timers_by_due ON timers (due, id);
CREATE TABLE events (
  id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, at INTEGER NOT NULL, received_at INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX events_by_tenant ON events (tenant, id);
CREATE TABLE idempotency_keys (
  tenant TEXT NOT NULL, key TEXT NOT NULL, event_id INTEGER NOT NULL, PRIMARY KEY (tenant, key));
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, lead TEXT NOT NULL, action TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0,
  delivered_at INTEGER, last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX outbox_by_status ON outbox (status, next_attempt_at, id);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, at INTEGER NOT NULL, lead TEXT NOT NULL,
  workflow TEXT NOT NULL, action TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT NOT NULL,
  content_hash TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX audit_by_tenant ON audit (tenant, id);
CREATE TABLE suppression (
  tenant TEXT NOT NULL, hash TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (tenant, hash));
)sql",
    // 2: the sources of Program versions runs are pinned to.
    R"sql(
CREATE TABLE program_versions (version TEXT PRIMARY KEY, sources TEXT NOT NULL);
)sql",
    // 3: one outbox row per (effect, connector): the relay routes a committed row (connector '')
    // to its connectors, each delivered, retried and dead-lettered on its own. The idempotency
    // key is the effect's, so it is unique per connector only; SQLite cannot drop a UNIQUE
    // constraint in place, hence the copy.
    R"sql(
CREATE TABLE outbox_v3 (
  id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, lead TEXT NOT NULL, action TEXT NOT NULL,
  idempotency_key TEXT NOT NULL, connector TEXT NOT NULL DEFAULT '', payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0, delivered_at INTEGER, last_error TEXT NOT NULL DEFAULT '',
  UNIQUE (idempotency_key, connector));
INSERT INTO outbox_v3 (id, tenant, lead, action, idempotency_key, payload, status, attempts, next_attempt_at,
                       delivered_at, last_error)
  SELECT id, tenant, lead, action, idempotency_key, payload, status, attempts, next_attempt_at, delivered_at,
         last_error FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v3 RENAME TO outbox;
CREATE INDEX outbox_by_status ON outbox (status, next_attempt_at, id);
CREATE INDEX outbox_unrouted ON outbox (id) WHERE connector = '';
)sql",
    // 4: the relay's reads by index. Rows still to be delivered, by due time: the next wake-up
    // is the first entry and a claim reads the due ones in order, instead of a scan of every row
    // the outbox ever held; unrouted rows are only those still to route (skipped rows stay
    // unrouted for good and would fill the old index). The queries name these indexes (INDEXED
    // BY): without statistics the planner prefers outbox_by_status and sorts.
    R"sql(
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('pending','claimed') AND connector != '';
DROP INDEX outbox_unrouted;
CREATE INDEX outbox_unrouted ON outbox (id) WHERE connector = '' AND status IN ('pending','claimed');
)sql",
};
static_assert(sizeof(migrations) / sizeof(migrations[0]) == latest_schema_version);


void exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    throw std::runtime_error("sqlite: " + text);
  }
}

// serve writes through two connections (requests and the outbox relay), each holding the write
// lock for a short transaction. SQLite's own busy timeout sleeps 1, 2, 5, 10 ms... between
// tries, which is longer than the other side's transaction: a request would wait milliseconds
// for a lock free after a hundred microseconds. Try every 50 us for the first 5 ms, then every
// millisecond, and give up after about 5 s as busy_timeout(5000) did.
int wait_for_lock(void*, int tries) {
  constexpr int fine_tries = 100;
  if (tries >= fine_tries + 5000) return 0;
  std::this_thread::sleep_for(tries < fine_tries ? std::chrono::microseconds(50) : std::chrono::microseconds(1000));
  return 1;
}

int read_schema_version(sqlite3* db) {
  Statement has(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'");
  has.step();
  if (has.integer(0) == 0) return 0;
  Statement v(db, "SELECT version FROM schema_version");
  return v.step() ? static_cast<int>(v.integer(0)) : 0;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, const SqliteOptions& options) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("cannot open database '" + path + "': " + message);
    }
    sqlite3_busy_handler(db_, wait_for_lock, nullptr);
    exec(db_, "PRAGMA journal_mode=WAL");
    exec(db_, options.durability == Durability::Full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    exec(db_, "PRAGMA foreign_keys=ON");
    // Every batch rewrites the state rows of the leads it touched: a page cache that holds the
    // hot leads and their indexes saves re-reading them, and a larger WAL between checkpoints
    // copies a page rewritten by many commits into the database once (fewer writes and fsyncs).
    exec(db_, "PRAGMA cache_size=-65536");
    exec(db_, "PRAGMA wal_autocheckpoint=16384");
    if (options.wal_pages) {
      wal_pages_ = options.wal_pages;
      // Replaces the automatic checkpoint (sqlite3_wal_hook and wal_autocheckpoint share the hook).
      sqlite3_wal_hook(db_, report_wal_pages, this);
    }
    migrate(options.schema_version == 0 ? latest_schema_version : options.schema_version);
  }
  ~SqliteStore() override {
    for (auto& statement : cached_) statement.reset();  // finalized before the close
    sqlite3_close(db_);
  }

  void fail_next_commit() { fail_next_ = true; }

  static int report_wal_pages(void* self, sqlite3*, const char*, int pages) {
    static_cast<SqliteStore*>(self)->wal_pages_(pages);
    return SQLITE_OK;
  }

  StoreStatus commit(const Batch& batch) override {
    if (batch.empty()) return {};
    try {
      exec(db_, "BEGIN IMMEDIATE");
    } catch (const std::exception& e) {
      return {false, e.what()};
    }
    try {
      write(batch);
      exec(db_, "COMMIT");
      return {};
    } catch (const std::exception& e) {
      for (auto& statement : cached_) {
        if (statement) statement->reset();
      }
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return {false, e.what()};
    }
  }

  std::vector<LeadRow> leads() override {
    // Read in table order and sorted here: no index gives (tenant, seq), and letting SQLite sort
    // rows of kilobytes of state spills them to temporary files (a third of a restart's time).
    std::vector<LeadRow> out;
    Statement s(db_, "SELECT tenant, id, state, seq FROM leads");
    while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.integer(3)});
    std::sort(out.begin(), out.end(), [](const LeadRow& a, const LeadRow& b) {
      return a.tenant != b.tenant ? a.tenant < b.tenant : a.seq < b.seq;
    });
    return out;
  }
  std::optional<LeadRow> lead(const std::string& tenant, const std::string& id) override {
    Statement s(db_, "SELECT tenant, id, state, seq FROM leads WHERE tenant=? AND id=?");
    s.bind(1, tenant).bind(2, id);
    if (!s.step()) return std::nullopt;
    return LeadRow{s.text(0), s.text(1), s.text(2), s.integer(3)};
  }
  std::vector<std::pair<std::string, std::string>> tenants() override {
    std::vector<std::pair<std::string, std::string>> out;
    Statement s(db_, "SELECT tenant, state FROM tenants ORDER BY tenant");
    while (s.step()) out.emplace_back(s.text(0), s.text(1));
    return out;
  }
  std::vector<TimerRow> timers() override {
    std::vector<TimerRow> out;
    // A table scan sorted here: walking the (due, id) index costs a table lookup per timer.
    Statement s(db_, "SELECT id, tenant, lead, due, kind, run_id, idx, generation FROM timers");
    while (s.step()) {
      TimerRow row;
      row.id = s.integer(0);
      row.tenant = s.text(1);
      row.timer.lead = s.text(2);
      row.timer.due = s.integer(3);
      row.timer.kind = static_cast<engine::TimerKind>(s.integer(4));
      row.timer.run_id = static_cast<std::uint64_t>(s.integer(5));
      row.timer.index = static_cast<std::int32_t>(s.integer(6));
      row.timer.generation = static_cast<std::uint64_t>(s.integer(7));
      out.push_back(std::move(row));
    }
    std::sort(out.begin(), out.end(), [](const TimerRow& a, const TimerRow& b) {
      return a.timer.due != b.timer.due ? a.timer.due < b.timer.due : a.id < b.id;
    });
    return out;
  }
  std::optional<engine::TimePoint> earliest_timer() override {
    Statement s(db_, "SELECT due FROM timers ORDER BY due, id LIMIT 1");
    if (!s.step()) return std::nullopt;
    return s.integer(0);
  }
  bool has_key(const std::string& tenant, const std::string& key) override {
    Statement& s = cached(HasKey, "SELECT 1 FROM idempotency_keys WHERE tenant=? AND key=?");
    s.bind(1, tenant).bind(2, key);
    bool found = s.step();
    s.reset();
    return found;
  }
  bool is_suppressed(const std::string& tenant, const std::string& hash) override {
    Statement& s = cached(IsSuppressed, "SELECT 1 FROM suppression WHERE tenant=? AND hash=?");
    s.bind(1, tenant).bind(2, hash);
    bool found = s.step();
    s.reset();
    return found;
  }
  std::vector<EventRow> events(const std::string& tenant) override {
    std::vector<EventRow> out;
    Statement s(db_, "SELECT id, tenant, at, received_at, idempotency_key, body FROM events WHERE tenant=? ORDER BY id");
    s.bind(1, tenant);
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.integer(2), s.integer(3), s.text(4), s.text(5)});
    return out;
  }
  std::vector<AuditRow> audit(const std::string& tenant) override {
    std::vector<AuditRow> out;
    Statement s(db_,
                "SELECT tenant, at, lead, workflow, action, channel, recipient, content_hash, outcome FROM audit "
                "WHERE tenant=? ORDER BY id");
    s.bind(1, tenant);
    while (s.step()) {
      out.push_back({s.text(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6), s.text(7),
                     s.text(8)});
    }
    return out;
  }
  StoreIds max_ids() override {
    StoreIds ids;
    Statement t(db_, "SELECT coalesce(max(id), 0) FROM timers");
    t.step();
    ids.timer = t.integer(0);
    // Fired timers are deleted: keep ids growing past them through the meta of the events table.
    Statement m(db_, "SELECT coalesce(max(value), 0) FROM meta WHERE key='timer_id'");
    if (m.step()) ids.timer = std::max(ids.timer, m.integer(0));
    Statement e(db_, "SELECT coalesce(max(id), 0) FROM events");
    e.step();
    ids.event = e.integer(0);
    return ids;
  }
  StoreCounts counts() override {
    StoreCounts c;
    auto count = [&](const char* sql) {
      Statement s(db_, sql);
      s.step();
      return s.integer(0);
    };
    c.leads = count("SELECT count(*) FROM leads");
    c.timers = count("SELECT count(*) FROM timers");
    c.events = count("SELECT count(*) FROM events");
    c.outbox_pending = count("SELECT count(*) FROM outbox WHERE status IN ('pending','claimed')");
    c.outbox_delivered = count("SELECT count(*) FROM outbox WHERE status='delivered'");
    c.outbox_dead = count("SELECT count(*) FROM outbox WHERE status='dead'");
    c.audit = count("SELECT count(*) FROM audit");
    return c;
  }

  std::vector<OutboxRow> claim_outbox(std::size_t limit, engine::TimePoint now, engine::TimePoint lease_until) override {
    return record_and_claim_outbox({}, limit, now, lease_until);
  }
  std::vector<OutboxRow> record_and_claim_outbox(const std::vector<OutboxOutcome>& outcomes, std::size_t limit,
                                                 engine::TimePoint now, engine::TimePoint lease_until) override {
    std::vector<OutboxRow> out;
    exec(db_, "BEGIN IMMEDIATE");
    try {
      write_outcomes(outcomes);
      Statement s(db_,
                  "SELECT " LEADFLOW_OUTBOX_COLUMNS " FROM outbox INDEXED BY outbox_due WHERE status IN "
                  "('pending','claimed') AND next_attempt_at <= ? AND connector != '' ORDER BY next_attempt_at, id "
                  "LIMIT ?");
      s.bind(1, now).bind(2, static_cast<std::int64_t>(limit));
      while (s.step()) out.push_back(read_outbox_row(s));
      Statement u(db_, "UPDATE outbox SET status='claimed', attempts=attempts+1, next_attempt_at=? WHERE id=?");
      for (OutboxRow& row : out) {
        u.bind(1, lease_until).bind(2, row.id);
        u.run();
        row.status = OutboxStatus::Claimed;
        row.attempts += 1;
        row.next_attempt_at = lease_until;
      }
      exec(db_, "COMMIT");
    } catch (...) {
      reset_cached();
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    return out;
  }
  std::vector<OutboxRow> outbox(const std::string& tenant) override {
    std::vector<OutboxRow> out;
    Statement s(db_,
                "SELECT " LEADFLOW_OUTBOX_COLUMNS " FROM outbox WHERE tenant=? ORDER BY id");
    s.bind(1, tenant);
    while (s.step()) out.push_back(read_outbox_row(s));
    return out;
  }
  void record_outbox(const std::vector<OutboxOutcome>& outcomes) override {
    if (outcomes.empty()) return;
    exec(db_, "BEGIN IMMEDIATE");
    try {
      write_outcomes(outcomes);
      exec(db_, "COMMIT");
    } catch (...) {
      reset_cached();
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
  std::size_t route_outbox(const OutboxRoutes& routes) override {
    // Rows are routed when they are written; only a store written by an older version (or a
    // writer without routes) has any left. Looking costs a read, not a write transaction.
    {
      Statement any(db_, "SELECT 1 FROM outbox INDEXED BY outbox_unrouted WHERE connector = '' AND status IN "
                         "('pending','claimed') LIMIT 1");
      if (!any.step()) return 0;
    }
    std::size_t routed = 0;
    exec(db_, "BEGIN IMMEDIATE");
    try {
      std::vector<std::pair<std::int64_t, std::string>> rows;
      {
        Statement s(db_, "SELECT id, action FROM outbox WHERE connector = '' AND status IN ('pending','claimed') ORDER BY id");
        while (s.step()) rows.emplace_back(s.integer(0), s.text(1));
      }
      Statement first(db_, "UPDATE outbox SET connector=? WHERE id=?");
      Statement copy(db_,
                     "INSERT OR IGNORE INTO outbox (tenant, lead, action, idempotency_key, connector, payload, status, "
                     "attempts, next_attempt_at) SELECT tenant, lead, action, idempotency_key, ?, payload, 'pending', 0, "
                     "next_attempt_at FROM outbox WHERE id=?");
      Statement skip(db_, "UPDATE outbox SET status='skipped', last_error='no route for this kind' WHERE id=?");
      for (const auto& [id, action] : rows) {
        const std::vector<std::string> names = routes(action);
        if (names.empty()) {
          skip.bind(1, id).run();
          continue;
        }
        first.bind(1, names.front()).bind(2, id).run();
        for (std::size_t i = 1; i < names.size(); ++i) copy.bind(1, names[i]).bind(2, id).run();
        ++routed;
      }
      exec(db_, "COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    return routed;
  }
  std::size_t release_claims() override {
    Statement s(db_, "UPDATE outbox SET status='pending', next_attempt_at=0 WHERE status='claimed'");
    s.run();
    return static_cast<std::size_t>(sqlite3_changes(db_));
  }
  std::optional<engine::TimePoint> next_outbox_attempt() override {
    // The first entry of the partial index outbox_due (its WHERE is this one's).
    Statement& s = cached(NextOutboxAttempt,
                          "SELECT next_attempt_at FROM outbox INDEXED BY outbox_due WHERE status IN "
                          "('pending','claimed') AND connector != '' ORDER BY next_attempt_at LIMIT 1");
    std::optional<engine::TimePoint> next;
    if (s.step()) next = s.integer(0);
    s.reset();
    return next;
  }
  void mark_delivered(std::int64_t id, engine::TimePoint now) override {
    Statement s(db_, "UPDATE outbox SET status='delivered', delivered_at=? WHERE id=?");
    s.bind(1, now).bind(2, id);
    s.run();
  }
  void mark_failed(std::int64_t id, engine::TimePoint retry_at, const std::string& error, bool dead) override {
    Statement s(db_, "UPDATE outbox SET status=?, next_attempt_at=?, last_error=? WHERE id=?");
    s.bind(1, std::string(dead ? "dead" : "pending")).bind(2, retry_at).bind(3, error).bind(4, id);
    s.run();
  }

  void save_program_version(const std::string& version, const std::string& sources) override {
    Statement s(db_, "INSERT OR IGNORE INTO program_versions (version, sources) VALUES (?, ?)");
    s.bind(1, version).bind(2, sources);
    s.run();
  }
  std::optional<std::string> program_version(const std::string& version) override {
    Statement s(db_, "SELECT sources FROM program_versions WHERE version=?");
    s.bind(1, version);
    if (!s.step()) return std::nullopt;
    return s.text(0);
  }

 private:
  void migrate(int target) {
    int current = read_schema_version(db_);
    if (current > latest_schema_version) {
      throw std::runtime_error("database schema version " + std::to_string(current) +
                               " is newer than this leadflow (" + std::to_string(latest_schema_version) + ")");
    }
    for (int v = current + 1; v <= target; ++v) {
      exec(db_, "BEGIN IMMEDIATE");
      try {
        if (v == 1) {
          exec(db_, "CREATE TABLE schema_version (version INTEGER NOT NULL)");
          exec(db_, "INSERT INTO schema_version VALUES (0)");
          exec(db_, "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
        }
        exec(db_, migrations[v - 1]);
        Statement s(db_, "UPDATE schema_version SET version=?");
        s.bind(1, v);
        s.run();
        exec(db_, "COMMIT");
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  }

  void write(const Batch& b) {
    std::size_t total = b.leads.size() + b.tenants.size() + b.timers_added.size() + b.timers_deleted.size() +
                        b.events.size() + b.outbox.size() + b.audit.size() + b.keys.size();
    std::size_t written = 0;
    auto tick = [&] {
      if (fail_next_ && ++written * 2 >= total) {
        fail_next_ = false;
        throw std::runtime_error("injected failure (test)");
      }
    };
    {
      insert_rows(UpsertLead, UpsertLeads, "leads (tenant, id, state, seq)", 4, b.leads,
                  [](Statement& s, int c, const LeadRow& r) {
                    s.bind_static(c + 1, r.tenant).bind_static(c + 2, r.id).bind_static(c + 3, r.state)
                        .bind(c + 4, r.seq);
                  }, tick, " ON CONFLICT (tenant, id) DO UPDATE SET state=excluded.state");
    }
    {
      Statement& s = cached(UpsertTenant,
                  "INSERT INTO tenants (tenant, state) VALUES (?, ?) "
                  "ON CONFLICT (tenant) DO UPDATE SET state=excluded.state");
      for (const auto& [tenant, state] : b.tenants) {
        s.bind_static(1, tenant).bind_static(2, state);
        s.run();
        tick();
      }
    }
    std::int64_t max_timer = 0;
    {
      insert_rows(InsertTimer, InsertTimers, "timers (id, tenant, lead, due, kind, run_id, idx, generation)", 8,
                  b.timers_added, [](Statement& s, int c, const TimerRow& r) {
                    s.bind(c + 1, r.id).bind_static(c + 2, r.tenant).bind_static(c + 3, r.timer.lead)
                        .bind(c + 4, r.timer.due).bind(c + 5, static_cast<std::int64_t>(r.timer.kind))
                        .bind(c + 6, static_cast<std::int64_t>(r.timer.run_id))
                        .bind(c + 7, static_cast<std::int64_t>(r.timer.index))
                        .bind(c + 8, static_cast<std::int64_t>(r.timer.generation));
                  }, tick);
      for (const TimerRow& r : b.timers_added) max_timer = std::max(max_timer, r.id);
    }
    if (max_timer > 0) {
      Statement& s = cached(MetaTimer, "INSERT INTO meta (key, value) VALUES ('timer_id', ?) "
                       "ON CONFLICT (key) DO UPDATE SET value=max(value, excluded.value)");
      s.bind(1, max_timer);
      s.run();
    }
    {
      Statement& s = cached(DeleteTimer, "DELETE FROM timers WHERE id=?");
      for (std::int64_t id : b.timers_deleted) {
        s.bind(1, id);
        s.run();
        tick();
      }
    }
    {
      insert_rows(InsertEvent, InsertEvents, "events (id, tenant, at, received_at, idempotency_key, body)", 6,
                  b.events, [](Statement& s, int c, const EventRow& r) {
                    s.bind(c + 1, r.id).bind_static(c + 2, r.tenant).bind(c + 3, r.at).bind(c + 4, r.received_at)
                        .bind_static(c + 5, r.idempotency_key).bind_static(c + 6, r.body);
                  }, tick);
    }
    {
      insert_rows(InsertKey, InsertKeys, "idempotency_keys (tenant, key, event_id)", 3, b.keys,
                  [](Statement& s, int c, const IdempotencyRow& r) {
                    s.bind_static(c + 1, r.tenant).bind_static(c + 2, r.key).bind(c + 3, r.event_id);
                  }, tick);
    }
    {
      // Routed by the processor (a connector, or Skipped), or unrouted for the relay to route.
      Statement& s = cached(InsertOutbox,
                  "INSERT INTO outbox (tenant, lead, action, idempotency_key, payload, next_attempt_at, connector, "
                  "status, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (const OutboxRow& r : b.outbox) {
        s.bind_static(1, r.tenant).bind_static(2, r.lead).bind_static(3, r.action).bind_static(4, r.idempotency_key)
            .bind_static(5, r.payload).bind(6, r.next_attempt_at).bind_static(7, r.connector)
            .bind(8, std::string(outbox_status_name(r.status))).bind_static(9, r.last_error);
        s.run();
        tick();
      }
    }
    {
      insert_rows(InsertAuditRow, InsertAuditRows,
                  "audit (tenant, at, lead, workflow, action, channel, recipient, content_hash, outcome)", 9, b.audit,
                  [](Statement& s, int c, const AuditRow& r) {
                    s.bind_static(c + 1, r.tenant).bind(c + 2, r.at).bind_static(c + 3, r.lead)
                        .bind_static(c + 4, r.workflow).bind_static(c + 5, r.action).bind_static(c + 6, r.channel)
                        .bind_static(c + 7, r.recipient).bind_static(c + 8, r.content_hash)
                        .bind_static(c + 9, r.outcome);
                  }, tick);
    }
  }

  // Inside the caller's transaction.
  void write_outcomes(const std::vector<OutboxOutcome>& outcomes) {
    Statement& delivered = cached(MarkDelivered, "UPDATE outbox SET status='delivered', delivered_at=? WHERE id=?");
    Statement& failed = cached(MarkFailed, "UPDATE outbox SET status=?, next_attempt_at=?, last_error=? WHERE id=?");
    for (const OutboxOutcome& o : outcomes) {
      const std::int64_t changed =
          o.status == OutboxStatus::Delivered
              ? delivered.bind(1, o.at).bind(2, o.id).run()
              : failed.bind(1, std::string(outbox_status_name(o.status))).bind(2, o.at).bind(3, o.error)
                    .bind(4, o.id).run();
      // A row erased meanwhile (forget) gets no audit row: it would bring the person back.
      if (o.audit && changed > 0) insert_audit(*o.audit);
    }
  }

  void insert_audit(const AuditRow& r) {
    Statement& s = cached(InsertAudit,
                "INSERT INTO audit (tenant, at, lead, workflow, action, channel, recipient, content_hash, outcome) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    // The row outlives the insert: bound without a copy.
    s.bind_static(1, r.tenant).bind(2, r.at).bind_static(3, r.lead).bind_static(4, r.workflow).bind_static(5, r.action)
        .bind_static(6, r.channel).bind_static(7, r.recipient).bind_static(8, r.content_hash).bind_static(9, r.outcome);
    s.run();
  }

  void reset_cached() {
    for (auto& statement : cached_) {
      if (statement) statement->reset();
    }
  }

  // The statements of every request and commit, prepared once (preparing costs more than a row).
  enum CachedStatement {
    HasKey, IsSuppressed, UpsertLead, UpsertTenant, InsertTimer, MetaTimer, DeleteTimer, InsertEvent, InsertKey,
    InsertOutbox, InsertAudit, NextOutboxAttempt, MarkDelivered, MarkFailed,
    InsertTimers, InsertEvents, InsertKeys, InsertAuditRow, InsertAuditRows, UpsertLeads, CachedCount
  };
  Statement& cached(CachedStatement which, const char* sql) {
    std::unique_ptr<Statement>& slot = cached_[which];
    if (!slot) slot = std::make_unique<Statement>(db_, sql);
    return *slot;
  }

  // The rows of one table in multi-row statements, `rows_per_insert` at a time, then one by one
  // (`upsert`: an ON CONFLICT clause after the values):
  // a statement's fixed work (opening and closing a cursor per index, its end) was as much as
  // its row's, and a batch writes several rows of each kind per event. OR FAIL: a row that
  // breaks a constraint stops the statement without the statement journal a multi-row ABORT
  // needs; the batch's whole transaction is rolled back then anyway.
  static constexpr std::size_t rows_per_insert = 32;
  template <class Row, class BindRow, class Tick>
  void insert_rows(CachedStatement one, CachedStatement many, const char* table_and_columns, int columns,
                   const std::vector<Row>& rows, BindRow bind_row, Tick& tick, const char* upsert = "") {
    auto statement = [&](CachedStatement which, std::size_t n) -> Statement& {
      if (cached_[which]) return *cached_[which];
      std::string tuple = "(";
      for (int c = 0; c < columns; ++c) tuple += c == 0 ? "?" : ", ?";
      tuple += ")";
      std::string sql = std::string("INSERT OR FAIL INTO ") + table_and_columns + " VALUES ";
      for (std::size_t i = 0; i < n; ++i) sql += (i == 0 ? "" : ", ") + tuple;
      sql += upsert;
      return cached(which, sql.c_str());
    };
    std::size_t i = 0;
    if (rows.size() >= rows_per_insert) {
      Statement& s = statement(many, rows_per_insert);
      for (; i + rows_per_insert <= rows.size(); i += rows_per_insert) {
        for (std::size_t k = 0; k < rows_per_insert; ++k) bind_row(s, static_cast<int>(k) * columns, rows[i + k]);
        s.run();
        for (std::size_t k = 0; k < rows_per_insert; ++k) tick();
      }
    }
    if (i < rows.size()) {
      Statement& s = statement(one, 1);
      for (; i < rows.size(); ++i) {
        bind_row(s, 0, rows[i]);
        s.run();
        tick();
      }
    }
  }

  sqlite3* db_ = nullptr;
  bool fail_next_ = false;
  std::function<void(int)> wal_pages_;
  std::unique_ptr<Statement> cached_[CachedCount];
};

}  // namespace

std::unique_ptr<Store> open_sqlite(const std::string& path, const SqliteOptions& options) {
  return std::make_unique<SqliteStore>(path, options);
}

int sqlite_schema_version(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return 0;
  }
  int v = 0;
  try {
    v = read_schema_version(db);
  } catch (...) {
    v = 0;
  }
  sqlite3_close(db);
  return v;
}

void fail_next_commit_for_tests(Store& store) {
  if (auto* s = dynamic_cast<SqliteStore*>(&store)) s->fail_next_commit();
}

}  // namespace leadflow::runtime::store
