// `leadflow serve --config`: the outbox keys (connectors, routes, retry, allow_private_targets)
// beside the service's own, the `sinks.jsonl` shorthand, and errors that name the field.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "runtime/http_ingest.hpp"
#include "runtime/service.hpp"
#include "tests/support/process.hpp"

using namespace leadflow::runtime;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string parse_error(const std::string& text) {
  ServiceConfig config;
  std::string error;
  CHECK_FALSE(parse_service_config(text, config, error, "conf"));
  return error;
}

}  // namespace

TEST_CASE("examples/serve.json: the sinks shorthand is one jsonl connector for every kind, beside the config",
          "[relay][config]") {
  const std::string examples = std::string(LEADFLOW_SOURCE_DIR) + "/examples";
  ServiceConfig config;
  std::string error;
  REQUIRE(parse_service_config(read_text(examples + "/serve.json"), config, error, examples));
  CHECK(error.empty());
  CHECK_FALSE(config.outbox);
  CHECK(config.jsonl_sink == examples + "/outbox.jsonl");
  const outbox::RegistryConfig registry = outbox_config(config, "unused.jsonl");
  REQUIRE(registry.connectors.size() == 1);
  CHECK(registry.connectors[0].name == "file");
  CHECK(registry.connectors[0].jsonl.path == examples + "/outbox.jsonl");
  CHECK_FALSE(registry.connectors[0].jsonl.envelope);  // bare effect lines, as dry-run prints them
  CHECK(registry.routes.at("*") == std::vector<std::string>{"file"});
}

TEST_CASE("without any sink the outbox goes to the default file", "[relay][config]") {
  ServiceConfig config;
  std::string error;
  REQUIRE(parse_service_config(R"({"listen": "127.0.0.1:9000"})", config, error, "conf"));
  const outbox::RegistryConfig registry = outbox_config(config, "db-dir/outbox.jsonl");
  REQUIRE(registry.connectors.size() == 1);
  CHECK(registry.connectors[0].jsonl.path == "db-dir/outbox.jsonl");
}

TEST_CASE("examples/serve-webhooks.json: connectors and routes at the top level", "[relay][config]") {
  const std::string examples = std::string(LEADFLOW_SOURCE_DIR) + "/examples";
  ServiceConfig config;
  std::string error;
  REQUIRE(parse_service_config(read_text(examples + "/serve-webhooks.json"), config, error, examples));
  REQUIRE(config.outbox);
  CHECK(config.tokens.size() == 3);
  CHECK(config.outbox->connectors.size() == 4);
  CHECK(config.outbox->routes.at("assign") == std::vector<std::string>{"crm", "file"});
  CHECK(config.outbox->routes.at("webhook") == std::vector<std::string>{"flow_webhooks"});
  CHECK(config.outbox->retry.max_attempts == 10);
  CHECK_FALSE(config.outbox->allow_private_targets);
  for (const outbox::ConnectorConfig& c : config.outbox->connectors) {
    if (c.name == "file") {
      CHECK(c.jsonl.path == examples + "/outbox.jsonl");
      CHECK(c.jsonl.envelope);
    }
  }
  // The same connectors as examples/connectors.json, which has no tenants.
  ServiceConfig bare;
  REQUIRE(parse_service_config(read_text(examples + "/connectors.json"), bare, error, examples));
  REQUIRE(bare.outbox);
  CHECK(bare.outbox->routes == config.outbox->routes);
}

TEST_CASE("outbox config errors name the JSON field", "[relay][config]") {
  CHECK(parse_error(R"({"connectors": {"crm": {"type": "webhook", "url": "ftp://crm.example.com/x"}}})")
            .find("`connectors.crm.url`: ") == 0);
  CHECK(parse_error(R"({"connectors": {"crm": {"type": "carrier-pigeon"}}})") ==
        "`connectors.crm.type`: unknown connector type `carrier-pigeon` (jsonl, webhook, slack)");
  CHECK(parse_error(R"({"connectors": {"f": {"type": "jsonl"}}, "routes": {"assign": ["nope"]}})") ==
        "`routes.assign`: unknown connector `nope`");
  CHECK(parse_error(R"({"routes": {"*": ["file"]}, "retry": {"max_attempts": 0}})") ==
        "`routes.*`: unknown connector `file`; `retry.max_attempts`: must be at least 1");
  CHECK(parse_error(R"({"allow_private_targets": "yes"})") == "`allow_private_targets`: expected true or false");
  CHECK(parse_error(R"({"connectors": {"f": {"type": "jsonl", "format": "xml"}}})") ==
        "`connectors.f.format`: expected \"envelope\" or \"effect\"");
  CHECK(parse_error(R"({"sinks": {"jsonl": 3}})") == "`sinks.jsonl`: expected the path of the outbox JSONL file");
  CHECK(parse_error(R"({"sinks": {"jsonl": "a.jsonl"}, "connectors": {"f": {"type": "jsonl"}}})")
            .find("`sinks`: ") == 0);
}

TEST_CASE("serve exits 2 before binding when the config's outbox part is wrong", "[relay][config][e2e]") {
  REQUIRE(leadflow::testing::binary_exists());
  char pattern[] = "/tmp/leadflow-relay-config-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(pattern);
  std::ofstream(dir / "bad.json") << R"({"connectors": {"crm": {"type": "webhook"}}, "routes": {"*": ["crm"]}})";
  const leadflow::testing::ProcessResult r = leadflow::testing::run_leadflow(
      {"serve", "--workflows", "stdlib-workflows", "--db", (dir / "db.sqlite").string(), "--config",
       (dir / "bad.json").string(), "--listen", "127.0.0.1:1"});
  CHECK(r.status == 2);
  CHECK(r.err == (dir / "bad.json").string() + ": error: `connectors.crm.url`: missing\n");
  CHECK_FALSE(std::filesystem::exists(dir / "db.sqlite"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the relay's delay after a commit: 0 by default, set in milliseconds, bad values name the key",
          "[relay][config]") {
  ServiceConfig config;
  std::string error;
  REQUIRE(parse_service_config(R"({"listen": "127.0.0.1:9000"})", config, error, "conf"));
  CHECK(config.relay_delay_ms == 0);
  REQUIRE(parse_service_config(R"({"relay": {"delay_ms": 25}})", config, error, "conf"));
  CHECK(config.relay_delay_ms == 25);
  CHECK(parse_error(R"({"relay": {"delay_ms": -1}})") == "`relay.delay_ms`: expected milliseconds from 0 to 60000");
  CHECK(parse_error(R"({"relay": {"delay_ms": "20"}})") == "`relay.delay_ms`: expected milliseconds from 0 to 60000");
  CHECK(parse_error(R"({"relay": 20})") == "`relay.delay_ms`: expected milliseconds from 0 to 60000");
}
