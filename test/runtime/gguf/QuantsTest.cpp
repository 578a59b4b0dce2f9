//===- QuantsTest.cpp - Byte-exact tests of the ternary encodings ---------===//
//
// Expected bytes are computed by hand from the layouts in docs/formats.md §2,
// not by the code under test.
//
//===----------------------------------------------------------------------===//

#include "runtime/gguf/Quants.h"

#include "runtime/support/Half.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <random>

using namespace ternc;
using namespace ternc::gguf;

namespace {

std::vector<uint8_t> quantizeOrDie(TensorType type,
                                   const std::vector<float> &values) {
  std::vector<uint8_t> bytes;
  Status status = quantize(type, values.data(), values.size(), bytes);
  EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message());
  return bytes;
}

std::vector<float> dequantizeOrDie(TensorType type,
                                   const std::vector<uint8_t> &bytes,
                                   uint64_t count) {
  std::vector<float> values(count);
  Status status = dequantize(type, {bytes.data(), bytes.size()}, count,
                             values.data());
  EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message());
  return values;
}

/// Random ternary values times `scale`, with every block non-empty.
std::vector<float> randomTernary(size_t count, float scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<float> values(count);
  for (float &v : values)
    v = static_cast<float>(static_cast<int>(rng() % 3) - 1) * scale;
  for (size_t i = 0; i < count; i += 32)
    values[i] = scale;
  return values;
}

