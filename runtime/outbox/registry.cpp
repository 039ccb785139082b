// Connector configuration (examples/connectors.json) and the registry built from it.
#include "runtime/outbox/connector.hpp"

#include <filesystem>

#include <boost/json.hpp>

#include "runtime/outbox/jsonl_sink.hpp"
#include "runtime/outbox/url_guard.hpp"
#include "runtime/outbox/webhook.hpp"

namespace leadflow::runtime::outbox {

namespace json = boost::json;

namespace {

struct Reader {
  std::vector<ConfigError>& errors;
  void error(std::string field, std::string message) { errors.push_back({std::move(field), std::move(message)}); }

  std::optional<std::string> string(const json::object& o, std::string_view key, const std::string& path,
                                    bool required) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) {
      if (required) error(path + "." + std::string(key), "missing");
      return std::nullopt;
    }
    if (!v->is_string()) {
      error(path + "." + std::string(key), "expected a string");
      return std::nullopt;
    }
    return std::string(v->as_string());
  }
  std::optional<std::int64_t> integer(const json::object& o, std::string_view key, const std::string& path,
                                      std::int64_t min) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_int64() && !v->is_uint64()) {
      error(path + "." + std::string(key), "expected an integer");
      return std::nullopt;
    }
    const std::int64_t n = v->is_int64() ? v->as_int64() : static_cast<std::int64_t>(v->as_uint64());
    if (n < min) {
      error(path + "." + std::string(key), "must be at least " + std::to_string(min));
      return std::nullopt;
    }
    return n;
  }
  std::optional<bool> boolean(const json::object& o, std::string_view key, const std::string& path) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_bool()) {
      error(path + "." + std::string(key), "expected true or false");
      return std::nullopt;
    }
    return v->as_bool();
  }
  void url(const std::string& value, const std::string& field) {
    std::string why;
    if (!parse_url(value, &why)) error(field, why);
  }
};

}  // namespace

RegistryConfig default_registry_config(const std::string& jsonl_path, bool envelope) {
  RegistryConfig c;
  ConnectorConfig file;
  file.name = "file";
  file.type = "jsonl";
  file.jsonl.path = jsonl_path;
  file.jsonl.envelope = envelope;
  c.connectors.push_back(file);
  c.routes["*"] = {"file"};
  return c;
}

