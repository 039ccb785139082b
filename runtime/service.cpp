// The daemon's event loop: Beast HTTP (a coroutine per connection), the timer service, signals,
// hot reload through inotify, all on one io_context and one thread; the outbox relay on a second
// thread with its own io_context and its own connection to the store.
#include "runtime/service.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <spdlog/spdlog.h>
#include <thread>

#include "engine/program.hpp"
#include "runtime/lead_processor.hpp"
#include "runtime/metrics.hpp"
#include "runtime/outbox/relay.hpp"

namespace leadflow::runtime {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using asio::awaitable;
using asio::use_awaitable;

void save_program_sources(store::Store& store, const CompiledSet& set) {
  if (!set.program) return;
  json::array sources;
  for (const auto& [path, text] : set.sources) sources.push_back(json::array{json::string(path), json::string(text)});
  store.save_program_version(set.program->version, json::serialize(sources));
}

outbox::RegistryConfig outbox_config(const ServiceConfig& config, const std::string& default_jsonl) {
  if (config.outbox) return *config.outbox;
  // The shorthand writes the bare effect lines, as `dry-run --format jsonl` prints them.
  return outbox::default_registry_config(config.jsonl_sink.empty() ? default_jsonl : config.jsonl_sink, false);
}

std::size_t relay_outbox_once(store::Store& store, const outbox::RegistryConfig& connectors,
                              std::function<engine::TimePoint()> clock) {
  asio::io_context io{1};
  outbox::ConnectorRegistry registry(connectors, io.get_executor());
  outbox::RelayOptions options;
  options.arm_timer = false;
  outbox::Relay relay(store, registry, io.get_executor(), std::move(clock), options);
  relay.kick();
  io.run();
  std::size_t delivered = 0;
  for (const auto& [name, n] : relay.counters().by_connector) delivered += n.delivered;
  return delivered;
}

struct Service::Impl {
  store::Store& store;
  store::Store& relay_store;  // the relay thread's own connection
  LeadProcessor& processor;
  ServiceConfig config;
  CompiledSet live;
  std::string dir;
  std::function<engine::TimePoint()> clock = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  };
  asio::io_context io{1};
  asio::signal_set signals{io, SIGTERM, SIGINT};
  asio::steady_timer timer{io};
  asio::steady_timer debounce{io};
  asio::steady_timer shutdown_guard{io};
  // The relay's store work (claims, outcomes, its wake-up reads) and its deliveries run here, so
  // a request never waits for a relay pass; the service only notifies it after each commit.
  asio::io_context relay_io{1};
  asio::executor_work_guard<asio::io_context::executor_type> relay_work = asio::make_work_guard(relay_io);
  std::thread relay_thread;
  outbox::ConnectorRegistry registry;  // its connectors deliver on relay_io
  outbox::Relay relay;                 // only ever called on relay_io's thread
  asio::steady_timer relay_delay{relay_io};
  std::atomic<bool> relay_kick_pending = false;
  std::unique_ptr<asio::posix::stream_descriptor> inotify;
  std::unique_ptr<asio::ip::tcp::acceptor> acceptor;
  Service::ForgetFunction forget_person;
  ReloadStatus reload_status;
  HttpCounters http_counters;
  bool stopping = false;
  char inotify_buffer[8192];

  Impl(store::Store& s, store::Store& rs, LeadProcessor& p, ServiceConfig c, CompiledSet l, std::string d)
      : store(s),
        relay_store(rs),
        processor(p),
        config(std::move(c)),
        live(std::move(l)),
        dir(std::move(d)),
        registry(outbox_config(config, "outbox.jsonl"), relay_io.get_executor()),
        relay(relay_store, registry, relay_io.get_executor(), [this] { return clock(); }) {}

  ~Impl() { stop_relay_thread(); }

  void start_relay_thread() {
    relay_thread = std::thread([this] {
      for (;;) {
        try {
          relay_io.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("outbox relay: {}", e.what());
        }
      }
    });
  }

  // Deliveries still in flight are cut off: their rows stay claimed and go out again after the
  // next start (at least once).
  void stop_relay_thread() {
    if (!relay_thread.joinable()) return;
    relay_work.reset();
    relay_io.stop();
    relay_thread.join();
  }

