//===- Avx512Q4Linear.cpp - 4-bit LM head matmul, AVX-512 -----------------===//
//
// Compiled with the AVX-512 flags; only called once the CPU is known to have
// them (this kernel needs AVX-512 BW).
//
// The scheme of Avx2Q4Linear.cpp on 64 columns at once: a block's 32 bytes
// are broadcast to both 256-bit halves and the upper half shifted right by
// 4, so masking gives the codes u = w + 8 of the block's two groups in
// column order, the first in the low half and the second in the high half,
// lined up with 64 activations. vpmaddubsw multiplies them, unsigned, by the
// activations (a pair at most 3840 in magnitude) and vpdpwssd (VNNI) adds
// each pair sum times its group's sub-scale (vpshufb picks the low group's
// in the low half, the high group's in the high half) into 32-bit lanes.
// Once per eight groups and row, vpmaddwd of the sub-scales with
// q4Matmul's 8 * (sum of the group's q) subtracts what the 8 added: the
// row's exact dot product (lanes wrap modulo 2^32 on the way; the total fits
// in int32 by Q4Layout.h's bound). The loop nest is
// backends/common/TiledMatmul.h.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx512/Avx512Q4Linear.h"

#include "backends/common/StreamPrefetch.h"
#include "backends/common/TiledMatmul.h"

#include <immintrin.h>

namespace {

using namespace ternc::backends;

/// Groups whose sub-scales one vector holds.
constexpr int64_t kScaleChunk = 8;

/// The `count` (<= 8) sub-scales at `s` as 16-bit lanes, the same eight in
/// every 128-bit quarter (lanes past count are 0).
__m512i loadSubScales(const uint8_t *s, int64_t count) {
  const auto mask = static_cast<__mmask16>((1u << count) - 1);
  return _mm512_broadcast_i32x4(
      _mm_cvtepu8_epi16(_mm_maskz_loadu_epi8(mask, s)));
}

/// The vpshufb control broadcasting 16-bit lane `low` of each 128-bit
/// quarter in the low 256 bits and lane `high` in the high 256 bits.
__m512i pickWords(int64_t low, int64_t high) {
  auto control = [](int64_t j) {
    return _mm256_set1_epi16(static_cast<short>(0x0100 + 0x0202 * j));
  };
  return _mm512_inserti64x4(_mm512_castsi256_si512(control(low)), control(high),
                            1);
}

/// The `count` (<= 8) int16 at `p` in the low 128 bits, the rest 0.
__m512i loadGroupSums(const int8_t *p, int64_t count) {
  const auto mask = static_cast<__mmask8>((1u << count) - 1);
  return _mm512_zextsi128_si512(_mm_maskz_loadu_epi16(mask, p));
}

/// The AVX-512 4-bit dot products of q4Matmul.
struct Avx512Q4 : ExactRowDots {
  template <int Rows, int Tokens>
  static void dots(const uint8_t *w, int64_t rowBytes, const int8_t *q,
                   int64_t in, int32_t *dots) {
    static_assert(Tokens == 1, "kTokenTile is 1");
    const __m512i nibble = _mm512_set1_epi8(15);
    // The 16-bit lanes of the high 256 bits.
    const __mmask32 highHalf = 0xFFFF0000u;
    __m512i picks[kScaleChunk / 2];
    for (int64_t j = 0; j < kScaleChunk / 2; ++j)
      picks[j] = pickWords(2 * j, 2 * j + 1);
    const int64_t groups = in / kQ4Group;
    __m512i sums[Rows];
    for (int r = 0; r < Rows; ++r)
      sums[r] = _mm512_setzero_si512();
    for (int64_t g0 = 0; g0 < groups; g0 += kScaleChunk) {
      const int64_t count = std::min(kScaleChunk, groups - g0);
      const __m512i eightSums = loadGroupSums(q + in + g0 * 2, count);
      __m512i subScales[Rows];
      for (int r = 0; r < Rows; ++r) {
        const uint8_t *s = w + r * rowBytes + in / 2 + g0;
        if (g0 % 64 == 0)
          prefetchAhead(s);
        subScales[r] = loadSubScales(s, count);
        sums[r] = _mm512_sub_epi32(sums[r],
                                   _mm512_madd_epi16(subScales[r], eightSums));
      }
      // Groups j and j + 1 of the chunk: one block.
      auto block = [&](int64_t j) {
        const int64_t k = (g0 + j) * kQ4Group;
        const __m512i activations = _mm512_loadu_si512(q + k);
        for (int r = 0; r < Rows; ++r) {
          const uint8_t *codes = w + r * rowBytes + k / 2;
          // One prefetch per 64-byte line: every other block.
          if (k % 128 == 0)
            prefetchAhead(codes);
          const __m512i bytes = _mm512_broadcast_i64x4(
              _mm256_loadu_si256(reinterpret_cast<const __m256i *>(codes)));
          const __m512i u = _mm512_and_si512(
              _mm512_mask_srli_epi16(bytes, highHalf, bytes, 4), nibble);
          sums[r] = _mm512_dpwssd_epi32(
              sums[r], _mm512_maddubs_epi16(u, activations),
              _mm512_shuffle_epi8(subScales[r], picks[j / 2]));
        }
      };
      int64_t j = 0;
      if (count == kScaleChunk) {
        // The whole chunk, unrolled: picks[j / 2] are constants.
        for (; j < kScaleChunk; j += 2)
          block(j);
      } else {
        for (; j + 2 <= count; j += 2)
          block(j);
      }
      if (j < count) {
        // The lone last group: 16 bytes, low nibbles its first 16 columns;
        // the high 256 bits are codes 0.
        const int64_t k = (g0 + j) * kQ4Group;
        const __m512i activations = _mm512_maskz_loadu_epi8(0xFFFFFFFFu, q + k);
        const __m128i low = _mm_set1_epi8(15);
        for (int r = 0; r < Rows; ++r) {
          const __m128i bytes = _mm_loadu_si128(
              reinterpret_cast<const __m128i *>(w + r * rowBytes + k / 2));
          const __m256i u =
              _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(bytes, 4), low),
                               _mm_and_si128(bytes, low));
          sums[r] = _mm512_dpwssd_epi32(
              sums[r],
              _mm512_maddubs_epi16(_mm512_zextsi256_si512(u), activations),
              _mm512_shuffle_epi8(subScales[r], pickWords(j, j)));
        }
      }
    }
    for (int r = 0; r < Rows; ++r)
      dots[r] = _mm512_reduce_add_epi32(sums[r]);
  }
};

} // namespace

void avx512_linear_q4(const int8_t *q, const float *scales,
                      const uint8_t *weights, const float *rowScales,
                      int64_t tokens, int64_t in, int64_t rows, float *y,
                      int64_t yStride) {
  q4Matmul<Avx512Q4>(q, scales, weights, rowScales, tokens, in, rows, y,
                     yStride);
}
