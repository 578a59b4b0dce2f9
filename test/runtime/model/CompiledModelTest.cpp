//===- CompiledModelTest.cpp - Compiled models and sessions ---------------===//
//
// Runs a hand-compiled tiny BitNet b1.58 model (TestModel) through
// CompiledModel/CompiledSession: the interpreter's forward() contract
// (chunking, padding, failures that change nothing), thread-count
// independence, independent sessions, loaded weights and the checks of a
// model definition against the runtime.
//
//===----------------------------------------------------------------------===//

#include "runtime/model/CompiledModel.h"

#include "backends/generic/GenericKernels.h"
#include "runtime/model/Executor.h"
#include "test/runtime/model/TestModel.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>

using namespace ternc;
using ternc::test::TestModel;
using ternc::test::TestModelOptions;

namespace {

std::unique_ptr<CompiledModel> makeModel(const TestModel &testModel,
                                         const ModelOptions &options = {}) {
  Expected<std::unique_ptr<CompiledModel>> model =
      CompiledModel::create(testModel.definition(), options);
  EXPECT_TRUE(model.ok()) << model.error().message();
  return model.ok() ? model.take() : nullptr;
}

std::unique_ptr<CompiledSession> makeSession(const CompiledModel &model,
                                             int threads = 1,
                                             int64_t context = 0) {
  SessionOptions options;
  options.threads = threads;
  options.contextLength = context;
  Expected<std::unique_ptr<CompiledSession>> session =
      model.newSession(options);
  EXPECT_TRUE(session.ok()) << session.error().message();
  return session.ok() ? session.take() : nullptr;
}

/// Runs `tokens` through a fresh session in calls of the given sizes.
std::vector<float> runInCalls(const CompiledModel &model,
                              const std::vector<int32_t> &tokens,
                              const std::vector<size_t> &calls,
                              int threads = 1) {
  std::unique_ptr<CompiledSession> session = makeSession(model, threads);
  std::vector<float> logits;
  size_t start = 0;
  for (size_t size : calls) {
    std::vector<int32_t> call(tokens.begin() + start,
                              tokens.begin() + start + size);
    Expected<std::vector<float>> output = session->forward(call);
    EXPECT_TRUE(output.ok()) << output.error().message();
    if (!output)
      return {};
    EXPECT_EQ(output->size(), size * static_cast<size_t>(model.vocabSize()));
    logits.insert(logits.end(), output->begin(), output->end());
    start += size;
  }
  EXPECT_EQ(start, tokens.size());
  EXPECT_EQ(session->position(), static_cast<int64_t>(tokens.size()));
  return logits;
}

bool sameBits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

const std::vector<int32_t> kTokens = {1, 17, 300, 5, 1023, 0, 42, 42, 9, 650, 77};

class CompiledModelTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(testModel_.ok());
    model_ = makeModel(testModel_);
    ASSERT_TRUE(model_);
  }

  TestModel testModel_;
  std::unique_ptr<CompiledModel> model_;
};

TEST_F(CompiledModelTest, DescribesTheModel) {
  EXPECT_EQ(model_->vocabSize(), 1024);
  EXPECT_EQ(model_->contextLength(), 64);
  EXPECT_EQ(model_->prefillChunk(), 4);
  EXPECT_STREQ(model_->backendName(), "generic");
  EXPECT_FALSE(model_->name().empty());
  Expected<const tokenizer::Tokenizer *> tokenizer = model_->tokenizer();
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().message();
  EXPECT_EQ((*tokenizer)->size(), 1024u);
  EXPECT_EQ(*model_->tokenizer(), *tokenizer) << "built once";
}

TEST_F(CompiledModelTest, LogitsAreFiniteAndDependOnTheTokens) {
  std::vector<float> logits = runInCalls(*model_, kTokens, {kTokens.size()});
  ASSERT_EQ(logits.size(), kTokens.size() * 1024);
  for (float value : logits)
    ASSERT_TRUE(std::isfinite(value));
  // Rows 6 and 7 are the same token at different positions.
  EXPECT_NE(std::memcmp(&logits[6 * 1024], &logits[7 * 1024], 1024 * 4), 0);
}

