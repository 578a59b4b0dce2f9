//===- Bench.h - llama-bench's pp/tg measurement of a session ---*- C++ -*-===//
//
// `--bench`: the prompt-processing (ppN: N tokens in one forward call) and
// text-generation (tgN: N one-token calls) tests of llama-bench, each from
// an empty context, with one warm-up run and then timed repetitions,
// reported as a markdown table of tokens per second (mean ± sample standard
// deviation).
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_APP_BENCH_H
#define TERNC_RUNTIME_APP_BENCH_H

#include "runtime/model/CompiledModel.h"
#include "runtime/support/Error.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace ternc::app {

/// One test of the benchmark and its timings.
struct BenchResult {
  /// "pp128" or "tg32".
  std::string test;
  /// Tokens per repetition.
  int64_t tokens = 0;
  /// Seconds of each timed repetition.
  std::vector<double> seconds;

  /// Mean and sample standard deviation of tokens / seconds (0 for one
  /// repetition).
  double meanTokensPerSecond() const;
  double stddevTokensPerSecond() const;
};

/// What to measure.
struct BenchOptions {
  /// Prompt and generation lengths; 0 skips the test.
  int64_t promptTokens = 128;
  int64_t generateTokens = 32;
  int repetitions = 5;
};

/// The table's header lines.
std::string benchHeader();
/// One row: | model | backend | threads | test | t/s |.
std::string benchRow(const std::string &model, const std::string &backend,
                     int threads, const BenchResult &result);

/// Runs the tests on `session` (reset before each run and left reset),
/// writing the header and each row to `out` as it completes.
Expected<std::vector<BenchResult>> runBench(CompiledSession &session,
                                            const BenchOptions &options,
                                            std::FILE *out);

} // namespace ternc::app

#endif // TERNC_RUNTIME_APP_BENCH_H
