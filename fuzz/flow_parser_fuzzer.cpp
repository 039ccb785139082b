// libFuzzer target: the whole .flow front end (parse, imports, resolve, typecheck, lint, lower)
// and both diagnostic renderers, on arbitrary bytes.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "dsl/compiler.hpp"
#include "dsl/render.hpp"

namespace {

char work_dir[] = "/tmp/leadflow-fuzz-XXXXXX";
std::string input_path;  // work_dir/fuzz.flow: relative imports look in an empty directory

// Imports resolve against the filesystem. A path into /dev, /proc or /sys can block on read
// (/dev/tty, /proc/self/fd/0) or differ from run to run, which would make the fuzzer report
// hangs that are not bugs and findings it cannot reproduce; such inputs are rejected.
bool imports_special_files(std::string_view text) {
  if (text.find("import") == std::string_view::npos) return false;
  for (std::string_view dir : {"dev/", "proc/", "sys/"}) {
    if (text.find(dir) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The input "lives" in an empty directory, so that a relative import ("schema.flow") finds
  // nothing and every input compiles the same wherever the fuzzer was started. No chdir:
  // libFuzzer opens the corpus and artifact paths it was given after this.
  if (mkdtemp(work_dir) == nullptr) {
    std::perror("flow_parser_fuzzer: cannot create an empty directory");
    std::abort();
  }
  std::atexit([] { rmdir(work_dir); });
  input_path = std::string(work_dir) + "/fuzz.flow";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (imports_special_files(text)) return -1;  // -1: libFuzzer does not keep it in the corpus

  leadflow::dsl::CompileOptions options;
  options.warnings = true;
  options.lower = true;
  std::unique_ptr<leadflow::dsl::Compilation> c = leadflow::dsl::compile_text(input_path, text, options);

  // What `leadflow check` prints: excerpts, carets and JSON over whatever spans came out.
  std::ostringstream out;
  leadflow::dsl::render_text(out, c->sources, c->diagnostics.diagnostics());
  leadflow::dsl::render_json(out, c->sources, c->diagnostics.diagnostics());
  return 0;
}
