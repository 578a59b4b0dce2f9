//===- Q8KActivations.h - llama.cpp's Q8_K activation blocks ----*- C++ -*-===//
//
// The activation side of llama.cpp's numerics for ternary matmuls
// (docs/formats.md §7): the block size, and the quantizer behind
// KernelAbi.h's quantize_rows_q8k and rms_norm_quantize_q8k (per block of
// 256, the signed maximum, iscale = -127 / max). The matmuls that consume
// the blocks (bitlinear_i2s_q8k) are each table's own: they read its I2_S
// layout.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_COMMON_Q8KACTIVATIONS_H
#define TERNC_BACKENDS_COMMON_Q8KACTIVATIONS_H

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

} // namespace ternc::backends

#endif // TERNC_BACKENDS_COMMON_Q8KACTIVATIONS_H
