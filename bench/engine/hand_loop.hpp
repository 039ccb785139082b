// The hand-written baseline of the engine benchmark: the workload of workload.hpp as plain
// structs and if-statements, with the engine's semantics (fit rules that take their points back,
// event points, 0..100 clamp, score log, enroll once, exit on reply, round robin with open-lead
// counts, suppression checked and two counters per send (the channel's per-sender count and the
// tenant's action count per day, as governance keeps them), a 2-day wake timer with a
// generation), and no interpreter, no names, no trace.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/engine/workload.hpp"

namespace leadflow::bench {

enum class HandAction : std::uint8_t { Score, Assign, Email, Exit, Blocked };

struct HandEffect {
  std::int64_t at = 0;
  std::uint32_t lead = 0;
  HandAction action = HandAction::Score;
  std::int64_t a = 0;  // score: delta; assign: owner index
  std::int64_t b = 0;  // score: new score; assign: team index
  const char* text = nullptr;  // score: reason; email: template
};

struct HandScoreEntry {
  const char* reason = nullptr;
  std::int64_t points = 0;
  std::int64_t at = 0;
};

enum class HandRunStatus : std::uint8_t { None, Waiting, Done };

struct HandLead {
  std::int64_t employees = 0;
  std::string country;
  bool has_score = false;
  std::int64_t score = 0;
  std::int64_t last_activity_at = 0;
  bool unsubscribed = false;  // suppression flags, checked before every send
  bool bounced = false;
  std::array<bool, 3> fit_on{};            // fit rule contributes
  std::array<std::int64_t, 3> fit_points{};  // what it added
  std::vector<HandScoreEntry> score_log;
  int owner = -1;  // index into HandLoop::owners
  int team = -1;
  std::uint32_t enrollments = 0;
  HandRunStatus run = HandRunStatus::None;
  std::uint64_t generation = 0;
};

struct HandTimer {
  std::int64_t due = 0;
  std::uint32_t lead = 0;
  std::uint64_t generation = 0;
};

class HandLoop {
 public:
  std::vector<HandLead> leads;
  std::array<std::size_t, 2> cursor{};          // round robin position per team (ae, dach)
  std::array<std::int64_t, 5> open_leads{};     // per owner
  std::vector<std::int64_t> sent_per_day;       // email sends by day since `start` (one sender)
  std::vector<std::int64_t> actions_per_day;    // outreach actions by day since `start`
  std::int64_t start = 0;

  static constexpr std::array<const char*, 5> owners = {"dan@example.com", "eva@example.com",
                                                        "finn@example.com", "hans@example.com",
                                                        "ida@example.com"};

  void reset(const Workload& w) {
    start = w.start;
    leads.assign(w.leads.size(), HandLead{});
    for (std::size_t i = 0; i < w.leads.size(); ++i) {
      leads[i].employees = w.leads[i].employees;
      leads[i].country = w.leads[i].country;
    }
    cursor = {};
    open_leads = {};
    sent_per_day.clear();
    actions_per_day.clear();
  }

  void apply(const StreamEvent& ev, std::vector<HandEffect>& out, std::vector<HandTimer>& timers) {
    HandLead& l = leads[ev.lead];
    now_ = ev.at;
    lead_ = ev.lead;
    l.last_activity_at = ev.at;  // every event of the workload is engagement
    l.has_score = true;
    if (ev.type == EventType::EmailOpened) add_score(l, 1, "email opened", out);
    if (ev.type == EventType::PricingPageView) add_score(l, 5, "pricing page view", out);
    rescore(l, out);
    if (ev.type == EventType::Replied && l.run == HandRunStatus::Waiting) {
      l.run = HandRunStatus::Done;
      l.generation++;
      out.push_back({now_, lead_, HandAction::Exit, 0, 0, "exit when event replied"});
    }
    if (ev.type == EventType::FormSubmitted && l.enrollments == 0) {
      l.enrollments++;
      assign(l, out);
      send(l, "welcome", out);
      l.run = HandRunStatus::Waiting;
      l.generation++;
      timers.push_back({now_ + 2 * 86400, lead_, l.generation});
    }
  }

