// Finding and loading `owners.json` beside the workflows, for the commands that run them.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/directory_json.hpp"
#include "runtime/cli/commands.hpp"

namespace leadflow::runtime::cli {

std::optional<std::string> find_owners_file(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const std::string& p : paths) {
    fs::path dir = fs::is_directory(p, ec) ? fs::path(p) : fs::path(p).parent_path();
    if (dir.empty()) dir = ".";
    fs::path owners = dir / "owners.json";
    if (fs::is_regular_file(owners, ec)) return owners.string();
  }
  return std::nullopt;
}

bool load_owners(const std::vector<std::string>& paths, engine::Directory& directory, std::ostream& err) {
  std::optional<std::string> path = find_owners_file(paths);
  if (!path) return true;
  std::ifstream in(*path, std::ios::binary);
  if (!in) {
    err << "leadflow: error: cannot read '" << *path << "': " << unreadable_reason(*path) << '\n';
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_owners(*path, text.str(), directory, err);
}

bool parse_owners(const std::string& path, const std::string& text, engine::Directory& directory, std::ostream& err) {
  engine::DirectoryParseResult parsed = engine::parse_directory_json(text);
  for (const engine::DirectoryError& e : parsed.errors) {
    err << path << ": error: " << (e.path.empty() ? "" : "`" + e.path + "`: ") << e.message << '\n';
  }
  directory = std::move(parsed.directory);
  return parsed.ok();
}

}  // namespace leadflow::runtime::cli
