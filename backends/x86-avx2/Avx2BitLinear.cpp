//===- Avx2BitLinear.cpp - I2_S ternary matmul with AVX2 ------------------===//
//
// Compiled with -mavx2; only called once the CPU is known to have it.
//
// Per 32-byte I2_S block the four 2-bit fields of each byte are isolated
// with a 16-bit shift and a mask: field g of byte p is the code of element
// 32g + p, so each field vector lines up with 32 consecutive activations.
// vpmaddubsw multiplies the codes (0..2, unsigned) by the int8 activations
// and adds pairs (at most 2 * 2 * 128 = 512 in magnitude); up to eight
// blocks (32 such pairs, |sum| <= 16384) are summed in 16 bits before
// vpmaddwd widens them. With trit = code - 1, the exact dot product is
// sum(code * q) - sum(q); the loop nest is backends/common/TiledMatmul.h.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx2/Avx2BitLinear.h"

#include "backends/x86-avx2/Avx2Common.h"

#include "backends/common/StreamPrefetch.h"
#include "backends/common/TiledMatmul.h"

#include <algorithm>
#include <immintrin.h>

namespace {

using namespace ternc::backends;

/// Blocks whose products fit a 16-bit partial sum.
constexpr int64_t kBlocksPer16Bit = 8;

/// The AVX2 code dot products of i2sMatmul.
struct Avx2I2S {
  static constexpr int kRowTile = 4;
  /// Sixteen ymm registers leave no room to share codes among tokens.
  static constexpr int kTokenTile = 1;

  /// sum(q) over `in` int8 activations.
  static int32_t correction(const int8_t *q, int64_t in) {
    const __m256i ones8 = _mm256_set1_epi8(1);
    const __m256i ones16 = _mm256_set1_epi16(1);
    __m256i sum = _mm256_setzero_si256();
    for (int64_t i = 0; i < in; i += 32) {
      const __m256i v =
          _mm256_loadu_si256(reinterpret_cast<const __m256i *>(q + i));
      sum = _mm256_add_epi32(
          sum, _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, v), ones16));
    }
    return avx2HorizontalSum(sum);
  }

  /// sum(code * q) of `Rows` I2_S rows (`rowBytes` apart) with one token's
  /// activations.
  template <int Rows, int Tokens>
  static void dots(const uint8_t *w, int64_t rowBytes, const int8_t *q,
                   int64_t in, int32_t *dots) {
    static_assert(Tokens == 1, "kTokenTile is 1");
    const int64_t blocks = in / kI2SBlock;
    const __m256i mask = _mm256_set1_epi8(3);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i wide[Rows];
    for (int r = 0; r < Rows; ++r)
      wide[r] = _mm256_setzero_si256();
    for (int64_t first = 0; first < blocks; first += kBlocksPer16Bit) {
      const int64_t last = std::min(blocks, first + kBlocksPer16Bit);
      __m256i narrow[Rows];
      for (int r = 0; r < Rows; ++r)
        narrow[r] = _mm256_setzero_si256();
      for (int64_t b = first; b < last; ++b) {
        const __m256i *a = reinterpret_cast<const __m256i *>(q + b * kI2SBlock);
        const __m256i q0 = _mm256_loadu_si256(a),
                      q1 = _mm256_loadu_si256(a + 1),
                      q2 = _mm256_loadu_si256(a + 2),
                      q3 = _mm256_loadu_si256(a + 3);
        for (int r = 0; r < Rows; ++r) {
          const uint8_t *block = w + r * rowBytes + b * kI2SBlockBytes;
          // One prefetch per 64-byte line: every other block.
          if (b % 2 == 0)
            prefetchAhead(block);
          const __m256i bytes =
              _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block));
          const __m256i c0 =
              _mm256_and_si256(_mm256_srli_epi16(bytes, 6), mask);
          const __m256i c1 =
              _mm256_and_si256(_mm256_srli_epi16(bytes, 4), mask);
          const __m256i c2 =
              _mm256_and_si256(_mm256_srli_epi16(bytes, 2), mask);
          const __m256i c3 = _mm256_and_si256(bytes, mask);
          __m256i sum = _mm256_add_epi16(_mm256_maddubs_epi16(c0, q0),
                                         _mm256_maddubs_epi16(c1, q1));
          sum = _mm256_add_epi16(sum, _mm256_maddubs_epi16(c2, q2));
          sum = _mm256_add_epi16(sum, _mm256_maddubs_epi16(c3, q3));
          narrow[r] = _mm256_add_epi16(narrow[r], sum);
        }
      }
      for (int r = 0; r < Rows; ++r)
        wide[r] = _mm256_add_epi32(wide[r], _mm256_madd_epi16(narrow[r], ones));
    }
    for (int r = 0; r < Rows; ++r)
      dots[r] = avx2HorizontalSum(wide[r]);
  }
};

} // namespace

void avx2_bitlinear_i2s(const int8_t *q, const float *scales,
                        const uint8_t *weights, int64_t tokens, int64_t in,
                        int64_t rows, float weightScale, float *y,
                        int64_t yStride) {
  i2sMatmul<Avx2I2S>(q, scales, weights, tokens, in, rows, weightScale, y,
                     yStride);
}