  void fire(const HandTimer& t, std::int64_t now, std::vector<HandEffect>& out) {
    HandLead& l = leads[t.lead];
    if (l.run != HandRunStatus::Waiting || l.generation != t.generation) return;  // stale
    now_ = now;
    lead_ = t.lead;
    l.generation++;
    send(l, "follow_up", out);
    l.run = HandRunStatus::Done;
  }

 private:
  std::int64_t now_ = 0;
  std::uint32_t lead_ = 0;

  std::int64_t add_score(HandLead& l, std::int64_t delta, const char* reason, std::vector<HandEffect>& out) {
    const std::int64_t after = std::clamp<std::int64_t>(l.score + delta, 0, 100);
    const std::int64_t applied = after - l.score;
    l.score = after;
    l.score_log.push_back({reason, applied, now_});
    out.push_back({now_, lead_, HandAction::Score, applied, after, reason});
    return applied;
  }

  static bool in(std::string_view s, std::initializer_list<std::string_view> list) {
    for (std::string_view x : list) {
      if (x == s) return true;
    }
    return false;
  }

  void rescore(HandLead& l, std::vector<HandEffect>& out) {
    static const char* const reasons[3] = {"500+ employees", "100-499 employees", "target country"};
    static const char* const gone[3] = {"500+ employees (no longer holds)", "100-499 employees (no longer holds)",
                                        "target country (no longer holds)"};
    const std::int64_t points[3] = {20, 10, 10};
    const bool holds[3] = {l.employees >= 500, l.employees >= 100 && l.employees < 500,
                           in(l.country, {"US", "CA", "GB", "DE", "AT", "CH"})};
    for (int r = 0; r < 3; ++r) {
      if (holds[r] && !l.fit_on[r]) {
        l.fit_on[r] = true;
        l.fit_points[r] = add_score(l, points[r], reasons[r], out);
      } else if (!holds[r] && l.fit_on[r]) {
        l.fit_on[r] = false;
        if (l.fit_points[r] != 0) add_score(l, -l.fit_points[r], gone[r], out);
      }
    }
  }

  void assign(HandLead& l, std::vector<HandEffect>& out) {
    const bool dach = in(l.country, {"DE", "AT", "CH"});
    const int team = dach ? 1 : 0;
    const std::size_t n = dach ? 2 : 3;
    const int first = dach ? 3 : 0;
    std::size_t& c = cursor[static_cast<std::size_t>(team)];
    const int owner = first + static_cast<int>(c % n);
    c = (c % n + 1) % n;
    if (l.owner >= 0 && l.owner != owner && --open_leads[static_cast<std::size_t>(l.owner)] < 0) {
      open_leads[static_cast<std::size_t>(l.owner)] = 0;
    }
    if (l.owner != owner) ++open_leads[static_cast<std::size_t>(owner)];
    l.owner = owner;
    l.team = team;
    out.push_back({now_, lead_, HandAction::Assign, owner, team, nullptr});
  }

  void send(HandLead& l, const char* template_name, std::vector<HandEffect>& out) {
    if (l.unsubscribed || l.bounced) {  // never in this workload, but governance looks
      out.push_back({now_, lead_, HandAction::Blocked, 0, 0, l.unsubscribed ? "unsubscribed" : "bounced"});
      return;
    }
    const std::size_t day = static_cast<std::size_t>((now_ - start) / 86400);
    if (sent_per_day.size() <= day) {
      sent_per_day.resize(day + 1);
      actions_per_day.resize(day + 1);
    }
    ++sent_per_day[day];
    ++actions_per_day[day];
    out.push_back({now_, lead_, HandAction::Email, 0, 0, template_name});
  }
};

}  // namespace leadflow::bench
