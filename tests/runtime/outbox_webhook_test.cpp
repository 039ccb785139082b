// The webhook and Slack connectors against a one-request Beast server on 127.0.0.1, run on the
// same io_context as the connector (no threads, no sleeps).
#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "runtime/outbox/signature.hpp"
#include "runtime/outbox/webhook.hpp"

using namespace leadflow::runtime::outbox;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* secret_a = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string secret_b = "whsec_" + base64_encode("rotated key rotated key rotated!");

struct Answer {
  http::status status = http::status::ok;
  std::vector<std::pair<std::string, std::string>> headers;
  bool silent = false;  // read the request, never answer (timeout)
};

// Accepts one connection, records the request, answers it.
struct TestServer {
  explicit TestServer(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + path;
  }
  void serve(Answer answer) {
    asio::co_spawn(acceptor.get_executor(), run(std::move(answer)), asio::detached);
  }
  asio::awaitable<void> run(Answer answer) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    co_await http::async_read(socket, buffer, req, asio::use_awaitable);
    request = req;
    ++requests;
    if (answer.silent) {
      // Wait for the client to give up and close.
      char byte;
      boost::system::error_code ec;
      co_await socket.async_read_some(asio::buffer(&byte, 1), asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
    http::response<http::string_body> res{answer.status, 11};
    for (const auto& [k, v] : answer.headers) res.set(k, v);
    if (answer.status != http::status::no_content) res.body() = "{}";
    res.prepare_payload();
    co_await http::async_write(socket, res, asio::use_awaitable);
  }
  tcp::acceptor acceptor;
  http::request<http::string_body> request;
  int requests = 0;
};

OutboxItem sample_item() {
  OutboxItem item;
  item.id = 1;
  item.tenant = "acme";
  item.lead = "L-1";
  item.kind = "notify";
  item.body = R"({"at":"2026-01-05T09:00:00Z","lead":"L-1","workflow":"sla_watch","action":"notify","channel":"manager","to":"boss@acme.com","message":"Hot lead waiting"})";
  item.idempotency_key = "lf_0123456789abcdef0123456789abcdef";
  return item;
}

WebhookConfig config_for(const TestServer& server) {
  WebhookConfig c;
  c.url = server.url();
  c.secrets = {secret_a, secret_b};
  c.allow_private = true;  // the test server is on loopback
  c.timeout = std::chrono::milliseconds(2000);
  return c;
}

DeliveryResult deliver_once(asio::io_context& io, Connector& connector, const OutboxItem& item) {
  std::optional<DeliveryResult> result;
  connector.async_deliver(item, [&](DeliveryResult r) { result = std::move(r); });
  io.run();
  io.restart();
  REQUIRE(result);
  return *result;
}

std::string header(const http::request<http::string_body>& req, const char* name) {
  auto it = req.find(name);
  return it == req.end() ? std::string() : std::string(it->value());
}

}  // namespace

TEST_CASE("a 200 answer is delivered, signed the Standard Webhooks way with every key", "[outbox][webhook]") {
  asio::io_context io;
  TestServer server(io);
  server.serve({http::status::ok, {}, false});
  WebhookConnector connector(io.get_executor(), config_for(server), [] { return TimePoint{1767603600}; });
  REQUIRE(connector.has_keys());
  const OutboxItem item = sample_item();
  const DeliveryResult r = deliver_once(io, connector, item);
  CHECK(r.status == DeliveryStatus::Delivered);
  CHECK(r.http_status == 200);
  REQUIRE(server.requests == 1);
  const auto& req = server.request;
  CHECK(req.method() == http::verb::post);
  CHECK(req.target() == "/hook");
  CHECK(req.body() == item.body);
  CHECK(header(req, "content-type") == "application/json");
  CHECK(header(req, "webhook-id") == item.idempotency_key);
  CHECK(header(req, "webhook-timestamp") == "1767603600");
  const std::string sig = header(req, "webhook-signature");
  CHECK(std::count(sig.begin(), sig.end(), ' ') == 1);
  std::vector<Bytes> only_a{*decode_webhook_secret(secret_a)};
  std::vector<Bytes> only_b{*decode_webhook_secret(secret_b)};
  CHECK(verify_webhook_signature(only_a, item.idempotency_key, "1767603600", req.body(), sig));
  CHECK(verify_webhook_signature(only_b, item.idempotency_key, "1767603600", req.body(), sig));
}

TEST_CASE("a 410 answer means the endpoint is gone", "[outbox][webhook]") {
  asio::io_context io;
  TestServer server(io);
  server.serve({http::status::gone, {}, false});
  WebhookConnector connector(io.get_executor(), config_for(server));
  const DeliveryResult r = deliver_once(io, connector, sample_item());
  CHECK(r.status == DeliveryStatus::Gone);
  CHECK(r.http_status == 410);
}

TEST_CASE("a 503 answer with Retry-After is retried after the given seconds", "[outbox][webhook]") {
  asio::io_context io;
  TestServer server(io);
  server.serve({http::status::service_unavailable, {{"Retry-After", "120"}}, false});
  WebhookConnector connector(io.get_executor(), config_for(server));
  const DeliveryResult r = deliver_once(io, connector, sample_item());
  CHECK(r.status == DeliveryStatus::Retry);
  CHECK(r.http_status == 503);
  REQUIRE(r.retry_after);
  CHECK(*r.retry_after == Seconds(120));
}

