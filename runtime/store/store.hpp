// The durable store behind `leadflow serve`: one interface, so a PostgreSQL backend can follow the
// SQLite one without touching the engine or the processor. Everything one batch of applied events
// changes (lead states, tenant state, new and fired timers, the event log, outbox and audit rows,
// idempotency keys) is handed over as one `Batch` and committed in one transaction: all or nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.hpp"

namespace leadflow::runtime::store {

// A lead's state as the processor serialised it (runtime/lead_codec.hpp): JSON, by field name.
struct LeadRow {
  std::string tenant;
  std::string id;
  std::string state;   // JSON
  std::int64_t seq = 0;  // load order within the tenant (account-level events go in this order)
};

struct TimerRow {
  std::int64_t id = 0;  // assigned by the processor; equal due times fire in id order
  std::string tenant;
  engine::TimerRequest timer;  // timer.due is when it fires
};

// The event log: every accepted event, kept so history can be replayed.
struct EventRow {
  std::int64_t id = 0;
  std::string tenant;
  engine::TimePoint at = 0;
  engine::TimePoint received_at = 0;
  std::string idempotency_key;  // may be empty
  std::string body;             // the event as received (JSON, without the key)
};

// Skipped: routed to no connector (`"routes": {"score": []}`); kept for the record.
enum class OutboxStatus : std::uint8_t { Pending, Claimed, Delivered, Dead, Skipped };
const char* outbox_status_name(OutboxStatus status);

struct OutboxRow {
  std::int64_t id = 0;
  std::string tenant;
  std::string lead;
  std::string action;           // the effect's action: email, webhook, assign, ...
  std::string idempotency_key;  // stable per effect: receivers dedupe by it
  std::string payload;          // the effect as its JSONL line
  OutboxStatus status = OutboxStatus::Pending;
  std::int64_t attempts = 0;
  engine::TimePoint next_attempt_at = 0;
  std::string last_error;
  // The connector this row is delivered to; empty until the relay routes it. An effect routed to
  // several connectors becomes one row per connector, all with the effect's idempotency key.
  std::string connector;
};

struct AuditRow {
  std::string tenant;
  engine::TimePoint at = 0;
  std::string lead;
  std::string workflow;
  std::string action;     // what the effect was (email, sms, assign, blocked, ...)
  std::string channel;
  std::string recipient;
  std::string content_hash;  // FNV-1a 64 of the payload, hex
  // At commit: "recorded" or "blocked: REASON"; when the relay is done with a row:
  // "delivered: CONNECTOR" or "dead: CONNECTOR: ERROR" (at = when).
  std::string outcome;
};

// What one delivery attempt of an outbox row came to: Delivered (at = when), Pending (retry at
// `at`) or Dead (dead-lettered at `at`).
struct OutboxOutcome {
  std::int64_t id = 0;
  OutboxStatus status = OutboxStatus::Delivered;
  engine::TimePoint at = 0;
  std::string error;
  // The audit trail's record of a final outcome (delivered, dead-lettered), written in the same
  // transaction, and only while the row is still there: an erasure (`forget`) that deleted the
  // row meanwhile leaves no new trace of the person.
  std::optional<AuditRow> audit;
};

struct IdempotencyRow {
  std::string tenant;
  std::string key;
  std::int64_t event_id = 0;
};

// What one transaction writes.
struct Batch {
  std::vector<LeadRow> leads;                                   // upserts
  std::vector<std::pair<std::string, std::string>> tenants;     // tenant -> state JSON, upserts
  std::vector<TimerRow> timers_added;
  std::vector<std::int64_t> timers_deleted;                     // fired (or stale) timers
  std::vector<EventRow> events;
  std::vector<OutboxRow> outbox;
  std::vector<AuditRow> audit;
  std::vector<IdempotencyRow> keys;

  bool empty() const {
    return leads.empty() && tenants.empty() && timers_added.empty() && timers_deleted.empty() &&
           events.empty() && outbox.empty() && audit.empty() && keys.empty();
  }
  void clear() { *this = Batch{}; }
};

struct StoreStatus {
  bool ok = true;
  std::string message;  // why not, when !ok
  explicit operator bool() const { return ok; }
};

// Highest ids in use, so the processor can number new rows before they are written.
struct StoreIds {
  std::int64_t timer = 0;
  std::int64_t event = 0;
};

struct StoreCounts {
  std::int64_t leads = 0;
  std::int64_t timers = 0;
  std::int64_t events = 0;
  std::int64_t outbox_pending = 0;
  std::int64_t outbox_delivered = 0;
  std::int64_t outbox_dead = 0;
  std::int64_t audit = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // All or nothing. A failed commit leaves the store as it was before.
  [[nodiscard]] virtual StoreStatus commit(const Batch& batch) = 0;

