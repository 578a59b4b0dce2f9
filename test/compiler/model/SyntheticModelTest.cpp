//===- SyntheticModelTest.cpp - Presets and determinism of mkmodel --------===//

#include "compiler/model/SyntheticModel.h"

#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/Quants.h"
#include "runtime/support/Half.h"

#include <cmath>

#include <gtest/gtest.h>
#include <limits>
#include <string>
#include <vector>

using namespace ternc;
using namespace ternc::model;

namespace {

TEST(SyntheticModelTest, Preset2B4THasTheOfficialShapes) {
  const Architecture *arch = findArchitecture("bitnet-b1.58");
  ASSERT_NE(arch, nullptr);
  Expected<HyperParams> p = presetHyperParams("2b4t", 1024);
  ASSERT_TRUE(p.ok());
  // docs/formats.md §3.1.
  EXPECT_EQ(p->vocabSize, 128256u);
  EXPECT_EQ(p->contextLength, 4096u);
  EXPECT_EQ(p->embeddingLength, 2560u);
  EXPECT_EQ(p->blockCount, 30u);
  EXPECT_EQ(p->feedForwardLength, 6912u);
  EXPECT_EQ(p->headCount, 20u);
  EXPECT_EQ(p->headCountKv, 5u);
  EXPECT_EQ(p->headDim(), 128u);
  EXPECT_EQ(p->kvDim(), 640u);
  EXPECT_EQ(p->ropeFreqBase, 500000.0f);

  std::vector<TensorSpec> specs = tensorSpecs(*arch, *p);
  size_t ternary = 0, norms = 0;
  for (const TensorSpec &spec : specs) {
    ternary += spec.role == TensorRole::Ternary;
    norms += spec.role == TensorRole::Norm;
  }
  EXPECT_EQ(ternary, 210u);
  EXPECT_EQ(norms, 121u);
  EXPECT_EQ(specs.front().name, "token_embd.weight");
  EXPECT_EQ(specs.front().ne, (std::vector<uint64_t>{2560, 128256}));
}

TEST(SyntheticModelTest, Preset2B4TForEveryArchitecture) {
  // One preset for every architecture: their tensors have 2B4T's shapes.
  Expected<HyperParams> p = presetHyperParams("2b4t", 1);
  ASSERT_TRUE(p.ok());
  for (const char *name : {"bitnet-b1.58", "bitnet", "llama"}) {
    std::vector<TensorSpec> specs = tensorSpecs(*findArchitecture(name), *p);
    EXPECT_EQ(specs.front().ne, (std::vector<uint64_t>{2560, 128256})) << name;
  }
  EXPECT_FALSE(presetHyperParams("huge", 1).ok());
}

TEST(SyntheticModelTest, ArchitecturesDifferWhereFormatsSaySo) {
  const Architecture *b158 = findArchitecture("bitnet-25");
  ASSERT_NE(b158, nullptr);
  EXPECT_EQ(b158->name, "bitnet-b1.58");
  EXPECT_EQ(b158->ffnActivation, FfnActivation::Relu2);
  EXPECT_EQ(findArchitecture("bitnet")->ffnActivation, FfnActivation::Silu);
  EXPECT_TRUE(findArchitecture("bitnet")->matmulScales);
  EXPECT_FALSE(findArchitecture("llama")->subNorms);
  EXPECT_EQ(findArchitecture("llama")->rope, RopeKind::Norm);
  EXPECT_EQ(findArchitecture("gpt2"), nullptr);
}

/// The f32 values of tensor `name` of the model at `path`.
std::vector<float> tensorValues(const std::string &path,
                                const std::string &name) {
  Expected<gguf::GgufFile> file = gguf::GgufFile::open(path);
  if (!file.ok()) {
    ADD_FAILURE() << file.error().message();
    return {};
  }
  const gguf::TensorInfo *tensor = file->findTensor(name);
  if (!tensor) {
    ADD_FAILURE() << "no tensor " << name;
    return {};
  }
  Expected<std::vector<float>> values = gguf::dequantizeTensor(*file, *tensor);
  if (!values.ok()) {
    ADD_FAILURE() << values.error().message();
    return {};
  }
  return values.take();
}

TEST(SyntheticModelTest, OutputNormGainScalesOnlyTheOutputNorm) {
  SyntheticModelOptions options;
  options.seed = 3;
  const std::string plain = ::testing::TempDir() + "/gain-1.gguf";
  const std::string scaled = ::testing::TempDir() + "/gain-8.gguf";
  ASSERT_TRUE(writeSyntheticModel(options, plain).ok());
  options.outputNormGain = 8.0f;
  ASSERT_TRUE(writeSyntheticModel(options, scaled).ok());
  const std::vector<float> base = tensorValues(plain, "output_norm.weight");
  const std::vector<float> gained = tensorValues(scaled, "output_norm.weight");
  ASSERT_EQ(gained.size(), base.size());
  ASSERT_FALSE(base.empty());
  for (size_t i = 0; i < base.size(); ++i)
    EXPECT_EQ(gained[i], base[i] * 8.0f) << "element " << i;
  EXPECT_EQ(tensorValues(scaled, "blk.0.attn_norm.weight"),
            tensorValues(plain, "blk.0.attn_norm.weight"));
  EXPECT_EQ(tensorValues(scaled, "token_embd.weight"),
            tensorValues(plain, "token_embd.weight"));
}

TEST(SyntheticModelTest, BadOptionsAreRejected) {
  SyntheticModelOptions options;
  options.weightType = gguf::TensorType::Q4_K;
  Status status = writeSyntheticModel(options, "/tmp/never-written.gguf");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("--weight-type Q4_K"),
            std::string::npos);
  options = {};
  options.architecture = "gpt2";
  EXPECT_FALSE(writeSyntheticModel(options, "/tmp/never-written.gguf").ok());
  for (float gain : {0.0f, -2.0f, std::numeric_limits<float>::infinity()}) {
    options = {};
    options.outputNormGain = gain;
    status = writeSyntheticModel(options, "/tmp/never-written.gguf");
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message().find("--output-norm-gain"),
              std::string::npos);
  }
}

