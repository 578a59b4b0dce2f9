//===- Avx512Linear.cpp - f16 matmul on 8-row groups, AVX-512 -------------===//
//
// Compiled with the AVX-512 flags; only called once the CPU is known to have
// them.
//
// The layout and the order of the sums are the x86-avx2 kernel's
// (Avx2Linear.cpp): one 16-byte load holds element k of eight rows, and each
// row's products are summed in double, k ascending. Here the eight sums of a
// group fill one zmm of doubles, and each step is one fused multiply-add:
// the product of two f16 values (11 significant bits each) is exact in
// double, so rounding acc + w * x once is rounding the exact sum once, as
// the reference's separate multiply and add do. Eight groups run side by
// side so that eight independent additions hide the FMA latency; each step
// costs two conversions (f16 -> f32 -> f64) and the FMA, a third fewer
// instructions per weight than the AVX2 kernel, which is compute-bound on
// the LM head when the memory is fast.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx512/Avx512Linear.h"

#include "backends/common/StreamPrefetch.h"
#include "backends/x86-avx2/Avx2Linear.h"
#include "backends/x86-avx2/F16RowGroups.h"

#include <algorithm>
#include <immintrin.h>

namespace {

constexpr int64_t kGroup = kX86F16RowInterleave;
static_assert(kGroup == 8, "a group's sums fill one zmm of doubles");
/// Groups of rows summed side by side (independent FMA chains).
constexpr int kGroupsAtOnce = 8;

/// The inner loops of f16RowGroupLinear: y[r] for the `Groups` groups of
/// rows at `w` and one token's activations `x` (already rounded to f16);
/// `valid` of the groups' rows are stored.
struct GroupDots {
  template <int Groups>
  static void run(const uint16_t *w, const float *x, int64_t in, float *y,
                  int64_t valid) {
    __m512d sums[Groups];
    for (int g = 0; g < Groups; ++g)
      sums[g] = _mm512_setzero_pd();
    for (int64_t k = 0; k < in; ++k) {
      const __m512d xk = _mm512_set1_pd(static_cast<double>(x[k]));
      for (int g = 0; g < Groups; ++g) {
        const uint16_t *halves = w + (g * in + k) * kGroup;
        // One prefetch per 64-byte line: every fourth step.
        if (k % 4 == 0)
          ternc::backends::prefetchAhead<Groups>(halves);
        const __m256 weights = _mm256_cvtph_ps(
            _mm_loadu_si128(reinterpret_cast<const __m128i *>(halves)));
        sums[g] = _mm512_fmadd_pd(_mm512_cvtps_pd(weights), xk, sums[g]);
      }
    }
    for (int g = 0; g < Groups; ++g) {
      const int64_t count = std::min<int64_t>(kGroup, valid - g * kGroup);
      // The masked form: GCC 12's plain one reads an undefined register.
      const __m256 rounded =
          _mm512_mask_cvtpd_ps(_mm256_setzero_ps(), 0xFF, sums[g]);
      if (count == kGroup) {
        _mm256_storeu_ps(y + g * kGroup, rounded);
      } else {
        alignas(32) float values[kGroup];
        _mm256_store_ps(values, rounded);
        std::copy_n(values, count, y + g * kGroup);
      }
    }
  }
};

} // namespace

void avx512_linear_f16(const float *x, const uint16_t *weights, int64_t tokens,
                       int64_t in, int64_t rows, float *y, int64_t yStride,
                       float *scratch) {
  ternc::backends::f16RowGroupLinear<kGroupsAtOnce, GroupDots>(
      x, weights, tokens, in, rows, y, yStride, scratch);
}
