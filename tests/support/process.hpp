// Runs the built `leadflow` binary from the repository root and captures what it printed.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace leadflow::testing {

struct ProcessResult {
  int status = -1;  // exit status, or -1 when the process did not exit normally
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

// Runs LEADFLOW_BINARY with `args` in the repository root, so that paths in its output are
// the repo-relative paths the golden files hold.
inline ProcessResult run_leadflow(const std::vector<std::string>& args) {
  char err_path[] = "/tmp/leadflow-test-stderr-XXXXXX";
  int fd = ::mkstemp(err_path);
  if (fd >= 0) ::close(fd);
  std::string command = "cd " + shell_quote(LEADFLOW_SOURCE_DIR) + " && " + shell_quote(LEADFLOW_BINARY);
  for (const std::string& a : args) command += " " + shell_quote(a);
  command += " 2>" + shell_quote(err_path) + " </dev/null";

  ProcessResult result;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
    int raw = ::pclose(pipe);
    if (raw != -1 && WIFEXITED(raw)) result.status = WEXITSTATUS(raw);
  }
  std::ifstream err_file(err_path, std::ios::binary);
  std::ostringstream err;
  err << err_file.rdbuf();
  result.err = err.str();
  std::remove(err_path);
  return result;
}

inline bool binary_exists() { return ::access(LEADFLOW_BINARY, X_OK) == 0; }

}  // namespace leadflow::testing
