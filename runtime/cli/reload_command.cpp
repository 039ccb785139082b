// `leadflow reload [--plan]`: asks a running `leadflow serve` what a reload of its workflow folder
// would change (GET /v1/reload/plan) or to reload now (POST /v1/reload), and prints the answer.
#include <CLI/CLI.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>

#include "runtime/cli/commands.hpp"
#include "runtime/outbox/url_guard.hpp"

namespace leadflow::runtime::cli {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

// Exit statuses of `leadflow reload` beyond the shared ones.
constexpr int exit_unreachable = 4;   // no connection, a timeout, or an answer that is not the API's
constexpr int exit_unauthorized = 5;  // 401: the token is missing or wrong

struct ReloadOptions {
  std::string server = "http://127.0.0.1:8080";
  std::string token;
  bool plan = false;
  std::string format = "text";  // text | json
  int timeout_seconds = 30;
};

struct Answer {
  int status = 0;
  std::string body;
};

// One HTTP/1.1 exchange; nullopt with `error` set when the server cannot be reached.
std::optional<Answer> exchange(const outbox::ParsedUrl& url, http::verb verb, const std::string& target,
                               const std::string& token, int timeout_seconds, std::string& error) {
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(timeout_seconds));
    boost::system::error_code ec;
    auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
    if (ec) {
      error = "cannot resolve " + url.host + ": " + ec.message();
      return std::nullopt;
    }
    stream.connect(endpoints, ec);
    if (ec) {
      error = "cannot connect to " + url.host + ":" + std::to_string(url.port) + ": " + ec.message();
      return std::nullopt;
    }
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, url.host + ":" + std::to_string(url.port));
    request.set(http::field::user_agent, "leadflow-reload");
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    request.keep_alive(false);
    request.prepare_payload();
    http::write(stream, request, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    if (!ec) http::read(stream, buffer, response, ec);
    if (ec) {
      error = "no answer from " + url.host + ":" + std::to_string(url.port) + ": " +
              (ec == beast::error::timeout ? std::string("timed out") : ec.message());
      return std::nullopt;
    }
    return Answer{static_cast<int>(response.result_int()), std::move(response.body())};
  } catch (const std::exception& e) {
    error = e.what();
    return std::nullopt;
  }
}

std::string api_error(const json::value& v) {
  if (const json::object* o = v.if_object()) {
    if (const json::value* e = o->if_contains("error"); e != nullptr && e->is_string()) return std::string(e->as_string());
  }
  return {};
}

void print_plan(const json::object& plan, std::ostream& out) {
  const json::array empty;
  const json::array& workflows = plan.contains("workflows") && plan.at("workflows").is_array()
                                     ? plan.at("workflows").as_array()
                                     : empty;
  std::size_t width = 8;
  for (const json::value& w : workflows) {
    if (const json::value* name = w.is_object() ? w.as_object().if_contains("workflow") : nullptr; name && name->is_string())
      width = std::max(width, name->as_string().size());
  }
  std::map<std::string, std::size_t> by_change;
  std::int64_t affected_runs = 0;
  out << std::left << std::setw(10) << "change" << "  " << std::setw(static_cast<int>(width)) << "workflow"
      << "  runs in flight\n";
  for (const json::value& w : workflows) {
    if (!w.is_object()) continue;
    const json::object& o = w.as_object();
    const std::string name = o.contains("workflow") && o.at("workflow").is_string() ? std::string(o.at("workflow").as_string()) : "";
    std::string change = o.contains("change") && o.at("change").is_string() ? std::string(o.at("change").as_string()) : "";
    if (change == "same") change = "unchanged";
    const std::int64_t runs = o.contains("runs_in_flight") && o.at("runs_in_flight").is_number()
                                  ? o.at("runs_in_flight").to_number<std::int64_t>()
                                  : 0;
    ++by_change[change];
    if (change == "changed" || change == "removed") affected_runs += runs;
    out << std::left << std::setw(10) << change << "  " << std::setw(static_cast<int>(width)) << name << "  " << runs
        << '\n';
  }
  out << by_change["added"] << " added, " << by_change["changed"] << " changed, " << by_change["removed"]
      << " removed, " << by_change["unchanged"] << " unchanged";
  if (affected_runs > 0) {
    out << "; " << affected_runs << " runs in flight on changed or removed workflows stay on their version";
  }
  out << '\n';
}

