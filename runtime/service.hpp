// The `leadflow serve` daemon: one io_context on one thread owns the HTTP acceptor, the signal
// set (SIGTERM/SIGINT: finish the batch in hand, flush, close), the single timer armed at the
// earliest due time, and the inotify watch of the workflow folder (debounced hot reload). The
// outbox relay runs on a thread of its own, notified after every commit.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "runtime/http_ingest.hpp"
#include "runtime/reload.hpp"
#include "runtime/store/forget.hpp"
#include "runtime/store/store.hpp"

namespace leadflow::runtime {

class LeadProcessor;

// Stores the sources of the set's version, so runs pinned to it can be told apart later.
void save_program_sources(store::Store& store, const CompiledSet& set);

// The connectors and routes the outbox is relayed by: the config's `connectors`/`routes`, else its
// `sinks.jsonl` as one jsonl connector for every kind, else a jsonl connector writing
// `default_jsonl`.
outbox::RegistryConfig outbox_config(const ServiceConfig& config, const std::string& default_jsonl);

// One pass of the relay run to completion (`serve --ingest`): every due row is attempted once;
// what must be retried stays pending for the next start. Returns the rows delivered.
std::size_t relay_outbox_once(store::Store& store, const outbox::RegistryConfig& connectors,
                              std::function<engine::TimePoint()> clock);

class Service {
 public:
  // `relay_store`: a second connection to the same database (WAL lets the two write in turn),
  // used only by the outbox relay on its own thread; the request thread uses `store`.
  Service(store::Store& store, store::Store& relay_store, LeadProcessor& processor, ServiceConfig config,
          CompiledSet live, std::string workflows_dir);
  ~Service();

  void set_clock(std::function<engine::TimePoint()> clock);
  // How POST /v1/forget erases a person from the store (serve: store::forget_email on the db
  // file); without it the endpoint answers 404.
  using ForgetFunction = std::function<store::ForgetResult(const std::string& tenant, const std::string& email,
                                                           engine::TimePoint now)>;
  void set_forget(ForgetFunction forget);
  // Serves until SIGTERM/SIGINT; returns the exit status (2 when the address cannot be bound).
  int run(std::ostream& err);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadflow::runtime
