//===- RunCommand.cpp - `ternc run` and `ternc eval` on the interpreter ---===//
//
// A compiled model binary's command line on the reference interpreter: the
// binaries' own parser and flag table (runtime/app/Options.h), with the model
// file and the import flags added. With -p/-f it generates text (llama-cli's
// flags): tokenize the prompt (or a chat turn with --chat), prefill
// it, then sample, stream and decode one token at a time until -n tokens, an
// end-of-generation token or a full context. With --tokens it writes the f32
// logits of a token sequence, N tokens per forward call, and/or compares them
// with another run's (the parity tool). `ternc eval` is the same command held
// to --tokens.
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"

#include "compiler/checkpoint/CheckpointToGguf.h"
#include "compiler/interpreter/Interpreter.h"
#include "compiler/pipeline/Pipeline.h"
#include "dialects/Tern/IR/TernDialect.h"
#include "runtime/app/Options.h"
#include "runtime/generate/Eval.h"
#include "runtime/generate/Generate.h"
#include "runtime/sampler/Sampler.h"
#include "runtime/tokenizer/Tokenizer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <fmt/format.h>

using namespace ternc;

namespace {

/// A model opened, imported and ready to interpret.
struct InterpretedModel {
  std::unique_ptr<checkpoint::ModelFile> file;
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<Interpreter> interpreter;
};

/// Opens the options' model, imports it as `ternc compile` would with the
/// same --ctx, --prefill-chunk, --lm-head and --numerics, and prepares the
/// interpreter with --kv-type.
Expected<InterpretedModel> loadModel(const app::AppOptions &options) {
  ModelOptions modelOptions;
  if (!options.lmHead.empty()) {
    Expected<LmHeadFormat> lmHead = parseLmHeadFormat(options.lmHead);
    if (!lmHead)
      return lmHead.error();
    modelOptions.lmHead = *lmHead;
  }
  if (!options.numerics.empty()) {
    Expected<Numerics> numerics = parseNumerics(options.numerics);
    if (!numerics)
      return numerics.error();
    modelOptions.import.numerics = *numerics;
  }
  modelOptions.import.contextLength = options.importContext;
  if (options.prefillChunk)
    modelOptions.import.prefillChunk = options.prefillChunk;

  InterpretedModel model;
  Expected<std::unique_ptr<checkpoint::ModelFile>> file =
      checkpoint::ModelFile::open(options.modelPath);
  if (!file)
    return file.error();
  model.file = file.take();
  for (const std::string &warning : model.file->warnings())
    spdlog::warn("{}: {}", options.modelPath, warning);
  model.context = std::make_unique<mlir::MLIRContext>();
  model.context->loadDialect<mlir::tern::TernDialect,
                             mlir::func::FuncDialect>();
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> module = importModel(
      *model.context, model.file->gguf(), options.modelPath, modelOptions);
  if (!module)
    return module.error();
  model.module = module.take();
  InterpreterOptions interpreterOptions;
  interpreterOptions.f16Cache = options.f16KvCache;
  Expected<std::unique_ptr<Interpreter>> interpreter =
      Interpreter::create(*model.module, model.file->gguf(), interpreterOptions);
  if (!interpreter)
    return interpreter.error();
  model.interpreter = interpreter.take();
  return model;
}

Status generateText(const app::AppOptions &options) {
  Expected<std::string> text = app::readPrompt(options);
  if (!text)
    return text.error();
  Expected<sampler::Sampler> sampler = sampler::Sampler::create(options.sampler);
  if (!sampler)
    return sampler.error();
  Expected<InterpretedModel> model = loadModel(options);
  if (!model)
    return model.error();
  Expected<tokenizer::Tokenizer> tokenizer =
      tokenizer::Tokenizer::fromGguf(model->file->gguf());
  if (!tokenizer)
    return tokenizer.error();
  InterpretedSequence sequence(*model->interpreter);
  TERNC_RETURN_IF_ERROR(generate::checkTokenizer(
      *tokenizer, sequence.vocabSize(), options.modelPath));
  Expected<generate::PromptOptions> encoding =
      app::promptOptions(options, model->file->gguf(), options.modelPath);
  if (!encoding)
    return encoding.error();
  Expected<std::vector<int32_t>> tokens =
      generate::encodePrompt(*tokenizer, *text, *encoding);
  if (!tokens)
    return tokens.error();

  generate::GenerationOptions generation;
  generation.predict = options.predict;
  generation.contextFlag = "--ctx";
  Expected<generate::GenerationStats> stats = generate::generate(
      sequence, *tokenizer, *sampler, *tokens, generation,
      [](const std::string &piece) {
        fmt::print("{}", piece);
        std::fflush(stdout);
      });
  if (!stats)
    return stats.error();
  spdlog::info("{}", generate::formatGenerationStats(*stats,
                                                     "reference interpreter"));
  return Status();
}

Status evaluateTokens(const app::AppOptions &options) {
  Expected<InterpretedModel> model = loadModel(options);
  if (!model)
    return model.error();
  InterpretedSequence sequence(*model->interpreter);
  Expected<std::vector<float>> logits =
      generate::evaluate(sequence, options.tokens, options.step);
  if (!logits)
    return logits.error();
  Expected<std::string> report = generate::reportLogits(
      *logits, options.tokens.size(), sequence.vocabSize(), options.logitsOut,
      options.klDivergenceBase);
  if (!report)
    return report.error();
  fmt::print("{}", *report);
  return Status();
}

} // namespace

int ternc::tool::runInterpreterCommand(
    std::string_view command, const std::vector<std::string> &arguments) {
  Expected<app::AppOptions> options =
      app::parseArguments(arguments, app::Frontend::Interpreter);
  if (options && options->mode == app::Mode::Help) {
    fmt::print("{}", app::usage(fmt::format("ternc {}", command),
                                app::Frontend::Interpreter));
    return 0;
  }
  bool tokensGiven =
      std::any_of(arguments.begin(), arguments.end(), [](const auto &arg) {
        return arg == "--tokens" || arg.rfind("--tokens=", 0) == 0;
      });
  if (command == "eval" && !tokensGiven)
    return reportError(makeError(
        "eval: give --tokens ID,ID,... with --logits-out FILE and/or "
        "--kl-divergence-base FILE (ternc run generates text)"));
  if (!options)
    return reportError(options.error());
  Status status = options->mode == app::Mode::Eval ? evaluateTokens(*options)
                                                   : generateText(*options);
  return status.ok() ? 0 : reportError(status.error());
}
