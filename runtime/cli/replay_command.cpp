// `leadflow replay`: rebuilds the state of a serve store from its event log into a scratch store,
// through the same LeadProcessor serve uses, and (with --check) compares leads, tenant state and
// pending timers with the live store. It is how the crash tests prove "every event answered 2xx
// was applied exactly once": a lost, doubled or half-applied batch makes the two differ.
//
// Timers fire on the wall clock between requests and the log does not record when. The replay
// reproduces what serve does, request by request: the timers due before the request's second
// fire (serve's timer woke for them), the events of the request (consecutive log rows of one
// tenant with the same `received_at`) are applied as one batch with `now` = their `received_at`
// (which fires the timers due before each event's time, as serve does), then every timer due by
// `received_at` fires, as serve's timer does right after a commit. This is exact
// when each tenant's requests are sequential and fall in different seconds (docs/operations.md,
// "How serve is tested"); two requests of a tenant in the same second replay as one batch.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <unistd.h>

#include "runtime/cli/commands.hpp"
#include "runtime/lead_processor.hpp"
#include "runtime/reload.hpp"
#include "runtime/store/store.hpp"

namespace leadflow::runtime::cli {

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

struct ReplayOptions {
  std::string db;
  std::string workflows;
  std::string into;  // the rebuilt store; empty: a scratch file removed afterwards
  std::string now;   // fire timers due by then at the end; empty: the last received_at
  bool check = false;
  std::size_t reopen_every = 0;  // re-open the processor from the store every N requests (0: never)
};

// A pending timer as both stores hold it, without its id: ids are global counters whose order
// across tenants depends on how their requests interleaved.
using TimerKey = std::tuple<std::string, std::string, engine::TimePoint, int, std::uint64_t, std::int32_t, std::uint64_t>;

std::multiset<TimerKey> timer_keys(store::Store& s) {
  std::multiset<TimerKey> out;
  for (const store::TimerRow& r : s.timers()) {
    out.insert({r.tenant, r.timer.lead, r.timer.due, static_cast<int>(r.timer.kind), r.timer.run_id, r.timer.index,
                r.timer.generation});
  }
  return out;
}

std::string timer_text(const TimerKey& k) {
  return std::get<0>(k) + "/" + std::get<1>(k) + " due " + engine::format_time(std::get<2>(k)) + " kind " +
         std::to_string(std::get<3>(k)) + " run " + std::to_string(std::get<4>(k)) + " index " +
         std::to_string(std::get<5>(k)) + " generation " + std::to_string(std::get<6>(k));
}

std::string shorten(const std::string& s) { return s.size() <= 300 ? s : s.substr(0, 300) + "..."; }

// The top-level keys of two stored JSON states that differ; "" when they are equal.
std::string json_difference(const std::string& live, const std::string& replayed) {
  json::error_code ec1, ec2;
  json::value a = json::parse(live, ec1), b = json::parse(replayed, ec2);
  if (ec1 || ec2 || !a.is_object() || !b.is_object()) return live == replayed ? "" : "  unparsable state\n";
  std::string out;
  std::set<std::string> keys;
  for (const auto& kv : a.get_object()) keys.insert(std::string(kv.key()));
  for (const auto& kv : b.get_object()) keys.insert(std::string(kv.key()));
  for (const std::string& k : keys) {
    const json::value* x = a.get_object().if_contains(k);
    const json::value* y = b.get_object().if_contains(k);
    if (x != nullptr && y != nullptr && *x == *y) continue;
    if (x != nullptr && y != nullptr && x->is_array() && y->is_array()) {
      // Long lists (score log, runs, facts): show the first entry that differs.
      const json::array &p = x->get_array(), &q = y->get_array();
      std::size_t i = 0;
      while (i < p.size() && i < q.size() && p[i] == q[i]) ++i;
      auto entry = [&](const json::array& a) { return i < a.size() ? shorten(json::serialize(a[i])) : std::string("(none)"); };
      out += "  " + k + " (" + std::to_string(p.size()) + " live, " + std::to_string(q.size()) + " replayed), first difference at [" +
             std::to_string(i) + "]: live " + entry(p) + "\n" + "  " + std::string(k.size(), ' ') + "  replay " + entry(q) + "\n";
      continue;
    }
    out += "  " + k + ": live " + (x ? shorten(json::serialize(*x)) : "(none)") + "\n" + "  " +
           std::string(k.size(), ' ') + "  replay " + (y ? shorten(json::serialize(*y)) : "(none)") + "\n";
  }
  return out;
}

// Differences between the live store and the replayed one, printed; their number.
std::size_t compare(store::Store& live, store::Store& replayed, std::ostream& out) {
  std::size_t differences = 0;
  std::map<std::pair<std::string, std::string>, store::LeadRow> a, b;
  for (store::LeadRow& r : live.leads()) a[{r.tenant, r.id}] = std::move(r);
  for (store::LeadRow& r : replayed.leads()) b[{r.tenant, r.id}] = std::move(r);
  for (const auto& [key, row] : a) {
    auto it = b.find(key);
    if (it == b.end()) {
      out << "lead " << key.first << "/" << key.second << ": in the live store, not in the replay\n";
      ++differences;
      continue;
    }
    std::string diff = json_difference(row.state, it->second.state);
    if (row.seq != it->second.seq) diff += "  seq: live " + std::to_string(row.seq) + ", replay " + std::to_string(it->second.seq) + "\n";
    if (!diff.empty()) {
      out << "lead " << key.first << "/" << key.second << " differs:\n" << diff;
      ++differences;
    }
  }
  for (const auto& [key, row] : b) {
    if (a.count(key) == 0) {
      out << "lead " << key.first << "/" << key.second << ": in the replay, not in the live store\n";
      ++differences;
    }
  }
  std::map<std::string, std::string> ta, tb;
  for (auto& [tenant, state] : live.tenants()) ta[tenant] = state;
  for (auto& [tenant, state] : replayed.tenants()) tb[tenant] = state;
  for (const auto& [tenant, state] : ta) {
    auto it = tb.find(tenant);
    std::string diff = it == tb.end() ? "  not in the replay\n" : json_difference(state, it->second);
    if (!diff.empty()) {
      out << "tenant " << tenant << " state differs:\n" << diff;
      ++differences;
    }
  }
  for (const auto& [tenant, state] : tb) {
    if (ta.count(tenant) == 0) {
      out << "tenant " << tenant << ": in the replay, not in the live store\n";
      ++differences;
    }
  }
  std::multiset<TimerKey> pa = timer_keys(live), pb = timer_keys(replayed);
  std::vector<TimerKey> only_live, only_replay;
  std::set_difference(pa.begin(), pa.end(), pb.begin(), pb.end(), std::back_inserter(only_live));
  std::set_difference(pb.begin(), pb.end(), pa.begin(), pa.end(), std::back_inserter(only_replay));
  for (const TimerKey& k : only_live) out << "timer pending only in the live store: " << timer_text(k) << '\n';
  for (const TimerKey& k : only_replay) out << "timer pending only in the replay: " << timer_text(k) << '\n';
  differences += only_live.size() + only_replay.size();
  return differences;
}

int run_replay(const ReplayOptions& options, std::ostream& out, std::ostream& err) {
  if (!fs::exists(options.db)) {
    err << "leadflow: error: cannot read '" << options.db << "': " << unreadable_reason(options.db) << '\n';
    return exit_usage;
  }
  CompiledSet set = compile_workflow_set(options.workflows);
  if (!set.ok()) {
    err << set.diagnostics;
    return exit_input_errors;
  }
  engine::Directory directory;
  if (!load_owners({options.workflows}, directory, err)) return exit_input_errors;
  std::optional<engine::TimePoint> end_time;
  if (!options.now.empty()) {
    end_time = engine::parse_time(options.now);
    if (!end_time) {
      err << "leadflow: error: --now: expected a time like 2026-01-05T09:00:00Z, got '" << options.now << "'\n";
      return exit_usage;
    }
  }

  std::string into = options.into;
  const bool scratch = into.empty();
  if (scratch) into = (fs::temp_directory_path() / ("leadflow-replay-" + std::to_string(::getpid()) + ".db")).string();
  else if (fs::exists(into)) {
    err << "leadflow: error: --into '" << into << "' exists; the replay writes a new store\n";
    return exit_usage;
  }
  struct Cleanup {
    std::string path;
    bool active;
    ~Cleanup() {
      if (!active) return;
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
    }
  } cleanup{into, scratch};

  std::unique_ptr<store::Store> live, rebuilt;
  try {
    live = store::open_sqlite(options.db);
    rebuilt = store::open_sqlite(into, store::SqliteOptions{store::Durability::Process, 0});
  } catch (const std::exception& e) {
    err << "leadflow: error: " << e.what() << '\n';
    return exit_usage;
  }

  std::vector<store::EventRow> log;
  for (const auto& [tenant, state] : live->tenants()) {
    for (store::EventRow& row : live->events(tenant)) log.push_back(std::move(row));
  }
  std::sort(log.begin(), log.end(), [](const store::EventRow& a, const store::EventRow& b) { return a.id < b.id; });

  auto processor_ptr = std::make_unique<LeadProcessor>(*rebuilt, set.program, directory);
  processor_ptr->open();
  std::size_t batches = 0, applied = 0, timers_fired = 0, problems = 0;
  for (std::size_t i = 0; i < log.size();) {
    if (options.reopen_every > 0 && batches > 0 && batches % options.reopen_every == 0) {
      // What a restart does: the processor forgets its memory and reads the store again.
      processor_ptr = std::make_unique<LeadProcessor>(*rebuilt, set.program, directory);
      processor_ptr->open();
    }
    LeadProcessor& processor = *processor_ptr;
    // Timers due in an earlier second fired on serve's clock before this request arrived.
    BatchOutcome before = processor.fire_due(log[i].received_at - 1);
    timers_fired += before.timers_fired;
    std::size_t j = i;
    std::vector<IncomingEvent> batch;
    while (j < log.size() && log[j].tenant == log[i].tenant && log[j].received_at == log[i].received_at) {
      ParsedEvents parsed = processor.parse_events(log[j].tenant, log[j].body, log[j].received_at, 64);
      for (const InputError& e : parsed.errors) {
        err << options.db << ": event " << log[j].id << ": " << (e.field.empty() ? "" : e.field + ": ") << e.message << '\n';
        ++problems;
      }
      for (IncomingEvent& in : parsed.events) {
        in.idempotency_key = log[j].idempotency_key;
        batch.push_back(std::move(in));
      }
      ++j;
    }
    BatchOutcome outcome = processor.apply(std::move(batch), log[i].received_at, false);
    for (const InputError& e : outcome.errors) {
      err << options.db << ": event near " << log[i].id << ": " << e.field << ": " << e.message << '\n';
      ++problems;
    }
    BatchOutcome fired = processor.fire_due(log[i].received_at);
    if (!before.committed || !outcome.committed || !fired.committed) {
      err << "leadflow: error: the scratch store refused a batch: " << before.error << outcome.error << fired.error << '\n';
      return exit_input_errors;
    }
    applied += outcome.applied;
    timers_fired += outcome.timers_fired + fired.timers_fired;
    ++batches;
    i = j;
  }
  if (!end_time && !log.empty()) end_time = log.back().received_at;
  LeadProcessor& processor = *processor_ptr;
  if (end_time) timers_fired += processor.fire_due(*end_time).timers_fired;

  out << "replayed " << applied << " events of " << log.size() << " logged, in " << batches << " batches; "
      << timers_fired << " timers fired; " << rebuilt->counts().leads << " leads, " << processor.pending_timers()
      << " timers pending\n";
  if (problems > 0) {
    err << "leadflow: error: " << problems << " logged events could not be replayed\n";
    return exit_input_errors;
  }
  if (!options.check) return exit_ok;
  std::size_t differences = compare(*live, *rebuilt, out);
  if (differences > 0) {
    out << differences << " differences between the live store and the replay\n";
    return exit_input_errors;
  }
  out << "the live store equals the replay of its event log\n";
  return exit_ok;
}

}  // namespace

