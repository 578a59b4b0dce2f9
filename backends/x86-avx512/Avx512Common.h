//===- Avx512Common.h - Helpers of the AVX-512 units ------------*- C++ -*-===//
//
// Included only by translation units compiled with the AVX-512 flags.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_X86_AVX512_AVX512COMMON_H
#define TERNC_BACKENDS_X86_AVX512_AVX512COMMON_H

#include <cstdint>
#include <immintrin.h>

/// The mask of the bytes [k, min(k + 64, count)) of a row of `count` bytes.
inline __mmask64 avx512TailMask(int64_t k, int64_t count) {
  const int64_t left = count - k;
  return left >= 64 ? ~__mmask64(0) : (__mmask64(1) << left) - 1;
}

/// sum(q) over `count` int8 activations (vpdpbusd with ones).
inline int32_t avx512ActivationSum(const int8_t *q, int64_t count) {
  const __m512i ones = _mm512_set1_epi8(1);
  __m512i sum = _mm512_setzero_si512();
  for (int64_t k = 0; k < count; k += 64)
    sum = _mm512_dpbusd_epi32(
        sum, ones, _mm512_maskz_loadu_epi8(avx512TailMask(k, count), q + k));
  return _mm512_reduce_add_epi32(sum);
}

#endif // TERNC_BACKENDS_X86_AVX512_AVX512COMMON_H
