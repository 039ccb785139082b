// Commands that read (and, for `forget`, erase from) the store `leadflow serve` writes:
// `leads show ID`, `runs` and `forget --email X`. They read the stored JSON directly, so they
// need no workflow folder; runs show their node as the index the run is at in its version's graph.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "engine/value.hpp"
#include "runtime/cli/commands.hpp"
#include "runtime/outbox/audit.hpp"
#include "runtime/store/forget.hpp"
#include "runtime/store/store.hpp"

namespace leadflow::runtime::cli {

namespace {

namespace json = boost::json;

struct StoreOptions {
  std::string db = "leadflow.db";
  std::string tenant = "default";
  std::string id;        // leads show
  std::string workflow;  // runs
  std::string email;     // forget
};

// Opens an existing store (never creates one: a mistyped --db is an error, not a new file).
std::unique_ptr<store::Store> open_existing(const std::string& path, std::ostream& err) {
  if (!std::filesystem::exists(path)) {
    err << "leadflow: error: cannot read '" << path << "': " << unreadable_reason(path) << '\n';
    return nullptr;
  }
  try {
    return store::open_sqlite(path);
  } catch (const std::exception& e) {
    err << "leadflow: error: " << e.what() << '\n';
    return nullptr;
  }
}

std::int64_t i64(const json::value* v) {
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return 0;
}
std::string str(const json::value* v) {
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// A stored value (runtime/store/lead_codec.hpp) as text: times and durations as written in .flow.
std::string value_text(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::string: return std::string(v.get_string());
    case json::kind::object: {
      const json::object& o = v.get_object();
      if (auto* t = o.if_contains("t")) return engine::format_time(i64(t));
      if (auto* d = o.if_contains("d")) return engine::format_duration(i64(d));
      if (auto* f = o.if_contains("f")) return json::serialize(*f);
      if (auto* l = o.if_contains("l"); l != nullptr && l->is_array()) {
        std::string out = "[";
        for (const json::value& item : l->get_array()) {
          if (out.size() > 1) out += ", ";
          out += value_text(item);
        }
        return out + "]";
      }
      return json::serialize(v);
    }
    default: return json::serialize(v);
  }
}

const char* run_status_name(std::int64_t status) {
  switch (status) {
    case 0: return "running";
    case 1: return "waiting_timer";
    case 2: return "waiting_event";
    default: return "done";
  }
}

const char* timer_kind_name(engine::TimerKind kind) {
  switch (kind) {
    case engine::TimerKind::RunWake: return "run_wake";
    case engine::TimerKind::HeldTrigger: return "held_trigger";
    case engine::TimerKind::SlaLevel: return "sla_level";
    case engine::TimerKind::Decay: return "decay";
    case engine::TimerKind::SendWindow: return "send_window";
  }
  return "timer";
}

// `workflow VERSION node N STATUS [for EVENT] wakes TIME`: the part of a run line after its lead.
std::string run_text(const json::object& run) {
  std::int64_t status = i64(run.if_contains("status"));
  std::string out = str(run.if_contains("workflow")) + " " + str(run.if_contains("version")) + " node " +
                    std::to_string(i64(run.if_contains("node"))) + " " + run_status_name(status);
  if (status == 2 && !str(run.if_contains("wait_event")).empty()) out += " for " + str(run.if_contains("wait_event"));
  out += " wakes ";
  out += status == 1 || status == 2 ? engine::format_time(i64(run.if_contains("wake_at"))) : std::string("-");
  return out;
}

// Active (not done) runs of a stored lead state.
std::vector<const json::object*> active_runs(const json::value& state) {
  std::vector<const json::object*> out;
  const json::value* runs = state.is_object() ? state.get_object().if_contains("runs") : nullptr;
  if (runs == nullptr || !runs->is_array()) return out;
  for (const json::value& r : runs->get_array()) {
    if (r.is_object() && i64(r.get_object().if_contains("status")) != 3) out.push_back(&r.get_object());
  }
  return out;
}

int run_leads_show(const StoreOptions& o, std::ostream& out, std::ostream& err) {
  std::unique_ptr<store::Store> db = open_existing(o.db, err);
  if (!db) return exit_usage;
  std::optional<store::LeadRow> row = db->lead(o.tenant, o.id);
  if (!row) {
    err << "leadflow: error: no lead '" << o.id << "' in tenant '" << o.tenant << "'\n";
    return exit_input_errors;
  }
  json::value state = json::parse(row->state);
  const json::object empty;
  const json::object& fields = [&]() -> const json::object& {
    const json::value* f = state.get_object().if_contains("fields");
    return f != nullptr && f->is_object() ? f->get_object() : empty;
  }();
  auto field = [&](const char* name) {
    const json::value* v = fields.if_contains(name);
    return v == nullptr ? std::string("-") : value_text(*v);
  };
  out << "lead " << row->id << " (tenant " << row->tenant << ")\n";
  out << "stage: " << field("stage") << '\n';
  out << "owner: " << field("owner") << '\n';
  out << "score: " << field("score") << '\n';
  const json::value* log = state.get_object().if_contains("score_log");
  if (log != nullptr && log->is_array() && !log->get_array().empty()) {
    out << "score reasons:\n";
    for (const json::value& e : log->get_array()) {
      if (!e.is_array() || e.get_array().size() < 4) continue;
      const json::array& a = e.get_array();
      std::int64_t points = i64(&a[2]);
      out << "  " << (points >= 0 ? "+" : "") << points << ' ' << str(&a[1]) << " (" << str(&a[0]) << ", "
          << engine::format_time(i64(&a[3])) << ")\n";
    }
  }
  out << "fields:\n";
  for (const auto& [key, value] : fields) out << "  " << std::string(key) << ": " << value_text(value) << '\n';
  std::vector<const json::object*> runs = active_runs(state);
  out << "active runs:" << (runs.empty() ? " none" : "") << '\n';
  for (const json::object* r : runs) out << "  run " << i64(r->if_contains("id")) << ' ' << run_text(*r) << '\n';
  std::vector<store::TimerRow> timers;
  for (store::TimerRow& t : db->timers()) {
    if (t.tenant == o.tenant && t.timer.lead == o.id) timers.push_back(std::move(t));
  }
  out << "pending timers:" << (timers.empty() ? " none" : "") << '\n';
  for (const store::TimerRow& t : timers) {
    out << "  " << engine::format_time(t.timer.due) << ' ' << timer_kind_name(t.timer.kind);
    if (t.timer.kind == engine::TimerKind::RunWake) out << " run " << t.timer.run_id;
    out << '\n';
  }
  return exit_ok;
}

int run_runs(const StoreOptions& o, std::ostream& out, std::ostream& err) {
  std::unique_ptr<store::Store> db = open_existing(o.db, err);
  if (!db) return exit_usage;
  for (const store::LeadRow& row : db->leads()) {
    if (row.tenant != o.tenant) continue;
    json::value state = json::parse(row.state);
    for (const json::object* r : active_runs(state)) {
      if (!o.workflow.empty() && str(r->if_contains("workflow")) != o.workflow) continue;
      out << row.id << ' ' << run_text(*r) << '\n';
    }
  }
  return exit_ok;
}

int run_forget(const StoreOptions& o, std::ostream& out, std::ostream& err) {
  if (!std::filesystem::exists(o.db)) {
    err << "leadflow: error: cannot read '" << o.db << "': " << unreadable_reason(o.db) << '\n';
    return exit_usage;
  }
  engine::TimePoint now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  store::ForgetResult r;
  try {
    r = store::forget_email(o.db, o.tenant, o.email, now);
  } catch (const std::exception& e) {
    err << "leadflow: error: " << e.what() << '\n';
    return exit_usage;
  }
  if (!r.found()) {
    err << "leadflow: error: no record of '" << o.email << "' in tenant '" << o.tenant << "'\n";
    return exit_input_errors;
  }
  out << "forgot " << outbox::normalize_email(o.email) << " in tenant " << o.tenant << '\n';
  out << "leads deleted: " << r.leads.size();
  for (const std::string& id : r.leads) out << ' ' << id;
  out << '\n';
  out << "events redacted: " << r.events_redacted << '\n';
  out << "audit rows redacted: " << r.audit_redacted << '\n';
  out << "timers deleted: " << r.timers_deleted << '\n';
  out << "outbox rows deleted: " << r.outbox_deleted << '\n';
  out << "suppression entry: " << r.suppression_hash << '\n';
  if (!r.wal_truncated) {
    err << "leadflow: warning: the WAL could not be truncated while another connection reads the database; "
           "stop `leadflow serve` and run `leadflow forget` again to checkpoint\n";
  }
  return exit_ok;
}

void add_store_options(CLI::App* sub, StoreOptions& o) {
  sub->add_option("--db", o.db, "SQLite database written by leadflow serve")->capture_default_str()->type_name("FILE");
  sub->add_option("--tenant", o.tenant, "Tenant to read")->capture_default_str();
}

}  // namespace

std::vector<Command> add_store_commands(CLI::App& app) {
  auto options = std::make_shared<StoreOptions>();
  std::vector<Command> out;

  CLI::App* leads = app.add_subcommand("leads", "Read leads from the store of leadflow serve");
  leads->require_subcommand(1);
  CLI::App* show = leads->add_subcommand("show", "A stored lead: fields, score with reasons, stage, owner, runs, timers");
  show->add_option("ID", options->id, "Lead id")->required();
  add_store_options(show, *options);
  show->footer("Exit status: 0 ok, 1 no such lead, 2 bad usage or unreadable store.");
  out.push_back({show, [options] { return run_leads_show(*options, std::cout, std::cerr); }});

  CLI::App* runs = app.add_subcommand("runs", "Active workflow runs in the store, one line each");
  add_store_options(runs, *options);
  runs->add_option("--workflow", options->workflow, "Only runs of this workflow")->type_name("NAME");
  runs->footer("Each line: LEAD WORKFLOW VERSION node N STATUS [for EVENT] wakes TIME|-");
  out.push_back({runs, [options] { return run_runs(*options, std::cout, std::cerr); }});

  CLI::App* forget = app.add_subcommand("forget", "Erase a person from the store, keeping a hashed suppression entry");
  forget->add_option("--email", options->email, "Their e-mail address (any case)")->required();
  add_store_options(forget, *options);
  forget->footer(
      "Deletes the lead, its timers and outbox rows, redacts the event log and audit trail, with\n"
      "secure_delete and a truncating WAL checkpoint. Exit status: 0 erased, 1 no such person, 2 bad usage.");
  out.push_back({forget, [options] { return run_forget(*options, std::cout, std::cerr); }});
  return out;
}

}  // namespace leadflow::runtime::cli
