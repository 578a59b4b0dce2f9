//===- HalfTest.cpp - Tests of the f16/bf16 conversions -------------------===//

#include "runtime/support/Half.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>

using namespace ternc;

namespace {

float fromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

TEST(HalfTest, KnownValues) {
  EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(floatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(floatToHalf(65504.0f), 0x7bff);     // Largest finite half.
  EXPECT_EQ(floatToHalf(65519.0f), 0x7bff);     // Below the midpoint.
  EXPECT_EQ(floatToHalf(65520.0f), 0x7c00);     // Midpoint rounds to inf.
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -24)), 0x0001); // Smallest subnormal.
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -25)), 0x0000); // Tie to even: 0.
  EXPECT_EQ(floatToHalf(std::ldexp(3.0f, -26)), 0x0001); // 0.75 ulp -> 1.
  EXPECT_EQ(floatToHalf(std::ldexp(3.0f, -25)), 0x0002); // 1.5 ulp -> 2.
  EXPECT_EQ(floatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(floatToHalf(INFINITY), 0x7c00);
  EXPECT_TRUE(std::isnan(halfToFloat(floatToHalf(NAN))));
  EXPECT_EQ(halfToFloat(0x3555), 0.333251953125f);
}

TEST(HalfTest, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff)) // NaN payloads.
      continue;
    ASSERT_EQ(floatToHalf(halfToFloat(static_cast<uint16_t>(h))), h) << h;
  }
}

TEST(HalfTest, MidpointsRoundToEven) {
  // Between two adjacent positive finite halves, the exact midpoint (which a
  // float represents exactly) must round to the one with an even mantissa,
  // and a float just below/above it to the nearer one.
  for (uint16_t h = 0; h < 0x7bff; ++h) {
    float low = halfToFloat(h), high = halfToFloat(h + 1);
    float mid = (low + high) / 2;
    uint16_t even = (h % 2 == 0) ? h : h + 1;
    ASSERT_EQ(floatToHalf(mid), even) << h;
    ASSERT_EQ(floatToHalf(std::nextafter(mid, 0.0f)), h) << h;
    ASSERT_EQ(floatToHalf(std::nextafter(mid, 1e9f)), h + 1) << h;
  }
}

TEST(Bfloat16Test, RoundsToNearestEven) {
  EXPECT_EQ(floatToBfloat16(1.0f), 0x3f80);
  EXPECT_EQ(bfloat16ToFloat(0x3f80), 1.0f);
  // 1 + 2^-8 is the midpoint between 0x3f80 and 0x3f81: ties to even.
  EXPECT_EQ(floatToBfloat16(fromBits(0x3f808000)), 0x3f80);
  EXPECT_EQ(floatToBfloat16(fromBits(0x3f818000)), 0x3f82);
  EXPECT_EQ(floatToBfloat16(fromBits(0x3f808001)), 0x3f81);
  EXPECT_TRUE(std::isnan(bfloat16ToFloat(floatToBfloat16(NAN))));
}

} // namespace
