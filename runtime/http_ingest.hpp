// The HTTP API of `leadflow serve`: a pure `handle_request()` (request in, response out, testable
// without sockets) and the Beast server that feeds it, one coroutine per connection.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "engine/engine.hpp"
#include "runtime/outbox/connector.hpp"

namespace leadflow::runtime {

class LeadProcessor;

// What `serve --config FILE` holds (examples/serve.json).
struct ServiceConfig {
  std::string listen;                          // "127.0.0.1:8080"
  std::map<std::string, std::string> tokens;   // bearer token -> tenant
  std::size_t max_body_bytes = 1u << 20;
  std::size_t max_json_depth = 16;
  std::int64_t read_timeout_seconds = 30;
  std::string jsonl_sink;                      // `"sinks": {"jsonl": FILE}`: one jsonl connector for "*"
  // Top-level "connectors", "routes", "retry", "allow_private_targets", in the format of
  // examples/connectors.json; unset when the config has none of them.
  std::optional<outbox::RegistryConfig> outbox;
  // `"reload": {"watch": true, "debounce_ms": 300}`: whether the workflow folder is watched
  // (off: reload only by POST /v1/reload / `leadflow reload`), and the quiet time before a reload.
  bool watch = true;
  std::int64_t debounce_ms = 300;
  // `"relay": {"delay_ms": 0}`: how long the outbox relay waits after a commit before its pass
  // (one pass serves every commit made meanwhile). Passes run on the one service thread, so a
  // delay trades fewer, longer passes (better p50/p90) for a longer worst wait behind one (p99):
  // docs/performance.md, "Serve".
  std::int64_t relay_delay_ms = 0;
  std::int64_t shutdown_grace_seconds = 5;     // SIGTERM: how long deliveries in flight may finish
};
// False (error says which key) when the config is malformed. Relative file paths in it (JSONL
// sinks) are taken relative to `base_dir`, the config file's folder.
bool parse_service_config(const std::string& text, ServiceConfig& config, std::string& error,
                          const std::string& base_dir = {});

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // "/v1/leads/L-1?x=y"
  std::string authorization;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Non-zero (ApiContext::defer_commit): the answer may be sent only once this commit ticket of
  // the LeadProcessor is durable; if that commit fails the answer becomes a 503.
  std::uint64_t commit_ticket = 0;
};

// Everything a request can read or change. The callbacks belong to the service.
struct ApiContext {
  LeadProcessor& processor;
  const ServiceConfig& config;
  std::function<engine::TimePoint()> clock;
  // Both take the caller's tenant: runs in flight are counted for that tenant only.
  std::function<std::string(const std::string& tenant)> workflows_json;  // GET /v1/workflows
  std::function<HttpResponse()> reload;         // POST /v1/reload
  std::function<std::string(const std::string& tenant)> reload_plan;     // GET /v1/reload/plan
  std::function<std::string()> metrics;         // GET /metrics
  std::function<void()> committed;              // after a batch committed: re-arm timers, relay
  // POST /v1/forget: erases the person with this (normalised) e-mail from the caller's tenant;
  // the answer is the service's (200 with what was erased, 404 when nothing named them).
  std::function<HttpResponse(const std::string& tenant, const std::string& email)> forget;
  // Group commit: POST /v1/events only stages its events (LeadProcessor::stage) and returns the
  // answer with a commit ticket; the caller commits and answers once the ticket is durable.
  bool defer_commit = false;
};

// Routes, authenticates (bearer token → tenant, compared in constant time; with no tokens
// configured every request is tenant `default`), validates and answers. Errors are JSON:
// `{"error": "...", "field": "..."}` (field null when none), with a 4xx status.
HttpResponse handle_request(const HttpRequest& request, ApiContext& context);

// Constant-time equality (no early exit on the first differing byte).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace leadflow::runtime
