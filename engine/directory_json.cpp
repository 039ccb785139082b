// owners.json → Directory with Boost.JSON. This is the one translation unit that compiles the
// Boost.JSON implementation (header-only mode); every other user includes <boost/json.hpp>.
#include "engine/directory_json.hpp"

#include <boost/json/src.hpp>

#include <algorithm>

namespace leadflow::engine {

namespace json = boost::json;

namespace {

struct Parser {
  DirectoryParseResult& out;

  void error(std::string path, std::string message) {
    out.errors.push_back({std::move(path), std::move(message)});
  }

  std::optional<std::string> string_at(const json::object& obj, std::string_view key,
                                       const std::string& path) {
    const json::value* v = obj.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) {
      error(path + "." + std::string(key), "expected a string");
      return std::nullopt;
    }
    return std::string(v->get_string());
  }

  std::optional<TimePoint> time_at(const json::object& obj, std::string_view key,
                                   const std::string& path, bool inclusive_date) {
    const std::string where = path + "." + std::string(key);
    const json::value* v = obj.if_contains(key);
    if (!v) {
      error(where, "missing");
      return std::nullopt;
    }
    if (!v->is_string()) {
      error(where, "expected a date or time string");
      return std::nullopt;
    }
    const std::string_view text = v->get_string();
    const std::optional<std::int64_t> t = parse_time(text);
    if (!t) {
      error(where, "expected a date (2026-01-05) or time (2026-01-05T09:00:00Z), saw `" +
                       std::string(text) + "`");
      return std::nullopt;
    }
    const bool date_only = text.size() == 10;
    return inclusive_date && date_only ? *t + 86400 : *t;
  }

  void owner(const json::value& v, const std::string& path, std::string id_from_key) {
    if (!v.is_object()) {
      error(path, "expected an object");
      return;
    }
    const json::object& obj = v.get_object();
    OwnerInfo info;
    if (auto id = string_at(obj, "id", path)) info.id = *id;
    if (info.id.empty()) info.id = std::move(id_from_key);
    if (info.id.empty()) {
      error(path + ".id", "missing owner id");
      return;
    }
    if (auto team = string_at(obj, "team", path)) info.team = *team;
    if (auto manager = string_at(obj, "manager", path)) info.manager = *manager;
    if (auto tz = string_at(obj, "timezone", path)) info.timezone = *tz;
    if (const json::value* cap = obj.if_contains("capacity"); cap && !cap->is_null()) {
      if (cap->is_int64() && cap->get_int64() >= 0)
        info.capacity = cap->get_int64();
      else if (cap->is_uint64())
        info.capacity = static_cast<std::int64_t>(cap->get_uint64());
      else
        error(path + ".capacity", "expected a non-negative integer");
    }
    if (auto hours = string_at(obj, "hours", path)) {
      info.hours = parse_clock_window(*hours);
      if (!info.hours) error(path + ".hours", "expected HH:MM..HH:MM, saw `" + *hours + "`");
    }
    if (const json::value* away = obj.if_contains("away"); away && !away->is_null()) {
      if (!away->is_array()) {
        error(path + ".away", "expected an array of {\"from\", \"to\"}");
      } else {
        std::size_t i = 0;
        for (const json::value& range : away->get_array()) {
          const std::string where = path + ".away[" + std::to_string(i++) + "]";
          if (!range.is_object()) {
            error(where, "expected an object with `from` and `to`");
            continue;
          }
          auto from = time_at(range.get_object(), "from", where, false);
          auto to = time_at(range.get_object(), "to", where, true);
          if (!from || !to) continue;
          if (*to <= *from) {
            error(where, "`to` is not after `from`");
            continue;
          }
          info.away.emplace_back(*from, *to);
        }
      }
    }
    if (out.directory.owners.count(info.id)) {
      error(path + ".id", "duplicate owner `" + info.id + "`");
      return;
    }
    std::string key = info.id;
    out.directory.owners.emplace(std::move(key), std::move(info));
  }

  void document(const json::value& root) {
    if (!root.is_object()) {
      error("", "expected a JSON object with `owners`");
      return;
    }
    const json::object& obj = root.get_object();
    if (auto tz = string_at(obj, "tenant_timezone", "")) out.directory.tenant_timezone = *tz;
    if (const json::value* hol = obj.if_contains("holidays"); hol && !hol->is_null()) {
      if (!hol->is_array()) {
        error("holidays", "expected an array of dates");
      } else {
        std::size_t i = 0;
        for (const json::value& day : hol->get_array()) {
          const std::string where = "holidays[" + std::to_string(i++) + "]";
          std::optional<std::int64_t> t;
          if (day.is_string() && day.get_string().size() == 10) t = parse_time(day.get_string());
          if (!t) {
            error(where, "expected a date like 2026-01-01");
            continue;
          }
          out.directory.holidays.push_back(*t / 86400);
        }
        std::sort(out.directory.holidays.begin(), out.directory.holidays.end());
        out.directory.holidays.erase(
            std::unique(out.directory.holidays.begin(), out.directory.holidays.end()),
            out.directory.holidays.end());
      }
    }
    const json::value* owners = obj.if_contains("owners");
    if (!owners) {
      error("owners", "missing");
      return;
    }
    if (owners->is_array()) {
      std::size_t i = 0;
      for (const json::value& v : owners->get_array())
        owner(v, "owners[" + std::to_string(i++) + "]", {});
    } else if (owners->is_object()) {
      for (const auto& [key, v] : owners->get_object())
        owner(v, "owners." + std::string(key), std::string(key));
    } else {
      error("owners", "expected an array or an object of owners");
    }
  }
};

int parse_hhmm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return -1;
  for (std::size_t i : {0u, 1u, 3u, 4u})
    if (s[i] < '0' || s[i] > '9') return -1;
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

}  // namespace

std::optional<ClockWindow> parse_clock_window(std::string_view text) {
  const std::size_t dots = text.find("..");
  if (dots == std::string_view::npos) return std::nullopt;
  const int begin = parse_hhmm(text.substr(0, dots));
  const int end = parse_hhmm(text.substr(dots + 2));
  if (begin < 0 || end < 0) return std::nullopt;
  return ClockWindow{begin, end};
}

DirectoryParseResult parse_directory_json(std::string_view text) {
  DirectoryParseResult result;
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 32;
  json::stream_parser parser(json::storage_ptr(), options);
  std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    // Where it broke, as line:col (1-based) of the text.
    consumed = std::min(consumed, text.size());
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < consumed; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    result.errors.push_back({"", "invalid JSON at " + std::to_string(line) + ":" +
                                     std::to_string(col) + ": " + ec.message()});
    return result;
  }
  const json::value root = parser.release();
  Parser{result}.document(root);
  return result;
}

}  // namespace leadflow::engine
