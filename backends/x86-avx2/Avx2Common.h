//===- Avx2Common.h - Helpers of the AVX2 translation units ----*- C++ -*-===//
//
// Included only by translation units compiled with -mavx2.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_X86_AVX2_AVX2COMMON_H
#define TERNC_BACKENDS_X86_AVX2_AVX2COMMON_H

#include <cstdint>
#include <immintrin.h>

/// The sum of the eight int32 lanes of `v`.
inline int32_t avx2HorizontalSum(__m256i v) {
  __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(v),
                              _mm256_extracti128_si256(v, 1));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(1, 0, 3, 2)));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(sum);
}

#endif // TERNC_BACKENDS_X86_AVX2_AVX2COMMON_H
