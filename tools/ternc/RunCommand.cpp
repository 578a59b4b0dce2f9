//===- RunCommand.cpp - `ternc run`: generate text with the interpreter ---===//
//
// llama-cli's flags on the reference interpreter: tokenize the prompt (or the
// 2B4T chat turn with --chat), prefill it, then sample, stream and decode one
// token at a time until -n tokens, an end-of-generation token or a full
// context.
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"
#include "tools/ternc/ImportFlags.h"
#include "tools/ternc/TextInput.h"

#include "runtime/generate/Generate.h"
#include "runtime/sampler/Sampler.h"
#include "runtime/tokenizer/Tokenizer.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <fmt/format.h>

using namespace ternc;
namespace cl = llvm::cl;

namespace ternc::tool {
cl::SubCommand &runCommand() {
  static cl::SubCommand command("run",
                          "Generate text with the reference interpreter");
  return command;
}
} // namespace ternc::tool

namespace {

cl::OptionCategory &category() { return tool::terncCategory(); }

/// llama.cpp's sampling defaults, kept in one place (SamplerOptions).
const sampler::SamplerOptions kDefaults;

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.gguf>"),
                               cl::Required, cl::sub(tool::runCommand()),
                               cl::cat(category()));
cl::opt<std::string> prompt("p", cl::desc("Prompt text"),
                            cl::value_desc("text"), cl::sub(tool::runCommand()),
                            cl::cat(category()));
cl::opt<std::string> promptFile("f", cl::desc("Read the prompt from a file"),
                                cl::value_desc("path"),
                                cl::sub(tool::runCommand()),
                                cl::cat(category()));
cl::opt<int64_t> predict("n",
                         cl::desc("Tokens to generate (-1: until the end of "
                                  "generation or a full context)"),
                         cl::init(-1), cl::sub(tool::runCommand()),
                         cl::cat(category()));
cl::opt<bool> chat("chat",
                   cl::desc("Wrap the prompt in BitNet 2B4T's chat format"),
                   cl::sub(tool::runCommand()), cl::cat(category()));
cl::opt<float> temperature("temp", cl::desc("Temperature (<= 0: greedy)"),
                           cl::init(kDefaults.temperature), cl::sub(tool::runCommand()),
                           cl::cat(category()));
cl::opt<int> topK("top-k", cl::desc("Top-k (<= 0: off)"), cl::init(kDefaults.topK),
                  cl::sub(tool::runCommand()), cl::cat(category()));
cl::opt<float> topP("top-p", cl::desc("Top-p (1: off)"), cl::init(kDefaults.topP),
                    cl::sub(tool::runCommand()), cl::cat(category()));
cl::opt<float> minP("min-p", cl::desc("Min-p (0: off)"), cl::init(kDefaults.minP),
                    cl::sub(tool::runCommand()), cl::cat(category()));
cl::opt<float> repeatPenalty("repeat-penalty",
                             cl::desc("Repetition penalty (1: off)"),
                             cl::init(kDefaults.repeatPenalty), cl::sub(tool::runCommand()),
                             cl::cat(category()));
cl::opt<int> repeatLastN("repeat-last-n",
                         cl::desc("Tokens the penalty looks back at"),
                         cl::init(kDefaults.repeatLastN), cl::sub(tool::runCommand()),
                         cl::cat(category()));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Random seed (default: a random one)"),
                       cl::init(kDefaults.seed),
                       cl::sub(tool::runCommand()), cl::cat(category()));

} // namespace

int ternc::tool::runRun() {
  Expected<std::string> text = tool::readTextInput("run", prompt, promptFile);
  if (!text)
    return reportError(text.error());
  sampler::SamplerOptions samplerOptions;
  samplerOptions.temperature = temperature;
  samplerOptions.topK = topK;
  samplerOptions.topP = topP;
  samplerOptions.minP = minP;
  samplerOptions.repeatPenalty = repeatPenalty;
  samplerOptions.repeatLastN = repeatLastN;
  samplerOptions.seed = seed;
  Expected<sampler::Sampler> sampler = sampler::Sampler::create(samplerOptions);
  if (!sampler)
    return reportError(sampler.error());

  Expected<InterpretedModel> model = loadInterpretedModel(inputPath);
  if (!model)
    return reportError(model.error());
  Expected<tokenizer::Tokenizer> tokenizer =
      tokenizer::Tokenizer::fromGguf(*model->file);
  if (!tokenizer)
    return reportError(tokenizer.error());
  InterpretedSequence sequence(*model->interpreter);
  Status checked =
      generate::checkTokenizer(*tokenizer, sequence.vocabSize(), inputPath);
  if (!checked.ok())
    return reportError(checked.error());
  Expected<std::vector<int32_t>> tokens =
      generate::encodePrompt(*tokenizer, *text, chat);
  if (!tokens)
    return reportError(tokens.error());

  generate::GenerationOptions options;
  options.predict = predict;
  Expected<generate::GenerationStats> stats = generate::generate(
      sequence, *tokenizer, *sampler, *tokens, options,
      [](const std::string &piece) {
        fmt::print("{}", piece);
        std::fflush(stdout);
      });
  if (!stats)
    return reportError(stats.error());
  spdlog::info("{}", generate::formatGenerationStats(*stats,
                                                     "reference interpreter"));
  return 0;
}
