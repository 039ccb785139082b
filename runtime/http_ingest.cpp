// Routing, authentication and validation of the HTTP API, as a pure function of the request.
#include "runtime/http_ingest.hpp"

#include <boost/json.hpp>
#include <filesystem>

#include "engine/program.hpp"
#include "runtime/lead_processor.hpp"
#include "runtime/store/lead_codec.hpp"

namespace leadflow::runtime {

namespace json = boost::json;

bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

bool parse_service_config(const std::string& text, ServiceConfig& config, std::string& error,
                          const std::string& base_dir) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    error = "expected a JSON object";
    return false;
  }
  const json::object& o = v.get_object();
  if (auto* l = o.if_contains("listen")) {
    if (!l->is_string()) return error = "`listen`: expected \"ADDR:PORT\"", false;
    config.listen = std::string(l->get_string());
  }
  if (auto* t = o.if_contains("tenants")) {
    if (!t->is_object()) return error = "`tenants`: expected an object keyed by tenant", false;
    for (const auto& [tenant, spec] : t->get_object()) {
      const json::value* tokens = spec.is_object() ? spec.get_object().if_contains("tokens") : nullptr;
      if (tokens == nullptr || !tokens->is_array()) {
        return error = "`tenants." + std::string(tenant) + ".tokens`: expected a list of strings", false;
      }
      for (const json::value& tok : tokens->get_array()) {
        if (!tok.is_string() || tok.get_string().size() < 16) {
          return error = "`tenants." + std::string(tenant) + ".tokens`: each token must be a string of 16+ characters", false;
        }
        config.tokens[std::string(tok.get_string())] = std::string(tenant);
      }
    }
  }
  if (auto* lim = o.if_contains("limits"); lim != nullptr && lim->is_object()) {
    if (auto* b = lim->get_object().if_contains("max_body_bytes"); b != nullptr && b->is_int64()) {
      config.max_body_bytes = static_cast<std::size_t>(b->get_int64());
    }
    if (auto* d = lim->get_object().if_contains("max_json_depth"); d != nullptr && d->is_int64()) {
      config.max_json_depth = static_cast<std::size_t>(d->get_int64());
    }
  }
  if (auto* s = o.if_contains("sinks")) {
    const json::value* j = s->is_object() ? s->get_object().if_contains("jsonl") : nullptr;
    if (j == nullptr || !j->is_string() || j->get_string().empty()) {
      return error = "`sinks.jsonl`: expected the path of the outbox JSONL file", false;
    }
    std::filesystem::path path(std::string(j->get_string()));
    if (path.is_relative() && !base_dir.empty()) path = std::filesystem::path(base_dir) / path;
    config.jsonl_sink = path.string();
  }
  if (auto* r = o.if_contains("reload")) {
    const json::object* ro = r->if_object();
    if (ro == nullptr) return error = "`reload`: expected {\"watch\": true|false, \"debounce_ms\": N}", false;
    if (auto* w = ro->if_contains("watch")) {
      if (!w->is_bool()) return error = "`reload.watch`: expected true or false", false;
      config.watch = w->get_bool();
    }
    if (auto* d = ro->if_contains("debounce_ms")) {
      if (!d->is_int64() || d->get_int64() < 0) return error = "`reload.debounce_ms`: expected milliseconds (0 or more)", false;
      config.debounce_ms = d->get_int64();
    }
  }
  if (auto* r = o.if_contains("relay")) {
    const json::object* ro = r->if_object();
    const json::value* d = ro == nullptr ? nullptr : ro->if_contains("delay_ms");
    if (ro == nullptr || (d != nullptr && (!d->is_int64() || d->get_int64() < 0 || d->get_int64() > 60000))) {
      return error = "`relay.delay_ms`: expected milliseconds from 0 to 60000", false;
    }
    if (d != nullptr) config.relay_delay_ms = d->get_int64();
  }
  // The outbox connectors: the keys of examples/connectors.json, parsed by their own parser.
  json::object registry;
  for (const char* key : {"connectors", "routes", "retry", "allow_private_targets"}) {
    if (const json::value* v = o.if_contains(key)) registry[key] = *v;
  }
  if (!registry.empty()) {
    if (o.contains("sinks")) {
      return error = "`sinks`: give either `sinks` or `connectors`/`routes`, not both (a jsonl connector replaces it)",
             false;
    }
    std::vector<outbox::ConfigError> errors;
    config.outbox = outbox::parse_registry_config(json::serialize(registry), base_dir, errors);
    if (!config.outbox) {
      for (const outbox::ConfigError& e : errors) {
        // Top-level keys come back as ".key" from the registry parser.
        std::string field = !e.field.empty() && e.field[0] == '.' ? e.field.substr(1) : e.field;
        if (!error.empty()) error += "; ";
        error += "`" + (field.empty() ? std::string("connectors") : field) + "`: " + e.message;
      }
      return false;
    }
  }
  return true;
}

