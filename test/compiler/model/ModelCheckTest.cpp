//===- ModelCheckTest.cpp - Content checks of ternc check -----------------===//
//
// Starts from a generated tiny model, changes one tensor's bytes, and checks
// the diagnostic the checker gives for it.
//
//===----------------------------------------------------------------------===//

#include "compiler/model/ModelCheck.h"
#include "compiler/model/SyntheticModel.h"

#include "runtime/gguf/GgufWriter.h"
#include "runtime/gguf/Quants.h"
#include "test/utils/GgufRewrite.h"
#include "test/utils/SyntheticModelFile.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <gtest/gtest.h>

using namespace ternc;
using namespace ternc::gguf;
using namespace ternc::model;
using ternc::test::TensorEdit;

namespace {

class ModelCheckTest : public ::testing::Test {
protected:
  /// Generates a tiny model with `options`, applies `edit` and `keyEdit`,
  /// and checks the result.
  CheckReport check(SyntheticModelOptions options, const TensorEdit &edit,
                    const ternc::test::WriterEdit &keyEdit = {}) {
    ternc::test::SyntheticModelFile model(options);
    if (!model.file())
      return {};
    image_ = ternc::test::rewriteGguf(*model.file(), edit, keyEdit);
    Expected<GgufFile> file =
        GgufFile::parse({image_.data(), image_.size()}, "edited.gguf");
    EXPECT_TRUE(file.ok()) << (file.ok() ? "" : file.error().message());
    return checkModel(*file);
  }

