// Checkpoints a SQLite WAL database from a thread and connection of its own, so that the
// connection answering requests never copies the WAL into the database itself.
//
// SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL over its threshold, on
// the committing thread: with 16,384 pages that COMMIT copies 64 MiB and syncs the database file,
// and every request waiting on that thread waits with it (the tail of speed-to-lead, issue 5 item
// 10b). Here the writer only reports the WAL's size after each commit (`SqliteOptions::wal_pages`);
// past the threshold this thread copies the pages with a PASSIVE checkpoint, which takes no lock a
// writer needs, then runs a RESTART checkpoint for the few pages committed meanwhile, so that the
// next commit starts the WAL file from its beginning again. Only that short second step holds the
// writers off. A WAL that cannot be checkpointed (a reader holding an old snapshot) stays as it is
// and is tried again after the next commit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace leadflow::runtime::store {

struct WalCheckpointCounters {
  std::uint64_t checkpoints = 0;     // PASSIVE + RESTART rounds that ran
  std::uint64_t pages_copied = 0;    // pages written back into the database file
  std::uint64_t wal_restarts = 0;    // rounds after which the next commit starts the WAL anew
  std::uint64_t failures = 0;        // rounds SQLite refused (logged)
};

class WalCheckpointer {
 public:
  // `threshold_pages`: the WAL size that starts a round (SQLite's own default is 1,000; serve's is
  // 2,048: a larger WAL copies a page rewritten by many commits once, but the database file's sync
  // after a 64 MiB copy held up the WAL syncs of the commits beside it for tens of milliseconds).
  WalCheckpointer(std::string path, int threshold_pages);
  ~WalCheckpointer();  // finishes the round in progress, then joins
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // From the writer's thread after each commit: the WAL's size in pages. Wakes the checkpoint
  // thread when past the threshold; otherwise an atomic store.
  void wal_grew(int pages);
  WalCheckpointCounters counters() const;

 private:
  void loop();
  bool round();  // whether the WAL was restarted

  const std::string path_;
  const int threshold_pages_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool round_requested_ = false;
  bool stopping_ = false;
  WalCheckpointCounters counters_;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace leadflow::runtime::store