int run_reload(const ReloadOptions& options, std::ostream& out, std::ostream& err) {
  std::string why;
  std::optional<outbox::ParsedUrl> url = outbox::parse_url(options.server, &why);
  if (!url || url->scheme != "http") {
    err << "leadflow: error: --server: expected http://HOST:PORT of a running `leadflow serve`"
        << (url ? std::string(" (https is not supported; the server listens on plain HTTP)") : ", " + why) << '\n';
    return exit_usage;
  }
  std::string token = options.token;
  if (token.empty()) {
    if (const char* env = std::getenv("LEADFLOW_TOKEN")) token = env;
  }
  std::string base = url->target == "/" ? std::string() : url->target;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string target = base + (options.plan ? "/v1/reload/plan" : "/v1/reload");
  std::string error;
  std::optional<Answer> answer =
      exchange(*url, options.plan ? http::verb::get : http::verb::post, target, token, options.timeout_seconds, error);
  if (!answer) {
    err << "leadflow: error: " << error << " (is `leadflow serve` running there?)\n";
    return exit_unreachable;
  }
  boost::system::error_code ec;
  json::value body = json::parse(answer->body, ec);
  if (answer->status == 401) {
    err << "leadflow: error: the server refused the token (HTTP 401): pass a tenant's token with --token or "
           "LEADFLOW_TOKEN\n";
    return exit_unauthorized;
  }
  const bool api_answer = !ec && body.is_object() &&
                          (answer->status == 200 || (!options.plan && answer->status == 422));
  if (!api_answer) {
    const std::string message = ec ? std::string() : api_error(body);
    err << "leadflow: error: " << options.server << target << " answered HTTP " << answer->status
        << (message.empty() ? std::string() : ": " + message) << '\n';
    return exit_unreachable;
  }
  const json::object& o = body.as_object();
  auto text = [&](const char* key) {
    const json::value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  if (options.plan) {
    const bool compiles = o.contains("compiles") && o.at("compiles").is_bool() && o.at("compiles").as_bool();
    if (options.format == "json") {
      out << json::serialize(body) << '\n';
    } else {
      print_plan(o, out);
      if (!compiles) out << "the folder does not compile: a reload now would keep the live set\n";
    }
    if (!compiles) err << text("diagnostics");
    return compiles ? exit_ok : exit_input_errors;
  }
  const bool ok = answer->status == 200 && o.contains("ok") && o.at("ok").is_bool() && o.at("ok").as_bool();
  if (options.format == "json") {
    out << json::serialize(body) << '\n';
  } else if (ok) {
    out << "reloaded: live version " << text("version") << '\n';
  } else {
    out << "reload failed: the live set stays (version " << text("version") << ")\n";
  }
  if (!ok) err << text("diagnostics");
  return ok ? exit_ok : exit_input_errors;
}

}  // namespace

Command add_reload_command(CLI::App& app) {
  auto options = std::make_shared<ReloadOptions>();
  CLI::App* sub = app.add_subcommand("reload", "Reload a running server's workflows, or show what a reload would change");
  sub->footer(
      "Without --plan: POST /v1/reload; the server compiles its workflow folder and swaps it in if it\n"
      "compiles (runs in flight stay on their version). With --plan: GET /v1/reload/plan; per workflow\n"
      "added, changed, removed or unchanged, and the runs in flight on it. The token is --token or\n"
      "$LEADFLOW_TOKEN (any tenant's). See docs/operations.md.\n"
      "Exit status: 0 ok, 1 the folder does not compile (diagnostics on stderr), 2 bad usage,\n"
      "4 the server cannot be reached or gave an unexpected answer, 5 the token was refused (401).");
  sub->add_option("--server", options->server, "Address of the running `leadflow serve`")
      ->capture_default_str()
      ->type_name("URL");
  sub->add_option("--token", options->token, "Bearer token of a tenant in the server's config")->type_name("TOKEN");
  sub->add_flag("--plan", options->plan, "Only show what a reload would change; change nothing");
  sub->add_option("--format", options->format, "text or json (the server's answer as it is)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  sub->add_option("--timeout", options->timeout_seconds, "Seconds to wait for the server")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  return Command{sub, [options] { return run_reload(*options, std::cout, std::cerr); }};
}

}  // namespace leadflow::runtime::cli
