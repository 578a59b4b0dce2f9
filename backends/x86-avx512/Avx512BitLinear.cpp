//===- Avx512BitLinear.cpp - I2_S ternary matmul with AVX-512 VNNI --------===//
//
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni; only called
// once the CPU is known to have them.
//
// A 64-byte load holds two I2_S blocks. The four 2-bit fields of each byte
// are isolated with a 16-bit shift and a mask: field g of byte p is the code
// of element 32g + p of its block, so field vector g lines up with
// activations 32g..32g+31 of the first block (low half) and of the second
// (high half), loaded as two halves. vpdpbusd multiplies the codes (0..2,
// unsigned) by the int8 activations and adds groups of four into 32-bit
// lanes exactly; each code vector serves four tokens at once. An odd last
// block uses the 256-bit form. With trit = code - 1 the dot product is
// sum(code * q) - sum(q); the loop nest is backends/common/TiledMatmul.h.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx512/Avx512BitLinear.h"

#include "backends/common/StreamPrefetch.h"
#include "backends/common/TiledMatmul.h"
#include "backends/x86-avx512/Avx512Common.h"

#include <immintrin.h>

namespace {

using namespace ternc::backends;

/// Calls `body` with each 2-bit field index 0..3 as a constant (shift counts
/// must be immediates).
template <typename Body> void forEachField(Body body) {
  body(std::integral_constant<int, 0>());
  body(std::integral_constant<int, 1>());
  body(std::integral_constant<int, 2>());
  body(std::integral_constant<int, 3>());
}

/// The AVX-512 VNNI code dot products of i2sMatmul.
struct Avx512I2S {
  static constexpr int kRowTile = 4;
  /// Each unpacked code vector serves four tokens (16 accumulators).
  static constexpr int kTokenTile = 4;

  /// sum(q): trit = code - 1.
  static int32_t correction(const int8_t *q, int64_t in) {
    return avx512ActivationSum(q, in);
  }

  template <int Rows, int Tokens>
  static void dots(const uint8_t *w, int64_t rowBytes, const int8_t *q,
                   int64_t in, int32_t *dots) {
    const int64_t blocks = in / kI2SBlock;
    const __m512i mask = _mm512_set1_epi8(3);
    __m512i sums[Rows][Tokens];
    for (int r = 0; r < Rows; ++r)
      for (int u = 0; u < Tokens; ++u)
        sums[r][u] = _mm512_setzero_si512();
    int64_t b = 0;
    for (; b + 2 <= blocks; b += 2) {
      __m512i bytes[Rows];
      for (int r = 0; r < Rows; ++r) {
        const uint8_t *line = w + r * rowBytes + b * kI2SBlockBytes;
        prefetchAhead(line);
        bytes[r] = _mm512_loadu_si512(line);
      }
      forEachField([&](auto field) {
        constexpr int g = decltype(field)::value;
        // Activations 32g.. of both blocks, for each token.
        __m512i activations[Tokens];
        for (int u = 0; u < Tokens; ++u) {
          const int8_t *first = q + u * in + b * kI2SBlock + 32 * g;
          activations[u] = _mm512_inserti64x4(
              _mm512_zextsi256_si512(_mm256_loadu_si256(
                  reinterpret_cast<const __m256i *>(first))),
              _mm256_loadu_si256(
                  reinterpret_cast<const __m256i *>(first + kI2SBlock)),
              1);
        }
        for (int r = 0; r < Rows; ++r) {
          const __m512i codes =
              _mm512_and_si512(_mm512_srli_epi16(bytes[r], 6 - 2 * g), mask);
          for (int u = 0; u < Tokens; ++u)
            sums[r][u] = _mm512_dpbusd_epi32(sums[r][u], codes, activations[u]);
        }
      });
    }
    for (int r = 0; r < Rows; ++r)
      for (int u = 0; u < Tokens; ++u)
        dots[r * Tokens + u] = _mm512_reduce_add_epi32(sums[r][u]);
    if (b == blocks)
      return;
    // An odd last block, in 256 bits.
    const __m256i narrowMask = _mm256_set1_epi8(3);
    for (int r = 0; r < Rows; ++r) {
      const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(
          w + r * rowBytes + b * kI2SBlockBytes));
      for (int u = 0; u < Tokens; ++u) {
        const __m256i *block =
            reinterpret_cast<const __m256i *>(q + u * in + b * kI2SBlock);
        __m256i sum = _mm256_setzero_si256();
        forEachField([&](auto field) {
          constexpr int g = decltype(field)::value;
          sum = _mm256_dpbusd_epi32(
              sum,
              _mm256_and_si256(_mm256_srli_epi16(bytes, 6 - 2 * g), narrowMask),
              _mm256_loadu_si256(block + g));
        });
        dots[r * Tokens + u] +=
            _mm512_reduce_add_epi32(_mm512_zextsi256_si512(sum));
      }
    }
  }
};

} // namespace

void avx512_bitlinear_i2s(const int8_t *q, const float *scales,
                          const uint8_t *weights, int64_t tokens, int64_t in,
                          int64_t rows, float weightScale, float *y,
                          int64_t yStride) {
  i2sMatmul<Avx512I2S>(q, scales, weights, tokens, in, rows, weightScale, y,
                    yStride);
}
