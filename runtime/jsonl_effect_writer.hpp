// Writes the dry run's effects as JSON Lines (append_effect_jsonl) in the order they are given,
// optionally formatting and writing them on a second thread while the simulation goes on. The
// bytes written are the same either way; only the thread doing the work differs. The engine and
// the simulator stay on the caller's thread: effects cross over by move, in batches, through a
// bounded queue (a slow reader of the output holds the simulation back instead of the memory
// growing).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <iosfwd>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.hpp"

namespace leadflow::runtime {

class JsonlEffectWriter {
 public:
  JsonlEffectWriter(std::ostream& out, bool background);
  ~JsonlEffectWriter();  // finish()
  JsonlEffectWriter(const JsonlEffectWriter&) = delete;
  JsonlEffectWriter& operator=(const JsonlEffectWriter&) = delete;

  void add(engine::Effect&& effect);
  // Every effect added so far is written to `out` when this returns (not flushed); the second
  // thread, if any, has ended, so the caller may write to `out` again.
  void finish();

 private:
  using Batch = std::vector<engine::Effect>;
  void hand_over();
  void write_batch(Batch& batch);
  void background_loop();

  std::ostream& out_;
  std::string buffer_;  // formatted lines not yet written (only the formatting thread uses it)
  Batch batch_;         // effects not yet handed over (only the caller's thread uses it)

  // Shared with the background thread, under mutex_.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> full_;    // handed over, in order
  std::vector<Batch> spare_;  // written and emptied, for reuse
  bool done_ = false;
  std::thread thread_;  // not joinable when formatting on the caller's thread
};

}  // namespace leadflow::runtime
