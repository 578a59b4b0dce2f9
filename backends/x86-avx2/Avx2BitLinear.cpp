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
// vpmaddwd widens them. Calls with several tokens (prefill) unpack each
// tile of rows once into a stack buffer of codes in k order (the four field
// vectors of a block are its elements in order), then every pair of tokens
// runs plain vpmaddubsw of 32 contiguous codes by 32 contiguous
// activations, each code vector serving both tokens and each activation
// vector all four rows. With trit = code - 1, the exact dot product is
// sum(code * q) - sum(q); the loop nest is backends/common/TiledMatmul.h.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx2/Avx2BitLinear.h"

#include "backends/x86-avx2/Avx2Common.h"

#include "backends/common/Q8KActivations.h"
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
  /// Two tokens a tile: 4 x 2 16-bit accumulators, and the vectors of one
  /// row and the two tokens, fit the sixteen ymm registers.
  static constexpr int kTokenTile = 2;
  /// Calls with fewer tokens stream the codes (decode is memory-bound).
  static constexpr int64_t kMinUnpackTokens = 4;
  /// Bytes of unpacked codes a row tile may hold (on the stack): four rows
  /// of 2B4T's longest (6912).
  static constexpr int64_t kUnpackedBytes = 28 * 1024;
  /// 32-code chunks whose vpmaddubsw pairs fit a 16-bit partial sum
  /// (|pair| <= 512, 32 * 512 = 16384).
  static constexpr int64_t kChunksPer16Bit = 32;

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

  /// sum(code * q) of `Rows` I2_S rows (`rowBytes` apart) with `Tokens`
  /// tokens' activations (`in` bytes apart): each row's field vectors are
  /// isolated once per block and serve every token.
  template <int Rows, int Tokens>
  static void dots(const uint8_t *w, int64_t rowBytes, const int8_t *q,
                   int64_t in, int32_t *dots) {
    const int64_t blocks = in / kI2SBlock;
    const __m256i mask = _mm256_set1_epi8(3);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i wide[Rows][Tokens];
    for (int r = 0; r < Rows; ++r)
      for (int u = 0; u < Tokens; ++u)
        wide[r][u] = _mm256_setzero_si256();
    for (int64_t first = 0; first < blocks; first += kBlocksPer16Bit) {
      const int64_t last = std::min(blocks, first + kBlocksPer16Bit);
      __m256i narrow[Rows][Tokens];
      for (int r = 0; r < Rows; ++r)
        for (int u = 0; u < Tokens; ++u)
          narrow[r][u] = _mm256_setzero_si256();
      for (int64_t b = first; b < last; ++b) {
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
          for (int u = 0; u < Tokens; ++u) {
            const __m256i *a =
                reinterpret_cast<const __m256i *>(q + u * in + b * kI2SBlock);
            __m256i sum =
                _mm256_add_epi16(_mm256_maddubs_epi16(c0, _mm256_loadu_si256(a)),
                                 _mm256_maddubs_epi16(c1, _mm256_loadu_si256(a + 1)));
            sum = _mm256_add_epi16(
                sum, _mm256_maddubs_epi16(c2, _mm256_loadu_si256(a + 2)));
            sum = _mm256_add_epi16(
                sum, _mm256_maddubs_epi16(c3, _mm256_loadu_si256(a + 3)));
            narrow[r][u] = _mm256_add_epi16(narrow[r][u], sum);
          }
        }
      }
      for (int r = 0; r < Rows; ++r)
        for (int u = 0; u < Tokens; ++u)
          wide[r][u] =
              _mm256_add_epi32(wide[r][u], _mm256_madd_epi16(narrow[r][u], ones));
    }
    for (int u = 0; u < Tokens; ++u)
      for (int r = 0; r < Rows; ++r)
        dots[u * Rows + r] = avx2HorizontalSum(wide[r][u]);
  }

  /// A tile of rows, unpacked once into codes in k order when enough tokens
  /// run against it and it fits kUnpackedBytes (prefill); else streamed.
  template <int Rows> struct RowTile {
    const uint8_t *w;
    int64_t rowBytes;
    bool unpacked;
    /// Code of row r, element k at codes[r * in + k].
    alignas(32) uint8_t codes[kUnpackedBytes];

    RowTile(const uint8_t *weights, int64_t row, int64_t rowBytes, int64_t in,
            int64_t tokens)
        : w(weights + row * rowBytes), rowBytes(rowBytes),
          unpacked(tokens >= kMinUnpackTokens && Rows * in <= kUnpackedBytes) {
      if (unpacked)
        unpack(in);
    }

    /// Field g of block byte p is element 32g + p: the four field vectors
    /// of a block are its elements in order.
    void unpack(int64_t in) {
      const __m256i mask = _mm256_set1_epi8(3);
      for (int r = 0; r < Rows; ++r)
        for (int64_t b = 0; b < in / kI2SBlock; ++b) {
          const uint8_t *block = w + r * rowBytes + b * kI2SBlockBytes;
          const __m256i bytes =
              _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block));
          __m256i *out =
              reinterpret_cast<__m256i *>(codes + r * in + b * kI2SBlock);
          _mm256_store_si256(out,
                             _mm256_and_si256(_mm256_srli_epi16(bytes, 6), mask));
          _mm256_store_si256(out + 1,
                             _mm256_and_si256(_mm256_srli_epi16(bytes, 4), mask));
          _mm256_store_si256(out + 2,
                             _mm256_and_si256(_mm256_srli_epi16(bytes, 2), mask));
          _mm256_store_si256(out + 3, _mm256_and_si256(bytes, mask));
        }
    }

    template <int Tokens>
    void dots(const int8_t *q, int64_t in, int32_t *dots) const {
      if (!unpacked) {
        Avx2I2S::dots<Rows, Tokens>(w, rowBytes, q, in, dots);
        return;
      }
      const __m256i ones = _mm256_set1_epi16(1);
      const int64_t chunks = in / 32;
      __m256i wide[Rows][Tokens];
      for (int r = 0; r < Rows; ++r)
        for (int u = 0; u < Tokens; ++u)
          wide[r][u] = _mm256_setzero_si256();
      for (int64_t first = 0; first < chunks; first += kChunksPer16Bit) {
        const int64_t last = std::min(chunks, first + kChunksPer16Bit);
        __m256i narrow[Rows][Tokens];
        for (int r = 0; r < Rows; ++r)
          for (int u = 0; u < Tokens; ++u)
            narrow[r][u] = _mm256_setzero_si256();
        for (int64_t c = first; c < last; ++c) {
          __m256i activations[Tokens];
          for (int u = 0; u < Tokens; ++u)
            activations[u] = _mm256_loadu_si256(
                reinterpret_cast<const __m256i *>(q + u * in + c * 32));
          for (int r = 0; r < Rows; ++r) {
            const __m256i code = _mm256_load_si256(
                reinterpret_cast<const __m256i *>(codes + r * in + c * 32));
            for (int u = 0; u < Tokens; ++u)
              narrow[r][u] = _mm256_add_epi16(
                  narrow[r][u], _mm256_maddubs_epi16(code, activations[u]));
          }
        }
        for (int r = 0; r < Rows; ++r)
          for (int u = 0; u < Tokens; ++u) {
            // Through an empty asm: else GCC keeps the accumulators in
            // memory, stored on every iteration (as in the AVX-512 kernel).
            __m256i sum = narrow[r][u];
            __asm__("" : "+x"(sum));
            wide[r][u] =
                _mm256_add_epi32(wide[r][u], _mm256_madd_epi16(sum, ones));
          }
      }
      for (int u = 0; u < Tokens; ++u)
        for (int r = 0; r < Rows; ++r)
          dots[u * Rows + r] = avx2HorizontalSum(wide[r][u]);
    }
  };
};