  std::vector<uint8_t> image_;
};

/// The messages of `severity` in `report`, joined by newlines.
std::string messages(const CheckReport &report, Severity severity) {
  std::string out;
  for (const Diagnostic &d : report.diagnostics)
    if (d.severity == severity)
      out += d.message + "\n";
  return out;
}

const TensorEdit kNoEdit = [](std::string_view, TensorType &,
                              std::vector<uint64_t> &, std::vector<uint8_t> &) {};

TEST_F(ModelCheckTest, GeneratedModelsPass) {
  for (TensorType type : {TensorType::I2_S, TensorType::TQ1_0,
                          TensorType::TQ2_0, TensorType::BF16}) {
    SyntheticModelOptions options;
    options.weightType = type;
    CheckReport report = check(options, kNoEdit);
    EXPECT_EQ(report.count(Severity::Error), 0u)
        << messages(report, Severity::Error);
    EXPECT_EQ(report.count(Severity::Warning), 0u)
        << messages(report, Severity::Warning);
    EXPECT_EQ(report.architecture, "bitnet-b1.58");
    ASSERT_TRUE(report.params);
    EXPECT_EQ(report.params->kvDim(), 256u);
    // 2 layers x 4 norms + output_norm, all finite and reported.
    EXPECT_EQ(report.norms.size(), 9u);
  }
}

TEST_F(ModelCheckTest, AttnNormStatisticsAreReportedNotRescaled) {
  CheckReport report = check({}, kNoEdit);
  ASSERT_FALSE(report.norms.empty());
  const NormStats &attnNorm = report.norms[0];
  EXPECT_EQ(attnNorm.tensor, "blk.0.attn_norm.weight");
  // mkmodel draws attn_norm around 1/sqrt(512) as in 2B4T; the checker must
  // report it as is.
  EXPECT_NEAR(attnNorm.rms, 1 / std::sqrt(512.0), 0.01);
  EXPECT_LT(attnNorm.min, attnNorm.mean);
  EXPECT_GT(attnNorm.max, attnNorm.mean);
}

TEST_F(ModelCheckTest, I2SCodeThreeIsAnError) {
  CheckReport report = check({}, [](std::string_view name, TensorType &,
                                    std::vector<uint64_t> &,
                                    std::vector<uint8_t> &bytes) {
    if (name == "blk.1.ffn_gate.weight")
      bytes[5] = 0xff; // Four codes of 3.
  });
  EXPECT_NE(messages(report, Severity::Error)
                .find("tensor 'blk.1.ffn_gate.weight' (I2_S) holds 4 invalid "
                      "2-bit code(s) 3"),
            std::string::npos)
      << messages(report, Severity::Error);
}

TEST_F(ModelCheckTest, NonFiniteScaleIsAnError) {
  CheckReport report = check({}, [](std::string_view name, TensorType &,
                                    std::vector<uint64_t> &ne,
                                    std::vector<uint8_t> &bytes) {
    if (name == "blk.0.attn_k.weight") {
      float nan = NAN;
      std::memcpy(&bytes[ne[0] * ne[1] / 4], &nan, 4);
    }
  });
  EXPECT_NE(messages(report, Severity::Error)
                .find("'blk.0.attn_k.weight' (I2_S) holds 1 non-finite"),
            std::string::npos);
}

TEST_F(ModelCheckTest, FloatTensorWithTwoMagnitudesIsNotTernary) {
  CheckReport report = check({}, [](std::string_view name, TensorType &type,
                                    std::vector<uint64_t> &ne,
                                    std::vector<uint8_t> &bytes) {
    if (name != "blk.0.attn_q.weight")
      return;
    std::vector<float> values(ne[0] * ne[1], 0.5f);
    values[7] = -0.25f;
    type = TensorType::F32;
    bytes.resize(values.size() * 4);
    std::memcpy(bytes.data(), values.data(), bytes.size());
  });
  EXPECT_NE(messages(report, Severity::Error)
                .find("tensor 'blk.0.attn_q.weight' (F32) is not ternary: it "
                      "holds several non-zero magnitudes (e.g. 0.25 and 0.5)"),
            std::string::npos)
      << messages(report, Severity::Error);
}

TEST_F(ModelCheckTest, DifferentTQ2BlockScalesWarn) {
  SyntheticModelOptions options;
  options.weightType = TensorType::TQ2_0;
  CheckReport report = check(options, [](std::string_view name, TensorType &,
                                         std::vector<uint64_t> &,
                                         std::vector<uint8_t> &bytes) {
    if (name == "blk.0.ffn_up.weight") {
      uint16_t two = 0x4000; // f16 2.0 as the second block's scale.
      std::memcpy(&bytes[66 + 64], &two, 2);
    }
  });
  EXPECT_EQ(report.count(Severity::Error), 0u);
  EXPECT_NE(messages(report, Severity::Warning)
                .find("tensor 'blk.0.ffn_up.weight' (TQ2_0) has different "
                      "block scales"),
            std::string::npos);
}

TEST_F(ModelCheckTest, TQ2CodeThreeIsAnError) {
  SyntheticModelOptions options;
  options.weightType = TensorType::TQ2_0;
  CheckReport report = check(options, [](std::string_view name, TensorType &,
                                         std::vector<uint64_t> &,
                                         std::vector<uint8_t> &bytes) {
    if (name == "blk.0.attn_v.weight")
      bytes[0] = 0x03; // One code of 3, then three codes of 0.
  });
  EXPECT_NE(messages(report, Severity::Error)
                .find("'blk.0.attn_v.weight' (TQ2_0) holds 1 invalid"),
            std::string::npos);
}

TEST_F(ModelCheckTest, NonFiniteNormIsAnError) {
  CheckReport report = check({}, [](std::string_view name, TensorType &,
                                    std::vector<uint64_t> &,
                                    std::vector<uint8_t> &bytes) {
    if (name == "output_norm.weight") {
      float inf = INFINITY;
      std::memcpy(&bytes[4 * 10], &inf, 4);
    }
  });
  EXPECT_NE(messages(report, Severity::Error)
                .find("norm tensor 'output_norm.weight' holds a non-finite"),
            std::string::npos);
}

TEST_F(ModelCheckTest, TL2IsRejectedWithAdvice) {
  CheckReport report = check({}, [](std::string_view name, TensorType &type,
                                    std::vector<uint64_t> &ne,
                                    std::vector<uint8_t> &bytes) {
    if (name != "blk.0.attn_q.weight")
      return;
    type = TensorType::TL2;
    bytes.assign(*tensorByteSize(TensorType::TL2, ne.data(), 2), 0);
  });
  EXPECT_NE(messages(report, Severity::Error)
                .find("tensor 'blk.0.attn_q.weight' is TL2: not supported"),
            std::string::npos);
  EXPECT_NE(messages(report, Severity::Error)
                .find("re-quantize to I2_S or TQ2_0"),
            std::string::npos);
}

TEST_F(ModelCheckTest, Bitnet25IsAnAlias) {
  CheckReport report = check({}, kNoEdit, [](GgufWriter &writer) {
    writer.set("general.architecture", MetadataValue::ofString("bitnet-25"));
  });
  // The keys keep their bitnet-b1.58 prefix, so they are missing now.
  EXPECT_NE(messages(report, Severity::Error)
                .find("metadata key 'bitnet-25.context_length' is missing"),
            std::string::npos)
      << messages(report, Severity::Error);
  EXPECT_EQ(report.architecture, "bitnet-b1.58");
}

TEST_F(ModelCheckTest, InconsistentHeadCountsAreErrors) {
  CheckReport report = check({}, kNoEdit, [](GgufWriter &writer) {
    writer.set("bitnet-b1.58.attention.head_count_kv", MetadataValue::ofU32(3));
  });
  EXPECT_NE(messages(report, Severity::Error)
                .find("attention.head_count 4 is not a multiple of "
                      "attention.head_count_kv 3"),
            std::string::npos);
}

TEST_F(ModelCheckTest, TokenCountMustMatchTheVocabulary) {
  CheckReport report = check({}, kNoEdit, [](GgufWriter &writer) {
    writer.set("bitnet-b1.58.vocab_size", MetadataValue::ofU32(2048));
  });
  EXPECT_NE(messages(report, Severity::Error)
                .find("tokenizer.ggml.tokens has 1024 entries but the "
                      "vocabulary size is 2048"),
            std::string::npos);
}

TEST_F(ModelCheckTest, TokenizerKeysAreCheckedByTheRuntimeTokenizer) {
  CheckReport report = check({}, kNoEdit, [](GgufWriter &writer) {
    writer.set("tokenizer.ggml.tokens", MetadataValue::ofStrings({"a", "b"}));
  });
  // The runtime tokenizer rejects 2 tokens with 1024 scores; check says so.
  EXPECT_NE(messages(report, Severity::Error).find("tokenizer.ggml.scores"),
            std::string::npos)
      << messages(report, Severity::Error);
}

} // namespace