TEST(SyntheticModelTest, ValuesAreExactInEveryFormat) {
  Expected<SyntheticModel> model = makeSyntheticModel({});
  ASSERT_TRUE(model.ok()) << model.error().message();
  auto bf16Exact = [](float v) {
    return bfloat16ToFloat(floatToBfloat16(v)) == v;
  };
  auto f16Exact = [](float v) { return halfToFloat(floatToHalf(v)) == v; };
  for (const TensorSpec &spec : model->tensors()) {
    if (spec.role == TensorRole::Ternary)
      continue;
    ASSERT_TRUE(model
                    ->generateFloat(spec, 64,
                                    [&](const std::vector<float> &values,
                                        uint64_t) -> Status {
                                      for (float v : values)
                                        if (!bf16Exact(v) || !f16Exact(v))
                                          ADD_FAILURE() << spec.name << ": "
                                                        << v;
                                      return Status::success();
                                    })
                    .ok());
  }
}

TEST(SyntheticModelTest, TernaryScaleIsTheAbsmeanOfItsMasters) {
  Expected<SyntheticModel> model = makeSyntheticModel({});
  ASSERT_TRUE(model.ok()) << model.error().message();
  for (const TensorSpec &spec : model->tensors()) {
    if (spec.role != TensorRole::Ternary)
      continue;
    SyntheticTernary matrix = model->ternary(spec);
    ASSERT_EQ(matrix.trits.size(), spec.ne[0] * spec.ne[1]);
    const float c = matrix.masterMagnitude;
    EXPECT_EQ(bfloat16ToFloat(floatToBfloat16(c)), c) << spec.name;
    // About 1 / sqrt(row length), times 0.5 to 1.5.
    EXPECT_GE(c * std::sqrt(float(spec.ne[0])), 0.49f) << spec.name;
    EXPECT_LE(c * std::sqrt(float(spec.ne[0])), 1.51f) << spec.name;
    uint64_t nonZero = 0;
    for (int8_t trit : matrix.trits) {
      ASSERT_GE(trit, -1);
      ASSERT_LE(trit, 1);
      nonZero += trit != 0;
    }
    // 60% non-zero; mean |master| = c * nonZero / count, within a rounding.
    const double share = double(nonZero) / matrix.trits.size();
    EXPECT_NEAR(share, 0.6, 0.02) << spec.name;
    EXPECT_NEAR(matrix.scale, c * share, 1e-6 * c) << spec.name;
  }
}

} // namespace
