//===- Options.h - A compiled model's command line --------------*- C++ -*-===//
//
// The flags of a compiled model binary, llama.cpp style and parsed by hand
// (compiled models link no LLVM): text generation (-p/-f, -n, sampling,
// --chat), parity evaluation (--tokens, --step, --logits-out, as `ternc
// eval`) and a llama-bench-style benchmark (--bench). Parsing is a function
// of the argument list so that tests can check every message.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_APP_OPTIONS_H
#define TERNC_RUNTIME_APP_OPTIONS_H

#include "runtime/model/ThreadPool.h"
#include "runtime/sampler/Sampler.h"
#include "runtime/support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ternc::app {

/// What the binary is asked to do.
enum class Mode {
  /// Generate text from -p or -f.
  Generate,
  /// Write the logits of --tokens to --logits-out and/or compare them with
  /// --kl-divergence-base.
  Eval,
  /// Time prompt processing and generation (--bench).
  Bench,
  /// Print the usage (-h, --help).
  Help,
  /// Print what the binary is (--version).
  Version,
};

/// A parsed command line.
struct AppOptions {
  Mode mode = Mode::Generate;

  // Generation.
  /// -p TEXT and -f FILE (exactly one is set).
  std::optional<std::string> prompt;
  std::optional<std::string> promptFile;
  /// -n: tokens to generate; -1 until an end-of-generation token or a full
  /// context.
  int64_t predict = -1;
  /// --chat: wrap the prompt in BitNet 2B4T's chat format.
  bool chat = false;
  /// --temp, --top-k, --top-p, --min-p, --repeat-penalty, --repeat-last-n,
  /// --seed (validated).
  sampler::SamplerOptions sampler;

  // Evaluation.
  /// --tokens ID,ID,...
  std::vector<int32_t> tokens;
  /// --step: tokens per forward call, 0 all at once.
  int64_t step = 0;
  /// --logits-out FILE (empty: not written).
  std::string logitsOut;
  /// --kl-divergence-base FILE (empty: no comparison).
  std::string klDivergenceBase;

  // Benchmark.
  /// -p N and -n N under --bench: the prompt and generation lengths (0
  /// skips that test).
  int64_t benchPrompt = 128;
  int64_t benchGenerate = 32;
  /// -r: timed repetitions of each test.
  int repetitions = 5;

  // Every mode.
  /// -t: threads, 1 to kMaxThreads; 0 means defaultThreadCount().
  int threads = 0;
  /// -c: KV cache positions; 0 means the compiled context length.
  int64_t contextLength = 0;
  /// --mmap: run from the weights in place instead of a resident copy.
  bool mmap = false;
  /// --mlock: lock the weights in memory.
  bool mlock = false;
};

/// Parses `arguments` (without the program name). Errors name the flag and
/// the expected form, e.g. "-n expects an integer, got 'ten'".
Expected<AppOptions> parseArguments(const std::vector<std::string> &arguments);

/// The --help text for a binary called `program`.
std::string usage(std::string_view program);


} // namespace ternc::app

#endif // TERNC_RUNTIME_APP_OPTIONS_H