  ApiContext context() {
    ApiContext ctx{processor, config, clock, {}, {}, {}, {}, {}, {}, false};
    ctx.workflows_json = [this](const std::string& tenant) { return workflows_json(tenant); };
    ctx.reload = [this] {
      bool ok = reload();
      json::object o{{"ok", ok}, {"version", processor.program()->version},
                     {"diagnostics", reload_status.last_diagnostics}};
      return HttpResponse{ok ? 200 : 422, "application/json", json::serialize(o) + "\n"};
    };
    ctx.reload_plan = [this](const std::string& tenant) { return plan_json(tenant); };
    ctx.metrics = [this] {
      // counters() is a locked copy; the connector names are fixed at construction.
      return render_metrics(processor, reload_status, http_counters, store.counts().outbox_pending) +
             render_outbox_metrics(relay.counters(), registry.names());
    };
    ctx.committed = [this] { after_commit(); };
    if (forget_person) ctx.forget = [this](const std::string& tenant, const std::string& email) { return forget(tenant, email); };
    ctx.defer_commit = true;
    return ctx;
  }

  // Group commit: POST /v1/events only stages its events; one posted pass commits all that the
  // requests handled meanwhile staged (one transaction, one fsync), then wakes their sessions.
  // While a commit waits on the disk, the next requests pile up and share the following one.
  std::shared_ptr<asio::steady_timer> commit_waiters;  // cancelled once the posted commit ran
  bool group_commit_posted = false;

  void schedule_group_commit() {
    if (group_commit_posted) return;
    group_commit_posted = true;
    asio::post(io, [this] {
      group_commit_posted = false;
      commit_staged_now();
    });
  }

  void commit_staged_now() {
    std::shared_ptr<asio::steady_timer> waiters = std::move(commit_waiters);
    BatchOutcome outcome = processor.commit_staged();
    if (!outcome.committed) spdlog::error("the store refused the batch: {}", outcome.error);
    if (waiters) waiters->cancel();
    after_commit();
  }

  // The erasure runs on its own connection (secure_delete, truncating checkpoint), so whatever
  // requests staged commits first, and the memory is reloaded from the store afterwards: no
  // copy of the person stays in this process either. Reloading costs a restart's time on a
  // large store; erasures are rare.
  HttpResponse forget(const std::string& tenant, const std::string& email) {
    commit_staged_now();
    store::ForgetResult r;
    try {
      r = forget_person(tenant, email, clock());
    } catch (const std::exception& e) {
      spdlog::error("forget: {}", e.what());
      return HttpResponse{500, "application/json", "{\"error\":\"the store refused the erasure\",\"field\":null}\n"};
    }
    if (!r.found()) {
      return HttpResponse{404, "application/json", "{\"error\":\"no record of that address\",\"field\":\"email\"}\n"};
    }
    processor.open();
    arm_timer();
    spdlog::info("forget: {} lead(s) erased in tenant {}", r.leads.size(), tenant);
    json::array leads;
    for (const std::string& id : r.leads) leads.push_back(json::string(id));
    json::object o{{"leads", std::move(leads)},
                   {"events_redacted", r.events_redacted},
                   {"audit_redacted", r.audit_redacted},
                   {"timers_deleted", r.timers_deleted},
                   {"outbox_deleted", r.outbox_deleted},
                   {"wal_truncated", r.wal_truncated}};
    return HttpResponse{200, "application/json", json::serialize(o) + "\n"};
  }

  // 2xx only once the request's events are durable; a 503 when their commit failed.
  awaitable<void> wait_durable(HttpResponse& response) {
    while (processor.commit_state(response.commit_ticket) == CommitState::Pending) {
      if (!commit_waiters) {
        commit_waiters = std::make_shared<asio::steady_timer>(io, asio::steady_timer::time_point::max());
      }
      std::shared_ptr<asio::steady_timer> waiters = commit_waiters;
      schedule_group_commit();
      boost::system::error_code ignored;
      co_await waiters->async_wait(asio::redirect_error(use_awaitable, ignored));
    }
    if (processor.commit_state(response.commit_ticket) == CommitState::Failed) {
      response = HttpResponse{503, "application/json", "{\"error\":\"the store refused the batch\",\"field\":null}\n"};
    }
  }

