//===- NeonMatmuls.cpp - arm-neon matmul kernels --------------------------===//
//
// bitlinear_i2s: a 32-byte I2_S block holds 128 trits, byte p the elements
// p, p + 32, p + 64 and p + 96 in bits 7:6, 5:4, 3:2 and 1:0 as trit + 1.
// Each 2-bit field is shifted out and masked as a code in 0..2, multiplied
// with its 16 activations by vmull_s8 (int16) and summed by pairs into
// int32 lanes; sum(code * q) - sum(q) is the exact int32 dot the reference
// scales in f32 the same way.
//
// linear_f16: as the x86 kernels, the rows come in groups (of four) whose
// f16 values at one k sit side by side; each row's products of f16-rounded
// activations and weights (exact in f32) are summed in f64 lanes in k order,
// the reference's sum bit for bit.
//
//===----------------------------------------------------------------------===//

#include "backends/arm-neon/NeonMatmuls.h"

#include "backends/arm-neon/NeonCommon.h"
#include "backends/arm-neon/NeonKernels.h"
#include "runtime/support/Half.h"

#include <arm_neon.h>

namespace {

using namespace ternc::backends;

constexpr int64_t kBlockTrits = kNeonI2SBlock;
constexpr int64_t kBlockBytes = kNeonI2SBlockBytes;

/// Adds code * x of 16 lanes to the int16 sums.
int16x8_t multiplyAdd(int16x8_t sums, int8x16_t code, const int8_t *x) {
  const int8x16_t activations = vld1q_s8(x);
  sums = vmlal_s8(sums, vget_low_s8(code), vget_low_s8(activations));
  return vmlal_high_s8(sums, code, activations);
}

/// sum_k (trit(k) + 1) * q[k] over one I2_S row of `in` trits.
int32_t codeDot(const uint8_t *row, const int8_t *q, int64_t in) {
  int32x4_t total = vdupq_n_s32(0);
  for (int64_t block = 0; block < in / kBlockTrits; ++block) {
    const uint8_t *bytes = row + block * kBlockBytes;
    const int8_t *x = q + block * kBlockTrits;
    const uint8x16_t low = vld1q_u8(bytes), high = vld1q_u8(bytes + 16);
    // Two independent chains of 8 products of at most 2 * 128 per lane: no
    // int16 overflow.
    int16x8_t first = vdupq_n_s16(0), second = vdupq_n_s16(0);
    first = multiplyAdd(first, i2sCodes<6>(low), x);
    second = multiplyAdd(second, i2sCodes<2>(low), x + 64);
    first = multiplyAdd(first, i2sCodes<6>(high), x + 16);
    second = multiplyAdd(second, i2sCodes<2>(high), x + 80);
    first = multiplyAdd(first, i2sCodes<4>(low), x + 32);
    second = multiplyAdd(second, i2sCodes<0>(low), x + 96);
    first = multiplyAdd(first, i2sCodes<4>(high), x + 48);
    second = multiplyAdd(second, i2sCodes<0>(high), x + 112);
    total = vpadalq_s16(vpadalq_s16(total, first), second);
  }
  return vaddvq_s32(total);
}

int32_t activationSum(const int8_t *q, int64_t in) {
  int32x4_t total = vdupq_n_s32(0);
  for (int64_t k = 0; k < in; k += 16)
    total = vpadalq_s16(total, vpaddlq_s8(vld1q_s8(q + k)));
  return vaddvq_s32(total);
}

constexpr int64_t kGroup = kArmF16RowInterleave;

/// y of the `valid` (at most four) rows of the group at `w` for one token's
/// f16-rounded activations x.
void groupDots(const uint16_t *w, const float *x, int64_t in, float *y,
               int64_t valid) {
  float64x2_t low = vdupq_n_f64(0), high = vdupq_n_f64(0);
  for (int64_t k = 0; k < in; ++k) {
    const float32x4_t weights =
        vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(w + k * kGroup)));
    const float32x4_t products = vmulq_n_f32(weights, x[k]);
    low = vaddq_f64(low, vcvt_f64_f32(vget_low_f32(products)));
    high = vaddq_f64(high, vcvt_high_f64_f32(products));
  }
  const double sums[kGroup] = {vgetq_lane_f64(low, 0), vgetq_lane_f64(low, 1),
                               vgetq_lane_f64(high, 0),
                               vgetq_lane_f64(high, 1)};
  for (int64_t r = 0; r < valid && r < kGroup; ++r)
    y[r] = static_cast<float>(sums[r]);
}

} // namespace

void neon_bitlinear_i2s(const int8_t *q, const float *scales,
                        const uint8_t *weights, int64_t tokens, int64_t in,
                        int64_t rows, float weightScale, float *y,
                        int64_t yStride) {
  for (int64_t t = 0; t < tokens; ++t) {
    const int8_t *x = q + t * in;
    const int32_t offset = activationSum(x, in);
    for (int64_t r = 0; r < rows; ++r) {
      const int32_t dot = codeDot(weights + r * in / 4, x, in) - offset;
      y[t * yStride + r] = static_cast<float>(dot) / scales[t] * weightScale;
    }
  }
}

void neon_linear_f16(const float *x, const uint16_t *weights, int64_t tokens,
                     int64_t in, int64_t rows, float *y, int64_t yStride,
                     float *scratch) {
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t k = 0; k < in; ++k)
      scratch[k] = ternc::halfToFloat(ternc::floatToHalf(x[t * in + k]));
    for (int64_t row = 0; row < rows; row += kGroup)
      groupDots(weights + row * in, scratch, in, y + t * yStride + row,
                rows - row);
  }
}

void neon_embed_f16(const uint16_t *table, const int32_t *ids, int64_t tokens,
                    int64_t features, float *y) {
  for (int64_t t = 0; t < tokens; ++t) {
    const int64_t id = ids[t];
    const uint16_t *group = table + (id / kGroup) * kGroup * features;
    for (int64_t k = 0; k < features; ++k)
      y[t * features + k] = ternc::halfToFloat(group[k * kGroup + id % kGroup]);
  }
}
