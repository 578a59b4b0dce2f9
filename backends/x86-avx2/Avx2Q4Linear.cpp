//===- Avx2Q4Linear.cpp - 4-bit LM head matmul with AVX2 ------------------===//
//
// Compiled with -mavx2; only called once the CPU is known to have it.
//
// The rows are backends/common/Q4Layout.h's: one 32-byte load holds a block
// of two groups, whose low nibbles are the first group and high nibbles the
// second, each in column order, so masking, shifting and subtracting 8 gives
// 32 signed weights lined up with 32 activations. As in Avx2Int8Linear.cpp
// the activations' signs move onto the weights for vpmaddubsw: |q| <= 128
// times sign(q) * w (|w| <= 8) summed in pairs is at most 2048 in magnitude.
// vpmaddwd then multiplies each pair sum by its group's sub-scale (<= 255)
// and adds pairs into 32-bit lanes: per group exact, and the row's sum is
// exact in int32 by Q4Layout.h's bound. The sub-scales of eight groups are
// widened to 16 bits once into both 128-bit lanes; vpshufb broadcasts one
// group's. The loop nest is backends/common/TiledMatmul.h.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx2/Avx2Q4Linear.h"

#include "backends/common/StreamPrefetch.h"
#include "backends/common/TiledMatmul.h"
#include "backends/x86-avx2/Avx2Common.h"

#include <cstring>

namespace {

using namespace ternc::backends;

/// Groups whose sub-scales one vector holds.
constexpr int64_t kScaleChunk = 8;

/// The `count` (<= 8) sub-scales at `s` as 16-bit lanes, the same eight in
/// both 128-bit halves (lanes past count are 0).
__m256i loadSubScales(const uint8_t *s, int64_t count) {
  uint64_t bytes = 0;
  if (count == kScaleChunk)
    std::memcpy(&bytes, s, kScaleChunk);
  else
    std::memcpy(&bytes, s, count);
  return _mm256_broadcastsi128_si256(
      _mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(bytes))));
}

/// The vpshufb control broadcasting 16-bit lane `j` of each 128-bit half.
__m256i pickWord(int64_t j) {
  return _mm256_set1_epi16(static_cast<short>(0x0100 + 0x0202 * j));
}

/// The AVX2 4-bit dot products of q4Matmul.
struct Avx2Q4 {
  static constexpr int kRowTile = 4;
  static constexpr int kTokenTile = 1;

  /// The products are exact: nothing to correct.
  static int32_t correction(const int8_t *, int64_t) { return 0; }

  template <int Rows, int Tokens>
  static void dots(const uint8_t *w, int64_t rowBytes, const int8_t *q,
                   int64_t in, int32_t *dots) {
    static_assert(Tokens == 1, "kTokenTile is 1");
    const __m256i nibble = _mm256_set1_epi8(15);
    const __m256i eight = _mm256_set1_epi8(8);
    __m256i picks[kScaleChunk];
    for (int64_t j = 0; j < kScaleChunk; ++j)
      picks[j] = pickWord(j);
    const int64_t groups = in / kQ4Group;
    __m256i sums[Rows];
    for (int r = 0; r < Rows; ++r)
      sums[r] = _mm256_setzero_si256();
    for (int64_t g0 = 0; g0 < groups; g0 += kScaleChunk) {
      const int64_t count = std::min(kScaleChunk, groups - g0);
      __m256i subScales[Rows];
      for (int r = 0; r < Rows; ++r) {
        const uint8_t *s = w + r * rowBytes + in / 2 + g0;
        if (g0 % 64 == 0)
          prefetchAhead(s);
        subScales[r] = loadSubScales(s, count);
      }
      int64_t j = 0;
      for (; j + 2 <= count; j += 2) {
        const int64_t k = (g0 + j) * kQ4Group;
        const __m256i q0 =
            _mm256_loadu_si256(reinterpret_cast<const __m256i *>(q + k));
        const __m256i q1 =
            _mm256_loadu_si256(reinterpret_cast<const __m256i *>(q + k + 32));
        const __m256i m0 = _mm256_abs_epi8(q0), m1 = _mm256_abs_epi8(q1);
        for (int r = 0; r < Rows; ++r) {
          const uint8_t *block = w + r * rowBytes + k / 2;
          // One prefetch per 64-byte line: every other block.
          if (k % 128 == 0)
            prefetchAhead(block);
          const __m256i bytes =
              _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block));
          const __m256i w0 =
              _mm256_sub_epi8(_mm256_and_si256(bytes, nibble), eight);
          const __m256i w1 = _mm256_sub_epi8(
              _mm256_and_si256(_mm256_srli_epi16(bytes, 4), nibble), eight);
          const __m256i p0 = _mm256_maddubs_epi16(m0, _mm256_sign_epi8(w0, q0));
          const __m256i p1 = _mm256_maddubs_epi16(m1, _mm256_sign_epi8(w1, q1));
          const __m256i s0 = _mm256_shuffle_epi8(subScales[r], picks[j]);
          const __m256i s1 = _mm256_shuffle_epi8(subScales[r], picks[j + 1]);
          sums[r] = _mm256_add_epi32(
              sums[r], _mm256_add_epi32(_mm256_madd_epi16(p0, s0),
                                        _mm256_madd_epi16(p1, s1)));
        }
      }
      if (j < count) {
        // The lone last group: 16 bytes, low nibbles its first 16 columns.
        const int64_t k = (g0 + j) * kQ4Group;
        const __m256i q0 =
            _mm256_loadu_si256(reinterpret_cast<const __m256i *>(q + k));
        const __m256i m0 = _mm256_abs_epi8(q0);
        for (int r = 0; r < Rows; ++r) {
          const __m128i bytes = _mm_loadu_si128(
              reinterpret_cast<const __m128i *>(w + r * rowBytes + k / 2));
          const __m128i low = _mm256_castsi256_si128(nibble);
          const __m256i w0 = _mm256_sub_epi8(
              _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(bytes, 4), low),
                               _mm_and_si128(bytes, low)),
              eight);
          const __m256i p0 = _mm256_maddubs_epi16(m0, _mm256_sign_epi8(w0, q0));
          sums[r] = _mm256_add_epi32(
              sums[r], _mm256_madd_epi16(
                           p0, _mm256_shuffle_epi8(subScales[r], picks[j])));
        }
      }
    }
    for (int r = 0; r < Rows; ++r)
      dots[r] = avx2HorizontalSum(sums[r]);
  }
};

} // namespace

void avx2_linear_q4(const int8_t *q, const float *scales,
                    const uint8_t *weights, const float *rowScales,
                    int64_t tokens, int64_t in, int64_t rows, float *y,
                    int64_t yStride) {
  q4Matmul<Avx2Q4>(q, scales, weights, rowScales, tokens, in, rows, y, yStride);
}
