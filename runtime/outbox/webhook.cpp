// The webhook and Slack connectors: one HTTP(S) POST per attempt on a Beast stream, to an
// address that passed the URL guard, under one deadline for the whole attempt.
#include "runtime/outbox/webhook.hpp"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include "runtime/outbox/signature.hpp"
#include "runtime/outbox/url_guard.hpp"

namespace leadflow::runtime::outbox {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

DeliveryResult classify_http_status(int status, std::optional<Seconds> retry_after) {
  const std::string reason = "HTTP " + std::to_string(status);
  if (status >= 200 && status < 300) return DeliveryResult::delivered(status);
  if (status == 410) return DeliveryResult::gone(reason + " (endpoint gone)", status);
  if (status == 408 || status == 425 || status == 429 || status >= 500)
    return DeliveryResult::retry(reason, retry_after, status);
  return DeliveryResult::failed(reason, status);
}

namespace {

struct PostRequest {
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10000};
  bool allow_private = false;
  std::string user_agent;
};

// What the deadline timer must be able to stop, kept alive by whichever of the timer handler
// and the coroutine finishes last.
struct Attempt {
  explicit Attempt(const asio::any_io_executor& ex) : resolver(ex), deadline(ex), tcp_stream(ex) {}
  tcp::resolver resolver;
  asio::steady_timer deadline;
  beast::tcp_stream tcp_stream;  // plain http; for https the TLS stream is built on top of it
  bool timed_out = false;
};

template <class Stream>
asio::awaitable<DeliveryResult> exchange(Stream& stream, const ParsedUrl& url, const PostRequest& req) {
  http::request<http::string_body> request{http::verb::post, url.target, 11};
  const bool default_port = (url.scheme == "https" && url.port == 443) || (url.scheme == "http" && url.port == 80);
  const bool v6 = url.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  if (!default_port) host += ":" + std::to_string(url.port);
  request.set(http::field::host, host);
  request.set(http::field::user_agent, req.user_agent);
  request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : req.headers) request.set(name, value);
  request.body() = req.body;
  request.prepare_payload();
  request.keep_alive(false);
  co_await http::async_write(stream, request, asio::use_awaitable);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);  // the receiver's body is only logged; don't let it grow
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
  const auto& response = parser.get();
  std::optional<Seconds> retry_after;
  if (auto it = response.find(http::field::retry_after); it != response.end()) {
    const auto now = std::chrono::duration_cast<Seconds>(std::chrono::system_clock::now().time_since_epoch());
    retry_after = parse_retry_after(std::string_view(it->value().data(), it->value().size()), now.count());
  }
  co_return classify_http_status(static_cast<int>(response.result_int()), retry_after);
}

asio::awaitable<DeliveryResult> post(asio::any_io_executor ex, PostRequest req) {
  std::string why;
  const auto url = parse_url(req.url, &why);
  if (!url) co_return DeliveryResult::failed("bad URL: " + why);

  auto attempt = std::make_shared<Attempt>(ex);
  attempt->deadline.expires_after(req.timeout);
  attempt->deadline.async_wait([weak = std::weak_ptr<Attempt>(attempt)](boost::system::error_code ec) {
    auto a = weak.lock();
    if (ec || !a) return;
    a->timed_out = true;
    a->resolver.cancel();
    a->tcp_stream.cancel();
    boost::system::error_code ignored;
    a->tcp_stream.socket().close(ignored);
  });
  struct StopDeadline {
    std::shared_ptr<Attempt> a;
    ~StopDeadline() { a->deadline.cancel(); }
  } stop{attempt};

  try {
    // One resolution; every address is checked and only checked addresses are connected to,
    // so a second, different DNS answer (rebinding) never comes into play.
    auto results = co_await attempt->resolver.async_resolve(url->host, std::to_string(url->port), asio::use_awaitable);
    std::vector<tcp::endpoint> endpoints;
    for (const auto& entry : results) {
      const tcp::endpoint ep = entry.endpoint();
      if (!req.allow_private) {
        if (auto refusal = address_refusal(ep.address().to_string())) {
          co_return DeliveryResult::failed("refused: " + url->host + " resolves to " + *refusal);
        }
      }
      endpoints.push_back(ep);
    }
    if (endpoints.empty()) co_return DeliveryResult::retry("no address for " + url->host);
    co_await asio::async_connect(attempt->tcp_stream.socket(), endpoints, asio::use_awaitable);

    if (url->scheme == "http") co_return co_await exchange(attempt->tcp_stream, *url, req);

    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream&> stream(attempt->tcp_stream, tls);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str())) {
      co_return DeliveryResult::failed("TLS: cannot set the server name");
    }
    stream.set_verify_callback(asio::ssl::host_name_verification(url->host));
    co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    DeliveryResult result = co_await exchange(stream, *url, req);
    co_return result;  // no TLS shutdown: the response is complete and the connection is dropped
  } catch (const boost::system::system_error& e) {
    if (attempt->timed_out) co_return DeliveryResult::retry("timeout after " + std::to_string(req.timeout.count()) + " ms");
    const auto& ec = e.code();
    if (ec.category() == asio::error::get_ssl_category()) {
      // Certificate problems do not heal by retrying soon, but a rotated certificate can: retry.
      co_return DeliveryResult::retry("TLS: " + ec.message());
    }
    co_return DeliveryResult::retry(ec.message());
  }
}

