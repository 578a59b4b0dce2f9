//===- OptionsTest.cpp - A compiled model's command line ------------------===//

#include "runtime/app/Options.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

using namespace ternc;
using namespace ternc::app;

namespace {

AppOptions parse(const std::vector<std::string> &arguments) {
  Expected<AppOptions> options = parseArguments(arguments);
  EXPECT_TRUE(options.ok()) << options.error().message();
  return options.ok() ? options.take() : AppOptions{};
}

std::string parseError(const std::vector<std::string> &arguments) {
  Expected<AppOptions> options = parseArguments(arguments);
  EXPECT_FALSE(options.ok());
  return options.ok() ? "" : options.error().message();
}

TEST(OptionsTest, GenerationDefaultsAreLlamaCpps) {
  AppOptions options = parse({"-p", "Once upon a time"});
  EXPECT_EQ(options.mode, Mode::Generate);
  EXPECT_EQ(options.prompt, "Once upon a time");
  EXPECT_FALSE(options.promptFile);
  EXPECT_EQ(options.predict, -1);
  EXPECT_EQ(options.threads, 0);
  EXPECT_EQ(options.contextLength, 0);
  EXPECT_FALSE(options.chat);
  EXPECT_FALSE(options.mmap);
  EXPECT_FALSE(options.mlock);
  const sampler::SamplerOptions defaults;
  EXPECT_EQ(options.sampler.temperature, defaults.temperature);
  EXPECT_EQ(options.sampler.topK, defaults.topK);
  EXPECT_EQ(options.sampler.topP, defaults.topP);
  EXPECT_EQ(options.sampler.minP, defaults.minP);
  EXPECT_EQ(options.sampler.repeatPenalty, defaults.repeatPenalty);
  EXPECT_EQ(options.sampler.repeatLastN, defaults.repeatLastN);
  EXPECT_EQ(options.sampler.seed, defaults.seed);
}

TEST(OptionsTest, EveryGenerationFlag) {
  AppOptions options =
      parse({"-f", "prompt.txt", "-n", "32", "-t", "4", "-c", "512", "--temp",
             "0", "--top-k", "10", "--top-p", "0.9", "--min-p", "0.1",
             "--repeat-penalty", "1.1", "--repeat-last-n", "-1", "--seed",
             "1234", "--chat", "--mmap", "--mlock"});
  EXPECT_EQ(options.mode, Mode::Generate);
  EXPECT_EQ(options.promptFile, "prompt.txt");
  EXPECT_EQ(options.predict, 32);
  EXPECT_EQ(options.threads, 4);
  EXPECT_EQ(options.contextLength, 512);
  EXPECT_EQ(options.sampler.temperature, 0.0f);
  EXPECT_EQ(options.sampler.topK, 10);
  EXPECT_EQ(options.sampler.topP, 0.9f);
  EXPECT_EQ(options.sampler.minP, 0.1f);
  EXPECT_EQ(options.sampler.repeatPenalty, 1.1f);
  EXPECT_EQ(options.sampler.repeatLastN, -1);
  EXPECT_EQ(options.sampler.seed, 1234u);
  EXPECT_TRUE(options.chat);
  EXPECT_TRUE(options.mmap);
  EXPECT_TRUE(options.mlock);
}

TEST(OptionsTest, LongSpellingsAndEqualsSigns) {
  AppOptions options = parse({"--prompt=a=b", "--n-predict", "3",
                              "--threads=2", "--ctx-size", "8", "--temp=0.5"});
  EXPECT_EQ(options.prompt, "a=b");
  EXPECT_EQ(options.predict, 3);
  EXPECT_EQ(options.threads, 2);
  EXPECT_EQ(options.contextLength, 8);
  EXPECT_EQ(options.sampler.temperature, 0.5f);
  // A prompt may look like a flag: it is -p's value.
  EXPECT_EQ(parse({"-p", "--bench"}).prompt, "--bench");
  // The last occurrence wins, as in llama.cpp.
  EXPECT_EQ(parse({"-p", "x", "-n", "1", "-n", "2"}).predict, 2);
}

TEST(OptionsTest, EvalMode) {
  AppOptions options = parse({"--tokens", "1,2,-3,40", "--step", "2",
                              "--logits-out", "l.bin", "-t", "3"});
  EXPECT_EQ(options.mode, Mode::Eval);
  EXPECT_EQ(options.tokens, (std::vector<int32_t>{1, 2, -3, 40}));
  EXPECT_EQ(options.step, 2);
  EXPECT_EQ(options.logitsOut, "l.bin");
  EXPECT_EQ(options.threads, 3);
  EXPECT_EQ(parse({"--tokens", "7", "--logits-out", "o"}).step, 0);
  options = parse({"--tokens", "7", "--kl-divergence-base", "base.bin"});
  EXPECT_EQ(options.mode, Mode::Eval);
  EXPECT_EQ(options.logitsOut, "");
  EXPECT_EQ(options.klDivergenceBase, "base.bin");
}

TEST(OptionsTest, BenchMode) {
  AppOptions options = parse({"--bench"});
  EXPECT_EQ(options.mode, Mode::Bench);
  EXPECT_EQ(options.benchPrompt, 128);
  EXPECT_EQ(options.benchGenerate, 32);
  EXPECT_EQ(options.repetitions, 5);
  // -p and -n are lengths under --bench, wherever --bench is.
  options = parse({"-p", "64", "-n", "16", "-t", "8", "-r", "3", "--bench"});
  EXPECT_EQ(options.benchPrompt, 64);
  EXPECT_EQ(options.benchGenerate, 16);
  EXPECT_EQ(options.threads, 8);
  EXPECT_EQ(options.repetitions, 3);
  EXPECT_EQ(parse({"--bench", "-n", "0"}).benchGenerate, 0);
}

TEST(OptionsTest, HelpAndVersion) {
  EXPECT_EQ(parse({"-h"}).mode, Mode::Help);
  EXPECT_EQ(parse({"-p", "x", "--help"}).mode, Mode::Help);
  // Help wins over errors after it, as it is found first.
  EXPECT_EQ(parse({"--help", "--bogus"}).mode, Mode::Help);
  EXPECT_EQ(parse({"--version"}).mode, Mode::Version);
  std::string text = usage("bitnet-2b");
  EXPECT_EQ(text.rfind("usage: bitnet-2b (-p TEXT | -f FILE)", 0), 0u);
  for (const char *flag :
       {"--temp", "--top-k", "--top-p", "--min-p", "--repeat-penalty",
        "--repeat-last-n", "--seed", "--chat", "--tokens", "--step",
        "--logits-out", "--kl-divergence-base", "--bench", "-r", "-t", "-c",
        "--mmap", "--mlock"})
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
}

TEST(OptionsTest, UnknownFlagsAndStrayArguments) {
  EXPECT_EQ(parseError({"-p", "x", "--frobnicate"}),
            "unknown flag '--frobnicate' (see --help)");
  EXPECT_EQ(parseError({"--frob=1"}), "unknown flag '--frob' (see --help)");
  EXPECT_EQ(parseError({"-p", "x", "stray"}),
            "unexpected argument 'stray' (flags start with '-'; see --help)");
  EXPECT_EQ(parseError({"--chat=yes", "-p", "x"}),
            "--chat takes no value, got 'yes'");
}

TEST(OptionsTest, MissingValuesNameTheFlagAndForm) {
  EXPECT_EQ(parseError({"-p"}), "-p needs a value: -p TEXT");
  EXPECT_EQ(parseError({"-p", "x", "-n"}), "-n needs a value: -n N");
  EXPECT_EQ(parseError({"--tokens"}),
            "--tokens needs a value: --tokens ID,ID,...");
  EXPECT_EQ(parseError({"--threads"}), "--threads needs a value: -t N");
}

TEST(OptionsTest, MalformedValuesNameTheFlag) {
  EXPECT_EQ(parseError({"-p", "x", "-n", "ten"}),
            "-n expects an integer, got 'ten'");
  EXPECT_EQ(parseError({"-p", "x", "-n", "5x"}),
            "-n expects an integer, got '5x'");
  EXPECT_EQ(parseError({"-p", "x", "-t", ""}), "-t expects an integer, got ''");
  EXPECT_EQ(parseError({"-p", "x", "--temp", "hot"}),
            "--temp expects a number, got 'hot'");
  EXPECT_EQ(parseError({"-p", "x", "--top-p", "nan"}),
            "--top-p nan is out of range: it must be a finite f32 number");
  EXPECT_EQ(parseError({"-p", "x", "--seed", "-1"}),
            "--seed expects a non-negative integer, got '-1'");
  EXPECT_EQ(parseError({"--tokens", "1,,2", "--logits-out", "o"}),
            "--tokens expects comma-separated token ids (ID,ID,...), got "
            "'1,,2'");
  EXPECT_EQ(parseError({"--tokens", "1,x", "--logits-out", "o"}),
            "--tokens expects comma-separated token ids (ID,ID,...), got "
            "'1,x'");
  EXPECT_EQ(parseError({"--tokens", "99999999999", "--logits-out", "o"}),
            "--tokens: token id 99999999999 is out of range");
  EXPECT_EQ(parseError({"--bench", "-p", "hello"}),
            "-p expects an integer, got 'hello'");
}

TEST(OptionsTest, OutOfRangeValues) {
  EXPECT_EQ(parseError({"-p", "x", "-n", "-2"}),
            "-n -2 is out of range: give -1 (until the end of generation or "
            "a full context) or a count >= 0");
  EXPECT_EQ(parseError({"-p", "x", "-t", "0"}),
            "-t 0 is out of range: give a thread count from 1 to 1024");
  EXPECT_EQ(parseError({"-p", "x", "-t", "5000"}),
            "-t 5000 is out of range: give a thread count from 1 to 1024");
  EXPECT_EQ(parseError({"-p", "x", "-c", "-1"}),
            "-c -1 is out of range: give 0 (the compiled context length) or "
            "a positive count");
  EXPECT_EQ(parseError({"-p", "x", "-n", "99999999999999999999"}),
            "-n 99999999999999999999 is out of range: give -1 (until the end "
            "of generation or a full context) or a count >= 0");
  EXPECT_EQ(parseError({"--tokens", "1", "--step", "-1", "--logits-out", "o"}),
            "--step -1 must be positive");
  EXPECT_EQ(parseError({"--bench", "-r", "0"}),
            "-r 0 is out of range: give a repetition count >= 1");
  EXPECT_EQ(parseError({"--bench", "-n", "-1"}),
            "-n -1 is out of range: give the number of tokens to generate (0 "
            "skips tg)");
  EXPECT_EQ(parseError({"--bench", "-p", "0", "-n", "0"}),
            "--bench has nothing to measure: -p and -n are both 0");
  // The sampler's own checks name the flag too.
  EXPECT_EQ(parseError({"-p", "x", "--top-p", "1.5"}),
            "--top-p 1.5 is outside [0, 1]");
}

TEST(OptionsTest, ModesDoNotMix) {
  EXPECT_EQ(parseError({"-n", "5"}),
            "give the prompt with exactly one of -p TEXT and -f FILE (or see "
            "--help for --tokens and --bench)");
  EXPECT_EQ(parseError({"-p", "x", "-f", "y"}),
            "give the prompt with exactly one of -p TEXT and -f FILE (or see "
            "--help for --tokens and --bench)");
  EXPECT_EQ(parseError({"--bench", "--tokens", "1"}),
            "--bench and --tokens cannot be used together");
  EXPECT_EQ(parseError({"--tokens", "1", "--logits-out", "o", "--chat"}),
            "--chat cannot be used with --tokens");
  EXPECT_EQ(parseError({"--tokens", "1", "--logits-out", "o", "-p", "x"}),
            "-p cannot be used with --tokens");
  EXPECT_EQ(parseError({"--bench", "--temp", "0"}),
            "--temp cannot be used with --bench");
  EXPECT_EQ(parseError({"--bench", "-f", "p.txt"}),
            "-f cannot be used with --bench");
  EXPECT_EQ(parseError({"-p", "x", "-r", "3"}), "-r is only valid with --bench");
  EXPECT_EQ(parseError({"--tokens", "1,2"}),
            "--tokens needs --logits-out FILE or --kl-divergence-base FILE");
  EXPECT_EQ(parseError({"--kl-divergence-base", "b"}),
            "--kl-divergence-base needs --tokens ID,ID,...");
  EXPECT_EQ(parseError({"--tokens", "1", "--kl-divergence-base="}),
            "--kl-divergence-base needs a file name");
  EXPECT_EQ(parseError({"--logits-out", "o"}),
            "--logits-out needs --tokens ID,ID,...");
  EXPECT_EQ(parseError({"--step", "2"}), "--step needs --tokens ID,ID,...");
}

Expected<AppOptions> parseInterpreter(
    const std::vector<std::string> &arguments) {
  return parseArguments(arguments, Frontend::Interpreter);
}

TEST(OptionsTest, InterpreterTakesTheModelAndImportFlags) {
  Expected<AppOptions> options = parseInterpreter(
      {"m.gguf", "-p", "x", "--temp", "0", "--ctx", "96", "--prefill-chunk",
       "8", "--lm-head=q4", "--numerics", "llama.cpp", "--kv-type", "f32"});
  ASSERT_TRUE(options.ok()) << options.error().message();
  EXPECT_EQ(options->mode, Mode::Generate);
  EXPECT_EQ(options->modelPath, "m.gguf");
  EXPECT_EQ(options->prompt, "x");
  EXPECT_EQ(options->sampler.temperature, 0.0f);
  EXPECT_EQ(options->importContext, 96);
  EXPECT_EQ(options->prefillChunk, 8);
  EXPECT_EQ(options->lmHead, "q4");
  EXPECT_EQ(options->numerics, "llama.cpp");
  EXPECT_FALSE(options->f16KvCache);
  // The model may come after the flags; the defaults keep the importer's.
  options = parseInterpreter({"--tokens", "1,2", "--logits-out", "o",
                              "m.gguf"});
  ASSERT_TRUE(options.ok()) << options.error().message();
  EXPECT_EQ(options->mode, Mode::Eval);
  EXPECT_EQ(options->modelPath, "m.gguf");
  EXPECT_EQ(options->importContext, 0);
  EXPECT_EQ(options->prefillChunk, 0);
  EXPECT_TRUE(options->lmHead.empty());
  EXPECT_TRUE(options->numerics.empty());
  EXPECT_TRUE(options->f16KvCache);
}

TEST(OptionsTest, InterpreterErrorsNameTheFlag) {
  auto error = [](const std::vector<std::string> &arguments) {
    Expected<AppOptions> options = parseInterpreter(arguments);
    EXPECT_FALSE(options.ok());
    return options.ok() ? "" : options.error().message();
  };
  EXPECT_EQ(error({"-p", "x"}), "give the model file: MODEL.gguf (see --help)");
  EXPECT_EQ(error({"m", "n", "-p", "x"}),
            "unexpected argument 'n' (flags start with '-'; see --help)");
  for (const char *flag : {"-t", "--threads", "-c", "--mmap", "--mlock",
                           "--bench", "-r", "--version"})
    EXPECT_EQ(error({"m", "-p", "x", flag, "1"}).rfind(
                  std::string(flag) + " is a flag of compiled model binaries, "
                                      "not of the reference interpreter",
                  0),
              0u)
        << flag;
  EXPECT_EQ(error({"m", "-p", "x", "--kv-type", "q8"}),
            "--kv-type expects f16 or f32, got 'q8'");
  EXPECT_EQ(error({"m", "-p", "x", "--ctx", "-1"}),
            "--ctx -1 is out of range: give 0 (the model's context length) or "
            "a positive count");
  EXPECT_EQ(error({"m", "-p", "x", "--prefill-chunk", "0"}),
            "--prefill-chunk 0 is out of range: give a positive token count");
  EXPECT_EQ(error({"m", "-p", "x", "--lm-head="}),
            "--lm-head needs a format: stored, int8 or q4");
  EXPECT_EQ(error({"m", "-p", "x", "--numerics="}),
            "--numerics needs a name: bitnet or llama.cpp");
  EXPECT_EQ(error({"m", "-n", "4"}),
            "give the prompt with exactly one of -p TEXT and -f FILE (or see "
            "--help for --tokens)");
  // The binaries' checks hold for the interpreter too.
  EXPECT_EQ(error({"m", "-p", "x", "--top-p", "1.5"}),
            "--top-p 1.5 is outside [0, 1]");
  EXPECT_EQ(error({"m", "--tokens", "1", "--logits-out", "o", "--chat"}),
            "--chat cannot be used with --tokens");
  // Help needs no model.
  Expected<AppOptions> help = parseInterpreter({"--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->mode, Mode::Help);
}

TEST(OptionsTest, ChatTemplateAndSpecialTokens) {
  AppOptions defaults = parse({"-p", "x"});
  EXPECT_TRUE(defaults.parseSpecial);
  EXPECT_FALSE(defaults.chatTemplate);
  AppOptions options = parse(
      {"-p", "x", "--chat", "--chat-template", "llama3", "--no-parse-special"});
  EXPECT_TRUE(options.chat);
  EXPECT_EQ(options.chatTemplate, generate::ChatTemplate::Llama3);
  EXPECT_FALSE(options.parseSpecial);
  EXPECT_EQ(parseError({"-p", "x", "--chat-template", "llama3"}),
            "--chat-template is only used with --chat");
  EXPECT_EQ(parseError({"-p", "x", "--chat", "--chat-template=chatml"}),
            "--chat-template expects bitnet-2b4t or llama3, got 'chatml'");
  EXPECT_EQ(parseError({"--tokens", "1", "--logits-out", "o",
                        "--no-parse-special"}),
            "--no-parse-special cannot be used with --tokens");
}

TEST(OptionsTest, BinariesDoNotTakeTheImportFlags) {
  for (const char *flag : {"--ctx", "--prefill-chunk", "--lm-head",
                           "--numerics", "--kv-type"})
    EXPECT_EQ(parseError({"-p", "x", flag, "1"}),
              fmt::format("unknown flag '{}' (see --help)", flag));
}

/// The --help lines of `spelling` ("  --temp X ...") in `text`: its line
/// and the indented lines that continue it.
std::string helpEntry(const std::string &text, const std::string &spelling) {
  std::string entry;
  bool inEntry = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    start = end == std::string::npos ? text.size() : end + 1;
    if (inEntry && line.rfind("      ", 0) != 0)
      break;
    std::string head = "  " + spelling;
    if (inEntry || (line.rfind(head, 0) == 0 &&
                    (line.size() == head.size() || line[head.size()] == ' '))) {
      inEntry = true;
      entry += line + "\n";
    }
  }
  return entry;
}

TEST(OptionsTest, HelpComesFromOneTable) {
  std::string binary = usage("model");
  std::string interpreter = usage("ternc run", Frontend::Interpreter);
  EXPECT_EQ(interpreter.rfind("usage: ternc run MODEL.gguf (-p TEXT | -f FILE)",
                              0),
            0u);
  // A flag both take has the same text in both.
  for (const char *spelling :
       {"-p, --prompt TEXT", "-n, --n-predict N", "--temp X", "--top-k N",
        "--seed N", "--chat", "--chat-template NAME", "--no-parse-special",
        "--tokens ID,ID,...", "--step N",
        "--kl-divergence-base FILE", "-h, --help"}) {
    std::string entry = helpEntry(binary, spelling);
    EXPECT_FALSE(entry.empty()) << spelling;
    EXPECT_EQ(entry, helpEntry(interpreter, spelling)) << spelling;
  }
  // Each lists its own flags only.
  for (const char *spelling : {"--ctx N", "--kv-type f16|f32"}) {
    EXPECT_TRUE(helpEntry(binary, spelling).empty()) << spelling;
    EXPECT_FALSE(helpEntry(interpreter, spelling).empty()) << spelling;
  }
  for (const char *spelling : {"--mmap", "-t, --threads N", "--bench"}) {
    EXPECT_FALSE(helpEntry(binary, spelling).empty()) << spelling;
    EXPECT_TRUE(helpEntry(interpreter, spelling).empty()) << spelling;
  }
  // The sampler's defaults are printed from SamplerOptions.
  const sampler::SamplerOptions defaults;
  EXPECT_NE(helpEntry(binary, "--top-k N")
                .find(fmt::format("(default {})", defaults.topK)),
            std::string::npos);
}

TEST(OptionsTest, DefaultThreadCountIsSane) {
  int threads = defaultThreadCount();
  EXPECT_GE(threads, 1);
  EXPECT_LE(threads, kMaxThreads);
}

} // namespace
