// Load generator for `leadflow serve` (issue 5 item 10): POSTs NDJSON batches of realistic events
// to /v1/events over keep-alive connections and reports events/s, requests/s, latency percentiles
// and errors by status.
//
// Pacing: with --rate the load is open loop (wrk2 style): request i is due at start + i*batch/rate
// and its latency is measured from that due time, not from when a free connection sent it, so a
// stalled server shows up as latency instead of silently slowing the generator (coordinated
// omission). Without --rate every connection sends its next request as soon as the last answered.
//
// Lead ids are deterministic: `--phase seed` creates leads with unique addresses
// lead<n>@company<n%997>.example in order over one connection, so on a fresh database lead n is
// `C-n` (the processor numbers captures per tenant). `--phase mix` then sends new form submissions
// (hot: a target country and more than 50 employees, so the inbound router assigns them),
// duplicate submissions of seeded addresses, and page views, email opens and demo requests on the
// seeded leads.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string token;
  std::string phase = "mix";   // seed | mix
  std::size_t connections = 4;
  std::size_t batch = 100;     // events per request
  double rate = 0;             // events/s; 0: closed loop
  double duration = 10;        // seconds (mix)
  std::uint64_t seeded = 10000;  // leads created by the seed phase (C-1..C-seeded)
  std::uint64_t run = 1;       // distinguishes idempotency keys and new addresses between runs
  // Event mix in percent of events (the rest, if any, are page views).
  double form_new = 10, form_duplicate = 2, page_view = 50, email_open = 30, demo_request = 8;
  bool keys = true;            // idempotency key per event
  bool print = false;          // write the requests' NDJSON to stdout instead of sending it
};

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr,
               "serve_load: %s\n"
               "usage: serve_load [--url http://HOST:PORT] [--token T] [--phase seed|mix] [--connections N]\n"
               "                  [--batch N] [--rate EVENTS_PER_S] [--duration S] [--seeded N] [--run N]\n"
               "                  [--mix form=10,dup=2,page=50,open=30,demo=8] [--no-keys]\n"
               "                  [--print]   (--print: the seed phase's NDJSON to stdout, for serve --ingest)\n",
               message);
  std::exit(2);
}

double number(const char* flag, const char* text) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || v < 0) usage((std::string(flag) + ": expected a non-negative number").c_str());
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage((a + ": missing value").c_str());
      return argv[++i];
    };
    if (a == "--url") {
      std::string url = value();
      if (url.rfind("http://", 0) == 0) url = url.substr(7);
      url = url.substr(0, url.find('/'));
      std::size_t colon = url.rfind(':');
      if (colon == std::string::npos) usage("--url: expected http://HOST:PORT");
      o.host = url.substr(0, colon);
      o.port = url.substr(colon + 1);
    } else if (a == "--token") {
      o.token = value();
    } else if (a == "--phase") {
      o.phase = value();
      if (o.phase != "seed" && o.phase != "mix") usage("--phase: expected seed or mix");
    } else if (a == "--connections") {
      o.connections = static_cast<std::size_t>(number("--connections", value()));
    } else if (a == "--batch") {
      o.batch = static_cast<std::size_t>(number("--batch", value()));
    } else if (a == "--rate") {
      o.rate = number("--rate", value());
    } else if (a == "--duration") {
      o.duration = number("--duration", value());
    } else if (a == "--seeded") {
      o.seeded = static_cast<std::uint64_t>(number("--seeded", value()));
    } else if (a == "--run") {
      o.run = static_cast<std::uint64_t>(number("--run", value()));
    } else if (a == "--no-keys") {
      o.keys = false;
    } else if (a == "--print") {
      o.print = true;
    } else if (a == "--mix") {
      std::string spec = value();
      o.form_new = o.form_duplicate = o.page_view = o.email_open = o.demo_request = 0;
      std::size_t pos = 0;
      while (pos < spec.size()) {
        std::size_t comma = spec.find(',', pos);
        std::string item = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        pos = comma == std::string::npos ? spec.size() : comma + 1;
        std::size_t eq = item.find('=');
        if (eq == std::string::npos) usage("--mix: expected NAME=PERCENT,...");
        std::string name = item.substr(0, eq);
        double v = number("--mix", item.substr(eq + 1).c_str());
        if (name == "form") o.form_new = v;
        else if (name == "dup") o.form_duplicate = v;
        else if (name == "page") o.page_view = v;
        else if (name == "open") o.email_open = v;
        else if (name == "demo") o.demo_request = v;
        else usage(("--mix: unknown kind `" + name + "` (form, dup, page, open, demo)").c_str());
      }
    } else {
      usage(("unknown option " + a).c_str());
    }
  }
  if (o.connections == 0 || o.batch == 0) usage("--connections and --batch must be at least 1");
  if (o.phase == "mix" && o.seeded == 0) usage("--seeded: the mix needs seeded leads to address");
  return o;
}

// splitmix64: a request's events depend only on (run, request index), whichever connection sends it.
std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

