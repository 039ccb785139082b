// The relay inside a started `leadflow serve`: a webhook receiver that never answers does not hold
// up HTTP ingestion, and SIGTERM still ends the process cleanly, leaving the cut-off deliveries
// claimed (the next serve on the store releases them at start; see relay_test.cpp for leases).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "runtime/store/store.hpp"

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace leadflow::runtime;

extern char** environ;

namespace {

constexpr const char* token = "acme-relay-serve-0123456789";

// A socket that listens and never accepts: the kernel completes the TCP handshake, the request
// is written, and no answer ever comes.
struct SilentReceiver {
  int fd = -1;
  int port = 0;
  SilentReceiver() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd, 128);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~SilentReceiver() { ::close(fd); }
};

int free_port() {
  SilentReceiver probe;  // bound then closed: the port is free again
  return probe.port;
}

http::response<http::string_body> request(int port, http::verb verb, const std::string& target, const std::string& body) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, std::string("Bearer ") + token);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res;
}

bool accepts_connections(int port) {
  try {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

TEST_CASE("a webhook that never answers holds up neither ingestion nor shutdown", "[relay][e2e]") {
  const fs::path dir = fs::temp_directory_path() / ("leadflow-relay-serve-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  SilentReceiver receiver;
  std::ofstream(dir / "serve.json")
      << R"({"tenants": {"acme": {"tokens": [")" << token << R"("]}},
             "connectors": {"hook": {"type": "webhook", "url": "http://127.0.0.1:)"
      << receiver.port << R"(/in", "timeout_ms": 600000},
                            "file": {"type": "jsonl", "path": "out.jsonl"}},
             "routes": {"assign": ["hook", "file"], "*": ["file"]},
             "allow_private_targets": true})";
  const int port = free_port();
  const std::string binary = LEADFLOW_BINARY;
  std::vector<std::string> args{binary, "serve", "--workflows", std::string(LEADFLOW_SOURCE_DIR) + "/stdlib-workflows",
                                "--db", (dir / "db.sqlite").string(), "--config", (dir / "serve.json").string(),
                                "--listen", "127.0.0.1:" + std::to_string(port), "--now", "2026-01-05T09:00:00Z"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = (dir / "serve.log").string();
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  for (int i = 0; i < 1500 && !accepts_connections(port); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(accepts_connections(port));

  // Two hot leads: each is assigned at once, and each assignment goes to the silent webhook.
  for (const char* email : {"ana@acme-corp.com", "bo@initech.com"}) {
    const std::string event =
        std::string(R"({"at":"2026-01-05T09:00:00Z","type":"form_submitted","idempotency_key":")") + email +
        R"(","data":{"email":")" + email +
        R"(","first_name":"Ana","last_name":"Lima","company":"Acme","title":"CEO","country":"DE","employees":120}})";
    http::response<http::string_body> res = request(port, http::verb::post, "/v1/events", event);
    CHECK(res.result_int() == 200);
    CHECK(res.body().find("\"applied\":1") != std::string::npos);
  }
  http::response<http::string_body> metrics = request(port, http::verb::get, "/metrics", "");
  CHECK(metrics.body().find("leadflow_outbox_deliveries_total{connector=\"hook\",outcome=\"delivered\"} 0\n") !=
        std::string::npos);
  CHECK(metrics.body().find("leadflow_connector_disabled{connector=\"hook\"} 0\n") != std::string::npos);

  ::kill(pid, SIGTERM);
  int status = -1;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  auto db = store::open_sqlite((dir / "db.sqlite").string());
  // Every assignment went to both connectors: the file has it, the webhook's copy was cut off by the
  // shutdown (still claimed; the next start releases them).
  std::size_t hook_claimed = 0, file_assigns = 0, file_delivered = 0, other = 0;
  for (const store::OutboxRow& row : db->outbox("acme")) {
    if (row.connector == "hook" && row.status == store::OutboxStatus::Claimed && row.action == "assign") {
      ++hook_claimed;
    } else if (row.connector == "file" && row.status == store::OutboxStatus::Delivered) {
      ++file_delivered;
      file_assigns += row.action == "assign" ? 1 : 0;
    } else {
      ++other;
    }
  }
  CHECK(hook_claimed >= 2);  // at least one per hot lead
  CHECK(hook_claimed == file_assigns);
  CHECK(file_delivered > file_assigns);
  CHECK(other == 0);
  fs::remove_all(dir);
}