namespace {

HttpResponse error(int status, std::string message, std::string field = {}, std::size_t line = 0) {
  json::object o;
  o["error"] = message;
  o["field"] = field.empty() ? json::value(nullptr) : json::value(field);
  if (line != 0) o["line"] = line;
  return HttpResponse{status, "application/json", json::serialize(o) + "\n"};
}

HttpResponse ok(const json::value& v, int status = 200) {
  return HttpResponse{status, "application/json", json::serialize(v) + "\n"};
}

// The tenant of the request, or nothing (401) when the token is missing or wrong.
std::optional<std::string> authenticate(const HttpRequest& request, const ServiceConfig& config) {
  if (config.tokens.empty()) return std::string("default");
  constexpr std::string_view prefix = "Bearer ";
  if (request.authorization.size() <= prefix.size() || request.authorization.compare(0, prefix.size(), prefix) != 0) {
    return std::nullopt;
  }
  std::string_view token = std::string_view(request.authorization).substr(prefix.size());
  std::optional<std::string> tenant;
  // Every token is compared, whichever matches: the time does not depend on which one it was.
  for (const auto& [known, name] : config.tokens) {
    if (constant_time_equal(token, known)) tenant = name;
  }
  return tenant;
}

json::value lead_json(const engine::Program& program, const std::string& id, const engine::LeadState& lead) {
  json::object o;
  o["id"] = id;
  json::object fields;
  for (std::size_t i = 0; i < lead.fields.size() && i < program.lead_fields.size(); ++i) {
    if (lead.fields[i].is_null()) continue;
    fields[program.lead_fields[i].name] = json::parse(engine::to_json(lead.fields[i]));
  }
  auto field = [&](const char* name) -> json::value {
    engine::Slot s = program.lead_slot(name);
    if (s == engine::no_index || static_cast<std::size_t>(s) >= lead.fields.size()) return nullptr;
    return json::parse(engine::to_json(lead.fields[static_cast<std::size_t>(s)]));
  };
  o["score"] = field("score");
  o["stage"] = field("stage");
  o["owner"] = field("owner");
  o["fields"] = std::move(fields);
  json::array reasons;
  for (const engine::ScoreEntry& e : lead.score_log) {
    reasons.push_back(json::object{{"points", e.points}, {"reason", std::string(e.reason)}, {"source", std::string(e.source)},
                                   {"at", engine::format_time(e.at)}});
  }
  o["score_reasons"] = std::move(reasons);
  json::array runs;
  for (const engine::Run& r : lead.runs) {
    if (r.status == engine::RunStatus::Done) continue;
    json::object run{{"id", r.id}, {"workflow", r.workflow_name},
                     {"version", r.program ? r.program->version : std::string()},
                     {"started_at", engine::format_time(r.started_at)}};
    const char* status = r.status == engine::RunStatus::WaitingTimer   ? "waiting_timer"
                         : r.status == engine::RunStatus::WaitingEvent ? "waiting_event"
                                                                       : "running";
    run["status"] = status;
    run["node"] = r.node;
    if (r.status != engine::RunStatus::Running) run["wake_at"] = engine::format_time(r.wake_at);
    if (r.status == engine::RunStatus::WaitingEvent && r.program && r.wait_event >= 0 &&
        static_cast<std::size_t>(r.wait_event) < r.program->events.size()) {
      run["waiting_for"] = r.program->events[static_cast<std::size_t>(r.wait_event)].name;
    }
    runs.push_back(std::move(run));
  }
  o["runs"] = std::move(runs);
  return o;
}

}  // namespace