Command add_replay_command(CLI::App& app) {
  auto options = std::make_shared<ReplayOptions>();
  CLI::App* sub = app.add_subcommand("replay", "Rebuild a serve store from its event log; --check compares it with the store");
  sub->add_option("--db", options->db, "The store leadflow serve wrote (only read)")->required()->type_name("FILE");
  sub->add_option("--workflows", options->workflows, "Folder of .flow files (and owners.json) serve ran")->required()->type_name("DIR");
  sub->add_option("--into", options->into, "Write the rebuilt store here (a new file); default: a scratch file")->type_name("FILE");
  sub->add_option("--now", options->now, "Fire the timers due by TIME at the end (default: the last event's received_at)")->type_name("TIME");
  sub->add_option("--reopen-every", options->reopen_every,
                  "Re-open the processor from the rebuilt store every N requests, as a restart does (0: never)")
      ->type_name("N");
  sub->add_flag("--check", options->check, "Compare leads, tenant state and pending timers with the store; print the differences");
  sub->footer(
      "Each request's events (consecutive log rows of one tenant received in the same second) are applied as\n"
      "one batch at their received time, then the timers due by then fire, as serve does after a commit.\n"
      "Exit status: 0 equal (or rebuilt), 1 differences or unreplayable events, 2 bad usage.");
  return Command{sub, [options] { return run_replay(*options, std::cout, std::cerr); }};
}

}  // namespace leadflow::runtime::cli