const char* const first_names[] = {"Anna", "Ben", "Chloe", "David", "Elena", "Felix", "Grace", "Hugo"};
const char* const countries[] = {"US", "DE", "GB", "CA", "CH", "AT"};

void append_form(std::string& out, std::uint64_t n, const std::string& key) {
  char buf[512];
  int len = std::snprintf(
      buf, sizeof buf,
      "{\"type\":\"form_submitted\",%s\"data\":{\"email\":\"lead%llu@company%llu.example\",\"first_name\":\"%s\","
      "\"last_name\":\"Person%llu\",\"company\":\"Company %llu\",\"title\":\"VP Sales\",\"country\":\"%s\","
      "\"language\":\"en\",\"employees\":%llu,\"form_id\":\"demo-request\",\"utm_source\":\"google\","
      "\"utm_medium\":\"cpc\",\"utm_campaign\":\"q1-demand-gen\",\"landing_page\":\"https://www.example.com/demo\"}}\n",
      key.c_str(), static_cast<unsigned long long>(n), static_cast<unsigned long long>(n % 997), first_names[n % 8],
      static_cast<unsigned long long>(n), static_cast<unsigned long long>(n % 997), countries[n % 6],
      static_cast<unsigned long long>(60 + n % 500));
  out.append(buf, static_cast<std::size_t>(len));
}

struct Request {
  std::string body;
  std::size_t events = 0;
  bool has_new_form = false;  // latency of such requests is speed-to-lead
};

class Generator {
 public:
  explicit Generator(const Options& o) : o_(o) {
    double total = o.form_new + o.form_duplicate + o.page_view + o.email_open + o.demo_request;
    if (total <= 0) usage("--mix: all kinds are zero");
    cumulative_ = {o.form_new / total, (o.form_new + o.form_duplicate) / total,
                   (o.form_new + o.form_duplicate + o.page_view) / total,
                   (o.form_new + o.form_duplicate + o.page_view + o.email_open) / total};
  }

  Request make(std::uint64_t index) const {
    Request r;
    r.body.reserve(o_.batch * 420);
    for (std::size_t j = 0; j < o_.batch; ++j) {
      const std::uint64_t event_no = index * o_.batch + j;
      if (o_.phase == "seed" && event_no >= o_.seeded) break;
      ++r.events;
      std::string key;
      if (o_.keys) {
        key = "\"idempotency_key\":\"r" + std::to_string(o_.run) + (o_.phase == "seed" ? "-s" : "-m") +
              std::to_string(event_no) + "\",";
      }
      if (o_.phase == "seed") {
        append_form(r.body, event_no + 1, key);
        continue;
      }
      const std::uint64_t h = mix64(o_.run * 0x1000000000ull + event_no);
      const double u = static_cast<double>(h >> 11) * 0x1.0p-53;
      const std::uint64_t lead = 1 + (mix64(h) % o_.seeded);
      if (u < cumulative_[0]) {
        // New addresses live above the seeded ones, apart per run.
        append_form(r.body, o_.seeded + o_.run * 100000000ull + event_no + 1, key);
        r.has_new_form = true;
      } else if (u < cumulative_[1]) {
        append_form(r.body, lead, key);
      } else {
        char buf[256];
        int len;
        if (u < cumulative_[2]) {
          len = std::snprintf(buf, sizeof buf,
                              "{\"type\":\"product_page_view\",%s\"lead\":\"C-%llu\",\"data\":{\"url\":"
                              "\"https://www.example.com/product/%llu\"}}\n",
                              key.c_str(), static_cast<unsigned long long>(lead), static_cast<unsigned long long>(h % 40));
        } else if (u < cumulative_[3]) {
          len = std::snprintf(buf, sizeof buf,
                              "{\"type\":\"email_opened\",%s\"lead\":\"C-%llu\",\"data\":{\"template\":\"nurture-%llu\"}}\n",
                              key.c_str(), static_cast<unsigned long long>(lead), static_cast<unsigned long long>(h % 6));
        } else {
          len = std::snprintf(buf, sizeof buf,
                              "{\"type\":\"demo_requested\",%s\"lead\":\"C-%llu\",\"data\":{\"form_id\":\"demo-request\"}}\n",
                              key.c_str(), static_cast<unsigned long long>(lead));
        }
        r.body.append(buf, static_cast<std::size_t>(len));
      }
    }
    return r;
  }

 private:
  const Options& o_;
  std::vector<double> cumulative_;
};

struct Stats {
  std::vector<double> latency_ms;       // every request
  std::vector<double> form_latency_ms;  // requests carrying a new form submission
  std::map<int, std::uint64_t> by_status;
  std::uint64_t events_ok = 0;
  std::uint64_t requests_ok = 0;
  std::uint64_t connect_errors = 0;
};

struct Shared {
  const Options& options;
  const Generator& generator;
  Stats stats;
  std::uint64_t next = 0;
  std::uint64_t limit = 0;  // requests to send (seed) or unbounded (mix: until the deadline)
  Clock::time_point start;
  Clock::time_point deadline;
};

