// Writes the dry run's effects as JSON Lines (append_effect_jsonl) in the order they are given,
// optionally with the writing (the write calls, and whatever the output's reader or file system
// costs) on a second thread while the simulation goes on. The bytes written are the same either
// way. Lines are formatted on the caller's thread, where the effects were just made: formatting
// them on the second thread was measured to cost more CPU in cache traffic than it moved off the
// simulation. Chunks of output cross over through a bounded queue, so a slow reader of the
// output holds the simulation back instead of the memory growing.
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

  void add(const engine::Effect& effect);
  // Every effect added so far is written to `out` when this returns (not flushed); the second
  // thread, if any, has ended, so the caller may write to `out` again.
  void finish();

 private:
  void hand_over();  // buffer_ to the second thread (or straight to out_ without one)
  void background_loop();

  std::ostream& out_;
  std::string buffer_;  // formatted lines not yet handed over

  // Shared with the background thread, under mutex_.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> full_;    // handed over, in order
  std::vector<std::string> spare_;  // written, for reuse
  bool done_ = false;
  std::thread thread_;  // not joinable when writing on the caller's thread
};

}  // namespace leadflow::runtime