  std::string workflows_json(const std::string& tenant) {
    json::object o;
    o["version"] = processor.program()->version;
    json::array wfs;
    for (const engine::Workflow& w : processor.program()->workflows) {
      if (w.body_of == engine::no_index) wfs.push_back(json::string(w.name));  // not an account workflow's `for` body
    }
    o["workflows"] = std::move(wfs);
    json::array in_flight;
    for (const auto& [key, n] : processor.runs_in_flight(&tenant)) {
      in_flight.push_back(json::object{{"version", key.first}, {"workflow", key.second}, {"runs", n}});
    }
    o["runs_in_flight"] = std::move(in_flight);
    o["last_reload"] = json::object{{"attempts", reload_status.attempts},
                                    {"failures", reload_status.failures},
                                    {"ok", reload_status.last_ok},
                                    {"at", reload_status.last_at ? json::value(engine::format_time(reload_status.last_at)) : json::value(nullptr)},
                                    {"diagnostics", reload_status.last_diagnostics}};
    return json::serialize(o) + "\n";
  }

  std::string plan_json(const std::string& tenant) {
    CompiledSet next = compile_workflow_set(dir);
    json::object o;
    o["compiles"] = next.ok();
    o["diagnostics"] = next.diagnostics;
    json::array entries;
    for (const ReloadPlanEntry& e : reload_plan(live, next, processor.runs_in_flight(&tenant))) {
      entries.push_back(json::object{{"workflow", e.workflow}, {"change", e.change}, {"runs_in_flight", e.runs_in_flight}});
    }
    o["workflows"] = std::move(entries);
    return json::serialize(o) + "\n";
  }

  bool reload() {
    ++reload_status.attempts;
    reload_status.last_at = clock();
    CompiledSet next = compile_workflow_set(dir);
    if (!next.ok()) {
      ++reload_status.failures;
      reload_status.last_ok = false;
      reload_status.last_diagnostics = next.diagnostics;
      spdlog::error("reload failed, the old set stays live:\n{}", next.diagnostics);
      return false;
    }
    reload_status.last_ok = true;
    reload_status.last_diagnostics.clear();
    if (next.program->version != processor.program()->version) {
      save_program_sources(store, next);
      processor.set_program(next.program);
      spdlog::info("reloaded workflows: version {}", next.program->version);
    }
    live = std::move(next);
    return true;
  }

  void after_commit() {
    notify_relay();
    arm_timer();
  }

  // Tells the relay thread there are new rows; one pass serves all commits made meanwhile. The
  // flag is cleared on the relay thread before its pass reads the store, so a commit that finds
  // it still set is one that pass will see.
  void notify_relay() {
    if (relay_kick_pending.exchange(true)) return;
    asio::post(relay_io, [this] {
      if (config.relay_delay_ms <= 0) {
        relay_kick_pending = false;
        relay.kick();
        return;
      }
      relay_delay.expires_after(std::chrono::milliseconds(config.relay_delay_ms));
      relay_delay.async_wait([this](boost::system::error_code ec) {
        relay_kick_pending = false;
        if (!ec) relay.kick();
      });
    });
  }

