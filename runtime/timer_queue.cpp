// Day buckets in front of a small heap; see timer_queue.hpp.
#include "runtime/timer_queue.hpp"

#include <algorithm>

namespace leadflow::runtime {

namespace {

// More buckets than this (a --until years away) and each bucket spans more than a day.
constexpr engine::TimePoint max_buckets = 4096;

}  // namespace

TimerQueue::TimerQueue(engine::TimePoint start, engine::TimePoint until) : start_(start), until_(until) {
  const engine::TimePoint span = until > start ? until - start : 0;
  bucket_seconds_ = std::max<engine::TimePoint>(86400, span / max_buckets + 1);
  buckets_.resize(static_cast<std::size_t>(span / bucket_seconds_) + 1);
}

std::size_t TimerQueue::bucket_of(engine::TimePoint at) const {
  return at <= start_ ? 0 : static_cast<std::size_t>((at - start_) / bucket_seconds_);
}

void TimerQueue::push(engine::TimePoint at, std::uint32_t slot) {
  const Item item{at, seq_++, slot};
  if (at > until_) return;  // after the end of the run: it would never be popped
  ++size_;
  const std::size_t bucket = bucket_of(at);
  if (bucket <= current_) {
    heap_.push_back(item);
    std::push_heap(heap_.begin(), heap_.end(), later);
  } else {
    buckets_[bucket].push_back(item);
  }
}

const TimerQueue::Item& TimerQueue::top() {
  // Everything in heap_ is earlier than anything still in a bucket: when it runs dry, the next
  // non-empty bucket becomes the heap.
  while (heap_.empty()) {
    ++current_;
    std::vector<Item>& next = buckets_[current_];
    if (next.empty()) continue;
    heap_.swap(next);
    std::vector<Item>().swap(next);  // its memory is not needed again
    std::make_heap(heap_.begin(), heap_.end(), later);
  }
  return heap_.front();
}

void TimerQueue::pop() {
  top();
  std::pop_heap(heap_.begin(), heap_.end(), later);
  heap_.pop_back();
  --size_;
}

}  // namespace leadflow::runtime
