//===- Options.h - A compiled model's command line --------------*- C++ -*-===//
//
// The flags of a compiled model binary, llama.cpp style and parsed by hand
// (compiled models link no LLVM): text generation (-p/-f, -n, sampling,
// --chat), parity evaluation (--tokens, --step, --logits-out) and a
// llama-bench-style benchmark (--bench). `ternc run` and `ternc eval` read
// their command lines with the same parser and the same flag table (one
// definition of each flag, its checks and its help), adding the model file and
// the import flags the interpreter needs. Parsing is a function of the
// argument list so that tests can check every message.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_APP_OPTIONS_H
#define TERNC_RUNTIME_APP_OPTIONS_H

#include "runtime/generate/Generate.h"
#include "runtime/gguf/GgufFile.h"
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

/// Which program reads the command line. Every flag says which of them take
/// it.
enum class Frontend {
  /// A compiled model binary: generation, evaluation and benchmark.
  CompiledModel,
  /// `ternc run MODEL.gguf` and `ternc eval MODEL.gguf`: generation and
  /// evaluation on the reference interpreter, with the import flags of
  /// `ternc compile` (--ctx, --prefill-chunk, --lm-head, --numerics) and
  /// --kv-type.
  Interpreter,
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
  /// --chat: wrap the prompt in the model's chat format (or
  /// --chat-template's).
  bool chat = false;
  /// --chat-template NAME: the chat format instead of the model's.
  std::optional<generate::ChatTemplate> chatTemplate;
  /// Special tokens written in the prompt become those tokens, as in
  /// llama.cpp; --no-parse-special turns it off.
  bool parseSpecial = true;
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

  // Frontend::Interpreter only: the model and how to import it.
  /// MODEL.gguf, the one positional argument.
  std::string modelPath;
  /// --ctx N: KV cache positions; 0 means the model's context length.
  int64_t importContext = 0;
  /// --prefill-chunk N: tokens per prefill call; 0 means the importer's
  /// default.
  int64_t prefillChunk = 0;
  /// --lm-head NAME as given; empty means the stored format. The compiler
  /// knows the names and checks them.
  std::string lmHead;
  /// --numerics NAME as given; empty means bitnet. The compiler parses it
  /// (parseNumerics).
  std::string numerics;
  /// --kv-type f16 (the default, bitnet.cpp's rounding) or f32.
  bool f16KvCache = true;
};

/// Parses `arguments` (without the program name, and for the interpreter
/// without the command). Errors name the flag and the expected form, e.g.
/// "-n expects an integer, got 'ten'".
Expected<AppOptions>
parseArguments(const std::vector<std::string> &arguments,
               Frontend frontend = Frontend::CompiledModel);

/// The --help text for `program` (a binary's name, or "ternc run"),
/// generated from the flag table.
std::string usage(std::string_view program,
                  Frontend frontend = Frontend::CompiledModel);

/// The prompt of a generation: -p's text, or -f's file read as raw bytes.
Expected<std::string> readPrompt(const AppOptions &options);

/// How the options encode the prompt of the model in `file` (named
/// `modelName` in errors): --chat with --chat-template's format or the
/// model's (generate::modelChatTemplate), --no-parse-special.
Expected<generate::PromptOptions> promptOptions(const AppOptions &options,
                                                const gguf::GgufFile &file,
                                                std::string_view modelName);


} // namespace ternc::app

#endif // TERNC_RUNTIME_APP_OPTIONS_H
