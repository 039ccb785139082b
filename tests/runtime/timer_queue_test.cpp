// TimerQueue pops in exactly the (time, push order) order of one heap of every timer, drops
// timers due after the end, and takes timers pushed while it is being drained.
#include <catch2/catch.hpp>

#include <cstdint>
#include <queue>
#include <random>
#include <tuple>
#include <vector>

#include "runtime/timer_queue.hpp"

using leadflow::runtime::TimerQueue;

namespace {

using Reference = std::tuple<std::int64_t, std::uint64_t, std::uint32_t>;  // at, push order, slot

}  // namespace

TEST_CASE("the timer queue pops in (time, push order) order, as one heap would", "[runtime][simulator]") {
  const std::int64_t start = 1767571200, until = start + 120 * 86400;
  for (std::uint32_t seed = 1; seed <= 5; ++seed) {
    std::mt19937_64 random(seed);
    TimerQueue queue(start, until);
    std::priority_queue<Reference, std::vector<Reference>, std::greater<Reference>> reference;
    std::uint64_t pushed = 0;
    std::int64_t now = start;
    std::uint32_t slot = 0;
    auto push = [&](std::int64_t at) {
      queue.push(at, slot);
      if (at <= until) reference.emplace(at, pushed, slot);
      ++pushed;
      ++slot;
    };
    for (int i = 0; i < 2000; ++i) push(start + static_cast<std::int64_t>(random() % (150 * 86400)));
    while (!reference.empty()) {
      REQUIRE(!queue.empty());
      const TimerQueue::Item& top = queue.top();
      const auto [at, order, expected_slot] = reference.top();
      REQUIRE(top.at == at);
      REQUIRE(top.slot == expected_slot);
      now = top.at;
      queue.pop();
      reference.pop();
      // Timers asked for while running: now, later the same day, days later, past the end.
      const std::uint64_t r = random() % 8;
      if (r == 0) push(now);
      if (r == 1) push(now + static_cast<std::int64_t>(random() % 3600));
      if (r == 2) push(now + static_cast<std::int64_t>(random() % (40 * 86400)));
      if (r == 3) push(until + 1);
    }
    CHECK(queue.empty());
  }
}

TEST_CASE("the timer queue keeps equal times in push order and spans any run length", "[runtime][simulator]") {
  TimerQueue queue(0, 400LL * 365 * 86400);  // 400 years: buckets wider than a day
  queue.push(5, 1);
  queue.push(300LL * 365 * 86400, 2);
  queue.push(5, 3);
  queue.push(0, 4);
  std::vector<std::uint32_t> order;
  while (!queue.empty()) {
    order.push_back(queue.top().slot);
    queue.pop();
  }
  CHECK(order == std::vector<std::uint32_t>{4, 1, 3, 2});

  TimerQueue empty_run(100, 50);  // until before start: nothing is ever due
  empty_run.push(100, 1);
  CHECK(empty_run.empty());
}