TEST_F(CompiledModelTest, ChunkingDoesNotChangeTheLogits) {
  std::vector<float> all = runInCalls(*model_, kTokens, {kTokens.size()});
  // One by one: decode only.
  std::vector<float> single =
      runInCalls(*model_, kTokens, std::vector<size_t>(kTokens.size(), 1));
  EXPECT_TRUE(sameBits(all, single));
  // Odd calls: padded prefill tails, a call of exactly one chunk, decode
  // after prefill.
  EXPECT_TRUE(sameBits(all, runInCalls(*model_, kTokens, {3, 1, 5, 2})));
  EXPECT_TRUE(sameBits(all, runInCalls(*model_, kTokens, {4, 7})));
  EXPECT_TRUE(sameBits(all, runInCalls(*model_, kTokens, {2, 9})));
}

TEST_F(CompiledModelTest, ThreadCountDoesNotChangeTheLogits) {
  std::vector<float> one = runInCalls(*model_, kTokens, {7, 1, 3}, 1);
  EXPECT_TRUE(sameBits(one, runInCalls(*model_, kTokens, {7, 1, 3}, 2)));
  EXPECT_TRUE(sameBits(one, runInCalls(*model_, kTokens, {7, 1, 3}, 3)));
}

TEST_F(CompiledModelTest, ContextOverflowFailsAndChangesNothing) {
  std::unique_ptr<CompiledSession> session = makeSession(*model_, 1, 8);
  ASSERT_EQ(session->contextLength(), 8);
  ASSERT_TRUE(session->forward({kTokens.begin(), kTokens.begin() + 5}).ok());
  Expected<std::vector<float>> overflow = session->forward({1, 2, 3, 4});
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.error().message(),
            "context overflow: position 5 + 4 tokens exceeds the context "
            "length of 8");
  EXPECT_EQ(session->position(), 5);
  // The session goes on as if the failed call never happened.
  Expected<std::vector<float>> rest =
      session->forward({kTokens.begin() + 5, kTokens.begin() + 8});
  ASSERT_TRUE(rest.ok()) << rest.error().message();
  EXPECT_EQ(session->position(), 8);
  std::vector<float> expected =
      runInCalls(*model_, {kTokens.begin(), kTokens.begin() + 8}, {8});
  EXPECT_TRUE(sameBits(*rest, std::vector<float>(expected.begin() + 5 * 1024,
                                                 expected.end())));
  Expected<std::vector<float>> full = session->forward({1});
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().message(),
            "context overflow: position 8 + 1 tokens exceeds the context "
            "length of 8");
}

TEST_F(CompiledModelTest, BadTokenIdsFailAndChangeNothing) {
  std::unique_ptr<CompiledSession> session = makeSession(*model_);
  ASSERT_TRUE(session->forward({kTokens[0], kTokens[1]}).ok());
  for (int32_t bad : {1024, -1}) {
    Expected<std::vector<float>> result = session->forward({5, bad, 6});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message(),
              fmt::format("token id {} is outside the vocabulary (0 to 1023)",
                          bad));
    EXPECT_EQ(session->position(), 2);
  }
  Expected<std::vector<float>> rest =
      session->forward({kTokens.begin() + 2, kTokens.end()});
  ASSERT_TRUE(rest.ok());
  std::vector<float> expected = runInCalls(*model_, kTokens, {kTokens.size()});
  EXPECT_TRUE(sameBits(*rest, std::vector<float>(expected.begin() + 2 * 1024,
                                                 expected.end())));
}

TEST_F(CompiledModelTest, EmptyCallDoesNothing) {
  std::unique_ptr<CompiledSession> session = makeSession(*model_);
  Expected<std::vector<float>> result = session->forward({});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->empty());
  EXPECT_EQ(session->position(), 0);
}

