#include "runtime/store/wal_checkpointer.hpp"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <thread>
#include <utility>

namespace leadflow::runtime::store {
namespace {

struct CloseConnection {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Connection = std::unique_ptr<sqlite3, CloseConnection>;

// The RESTART step takes the write lock and then waits for readers still on the old WAL while
// holding it: every commit waits as long. So it gives up after about 2 ms (the pages are copied
// anyway; the restart is tried again after a later commit) instead of SQLite's busy timeout.
int give_up_after_2ms(void*, int tries) {
  if (tries >= 20) return 0;
  std::this_thread::sleep_for(std::chrono::microseconds(100));
  return 1;
}

}  // namespace

WalCheckpointer::WalCheckpointer(std::string path, int threshold_pages)
    : path_(std::move(path)), threshold_pages_(threshold_pages), thread_([this] { loop(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalCheckpointer::wal_grew(int pages) {
  if (pages < threshold_pages_) return;
  {
    std::lock_guard lock(mutex_);
    if (round_requested_) return;
    round_requested_ = true;
  }
  wake_.notify_one();
}

WalCheckpointCounters WalCheckpointer::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void WalCheckpointer::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return round_requested_ || stopping_; });
    if (stopping_) return;
    lock.unlock();
    const bool restarted = round();
    lock.lock();
    // A restart refused (the writer busy for 2 ms) is tried again after the next commit; not at
    // once, or a busy server would see back-to-back rounds.
    if (!restarted) wake_.wait_for(lock, std::chrono::milliseconds(10), [this] { return stopping_; });
    // Cleared after the round, not before: commits made during it reported the WAL as it was before
    // the restart, and the first commit after a successful restart reports a small one.
    round_requested_ = false;
  }
}

bool WalCheckpointer::round() {
  sqlite3* raw = nullptr;
  // Opened per round: a connection kept open between rounds would hold the WAL's shared memory and
  // file open for nothing, and a round is rare (every threshold pages of commits).
  if (sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    spdlog::warn("wal checkpoint: cannot open {}: {}", path_, raw != nullptr ? sqlite3_errmsg(raw) : "out of memory");
    sqlite3_close(raw);
    std::lock_guard lock(mutex_);
    ++counters_.failures;
    return false;
  }
  Connection db(raw);
  // A new connection learns that the file is in WAL mode only from its first read; until then a
  // checkpoint does nothing (and says so with -1 pages). This read is that first one.
  if (sqlite3_exec(db.get(), "PRAGMA schema_version", nullptr, nullptr, nullptr) != SQLITE_OK) {
    spdlog::warn("wal checkpoint: cannot read {}: {}", path_, sqlite3_errmsg(db.get()));
    std::lock_guard lock(mutex_);
    ++counters_.failures;
    return false;
  }
  sqlite3_busy_handler(db.get(), give_up_after_2ms, nullptr);
  int wal_pages = 0;
  int copied = 0;
  // The bulk of the copy, beside the writer: PASSIVE takes no lock a commit needs.
  int rc = sqlite3_wal_checkpoint_v2(db.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied);
  bool restarted = false;
  if (rc == SQLITE_OK) {
    // What was committed during the copy, then the WAL starts over at the next commit. This step
    // holds the writer off for the few pages left and the database file's sync.
    int restart_pages = 0;
    int restart_copied = 0;
    rc = sqlite3_wal_checkpoint_v2(db.get(), nullptr, SQLITE_CHECKPOINT_RESTART, &restart_pages, &restart_copied);
    if (rc == SQLITE_OK) {
      restarted = true;
      copied = restart_copied;  // counts every page of the log, the PASSIVE ones included
    } else if (rc == SQLITE_BUSY) {
      rc = SQLITE_OK;  // a reader on an old snapshot: the pages are copied, the restart waits for a later round
    }
  }
  std::lock_guard lock(mutex_);
  if (rc == SQLITE_OK && wal_pages < 0) {
    rc = SQLITE_ERROR;  // not in WAL mode: nothing this thread can do, and it must not look done
  }
  if (rc != SQLITE_OK) {
    ++counters_.failures;
    spdlog::warn("wal checkpoint of {} failed: {}", path_, sqlite3_errmsg(db.get()));
    return false;
  }
  ++counters_.checkpoints;
  counters_.pages_copied += static_cast<std::uint64_t>(copied > 0 ? copied : 0);
  if (restarted) ++counters_.wal_restarts;
  return restarted;
}

}  // namespace leadflow::runtime::store