asio::awaitable<void> worker(Shared& s, asio::ip::tcp::resolver::results_type endpoints) {
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    ++s.stats.connect_errors;
    co_return;
  }
  stream.socket().set_option(asio::ip::tcp::no_delay(true));
  asio::steady_timer pace(executor);
  const std::string target = "/v1/events";
  for (;;) {
    const std::uint64_t index = s.next;
    if (s.limit != 0 && index >= s.limit) break;
    Clock::time_point due = Clock::now();
    if (s.options.rate > 0) {
      due = s.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                          static_cast<double>(index * s.options.batch) / s.options.rate));
    }
    if (due >= s.deadline) break;
    ++s.next;
    Request r = s.generator.make(index);
    if (s.options.rate > 0 && due > Clock::now()) {
      pace.expires_at(due);
      co_await pace.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (s.options.rate <= 0) due = Clock::now();
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, s.options.host);
    req.set(http::field::content_type, "application/x-ndjson");
    if (!s.options.token.empty()) req.set(http::field::authorization, "Bearer " + s.options.token);
    req.keep_alive(true);
    req.body() = std::move(r.body);
    req.prepare_payload();
    co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    http::response<http::string_body> res;
    if (!ec) co_await http::async_read(stream, buffer, res, asio::redirect_error(asio::use_awaitable, ec));
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
    if (ec) {
      ++s.stats.by_status[0];
      std::fprintf(stderr, "serve_load: request %llu: %s\n", static_cast<unsigned long long>(index), ec.message().c_str());
      co_return;
    }
    const int status = static_cast<int>(res.result_int());
    ++s.stats.by_status[status];
    s.stats.latency_ms.push_back(ms);
    if (r.has_new_form) s.stats.form_latency_ms.push_back(ms);
    if (status / 100 == 2) {
      s.stats.events_ok += r.events;
      ++s.stats.requests_ok;
    } else if (s.stats.by_status[status] <= 3) {
      std::fprintf(stderr, "serve_load: HTTP %d: %s", status, res.body().c_str());
    }
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t i = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  i = std::clamp<std::size_t>(i, 1, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

void print_latency(const char* label, std::vector<double> v) {
  if (v.empty()) return;
  const double p50 = percentile(v, 50), p90 = percentile(v, 90), p99 = percentile(v, 99), p999 = percentile(v, 99.9);
  const double max = *std::max_element(v.begin(), v.end());
  std::printf("%s latency ms (n=%zu): p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n", label, v.size(), p50, p90,
              p99, p999, max);
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  Generator generator(o);
  asio::io_context io{1};
  asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(o.host, o.port, ec);
  if (ec) {
    std::fprintf(stderr, "serve_load: cannot resolve %s:%s: %s\n", o.host.c_str(), o.port.c_str(), ec.message().c_str());
    return 2;
  }
  if (o.print) {
    if (o.phase != "seed") usage("--print: only the seed phase is deterministic without a server");
    for (std::uint64_t i = 0; i * o.batch < o.seeded; ++i) {
      const std::string body = generator.make(i).body;
      std::fwrite(body.data(), 1, body.size(), stdout);
    }
    return 0;
  }
  Shared s{o, generator, {}, 0, 0, {}, {}};
  std::size_t connections = o.connections;
  if (o.phase == "seed") {
    // One connection, closed loop: lead n must be the n-th capture.
    connections = 1;
    s.limit = (o.seeded + o.batch - 1) / o.batch;
    s.deadline = Clock::time_point::max();
  }
  s.start = Clock::now();
  if (o.phase == "mix") s.deadline = s.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  for (std::size_t c = 0; c < connections; ++c) asio::co_spawn(io, worker(s, endpoints), asio::detached);
  io.run();
  const double seconds = std::chrono::duration<double>(Clock::now() - s.start).count();

  std::printf("phase %s: %zu connections, batch %zu, rate %s, %.2f s\n", o.phase.c_str(), connections, o.batch,
              o.rate > 0 ? (std::to_string(static_cast<long long>(o.rate)) + " events/s").c_str() : "closed loop",
              seconds);
  std::printf("events/s %.0f  requests/s %.1f  (events ok %llu, requests ok %llu)\n",
              static_cast<double>(s.stats.events_ok) / seconds, static_cast<double>(s.stats.requests_ok) / seconds,
              static_cast<unsigned long long>(s.stats.events_ok), static_cast<unsigned long long>(s.stats.requests_ok));
  print_latency("request", s.stats.latency_ms);
  print_latency("new-form request (speed-to-lead)", s.stats.form_latency_ms);
  std::printf("status:");
  for (const auto& [status, n] : s.stats.by_status) {
    std::printf(" %s=%llu", status == 0 ? "io-error" : std::to_string(status).c_str(), static_cast<unsigned long long>(n));
  }
  std::printf("\n");
  if (s.stats.connect_errors != 0) {
    std::printf("connect errors: %llu\n", static_cast<unsigned long long>(s.stats.connect_errors));
  }
  bool failed = s.stats.connect_errors != 0;
  for (const auto& [status, n] : s.stats.by_status) failed = failed || status / 100 != 2;
  return failed ? 1 : 0;
}
