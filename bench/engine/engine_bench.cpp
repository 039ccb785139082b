// Engine throughput (issue 3 item 11a): the real Engine against a hand-written loop on the same
// event stream (scoring + round-robin routing + one cadence), single thread, events per second.
//
// Both replay the stream in time order and fire due timers before each event, as the dry-run
// simulator does. Before timing, both replays run once and must agree on every lead's final
// score, owner and cadence state and on the effect counts; the binary aborts otherwise.
// At the end it prints the ratio of the two throughputs (target: engine within 3x).
//
//   build-e5/bench/engine/engine_bench [--leads N] [google benchmark flags]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "bench/engine/hand_loop.hpp"
#include "bench/engine/workload.hpp"
#include "dsl/compiler.hpp"
#include "engine/engine.hpp"
#include "engine/program.hpp"

namespace {

using namespace leadflow;
using bench::EventType;
using bench::Workload;

std::uint32_t g_leads = 2000;

const Workload& workload() {
  static const Workload w = bench::make_workload(g_leads);
  return w;
}

std::shared_ptr<const engine::Program> compile_workload() {
  dsl::CompileOptions options;
  options.warnings = false;
  auto c = dsl::compile_text("engine_bench.flow", bench::workload_flow, options);
  if (!c->program) {
    for (const auto& d : c->diagnostics.diagnostics()) std::fprintf(stderr, "engine_bench.flow: %s\n", d.message.c_str());
    std::abort();
  }
  return c->program;
}

// A timer in the replay queue: due time, then insertion order, as in runtime/simulator.
struct Queued {
  std::int64_t due = 0;
  std::uint64_t seq = 0;
  std::uint32_t index = 0;  // into the replay's timer table
  bool operator>(const Queued& o) const { return due != o.due ? due > o.due : seq > o.seq; }
};
using TimerQueue = std::priority_queue<Queued, std::vector<Queued>, std::greater<Queued>>;

struct Totals {
  std::uint64_t events = 0;
  std::uint64_t timers_fired = 0;
  std::uint64_t effects = 0;
};

// ---------------------------------------------------------------- the real engine

struct EngineReplay {
  std::shared_ptr<const engine::Program> program = compile_workload();
  engine::Directory directory;
  // No trace lines: the hand loop builds none, and dry-run (without --trace) and serve run so.
  engine::Engine eng{program, directory, {}, engine::EngineOptions{.trace = false}};
  std::vector<engine::LeadState> leads;
  engine::TenantState tenant;
  std::vector<engine::Event> events;  // the stream, pre-built: id strings and data records
  struct Timer {
    std::uint32_t lead;
    engine::TimerRequest request;
  };
  std::vector<Timer> timers;
  TimerQueue queue;
  std::uint64_t seq = 0;
  std::map<std::string, std::uint64_t> effects_by_action;  // filled when `count_actions`
  bool count_actions = false;
  engine::StepResult step;  // one call's output, reused as the simulator does

  explicit EngineReplay(const Workload& w) {
    const std::int32_t types[] = {program->event_index("form_submitted"), program->event_index("email_opened"),
                                  program->event_index("pricing_page_view"), program->event_index("replied")};
    for (std::int32_t t : types) {
      if (t < 0) std::abort();
    }
    for (const bench::StreamEvent& s : w.events) {
      engine::Event ev;
      ev.at = s.at;
      ev.type = types[static_cast<int>(s.type)];
      ev.lead = w.leads[s.lead].id;
      ev.data.resize(program->events[static_cast<std::size_t>(ev.type)].fields.size());
      events.push_back(std::move(ev));
    }
  }

  void reset(const Workload& w) {
    leads.assign(w.leads.size(), engine::LeadState{});
    const engine::Slot id = program->lead_slot("id"), email = program->lead_slot("email"),
                       employees = program->lead_slot("employees"), country = program->lead_slot("country");
    for (std::size_t i = 0; i < w.leads.size(); ++i) {
      engine::LeadState& l = leads[i];
      l.tenant = "default";
      l.fields.resize(program->lead_fields.size());
      l.fields[static_cast<std::size_t>(id)] = engine::Value::string(w.leads[i].id);
      l.fields[static_cast<std::size_t>(email)] = engine::Value::string(w.leads[i].email);
      l.fields[static_cast<std::size_t>(employees)] = engine::Value::integer(w.leads[i].employees);
      l.fields[static_cast<std::size_t>(country)] = engine::Value::string(w.leads[i].country);
    }
    tenant = engine::TenantState{};
    timers.clear();
    queue = TimerQueue{};
    seq = 0;
  }

