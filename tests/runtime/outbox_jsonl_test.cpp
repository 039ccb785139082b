// The JSONL sink's file contents, dedupe by key across reopenings, and the registry config.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/asio/io_context.hpp>

#include "runtime/outbox/jsonl_sink.hpp"

using namespace leadflow::runtime::outbox;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    path = fs::temp_directory_path() / ("leadflow-outbox-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
  static inline int counter = 0;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

OutboxItem item(const std::string& key, const std::string& action) {
  OutboxItem i;
  i.tenant = "acme";
  i.lead = "L-1";
  i.kind = action;
  i.connector = "file";
  i.idempotency_key = key;
  i.body = R"({"lead":"L-1","action":")" + action + R"("})";
  return i;
}

}  // namespace

TEST_CASE("the JSONL sink appends one line per item with key, tenant, lead, kind and effect", "[outbox][jsonl]") {
  TempDir dir;
  boost::asio::io_context io;
  JsonlSink sink(io.get_executor(), JsonlConfig{(dir.path / "out.jsonl").string()});
  const auto results = sink.deliver_batch({item("k1", "assign"), item("k2", "email")});
  REQUIRE(results.size() == 2);
  CHECK(results[0].status == DeliveryStatus::Delivered);
  CHECK(results[1].status == DeliveryStatus::Delivered);
  CHECK(slurp(dir.path / "out.jsonl") ==
        "{\"key\":\"k1\",\"tenant\":\"acme\",\"lead\":\"L-1\",\"kind\":\"assign\",\"effect\":{\"lead\":\"L-1\",\"action\":\"assign\"}}\n"
        "{\"key\":\"k2\",\"tenant\":\"acme\",\"lead\":\"L-1\",\"kind\":\"email\",\"effect\":{\"lead\":\"L-1\",\"action\":\"email\"}}\n");
}

TEST_CASE("a key already in the file is not written again, also after reopening", "[outbox][jsonl]") {
  TempDir dir;
  const std::string path = (dir.path / "out.jsonl").string();
  boost::asio::io_context io;
  {
    JsonlSink sink(io.get_executor(), JsonlConfig{path});
    CHECK(sink.deliver(item("k1", "assign")).status == DeliveryStatus::Delivered);
    const auto again = sink.deliver_batch({item("k1", "assign"), item("k2", "task"), item("k2", "task")});
    for (const auto& r : again) CHECK(r.status == DeliveryStatus::Delivered);
  }
  JsonlSink reopened(io.get_executor(), JsonlConfig{path});
  CHECK(reopened.deliver(item("k2", "task")).status == DeliveryStatus::Delivered);
  CHECK(reopened.known_keys() == 2);
  const std::string text = slurp(path);
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);
}

TEST_CASE("a line torn by a crash is ended and its item written again", "[outbox][jsonl]") {
  TempDir dir;
  const fs::path path = dir.path / "out.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\"key\":\"k1\",\"tenant\":\"acme\",\"lead\":\"L-1\",\"kind\":\"assign\",\"effect\":{}}\n";
    out << "{\"key\":\"k2\",\"tenant\":\"ac";  // torn
  }
  boost::asio::io_context io;
  JsonlSink sink(io.get_executor(), JsonlConfig{path.string()});
  CHECK(sink.deliver_batch({item("k1", "assign"), item("k2", "task")}).size() == 2);
  const std::string text = slurp(path);
  CHECK(std::count(text.begin(), text.end(), '\n') == 3);
  CHECK_THAT(text, Catch::EndsWith("\"kind\":\"task\",\"effect\":{\"lead\":\"L-1\",\"action\":\"task\"}}\n"));
}

TEST_CASE("an item whose body is not JSON fails and is not written", "[outbox][jsonl]") {
  TempDir dir;
  boost::asio::io_context io;
  JsonlSink sink(io.get_executor(), JsonlConfig{(dir.path / "out.jsonl").string()});
  OutboxItem bad = item("k9", "email");
  bad.body = "{not json";
  CHECK(sink.deliver(bad).status == DeliveryStatus::Failed);
  CHECK(slurp(dir.path / "out.jsonl").empty());
}

