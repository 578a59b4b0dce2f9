//===- DotprodMatmuls.cpp - The ternary and int8 matmuls on SDOT --------===//
//
// Compiled with +dotprod; only called once the CPU is known to have it.
//
// As arm-neon's kernel, each 2-bit field of a 32-byte I2_S block is shifted
// out and masked as a code (trit + 1) in 0..2; SDOT multiplies 16 codes with
// 16 activations and adds each group of four products into an int32 lane.
// sum(code * q) - sum(q) is the exact int32 dot, scaled in f32 as the
// reference does. Two rows at a time share the activation loads.
//
// linear_i8 sums W[r][k] * q[k] by SDOT on 16 k at a time, two chains per
// row; a tail of in % 16 goes one by one.
//
//===----------------------------------------------------------------------===//

#include "backends/arm-dotprod/DotprodMatmuls.h"

#include "backends/arm-neon/NeonCommon.h"

#include <arm_neon.h>

namespace {

using namespace ternc::backends;

constexpr int64_t kBlockTrits = kNeonI2SBlock;
constexpr int64_t kBlockBytes = kNeonI2SBlockBytes;

/// sum_k (trit(k) + 1) * q[k] for `Rows` consecutive I2_S rows of `in`
/// trits at `rows` (each in / 4 bytes), into dots[0..Rows).
template <int Rows>
void codeDots(const uint8_t *rows, const int8_t *q, int64_t in,
              int32_t *dots) {
  // Two sums per row (fields 7:6 and 5:4, fields 3:2 and 1:0): independent
  // SDOT chains.
  int32x4_t sums[Rows][2];
  for (int r = 0; r < Rows; ++r)
    sums[r][0] = sums[r][1] = vdupq_n_s32(0);
  for (int64_t block = 0; block < in / kBlockTrits; ++block) {
    const int8_t *x = q + block * kBlockTrits;
    int8x16_t activations[8];
    for (int i = 0; i < 8; ++i)
      activations[i] = vld1q_s8(x + 16 * i);
    for (int r = 0; r < Rows; ++r) {
      const uint8_t *bytes = rows + r * in / 4 + block * kBlockBytes;
      const uint8x16_t low = vld1q_u8(bytes), high = vld1q_u8(bytes + 16);
      int32x4_t s = sums[r][0], t = sums[r][1];
      s = vdotq_s32(s, i2sCodes<6>(low), activations[0]);
      t = vdotq_s32(t, i2sCodes<2>(low), activations[4]);
      s = vdotq_s32(s, i2sCodes<6>(high), activations[1]);
      t = vdotq_s32(t, i2sCodes<2>(high), activations[5]);
      s = vdotq_s32(s, i2sCodes<4>(low), activations[2]);
      t = vdotq_s32(t, i2sCodes<0>(low), activations[6]);
      s = vdotq_s32(s, i2sCodes<4>(high), activations[3]);
      t = vdotq_s32(t, i2sCodes<0>(high), activations[7]);
      sums[r][0] = s;
      sums[r][1] = t;
    }
  }
  for (int r = 0; r < Rows; ++r)
    dots[r] = vaddvq_s32(vaddq_s32(sums[r][0], sums[r][1]));
}

} // namespace

void dotprod_bitlinear_i2s(const int8_t *q, const float *scales,
                           const uint8_t *weights, int64_t tokens, int64_t in,
                           int64_t rows, float weightScale, float *y,
                           int64_t yStride) {
  constexpr int kRowsAtOnce = 2;
  for (int64_t t = 0; t < tokens; ++t) {
    const int8_t *x = q + t * in;
    const int32_t offset = sdotActivationSum(x, in);
    int64_t r = 0;
    int32_t dots[kRowsAtOnce];
    auto store = [&](int64_t row, int count) {
      for (int i = 0; i < count; ++i)
        y[t * yStride + row + i] =
            static_cast<float>(dots[i] - offset) / scales[t] * weightScale;
    };
    for (; r + kRowsAtOnce <= rows; r += kRowsAtOnce) {
      codeDots<kRowsAtOnce>(weights + r * in / 4, x, in, dots);
      store(r, kRowsAtOnce);
    }
    for (; r < rows; ++r) {
      codeDots<1>(weights + r * in / 4, x, in, dots);
      store(r, 1);
    }
  }
}

void dotprod_linear_i8(const int8_t *q, const float *scales,
                       const int8_t *weights, const float *rowScales,
                       int64_t tokens, int64_t in, int64_t rows, float *y,
                       int64_t yStride) {
  linearI8Rows(q, scales, weights, rowScales, tokens, in, rows, y, yStride,
               [](const int8_t *row, const int8_t *activations, int64_t in) {
                 int32x4_t first = vdupq_n_s32(0), second = vdupq_n_s32(0);
                 int64_t k = 0;
                 for (; k + 32 <= in; k += 32) {
                   first = vdotq_s32(first, vld1q_s8(row + k),
                                     vld1q_s8(activations + k));
                   second = vdotq_s32(second, vld1q_s8(row + k + 16),
                                      vld1q_s8(activations + k + 16));
                 }
                 for (; k + 16 <= in; k += 16)
                   first = vdotq_s32(first, vld1q_s8(row + k),
                                     vld1q_s8(activations + k));
                 int32_t dot = vaddvq_s32(vaddq_s32(first, second));
                 for (; k < in; ++k)
                   dot += row[k] * activations[k];
                 return dot;
               });
}
