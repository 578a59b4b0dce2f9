//===- NeonCommon.h - What the AArch64 kernels share ------------*- C++ -*-===//
//
// The I2_S block geometry and the unpacking of its 2-bit fields into codes
// (trit + 1) that the arm-neon, arm-dotprod and arm-i8mm ternary matmuls
// read, and the loop nest of their int8 matmuls (linear_i8). Included only
// by AArch64 translation units; the SDOT helpers only by those compiled with
// +dotprod.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_ARM_NEON_NEONCOMMON_H
#define TERNC_BACKENDS_ARM_NEON_NEONCOMMON_H

#include <arm_neon.h>
#include <cstdint>

namespace ternc::backends {

/// Trits per I2_S block and the bytes that hold them: byte p holds the
/// elements p, p + 32, p + 64 and p + 96 in bits 7:6, 5:4, 3:2 and 1:0.
inline constexpr int64_t kNeonI2SBlock = 128;
inline constexpr int64_t kNeonI2SBlockBytes = 32;

/// The codes (trit + 1, 0..2) of the 2-bit field at bit `Shift` of 16
/// bytes.
template <int Shift> int8x16_t i2sCodes(uint8x16_t bytes) {
  if constexpr (Shift > 0)
    bytes = vshrq_n_u8(bytes, Shift);
  return vreinterpretq_s8_u8(vandq_u8(bytes, vdupq_n_u8(3)));
}

/// KernelAbi.h's linear_i8: `dot(row, q, in)` is the exact int32 dot of one
/// int8 weight row with one token's activations.
template <typename Dot>
void linearI8Rows(const int8_t *q, const float *scales, const int8_t *weights,
                  const float *rowScales, int64_t tokens, int64_t in,
                  int64_t rows, float *y, int64_t yStride, Dot dot) {
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t r = 0; r < rows; ++r)
      y[t * yStride + r] =
          static_cast<float>(dot(weights + r * in, q + t * in, in)) /
          scales[t] * rowScales[r];
}

#if defined(__ARM_FEATURE_DOTPROD)
/// sum(q) over `in` (a multiple of 16) int8 activations, on SDOT.
inline int32_t sdotActivationSum(const int8_t *q, int64_t in) {
  const int8x16_t ones = vdupq_n_s8(1);
  int32x4_t total = vdupq_n_s32(0);
  for (int64_t k = 0; k < in; k += 16)
    total = vdotq_s32(total, vld1q_s8(q + k), ones);
  return vaddvq_s32(total);
}
#endif

} // namespace ternc::backends

#endif // TERNC_BACKENDS_ARM_NEON_NEONCOMMON_H