/// The trit dots of `Rows` consecutive I2_S rows (row-major, `rowBytes`
/// apart) with one Q8_K block of activations: per row and 32-byte I2_S
/// block, the four fields isolated by shift and mask line up with 32
/// consecutive activations each; vpmaddubsw products of codes (0..2) and
/// int8 summed in 16 bits (8 products of at most 2 * 128 a lane), widened
/// once; the rows' sums reduced together, minus the block's sum(q).
template <int Rows>
[[gnu::always_inline]] inline __m256i q8kBlockDots(const uint8_t *block,
                                                   int64_t rowBytes,
                                                   const __m256i *a,
                                                   int32_t activationSum) {
  const __m256i mask = _mm256_set1_epi8(3);
  const __m256i ones16 = _mm256_set1_epi16(1);
  __m256i v[8];
  for (int r = 0; r < 8; ++r) {
    if (r >= Rows) {
      v[r] = _mm256_setzero_si256();
      continue;
    }
    __m256i sum16 = _mm256_setzero_si256();
    for (int half = 0; half < 2; ++half) {
      const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(
          block + r * rowBytes + half * kI2SBlockBytes));
      const __m256i fields[4] = {
          _mm256_and_si256(_mm256_srli_epi16(bytes, 6), mask),
          _mm256_and_si256(_mm256_srli_epi16(bytes, 4), mask),
          _mm256_and_si256(_mm256_srli_epi16(bytes, 2), mask),
          _mm256_and_si256(bytes, mask)};
      for (int field = 0; field < 4; ++field)
        sum16 = _mm256_add_epi16(
            sum16, _mm256_maddubs_epi16(fields[field], a[4 * half + field]));
    }
    v[r] = _mm256_madd_epi16(sum16, ones16);
  }
  // Row r's sum in lane r.
  const __m256i h01 = _mm256_hadd_epi32(v[0], v[1]);
  const __m256i h23 = _mm256_hadd_epi32(v[2], v[3]);
  const __m256i h45 = _mm256_hadd_epi32(v[4], v[5]);
  const __m256i h67 = _mm256_hadd_epi32(v[6], v[7]);
  const __m256i h0123 = _mm256_hadd_epi32(h01, h23);
  const __m256i h4567 = _mm256_hadd_epi32(h45, h67);
  const __m256i sums =
      _mm256_add_epi32(_mm256_permute2x128_si256(h0123, h4567, 0x20),
                       _mm256_permute2x128_si256(h0123, h4567, 0x31));
  return _mm256_sub_epi32(sums, _mm256_set1_epi32(activationSum));
}

