// `leadflow reload [--plan]` against a started `leadflow serve` on loopback: the plan per
// workflow with the runs in flight, text and JSON, a reload that works and one that fails, and
// the documented exit statuses for a refused token, no server and a bad --server.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/process.hpp"

namespace fs = std::filesystem;
using leadflow::testing::run_leadflow;

extern char** environ;

namespace {

constexpr const char* token = "acme-reload-test-0123456789";

const char* const schema_flow = R"flow(schema lead {
  seats: int
}

event signup {
  seats: int
}
)flow";

const char* const nudge_v1 = R"flow(import "schema.flow"

workflow nudge {
  when signup
  wait 2d
  tag "nudged"
}
)flow";

const char* const nudge_v2 = R"flow(import "schema.flow"

workflow nudge {
  when signup
  wait 3d
  tag "nudged twice"
}
)flow";

const char* const welcome_flow = R"flow(import "schema.flow"

workflow welcome {
  when signup
  tag "welcomed"
}
)flow";

const char* const extra_flow = R"flow(import "schema.flow"

workflow extra {
  when signup
  tag "extra"
}
)flow";

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A workflow folder, a store with two runs in flight on `nudge` (written by `serve --ingest`) and a
// server on it, stopped with SIGTERM at the end.
struct RunningServer {
  fs::path dir;
  int port = 0;
  pid_t pid = -1;

  RunningServer() {
    static int n = 0;
    dir = fs::temp_directory_path() / ("leadflow-reload-cli-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(dir);
    fs::create_directories(dir / "wf");
    std::ofstream(dir / "wf" / "schema.flow") << schema_flow;
    std::ofstream(dir / "wf" / "nudge.flow") << nudge_v1;
    std::ofstream(dir / "wf" / "welcome.flow") << welcome_flow;
    std::ofstream(dir / "leads.jsonl") << R"({"id": "L-1", "seats": 10, "created_at": "2026-01-05T09:00:00Z"})" "\n"
                                       << R"({"id": "L-2", "seats": 20, "created_at": "2026-01-05T09:00:00Z"})" "\n";
    std::ofstream(dir / "events.jsonl")
        << R"({"at": "2026-01-05T09:30:00Z", "type": "signup", "lead": "L-1", "data": {"seats": 10}})" "\n"
        << R"({"at": "2026-01-05T09:40:00Z", "type": "signup", "lead": "L-2", "data": {"seats": 20}})" "\n";
    // No watcher: the plan must show the edit, not a reload the watcher already made.
    std::ofstream(dir / "serve.json") << R"({"tenants": {"acme": {"tokens": [")" << token
                                      << R"("]}}, "reload": {"watch": false}})";
    const leadflow::testing::ProcessResult ingest = run_leadflow(
        {"serve", "--workflows", (dir / "wf").string(), "--db", (dir / "db.sqlite").string(), "--leads",
         (dir / "leads.jsonl").string(), "--ingest", (dir / "events.jsonl").string(), "--tenant", "acme", "--now",
         "2026-01-05T10:00:00Z"});
    REQUIRE(ingest.status == 0);

    port = free_port();
    const std::string binary = LEADFLOW_BINARY;
    std::vector<std::string> args{binary, "serve", "--workflows", (dir / "wf").string(), "--db",
                                  (dir / "db.sqlite").string(), "--config", (dir / "serve.json").string(),
                                  "--listen", "127.0.0.1:" + std::to_string(port), "--now", "2026-01-05T10:00:00Z"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = (dir / "serve.log").string();
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    REQUIRE(posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    // Ready once it accepts connections (it compiles the folder first).
    for (int i = 0; i < 1500 && !accepts_connections(port); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(accepts_connections(port));
  }
  ~RunningServer() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
    fs::remove_all(dir);
  }
  std::string server() const { return "http://127.0.0.1:" + std::to_string(port); }
  leadflow::testing::ProcessResult reload(std::vector<std::string> extra, const std::string& with_token = token) {
    std::vector<std::string> args{"reload", "--server", server(), "--token", with_token};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_leadflow(args);
  }
};

}  // namespace

