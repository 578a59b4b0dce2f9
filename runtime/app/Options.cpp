//===- Options.cpp - A compiled model's command line ----------------------===//

#include "runtime/app/Options.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <thread>

namespace ternc::app {
namespace {

/// Which modes a flag belongs to.
enum ModeMask : unsigned {
  kGenerate = 1,
  kEval = 2,
  kBench = 4,
  kEvery = kGenerate | kEval | kBench,
};

/// One flag of the command line.
struct Flag {
  /// The spelling used in messages, e.g. "-n" or "--top-k".
  const char *name;
  /// Another spelling, or nullptr.
  const char *alias;
  /// The value's form for messages and --help ("N", "TEXT"); nullptr for a
  /// switch.
  const char *value;
  unsigned modes;
};

const Flag kFlags[] = {
    {"-p", "--prompt", "TEXT", kGenerate | kBench},
    {"-f", "--file", "FILE", kGenerate},
    {"-n", "--n-predict", "N", kGenerate | kBench},
    {"-t", "--threads", "N", kEvery},
    {"-c", "--ctx-size", "N", kEvery},
    {"--temp", nullptr, "X", kGenerate},
    {"--top-k", nullptr, "N", kGenerate},
    {"--top-p", nullptr, "X", kGenerate},
    {"--min-p", nullptr, "X", kGenerate},
    {"--repeat-penalty", nullptr, "X", kGenerate},
    {"--repeat-last-n", nullptr, "N", kGenerate},
    {"--seed", nullptr, "N", kGenerate},
    {"--chat", nullptr, nullptr, kGenerate},
    {"--tokens", nullptr, "ID,ID,...", kEval},
    {"--step", nullptr, "N", kEval},
    {"--logits-out", nullptr, "FILE", kEval},
    {"--kl-divergence-base", nullptr, "FILE", kEval},
    {"--bench", nullptr, nullptr, kBench},
    {"-r", "--repetitions", "N", kBench},
    {"--mmap", nullptr, nullptr, kEvery},
    {"--mlock", nullptr, nullptr, kEvery},
    {"-h", "--help", nullptr, kEvery},
    {"--version", nullptr, nullptr, kEvery},
};

const Flag *findFlag(std::string_view name) {
  for (const Flag &flag : kFlags)
    if (name == flag.name || (flag.alias && name == flag.alias))
      return &flag;
  return nullptr;
}

/// An integer in [minimum, maximum]; `expected` describes the range.
Expected<int64_t> parseInteger(const char *flag, const std::string &text,
                               int64_t minimum, int64_t maximum,
                               std::string_view expected) {
  errno = 0;
  char *end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || std::isspace(static_cast<unsigned char>(
                                          text.front())))
    return makeError("{} expects an integer, got '{}'", flag, text);
  if (errno == ERANGE || value < minimum || value > maximum)
    return makeError("{} {} is out of range: {}", flag, text, expected);
  return static_cast<int64_t>(value);
}

Expected<uint64_t> parseUnsigned(const char *flag, const std::string &text) {
  errno = 0;
  char *end = nullptr;
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front())))
    return makeError("{} expects a non-negative integer, got '{}'", flag, text);
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0')
    return makeError("{} expects a non-negative integer, got '{}'", flag, text);
  if (errno == ERANGE)
    return makeError("{} {} is out of range: it must fit in 64 bits", flag,
                     text);
  return static_cast<uint64_t>(value);
}

Expected<float> parseFloat(const char *flag, const std::string &text) {
  errno = 0;
  char *end = nullptr;
  float value = std::strtof(text.c_str(), &end);
  if (text.empty() || *end != '\0' ||
      std::isspace(static_cast<unsigned char>(text.front())))
    return makeError("{} expects a number, got '{}'", flag, text);
  if (errno == ERANGE || !std::isfinite(value))
    return makeError("{} {} is out of range: it must be a finite f32 number",
                     flag, text);
  return value;
}

Expected<std::vector<int32_t>> parseTokenList(const char *flag,
                                              const std::string &text) {
  std::vector<int32_t> tokens;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    errno = 0;
    char *end = nullptr;
    long long value = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' ||
        std::isspace(static_cast<unsigned char>(item.front())))
      return makeError("{} expects comma-separated token ids (ID,ID,...), "
                       "got '{}'",
                       flag, text);
    if (errno == ERANGE || value < std::numeric_limits<int32_t>::min() ||
        value > std::numeric_limits<int32_t>::max())
      return makeError("{}: token id {} is out of range", flag, item);
    tokens.push_back(static_cast<int32_t>(value));
    if (comma == std::string::npos)
      return tokens;
    start = comma + 1;
  }
}

const char *modeFlag(Mode mode) {
  return mode == Mode::Bench ? "--bench" : "--tokens";
}

} // namespace

