//===- Bench.cpp - llama-bench's pp/tg measurement of a session -----------===//

#include "runtime/app/Bench.h"

#include "runtime/support/Random.h"

#include <chrono>
#include <cmath>
#include <fmt/format.h>

namespace ternc::app {
namespace {

/// Token ids for the tests: arbitrary but fixed, spread over the vocabulary
/// (the kernels' speed does not depend on them).
std::vector<int32_t> benchTokens(int64_t count, int64_t vocabSize) {
  SplitMix64 random(0x7e51);
  std::vector<int32_t> tokens(static_cast<size_t>(count));
  for (int32_t &token : tokens)
    token = static_cast<int32_t>(random.next() %
                                 static_cast<uint64_t>(vocabSize));
  return tokens;
}

/// Runs one repetition of a test from an empty context; returns seconds.
Expected<double> runOnce(CompiledSession &session,
                         const std::vector<int32_t> &tokens, bool oneByOne) {
  using Clock = std::chrono::steady_clock;
  session.reset();
  Clock::time_point start = Clock::now();
  if (oneByOne) {
    for (int32_t token : tokens) {
      Expected<std::vector<float>> logits = session.forwardLast({token});
      if (!logits)
        return logits.error();
    }
  } else {
    // As llama-bench: a prompt yields the last token's logits only.
    Expected<std::vector<float>> logits = session.forwardLast(tokens);
    if (!logits)
      return logits.error();
  }
  double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  session.reset();
  return seconds;
}

} // namespace

double BenchResult::meanTokensPerSecond() const {
  if (seconds.empty())
    return 0;
  double sum = 0;
  for (double s : seconds)
    sum += static_cast<double>(tokens) / s;
  return sum / static_cast<double>(seconds.size());
}

double BenchResult::stddevTokensPerSecond() const {
  if (seconds.size() < 2)
    return 0;
  double mean = meanTokensPerSecond(), squares = 0;
  for (double s : seconds) {
    double deviation = static_cast<double>(tokens) / s - mean;
    squares += deviation * deviation;
  }
  return std::sqrt(squares / static_cast<double>(seconds.size() - 1));
}

std::string benchHeader() {
  // llama-bench's markdown: right-aligned columns end their rule with ':'.
  auto rule = [](size_t width, bool right) {
    return right ? std::string(width - 1, '-') + ":" : std::string(width, '-');
  };
  return fmt::format("| {:<30} | {:<10} | {:>7} | {:>13} | {:>20} |\n"
                     "| {} | {} | {} | {} | {} |\n",
                     "model", "backend", "threads", "test", "t/s",
                     rule(30, false), rule(10, false), rule(7, true),
                     rule(13, true), rule(20, true));
}

std::string benchRow(const std::string &model, const std::string &backend,
                     int threads, const BenchResult &result) {
  std::string speed = fmt::format("{:.2f} ± {:.2f}",
                                  result.meanTokensPerSecond(),
                                  result.stddevTokensPerSecond());
  return fmt::format("| {:<30} | {:<10} | {:>7} | {:>13} | {:>20} |\n", model,
                     backend, threads, result.test, speed);
}

Expected<std::vector<BenchResult>> runBench(CompiledSession &session,
                                            const BenchOptions &options,
                                            std::FILE *out) {
  const CompiledModel &model = session.model();
  std::vector<BenchResult> results;
  fmt::print(out, "{}", benchHeader());
  std::fflush(out);
  struct Test {
    const char *prefix;
    int64_t tokens;
    bool oneByOne;
  };
  for (const Test &test : {Test{"pp", options.promptTokens, false},
                           Test{"tg", options.generateTokens, true}}) {
    if (test.tokens == 0)
      continue;
    std::vector<int32_t> tokens = benchTokens(test.tokens, model.vocabSize());
    // Warm up (page in the weights, wake the threads) as llama-bench does:
    // the whole prompt, or one generated token.
    std::vector<int32_t> warmUp =
        test.oneByOne ? std::vector<int32_t>(tokens.begin(), tokens.begin() + 1)
                      : tokens;
    Expected<double> warm = runOnce(session, warmUp, test.oneByOne);
    if (!warm)
      return warm.error();
    BenchResult result;
    result.test = fmt::format("{}{}", test.prefix, test.tokens);
    result.tokens = test.tokens;
    for (int repetition = 0; repetition < options.repetitions; ++repetition) {
      Expected<double> seconds = runOnce(session, tokens, test.oneByOne);
      if (!seconds)
        return seconds.error();
      result.seconds.push_back(*seconds);
    }
    fmt::print(out, "{}",
               benchRow(model.name(), model.backendName(), session.threads(),
                        result));
    std::fflush(out);
    results.push_back(std::move(result));
  }
  return results;
}

} // namespace ternc::app
