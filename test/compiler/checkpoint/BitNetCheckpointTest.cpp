//===- BitNetCheckpointTest.cpp - Decoding a checkpoint's ternary weights -===//
//
// Hand-computed cases of docs/formats.md §8: packed trits blocked along the
// output dimension, and the absmean rule on master weights.
//
//===----------------------------------------------------------------------===//

#include "compiler/checkpoint/BitNetCheckpoint.h"

#include "test/compiler/checkpoint/SafetensorsBytes.h"

#include <gtest/gtest.h>

using namespace ternc;
using namespace ternc::checkpoint;

namespace {

/// Parses `bytes` (kept alive by the caller), failing the test on error.
SafetensorsFile parsed(const std::vector<uint8_t> &bytes) {
  Expected<SafetensorsFile> file =
      SafetensorsFile::parse({bytes.data(), bytes.size()}, "m.safetensors");
  EXPECT_TRUE(file.ok()) << file.error().message();
  return file.take();
}

/// A packed U8 [1, 2] weight (4 x 2 trits) with an F32 scale of 0.5.
std::vector<uint8_t> packedFile(uint8_t first, uint8_t second) {
  const float half = 0.5f;
  std::vector<uint8_t> data = {first, second};
  data.resize(6);
  std::memcpy(data.data() + 2, &half, 4);
  return test::safetensorsBytes(
      R"({"w":{"dtype":"U8","shape":[1,2],"data_offsets":[0,2]},)"
      R"("w_scale":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})",
      data);
}

TEST(BitNetCheckpointTest, UnpacksTritsAlongTheOutputDimension) {
  // Byte 0b10'01'00'10: row i takes bits 2i+1:2i, minus 1 -> rows 0..3 of
  // column 0 are +1, -1, 0, +1. Byte 0b00'00'01'01: 0, 0, -1, -1.
  const std::vector<uint8_t> bytes = packedFile(0b10010010, 0b00000101);
  SafetensorsFile file = parsed(bytes);
  const SafetensorsTensor &w = *file.findTensor("w");
  const SafetensorsTensor &scale = *file.findTensor("w_scale");
  Expected<TernaryMatrix> multiplied =
      unpackTernary(file, w, file, scale, /*scaleMultiplies=*/true);
  ASSERT_TRUE(multiplied.ok()) << multiplied.error().message();
  EXPECT_EQ(multiplied->rows, 4);
  EXPECT_EQ(multiplied->columns, 2);
  EXPECT_EQ(multiplied->trits,
            (std::vector<int8_t>{1, 0, -1, 0, 0, -1, 1, -1}));
  EXPECT_EQ(multiplied->scale, 0.5f);
  Expected<TernaryMatrix> divided =
      unpackTernary(file, w, file, scale, /*scaleMultiplies=*/false);
  ASSERT_TRUE(divided.ok());
  EXPECT_EQ(divided->scale, 2.0f);
}

TEST(BitNetCheckpointTest, RefusesCodeThreeAndBadScales) {
  const std::vector<uint8_t> bytes = packedFile(0b00110000, 0);
  SafetensorsFile file = parsed(bytes);
  Expected<TernaryMatrix> matrix = unpackTernary(
      file, *file.findTensor("w"), file, *file.findTensor("w_scale"), true);
  ASSERT_FALSE(matrix.ok());
  EXPECT_EQ(matrix.error().message(),
            "m.safetensors: tensor 'w': byte [0, 0] holds code 3, which is no "
            "trit (0, 1, 2 mean -1, 0, +1)");

  std::vector<uint8_t> negative = packedFile(0, 0);
  const float minusOne = -1.0f;
  std::memcpy(negative.data() + negative.size() - 4, &minusOne, 4);
  SafetensorsFile bad = parsed(negative);
  matrix = unpackTernary(bad, *bad.findTensor("w"), bad,
                         *bad.findTensor("w_scale"), true);
  ASSERT_FALSE(matrix.ok());
  EXPECT_EQ(matrix.error().message(),
            "m.safetensors: tensor 'w_scale' holds -1, expected a positive "
            "scale");
}

TEST(BitNetCheckpointTest, TernarizesMastersByAbsmean) {
  // W = (0.75, -0.25, 0.0, 1.0): mean|W| = 0.5, s = 2, W * s = (1.5, -0.5,
  // 0, 2) -> round half to even (2, -0, 0, 2) -> clamp (1, 0, 0, 1); the
  // scale is 1 / s = 0.5.
  const float values[] = {0.75f, -0.25f, 0.0f, 1.0f};
  std::vector<uint8_t> data(sizeof(values));
  std::memcpy(data.data(), values, sizeof(values));
  const std::vector<uint8_t> bytes = test::safetensorsBytes(
      R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})", data);
  SafetensorsFile file = parsed(bytes);
  Expected<TernaryMatrix> matrix =
      ternarizeMasters(file, *file.findTensor("w"));
  ASSERT_TRUE(matrix.ok()) << matrix.error().message();
  EXPECT_EQ(matrix->trits, (std::vector<int8_t>{1, 0, 0, 1}));
  EXPECT_EQ(matrix->scale, 0.5f);

  // BF16 0x7fc0 is a NaN.
  const std::vector<uint8_t> nan = test::safetensorsBytes(
      R"({"w":{"dtype":"BF16","shape":[1,2],"data_offsets":[0,4]}})",
      {0x80, 0x3f, 0xc0, 0x7f});
  SafetensorsFile bad = parsed(nan);
  matrix = ternarizeMasters(bad, *bad.findTensor("w"));
  ASSERT_FALSE(matrix.ok());
  EXPECT_EQ(matrix.error().message(),
            "m.safetensors: tensor 'w': element 1 is nan, expected a finite "
            "weight");
}

} // namespace
