// `leadflow serve`: compile the workflow folder, open the store, then ingest a JSONL file (and
// exit) or serve HTTP with timers, hot reload and the outbox relay until SIGTERM.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "engine/directory_json.hpp"
#include "engine/program.hpp"
#include "runtime/cli/commands.hpp"
#include "runtime/lead_processor.hpp"
#include "runtime/reload.hpp"
#include "runtime/service.hpp"
#include "runtime/store/store.hpp"
#include "runtime/store/wal_checkpointer.hpp"

namespace leadflow::runtime::cli {

namespace {

bool read_all(const std::string& path, std::string& text, std::ostream& err) {
  if (path == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    text = s.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "leadflow: error: cannot read '" << path << "': " << unreadable_reason(path) << '\n';
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

}  // namespace

int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err) {
  CompiledSet set = compile_workflow_set(options.workflows);
  if (!set.ok()) {
    err << set.diagnostics;
    if (set.diagnostics.rfind("cannot read", 0) == 0 || set.diagnostics.rfind("no .flow", 0) == 0) return exit_usage;
    return exit_input_errors;
  }
  engine::Directory directory;
  if (!load_owners({options.workflows}, directory, err)) return exit_input_errors;

  engine::TimePoint now = 0;
  if (!options.now.empty()) {
    std::optional<engine::TimePoint> t = engine::parse_time(options.now);
    if (!t) {
      err << "leadflow: error: --now: expected a time like 2026-01-05T09:00:00Z, got '" << options.now << "'\n";
      return exit_usage;
    }
    now = *t;
  }
  ServiceConfig config;
  if (!options.config.empty()) {
    std::string text;
    if (!read_all(options.config, text, err)) return exit_usage;
    std::string error;
    const std::string base_dir = std::filesystem::path(options.config).parent_path().string();
    if (!parse_service_config(text, config, error, base_dir)) {
      err << options.config << ": error: " << error << '\n';
      return exit_usage;
    }
  }
  if (!options.listen.empty()) config.listen = options.listen;
  if (!options.sink.empty()) {
    if (!config.outbox) {
      config.jsonl_sink = options.sink;
    } else {
      // With connectors configured, --sink moves the jsonl connector named `file`.
      auto file = std::find_if(config.outbox->connectors.begin(), config.outbox->connectors.end(),
                               [](const outbox::ConnectorConfig& c) { return c.name == "file" && c.type == "jsonl"; });
      if (file != config.outbox->connectors.end()) {
        file->jsonl.path = options.sink;
      } else {
        spdlog::warn("--sink {} ignored: the config's connectors have no jsonl connector named `file`", options.sink);
      }
    }
  }
  // Without any sink configured the outbox goes to a file next to the database.
  config.outbox = outbox_config(config, (std::filesystem::path(options.db).parent_path() / "outbox.jsonl").string());

  store::SqliteOptions store_options;
  store_options.durability = options.durability == "process" ? store::Durability::Process : store::Durability::Full;
  // The WAL is copied into the database on a thread of its own: done inside a request's COMMIT,
  // each 16,384-page checkpoint stalled every request queued behind it (speed-to-lead's p99).
  // Declared before the store, so it outlives the store's commits that report to it.
  store::WalCheckpointer checkpointer(options.db, options.wal_checkpoint_pages);
  store_options.wal_pages = [&checkpointer](int pages) { checkpointer.wal_grew(pages); };
  std::unique_ptr<store::Store> db;
  try {
    db = store::open_sqlite(options.db, store_options);
  } catch (const std::exception& e) {
    err << "leadflow: error: " << e.what() << '\n';
    return exit_usage;
  }
  // One serve per store: a second one would keep its own copy of the leads in memory and take
  // over the first one's outbox claims. The kernel drops the lock when the process dies (kill -9).
  const int lock_fd = ::open(options.db.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    err << "leadflow: error: " << options.db << " is in use by another leadflow serve\n";
    if (lock_fd >= 0) ::close(lock_fd);
    return exit_usage;
  }
  if (std::size_t released = db->release_claims(); released > 0) {
    spdlog::info("outbox: {} deliveries cut off by the last stop are due again", released);
  }
  std::ostringstream sources;
  LeadProcessor processor(*db, set.program, std::move(directory));
  // Outbox rows are routed to their connectors as they are written (the connector config is
  // read once per start: hot reload changes workflows, not connectors).
  processor.outbox_routes = [connectors = *config.outbox](const std::string& action) {
    return outbox::routes_for(connectors, action);
  };
  // Runs pinned to an older version go on with it: its sources are in the store.
  processor.load_version = saved_version_loader(*db);
  processor.open();
  save_program_sources(*db, set);
  if (processor.decode_report().runs_repinned + processor.decode_report().runs_dropped > 0) {
    spdlog::warn("runs pinned to a version that could not be recompiled: {} moved to the live version, {} ended",
                 processor.decode_report().runs_repinned, processor.decode_report().runs_dropped);
  }

  auto clock = [&]() -> engine::TimePoint {
    if (now != 0) return now;
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };

  int status = exit_ok;
  if (!options.ingest.empty() || !options.leads.empty()) {
    std::string events_text, leads_text;
    if (!options.ingest.empty() && !read_all(options.ingest, events_text, err)) return exit_usage;
    if (!options.leads.empty() && !read_all(options.leads, leads_text, err)) return exit_usage;
    std::vector<InputError> errors;
    std::vector<LeadInput> leads = read_leads(*set.program, leads_text, options.leads, errors);
    ParsedEvents parsed = processor.parse_events(options.tenant, events_text, clock(), 64);
    const std::string events_label = options.ingest == "-" ? std::string("<stdin>") : options.ingest;
    for (InputError& e : parsed.errors) {
      e.file = events_label;
      errors.push_back(std::move(e));
    }
    BatchOutcome outcome = processor.ingest(std::move(leads), std::move(parsed.events), clock());
    for (InputError& e : outcome.errors) {
      e.file = events_label;
      errors.push_back(std::move(e));
    }
    for (const InputError& e : errors) err << format_input_error(e) << '\n';
    if (!outcome.committed) {
      err << "leadflow: error: the store refused a batch: " << outcome.error << '\n';
      return exit_input_errors;
    }
    spdlog::info("ingested {} events ({} duplicates), {} timers fired, {} effects", outcome.applied,
                 outcome.duplicates, outcome.timers_fired, outcome.effects);
    if (!errors.empty()) status = exit_input_errors;
    if (config.listen.empty() || options.listen.empty()) {
      relay_outbox_once(*db, *config.outbox, clock);
      return status;
    }
  } else if (options.listen.empty() && options.config.empty()) {
    // Neither ingest nor an address: serve on the default address.
    config.listen = config.listen.empty() ? "127.0.0.1:8080" : config.listen;
  }
  if (config.listen.empty()) config.listen = "127.0.0.1:8080";

  // The relay's own connection, for its own thread. Its writes (claims, outcomes) need not be
  // fsynced on their own: losing the last of them to a power cut only sends a row again, which
  // at-least-once delivery allows, and the next commit of the service's connection syncs them.
  std::unique_ptr<store::Store> relay_db;
  try {
    store::SqliteOptions relay_options{store::Durability::Process, 0};
    relay_options.wal_pages = store_options.wal_pages;  // checkpoints on the checkpointer's thread too
    relay_db = store::open_sqlite(options.db, relay_options);
  } catch (const std::exception& e) {
    err << "leadflow: error: " << e.what() << '\n';
    return exit_usage;
  }
  Service service(*db, *relay_db, processor, config, set, options.workflows);
  service.set_forget([path = options.db](const std::string& tenant, const std::string& email, engine::TimePoint now) {
    return store::forget_email(path, tenant, email, now);
  });
  if (now != 0) service.set_clock([now] { return now; });
  int rc = service.run(err);
  const store::WalCheckpointCounters checkpoints = checkpointer.counters();
  spdlog::info("wal checkpoints: {} rounds, {} pages copied, {} restarts, {} failed", checkpoints.checkpoints,
               checkpoints.pages_copied, checkpoints.wal_restarts, checkpoints.failures);
  (void)out;
  return rc != 0 ? rc : status;
}

Command add_serve_command(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* sub = app.add_subcommand("serve", "Run the workflows as a durable daemon (HTTP ingest, timers, hot reload)");
  sub->footer(
      "With --ingest FILE (or - for stdin) and no --listen, applies the JSONL events durably, fires the\n"
      "timers due by now, attempts each outbox delivery once and exits. Otherwise serves HTTP on\n"
      "--listen (default 127.0.0.1:8080) until SIGTERM. See docs/operations.md.\n"
      "Exit status: 0 ok, 1 workflow errors or skipped input lines, 2 bad usage or a bad --config.");
  sub->add_option("--workflows", options->workflows, "Folder of .flow files (and owners.json)")->required()->type_name("DIR");
  sub->add_option("--db", options->db, "SQLite database, created on first start")->capture_default_str()->type_name("FILE");
  sub->add_option("--listen", options->listen, "Address to serve HTTP on (default 127.0.0.1:8080)")->type_name("ADDR:PORT");
  sub->add_option("--config", options->config,
                  "Service config: tokens per tenant, outbox connectors and routes (examples/serve.json)")
      ->type_name("FILE");
  sub->add_option("--ingest", options->ingest, "Apply the events of this JSONL file (- for stdin)")->type_name("FILE");
  sub->add_option("--leads", options->leads, "Import these lead records first (JSONL), as dry-run --leads")->type_name("FILE");
  sub->add_option("--tenant", options->tenant, "Tenant of --ingest and --leads records")->capture_default_str();
  sub->add_option("--sink", options->sink,
                  "JSONL file the outbox is delivered to, when the config has no connectors (default: "
                  "outbox.jsonl beside --db)")
      ->type_name("FILE");
  sub->add_option("--durability", options->durability,
                  "full: an answered event survives power loss (synchronous=FULL); process: survives a crash only")
      ->check(CLI::IsMember({"full", "process"}))
      ->capture_default_str();
  sub->add_option("--wal-checkpoint-pages", options->wal_checkpoint_pages,
                  "WAL size in pages (4 KiB) at which the checkpoint thread copies it into the database")
      ->check(CLI::Range(64, 1 << 20))
      ->capture_default_str();
  sub->add_option("--now", options->now, "Pretend the clock reads TIME (replays and tests)")->type_name("TIME");
  return Command{sub, [options] { return run_serve(*options, std::cout, std::cerr); }};
}

}  // namespace leadflow::runtime::cli
