//===- I8mmBitLinear.cpp - The ternary matmul on SMMLA --------------------===//
//
// Compiled with +i8mm+dotprod; only called once the CPU is known to have
// both.
//
// SMMLA multiplies a 2x8 int8 matrix by the transpose of another and adds
// the 2x2 int32 result: with two weight rows' codes (trit + 1, shifted and
// masked out of the I2_S block as in arm-neon) as the first operand and two
// tokens' activations as the second, one instruction does the work of two
// SDOTs. The 64-bit halves of two rows' 16-code vectors are paired by
// zip1/zip2; the two tokens' activations are paired once per call. sum(code * q) -
// sum(q) is the exact int32 dot, scaled in f32 as the reference does.
//
//===----------------------------------------------------------------------===//

#include "backends/arm-i8mm/I8mmBitLinear.h"

#include "backends/arm-dotprod/DotprodMatmuls.h"
#include "backends/arm-neon/NeonCommon.h"

#include <arm_neon.h>
#include <vector>

namespace {

using namespace ternc::backends;

constexpr int64_t kBlockTrits = kNeonI2SBlock;
constexpr int64_t kBlockBytes = kNeonI2SBlockBytes;

/// The low (High = false) or high 64-bit halves of `a` and `b`, side by
/// side: a 2x8 matrix whose rows come from a and b.
template <bool High> int8x16_t pairHalves(int8x16_t a, int8x16_t b) {
  const int64x2_t a64 = vreinterpretq_s64_s8(a), b64 = vreinterpretq_s64_s8(b);
  return vreinterpretq_s8_s64(High ? vzip2q_s64(a64, b64)
                                   : vzip1q_s64(a64, b64));
}

/// Two tokens' activations as SMMLA's second operand wants them: for each
/// 16 k, the first 8 of both tokens, then the last 8 of both. Arranged once
/// per pair of tokens, read by every pair of rows.
void pairActivations(const int8_t *x0, const int8_t *x1, int64_t in,
                     int8_t *paired) {
  for (int64_t k = 0; k < in; k += 16) {
    const int8x16_t a0 = vld1q_s8(x0 + k), a1 = vld1q_s8(x1 + k);
    vst1q_s8(paired + 2 * k, pairHalves<false>(a0, a1));
    vst1q_s8(paired + 2 * k + 16, pairHalves<true>(a0, a1));
  }
}

/// Adds the codes of rows 0 and 1 times 16 paired activations.
int32x4_t multiplyAdd(int32x4_t sums, int8x16_t row0, int8x16_t row1,
                      const int8_t *paired) {
  sums = vmmlaq_s32(sums, pairHalves<false>(row0, row1), vld1q_s8(paired));
  return vmmlaq_s32(sums, pairHalves<true>(row0, row1), vld1q_s8(paired + 16));
}

/// sum_k code(r, k) * q(t, k) for rows r0, r0 + 1 (I2_S, consecutive) and
/// the paired tokens: lanes (r0, t0), (r0, t1), (r0 + 1, t0), (r0 + 1, t1).
int32x4_t codeDots(const uint8_t *row0, const uint8_t *row1,
                   const int8_t *paired, int64_t in) {
  // One sum per 2-bit field: four independent SMMLA chains.
  int32x4_t sums[4];
  for (int32x4_t &sum : sums)
    sum = vdupq_n_s32(0);
  for (int64_t block = 0; block < in / kBlockTrits; ++block) {
    const uint8_t *b0 = row0 + block * kBlockBytes;
    const uint8_t *b1 = row1 + block * kBlockBytes;
    const int8_t *x = paired + 2 * block * kBlockTrits;
    const uint8x16_t low0 = vld1q_u8(b0), high0 = vld1q_u8(b0 + 16);
    const uint8x16_t low1 = vld1q_u8(b1), high1 = vld1q_u8(b1 + 16);
    sums[0] = multiplyAdd(sums[0], i2sCodes<6>(low0), i2sCodes<6>(low1), x);
    sums[0] = multiplyAdd(sums[0], i2sCodes<6>(high0), i2sCodes<6>(high1), x + 32);
    sums[1] = multiplyAdd(sums[1], i2sCodes<4>(low0), i2sCodes<4>(low1), x + 64);
    sums[1] = multiplyAdd(sums[1], i2sCodes<4>(high0), i2sCodes<4>(high1), x + 96);
    sums[2] = multiplyAdd(sums[2], i2sCodes<2>(low0), i2sCodes<2>(low1), x + 128);
    sums[2] = multiplyAdd(sums[2], i2sCodes<2>(high0), i2sCodes<2>(high1), x + 160);
    sums[3] = multiplyAdd(sums[3], i2sCodes<0>(low0), i2sCodes<0>(low1), x + 192);
    sums[3] = multiplyAdd(sums[3], i2sCodes<0>(high0), i2sCodes<0>(high1), x + 224);
  }
  return vaddq_s32(vaddq_s32(sums[0], sums[1]), vaddq_s32(sums[2], sums[3]));
}

} // namespace

void i8mm_bitlinear_i2s(const int8_t *q, const float *scales,
                        const uint8_t *weights, int64_t tokens, int64_t in,
                        int64_t rows, float weightScale, float *y,
                        int64_t yStride) {
  const int64_t pairedTokens = tokens / 2 * 2, pairedRows = rows / 2 * 2;
  std::vector<int8_t> paired(pairedTokens > 0 ? 2 * in : 0);
  for (int64_t t = 0; t < pairedTokens; t += 2) {
    const int8_t *x0 = q + t * in, *x1 = x0 + in;
    const int32_t offsets[2] = {sdotActivationSum(x0, in),
                                sdotActivationSum(x1, in)};
    pairActivations(x0, x1, in, paired.data());
    for (int64_t r = 0; r < pairedRows; r += 2) {
      const uint8_t *row0 = weights + r * in / 4;
      int32_t dots[4];
      vst1q_s32(dots, codeDots(row0, row0 + in / 4, paired.data(), in));
      for (int i = 0; i < 4; ++i) {
        const int64_t row = r + i / 2, token = t + i % 2;
        y[token * yStride + row] =
            static_cast<float>(dots[i] - offsets[i % 2]) / scales[token] *
            weightScale;
      }
    }
  }
  // An odd last row for the paired tokens, then an odd last token.
  if (pairedRows < rows && pairedTokens > 0)
    dotprod_bitlinear_i2s(q, scales, weights + pairedRows * in / 4,
                          pairedTokens, in, rows - pairedRows, weightScale,
                          y + pairedRows, yStride);
  if (pairedTokens < tokens)
    dotprod_bitlinear_i2s(q + pairedTokens * in, scales + pairedTokens,
                          weights, 1, in, rows, weightScale,
                          y + pairedTokens * yStride, yStride);
}