Expected<AppOptions> parseArguments(const std::vector<std::string> &arguments) {
  // The last value of each flag, by its canonical name; switches map to "".
  std::map<std::string, std::string> values;
  // Flags in the order first seen, for messages about misplaced ones.
  std::vector<const Flag *> seen;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string &argument = arguments[i];
    if (argument.size() < 2 || argument[0] != '-')
      return makeError("unexpected argument '{}' (flags start with '-'; "
                       "see --help)",
                       argument);
    std::string name = argument;
    std::optional<std::string> inlineValue;
    if (argument.rfind("--", 0) == 0) {
      size_t equals = argument.find('=');
      if (equals != std::string::npos) {
        name = argument.substr(0, equals);
        inlineValue = argument.substr(equals + 1);
      }
    }
    const Flag *flag = findFlag(name);
    if (!flag)
      return makeError("unknown flag '{}' (see --help)", name);
    if (flag == findFlag("-h")) {
      AppOptions help;
      help.mode = Mode::Help;
      return help;
    }
    std::string value;
    if (flag->value) {
      if (inlineValue) {
        value = *inlineValue;
      } else {
        if (i + 1 == arguments.size())
          return makeError("{} needs a value: {} {}", name, flag->name,
                           flag->value);
        value = arguments[++i];
      }
    } else if (inlineValue) {
      return makeError("{} takes no value, got '{}'", flag->name,
                       *inlineValue);
    }
    if (!values.count(flag->name))
      seen.push_back(flag);
    values[flag->name] = value;
  }
  auto has = [&](const char *name) { return values.count(name) != 0; };

  AppOptions options;
  if (has("--version")) {
    options.mode = Mode::Version;
    return options;
  }
  if (has("--bench") && has("--tokens"))
    return makeError("--bench and --tokens cannot be used together");
  options.mode = has("--bench") ? Mode::Bench
                 : has("--tokens") || has("--logits-out") ||
                         has("--kl-divergence-base") || has("--step")
                     ? Mode::Eval
                     : Mode::Generate;
  unsigned mask = options.mode == Mode::Bench  ? kBench
                  : options.mode == Mode::Eval ? kEval
                                               : kGenerate;
  for (const Flag *flag : seen)
    if (!(flag->modes & mask)) {
      if (options.mode == Mode::Generate)
        return makeError("{} is only valid with {}", flag->name,
                         flag->modes & kEval ? "--tokens" : "--bench");
      return makeError("{} cannot be used with {}", flag->name,
                       modeFlag(options.mode));
    }

  // Flags of every mode.
  if (has("-t")) {
    Expected<int64_t> threads =
        parseInteger("-t", values["-t"], 1, kMaxThreads,
                     fmt::format("give a thread count from 1 to {}",
                                 kMaxThreads));
    if (!threads)
      return threads.error();
    options.threads = static_cast<int>(*threads);
  }
  if (has("-c")) {
    Expected<int64_t> context = parseInteger(
        "-c", values["-c"], 0, std::numeric_limits<int64_t>::max(),
        "give 0 (the compiled context length) or a positive count");
    if (!context)
      return context.error();
    options.contextLength = *context;
  }
  options.mmap = has("--mmap");
  options.mlock = has("--mlock");

  switch (options.mode) {
  case Mode::Bench: {
    const int64_t maxLength = std::numeric_limits<int32_t>::max();
    if (has("-p")) {
      Expected<int64_t> length =
          parseInteger("-p", values["-p"], 0, maxLength,
                       "give the prompt length in tokens (0 skips pp)");
      if (!length)
        return length.error();
      options.benchPrompt = *length;
    }
    if (has("-n")) {
      Expected<int64_t> length =
          parseInteger("-n", values["-n"], 0, maxLength,
                       "give the number of tokens to generate (0 skips tg)");
      if (!length)
        return length.error();
      options.benchGenerate = *length;
    }
    if (options.benchPrompt == 0 && options.benchGenerate == 0)
      return makeError("--bench has nothing to measure: -p and -n are both 0");
    if (has("-r")) {
      Expected<int64_t> repetitions = parseInteger(
          "-r", values["-r"], 1, 1000000, "give a repetition count >= 1");
      if (!repetitions)
        return repetitions.error();
      options.repetitions = static_cast<int>(*repetitions);
    }
    return options;
  }
  case Mode::Eval: {
    if (!has("--tokens"))
      return makeError("{} needs --tokens ID,ID,...",
                       has("--logits-out")           ? "--logits-out"
                       : has("--kl-divergence-base") ? "--kl-divergence-base"
                                                     : "--step");
    if (!has("--logits-out") && !has("--kl-divergence-base"))
      return makeError(
          "--tokens needs --logits-out FILE or --kl-divergence-base FILE");
    Expected<std::vector<int32_t>> tokens =
        parseTokenList("--tokens", values["--tokens"]);
    if (!tokens)
      return tokens.error();
    options.tokens = tokens.take();
    if (has("--step")) {
      Expected<int64_t> step = parseInteger(
          "--step", values["--step"], std::numeric_limits<int64_t>::min(),
          std::numeric_limits<int64_t>::max(), "");
      if (!step)
        return step.error();
      if (*step < 0)
        return makeError("--step {} must be positive", *step);
      options.step = *step;
    }
    for (auto [flag, field] :
         {std::pair{"--logits-out", &options.logitsOut},
          std::pair{"--kl-divergence-base", &options.klDivergenceBase}})
      if (has(flag)) {
        *field = values[flag];
        if (field->empty())
          return makeError("{} needs a file name", flag);
      }
    return options;
  }
  case Mode::Generate:
    break;
  case Mode::Help:
  case Mode::Version:
    return options;
  }

  if (has("-p") == has("-f"))
    return makeError("give the prompt with exactly one of -p TEXT and -f FILE "
                     "(or see --help for --tokens and --bench)");
  if (has("-p"))
    options.prompt = values["-p"];
  else
    options.promptFile = values["-f"];
  if (has("-n")) {
    Expected<int64_t> predict = parseInteger(
        "-n", values["-n"], -1, std::numeric_limits<int64_t>::max(),
        "give -1 (until the end of generation or a full context) or a count "
        ">= 0");
    if (!predict)
      return predict.error();
    options.predict = *predict;
  }
  options.chat = has("--chat");
  sampler::SamplerOptions &sampling = options.sampler;
  for (auto [flag, field] : {std::pair{"--temp", &sampling.temperature},
                             std::pair{"--top-p", &sampling.topP},
                             std::pair{"--min-p", &sampling.minP},
                             std::pair{"--repeat-penalty",
                                       &sampling.repeatPenalty}}) {
    if (!has(flag))
      continue;
    Expected<float> value = parseFloat(flag, values[flag]);
    if (!value)
      return value.error();
    *field = *value;
  }
  for (auto [flag, field] : {std::pair{"--top-k", &sampling.topK},
                             std::pair{"--repeat-last-n",
                                       &sampling.repeatLastN}}) {
    if (!has(flag))
      continue;
    Expected<int64_t> value = parseInteger(
        flag, values[flag], std::numeric_limits<int>::min(),
        std::numeric_limits<int>::max(), "it must fit in 32 bits");
    if (!value)
      return value.error();
    *field = static_cast<int>(*value);
  }
  if (has("--seed")) {
    Expected<uint64_t> seed = parseUnsigned("--seed", values["--seed"]);
    if (!seed)
      return seed.error();
    sampling.seed = *seed;
  }
  TERNC_RETURN_IF_ERROR(sampler::validateSamplerOptions(sampling));
  return options;
}