std::optional<RegistryConfig> parse_registry_config(std::string_view text, const std::string& base_dir,
                                                    std::vector<ConfigError>& errors) {
  const std::size_t errors_before = errors.size();
  Reader r{errors};
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) {
    r.error("", "invalid JSON: " + ec.message());
    return std::nullopt;
  }
  if (!root.is_object()) {
    r.error("", "expected an object");
    return std::nullopt;
  }
  const json::object& top = root.as_object();
  RegistryConfig config;
  for (const auto& kv : top) {
    if (kv.key() != "connectors" && kv.key() != "routes" && kv.key() != "retry" &&
        kv.key() != "allow_private_targets")
      r.error(std::string(kv.key()), "unknown key");
  }
  if (auto b = r.boolean(top, "allow_private_targets", "")) config.allow_private_targets = *b;

  if (const json::value* cs = top.if_contains("connectors")) {
    if (!cs->is_object()) {
      r.error("connectors", "expected an object of named connectors");
    } else {
      for (const auto& kv : cs->as_object()) {
        const std::string path = "connectors." + std::string(kv.key());
        if (!kv.value().is_object()) {
          r.error(path, "expected an object");
          continue;
        }
        const json::object& o = kv.value().as_object();
        ConnectorConfig c;
        c.name = std::string(kv.key());
        c.type = r.string(o, "type", path, true).value_or("");
        if (c.type == "jsonl") {
          std::string p = r.string(o, "path", path, false).value_or("outbox.jsonl");
          std::filesystem::path fp(p);
          if (fp.is_relative() && !base_dir.empty()) fp = std::filesystem::path(base_dir) / fp;
          c.jsonl.path = fp.string();
          if (auto format = r.string(o, "format", path, false)) {
            if (*format == "effect") {
              c.jsonl.envelope = false;
            } else if (*format != "envelope") {
              r.error(path + ".format", "expected \"envelope\" or \"effect\"");
            }
          }
        } else if (c.type == "webhook") {
          c.webhook.use_effect_url = r.boolean(o, "use_effect_url", path).value_or(false);
          auto url = r.string(o, "url", path, !c.webhook.use_effect_url);
          if (url) {
            c.webhook.url = *url;
            r.url(*url, path + ".url");
          }
          if (const json::value* s = o.if_contains("secrets")) {
            if (!s->is_array()) {
              r.error(path + ".secrets", "expected a list of `whsec_...` strings");
            } else {
              for (const json::value& e : s->as_array()) {
                if (!e.is_string()) {
                  r.error(path + ".secrets", "expected a list of `whsec_...` strings");
                  continue;
                }
                c.webhook.secrets.emplace_back(e.as_string());
              }
            }
          }
          if (auto t = r.integer(o, "timeout_ms", path, 1)) c.webhook.timeout = std::chrono::milliseconds(*t);
          if (auto b = r.boolean(o, "allow_private", path)) c.webhook.allow_private = *b;
        } else if (c.type == "slack") {
          if (auto url = r.string(o, "url", path, true)) {
            c.slack.url = *url;
            r.url(*url, path + ".url");
          }
          if (auto t = r.integer(o, "timeout_ms", path, 1)) c.slack.timeout = std::chrono::milliseconds(*t);
          if (auto b = r.boolean(o, "allow_private", path)) c.slack.allow_private = *b;
        } else if (!c.type.empty()) {
          r.error(path + ".type", "unknown connector type `" + c.type + "` (jsonl, webhook, slack)");
        }
        config.connectors.push_back(std::move(c));
      }
    }
  }

  if (const json::value* rs = top.if_contains("routes")) {
    if (!rs->is_object()) {
      r.error("routes", "expected an object: effect kind -> list of connector names");
    } else {
      for (const auto& kv : rs->as_object()) {
        const std::string path = "routes." + std::string(kv.key());
        if (!kv.value().is_array()) {
          r.error(path, "expected a list of connector names");
          continue;
        }
        std::vector<std::string> names;
        for (const json::value& e : kv.value().as_array()) {
          if (!e.is_string()) {
            r.error(path, "expected a list of connector names");
            continue;
          }
          const std::string name(e.as_string());
          const bool known = std::any_of(config.connectors.begin(), config.connectors.end(),
                                         [&](const ConnectorConfig& c) { return c.name == name; });
          if (!known) r.error(path, "unknown connector `" + name + "`");
          names.push_back(name);
        }
        config.routes[std::string(kv.key())] = std::move(names);
      }
    }
  }

  if (const json::value* rv = top.if_contains("retry")) {
    if (!rv->is_object()) {
      r.error("retry", "expected an object");
    } else {
      const json::object& o = rv->as_object();
      if (auto n = r.integer(o, "max_attempts", "retry", 1)) config.retry.max_attempts = static_cast<std::uint32_t>(*n);
      if (auto n = r.integer(o, "base_seconds", "retry", 1)) config.retry.base = Seconds(*n);
      if (auto n = r.integer(o, "cap_seconds", "retry", 1)) config.retry.cap = Seconds(*n);
      if (auto n = r.integer(o, "max_retry_after_seconds", "retry", 0)) config.retry.max_retry_after = Seconds(*n);
      if (auto n = r.integer(o, "seed", "retry", 0)) config.retry.seed = static_cast<std::uint64_t>(*n);
    }
  }

  if (!config.routes.count("*")) {
    // Everything unrouted still lands somewhere local: the file sink, added if absent.
    const bool has_file = std::any_of(config.connectors.begin(), config.connectors.end(),
                                      [](const ConnectorConfig& c) { return c.name == "file"; });
    if (!has_file) {
      ConnectorConfig file = default_registry_config().connectors.front();
      if (!base_dir.empty()) file.jsonl.path = (std::filesystem::path(base_dir) / file.jsonl.path).string();
      config.connectors.push_back(file);
    }
    config.routes["*"] = {"file"};
  }
  if (errors.size() != errors_before) return std::nullopt;
  return config;
}

// ---------------------------------------------------------------- ConnectorRegistry

ConnectorRegistry::ConnectorRegistry(const RegistryConfig& config, boost::asio::any_io_executor executor)
    : config_(config) {
  for (const ConnectorConfig& c : config_.connectors) {
    std::unique_ptr<Connector> made;
    if (c.type == "jsonl") {
      made = std::make_unique<JsonlSink>(executor, c.jsonl);
    } else if (c.type == "webhook") {
      WebhookConfig w = c.webhook;
      w.allow_private = w.allow_private || config_.allow_private_targets;
      made = std::make_unique<WebhookConnector>(executor, w);
    } else if (c.type == "slack") {
      SlackConfig s = c.slack;
      s.allow_private = s.allow_private || config_.allow_private_targets;
      made = std::make_unique<SlackConnector>(executor, s);
    }
    if (made) {
      enabled_[c.name] = true;
      connectors_[c.name] = std::move(made);
    }
  }
}

ConnectorRegistry::~ConnectorRegistry() = default;

const std::vector<std::string>& routes_for(const RegistryConfig& config, std::string_view kind) {
  static const std::vector<std::string> none;
  auto it = config.routes.find(std::string(kind));
  if (it != config.routes.end()) return it->second;
  it = config.routes.find("*");
  return it != config.routes.end() ? it->second : none;
}

const std::vector<std::string>& ConnectorRegistry::routes_for(std::string_view kind) const {
  return outbox::routes_for(config_, kind);
}

Connector* ConnectorRegistry::find(std::string_view name) const {
  auto it = connectors_.find(name);
  return it == connectors_.end() ? nullptr : it->second.get();
}

void ConnectorRegistry::disable(std::string_view name) {
  auto it = enabled_.find(name);
  if (it != enabled_.end()) it->second = false;
}

bool ConnectorRegistry::enabled(std::string_view name) const {
  auto it = enabled_.find(name);
  return it != enabled_.end() && it->second;
}

std::vector<std::string> ConnectorRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, c] : connectors_) out.push_back(name);
  return out;
}

}  // namespace leadflow::runtime::outbox
