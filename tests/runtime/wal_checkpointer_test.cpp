// The WAL checkpoint of `leadflow serve`, taken off the committing connection: a store opened with
// `SqliteOptions::wal_pages` never checkpoints in its own COMMIT, reports the WAL's size instead,
// and the WalCheckpointer's thread copies the pages and restarts the WAL.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <unistd.h>

#include "runtime/store/store.hpp"
#include "runtime/store/wal_checkpointer.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace leadflow;
using namespace leadflow::runtime;

namespace {

// One event row of about 4 KiB: a page or more of WAL per commit.
store::Batch event_batch(std::int64_t id) {
  store::Batch batch;
  store::EventRow event;
  event.id = id;
  event.tenant = "acme";
  event.at = 1767603600 + id;
  event.received_at = event.at;
  event.body = std::string(4000, static_cast<char>('a' + id % 26));
  batch.events.push_back(std::move(event));
  return batch;
}

template <typename Condition>
bool eventually(Condition condition) {  // waits for the checkpoint thread, not a speed assertion
  for (int i = 0; i < 2000 && !condition(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return condition();
}

}  // namespace

TEST_CASE("a store with a wal_pages hook leaves the checkpoint to the checkpointer, which restarts the WAL",
          "[store][runtime]") {
  testing::TempDir dir("leadflow-wal");
  const std::string path = dir.file("db.sqlite");
  constexpr int threshold = 64;
  store::WalCheckpointer checkpointer(path, threshold);
  std::atomic<int> last_reported{-1};
  store::SqliteOptions options;
  options.wal_pages = [&](int pages) {
    last_reported = pages;
    checkpointer.wal_grew(pages);
  };
  auto db = store::open_sqlite(path, options);

  // Below the threshold nothing happens: the WAL only grows.
  std::int64_t id = 1;
  int previous = 0;
  while (last_reported < threshold / 2) {
    REQUIRE(db->commit(event_batch(id++)).ok);
    CHECK(last_reported > previous);
    previous = last_reported;
  }
  CHECK(checkpointer.counters().checkpoints == 0);

  // Past it, the checkpointer's thread copies the WAL and restarts it: a later commit reports a
  // WAL smaller than the threshold again, which SQLite's own checkpoint (disabled) never did here.
  while (last_reported < threshold) REQUIRE(db->commit(event_batch(id++)).ok);
  REQUIRE(eventually([&] { return checkpointer.counters().wal_restarts >= 1; }));
  const store::WalCheckpointCounters counters = checkpointer.counters();
  CHECK(counters.failures == 0);
  CHECK(counters.pages_copied >= static_cast<std::uint64_t>(threshold));
  REQUIRE(db->commit(event_batch(id++)).ok);
  CHECK(last_reported < threshold);

  // Nothing was lost on the way: every event is there, in order.
  const auto events = db->events("acme");
  REQUIRE(events.size() == static_cast<std::size_t>(id - 1));
  for (std::size_t i = 0; i < events.size(); ++i) CHECK(events[i].id == static_cast<std::int64_t>(i + 1));
}
