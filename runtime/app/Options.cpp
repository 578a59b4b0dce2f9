//===- Options.cpp - The command line of compiled models and ternc run ----===//

#include "runtime/app/Options.h"

#include "runtime/support/MappedFile.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

namespace ternc::app {
namespace {

/// Which modes a flag belongs to.
enum ModeMask : unsigned {
  kGenerate = 1,
  kEval = 2,
  kBench = 4,
  kEvery = kGenerate | kEval | kBench,
};

/// Which programs take a flag.
enum FrontendMask : unsigned {
  kBinary = 1,
  kInterpreter = 2,
  kBoth = kBinary | kInterpreter,
};

unsigned frontendBit(Frontend frontend) {
  return frontend == Frontend::CompiledModel ? kBinary : kInterpreter;
}

/// Where --help lists a flag.
enum class Section { Generation, Evaluation, Benchmark, Model, Common };

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
  unsigned frontends;
  Section section;
  /// --help's text; a '\n' starts another line of it.
  std::string help;
  /// For -p and -n, which take a length under --bench: that meaning's text.
  std::string benchHelp = {};
};

/// Every flag of a compiled binary, `ternc run` and `ternc eval`.
const std::vector<Flag> &flags() {
  static const std::vector<Flag> table = [] {
    const sampler::SamplerOptions defaults;
    using S = Section;
    return std::vector<Flag>{
        {"--bench", nullptr, nullptr, kBench, kBinary, S::Benchmark,
         "time prompt processing (ppN) and generation (tgN)"},
        {"-p", "--prompt", "TEXT", kGenerate | kBench, kBoth, S::Generation,
         "prompt text", "prompt length (default 128; 0 skips pp)"},
        {"-f", "--file", "FILE", kGenerate, kBoth, S::Generation,
         "read the prompt from FILE"},
        {"-n", "--n-predict", "N", kGenerate | kBench, kBoth, S::Generation,
         "tokens to generate (-1: until the end of generation\nor a full "
         "context; default -1)",
         "tokens to generate (default 32; 0 skips tg)"},
        {"--chat", nullptr, nullptr, kGenerate, kBoth, S::Generation,
         "wrap the prompt in the model's chat format (its\n"
         "tokenizer.chat_template, else its architecture's)"},
        {"--chat-template", nullptr, "NAME", kGenerate, kBoth, S::Generation,
         "the chat format for --chat: bitnet-2b4t\n(\"User: "
         "TEXT<|eot_id|>Assistant: \") or llama3"},
        {"--no-parse-special", nullptr, nullptr, kGenerate, kBoth,
         S::Generation,
         "tokenize special-token text in the prompt (e.g.\n<|eot_id|>) as "
         "text instead of those tokens"},
        {"--temp", nullptr, "X", kGenerate, kBoth, S::Generation,
         fmt::format("temperature, <= 0 is greedy (default {})",
                     defaults.temperature)},
        {"--top-k", nullptr, "N", kGenerate, kBoth, S::Generation,
         fmt::format("top-k, <= 0 disables it (default {})", defaults.topK)},
        {"--top-p", nullptr, "X", kGenerate, kBoth, S::Generation,
         fmt::format("top-p, 1 disables it (default {})", defaults.topP)},
        {"--min-p", nullptr, "X", kGenerate, kBoth, S::Generation,
         fmt::format("min-p, 0 disables it (default {})", defaults.minP)},
        {"--repeat-penalty", nullptr, "X", kGenerate, kBoth, S::Generation,
         fmt::format("repetition penalty, 1 disables it (default {})",
                     defaults.repeatPenalty)},
        {"--repeat-last-n", nullptr, "N", kGenerate, kBoth, S::Generation,
         fmt::format("tokens the penalty looks back at (default {})",
                     defaults.repeatLastN)},
        {"--seed", nullptr, "N", kGenerate, kBoth, S::Generation,
         "random seed (default: a random one, printed)"},
        {"--tokens", nullptr, "ID,ID,...", kEval, kBoth, S::Evaluation,
         "token ids to run"},
        {"--step", nullptr, "N", kEval, kBoth, S::Evaluation,
         "tokens per forward call (default 0: all at once)"},
        {"--logits-out", nullptr, "FILE", kEval, kBoth, S::Evaluation,
         "write the logits as raw f32 [tokens][vocab]"},
        {"--kl-divergence-base", nullptr, "FILE", kEval, kBoth, S::Evaluation,
         "compare the logits with FILE's (another run's\n--logits-out): same "
         "top token, KL divergence"},
        {"-r", "--repetitions", "N", kBench, kBinary, S::Benchmark,
         "timed runs of each test (default 5)"},
        {"--ctx", nullptr, "N", kGenerate | kEval, kInterpreter, S::Model,
         "KV cache positions (default 0: the model's\ncontext length)"},
        {"--prefill-chunk", nullptr, "N", kGenerate | kEval, kInterpreter,
         S::Model, "tokens per prefill call (default: as ternc compile)"},
        {"--lm-head", nullptr, "stored|int8|q4", kGenerate | kEval,
         kInterpreter, S::Model,
         "LM head weights, quantized as ternc compile\nquantizes them "
         "(default stored)"},
        {"--numerics", nullptr, "bitnet|llama.cpp", kGenerate | kEval,
         kInterpreter, S::Model,
         "ternary matmuls as bitnet.cpp (default: per-token\nint8 "
         "activations, the model's training rule) or\nas llama.cpp "
         "(TQ1_0/TQ2_0 on Q8_K blocks of 256)"},
        {"--kv-type", nullptr, "f16|f32", kGenerate | kEval, kInterpreter,
         S::Model,
         "KV cache precision: f16 rounds as bitnet.cpp does\n(default), f32 "
         "does not round"},
        {"-t", "--threads", "N", kEvery, kBinary, S::Common,
         fmt::format("threads (default: the physical cores, {} here)",
                     defaultThreadCount())},
        {"-c", "--ctx-size", "N", kEvery, kBinary, S::Common,
         "context length (default 0: as compiled)"},
        {"--mmap", nullptr, nullptr, kEvery, kBinary, S::Common,
         "map the weights from the executable file instead\nof copying them "
         "into memory at start-up (faster\nstart, but only as fast as the "
         "page cache holding\nthe file)"},
        {"--mlock", nullptr, nullptr, kEvery, kBinary, S::Common,
         "lock the weights in memory"},
        {"-h", "--help", nullptr, kEvery, kBoth, S::Common, "print this help"},
        {"--version", nullptr, nullptr, kEvery, kBinary, S::Common,
         "print the model and runtime versions"},
    };
  }();
  return table;
}

const Flag *findFlag(std::string_view name) {
  for (const Flag &flag : flags())
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

/// The interpreter's model file and import flags.
Status parseModelFlags(const std::map<std::string, std::string> &values,
                       AppOptions &options) {
  if (options.modelPath.empty())
    return makeError("give the model file: MODEL.gguf (see --help)");
  auto value = [&](const char *name) -> const std::string * {
    auto found = values.find(name);
    return found == values.end() ? nullptr : &found->second;
  };
  if (const std::string *text = value("--ctx")) {
    Expected<int64_t> context = parseInteger(
        "--ctx", *text, 0, std::numeric_limits<int64_t>::max(),
        "give 0 (the model's context length) or a positive count");
    if (!context)
      return context.error();
    options.importContext = *context;
  }
  if (const std::string *text = value("--prefill-chunk")) {
    Expected<int64_t> chunk =
        parseInteger("--prefill-chunk", *text, 1,
                     std::numeric_limits<int32_t>::max(),
                     "give a positive token count");
    if (!chunk)
      return chunk.error();
    options.prefillChunk = *chunk;
  }
  if (const std::string *text = value("--lm-head")) {
    if (text->empty())
      return makeError("--lm-head needs a format: stored, int8 or q4");
    options.lmHead = *text;
  }
  if (const std::string *text = value("--numerics")) {
    if (text->empty())
      return makeError("--numerics needs a name: bitnet or llama.cpp");
    options.numerics = *text;
  }
  if (const std::string *text = value("--kv-type")) {
    if (*text != "f16" && *text != "f32")
      return makeError("--kv-type expects f16 or f32, got '{}'", *text);
    options.f16KvCache = *text == "f16";
  }
  return Status();
}

} // namespace

Expected<AppOptions> parseArguments(const std::vector<std::string> &arguments,
                                    Frontend frontend) {
  const bool interpreter = frontend == Frontend::Interpreter;
  AppOptions options;
  // The last value of each flag, by its canonical name; switches map to "".
  std::map<std::string, std::string> values;
  // Flags in the order first seen, for messages about misplaced ones.
  std::vector<const Flag *> seen;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string &argument = arguments[i];
    bool isFlag = argument.size() >= 2 && argument[0] == '-';
    if (!isFlag && interpreter && options.modelPath.empty()) {
      options.modelPath = argument;
      continue;
    }
    if (!isFlag)
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
    if (!flag || (!(flag->frontends & frontendBit(frontend)) && !interpreter))
      return makeError("unknown flag '{}' (see --help)", name);
    if (!(flag->frontends & frontendBit(frontend)))
      return makeError("{} is a flag of compiled model binaries, not of the "
                       "reference interpreter (see --help)",
                       name);
    if (flag == findFlag("-h")) {
      options.mode = Mode::Help;
      return options;
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
  if (interpreter)
    TERNC_RETURN_IF_ERROR(parseModelFlags(values, options));

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
                     "(or see --help for --tokens{})",
                     interpreter ? "" : " and --bench");
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
  options.parseSpecial = !has("--no-parse-special");
  if (has("--chat-template")) {
    if (!options.chat)
      return makeError("--chat-template is only used with --chat");
    Expected<generate::ChatTemplate> format =
        generate::chatTemplateNamed(values["--chat-template"]);
    if (!format)
      return format.error();
    options.chatTemplate = *format;
  }
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

namespace {

/// The section's heading in --help.
const char *heading(Section section) {
  switch (section) {
  case Section::Generation:
    return "generation";
  case Section::Evaluation:
    return "evaluation";
  case Section::Benchmark:
    return "benchmark (as llama-bench)";
  case Section::Model:
    return "model (as ternc compile imports it)";
  case Section::Common:
    return "common";
  }
  return "";
}

/// One flag's lines in --help: its spellings and value, then its text
/// from column 26 (on the next line when the spellings reach it).
void appendFlagHelp(std::string &text, const std::string &spelling,
                    const std::string &help) {
  constexpr size_t kHelpColumn = 26;
  std::string indent(kHelpColumn, ' ');
  std::string line = "  " + spelling;
  if (line.size() + 1 >= kHelpColumn) {
    text += line + "\n";
    line = indent;
  }
  line.resize(kHelpColumn, ' ');
  size_t start = 0;
  for (;;) {
    size_t end = help.find('\n', start);
    text += line + help.substr(start, end == std::string::npos
                                          ? std::string::npos
                                          : end - start) +
            "\n";
    if (end == std::string::npos)
      return;
    line = indent;
    start = end + 1;
  }
}

} // namespace

std::string usage(std::string_view program, Frontend frontend) {
  std::string text;
  if (frontend == Frontend::CompiledModel)
    text = fmt::format(
        R"(usage: {0} (-p TEXT | -f FILE) [-n N] [sampling flags] [--chat]
       {0} --tokens ID,ID,... [--step N] [--logits-out FILE]
           [--kl-divergence-base FILE]
       {0} --bench [-p N] [-n N] [-r N]
       common: [-t N] [-c N] [--mmap] [--mlock]

Runs the language model compiled into this program.
)",
        program);
  else
    text = fmt::format(
        R"(usage: {0} MODEL.gguf (-p TEXT | -f FILE) [-n N] [sampling flags] [--chat]
       {0} MODEL.gguf --tokens ID,ID,... [--step N] [--logits-out FILE]
           [--kl-divergence-base FILE]
       model: [--ctx N] [--prefill-chunk N] [--lm-head F] [--numerics N]
              [--kv-type T]

Runs MODEL.gguf on the reference interpreter, with the flags of a compiled
model binary.
)",
        program);
  for (Section section : {Section::Generation, Section::Evaluation,
                          Section::Benchmark, Section::Model,
                          Section::Common}) {
    std::string lines;
    for (const Flag &flag : flags()) {
      if (!(flag.frontends & frontendBit(frontend)))
        continue;
      auto spelling = [&](const char *value) {
        std::string words = flag.alias ? fmt::format("{}, {}", flag.name,
                                                     flag.alias)
                                       : flag.name;
        return value ? fmt::format("{} {}", words, value) : words;
      };
      if (flag.section == section)
        appendFlagHelp(lines, spelling(flag.value), flag.help);
      // -p and -n again under --bench, with a length.
      else if (section == Section::Benchmark && !flag.benchHelp.empty() &&
               frontend == Frontend::CompiledModel)
        appendFlagHelp(lines, fmt::format("{} N", flag.name), flag.benchHelp);
    }
    if (!lines.empty())
      text += fmt::format("\n{}:\n{}", heading(section), lines);
  }
  return text;
}

Expected<generate::PromptOptions> promptOptions(const AppOptions &options,
                                                const gguf::GgufFile &file,
                                                std::string_view modelName) {
  generate::PromptOptions prompt;
  prompt.parseSpecial = options.parseSpecial;
  if (!options.chat)
    return prompt;
  if (options.chatTemplate) {
    prompt.chat = *options.chatTemplate;
    return prompt;
  }
  Expected<generate::ChatTemplate> format =
      generate::modelChatTemplate(file, modelName);
  if (!format)
    return format.error();
  prompt.chat = *format;
  return prompt;
}

Expected<std::string> readPrompt(const AppOptions &options) {
  if (options.prompt)
    return *options.prompt;
  Expected<std::unique_ptr<MappedFile>> mapped =
      MappedFile::open(*options.promptFile);
  if (!mapped)
    return mapped.error();
  ByteSpan bytes = (*mapped)->bytes();
  return std::string(bytes.begin(), bytes.end());
}

} // namespace ternc::app
