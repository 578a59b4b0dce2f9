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

#include "runtime/sampler/Sampler.h"
#include "runtime/tokenizer/Tokenizer.h"

#include <spdlog/spdlog.h>

#include <chrono>
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

/// The prompt text from -p or -f, wrapped for --chat.
Expected<std::string> promptText() {
  Expected<std::string> text = tool::readTextInput("run", prompt, promptFile);
  if (!text || !chat)
    return text;
  // The BitNet b1.58 2B4T chat format (FORMATS.md §5).
  return "User: " + *text + "<|eot_id|>Assistant: ";
}

} // namespace

int ternc::tool::runRun() {
  Expected<std::string> text = promptText();
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
  if (static_cast<int64_t>(tokenizer->size()) !=
      model->interpreter->vocabSize())
    return reportError(makeError(
        "{}: the tokenizer has {} tokens but the model's vocabulary is {} "
        "(see ternc check)",
        inputPath.getValue(), tokenizer->size(),
        model->interpreter->vocabSize()));

  tokenizer::EncodeOptions encodeOptions;
  encodeOptions.parseSpecial = chat;
  std::vector<tokenizer::TokenId> ids = tokenizer->encode(*text, encodeOptions);
  std::vector<int32_t> tokens(ids.begin(), ids.end());
  if (tokens.empty())
    return reportError(makeError("the prompt is empty"));
  Interpreter &interpreter = *model->interpreter;
  InterpreterSession session = interpreter.newSession();
  auto start = std::chrono::steady_clock::now();
  Expected<std::vector<float>> logits = interpreter.forward(session, tokens);
  if (!logits)
    return reportError(logits.error());
  for (int32_t token : tokens)
    sampler->accept(token);
  auto prefilled = std::chrono::steady_clock::now();

  tokenizer::Detokenizer detokenizer(*tokenizer);
  int64_t vocab = interpreter.vocabSize(), generated = 0;
  while (predict < 0 || generated < predict) {
    const float *last = logits->data() + logits->size() - vocab;
    int32_t next = sampler->sample(last, static_cast<size_t>(vocab));
    if (tokenizer->isEndOfGeneration(static_cast<tokenizer::TokenId>(next)))
      break;
    fmt::print("{}", detokenizer.push(static_cast<tokenizer::TokenId>(next)));
    std::fflush(stdout);
    sampler->accept(next);
    ++generated;
    if (session.position() == interpreter.contextLength()) {
      if (predict >= 0 && generated < predict)
        return reportError(makeError(
            "context full after {} generated tokens: the context holds {} "
            "positions (raise it with --ctx)",
            generated, interpreter.contextLength()));
      break;
    }
    logits = interpreter.forward(session, {next});
    if (!logits)
      return reportError(logits.error());
  }
  fmt::print("{}\n", detokenizer.flush());
  auto done = std::chrono::steady_clock::now();
  auto seconds = [](auto from, auto to) {
    return std::chrono::duration<double>(to - from).count();
  };
  spdlog::info("{} prompt tokens in {:.2f} s, {} generated in {:.2f} s "
               "(reference interpreter), seed {}",
               tokens.size(), seconds(start, prefilled), generated,
               seconds(prefilled, done), sampler->seed());
  return 0;
}
