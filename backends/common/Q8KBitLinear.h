//===- Q8KBitLinear.h - Ternary matmuls on Q8_K activations -----*- C++ -*-===//
//
// llama.cpp's numerics for a ternary matmul (docs/formats.md §7), written
// once for every kernel table: KernelAbi.h's quantize_rows_q8k,
// rms_norm_quantize_q8k and bitlinear_i2s_q8k. The float operations happen
// in one fixed order (block scales, then one f32 accumulation per output,
// blocks ascending), so every instance is bit-identical to
// compiler/reference; the integer block sums are plain loops that each
// backend's translation unit compiles for its own ISA (the ISA tag keeps the
// instantiations apart: an AVX-512 copy must never serve the generic table).
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_COMMON_Q8KBITLINEAR_H
#define TERNC_BACKENDS_COMMON_Q8KBITLINEAR_H

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace ternc::backends {

/// Elements per Q8_K block (ggml's QK_K).
inline constexpr int64_t kQ8KBlock = 256;

/// Quantizes the row of `features` values that `valueAt(i)` computes to
/// Q8_K blocks (KernelAbi.h's quantize_rows_q8k). Takes the values as a
/// function so that a fused producer need not store them; it is called
/// twice per element and must return the same value both times.
template <typename ValueAt>
void quantizeRowQ8K(ValueAt valueAt, int64_t features, int8_t *q,
                    float *blockScales) {
  for (int64_t block = 0; block < features / kQ8KBlock; ++block) {
    const int64_t first = block * kQ8KBlock;
    float max = 0, amax = 0;
    for (int64_t k = first; k < first + kQ8KBlock; ++k) {
      const float value = valueAt(k);
      if (std::fabs(value) > amax) {
        amax = std::fabs(value);
        max = value;
      }
    }
    if (amax == 0) {
      std::fill(q + first, q + first + kQ8KBlock, int8_t{0});
      blockScales[block] = 0;
      continue;
    }
    const float inverseScale = -127.0f / max;
    for (int64_t k = first; k < first + kQ8KBlock; ++k)
      q[k] = static_cast<int8_t>(
          std::min(127.0f, std::nearbyint(inverseScale * valueAt(k))));
    blockScales[block] = 1 / inverseScale;
  }
}

/// KernelAbi.h's bitlinear_i2s_q8k on I2_S rows in groups of `Interleave`
/// (the table's i2s_row_interleave). Each Q8_K block is two I2_S blocks;
/// every row's block is decoded to trits once and run against all the
/// tokens, whose sums accumulate in y itself (in block order, as the
/// reference's). `IsaTag` is a type local to the instantiating translation
/// unit.
template <int64_t Interleave, typename IsaTag>
void i2sQ8KMatmul(const int8_t *q, const float *blockScales,
                  const uint8_t *weights, int64_t tokens, int64_t in,
                  int64_t rows, float weightScale, float *y, int64_t yStride) {
  constexpr int64_t kI2SBlockBytes = 32;
  const int64_t i2sBlocksPerRow = in / 128, blocks = in / kQ8KBlock;
  for (int64_t t = 0; t < tokens; ++t)
    std::fill(y + t * yStride, y + t * yStride + rows, 0.0f);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < blocks; ++b) {
      alignas(64) int8_t trits[kQ8KBlock];
      for (int64_t half = 0; half < 2; ++half) {
        const int64_t i2sBlock = 2 * b + half;
        const uint8_t *bytes =
            weights +
            (((r / Interleave) * i2sBlocksPerRow + i2sBlock) * Interleave +
             r % Interleave) *
                kI2SBlockBytes;
        int8_t *out = trits + half * 128;
        for (int64_t p = 0; p < kI2SBlockBytes; ++p)
          for (int group = 0; group < 4; ++group)
            out[group * kI2SBlockBytes + p] =
                static_cast<int8_t>(((bytes[p] >> (6 - 2 * group)) & 3) - 1);
      }
      for (int64_t t = 0; t < tokens; ++t) {
        const int8_t *activations = q + t * in + b * kQ8KBlock;
        int32_t dot = 0;
        for (int64_t k = 0; k < kQ8KBlock; ++k)
          dot += trits[k] * activations[k];
        y[t * yStride + r] += static_cast<float>(dot) *
                              (blockScales[t * blocks + b] * weightScale);
      }
    }
}

} // namespace ternc::backends

#endif // TERNC_BACKENDS_COMMON_Q8KBITLINEAR_H
