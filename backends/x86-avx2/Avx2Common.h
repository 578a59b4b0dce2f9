//===- Avx2Common.h - Helpers of the AVX2 translation units ----*- C++ -*-===//
//
// Included only by translation units compiled with -mavx2 -mf16c.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_X86_AVX2_AVX2COMMON_H
#define TERNC_BACKENDS_X86_AVX2_AVX2COMMON_H

#include <cstdint>
#include <immintrin.h>

/// The sum of the eight int32 lanes of `v`.
inline int32_t avx2HorizontalSum(__m256i v) {
  __m128i sum =
      _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(1, 0, 3, 2)));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(sum);
}

/// y[i] = x[i] rounded to the nearest f16 (ties to even) and widened back,
/// for i < count (F16C); y may be x.
inline void avx2RoundToHalves(const float *x, int64_t count, float *y) {
  int64_t i = 0;
  for (; i + 8 <= count; i += 8)
    _mm256_storeu_ps(
        y + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(x + i),
                                               _MM_FROUND_TO_NEAREST_INT)));
  for (; i < count; ++i)
    y[i] = _cvtsh_ss(_cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT));
}

#endif // TERNC_BACKENDS_X86_AVX2_AVX2COMMON_H
