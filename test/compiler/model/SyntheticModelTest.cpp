//===- SyntheticModelTest.cpp - Presets and determinism of mkmodel --------===//

#include "compiler/model/SyntheticModel.h"

#include <gtest/gtest.h>

using namespace ternc;
using namespace ternc::model;

namespace {

TEST(SyntheticModelTest, Preset2B4THasTheOfficialShapes) {
  const Architecture *arch = findArchitecture("bitnet-b1.58");
  ASSERT_NE(arch, nullptr);
  Expected<HyperParams> p = presetHyperParams("2b4t", 1024);
  ASSERT_TRUE(p.ok());
  // FORMATS.md §3.1.
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
}

} // namespace
