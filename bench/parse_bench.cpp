// Front-end throughput in MB/s on the generated corpus (bench/gen_workflows.py): parsing alone,
// `leadflow check`'s compile (parse, resolve, typecheck, lint) and compile with lowering.
// Usage: parse_bench [DIR] [--benchmark_...]; DIR defaults to $LEADFLOW_BENCH_DIR, then
// /tmp/leadflow-bench (what bench/check_bench.sh generates).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dsl/compiler.hpp"

namespace {

namespace dsl = leadflow::dsl;

struct Corpus {
  std::string dir;
  std::vector<std::string> paths;
  std::vector<std::string> texts;
  std::int64_t bytes = 0;
};

Corpus& corpus() {
  static Corpus c;
  return c;
}

bool load(const std::string& dir) {
  Corpus& c = corpus();
  c.dir = dir;
  std::vector<std::string> bad;
  c.paths = dsl::collect_flow_files({dir}, bad);
  if (!bad.empty() || c.paths.empty()) return false;
  for (const std::string& p : c.paths) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    c.texts.push_back(s.str());
    c.bytes += static_cast<std::int64_t>(c.texts.back().size());
  }
  return true;
}

// Each file parsed on its own, from memory: the grammar and AST building only.
void BM_Parse(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    dsl::SourceManager sources;
    dsl::DiagnosticSink sink;
    for (std::size_t i = 0; i < c.texts.size(); ++i) {
      const dsl::SourceId id = sources.add(c.paths[i], c.texts[i]);
      benchmark::DoNotOptimize(dsl::parse_file(sources, id, sink));
    }
    if (sink.has_errors()) state.SkipWithError("the corpus has syntax errors");
  }
  state.SetBytesProcessed(state.iterations() * c.bytes);
}

// What `leadflow check DIR` does before printing: read, parse, imports, resolve, typecheck, lint.
void BM_Check(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    auto compilation = dsl::compile_files({c.dir}, {.warnings = true, .lower = false});
    if (!compilation->ok()) state.SkipWithError("the corpus does not check cleanly");
    benchmark::DoNotOptimize(compilation);
  }
  state.SetBytesProcessed(state.iterations() * c.bytes);
}

// As BM_Check, then lowering to the engine Program (what `serve` and `dry-run` load).
void BM_CheckAndLower(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    auto compilation = dsl::compile_files({c.dir}, {.warnings = true, .lower = true});
    if (!compilation->ok()) state.SkipWithError("the corpus does not check cleanly");
    benchmark::DoNotOptimize(compilation);
  }
  state.SetBytesProcessed(state.iterations() * c.bytes);
}

BENCHMARK(BM_Parse)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Check)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CheckAndLower)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::string dir;
  if (argc > 1) {
    dir = argv[1];
  } else if (const char* env = std::getenv("LEADFLOW_BENCH_DIR")) {
    dir = env;
  } else {
    dir = "/tmp/leadflow-bench";
  }
  if (!load(dir)) {
    std::fprintf(stderr, "parse_bench: no .flow files in %s; run bench/gen_workflows.py %s first\n",
                 dir.c_str(), dir.c_str());
    return 2;
  }
  std::fprintf(stderr, "parse_bench: %zu files, %.2f MB from %s\n", corpus().paths.size(),
               static_cast<double>(corpus().bytes) / 1e6, dir.c_str());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
