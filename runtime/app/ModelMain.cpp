//===- ModelMain.cpp - The main program of a compiled model ---------------===//

#include "runtime/app/ModelMain.h"

#include "runtime/app/Bench.h"
#include "runtime/app/Options.h"
#include "runtime/generate/Eval.h"
#include "runtime/generate/Generate.h"

#include <fmt/format.h>

namespace ternc::app {
namespace {

/// Where a run reports.
struct Output {
  std::string_view program;
  std::FILE *out;
  std::FILE *err;

  int fail(const Error &error) const {
    fmt::print(err, "{}: error: {}\n", program, error.message());
    std::fflush(err);
    return 1;
  }
  void info(const std::string &message) const {
    fmt::print(err, "{}: info: {}\n", program, message);
    std::fflush(err);
  }
};

/// The model and one session with the options' threads and context.
struct Loaded {
  std::unique_ptr<CompiledModel> model;
  std::unique_ptr<CompiledSession> session;
};

/// The thread count a run uses: -t, else the physical cores.
int threadCount(const AppOptions &options) {
  return options.threads ? options.threads : defaultThreadCount();
}

/// The model of `definition` with the weights where the options say.
Expected<std::unique_ptr<CompiledModel>>
createModel(const ModelDefinition &definition, const AppOptions &options) {
  ModelOptions modelOptions;
  modelOptions.weights.placement =
      options.mmap ? WeightsPlacement::Mapped : WeightsPlacement::Resident;
  modelOptions.weights.lock = options.mlock;
  modelOptions.weights.fillThreads = threadCount(options);
  return CompiledModel::create(definition, modelOptions);
}

Expected<Loaded> load(const ModelDefinition &definition,
                      const AppOptions &options) {
  Expected<std::unique_ptr<CompiledModel>> model =
      createModel(definition, options);
  if (!model)
    return model.error();
  if (options.contextLength > (*model)->contextLength())
    return makeError("-c {} exceeds the context length of {} the model was "
                     "compiled for",
                     options.contextLength, (*model)->contextLength());
  SessionOptions sessionOptions;
  sessionOptions.threads = threadCount(options);
  sessionOptions.contextLength = options.contextLength;
  Expected<std::unique_ptr<CompiledSession>> session =
      (*model)->newSession(sessionOptions);
  if (!session)
    return session.error();
  return Loaded{model.take(), session.take()};
}

int runGenerate(const ModelDefinition &definition, const AppOptions &options,
                const Output &output) {
  Expected<std::string> text = readPrompt(options);
  if (!text)
    return output.fail(text.error());
  Expected<sampler::Sampler> sampler = sampler::Sampler::create(options.sampler);
  if (!sampler)
    return output.fail(sampler.error());
  Expected<Loaded> loaded = load(definition, options);
  if (!loaded)
    return output.fail(loaded.error());
  CompiledModel &model = *loaded->model;
  CompiledSession &session = *loaded->session;
  Expected<const tokenizer::Tokenizer *> tokenizer = model.tokenizer();
  if (!tokenizer)
    return output.fail(tokenizer.error());
  Status checked = generate::checkTokenizer(**tokenizer, model.vocabSize(),
                                            output.program);
  if (!checked.ok())
    return output.fail(checked.error());
  Expected<generate::PromptOptions> encoding =
      promptOptions(options, model.file(), output.program);
  if (!encoding)
    return output.fail(encoding.error());
  Expected<std::vector<int32_t>> prompt =
      generate::encodePrompt(**tokenizer, *text, *encoding);
  if (!prompt)
    return output.fail(prompt.error());

  generate::GenerationOptions generation;
  generation.predict = options.predict;
  generation.contextFlag = "-c";
  Expected<generate::GenerationStats> stats = generate::generate(
      session, **tokenizer, *sampler, *prompt, generation,
      [&](const std::string &piece) {
        std::fwrite(piece.data(), 1, piece.size(), output.out);
        std::fflush(output.out);
      });
  if (!stats)
    return output.fail(stats.error());
  output.info(generate::formatGenerationStats(
      *stats, fmt::format("{} backend, {} thread{}", model.backendName(),
                          session.threads(),
                          session.threads() == 1 ? "" : "s")));
  return 0;
}

int runEval(const ModelDefinition &definition, const AppOptions &options,
            const Output &output) {
  Expected<Loaded> loaded = load(definition, options);
  if (!loaded)
    return output.fail(loaded.error());
  Expected<std::vector<float>> logits =
      generate::evaluate(*loaded->session, options.tokens, options.step);
  if (!logits)
    return output.fail(logits.error());
  Expected<std::string> report = generate::reportLogits(
      *logits, options.tokens.size(), loaded->model->vocabSize(),
      options.logitsOut, options.klDivergenceBase);
  if (!report)
    return output.fail(report.error());
  fmt::print(output.out, "{}", *report);
  return 0;
}

int runBenchMode(const ModelDefinition &definition, const AppOptions &options,
                 const Output &output) {
  Expected<Loaded> loaded = load(definition, options);
  if (!loaded)
    return output.fail(loaded.error());
  BenchOptions bench;
  bench.promptTokens = options.benchPrompt;
  bench.generateTokens = options.benchGenerate;
  bench.repetitions = options.repetitions;
  Expected<std::vector<BenchResult>> results =
      runBench(*loaded->session, bench, output.out);
  if (!results)
    return output.fail(results.error());
  return 0;
}

int runVersion(const ModelDefinition &definition, const AppOptions &options,
               const Output &output) {
  Expected<std::unique_ptr<CompiledModel>> model =
      createModel(definition, options);
  if (!model)
    return output.fail(model.error());
  const CompiledModel &m = **model;
  fmt::print(output.out,
             "{}: {} compiled by ternc for the {} backend (model ABI {}, "
             "kernel ABI {}): vocabulary {}, context {}, prefill chunk {}, "
             "{} KV cache{}\n",
             output.program, m.name(), m.backendName(),
             m.info().abi_version, m.info().kernel_abi_version, m.vocabSize(),
             m.contextLength(), m.prefillChunk(),
             m.info().kv_cache_f16 ? "f16" : "f32",
             m.ternaryActivations().empty()
                 ? ""
                 : ", ternary activations " + m.ternaryActivations());
  return 0;
}

} // namespace

int runModelMain(const ModelDefinition &definition, std::string_view program,
                 const std::vector<std::string> &arguments, std::FILE *out,
                 std::FILE *err) {
  Output output{program, out, err};
  Expected<AppOptions> options = parseArguments(arguments);
  if (!options)
    return output.fail(options.error());
  int code = 0;
  switch (options->mode) {
  case Mode::Help:
    fmt::print(out, "{}", usage(program));
    break;
  case Mode::Version:
    code = runVersion(definition, *options, output);
    break;
  case Mode::Generate:
    code = runGenerate(definition, *options, output);
    break;
  case Mode::Eval:
    code = runEval(definition, *options, output);
    break;
  case Mode::Bench:
    code = runBenchMode(definition, *options, output);
    break;
  }
  std::fflush(out);
  return code;
}

std::string programName(const char *argv0) {
  std::string_view path = argv0 && *argv0 ? argv0 : "model";
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path
                                                     : path.substr(slash + 1));
}

} // namespace ternc::app