TEST_CASE("a 429 answer is retried and a 400 answer fails for good", "[outbox][webhook]") {
  asio::io_context io;
  TestServer server(io);
  WebhookConnector connector(io.get_executor(), config_for(server));
  server.serve({http::status::too_many_requests, {}, false});
  CHECK(deliver_once(io, connector, sample_item()).status == DeliveryStatus::Retry);
  server.serve({http::status::bad_request, {}, false});
  const DeliveryResult r = deliver_once(io, connector, sample_item());
  CHECK(r.status == DeliveryStatus::Failed);
  CHECK(r.http_status == 400);
  CHECK(server.requests == 2);
}

TEST_CASE("a receiver that never answers times out and is retried", "[outbox][webhook]") {
  asio::io_context io;
  TestServer server(io);
  server.serve({http::status::ok, {}, true});
  WebhookConfig c = config_for(server);
  c.timeout = std::chrono::milliseconds(200);
  WebhookConnector connector(io.get_executor(), c);
  const DeliveryResult r = deliver_once(io, connector, sample_item());
  CHECK(r.status == DeliveryStatus::Retry);
  CHECK_THAT(r.reason, Catch::Contains("timeout"));
}

TEST_CASE("a connection refused is retried", "[outbox][webhook]") {
  asio::io_context io;
  std::string url;
  {
    TestServer closed(io);
    url = closed.url();
  }  // the port is free again: nothing listens there
  WebhookConfig c;
  c.url = url;
  c.allow_private = true;
  WebhookConnector connector(io.get_executor(), c);
  CHECK(deliver_once(io, connector, sample_item()).status == DeliveryStatus::Retry);
}

TEST_CASE("loopback targets are refused unless private targets are allowed", "[outbox][webhook][url-guard]") {
  asio::io_context io;
  TestServer server(io);
  for (std::string url : {server.url(), "http://localhost:" + std::to_string(server.acceptor.local_endpoint().port()) + "/x",
                          std::string("http://[::1]:9/x"), std::string("http://10.1.2.3:9/x")}) {
    INFO(url);
    WebhookConfig c;
    c.url = url;
    WebhookConnector connector(io.get_executor(), c);
    const DeliveryResult r = deliver_once(io, connector, sample_item());
    CHECK(r.status == DeliveryStatus::Failed);
    CHECK_THAT(r.reason, Catch::Contains("refused"));
  }
  CHECK(server.requests == 0);
}

TEST_CASE("use_effect_url posts to the effect's own URL, guarded the same way", "[outbox][webhook]") {
  asio::io_context io;
  TestServer server(io);
  OutboxItem item = sample_item();
  item.kind = "webhook";
  item.body = R"({"lead":"L-1","action":"webhook","channel":"webhook","to":")" + server.url("/from-flow") + R"("})";
  WebhookConfig c;
  c.use_effect_url = true;
  {
    WebhookConnector guarded(io.get_executor(), c);
    CHECK(deliver_once(io, guarded, item).status == DeliveryStatus::Failed);
  }
  c.allow_private = true;
  server.serve({http::status::no_content, {}, false});
  WebhookConnector connector(io.get_executor(), c);
  CHECK(deliver_once(io, connector, item).status == DeliveryStatus::Delivered);
  CHECK(server.request.target() == "/from-flow");
}

TEST_CASE("Slack gets a text message built from a notify effect", "[outbox][slack]") {
  asio::io_context io;
  TestServer server(io);
  server.serve({http::status::ok, {}, false});
  SlackConfig c;
  c.url = server.url("/services/T0/B0/x");
  c.allow_private = true;
  SlackConnector connector(io.get_executor(), c);
  CHECK(deliver_once(io, connector, sample_item()).status == DeliveryStatus::Delivered);
  CHECK(server.request.target() == "/services/T0/B0/x");
  CHECK(server.request.body() == R"({"text":"Hot lead waiting (for boss@acme.com) — lead L-1"})");
  CHECK(header(server.request, "webhook-signature").empty());
}

TEST_CASE("Slack messages for SLA and other effects say what happened", "[outbox][slack]") {
  CHECK(slack_payload(R"({"lead":"L-2","action":"sla","level":"alert","owner":"ana@acme.com","sla":"hot_lead"})") ==
        R"x({"text":"SLA hot_lead alert for lead L-2 (owner ana@acme.com)"})x");
  CHECK(slack_payload(R"({"lead":"L-3","action":"assign","owner":"bo"})") == R"({"text":"assign for lead L-3"})");
}

TEST_CASE("HTTP statuses map to delivery results", "[outbox][webhook]") {
  CHECK(classify_http_status(200, std::nullopt).status == DeliveryStatus::Delivered);
  CHECK(classify_http_status(204, std::nullopt).status == DeliveryStatus::Delivered);
  CHECK(classify_http_status(410, std::nullopt).status == DeliveryStatus::Gone);
  CHECK(classify_http_status(408, std::nullopt).status == DeliveryStatus::Retry);
  CHECK(classify_http_status(429, Seconds(5)).retry_after == Seconds(5));
  CHECK(classify_http_status(500, std::nullopt).status == DeliveryStatus::Retry);
  CHECK(classify_http_status(404, std::nullopt).status == DeliveryStatus::Failed);
  CHECK(classify_http_status(301, std::nullopt).status == DeliveryStatus::Failed);
}