  void take(std::uint32_t lead, Totals& totals) {
    engine::StepResult& r = step;
    totals.effects += r.effects.size();
    if (count_actions) {
      for (const engine::Effect& e : r.effects) effects_by_action[e.action]++;
    }
    for (engine::TimerRequest& t : r.timers) {
      timers.push_back({lead, std::move(t)});
      queue.push({timers.back().request.due, seq++, static_cast<std::uint32_t>(timers.size() - 1)});
    }
    r.clear();
  }

  void fire_until(std::int64_t until, Totals& totals) {
    while (!queue.empty() && queue.top().due <= until) {
      const Queued q = queue.top();
      queue.pop();
      const std::uint32_t lead = timers[q.index].lead;
      const engine::TimerRequest request = timers[q.index].request;  // take() may grow `timers`
      eng.fire(leads[lead], tenant, request, q.due, step);
      take(lead, totals);
      ++totals.timers_fired;
    }
  }

  [[gnu::noinline]] Totals replay(const Workload& w) {  // a named frame for callgrind --toggle-collect
    Totals totals;
    for (std::size_t i = 0; i < events.size(); ++i) {
      fire_until(events[i].at, totals);
      const std::uint32_t lead = w.events[i].lead;
      eng.apply(leads[lead], tenant, events[i], step);
      take(lead, totals);
      ++totals.events;
    }
    fire_until(INT64_MAX, totals);
    return totals;
  }
};

// ---------------------------------------------------------------- the hand-written loop

struct HandReplay {
  bench::HandLoop loop;
  std::vector<bench::HandTimer> timers;
  std::vector<bench::HandTimer> fresh;
  std::vector<bench::HandEffect> out;
  TimerQueue queue;
  std::uint64_t seq = 0;
  std::map<std::string, std::uint64_t> effects_by_action;
  bool count_actions = false;

  void reset(const Workload& w) {
    loop.reset(w);
    timers.clear();
    queue = TimerQueue{};
    seq = 0;
  }

  void take(Totals& totals) {
    totals.effects += out.size();
    if (count_actions) {
      static const char* const names[] = {"score", "assign", "email", "exit", "blocked"};
      for (const bench::HandEffect& e : out) effects_by_action[names[static_cast<int>(e.action)]]++;
    }
    out.clear();
    for (const bench::HandTimer& t : fresh) {
      timers.push_back(t);
      queue.push({t.due, seq++, static_cast<std::uint32_t>(timers.size() - 1)});
    }
    fresh.clear();
  }

  void fire_until(std::int64_t until, Totals& totals) {
    while (!queue.empty() && queue.top().due <= until) {
      const Queued q = queue.top();
      queue.pop();
      loop.fire(timers[q.index], q.due, out);
      take(totals);
      ++totals.timers_fired;
    }
  }

