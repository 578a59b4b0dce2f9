//===- Avx2Q4Linear.cpp - 4-bit LM head matmul with AVX2 ------------------===//
//
// Compiled with -mavx2; only called once the CPU is known to have it.
//
// The rows are backends/common/Q4Layout.h's: one 32-byte load holds a block
// of two groups, whose low nibbles are the first group and high nibbles the
// second, each in column order, so masking (and shifting) gives the codes
// u = w + 8 in [0, 15] of 32 columns lined up with 32 activations. The codes
// are vpmaddubsw's unsigned operand as they are: a pair of u * q is at most
// 2 * 15 * 128 = 3840 in magnitude, no saturation. vphaddw adds the pairs of
// a block's two groups into sums of four columns (<= 7680 in magnitude, no
// wrap), each 64 bits four of the first group then four of the second, and
// one vpmaddwd multiplies each by its group's sub-scale (<= 255) into 32-bit
// lanes: three multiplies per block, not four (10-15% faster with the
// weights in cache on an AMD Zen 3 host). Once per eight groups and row,
// vpmaddwd of the sub-scales with q4Matmul's 8 * (sum of the group's q)
// subtracts what the 8 added: sum_g s_g * sum_k (u_k - 8) *
// q_k, the row's exact dot product (lanes wrap modulo 2^32 on the way; the
// total fits in int32 by Q4Layout.h's bound). The sub-scales of eight groups
// are widened to 16 bits once into both 128-bit lanes; vpshufb spreads them
// over the lanes. The loop nest is backends/common/TiledMatmul.h.
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

/// The `count` (<= 8) int16 at `p` in the low 128-bit half, the rest 0.
__m256i loadGroupSums(const int8_t *p, int64_t count) {
  __m128i sums = _mm_setzero_si128();
  if (count == kScaleChunk)
    sums = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
  else
    std::memcpy(&sums, p, static_cast<size_t>(count) * 2);
  return _mm256_set_m128i(_mm_setzero_si128(), sums);
}

/// The vpshufb control broadcasting 16-bit lane `j` of each 128-bit half
/// (unpacklo_epi64 of two: lane j to the low four lanes of each half and
/// the other's to the high four).
__m256i pickWord(int64_t j) {
  return _mm256_set1_epi16(static_cast<short>(0x0100 + 0x0202 * j));
}

/// The AVX2 4-bit dot products of q4Matmul.
struct Avx2Q4 : ExactRowDots {
  template <int Rows, int Tokens>
  static void dots(const uint8_t *w, int64_t rowBytes, const int8_t *q,
                   int64_t in, int32_t *dots) {
    static_assert(Tokens == 1, "kTokenTile is 1");
    const __m256i nibble = _mm256_set1_epi8(15);
    __m256i picks[kScaleChunk], blockPicks[kScaleChunk / 2];
    for (int64_t j = 0; j < kScaleChunk; ++j)
      picks[j] = pickWord(j);
    for (int64_t j = 0; j < kScaleChunk; j += 2)
      blockPicks[j / 2] = _mm256_unpacklo_epi64(picks[j], picks[j + 1]);
    const int64_t groups = in / kQ4Group;
    __m256i sums[Rows];
    for (int r = 0; r < Rows; ++r)
      sums[r] = _mm256_setzero_si256();
    for (int64_t g0 = 0; g0 < groups; g0 += kScaleChunk) {
      const int64_t count = std::min(kScaleChunk, groups - g0);
      const __m256i eightSums = loadGroupSums(q + in + g0 * 2, count);
      __m256i subScales[Rows];
      for (int r = 0; r < Rows; ++r) {
        const uint8_t *s = w + r * rowBytes + in / 2 + g0;
        if (g0 % 64 == 0)
          prefetchAhead(s);
        subScales[r] = loadSubScales(s, count);
        sums[r] = _mm256_sub_epi32(sums[r],
                                   _mm256_madd_epi16(subScales[r], eightSums));
      }
      // Groups j and j + 1 of the chunk: one block.
      auto block = [&](int64_t j) {
        const int64_t k = (g0 + j) * kQ4Group;
        const __m256i q0 =
            _mm256_loadu_si256(reinterpret_cast<const __m256i *>(q + k));
        const __m256i q1 =
            _mm256_loadu_si256(reinterpret_cast<const __m256i *>(q + k + 32));
        for (int r = 0; r < Rows; ++r) {
          const uint8_t *codes = w + r * rowBytes + k / 2;
          // One prefetch per 64-byte line: every other block.
          if (k % 128 == 0)
            prefetchAhead(codes);
          const __m256i bytes =
              _mm256_loadu_si256(reinterpret_cast<const __m256i *>(codes));
          const __m256i p0 =
              _mm256_maddubs_epi16(_mm256_and_si256(bytes, nibble), q0);
          const __m256i p1 = _mm256_maddubs_epi16(
              _mm256_and_si256(_mm256_srli_epi16(bytes, 4), nibble), q1);
          // Four columns of group j, then four of group j + 1, per 64 bits.
          const __m256i quads = _mm256_hadd_epi16(p0, p1);
          sums[r] = _mm256_add_epi32(
              sums[r],
              _mm256_madd_epi16(
                  quads, _mm256_shuffle_epi8(subScales[r], blockPicks[j / 2])));
        }
      };
      int64_t j = 0;
      if (count == kScaleChunk) {
        // The whole chunk, unrolled: picks[j] are constants.
        for (; j < kScaleChunk; j += 2)
          block(j);
      } else {
        for (; j + 2 <= count; j += 2)
          block(j);
      }
      if (j < count) {
        // The lone last group: 16 bytes, low nibbles its first 16 columns.
        const int64_t k = (g0 + j) * kQ4Group;
        const __m256i q0 =
            _mm256_loadu_si256(reinterpret_cast<const __m256i *>(q + k));
        const __m128i low = _mm256_castsi256_si128(nibble);
        for (int r = 0; r < Rows; ++r) {
          const __m128i bytes = _mm_loadu_si128(
              reinterpret_cast<const __m128i *>(w + r * rowBytes + k / 2));
          const __m256i codes =
              _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(bytes, 4), low),
                               _mm_and_si128(bytes, low));
          sums[r] = _mm256_add_epi32(
              sums[r],
              _mm256_madd_epi16(_mm256_maddubs_epi16(codes, q0),
                                _mm256_shuffle_epi8(subScales[r], picks[j])));
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