TEST_F(CompiledModelTest, SessionsAreIndependent) {
  std::vector<int32_t> other = {900, 2, 2, 31, 400, 8, 1};
  std::vector<float> expectedA = runInCalls(*model_, kTokens, {kTokens.size()});
  std::vector<float> expectedB = runInCalls(*model_, other, {other.size()});

  std::unique_ptr<CompiledSession> a = makeSession(*model_, 2);
  std::unique_ptr<CompiledSession> b = makeSession(*model_, 1);
  std::vector<float> gotA, gotB;
  auto append = [](std::vector<float> &to, CompiledSession &session,
                   std::vector<int32_t> tokens) {
    Expected<std::vector<float>> logits = session.forward(tokens);
    ASSERT_TRUE(logits.ok()) << logits.error().message();
    to.insert(to.end(), logits->begin(), logits->end());
  };
  append(gotA, *a, {kTokens.begin(), kTokens.begin() + 6});
  append(gotB, *b, {other.begin(), other.begin() + 3});
  append(gotA, *a, {kTokens.begin() + 6, kTokens.begin() + 7});
  append(gotB, *b, {other.begin() + 3, other.end()});
  append(gotA, *a, {kTokens.begin() + 7, kTokens.end()});
  EXPECT_TRUE(sameBits(gotA, expectedA));
  EXPECT_TRUE(sameBits(gotB, expectedB));
  EXPECT_EQ(a->position(), static_cast<int64_t>(kTokens.size()));
  EXPECT_EQ(b->position(), static_cast<int64_t>(other.size()));
}

TEST_F(CompiledModelTest, ResetStartsOver) {
  std::unique_ptr<CompiledSession> session = makeSession(*model_);
  Expected<std::vector<float>> first = session->forward(kTokens);
  ASSERT_TRUE(first.ok());
  session->reset();
  EXPECT_EQ(session->position(), 0);
  Expected<std::vector<float>> again = session->forward(kTokens);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(sameBits(*first, *again));
}

TEST_F(CompiledModelTest, ResidentAndMappedWeightsGiveTheSameLogits) {
  // The default: a page-aligned resident copy of the embedded bytes.
  const ByteSpan embedded = testModel_.definition().gguf;
  EXPECT_TRUE(model_->weightsResident());
  EXPECT_NE(model_->weights(), embedded.data);
  EXPECT_EQ(std::memcmp(model_->weights(), embedded.data, embedded.size), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(model_->weights()) % 4096, 0u);
  // A copy of test data (not a file mapping) leaves the source intact.
  EXPECT_EQ(testModel_.definition().gguf.data[0], 'G');

  for (bool lock : {false, true}) {
    ModelOptions options;
    options.weights.placement = WeightsPlacement::Mapped;
    options.weights.lock = lock;
    std::unique_ptr<CompiledModel> mapped = makeModel(testModel_, options);
    ASSERT_TRUE(mapped);
    EXPECT_FALSE(mapped->weightsResident());
    EXPECT_EQ(mapped->weights(), embedded.data);
    EXPECT_TRUE(sameBits(runInCalls(*model_, kTokens, {5, 6}),
                         runInCalls(*mapped, kTokens, {5, 6})));
  }
}

TEST(ModelWeightsTest, ParallelCopyCopiesEveryByte) {
  // Sizes around the 2 MiB share boundaries, odd offsets, more threads than
  // huge pages.
  for (size_t size : {size_t(1), size_t(4097), (size_t(2) << 20) - 3,
                      (size_t(5) << 20) + 77}) {
    std::vector<uint8_t> source(size + 1);
    for (size_t i = 0; i < source.size(); ++i)
      source[i] = static_cast<uint8_t>(i * 131 + (i >> 11));
    for (int threads : {1, 2, 3, 8}) {
      std::vector<uint8_t> destination(size + 2, 0xEE);
      parallelCopy(destination.data() + 1, source.data() + 1, size, threads);
      EXPECT_EQ(destination[0], 0xEE) << size << " " << threads;
      EXPECT_EQ(destination[size + 1], 0xEE) << size << " " << threads;
      EXPECT_EQ(std::memcmp(destination.data() + 1, source.data() + 1, size),
                0)
          << size << " " << threads;
    }
  }
}

TEST_F(CompiledModelTest, SessionOptionsAreChecked) {
  SessionOptions options;
  options.contextLength = 65;
  Expected<std::unique_ptr<CompiledSession>> session =
      model_->newSession(options);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().message(),
            "a context of 65 positions exceeds the 64 the model was compiled "
            "for");
  options.contextLength = -1;
  session = model_->newSession(options);
  ASSERT_FALSE(session.ok());
  options.contextLength = 0;
  options.threads = 0;
  session = model_->newSession(options);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().message(),
            "the thread count must be at least 1, not 0");
  options.threads = 2;
  session = model_->newSession(options);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ((*session)->contextLength(), 64);
  EXPECT_EQ((*session)->threads(), 2);
}

