// Group commit in leadflow serve: staged requests become durable together, are answered only
// then, and are all forgotten when their shared commit fails.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <unistd.h>

#include "runtime/http_ingest.hpp"
#include "runtime/lead_processor.hpp"
#include "runtime/reload.hpp"
#include "runtime/store/lead_codec.hpp"
#include "runtime/store/store.hpp"

namespace fs = std::filesystem;
using namespace leadflow;
using namespace leadflow::runtime;

namespace {

struct GroupCommitDb {
  fs::path dir;
  GroupCommitDb() {
    static int n = 0;
    dir = fs::temp_directory_path() / ("leadflow-group-commit-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(dir);
  }
  ~GroupCommitDb() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string path() const { return (dir / "store.db").string(); }
};

const CompiledSet& standard_workflows() {
  static CompiledSet set = compile_workflow_set(std::string(LEADFLOW_SOURCE_DIR) + "/stdlib-workflows");
  return set;
}

const engine::TimePoint at = *engine::parse_time("2026-01-05T09:00:00Z");

std::string hot_form(const std::string& email, const std::string& key) {
  return R"({"at":"2026-01-05T09:00:00Z","type":"form_submitted","idempotency_key":")" + key +
         R"(","data":{"email":")" + email +
         R"(","first_name":"Ana","last_name":"Lima","company":"Acme","title":"CEO","country":"DE","employees":120}})";
}

}  // namespace

TEST_CASE("staged batches of several requests commit together, assign effect included", "[runtime][group-commit]") {
  REQUIRE(standard_workflows().ok());
  GroupCommitDb db;
  auto s = store::open_sqlite(db.path());
  LeadProcessor p(*s, standard_workflows().program, {});
  p.open();

  BatchOutcome first = p.stage(p.parse_events("acme", hot_form("ana@acme-corp.com", "k-1"), at).events, at, true);
  BatchOutcome second = p.stage(p.parse_events("acme", hot_form("bo@initech.io", "k-2"), at).events, at, true);
  REQUIRE(first.committed);
  REQUIRE(second.committed);
  CHECK(first.applied == 1);
  CHECK(second.applied == 1);
  CHECK(first.commit_ticket == second.commit_ticket);
  CHECK(p.commit_state(first.commit_ticket) == CommitState::Pending);
  CHECK(s->counts().events == 0);  // nothing durable yet

  // The same key again while the first is only staged is still a duplicate.
  BatchOutcome again = p.stage(p.parse_events("acme", hot_form("ana@acme-corp.com", "k-1"), at).events, at, true);
  CHECK(again.applied == 0);
  CHECK(again.duplicates == 1);

  REQUIRE(p.commit_staged().committed);
  CHECK(p.commit_state(first.commit_ticket) == CommitState::Committed);
  CHECK(s->counts().events == 2);
  CHECK(p.counters().events_applied == 2);
  // The inbound router assigns a hot lead in the step of its capture: the assign row commits in
  // the same transaction as the event, so the answer sent after it means the assignment is durable.
  std::size_t assigns = 0;
  for (const store::OutboxRow& row : s->outbox("acme")) assigns += row.action == "assign" ? 1 : 0;
  CHECK(assigns == 2);
}

TEST_CASE("a failed group commit fails every request staged in it and forgets them", "[runtime][group-commit]") {
  REQUIRE(standard_workflows().ok());
  GroupCommitDb db;
  auto s = store::open_sqlite(db.path());
  LeadProcessor p(*s, standard_workflows().program, {});
  p.open();
  BatchOutcome first = p.stage(p.parse_events("acme", hot_form("ana@acme-corp.com", "k-1"), at).events, at, true);
  BatchOutcome second = p.stage(p.parse_events("acme", hot_form("bo@initech.io", "k-2"), at).events, at, true);
  store::fail_next_commit_for_tests(*s);
  CHECK_FALSE(p.commit_staged().committed);
  CHECK(p.commit_state(first.commit_ticket) == CommitState::Failed);
  CHECK(p.commit_state(second.commit_ticket) == CommitState::Failed);
  CHECK(s->counts().events == 0);
  CHECK(p.lead_ids("acme").empty());
  CHECK(p.counters().events_applied == 0);

  // A retry with the same keys is applied: the failed attempt left no key behind.
  BatchOutcome retry = p.stage(p.parse_events("acme", hot_form("ana@acme-corp.com", "k-1"), at).events, at, true);
  CHECK(retry.applied == 1);
  CHECK(retry.commit_ticket != first.commit_ticket);
  REQUIRE(p.commit_staged().committed);
  CHECK(p.commit_state(retry.commit_ticket) == CommitState::Committed);
  CHECK(s->counts().events == 1);
}

