//===- ReferenceOpsTest.cpp - Hand-computed cases of the reference ops ----===//
//
// Each expectation is worked out by hand from the numerics of
// docs/formats.md §4, on inputs small enough to follow.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/ReferenceOps.h"

#include "runtime/support/Half.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace ternc;
using namespace ternc::reference;

namespace {

Activations rows(std::initializer_list<std::initializer_list<float>> values) {
  Activations x({values.size(), values.begin()->size()});
  size_t t = 0;
  for (const auto &row : values) {
    size_t i = 0;
    for (float v : row)
      x(t, i++) = v;
    ++t;
  }
  return x;
}

TEST(ReferenceOpsTest, ActivationQuantizationRoundsHalfToEven) {
  // amax = 127 -> s = 1: x * s lands exactly on halves.
  float x[] = {127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -127.0f, 3.4f};
  int8_t q[8];
  EXPECT_EQ(quantizeActivations(x, 8, q), 1.0f);
  int8_t expected[] = {127, 0, 2, 2, 0, -2, -127, 3};
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(q[i], expected[i]) << i;
}

TEST(ReferenceOpsTest, ActivationQuantizationClampsTinyRows) {
  // amax is clamped at 1e-5: s = 127 / 1e-5, and 1e-6 * s = 12.7 -> 13.
  float x[] = {1e-6f, 0.0f};
  int8_t q[2];
  float scale = quantizeActivations(x, 2, q);
  EXPECT_EQ(scale, static_cast<float>(127.0 / 1e-5));
  EXPECT_EQ(q[0], 13);
  EXPECT_EQ(q[1], 0);
}

TEST(ReferenceOpsTest, BitLinearIsTheIntegerDotTimesScales) {
  // x = (127, -63.5, 0, 10): s = 1, q = (127, -64, 0, 10) (-63.5 -> -64,
  // ties to even). Row 0 = (+1, -1, 0, +1): dot = 127 + 64 + 10 = 201.
  // Row 1 = (0, +1, +1, -1): dot = -64 - 10 = -74. y = dot / 1 * 0.5.
  Trits weight({{1, -1, 0, 1}, {0, 1, 1, -1}});
  Activations y =
      bitLinear(rows({{127.0f, -63.5f, 0.0f, 10.0f}}), weight, 0.5f);
  ASSERT_EQ(y.shape(1), 2u);
  EXPECT_EQ(y(0, 0), 100.5f);
  EXPECT_EQ(y(0, 1), -37.0f);
}

TEST(ReferenceOpsTest, Q8KQuantizationIsPerBlockWithTheSignedMaximum) {
  // Block 0: |-127| and |127| tie, the first wins: max = -127, iscale = 1,
  // q = x rounded half to even, d = 1. Block 1: max = +254, iscale = -0.5:
  // the extreme element becomes -127, 3 -> -1.5 -> -2, -1 -> 0.5 -> 0,
  // d = -2. Block 2 is all zeros: d = 0.
  std::vector<float> x(3 * kQ8KBlock, 0.0f);
  x[0] = -127.0f, x[1] = 127.0f, x[2] = 0.5f, x[3] = 1.5f, x[4] = 2.5f;
  x[256] = 254.0f, x[257] = 3.0f, x[258] = -1.0f;
  std::vector<int8_t> q(x.size(), 99);
  float d[3];
  quantizeActivationsQ8K(x.data(), static_cast<int64_t>(x.size()), q.data(),
                         d);
  EXPECT_EQ(d[0], 1.0f);
  EXPECT_EQ(d[1], -2.0f);
  EXPECT_EQ(d[2], 0.0f);
  int8_t expected[] = {-127, 127, 0, 2, 2};
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(q[i], expected[i]) << i;
  EXPECT_EQ(q[256], -127);
  EXPECT_EQ(q[257], -2);
  EXPECT_EQ(q[258], 0);
  for (size_t i = 512; i < x.size(); ++i)
    ASSERT_EQ(q[i], 0) << i;
}

TEST(ReferenceOpsTest, BitLinearQ8KSumsBlocksScaledByTheirOwnScales) {
  // Block 0: x0 = 127 -> iscale -1, q = (-127, 10), d0 = -1. Block 1:
  // x256 = -254 -> iscale 0.5, q = (-127, 2), d1 = 2. Trits (+1, -1) and
  // (+1, +1): block dots -137 and -125; y = -137 * (-1 * 0.5) + -125 *
  // (2 * 0.5) = -56.5, the exact product of x and the weights here.
  Activations x({1, 2 * kQ8KBlock});
  x.fill(0.0f);
  x(0, 0) = 127.0f, x(0, 1) = -10.0f, x(0, 256) = -254.0f, x(0, 257) = 4.0f;
  Trits weight({1, 2 * kQ8KBlock});
  weight.fill(0);
  weight(0, 0) = 1, weight(0, 1) = -1, weight(0, 256) = 1, weight(0, 257) = 1;
  Activations y = bitLinearQ8K(x, weight, 0.5f);
  ASSERT_EQ(y.shape(1), 1u);
  EXPECT_EQ(y(0, 0), -56.5f);
  // Per-token quantization of the same row has one scale s = 127 / 254:
  // q = (64, -5, -127, 2) (63.5 rounds to even), so the result is -56.
  EXPECT_EQ(bitLinear(x, weight, 0.5f)(0, 0),
            static_cast<float>(64 + 5 - 127 + 2) / 0.5f * 0.5f);
}

TEST(ReferenceOpsTest, RMSNormUsesTheMeanOfSquares) {
  // Row (3, 4): mean of squares 12.5, scale 1/sqrt(12.5 + 0.5) = 1/sqrt(13).
  Activations y = rmsNorm(rows({{3.0f, 4.0f}}), {2.0f, 1.0f}, 0.5f);
  float scale = 1.0f / std::sqrt(13.0f);
  EXPECT_FLOAT_EQ(y(0, 0), 3.0f * scale * 2.0f);
  EXPECT_FLOAT_EQ(y(0, 1), 4.0f * scale);
}

TEST(ReferenceOpsTest, RopeRotatesNeoxAndNormPairs) {
  // One head of 4 features, dims 4, base 10000: pair 0 turns by p, pair 1 by
  // p * 10000^(-1/2) = p / 100.
  Activations x = rows({{1.0f, 2.0f, 3.0f, 4.0f}});
  const float p = 3.0f, a0 = p, a1 = p / 100.0f;
  Activations neox = rope(x, 3, /*neox=*/true, 10000.0f, 4, 4);
  // NEOX pairs (0, 2) and (1, 3).
  EXPECT_NEAR(neox(0, 0), 1 * std::cos(a0) - 3 * std::sin(a0), 1e-5);
  EXPECT_NEAR(neox(0, 2), 1 * std::sin(a0) + 3 * std::cos(a0), 1e-5);
  EXPECT_NEAR(neox(0, 1), 2 * std::cos(a1) - 4 * std::sin(a1), 1e-5);
  EXPECT_NEAR(neox(0, 3), 2 * std::sin(a1) + 4 * std::cos(a1), 1e-5);
  Activations norm = rope(x, 3, /*neox=*/false, 10000.0f, 4, 4);
  // NORM pairs (0, 1) and (2, 3).
  EXPECT_NEAR(norm(0, 0), 1 * std::cos(a0) - 2 * std::sin(a0), 1e-5);
  EXPECT_NEAR(norm(0, 1), 1 * std::sin(a0) + 2 * std::cos(a0), 1e-5);
  EXPECT_NEAR(norm(0, 2), 3 * std::cos(a1) - 4 * std::sin(a1), 1e-5);
  // Position 0 is the identity.
  EXPECT_EQ(rope(x, 0, true, 10000.0f, 4, 4), x);
}

TEST(ReferenceOpsTest, AttentionOfOnePositionReturnsItsValue) {
  // With one visible position the softmax is 1: the output is that value.
  KVCache cache(/*layers=*/1, /*capacity=*/4, /*kvHeads=*/1, /*headDim=*/2,
                /*f16=*/false);
  Activations q = rows({{1.0f, 0.0f, 0.0f, 1.0f}}); // Two query heads.
  Activations k = rows({{0.5f, 0.5f}}), v = rows({{3.0f, -2.0f}});
  Activations out = attention(q, k, v, cache, 0, 0, 1, 2);
  EXPECT_EQ(out, rows({{3.0f, -2.0f, 3.0f, -2.0f}}));
}

TEST(ReferenceOpsTest, AttentionIsCausalAndWeighsByScore) {
  // Head dim 1, scale 1: token 1 sees keys (0, ln 3) -> weights (1/4, 3/4).
  KVCache cache(1, 4, 1, 1, /*f16=*/false);
  Activations q = rows({{1.0f}, {1.0f}});
  Activations k = rows({{0.0f}, {std::log(3.0f)}});
  Activations v = rows({{4.0f}, {8.0f}});
  Activations out = attention(q, k, v, cache, 0, 0, 2, 1);
  EXPECT_FLOAT_EQ(out(0, 0), 4.0f); // Token 0 sees only itself.
  EXPECT_FLOAT_EQ(out(1, 0), 0.25f * 4.0f + 0.75f * 8.0f);
}

TEST(ReferenceOpsTest, PaddedRowsAreNeitherStoredNorComputed) {
  KVCache cache(1, 4, 1, 1, false);
  Activations q = rows({{1.0f}, {1.0f}});
  Activations kv = rows({{1.0f}, {99.0f}});
  Activations out = attention(q, kv, kv, cache, 0, 2, /*validTokens=*/1, 1);
  EXPECT_EQ(out(1, 0), 0.0f);
  EXPECT_EQ(cache.value(0, 2, 0), 1.0f);
  EXPECT_EQ(cache.value(0, 3, 0), 0.0f);
}

TEST(ReferenceOpsTest, F16CacheRoundsKeysAndValues) {
  KVCache f16(1, 1, 1, 1, true), f32(1, 1, 1, 1, false);
  float third = 1.0f / 3.0f;
  f16.store(0, 0, &third, &third);
  f32.store(0, 0, &third, &third);
  EXPECT_EQ(f16.key(0, 0, 0), halfToFloat(floatToHalf(third)));
  EXPECT_EQ(f32.value(0, 0, 0), third);
}

TEST(ReferenceOpsTest, LinearRoundsActivationsToTheWeightPrecision) {
  FloatMatrix weight;
  weight.values = xt::xtensor<float, 2>({{1.0f}});
  weight.precision = Precision::F16;
  float x = 1.0f + 1.0f / 4096; // Not representable in f16: rounds to 1.
  Activations y = linear(rows({{x}}), weight);
  EXPECT_EQ(y(0, 0), 1.0f);
  weight.precision = Precision::F32;
  EXPECT_EQ(linear(rows({{x}}), weight)(0, 0), x);
}

TEST(ReferenceOpsTest, ElementwiseOps) {
  Activations x = rows({{-2.0f, 3.0f}});
  EXPECT_EQ(relu2(x), rows({{0.0f, 9.0f}}));
  EXPECT_FLOAT_EQ(silu(x)(0, 1), 3.0f / (1.0f + std::exp(-3.0f)));
  EXPECT_EQ(add(x, x), rows({{-4.0f, 6.0f}}));
  EXPECT_EQ(mul(x, x), rows({{4.0f, 9.0f}}));
}

} // namespace