void run_post(asio::any_io_executor ex, PostRequest req, Connector::Handler handler) {
  asio::co_spawn(ex, post(ex, std::move(req)),
                 [h = std::move(handler)](std::exception_ptr e, DeliveryResult r) mutable {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       r = DeliveryResult::retry(std::string("error: ") + ex.what());
                     } catch (...) {
                       r = DeliveryResult::retry("unknown error");
                     }
                   }
                   std::move(h)(std::move(r));
                 });
}

std::string string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->as_string());
}

}  // namespace

// ---------------------------------------------------------------- WebhookConnector

WebhookConnector::WebhookConnector(asio::any_io_executor executor, WebhookConfig config,
                                   std::function<TimePoint()> clock)
    : Connector(std::move(executor)), config_(std::move(config)), clock_(std::move(clock)) {
  for (const std::string& s : config_.secrets) {
    if (auto key = decode_webhook_secret(s)) keys_.push_back(std::move(*key));
  }
  if (!clock_) {
    clock_ = [] {
      return std::chrono::duration_cast<Seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    };
  }
}

WebhookConnector::~WebhookConnector() = default;

void WebhookConnector::start(asio::any_io_executor ex, OutboxItem item, Handler handler) {
  PostRequest req;
  req.url = config_.url;
  if (config_.use_effect_url) {
    boost::system::error_code ec;
    json::value v = json::parse(item.body, ec);
    std::string to = !ec && v.is_object() ? string_field(v.as_object(), "to") : std::string();
    if (to.empty()) {
      auto r = DeliveryResult::failed("the effect has no `to` URL");
      asio::post(ex, [h = std::move(handler), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
      return;
    }
    req.url = to;
  }
  const TimePoint ts = clock_();
  req.headers.emplace_back("webhook-id", item.idempotency_key);
  req.headers.emplace_back("webhook-timestamp", std::to_string(ts));
  if (!keys_.empty()) {
    req.headers.emplace_back("webhook-signature", webhook_signature(keys_, item.idempotency_key, ts, item.body));
  }
  req.body = std::move(item.body);
  req.timeout = config_.timeout;
  req.allow_private = config_.allow_private;
  req.user_agent = config_.user_agent;
  run_post(std::move(ex), std::move(req), std::move(handler));
}

// ---------------------------------------------------------------- SlackConnector

std::string slack_payload(std::string_view effect_body) {
  boost::system::error_code ec;
  json::value v = json::parse(effect_body, ec);
  std::string text;
  if (ec || !v.is_object()) {
    text = std::string(effect_body);
  } else {
    const json::object& o = v.as_object();
    const std::string action = string_field(o, "action");
    const std::string lead = string_field(o, "lead");
    if (action == "notify") {
      text = string_field(o, "message");
      const std::string to = string_field(o, "to");
      if (!to.empty()) text += " (for " + to + ")";
      if (!lead.empty()) text += " — lead " + lead;
    } else if (action == "sla") {
      text = "SLA " + string_field(o, "sla") + " " + string_field(o, "level") + " for lead " + lead;
      const std::string owner = string_field(o, "owner");
      if (!owner.empty()) text += " (owner " + owner + ")";
    } else if (action == "blocked") {
      text = "blocked " + string_field(o, "effect") + " for lead " + lead + ": " + string_field(o, "reason");
    } else {
      text = action + " for lead " + lead;
    }
  }
  json::object payload;
  payload["text"] = text;
  return json::serialize(payload);
}

SlackConnector::SlackConnector(asio::any_io_executor executor, SlackConfig config)
    : Connector(std::move(executor)), config_(std::move(config)) {}

SlackConnector::~SlackConnector() = default;

void SlackConnector::start(asio::any_io_executor ex, OutboxItem item, Handler handler) {
  PostRequest req;
  req.url = config_.url;
  req.body = slack_payload(item.body);
  req.timeout = config_.timeout;
  req.allow_private = config_.allow_private;
  req.user_agent = "leadflow-slack/1";
  run_post(std::move(ex), std::move(req), std::move(handler));
}

}  // namespace leadflow::runtime::outbox
