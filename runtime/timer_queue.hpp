// The simulator's pending timers, popped in (time, sequence) order: the order a binary heap of
// all of them would give, without one. A 100,000-lead dry run keeps around a million timers
// pending, and sifting a heap that size was a tenth of the run in cache misses. Timers are kept
// in buckets by day instead; only the earliest days' timers are in a heap (a few thousand), the
// later days' ones are appended to their bucket until their day comes. Timers due after the
// run's end are not kept at all: they would never fire.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/engine.hpp"

namespace leadflow::runtime {

class TimerQueue {
 public:
  struct Item {
    engine::TimePoint at = 0;
    std::uint64_t seq = 0;   // the order of push(): earlier first at equal times
    std::uint32_t slot = 0;  // the caller's
  };

  // Timers from `start` (none may be earlier) to `until` (later ones are dropped).
  TimerQueue(engine::TimePoint start, engine::TimePoint until);

  // `at` is not before `start`, nor before the time of the last item popped.
  void push(engine::TimePoint at, std::uint32_t slot);
  bool empty() const { return size_ == 0; }
  // The earliest item; only when !empty().
  const Item& top();
  void pop();

 private:
  std::size_t bucket_of(engine::TimePoint at) const;
  static bool later(const Item& a, const Item& b) { return a.at != b.at ? a.at > b.at : a.seq > b.seq; }

  engine::TimePoint start_ = 0, until_ = 0;
  engine::TimePoint bucket_seconds_ = 86400;
  std::vector<std::vector<Item>> buckets_;  // unordered until moved into heap_
  std::size_t current_ = 0;                 // buckets_ up to this one are in heap_
  std::vector<Item> heap_;                  // every item due up to the end of bucket current_
  std::size_t size_ = 0;
  std::uint64_t seq_ = 0;
};

}  // namespace leadflow::runtime
