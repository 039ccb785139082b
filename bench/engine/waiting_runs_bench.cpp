// Memory per waiting run (issue 3 item 11c): N leads (default 1,000,000) with the standard
// schema, held as the dry-run simulator holds them, each with one run parked in a 180-day wait.
// Resident set (/proc/self/statm) is read before the leads exist, after they are loaded, and
// after the engine has parked a run on each, so the lead itself and the waiting run are
// reported apart; the run's share is split further with sizeof and malloc's chunk sizes.
//
//   build-e5/bench/engine/waiting_runs_bench [N]
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "dsl/compiler.hpp"
#include "engine/engine.hpp"
#include "engine/program.hpp"

namespace {

using namespace leadflow;

std::int64_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// The simulator's bookkeeping for one timer (runtime/simulator.hpp: `Item` in the queue and the
// `StoredTimer` in `timers_`, which points at the lead's entry instead of copying its id), and its
// map entry for a lead (`LeadEntry` in `entries_`).
struct QueueItem {
  engine::TimePoint at = 0;
  std::uint64_t seq = 0;
  std::uint32_t index = 0;
  std::uint8_t kind = 0;
  bool operator>(const QueueItem& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};
struct LeadEntry {
  engine::LeadState state;
  bool loaded = false;
};
struct StoredTimer {
  LeadEntry* entry = nullptr;
  std::uint64_t run_id = 0;
  std::uint64_t generation = 0;
  std::int32_t index = engine::no_index;
  engine::TimerKind kind = engine::TimerKind::RunWake;
};

// malloc_usable_size + 8 bytes of header, as glibc rounds a request (>= 32 bytes per chunk).
std::size_t chunk(std::size_t request) {
  std::size_t n = (request + 8 + 15) & ~std::size_t{15};
  return n < 32 ? 32 : n;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  // The standard schema (stdlib-workflows/schema.flow) and one workflow that parks every lead.
  const std::string path = std::string(LEADFLOW_SOURCE_DIR) + "/stdlib-workflows/waiting_runs_bench.flow";
  dsl::CompileOptions options;
  options.warnings = false;
  auto c = dsl::compile_text(path, R"(
import "schema.flow"
workflow parked {
  when form_submitted
  wait 180d
  send email "still_there"
}
)", options);
  if (!c->program) {
    for (const auto& d : c->diagnostics.diagnostics()) std::fprintf(stderr, "%s\n", d.message.c_str());
    return 1;
  }
  std::shared_ptr<const engine::Program> program = c->program;
  const engine::Program& p = *program;
  engine::Directory directory;
  engine::Engine eng(program, directory);
  engine::TenantState tenant;
  const engine::TimePoint start = 1767571200;  // 2026-01-05T00:00:00Z

  auto slot = [&](const char* name) {
    engine::Slot s = p.lead_slot(name);
    if (s < 0) {
      std::fprintf(stderr, "no lead field `%s`\n", name);
      std::exit(1);
    }
    return static_cast<std::size_t>(s);
  };
  const std::size_t s_id = slot("id"), s_email = slot("email"), s_first = slot("first_name"),
                    s_last = slot("last_name"), s_company = slot("company"), s_title = slot("title"),
                    s_country = slot("country"), s_employees = slot("employees"), s_created = slot("created_at"),
                    s_domain = slot("domain");
  engine::Event ev;
  ev.type = p.event_index("form_submitted");
  ev.data.resize(p.events[static_cast<std::size_t>(ev.type)].fields.size());

  malloc_trim(0);
  const std::int64_t rss0 = rss_bytes();

  // 1. The leads, loaded as the simulator loads them: a map from id to entry, the fields vector
  //    sized to the schema, typical values (short strings stay inline in std::string, but every
  //    string Value has its own counted block), then Engine::load.
  std::map<std::string, LeadEntry> entries;
  std::vector<std::string> order;
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::string id = "L-" + std::to_string(i + 1);
    LeadEntry& e = entries[id];
    e.loaded = true;
    e.state.tenant = "default";
    e.state.fields.resize(p.lead_fields.size());
    auto& f = e.state.fields;
    f[s_id] = engine::Value::string(id);
    f[s_email] = engine::Value::string("ana.garcia" + std::to_string(i % 1000) + "@acme" + std::to_string(i % 997) + ".com");
    f[s_first] = engine::Value::string("Ana");
    f[s_last] = engine::Value::string("García");
    f[s_company] = engine::Value::string("Acme Analytics GmbH");
    f[s_title] = engine::Value::string("VP Sales");
    f[s_country] = engine::Value::string("DE");
    f[s_employees] = engine::Value::integer(120);
    f[s_created] = engine::Value::time(start);
    f[s_domain] = engine::Value::string("acme" + std::to_string(i % 997) + ".com");
    // As Simulator::load does: the engine derives what a lead has from the start (score 0, the
    // email's domain), so that is the lead's memory, not the run's.
    engine::StepResult loaded = eng.load(e.state, tenant, start);
    if (!loaded.timers.empty()) {
      std::fprintf(stderr, "loading a lead asked for %zu timers\n", loaded.timers.size());
      return 1;
    }
    order.push_back(std::move(id));
  }
  malloc_trim(0);
  const std::int64_t rss1 = rss_bytes();

