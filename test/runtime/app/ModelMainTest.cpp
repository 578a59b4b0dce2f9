//===- ModelMainTest.cpp - The main program on a hand-compiled model ------===//

#include "runtime/app/ModelMain.h"

#include "runtime/support/MappedFile.h"
#include "test/runtime/model/TestModel.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace ternc;

namespace {

/// What one run of the program printed and returned.
struct RunResult {
  int code;
  std::string out, err;
};

class ModelMainTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(testModel_.ok()); }
  void TearDown() override {
    for (const std::string &path : paths_)
      std::remove(path.c_str());
  }

  RunResult run(const std::vector<std::string> &arguments) {
    char *outData = nullptr, *errData = nullptr;
    size_t outSize = 0, errSize = 0;
    std::FILE *out = open_memstream(&outData, &outSize);
    std::FILE *err = open_memstream(&errData, &errSize);
    int code = app::runModelMain(testModel_.definition(), "tiny-model",
                                 arguments, out, err);
    std::fclose(out);
    std::fclose(err);
    RunResult result{code, std::string(outData, outSize),
                     std::string(errData, errSize)};
    std::free(outData);
    std::free(errData);
    return result;
  }

  /// A temporary path, removed after the test.
  std::string tempPath(const std::string &name) {
    std::string path = (std::filesystem::temp_directory_path() /
                        ("ternc-main-test-" + std::to_string(::getpid()) +
                         "-" + name))
                           .string();
    paths_.push_back(path);
    return path;
  }

  std::string readFile(const std::string &path) {
    Expected<std::unique_ptr<MappedFile>> file = MappedFile::open(path);
    EXPECT_TRUE(file.ok());
    if (!file)
      return "";
    ByteSpan bytes = (*file)->bytes();
    return std::string(bytes.begin(), bytes.end());
  }

  test::TestModel testModel_;
  std::vector<std::string> paths_;
};

TEST_F(ModelMainTest, EvalWritesTheLogitsOfForward) {
  std::string path = tempPath("logits.bin");
  RunResult result =
      run({"--tokens", "5,800,2,2,64", "--step", "2", "--logits-out", path});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.out, "wrote 5 x 1024 f32 logits to " + path + "\n");
  EXPECT_EQ(result.err, "");

  Expected<std::unique_ptr<CompiledModel>> model =
      CompiledModel::create(testModel_.definition());
  ASSERT_TRUE(model.ok());
  Expected<std::unique_ptr<CompiledSession>> session = (*model)->newSession();
  ASSERT_TRUE(session.ok());
  Expected<std::vector<float>> logits =
      (*session)->forward({5, 800, 2, 2, 64});
  ASSERT_TRUE(logits.ok());
  std::string bytes = readFile(path);
  ASSERT_EQ(bytes.size(), logits->size() * sizeof(float));
  EXPECT_EQ(std::memcmp(bytes.data(), logits->data(), bytes.size()), 0);

  // Threads and mapped weights change nothing.
  std::string other = tempPath("logits2.bin");
  result = run({"--tokens", "5,800,2,2,64", "--logits-out", other, "-t", "3",
                "--mmap"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(readFile(other), bytes);
}

TEST_F(ModelMainTest, EvalComparesWithABaseRun) {
  std::string base = tempPath("base.bin");
  ASSERT_EQ(run({"--tokens", "5,800,2,2,64", "--logits-out", base}).code, 0);
  // The same logits: every top token agrees and the divergence is zero.
  RunResult result = run({"--tokens", "5,800,2,2,64", "--step", "3",
                          "--kl-divergence-base", base});
  ASSERT_EQ(result.code, 0) << result.err;
  const std::string agreement =
      "against " + base +
      ": same top token 5 of 5 (100.00%), KL divergence mean 0, median 0, "
      "max 0 nats; base entropy mean ";
  EXPECT_EQ(result.out.rfind(agreement, 0), 0u) << result.out;
  EXPECT_NE(result.out.find(" nats (flat: 6.931)\n"), std::string::npos)
      << result.out;
  // Another sequence length is named, with what the file should hold.
  result = run({"--tokens", "5,800", "--kl-divergence-base", base});
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.err.find(base + ": 20480 bytes of base logits, expected "
                                   "8192 (2 tokens x 1024 f32 logits)"),
            std::string::npos)
      << result.err;
}

