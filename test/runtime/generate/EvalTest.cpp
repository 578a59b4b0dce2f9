//===- EvalTest.cpp - Logits of a token sequence --------------------------===//

#include "runtime/generate/Eval.h"

#include "runtime/support/MappedFile.h"
#include "test/runtime/generate/FakeSession.h"
#include "test/runtime/model/TestModel.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace ternc;
using ternc::test::FakeSession;

namespace {

int32_t nextToken(int64_t position, int32_t token) {
  return static_cast<int32_t>((token * 7 + position) % 50);
}

TEST(EvalTest, StepMustNotBeNegative) {
  EXPECT_TRUE(generate::checkStep(0).ok());
  EXPECT_TRUE(generate::checkStep(3).ok());
  Status status = generate::checkStep(-2);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "--step -2 must be positive");
  FakeSession session(50, 16, nextToken);
  Expected<std::vector<float>> logits = generate::evaluate(session, {1}, -1);
  ASSERT_FALSE(logits.ok());
  EXPECT_EQ(logits.error().message(), "--step -1 must be positive");
  EXPECT_TRUE(session.calls.empty());
}

TEST(EvalTest, StepsSplitTheSequenceAndConcatenateTheLogits) {
  std::vector<int32_t> tokens = {3, 9, 27, 1, 0};
  FakeSession all(50, 16, nextToken);
  Expected<std::vector<float>> expected = generate::evaluate(all, tokens, 0);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(all.calls, std::vector<size_t>{5});
  ASSERT_EQ(expected->size(), 5u * 50);

  FakeSession stepped(50, 16, nextToken);
  Expected<std::vector<float>> logits = generate::evaluate(stepped, tokens, 2);
  ASSERT_TRUE(logits.ok());
  EXPECT_EQ(stepped.calls, (std::vector<size_t>{2, 2, 1}));
  EXPECT_EQ(*logits, *expected);

  FakeSession large(50, 16, nextToken);
  ASSERT_TRUE(generate::evaluate(large, tokens, 100).ok());
  EXPECT_EQ(large.calls, std::vector<size_t>{5});
}

TEST(EvalTest, ErrorsComeFromTheSession) {
  FakeSession session(50, 4, nextToken);
  Expected<std::vector<float>> logits =
      generate::evaluate(session, {1, 2, 3, 4, 5}, 2);
  ASSERT_FALSE(logits.ok());
  EXPECT_EQ(logits.error().message(),
            "context overflow: position 4 + 1 tokens exceeds the context "
            "length of 4");
}

TEST(EvalTest, CompiledModelLogitsDoNotDependOnTheStep) {
  test::TestModel testModel;
  ASSERT_TRUE(testModel.ok());
  Expected<std::unique_ptr<CompiledModel>> model =
      CompiledModel::create(testModel.definition());
  ASSERT_TRUE(model.ok()) << model.error().message();
  std::vector<int32_t> tokens = {5, 800, 2, 2, 64, 1000, 3};
  std::vector<float> reference;
  for (int64_t step : {0, 1, 2, 3, 5}) {
    Expected<std::unique_ptr<CompiledSession>> session =
        (*model)->newSession();
    ASSERT_TRUE(session.ok());
    Expected<std::vector<float>> logits =
        generate::evaluate(**session, tokens, step);
    ASSERT_TRUE(logits.ok()) << logits.error().message();
    if (reference.empty())
      reference = *logits;
    ASSERT_EQ(logits->size(), reference.size());
    EXPECT_EQ(std::memcmp(logits->data(), reference.data(),
                          reference.size() * sizeof(float)),
              0)
        << "step " << step;
  }
}

TEST(EvalTest, WritesRawFloats) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("ternc-eval-test-" + std::to_string(::getpid()) +
                       ".bin"))
                         .string();
  std::vector<float> logits = {1.5f, -2.0f, 0.0f, 3.25f};
  ASSERT_TRUE(generate::writeLogits(path, logits).ok());
  Expected<std::unique_ptr<MappedFile>> file = MappedFile::open(path);
  ASSERT_TRUE(file.ok());
  ByteSpan bytes = (*file)->bytes();
  ASSERT_EQ(bytes.size, logits.size() * sizeof(float));
  EXPECT_EQ(std::memcmp(bytes.data, logits.data(), bytes.size), 0);
  std::remove(path.c_str());

  Status status = generate::writeLogits("/nonexistent-dir/l.bin", logits);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(generate::logitsWrittenMessage(2, 1024, "l.bin"),
            "wrote 2 x 1024 f32 logits to l.bin\n");
}

TEST(EvalTest, ComparesLogitsWithABaseRun) {
  // Token 0: base (0, 0) is p = (1/2, 1/2), the run (ln 3, 0) is q = (3/4,
  // 1/4): KL = 1/2 ln(2/3) + 1/2 ln 2 = 1/2 ln(4/3); both tops are entry 0
  // (the first of equal logits). Token 1: equal rows, KL 0. Token 2: the
  // tops differ and q is p swapped.
  const float ln3 = static_cast<float>(std::log(3.0));
  const std::vector<float> base = {0, 0, 1, 2, 1, 0};
  const std::vector<float> run = {ln3, 0, 1, 2, 0, 1};
  generate::LogitsComparison comparison = generate::compareLogits(base, run, 2);
  EXPECT_EQ(comparison.tokens, 3);
  EXPECT_EQ(comparison.sameTop, 2);
  const double first = 0.5 * std::log(4.0 / 3.0);
  // p = (e/(1+e), 1/(1+e)) against the swapped q.
  const double p0 = std::exp(1.0) / (1 + std::exp(1.0)), p1 = 1 - p0;
  const double third = p0 * std::log(p0 / p1) + p1 * std::log(p1 / p0);
  EXPECT_NEAR(comparison.meanKl, (first + third) / 3, 1e-7);
  EXPECT_NEAR(comparison.medianKl, first, 1e-7);
  EXPECT_NEAR(comparison.maxKl, third, 1e-7);
  // Entropies: ln 2; -(p0 ln p0 + p1 ln p1) twice.
  const double peaked = -(p0 * std::log(p0) + p1 * std::log(p1));
  EXPECT_NEAR(comparison.meanBaseEntropy, (std::log(2.0) + 2 * peaked) / 3,
              1e-7);
}

} // namespace