TEST(CompiledModelF32CacheTest, ChunkingDoesNotChangeTheLogits) {
  TestModelOptions options;
  options.f16Cache = false;
  options.prefillChunk = 3;
  TestModel testModel(options);
  ASSERT_TRUE(testModel.ok());
  std::unique_ptr<CompiledModel> model = makeModel(testModel);
  ASSERT_TRUE(model);
  std::vector<float> all = runInCalls(*model, kTokens, {kTokens.size()});
  EXPECT_TRUE(sameBits(all, runInCalls(*model, kTokens, {1, 5, 2, 3}, 2)));
  // The f16 cache rounds; the f32 one does not.
  TestModel f16Model;
  std::unique_ptr<CompiledModel> f16 = makeModel(f16Model);
  EXPECT_FALSE(sameBits(all, runInCalls(*f16, kTokens, {kTokens.size()})));
}

//===----------------------------------------------------------------------===//
// Checks of the definition
//===----------------------------------------------------------------------===//

std::string createError(const ModelDefinition &definition) {
  Expected<std::unique_ptr<CompiledModel>> model =
      CompiledModel::create(definition);
  EXPECT_FALSE(model.ok());
  return model.ok() ? "" : model.error().message();
}

TEST(CompiledModelCheckTest, ModelAbiMismatch) {
  TestModel testModel;
  testModel.info().abi_version = 99;
  EXPECT_EQ(createError(testModel.definition()),
            "the model was compiled for model ABI version 99, but this "
            "runtime implements version " +
                std::to_string(TERN_MODEL_ABI_VERSION) +
                ": compile it again with a matching ternc");
}

TEST(CompiledModelCheckTest, KernelAbiMismatch) {
  TestModel testModel;
  testModel.info().kernel_abi_version = 1;
  EXPECT_EQ(createError(testModel.definition()),
            "the model was compiled for kernel ABI version 1, but this "
            "runtime implements version " +
                std::to_string(TERN_KERNEL_ABI_VERSION) +
                ": compile it again with a matching "
                "ternc");
}

TEST(CompiledModelCheckTest, BackendThisCpuCannotRun) {
  TestModel testModel;
  ModelDefinition definition = testModel.definition();
  definition.kernels = []() -> const TernKernels * { return nullptr; };
  EXPECT_EQ(createError(definition),
            "this CPU cannot run the model: it was compiled for its backend, "
            "which needs an instruction set extension this CPU lacks");
}

TEST(CompiledModelCheckTest, KernelTableOfAnotherAbi) {
  TestModel testModel;
  ModelDefinition definition = testModel.definition();
  definition.kernels = []() -> const TernKernels * {
    static TernKernels old = [] {
      TernKernels table = *ternGenericKernels();
      table.abi_version = 1;
      return table;
    }();
    return &old;
  };
  EXPECT_EQ(createError(definition),
            "the generic backend's kernel table has ABI version 1, but the "
            "model needs version " +
                std::to_string(TERN_KERNEL_ABI_VERSION));
}

TEST(CompiledModelCheckTest, InvalidDescriptionAndMissingPieces) {
  TestModel testModel;
  testModel.info().head_dim = 0;
  EXPECT_EQ(createError(testModel.definition()),
            "the model's description is invalid: tern_model_info.head_dim is "
            "0 (it must be at least 1)");
  testModel.info().head_dim = 128;
  ModelDefinition definition = testModel.definition();
  definition.prefill = nullptr;
  EXPECT_EQ(createError(definition),
            "the model definition lacks its tern_model_prefill function");
  definition = testModel.definition();
  definition.info = nullptr;
  EXPECT_EQ(createError(definition),
            "the model definition has no description (tern_model_info)");
  definition = testModel.definition();
  definition.gguf.size = 16; // A truncated packed file.
  EXPECT_NE(createError(definition).find("the embedded model file"),
            std::string::npos);
}

} // namespace
