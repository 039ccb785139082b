// IANA zone names from the OS tz database: the zic source `tzdata.zi` lists every zone and
// link, so one read gives the whole set; without it, single names are checked as TZif files.
#include "dsl/timezone.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "dsl/suggest.hpp"

namespace leadflow::dsl {

namespace {

namespace fs = std::filesystem;

struct ZoneDatabase {
  fs::path dir;
  std::unordered_set<std::string> names;
  std::vector<std::string> sorted;  // for suggestions
};

fs::path zone_dir() {
  const char* env = std::getenv("TZDIR");
  return env && *env ? fs::path(env) : fs::path("/usr/share/zoneinfo");
}

// Syntactically a zone name: relative, components of [A-Za-z0-9_+-], no `.` or `..` parts.
bool plausible_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/' || name.back() == '/') return false;
  std::size_t component = 0;
  for (char c : name) {
    if (c == '/') {
      if (component == 0) return false;
      component = 0;
      continue;
    }
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-';
    if (!ok) return false;
    ++component;
  }
  return true;
}

bool is_tzif_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && std::string_view(magic, 4) == "TZif";
}

void load_from_zi(ZoneDatabase& db) {
  std::ifstream in(db.dir / "tzdata.zi");
  std::string line;
  while (std::getline(in, line)) {
    // "Z Europe/Berlin ..." declares a zone; "L Europe/Zurich Europe/Busingen" a link (name last).
    if (line.size() < 3 || line[1] != ' ' || (line[0] != 'Z' && line[0] != 'L')) continue;
    std::vector<std::string_view> words;
    std::string_view rest(line);
    while (!rest.empty()) {
      std::size_t start = rest.find_first_not_of(" \t");
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      std::size_t stop = rest.find_first_of(" \t");
      words.push_back(rest.substr(0, stop));
      if (stop == std::string_view::npos) break;
      rest.remove_prefix(stop);
    }
    if (line[0] == 'Z' && words.size() >= 2) db.names.emplace(words[1]);
    if (line[0] == 'L' && words.size() >= 3) db.names.emplace(words[2]);
  }
}

// Without tzdata.zi: every TZif file under the directory, except the posix/ and right/ copies.
void load_from_tree(ZoneDatabase& db) {
  std::error_code ec;
  fs::recursive_directory_iterator it(db.dir, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path rel = it->path().lexically_relative(db.dir);
    const std::string name = rel.generic_string();
    if (it.depth() == 0 && it->is_directory() && (name == "posix" || name == "right")) {
      it.disable_recursion_pending();
      continue;
    }
    if (plausible_name(name) && is_tzif_file(it->path())) db.names.insert(name);
  }
}

const ZoneDatabase& database() {
  static ZoneDatabase db;
  static std::once_flag once;
  std::call_once(once, [] {
    db.dir = zone_dir();
    load_from_zi(db);
    if (db.names.empty()) load_from_tree(db);
    db.names.insert("UTC");  // always meaningful, even without a database
    db.sorted.assign(db.names.begin(), db.names.end());
    std::sort(db.sorted.begin(), db.sorted.end());
  });
  return db;
}

std::string fold(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool is_valid_time_zone(std::string_view name) {
  if (!plausible_name(name)) return false;
  const ZoneDatabase& db = database();
  if (db.names.count(std::string(name))) return true;
  // A zone newer than tzdata.zi's list (or a tree-only install): the file itself decides.
  return db.names.size() <= 1 && is_tzif_file(db.dir / std::string(name));
}

std::optional<std::string> suggest_time_zone(std::string_view name) {
  const ZoneDatabase& db = database();
  std::string wanted(name);
  std::replace(wanted.begin(), wanted.end(), ' ', '_');
  const std::string folded = fold(wanted);
  // Case slips, then a bare city, then the nearest spelling.
  for (const std::string& zone : db.sorted) {
    if (fold(zone) == folded && zone != name) return zone;
  }
  if (folded.find('/') == std::string::npos) {
    for (const std::string& zone : db.sorted) {
      const std::size_t slash = zone.rfind('/');
      if (slash != std::string::npos && fold(zone.substr(slash + 1)) == folded) return zone;
    }
  }
  return suggest(wanted, db.sorted);
}

}  // namespace leadflow::dsl