TEST_CASE("an unwritable sink path is retried", "[outbox][jsonl]") {
  TempDir dir;
  boost::asio::io_context io;
  JsonlSink sink(io.get_executor(), JsonlConfig{(dir.path / "missing-dir" / "out.jsonl").string()});
  CHECK(sink.deliver(item("k1", "assign")).status == DeliveryStatus::Retry);
}

TEST_CASE("the registry routes kinds to connectors and everything else to the file sink", "[outbox][registry]") {
  std::vector<ConfigError> errors;
  auto config = parse_registry_config(R"({
    "connectors": {
      "crm": {"type": "webhook", "url": "https://crm.example.com/hooks", "secrets": ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]},
      "ops": {"type": "slack", "url": "https://hooks.slack.com/services/T/B/X"}
    },
    "routes": {"notify": ["ops"], "webhook": ["crm"], "score": []},
    "retry": {"max_attempts": 4, "base_seconds": 2, "cap_seconds": 60, "seed": 9}
  })", "/var/lib/leadflow", errors);
  REQUIRE(errors.empty());
  REQUIRE(config);
  CHECK(config->retry.max_attempts == 4);
  CHECK(config->retry.seed == 9);
  boost::asio::io_context io;
  ConnectorRegistry registry(*config, io.get_executor());
  CHECK(registry.routes_for("notify") == std::vector<std::string>{"ops"});
  CHECK(registry.routes_for("webhook") == std::vector<std::string>{"crm"});
  CHECK(registry.routes_for("score").empty());
  CHECK(registry.routes_for("assign") == std::vector<std::string>{"file"});
  REQUIRE(registry.find("file") != nullptr);
  CHECK(registry.find("file")->type() == "jsonl");
  CHECK(static_cast<JsonlSink*>(registry.find("file"))->path() == "/var/lib/leadflow/outbox.jsonl");
  CHECK(registry.find("crm")->type() == "webhook");
  CHECK(registry.find("ops")->type() == "slack");
  CHECK(registry.enabled("crm"));
  registry.disable("crm");
  CHECK_FALSE(registry.enabled("crm"));
}

TEST_CASE("the default registry sends every kind to outbox.jsonl", "[outbox][registry]") {
  boost::asio::io_context io;
  ConnectorRegistry registry(default_registry_config(), io.get_executor());
  CHECK(registry.routes_for("email") == std::vector<std::string>{"file"});
  CHECK(registry.names() == std::vector<std::string>{"file"});
}

TEST_CASE("a bad connector config reports every field at once", "[outbox][registry]") {
  std::vector<ConfigError> errors;
  auto config = parse_registry_config(R"({
    "connectors": {"a": {"type": "webhook", "url": "ftp://x"}, "b": {"type": "pigeon"}, "c": {"type": "slack"}},
    "routes": {"email": ["nowhere"]},
    "retry": {"max_attempts": 0},
    "colour": "blue"
  })", "", errors);
  CHECK_FALSE(config);
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  std::sort(fields.begin(), fields.end());
  CHECK(fields == std::vector<std::string>{"colour", "connectors.a.url", "connectors.b.type", "connectors.c.url",
                                           "retry.max_attempts", "routes.email"});
}

TEST_CASE("examples/connectors.json is a valid connector config", "[outbox][registry]") {
  std::vector<ConfigError> errors;
  auto config = parse_registry_config(slurp(fs::path(LEADFLOW_SOURCE_DIR) / "examples" / "connectors.json"), "/tmp", errors);
  for (const auto& e : errors) UNSCOPED_INFO(e.field << ": " << e.message);
  REQUIRE(config);
  boost::asio::io_context io;
  ConnectorRegistry registry(*config, io.get_executor());
  CHECK(registry.routes_for("notify") == std::vector<std::string>{"sales_ops", "file"});
  CHECK(registry.routes_for("enroll") == std::vector<std::string>{"file"});
}