  [[gnu::noinline]] Totals replay(const Workload& w) {  // a named frame for callgrind --toggle-collect
    Totals totals;
    for (const bench::StreamEvent& ev : w.events) {
      fire_until(ev.at, totals);
      loop.apply(ev, out, fresh);
      take(totals);
      ++totals.events;
    }
    fire_until(INT64_MAX, totals);
    return totals;
  }
};

// ---------------------------------------------------------------- agreement check

void verify() {
  const Workload& w = workload();
  EngineReplay e(w);
  HandReplay h;
  e.reset(w);
  h.reset(w);
  e.count_actions = h.count_actions = true;
  const Totals te = e.replay(w), th = h.replay(w);
  bool ok = te.events == th.events && te.effects == th.effects && te.timers_fired == th.timers_fired &&
            e.effects_by_action == h.effects_by_action;
  const engine::Slot score = e.program->lead_slot("score"), owner = e.program->lead_slot("owner");
  std::size_t bad = 0;
  for (std::size_t i = 0; i < w.leads.size(); ++i) {
    const engine::LeadState& el = e.leads[i];
    const bench::HandLead& hl = h.loop.leads[i];
    const engine::Value& s = el.fields[static_cast<std::size_t>(score)];
    const engine::Value& o = el.fields[static_cast<std::size_t>(owner)];
    const bool same = s.kind() == engine::ValueKind::Int && s.as_int() == hl.score &&
                      o.as_string() == (hl.owner < 0 ? "" : bench::HandLoop::owners[static_cast<std::size_t>(hl.owner)]) &&
                      el.score_log.size() == hl.score_log.size();
    if (!same && bad++ < 5) {
      std::fprintf(stderr, "lead %s: engine score %s owner %s log %zu; hand score %lld owner %d log %zu\n",
                   w.leads[i].id.c_str(), engine::to_trace(s).c_str(), engine::to_trace(o).c_str(),
                   el.score_log.size(), static_cast<long long>(hl.score), hl.owner, hl.score_log.size());
    }
  }
  std::fprintf(stderr, "engine_bench: %zu leads, %llu events, %llu timers fired, effects engine %llu / hand %llu (",
               w.leads.size(), static_cast<unsigned long long>(te.events),
               static_cast<unsigned long long>(te.timers_fired), static_cast<unsigned long long>(te.effects),
               static_cast<unsigned long long>(th.effects));
  for (const auto& [action, n] : e.effects_by_action) {
    std::fprintf(stderr, " %s %llu/%llu", action.c_str(), static_cast<unsigned long long>(n),
                 static_cast<unsigned long long>(h.effects_by_action[action]));
  }
  std::fprintf(stderr, " )\n");
  if (!ok || bad != 0) {
    std::fprintf(stderr, "engine_bench: the engine and the hand loop disagree (%zu leads differ)\n", bad);
    std::exit(1);
  }
}

// ---------------------------------------------------------------- benchmarks

void BM_Engine(benchmark::State& state) {
  const Workload& w = workload();
  EngineReplay e(w);
  Totals totals;
  for (auto _ : state) {
    state.PauseTiming();
    e.reset(w);
    state.ResumeTiming();
    totals = e.replay(w);
    benchmark::DoNotOptimize(totals);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * totals.events));
  state.counters["timers/event"] = static_cast<double>(totals.timers_fired) / static_cast<double>(totals.events);
  state.counters["effects/event"] = static_cast<double>(totals.effects) / static_cast<double>(totals.events);
}
BENCHMARK(BM_Engine)->Unit(benchmark::kMillisecond);

void BM_HandLoop(benchmark::State& state) {
  const Workload& w = workload();
  HandReplay h;
  Totals totals;
  for (auto _ : state) {
    state.PauseTiming();
    h.reset(w);
    state.ResumeTiming();
    totals = h.replay(w);
    benchmark::DoNotOptimize(totals);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * totals.events));
  state.counters["timers/event"] = static_cast<double>(totals.timers_fired) / static_cast<double>(totals.events);
  state.counters["effects/event"] = static_cast<double>(totals.effects) / static_cast<double>(totals.events);
}
BENCHMARK(BM_HandLoop)->Unit(benchmark::kMillisecond);

// Prints the usual table, then events/s of each and their ratio.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      auto it = r.counters.find("items_per_second");
      if (it == r.counters.end()) continue;
      // Repetitions: keep the median when aggregates are reported, else the last run.
      const std::string name = r.run_name.function_name;
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name != "median") continue;
      rates_[name] = it->second.value;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    auto e = rates_.find("BM_Engine"), h = rates_.find("BM_HandLoop");
    if (e == rates_.end() || h == rates_.end()) return;
    std::printf("engine %.0f events/s, hand loop %.0f events/s: the engine is %.2fx slower (target: within 3x)\n",
                e->second, h->second, h->second / e->second);
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--leads") == 0) {
      g_leads = static_cast<std::uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
      for (int j = i; j + 2 <= argc; ++j) argv[j] = argv[j + 2];
      argc -= 2;
      break;
    }
  }
  verify();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
