// Input collection, terminal detection and OS error wording shared by the CLI commands.
#include "runtime/cli/commands.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <system_error>

#include "dsl/compiler.hpp"

namespace leadflow::runtime::cli {

bool use_color(ColorMode mode, bool to_stderr) {
  if (mode == ColorMode::Always) return true;
  if (mode == ColorMode::Never) return false;
  // https://no-color.org, and terminals that cannot show escapes.
  if (std::getenv("NO_COLOR") != nullptr) return false;
  const char* term = std::getenv("TERM");
  if (term == nullptr || std::strcmp(term, "dumb") == 0) return false;
  return ::isatty(to_stderr ? STDERR_FILENO : STDOUT_FILENO) == 1;
}

std::string unreadable_reason(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec) return ec.message();
  if (fs::is_directory(status)) {
    fs::directory_iterator it(path, ec);
    return ec ? ec.message() : "cannot be listed";
  }
  if (!fs::is_regular_file(status)) return "not a regular file or directory";
  errno = 0;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
    return "cannot be read";
  }
  return std::strerror(errno != 0 ? errno : EIO);
}

bool collect_inputs(const std::vector<std::string>& paths, std::vector<std::string>& files, std::ostream& err) {
  std::vector<std::string> bad;
  files = dsl::collect_flow_files(paths, bad);
  for (const std::string& path : bad) {
    err << "leadflow: error: cannot read '" << path << "': " << unreadable_reason(path) << '\n';
  }
  return bad.empty();
}

}  // namespace leadflow::runtime::cli
