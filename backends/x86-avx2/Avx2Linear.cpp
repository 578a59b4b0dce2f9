//===- Avx2Linear.cpp - f16 matmul and embedding on 8-row groups ----------===//
//
// Compiled with -mavx2 -mf16c; only called once the CPU is known to have
// them.
//
// The reference sums each output's products in double, k ascending. With
// the weights packed in groups of eight rows interleaved element by element,
// one 16-byte load holds element k of eight rows, so the eight sums run in
// the lanes of two double vectors, each still in k order: the results are
// the reference's bit for bit. A product of two f16 values (11 significant
// bits each, between 2^-48 and 2^32 in magnitude) is exact in f32, so it is
// formed in f32 and widened, as the reference's double product would be.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx2/Avx2Linear.h"

#include "backends/common/StreamPrefetch.h"
#include "backends/x86-avx2/F16RowGroups.h"

#include <algorithm>
#include <immintrin.h>

namespace {

constexpr int64_t kGroup = kX86F16RowInterleave;
/// Groups of rows summed side by side (to hide the add latency).
constexpr int kGroupsAtOnce = 4;

/// The eight f16 lanes at `p` as f32.
__m256 loadHalves(const uint16_t *p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
}

/// The inner loops of f16RowGroupLinear: y[r] for the `Groups` groups of
/// rows at `w`, one token's rounded activations `x`; `valid` of the groups'
/// rows are stored.
struct GroupDots {
  template <int Groups>
  static void run(const uint16_t *w, const float *x, int64_t in, float *y,
                  int64_t valid) {
    __m256d low[Groups], high[Groups];
    for (int g = 0; g < Groups; ++g)
      low[g] = high[g] = _mm256_setzero_pd();
    for (int64_t k = 0; k < in; ++k) {
      const __m256 xk = _mm256_set1_ps(x[k]);
      for (int g = 0; g < Groups; ++g) {
        const uint16_t *halves = w + (g * in + k) * kGroup;
        // One prefetch per 64-byte line: every fourth step.
        if (k % 4 == 0)
          ternc::backends::prefetchAhead<Groups>(halves);
        const __m256 products = _mm256_mul_ps(loadHalves(halves), xk);
        low[g] = _mm256_add_pd(
            low[g], _mm256_cvtps_pd(_mm256_castps256_ps128(products)));
        high[g] = _mm256_add_pd(
            high[g], _mm256_cvtps_pd(_mm256_extractf128_ps(products, 1)));
      }
    }
    for (int g = 0; g < Groups; ++g) {
      alignas(32) double sums[kGroup];
      _mm256_store_pd(sums, low[g]);
      _mm256_store_pd(sums + 4, high[g]);
      for (int64_t r = 0; r < std::min<int64_t>(kGroup, valid - g * kGroup);
           ++r)
        y[g * kGroup + r] = static_cast<float>(sums[r]);
    }
  }
};

} // namespace

void avx2_linear_f16(const float *x, const uint16_t *weights, int64_t tokens,
                     int64_t in, int64_t rows, float *y, int64_t yStride,
                     float *scratch) {
  ternc::backends::f16RowGroupLinear<kGroupsAtOnce, GroupDots>(
      x, weights, tokens, in, rows, y, yStride, scratch);
}

void avx2_embed_f16(const uint16_t *table, const int32_t *ids, int64_t tokens,
                    int64_t features, float *y) {
  for (int64_t t = 0; t < tokens; ++t) {
    const int64_t id = ids[t];
    const uint16_t *group = table + (id / kGroup) * kGroup * features;
    for (int64_t k = 0; k < features; ++k)
      y[t * features + k] = _cvtsh_ss(group[k * kGroup + id % kGroup]);
  }
}
