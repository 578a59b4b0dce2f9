//===- Avx2Int8Linear.cpp - Row-scaled int8 matmul with AVX2 --------------===//
//
// Compiled with -mavx2; only called once the CPU is known to have it.
//
// vpmaddubsw multiplies unsigned by signed bytes, so the sign of each
// activation moves onto the weight: |q| (128 for -128, read as unsigned) times
// sign(q) * w (|w| <= 127, so negating never overflows) is q * w, and a pair
// of such products is at most 2 * 128 * 127 = 32512 in magnitude: no
// saturation. vpmaddwd widens each 32-byte step to 32 bits; a tail shorter
// than 32 bytes is summed in scalar code. The loop nest is
// backends/common/TiledMatmul.h.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx2/Avx2Int8Linear.h"

#include "backends/common/StreamPrefetch.h"
#include "backends/common/TiledMatmul.h"
#include "backends/x86-avx2/Avx2Common.h"

namespace {

using namespace ternc::backends;

/// The AVX2 int8 dot products of int8Matmul.
struct Avx2Int8 : ExactRowDots {
  template <int Rows, int Tokens>
  static void dots(const uint8_t *w, int64_t rowBytes, const int8_t *q,
                   int64_t in, int32_t *dots) {
    static_assert(Tokens == 1, "kTokenTile is 1");
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i sums[Rows];
    for (int r = 0; r < Rows; ++r)
      sums[r] = _mm256_setzero_si256();
    int64_t k = 0;
    for (; k + 32 <= in; k += 32) {
      const __m256i activations =
          _mm256_loadu_si256(reinterpret_cast<const __m256i *>(q + k));
      const __m256i magnitudes = _mm256_abs_epi8(activations);
      for (int r = 0; r < Rows; ++r) {
        // One prefetch per 64-byte line: every other step.
        if (k % 64 == 0)
          prefetchAhead(w + r * rowBytes + k);
        const __m256i weights = _mm256_loadu_si256(
            reinterpret_cast<const __m256i *>(w + r * rowBytes + k));
        const __m256i pairs = _mm256_maddubs_epi16(
            magnitudes, _mm256_sign_epi8(weights, activations));
        sums[r] = _mm256_add_epi32(sums[r], _mm256_madd_epi16(pairs, ones));
      }
    }
    for (int r = 0; r < Rows; ++r) {
      const int8_t *row = reinterpret_cast<const int8_t *>(w + r * rowBytes);
      int32_t dot = avx2HorizontalSum(sums[r]);
      for (int64_t tail = k; tail < in; ++tail)
        dot += row[tail] * q[tail];
      dots[r] = dot;
    }
  }
};

} // namespace

void avx2_linear_i8(const int8_t *q, const float *scales, const int8_t *weights,
                    const float *rowScales, int64_t tokens, int64_t in,
                    int64_t rows, float *y, int64_t yStride) {
  int8Matmul<Avx2Int8>(q, scales, weights, rowScales, tokens, in, rows, y,
                       yStride);
}