TEST(I2STest, HandEncodedBlock) {
  const float a = 0.75f;
  std::vector<float> x(128, 0.0f);
  x[0] = a;    // byte 0, bits 7:6 = code 2
  x[32] = -a;  // byte 0, bits 5:4 = code 0
  x[96] = a;   // byte 0, bits 1:0 = code 2; x[64] = 0 -> bits 3:2 = code 1
  x[127] = -a; // byte 31, bits 1:0 = code 0
  std::vector<uint8_t> bytes = quantizeOrDie(TensorType::I2_S, x);
  ASSERT_EQ(bytes.size(), 128u / 4 + 32);
  EXPECT_EQ(bytes[0], 0b10'00'01'10);
  for (int p = 1; p < 31; ++p)
    EXPECT_EQ(bytes[p], 0x55) << p; // Four zero weights: code 1 each.
  EXPECT_EQ(bytes[31], 0b01'01'01'00);
  float scale;
  std::memcpy(&scale, &bytes[32], 4);
  EXPECT_EQ(scale, a);
  for (int p = 36; p < 64; ++p)
    EXPECT_EQ(bytes[p], 0) << p;
  EXPECT_EQ(dequantizeOrDie(TensorType::I2_S, bytes, 128), x);
}

TEST(I2STest, BlocksFollowTheFlatIndex) {
  // Element 128 + 33 is in the second block, byte 32 + 1, bits 5:4.
  std::vector<float> x(256, 0.0f);
  x[128 + 33] = 2.0f;
  std::vector<uint8_t> bytes = quantizeOrDie(TensorType::I2_S, x);
  ASSERT_EQ(bytes.size(), 256u / 4 + 32);
  EXPECT_EQ(bytes[33], 0b01'10'01'01);
  EXPECT_EQ(i2sCode(bytes.data(), 128 + 33), 2);
  EXPECT_EQ(i2sScale({bytes.data(), bytes.size()}, 256), 2.0f);
}

TEST(I2STest, OnlyTheFirstFourTailBytesMatter) {
  // llama-quantize leaves bytes 4..31 of the scale slot uninitialised: a
  // reader must take the scale from bytes 0..3 and ignore the rest.
  std::vector<float> x = randomTernary(256, 0.125f, 3);
  std::vector<uint8_t> bytes = quantizeOrDie(TensorType::I2_S, x);
  for (size_t p = 256 / 4 + 4; p < bytes.size(); ++p)
    bytes[p] = static_cast<uint8_t>(0xA5 ^ p);
  EXPECT_EQ(i2sScale({bytes.data(), bytes.size()}, 256), 0.125f);
  EXPECT_EQ(dequantizeOrDie(TensorType::I2_S, bytes, 256), x);
}

TEST(I2STest, CodeThreeDecodesToZero) {
  std::vector<uint8_t> bytes(128 / 4 + 32, 0x55);
  bytes[0] = 0xff; // Elements 0, 32, 64, 96 carry the invalid code 3.
  float one = 1.0f;
  std::memcpy(&bytes[32], &one, 4);
  std::vector<float> x = dequantizeOrDie(TensorType::I2_S, bytes, 128);
  EXPECT_EQ(x[0], 0.0f);
  EXPECT_EQ(x[96], 0.0f);
}

TEST(I2STest, RandomRoundTrip) {
  std::vector<float> x = randomTernary(128 * 20, 0.0375f, 1);
  EXPECT_EQ(dequantizeOrDie(TensorType::I2_S,
                            quantizeOrDie(TensorType::I2_S, x), x.size()),
            x);
}

TEST(TQ2_0Test, HandEncodedBlock) {
  std::vector<float> x(256, 0.0f);
  x[0] = 1.5f;    // qs[0] bits 1:0 = 2
  x[32] = -1.5f;  // qs[0] bits 3:2 = 0; x[64], x[96] zero: code 1 each
  x[128] = 1.5f;  // second half: qs[32] bits 1:0 = 2
  x[255] = -1.5f; // qs[63] bits 7:6 = 0
  std::vector<uint8_t> bytes = quantizeOrDie(TensorType::TQ2_0, x);
  ASSERT_EQ(bytes.size(), 66u);
  EXPECT_EQ(bytes[0], 0b01'01'00'10);
  EXPECT_EQ(bytes[1], 0x55);
  EXPECT_EQ(bytes[32], 0b01'01'01'10);
  EXPECT_EQ(bytes[63], 0b00'01'01'01);
  EXPECT_EQ(bytes[64] | bytes[65] << 8, floatToHalf(1.5f));
  EXPECT_EQ(dequantizeOrDie(TensorType::TQ2_0, bytes, 256), x);
}

TEST(TQ1_0Test, HandEncodedBlock) {
  std::vector<float> x(256, 0.0f);
  x[0] = 0.5f;   // qs[0]: trits (2,1,1,1,1): q = 2*81+27+9+3+1 = 202
  x[160] = -0.5f; // qs[32]: trits (0,1,1,1,1): q = 40
  x[243] = 0.5f; // qh[3]: elements 243, 247, 251, 255: (2,1,1,1) -> q = 201
  std::vector<uint8_t> bytes = quantizeOrDie(TensorType::TQ1_0, x);
  ASSERT_EQ(bytes.size(), 54u);
  // Stored byte = ceil(q * 256 / 243).
  EXPECT_EQ(bytes[0], 213);  // ceil(202 * 256 / 243) = ceil(212.8)
  EXPECT_EQ(bytes[1], 128);  // all zero: q = 121, ceil(127.47)
  EXPECT_EQ(bytes[32], 43);  // ceil(40 * 256 / 243) = ceil(42.1)
  // qh: (2*27 + 13) * 3 = 201 -> ceil(211.8) = 212; zeros: 40*3 = 120 -> 127
  EXPECT_EQ(bytes[48 + 3], 212);
  EXPECT_EQ(bytes[48], 127);
  EXPECT_EQ(bytes[52] | bytes[53] << 8, floatToHalf(0.5f));
  EXPECT_EQ(dequantizeOrDie(TensorType::TQ1_0, bytes, 256), x);
}

TEST(TernaryBlocksTest, RandomRoundTrip) {
  for (TensorType type : {TensorType::TQ1_0, TensorType::TQ2_0}) {
    std::vector<float> x = randomTernary(256 * 7, 0.25f, 2);
    EXPECT_EQ(dequantizeOrDie(type, quantizeOrDie(type, x), x.size()), x)
        << typeName(type);
  }
}

TEST(Q8_0Test, HandEncodedBlock) {
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;
  x[1] = -63.5f; // -63.5 / 1 rounds away from zero to -64
  x[2] = 0.49f;
  std::vector<uint8_t> bytes = quantizeOrDie(TensorType::Q8_0, x);
  ASSERT_EQ(bytes.size(), 34u);
  EXPECT_EQ(bytes[0] | bytes[1] << 8, floatToHalf(1.0f));
  EXPECT_EQ(static_cast<int8_t>(bytes[2]), 127);
  EXPECT_EQ(static_cast<int8_t>(bytes[3]), -64);
  EXPECT_EQ(static_cast<int8_t>(bytes[4]), 0);
  std::vector<float> y = dequantizeOrDie(TensorType::Q8_0, bytes, 32);
  EXPECT_EQ(y[1], -64.0f);
}

TEST(Q4_0Test, HandDecodedBlock) {
  std::vector<uint8_t> block(18, 0x88); // Nibbles of 8 decode to 0.
  uint16_t d = floatToHalf(0.5f);
  block[0] = d & 0xff;
  block[1] = d >> 8;
  block[2] = 0x1f; // x[0] = (15 - 8) * 0.5, x[16] = (1 - 8) * 0.5
  std::vector<float> x = dequantizeOrDie(TensorType::Q4_0, block, 32);
  EXPECT_EQ(x[0], 3.5f);
  EXPECT_EQ(x[16], -3.5f);
  EXPECT_EQ(x[1], 0.0f);
}

TEST(Q6_KTest, HandDecodedBlock) {
  // Element 0: low nibble of ql[0], bits 1:0 of qh[0], scale[0].
  // Element 200 = 128 + 72: second half, l = 8, third group (y[l + 64]):
  // high nibble of ql[64 + 8], bits 5:4 of qh[32 + 8], scale[8 + 4].
  std::vector<uint8_t> block(210, 0);
  block[0] = 0x05;            // q = 5 | (2 << 4) = 37 -> 37 - 32 = 5
  block[128] = 0x02;
  block[64 + 8] = 0x30;       // high nibble 3
  block[128 + 32 + 8] = 0x10; // bits 5:4 = 1 -> q = 3 | 16 = 19 -> -13
  block[192] = 2;             // scale[0]
  block[192 + 12] = static_cast<uint8_t>(-3); // scale[12]
  uint16_t d = floatToHalf(0.25f);
  block[208] = d & 0xff;
  block[209] = d >> 8;
  std::vector<float> x = dequantizeOrDie(TensorType::Q6_K, block, 256);
  EXPECT_EQ(x[0], 0.25f * 2 * 5);
  EXPECT_EQ(x[200], 0.25f * -3 * -13);
  EXPECT_EQ(x[1], 0.25f * 2 * -32); // All-zero bits decode to -32.
}

TEST(QuantsTest, RejectsWrongSizesAndTypes) {
  std::vector<float> x(256);
  std::vector<uint8_t> bytes;
  EXPECT_FALSE(quantize(TensorType::TQ2_0, x.data(), 100, bytes).ok());
  EXPECT_FALSE(quantize(TensorType::Q4_K, x.data(), 256, bytes).ok());
  x[7] = NAN;
  Status nonFinite = quantize(TensorType::TQ1_0, x.data(), 256, bytes);
  ASSERT_FALSE(nonFinite.ok());
  EXPECT_NE(nonFinite.error().message().find("at index 7 is not finite"),
            std::string::npos);
  std::vector<uint8_t> shortData(65);
  std::vector<float> out(256);
  EXPECT_FALSE(dequantize(TensorType::TQ2_0, {shortData.data(), 65}, 256,
                          out.data())
                   .ok());
}

} // namespace