HttpResponse handle_request(const HttpRequest& request, ApiContext& context) {
  std::string path = request.target.substr(0, request.target.find('?'));
  if (path == "/healthz") {
    if (request.method != "GET") return error(405, "method not allowed", "method");
    return ok(json::object{{"ok", true}, {"version", context.processor.program()->version}});
  }
  if (path == "/metrics") {
    if (request.method != "GET") return error(405, "method not allowed", "method");
    return HttpResponse{200, "text/plain; version=0.0.4", context.metrics ? context.metrics() : std::string()};
  }
  if (path.rfind("/v1/", 0) != 0) return error(404, "no such endpoint `" + path + "`", "path");

  std::optional<std::string> tenant = authenticate(request, context.config);
  if (!tenant) return error(401, "missing or invalid bearer token", "authorization");

  if (path == "/v1/events") {
    if (request.method != "POST") return error(405, "method not allowed", "method");
    if (request.body.size() > context.config.max_body_bytes) {
      return error(413, "body larger than " + std::to_string(context.config.max_body_bytes) + " bytes", "body");
    }
    const engine::TimePoint now = context.clock();
    ParsedEvents parsed = context.processor.parse_events(*tenant, request.body, now, context.config.max_json_depth);
    if (!parsed.errors.empty()) {
      const InputError& e = parsed.errors.front();
      return error(e.message.find("deeper") != std::string::npos ? 413 : 400, e.message,
                   e.field.empty() ? "body" : e.field, e.line);
    }
    if (parsed.events.empty()) return error(400, "no events in the body", "body");
    BatchOutcome outcome = context.defer_commit ? context.processor.stage(std::move(parsed.events), now, true)
                                                : context.processor.apply(std::move(parsed.events), now, true);
    if (!outcome.errors.empty()) {
      const InputError& e = outcome.errors.front();
      return error(422, e.message, e.field, e.line);
    }
    if (!outcome.committed) return error(503, "the store refused the batch: " + outcome.error, "");
    if (!context.defer_commit && context.committed) context.committed();
    HttpResponse response = ok(json::object{{"applied", outcome.applied}, {"duplicates", outcome.duplicates},
                                            {"effects", outcome.effects}, {"timers_fired", outcome.timers_fired}});
    if (context.defer_commit) response.commit_ticket = outcome.commit_ticket;
    return response;
  }
  if (path.rfind("/v1/leads/", 0) == 0) {
    if (request.method != "GET") return error(405, "method not allowed", "method");
    std::string id = path.substr(10);
    const engine::LeadState* lead = context.processor.lead(*tenant, id);
    // Another tenant's lead is as unknown as a lead that does not exist.
    if (lead == nullptr || id.empty()) return error(404, "unknown lead `" + id + "`", "id");
    return ok(lead_json(*context.processor.program(), id, *lead));
  }
  if (path == "/v1/workflows") {
    if (request.method != "GET") return error(405, "method not allowed", "method");
    return HttpResponse{200, "application/json", context.workflows_json ? context.workflows_json(*tenant) : "{}\n"};
  }
  if (path == "/v1/reload") {
    if (request.method != "POST") return error(405, "method not allowed", "method");
    if (!context.reload) return error(404, "reload is not available", "path");
    return context.reload();
  }
  if (path == "/v1/forget") {
    if (request.method != "POST") return error(405, "method not allowed", "method");
    if (!context.forget) return error(404, "forget is not available", "path");
    if (request.body.size() > context.config.max_body_bytes) {
      return error(413, "body larger than " + std::to_string(context.config.max_body_bytes) + " bytes", "body");
    }
    json::error_code ec;
    json::value v = json::parse(request.body, ec);
    if (ec || !v.is_object()) return error(400, "expected a JSON object {\"email\": \"...\"}", "body");
    const json::value* email = v.get_object().if_contains("email");
    if (email == nullptr || !email->is_string() || email->get_string().find_first_not_of(" \t") == json::string::npos) {
      return error(422, "expected the person's e-mail address as a string", "email");
    }
    return context.forget(*tenant, std::string(email->get_string()));
  }
  if (path == "/v1/reload/plan") {
    if (request.method != "GET") return error(405, "method not allowed", "method");
    if (!context.reload_plan) return error(404, "reload is not available", "path");
    return HttpResponse{200, "application/json", context.reload_plan(*tenant)};
  }
  return error(404, "no such endpoint `" + path + "`", "path");
}

}  // namespace leadflow::runtime
