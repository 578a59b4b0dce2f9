//===- Avx512Int8Linear.cpp - Row-scaled int8 matmul, AVX-512 VNNI --------===//
//
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni; only called
// once the CPU is known to have them.
//
// vpdpbusd multiplies unsigned by signed bytes and adds groups of four into
// 32-bit lanes exactly. Flipping the top bit of a signed weight w gives the
// unsigned byte w + 128, so sum((w + 128) * q) - 128 * sum(q) is the dot
// product; 128 * sum(q) is computed once per token. Each weight vector
// serves four tokens. The last partial 64 bytes of a row are loaded under a
// mask (zero weights and activations beyond the row: (0 + 128) * 0 adds
// nothing). The loop nest is backends/common/TiledMatmul.h.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx512/Avx512Int8Linear.h"

#include "backends/common/StreamPrefetch.h"
#include "backends/common/TiledMatmul.h"
#include "backends/x86-avx512/Avx512Common.h"

#include <immintrin.h>

namespace {

using namespace ternc::backends;

/// The AVX-512 VNNI int8 dot products of int8Matmul.
struct Avx512Int8 {
  static constexpr int kRowTile = 4;
  static constexpr int kTokenTile = 4;

  /// 128 * sum(q): what the weights' +128 bias adds to each dot product.
  static int32_t correction(const int8_t *q, int64_t in) {
    return 128 * avx512ActivationSum(q, in);
  }

  template <int Rows, int Tokens>
  static void dots(const uint8_t *w, int64_t rowBytes, const int8_t *q,
                   int64_t in, int32_t *dots) {
    const __m512i bias = _mm512_set1_epi8(static_cast<char>(0x80));
    __m512i sums[Rows][Tokens];
    for (int r = 0; r < Rows; ++r)
      for (int u = 0; u < Tokens; ++u)
        sums[r][u] = _mm512_setzero_si512();
    for (int64_t k = 0; k < in; k += 64) {
      const __mmask64 mask = avx512TailMask(k, in);
      __m512i activations[Tokens];
      for (int u = 0; u < Tokens; ++u)
        activations[u] = _mm512_maskz_loadu_epi8(mask, q + u * in + k);
      for (int r = 0; r < Rows; ++r) {
        prefetchAhead(w + r * rowBytes + k);
        const __m512i biased = _mm512_xor_si512(
            _mm512_maskz_loadu_epi8(mask, w + r * rowBytes + k), bias);
        for (int u = 0; u < Tokens; ++u)
          sums[r][u] = _mm512_dpbusd_epi32(sums[r][u], biased, activations[u]);
      }
    }
    for (int r = 0; r < Rows; ++r)
      for (int u = 0; u < Tokens; ++u)
        dots[u * Rows + r] = _mm512_reduce_add_epi32(sums[r][u]);
  }
};

} // namespace

void avx512_linear_i8(const int8_t *q, const float *scales,
                      const int8_t *weights, const float *rowScales,
                      int64_t tokens, int64_t in, int64_t rows, float *y,
                      int64_t yStride) {
  int8Matmul<Avx512Int8>(q, scales, weights, rowScales, tokens, in, rows, y,
                         yStride);
}
