//===- TritDensity.cpp - A 1.6-bit ternary layout (decode study) ----------===//

#include "bench/TritDensity.h"

#include <immintrin.h>

#include <random>

namespace ternc::bench {
namespace {

/// kDigits[i][v]: digit i (place value 3^i) of the byte v < 243; 0 above.
struct DigitTables {
  alignas(64) uint8_t digits[5][256];
  DigitTables() {
    for (int v = 0; v < 256; ++v) {
      int rest = v < 243 ? v : 0;
      for (int i = 0; i < 5; ++i, rest /= 3)
        digits[i][v] = static_cast<uint8_t>(rest % 3);
    }
  }
};
const DigitTables kDigits;

} // namespace

bool tritDensitySupported() {
  return __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vnni") &&
         __builtin_cpu_supports("avx512vbmi");
}

std::vector<uint8_t> randomFiveTritBytes(int64_t count, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<uint8_t> bytes(static_cast<size_t>(count / 5));
  for (uint8_t &byte : bytes)
    byte = static_cast<uint8_t>(random() % 243);
  return bytes;
}

int fiveTritCode(const uint8_t *row, int64_t k) {
  const int64_t block = k / kFiveTritBlock, digit = k % kFiveTritBlock / 64;
  return kDigits.digits[digit][row[block * 64 + k % 64]];
}

void fiveTritDots(const uint8_t *weights, int64_t rows, int64_t in,
                  const int8_t *q, int32_t *dots) {
  // The 20 tables stay in registers: 4 zmm of 64 entries per digit.
  __m512i tables[5][4];
  for (int i = 0; i < 5; ++i)
    for (int part = 0; part < 4; ++part)
      tables[i][part] = _mm512_load_si512(kDigits.digits[i] + 64 * part);
  const int64_t blocks = in / kFiveTritBlock;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t *row = weights + r * (in / 5);
    // Two accumulators: consecutive multiply-adds do not wait on each other.
    __m512i even = _mm512_setzero_si512(), odd = _mm512_setzero_si512();
    for (int64_t b = 0; b < blocks; ++b) {
      __builtin_prefetch(row + b * 64 + 4096, 0, 3);
      const __m512i codes = _mm512_loadu_si512(row + b * 64);
      // Bytes 128..242 index the upper tables.
      const __mmask64 upper = _mm512_movepi8_mask(codes);
      for (int i = 0; i < 5; ++i) {
        const __m512i low =
            _mm512_permutex2var_epi8(tables[i][0], codes, tables[i][1]);
        const __m512i high =
            _mm512_permutex2var_epi8(tables[i][2], codes, tables[i][3]);
        const __m512i digit = _mm512_mask_blend_epi8(upper, low, high);
        const __m512i activations =
            _mm512_loadu_si512(q + b * kFiveTritBlock + 64 * i);
        if (i % 2)
          odd = _mm512_dpbusd_epi32(odd, digit, activations);
        else
          even = _mm512_dpbusd_epi32(even, digit, activations);
      }
    }
    dots[r] = _mm512_reduce_add_epi32(_mm512_add_epi32(even, odd));
  }
}

} // namespace ternc::bench