TEST_F(ModelMainTest, EvalErrorsWriteNoFile) {
  std::string path = tempPath("none.bin");
  RunResult result = run({"--tokens", "1,1024", "--logits-out", path});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "tiny-model: error: token id 1024 is outside the "
                        "vocabulary (0 to 1023)\n");
  EXPECT_FALSE(std::filesystem::exists(path));

  result = run({"--tokens", "1,2,3,4,5", "-c", "4", "--logits-out", path});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.err, "tiny-model: error: context overflow: position 0 + 5 "
                        "tokens exceeds the context length of 4\n");
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(ModelMainTest, GreedyGenerationIsReproducibleOnAnyThreadCount) {
  RunResult one = run({"-p", "Once upon a time", "-n", "6", "--temp", "0",
                       "-t", "1"});
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_FALSE(one.out.empty());
  EXPECT_EQ(one.out.back(), '\n');
  // The statistics line, like ternc run's.
  EXPECT_EQ(one.err.rfind("tiny-model: info: ", 0), 0u) << one.err;
  EXPECT_NE(one.err.find(" prompt tokens in "), std::string::npos);
  EXPECT_NE(one.err.find("(generic backend, 1 thread), seed "),
            std::string::npos)
      << one.err;
  RunResult two = run({"-p", "Once upon a time", "-n", "6", "--temp", "0",
                       "-t", "2"});
  ASSERT_EQ(two.code, 0) << two.err;
  EXPECT_EQ(two.out, one.out);
  EXPECT_NE(two.err.find("(generic backend, 2 threads)"), std::string::npos);
}

TEST_F(ModelMainTest, SeededSamplingRepeatsAndPromptFilesWork) {
  std::string prompt = tempPath("prompt.txt");
  std::FILE *file = std::fopen(prompt.c_str(), "w");
  ASSERT_NE(file, nullptr);
  std::fputs("The cat", file);
  std::fclose(file);
  RunResult first = run({"-f", prompt, "-n", "5", "--seed", "11", "--chat"});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.err.find("seed 11"), std::string::npos);
  RunResult second = run({"-f", prompt, "-n", "5", "--seed", "11", "--chat"});
  EXPECT_EQ(second.out, first.out);

  RunResult missing = run({"-f", tempPath("missing.txt"), "-n", "1"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.out, "");
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos);
}

TEST_F(ModelMainTest, AFullContextIsAnError) {
  // The prompt is 8 tokens long at most; 20 more do not fit in 16.
  RunResult result = run({"-p", "Hi", "-n", "40", "--temp", "0", "-c", "16"});
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.err.find("tiny-model: error: context full after "),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("positions (raise it with -c)\n"),
            std::string::npos);
}

TEST_F(ModelMainTest, BadCommandLinesPrintOneError) {
  RunResult result = run({"-p", "x", "--frobnicate"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "tiny-model: error: unknown flag '--frobnicate' (see --help)\n");

  result = run({"-p", "x", "-n", "lots"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "tiny-model: error: -n expects an integer, got "
                        "'lots'\n");

  result = run({"-p", "x", "-c", "100"});
  EXPECT_EQ(result.code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "tiny-model: error: -c 100 exceeds the context length "
                        "of 64 the model was compiled for\n");
}

TEST_F(ModelMainTest, HelpAndVersion) {
  RunResult help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_EQ(help.out.rfind("usage: tiny-model ", 0), 0u);
  EXPECT_EQ(help.err, "");
  RunResult version = run({"--version"});
  EXPECT_EQ(version.code, 0) << version.err;
  EXPECT_NE(version.out.find(
                "for the generic backend (model ABI " +
                std::to_string(TERN_MODEL_ABI_VERSION) + ", kernel ABI " +
                std::to_string(TERN_KERNEL_ABI_VERSION) +
                "): vocabulary 1024, context 64, prefill chunk 4, f16 KV "
                "cache"),
            std::string::npos)
      << version.out;
}

TEST_F(ModelMainTest, BenchPrintsATable) {
  RunResult result = run({"--bench", "-p", "6", "-n", "3", "-r", "2", "-t",
                          "2"});
  ASSERT_EQ(result.code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.out.rfind("| model ", 0), 0u) << result.out;
  EXPECT_NE(result.out.find("| generic    |       2 |           pp6 |"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("|           tg3 |"), std::string::npos);
  EXPECT_NE(result.out.find(" ± "), std::string::npos);

  result = run({"--bench", "-p", "100", "-n", "0"});
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.err.find("context overflow: position 0 + 100 tokens"),
            std::string::npos)
      << result.err;
}

TEST(ProgramNameTest, IsTheLastPathComponent) {
  EXPECT_EQ(app::programName("/usr/bin/bitnet-2b"), "bitnet-2b");
  EXPECT_EQ(app::programName("./m"), "m");
  EXPECT_EQ(app::programName("m"), "m");
  EXPECT_EQ(app::programName(nullptr), "model");
}

} // namespace