TEST_CASE("handle_request with deferred commit answers with a ticket and commits nothing itself", "[runtime][group-commit]") {
  REQUIRE(standard_workflows().ok());
  GroupCommitDb db;
  auto s = store::open_sqlite(db.path());
  LeadProcessor p(*s, standard_workflows().program, {});
  p.open();
  ServiceConfig config;
  ApiContext context{p, config, [] { return at; }, {}, {}, {}, {}, {}};
  context.defer_commit = true;
  HttpResponse response =
      handle_request(HttpRequest{"POST", "/v1/events", "", hot_form("ana@acme-corp.com", "k-1")}, context);
  CHECK(response.status == 200);
  REQUIRE(response.commit_ticket != 0);
  CHECK(p.commit_state(response.commit_ticket) == CommitState::Pending);
  CHECK(s->counts().events == 0);
  REQUIRE(p.commit_staged().committed);
  CHECK(p.commit_state(response.commit_ticket) == CommitState::Committed);

  // Without deferral (the default) the request commits before it is answered.
  context.defer_commit = false;
  HttpResponse direct = handle_request(HttpRequest{"POST", "/v1/events", "", hot_form("bo@initech.io", "k-2")}, context);
  CHECK(direct.status == 200);
  CHECK(direct.commit_ticket == 0);
  CHECK(s->counts().events == 2);
}

TEST_CASE("a lead changed by several staged events and its timers is stored as it ends up in memory",
          "[runtime][group-commit]") {
  // The processor encodes a lead right after each change (while it is in the cache), so a lead
  // changed again later in the batch must be encoded again: what commits is the final state.
  REQUIRE(standard_workflows().ok());
  GroupCommitDb db;
  auto s = store::open_sqlite(db.path());
  LeadProcessor p(*s, standard_workflows().program, {});
  p.open();

  REQUIRE(p.stage(p.parse_events("acme", hot_form("ana@acme-corp.com", "k-1"), at).events, at, true).applied == 1);
  const std::string later =
      R"({"at":"2026-01-05T09:05:00Z","type":"product_page_view","lead":"C-1","data":{"url":"https://x.example/p"}}
{"at":"2026-01-05T09:06:00Z","type":"email_opened","lead":"C-1","data":{"template":"nurture-1"}}
{"at":"2026-01-05T09:07:00Z","type":"demo_requested","lead":"C-1","data":{"form_id":"demo-request"}})";
  const engine::TimePoint now = at + 3 * 24 * 3600;  // timers of the capture fire before the events
  REQUIRE(p.stage(p.parse_events("acme", later, now).events, now, true).applied == 3);
  BatchOutcome committed = p.fire_due(now);  // one transaction: the capture, the events, the timers
  REQUIRE(committed.committed);
  CHECK(committed.timers_fired > 0);
  CHECK(s->counts().events == 4);

  const engine::LeadState* lead = p.lead("acme", "C-1");
  REQUIRE(lead != nullptr);
  std::optional<store::LeadRow> row = s->lead("acme", "C-1");
  REQUIRE(row.has_value());
  CHECK(row->state == store::encode_lead(*lead, *standard_workflows().program));
  CHECK(row->state.find("demo_requested") != std::string::npos);
}

TEST_CASE("a batch with more rows of each kind than one multi-row insert writes them all, or none when it fails",
          "[runtime][group-commit][store]") {
  // 40 hot captures: 40 events and keys, hundreds of outbox, audit and timer rows, so every table
  // is written through full multi-row statements and a remainder of single rows.
  REQUIRE(standard_workflows().ok());
  std::string ndjson;
  for (int i = 0; i < 40; ++i) ndjson += hot_form("ana@acme-corp-" + std::to_string(i) + ".com", "k-" + std::to_string(i)) + "\n";
  for (bool fail : {false, true}) {
    GroupCommitDb db;
    auto s = store::open_sqlite(db.path());
    LeadProcessor p(*s, standard_workflows().program, {});
    p.open();
    if (fail) store::fail_next_commit_for_tests(*s);
    BatchOutcome out = p.apply(p.parse_events("acme", ndjson, at).events, at, true);
    store::StoreCounts c = s->counts();
    if (fail) {
      CHECK_FALSE(out.committed);
      CHECK(c.events == 0);
      CHECK(c.audit == 0);
      CHECK(c.timers == 0);
      CHECK(c.leads == 0);
      continue;
    }
    REQUIRE(out.committed);
    CHECK(out.applied == 40);
    CHECK(c.events == 40);
    CHECK(c.leads == 40);
    CHECK(c.audit == static_cast<std::int64_t>(out.effects));
    CHECK(c.timers == static_cast<std::int64_t>(p.pending_timers()));
    CHECK(p.pending_timers() > 32);
    CHECK(s->events("acme").back().idempotency_key == "k-39");
    // Keys of the batch are durable: the same request again is all duplicates.
    LeadProcessor again(*s, standard_workflows().program, {});
    again.open();
    CHECK(again.apply(again.parse_events("acme", ndjson, at).events, at, true).duplicates == 40);
    // An event for each of the 40 leads in one batch: 40 existing rows updated (upserts in
    // multi-row statements), each to the state in memory.
    std::string views;
    for (int i = 1; i <= 40; ++i) {
      views += R"({"at":"2026-01-05T09:10:00Z","type":"product_page_view","lead":"C-)" + std::to_string(i) +
               R"(","data":{"url":"https://x.example/p"}})" + "\n";
    }
    REQUIRE(again.apply(again.parse_events("acme", views, at + 600).events, at + 600, true).applied == 40);
    for (int i = 1; i <= 40; ++i) {
      const std::string id = "C-" + std::to_string(i);
      std::optional<store::LeadRow> row = s->lead("acme", id);
      REQUIRE(row.has_value());
      CHECK(row->state == store::encode_lead(*again.lead("acme", id), *standard_workflows().program));
      CHECK(row->state.find("product_page_view") != std::string::npos);
    }
  }
}