TEST_CASE("reload --plan shows per workflow what a reload would change and the runs in flight", "[cli][reload]") {
  REQUIRE(leadflow::testing::binary_exists());
  RunningServer s;

  leadflow::testing::ProcessResult r = s.reload({"--plan"});
  CHECK(r.status == 0);
  CHECK(r.out ==
        "change      workflow  runs in flight\n"
        "unchanged   nudge     2\n"
        "unchanged   welcome   0\n"
        "0 added, 0 changed, 0 removed, 2 unchanged\n");

  std::ofstream(s.dir / "wf" / "nudge.flow") << nudge_v2;
  std::ofstream(s.dir / "wf" / "extra.flow") << extra_flow;
  fs::remove(s.dir / "wf" / "welcome.flow");
  r = s.reload({"--plan"});
  CHECK(r.status == 0);
  CHECK(r.out ==
        "change      workflow  runs in flight\n"
        "added       extra     0\n"
        "changed     nudge     2\n"
        "removed     welcome   0\n"
        "1 added, 1 changed, 1 removed, 0 unchanged; 2 runs in flight on changed or removed workflows stay on "
        "their version\n");

  r = s.reload({"--plan", "--format", "json"});
  CHECK(r.status == 0);
  CHECK(r.out ==
        R"({"compiles":true,"diagnostics":"","workflows":[)"
        R"({"workflow":"extra","change":"added","runs_in_flight":0},)"
        R"({"workflow":"nudge","change":"changed","runs_in_flight":2},)"
        R"({"workflow":"welcome","change":"removed","runs_in_flight":0}]})"
        "\n");

  // The plan changed nothing: the reload does it.
  r = s.reload({});
  CHECK(r.status == 0);
  CHECK(r.out.rfind("reloaded: live version ", 0) == 0);
  r = s.reload({"--plan"});
  CHECK(r.out.find("0 added, 0 changed, 0 removed, 2 unchanged") != std::string::npos);
}

TEST_CASE("reload with a broken folder keeps the live set, prints the diagnostics and exits 1", "[cli][reload]") {
  REQUIRE(leadflow::testing::binary_exists());
  RunningServer s;
  std::ofstream(s.dir / "wf" / "nudge.flow") << "workflow nudge {\n  when nosuchevent\n}\n";
  leadflow::testing::ProcessResult plan = s.reload({"--plan"});
  CHECK(plan.status == 1);
  CHECK(plan.out.find("the folder does not compile: a reload now would keep the live set\n") != std::string::npos);
  CHECK(plan.err.find("nosuchevent") != std::string::npos);

  leadflow::testing::ProcessResult r = s.reload({});
  CHECK(r.status == 1);
  CHECK(r.out.rfind("reload failed: the live set stays (version ", 0) == 0);
  CHECK(r.err.find("nudge.flow") != std::string::npos);
  CHECK(r.err.find("nosuchevent") != std::string::npos);
}

TEST_CASE("reload: a refused token exits 5, no server exits 4, a bad --server exits 2", "[cli][reload]") {
  REQUIRE(leadflow::testing::binary_exists());
  {
    RunningServer s;
    leadflow::testing::ProcessResult r = s.reload({"--plan"}, "wrong-token-0123456789abcdef");
    CHECK(r.status == 5);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "leadflow: error: the server refused the token (HTTP 401): pass a tenant's token with --token or "
          "LEADFLOW_TOKEN\n");
  }
  const int port = free_port();  // nothing listens there
  leadflow::testing::ProcessResult r =
      run_leadflow({"reload", "--plan", "--server", "http://127.0.0.1:" + std::to_string(port)});
  CHECK(r.status == 4);
  CHECK(r.err == "leadflow: error: cannot connect to 127.0.0.1:" + std::to_string(port) +
                     ": Connection refused (is `leadflow serve` running there?)\n");

  r = run_leadflow({"reload", "--server", "localhost:8080"});
  CHECK(r.status == 2);
  CHECK(r.err.rfind("leadflow: error: --server: expected http://HOST:PORT of a running `leadflow serve`", 0) == 0);
}