  // Reads. They throw std::runtime_error only when the store itself fails (disk, corruption).
  virtual std::vector<LeadRow> leads() = 0;  // by tenant, then seq
  virtual std::optional<LeadRow> lead(const std::string& tenant, const std::string& id) = 0;
  virtual std::vector<std::pair<std::string, std::string>> tenants() = 0;
  virtual std::vector<TimerRow> timers() = 0;  // by due, then id
  virtual std::optional<engine::TimePoint> earliest_timer() = 0;
  virtual bool has_key(const std::string& tenant, const std::string& key) = 0;
  // Whether a suppression entry (outbox::suppression_hash, kept by `forget`) exists.
  virtual bool is_suppressed(const std::string& tenant, const std::string& hash) = 0;
  virtual std::vector<EventRow> events(const std::string& tenant) = 0;  // by id
  virtual std::vector<AuditRow> audit(const std::string& tenant) = 0;
  virtual StoreIds max_ids() = 0;
  virtual StoreCounts counts() = 0;

  // The outbox relay: rows are claimed (status Claimed, a lease until `lease_until`), then
  // delivered or failed; a claim whose lease ran out is claimable again. Never `id > cursor`:
  // a row committed late by a concurrent writer is not skipped.
  virtual std::vector<OutboxRow> claim_outbox(std::size_t limit, engine::TimePoint now,
                                              engine::TimePoint lease_until) = 0;
  // record_outbox(outcomes), then claim_outbox(...), in one transaction: a relay working through a
  // backlog records the batch it delivered in the transaction that claims the next.
  virtual std::vector<OutboxRow> record_and_claim_outbox(const std::vector<OutboxOutcome>& outcomes,
                                                         std::size_t limit, engine::TimePoint now,
                                                         engine::TimePoint lease_until) = 0;
  // Gives every unrouted row (connector empty) its connectors, in one transaction: the row takes
  // the first, a copy is added for each other one, and a row with no connector is dropped
  // (status Skipped). Returns how many rows were routed.
  using OutboxRoutes = std::function<std::vector<std::string>(const std::string& action)>;
  virtual std::size_t route_outbox(const OutboxRoutes& routes) = 0;
  // Claims left by a process that is gone (killed mid-delivery) go back to pending, due at once,
  // instead of waiting out their lease; their attempts stay counted. Only for the one process that
  // owns the store (serve holds an exclusive lock on it). Returns how many were released.
  virtual std::size_t release_claims() = 0;
  // When the next pending row falls due, or a claimed row's lease runs out.
  virtual std::optional<engine::TimePoint> next_outbox_attempt() = 0;
  virtual std::vector<OutboxRow> outbox(const std::string& tenant) = 0;  // by id
  virtual void mark_delivered(std::int64_t id, engine::TimePoint now) = 0;
  virtual void mark_failed(std::int64_t id, engine::TimePoint retry_at, const std::string& error, bool dead) = 0;
  // Several outcomes in one transaction (one fsync for a whole batch of deliveries), with their
  // audit rows.
  virtual void record_outbox(const std::vector<OutboxOutcome>& outcomes) = 0;

  // Sources of every Program version runs were started on, so a run pinned to a version that is no
  // longer on disk can be recompiled after a restart: version -> JSON `[[path, text], ...]`.
  virtual void save_program_version(const std::string& version, const std::string& sources) = 0;
  virtual std::optional<std::string> program_version(const std::string& version) = 0;
};

enum class Durability : std::uint8_t {
  Full,     // synchronous=FULL in WAL: an answered event survives power loss
  Process,  // synchronous=NORMAL in WAL: survives a process crash; the last commits may be lost on power loss
};

struct SqliteOptions {
  Durability durability = Durability::Full;
  int schema_version = 0;  // 0: the latest; tests open older schemas to check migrations
  // When set, this connection never checkpoints the WAL itself (SQLite's automatic checkpoint
  // runs inside the committing COMMIT); after each commit it reports the WAL's size in pages here,
  // and another connection checkpoints (runtime/store/wal_checkpointer.hpp). Called on the
  // committing thread: keep it cheap.
  std::function<void(int wal_pages)> wal_pages;
};

// Opens (creating on first start) and migrates the database. Throws std::runtime_error when the
// file cannot be opened or a migration fails.
std::unique_ptr<Store> open_sqlite(const std::string& path, const SqliteOptions& options = {});

// The schema version the file is at (0 for a new file); for tests and `leadflow serve` logs.
int sqlite_schema_version(const std::string& path);
inline constexpr int latest_schema_version = 4;

// Test hook: the next commit of a SQLite store fails after writing about half of its rows.
void fail_next_commit_for_tests(Store& store);

}  // namespace leadflow::runtime::store