/// KernelAbi.h's bitlinear_i2s_q8k on `Rows` consecutive rows (at most 8):
/// per token and Q8_K block the rows' exact trit dots (q8kBlockDots), then
/// the f32 accumulation in lanes, one row each, blocks in order: for every
/// row the reference's operations. The rows stay in L1 while all the
/// tokens run against them.
template <int Rows>
void q8kRows(const int8_t *q, const float *blockScales, const uint8_t *weights,
             int64_t tokens, int64_t in, float weightScale, float *y,
             int64_t yStride) {
  const int64_t blocks = in / kQ8KBlock, rowBytes = in / 4;
  const __m256i ones = _mm256_set1_epi8(1);
  const __m256i ones16 = _mm256_set1_epi16(1);
  for (int64_t t = 0; t < tokens; ++t) {
    __m256 sums = _mm256_setzero_ps();
    for (int64_t b = 0; b < blocks; ++b) {
      const int8_t *activations = q + t * in + b * kQ8KBlock;
      __m256i a[8];
      __m256i sum16 = _mm256_setzero_si256();
      for (int i = 0; i < 8; ++i) {
        a[i] = _mm256_loadu_si256(
            reinterpret_cast<const __m256i *>(activations + 32 * i));
        sum16 = _mm256_add_epi16(sum16, _mm256_maddubs_epi16(ones, a[i]));
      }
      const int32_t activationSum =
          avx2HorizontalSum(_mm256_madd_epi16(sum16, ones16));
      const uint8_t *block = weights + b * 2 * kI2SBlockBytes;
      if (tokens == 1)
        for (int r = 0; r < Rows; ++r)
          prefetchAhead<Rows>(block + r * rowBytes);
      const __m256i dots =
          q8kBlockDots<Rows>(block, rowBytes, a, activationSum);
      const float scale = blockScales[t * blocks + b] * weightScale;
      sums = _mm256_add_ps(
          sums, _mm256_mul_ps(_mm256_cvtepi32_ps(dots), _mm256_set1_ps(scale)));
    }
    alignas(32) float out[8];
    _mm256_store_ps(out, sums);
    for (int r = 0; r < Rows; ++r)
      y[t * yStride + r] = out[r];
  }
}

} // namespace

void avx2_bitlinear_i2s_q8k(const int8_t *q, const float *blockScales,
                            const uint8_t *weights, int64_t tokens, int64_t in,
                            int64_t rows, float weightScale, float *y,
                            int64_t yStride) {
  int64_t first = 0;
  for (; first + 8 <= rows; first += 8)
    q8kRows<8>(q, blockScales, weights + first * in / 4, tokens, in,
               weightScale, y + first, yStride);
  for (; first < rows; ++first)
    q8kRows<1>(q, blockScales, weights + first * in / 4, tokens, in,
               weightScale, y + first, yStride);
}

void avx2_bitlinear_i2s(const int8_t *q, const float *scales,
                        const uint8_t *weights, int64_t tokens, int64_t in,
                        int64_t rows, float weightScale, float *y,
                        int64_t yStride) {
  i2sMatmul<Avx2I2S>(q, scales, weights, tokens, in, rows, weightScale, y,
                     yStride);
}