  // 2. One run each, parked by the real engine in `wait 180d`; the timers it asks for are kept
  //    as the simulator keeps them (a TimerRequest in a table, an item in the queue). Effects and
  //    trace are dropped, as a sink that streams them out would.
  std::vector<StoredTimer> timers;
  std::priority_queue<QueueItem, std::vector<QueueItem>, std::greater<QueueItem>> queue;
  std::uint64_t seq = 0;
  std::size_t waiting = 0;
  for (const std::string& id : order) {
    ev.at = start + 60;
    ev.lead = id;
    LeadEntry& entry = entries[id];
    engine::StepResult r = eng.apply(entry.state, tenant, ev);
    for (const engine::TimerRequest& t : r.timers) {
      timers.push_back(StoredTimer{&entry, t.run_id, t.generation, t.index, t.kind});
      queue.push(QueueItem{t.due, seq++, static_cast<std::uint32_t>(timers.size() - 1), 2});
    }
    const auto& runs = entry.state.runs;
    waiting += runs.size() == 1 && runs[0].status == engine::RunStatus::WaitingTimer &&
               runs[0].wake_at == ev.at + 180 * 86400;
  }
  malloc_trim(0);
  const std::int64_t rss2 = rss_bytes();
  if (waiting != n || timers.size() != n) {
    std::fprintf(stderr, "expected %zu waiting runs and timers, got %zu runs and %zu timers\n", n, waiting, timers.size());
    return 1;
  }

  const double per_lead = static_cast<double>(rss1 - rss0) / static_cast<double>(n);
  const double per_run = static_cast<double>(rss2 - rss1) / static_cast<double>(n);
  const engine::LeadState& sample = entries.begin()->second.state;
  std::printf("waiting_runs_bench: %zu leads, %zu lead fields (schema.flow), one run each waiting 180 days\n", n,
              p.lead_fields.size());
  std::printf("rss: %.1f MiB before, %.1f MiB with the leads, %.1f MiB with the waiting runs\n", rss0 / 1048576.0,
              rss1 / 1048576.0, rss2 / 1048576.0);
  std::printf("per lead, loaded (LeadState + fields + map node + id): %.0f bytes\n", per_lead);
  std::printf("per waiting run (engine state + simulator timer bookkeeping): %.0f bytes\n", per_run);
  std::printf("per lead in total: %.0f bytes\n", per_lead + per_run);
  std::printf("sizes: LeadState %zu, Value %zu, fields %zu x 16 = %zu, Run %zu, timer %zu, queue item %zu\n",
              sizeof(engine::LeadState), sizeof(engine::Value), sample.fields.size(), sample.fields.size() * 16,
              sizeof(engine::Run), sizeof(StoredTimer), sizeof(QueueItem));
  // The run's share as glibc allocates it: runs vector of capacity 1, the enrollments and the
  // event arrivals (a one-entry vector each), the timer record and queue item (both in vectors
  // that grew by doubling, so amortised at their size).
  const std::size_t run_chunk = chunk(sizeof(engine::Run) * sample.runs.capacity());
  const std::size_t enroll_chunk = chunk(sizeof(engine::IndexMap<engine::Enrollment>::value_type));
  const std::size_t seen_chunk = chunk(sizeof(engine::IndexMap<engine::EventSeen>::value_type));
  std::printf("estimate: run %zu (runs capacity %zu) + enrollment %zu + event arrivals %zu + timer %zu + queue item %zu"
              " = %zu bytes\n",
              run_chunk, sample.runs.capacity(), enroll_chunk, seen_chunk, sizeof(StoredTimer), sizeof(QueueItem),
              run_chunk + enroll_chunk + seen_chunk + sizeof(StoredTimer) + sizeof(QueueItem));
  std::printf("other lead state touched by the event: score_log %zu, held %zu, fit_points %zu\n",
              sample.score_log.size(), sample.held.size(), sample.fit_points.size());
  return 0;
}