std::string usage(std::string_view program) {
  const sampler::SamplerOptions defaults;
  return fmt::format(
      R"(usage: {0} (-p TEXT | -f FILE) [-n N] [sampling flags] [--chat]
       {0} --tokens ID,ID,... [--step N] [--logits-out FILE]
           [--kl-divergence-base FILE]
       {0} --bench [-p N] [-n N] [-r N]
       common: [-t N] [-c N] [--mmap] [--mlock]

Runs the language model compiled into this program.

generation:
  -p, --prompt TEXT       prompt text
  -f, --file FILE         read the prompt from FILE
  -n, --n-predict N       tokens to generate (-1: until the end of generation
                          or a full context; default -1)
  --chat                  wrap the prompt in BitNet 2B4T's chat format
                          ("User: TEXT<|eot_id|>Assistant: ")
  --temp X                temperature, <= 0 is greedy (default {1})
  --top-k N               top-k, <= 0 disables it (default {2})
  --top-p X               top-p, 1 disables it (default {3})
  --min-p X               min-p, 0 disables it (default {4})
  --repeat-penalty X      repetition penalty, 1 disables it (default {5})
  --repeat-last-n N       tokens the penalty looks back at (default {6})
  --seed N                random seed (default: a random one, printed)

evaluation (as `ternc eval`):
  --tokens ID,ID,...      token ids to run
  --step N                tokens per forward call (default 0: all at once)
  --logits-out FILE       write the logits as raw f32 [tokens][vocab]
  --kl-divergence-base FILE
                          compare the logits with FILE's (another run's
                          --logits-out): same top token, KL divergence

benchmark (as llama-bench):
  --bench                 time prompt processing (ppN) and generation (tgN)
  -p N                    prompt length (default 128; 0 skips pp)
  -n N                    tokens to generate (default 32; 0 skips tg)
  -r, --repetitions N     timed runs of each test (default 5)

common:
  -t, --threads N         threads (default: the physical cores, {7} here)
  -c, --ctx-size N        context length (default 0: as compiled)
  --mmap                  map the weights from the executable file instead
                          of copying them into memory at start-up (faster
                          start, but only as fast as the page cache holding
                          the file)
  --mlock                 lock the weights in memory
  -h, --help              print this help
  --version               print the model and runtime versions
)",
      program, defaults.temperature, defaults.topK, defaults.topP,
      defaults.minP, defaults.repeatPenalty, defaults.repeatLastN,
      defaultThreadCount());
}


} // namespace ternc::app