  void arm_timer() {
    std::optional<engine::TimePoint> due = processor.next_due();
    if (!due || stopping) {
      timer.cancel();
      return;
    }
    engine::TimePoint wait = std::max<engine::TimePoint>(0, *due - clock());
    timer.expires_after(std::chrono::seconds(wait));
    timer.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping) return;
      BatchOutcome outcome = processor.fire_due(clock());
      if (!outcome.committed) spdlog::error("timers: the store refused the batch: {}", outcome.error);
      after_commit();
    });
  }

  void watch() {
    if (!config.watch) return;
    int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      spdlog::warn("hot reload off: inotify unavailable");
      return;
    }
    const std::uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE;
    ::inotify_add_watch(fd, dir.c_str(), mask);
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory()) ::inotify_add_watch(fd, it->path().c_str(), mask);
    }
    inotify = std::make_unique<asio::posix::stream_descriptor>(io, fd);
    read_inotify();
  }

  void read_inotify() {
    inotify->async_read_some(asio::buffer(inotify_buffer), [this](boost::system::error_code ec, std::size_t) {
      if (ec || stopping) return;
      // Editors write in bursts (temp file, rename, chmod): reload once things are quiet.
      debounce.expires_after(std::chrono::milliseconds(config.debounce_ms));
      debounce.async_wait([this](boost::system::error_code e) {
        if (!e && !stopping) reload();
      });
      read_inotify();
    });
  }

  awaitable<void> session(asio::ip::tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(config.max_body_bytes);
      stream.expires_after(std::chrono::seconds(config.read_timeout_seconds));
      boost::system::error_code ec;
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      HttpResponse response;
      bool keep_alive = false;
      if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof) break;
      if (ec == http::error::body_limit) {
        response = HttpResponse{413, "application/json",
                                "{\"error\":\"body larger than " + std::to_string(config.max_body_bytes) +
                                    " bytes\",\"field\":\"body\"}\n"};
      } else if (ec) {
        response = HttpResponse{400, "application/json", "{\"error\":\"malformed HTTP request\",\"field\":null}\n"};
      } else {
        http::request<http::string_body>& req = parser.get();
        keep_alive = req.keep_alive();
        HttpRequest request{std::string(req.method_string()), std::string(req.target()),
                            std::string(req[http::field::authorization]), std::move(req.body())};
        ApiContext ctx = context();
        try {
          response = handle_request(request, ctx);
        } catch (const std::exception& e) {
          spdlog::error("request {} {}: {}", request.method, request.target, e.what());
          response = HttpResponse{500, "application/json", "{\"error\":\"internal error\",\"field\":null}\n"};
        }
        if (response.commit_ticket != 0) co_await wait_durable(response);
        spdlog::info("{} {} -> {}", request.method, request.target.substr(0, 200), response.status);
      }
      ++http_counters.by_status[response.status];
      http::response<http::string_body> res{static_cast<http::status>(response.status), 11};
      res.set(http::field::content_type, response.content_type);
      res.keep_alive(keep_alive && !stopping);
      res.body() = std::move(response.body);
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      if (ec || !res.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }

  awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      asio::ip::tcp::socket socket = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (stopping) co_return;
        continue;
      }
      asio::co_spawn(io, session(std::move(socket)), [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("connection: {}", ex.what());
        }
      });
    }
  }

  int run(std::ostream& err) {
    std::string host = "127.0.0.1", port = config.listen;
    if (std::size_t colon = config.listen.rfind(':'); colon != std::string::npos) {
      host = config.listen.substr(0, colon);
      port = config.listen.substr(colon + 1);
    }
    boost::system::error_code ec;
    asio::ip::address address = asio::ip::make_address(host, ec);
    if (ec) {
      err << "leadflow: error: --listen: bad address '" << config.listen << "'\n";
      return 2;
    }
    acceptor = std::make_unique<asio::ip::tcp::acceptor>(io);
    asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(std::atoi(port.c_str())));
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      err << "leadflow: error: cannot listen on " << config.listen << ": " << ec.message() << '\n';
      return 2;
    }
    spdlog::info("serving {} workflows (version {}) on {}", processor.program()->workflows.size(),
                 processor.program()->version, config.listen);
    signals.async_wait([this](boost::system::error_code e, int sig) {
      if (e) return;
      spdlog::info("signal {}: finishing and closing", sig);
      stopping = true;
      boost::system::error_code ignored;
      acceptor->close(ignored);
      timer.cancel();
      debounce.cancel();
      if (inotify) inotify->close(ignored);
      // Any batch in hand has committed: handlers run one at a time on this thread. Deliveries
      // in flight get a moment to finish; a row cut off stays claimed and is sent again after
      // its lease (at least once).
      asio::post(relay_io, [this] {
        relay_delay.cancel();
        relay.stop([this] { io.stop(); });
      });
      shutdown_guard.expires_after(std::chrono::seconds(config.shutdown_grace_seconds));
      shutdown_guard.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        spdlog::warn("outbox: {} deliveries still in flight at shutdown; they are retried after restart",
                     relay.in_flight());
        io.stop();
      });
    });
    start_relay_thread();
    // Catch-up: timers that fell due while the service was down fire now, in due order.
    BatchOutcome catch_up = processor.fire_due(clock());
    if (catch_up.timers_fired > 0) spdlog::info("catch-up: {} overdue timers fired", catch_up.timers_fired);
    after_commit();
    watch();
    asio::co_spawn(io, accept_loop(), asio::detached);
    io.run();
    stop_relay_thread();
    return 0;
  }
};

Service::Service(store::Store& store, store::Store& relay_store, LeadProcessor& processor, ServiceConfig config,
                 CompiledSet live, std::string workflows_dir)
    : impl_(std::make_unique<Impl>(store, relay_store, processor, std::move(config), std::move(live),
                                   std::move(workflows_dir))) {}
Service::~Service() = default;
void Service::set_clock(std::function<engine::TimePoint()> clock) { impl_->clock = std::move(clock); }
void Service::set_forget(ForgetFunction forget) { impl_->forget_person = std::move(forget); }
int Service::run(std::ostream& err) { return impl_->run(err); }

}  // namespace leadflow::runtime
