//===- Avx512BitLinear.cpp - I2_S ternary matmul with AVX-512 VNNI --------===//
//
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni; only called
// once the CPU is known to have them.
//
// Calls with several tokens (prefill) unpack each tile of rows once into a
// stack buffer of codes in k order (field g of block byte p is the code of
// element 32g + p: shift, mask and store, with the 128-bit lanes of two
// blocks' field vectors regrouped), then every token tile is plain
// vpdpbusd of 64 contiguous codes (0..2, unsigned) by 64 contiguous int8
// activations, each code vector serving all the tile's tokens and each
// activation vector all its rows; the accumulators are reduced together by
// a transposing tree. Decode (one token) and rows too long for the buffer
// stream the codes instead, with no shifts: each 32-byte block is broadcast
// to both halves of a vector and masked to bits 7:6 | 5:4, which line up
// with the block's first 64 activations as they lie in memory, and to bits
// 3:2 | 1:0, which line up with the next 64. The masked codes keep their
// place values (64 and 16, 4 and 1), undone per lane by exact arithmetic
// shifts once the products are summed; decode takes 12 rows a tile. On an
// AMD EPYC (Zen 5) host this took decode from 45-55% of the read
// probe to 75-85% (2 threads). vpdpbusd adds groups of four
// products into 32-bit lanes exactly. With trit = code - 1 the dot product is
// sum(code * q) - sum(q); the loop nest is backends/common/TiledMatmul.h.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx512/Avx512BitLinear.h"

#include "backends/common/Q8KActivations.h"
#include "backends/common/StreamPrefetch.h"
#include "backends/common/TiledMatmul.h"
#include "backends/x86-avx512/Avx512Common.h"

#include <algorithm>
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

/// sum(v[i]) in lane i for i < Count <= 16 (a transposing tree: 45 vector
/// operations for 16 sums instead of 16 reductions of 9).
template <int Count>
[[gnu::always_inline]] inline __m512i reduce16(const __m512i *v) {
  auto at = [&](int i) [[gnu::always_inline]] {
    return i < Count ? v[i] : _mm512_setzero_si512();
  };
  // Per 128-bit lane: [a, b, a, b] partial sums of vectors 2j, 2j + 1.
  __m512i pairs[8];
  for (int j = 0; j < 8; ++j) {
    const __m512i a = at(2 * j), b = at(2 * j + 1);
    pairs[j] = _mm512_add_epi32(_mm512_unpacklo_epi32(a, b),
                                _mm512_unpackhi_epi32(a, b));
  }
  // Per 128-bit lane: partial sums of vectors 4j..4j + 3.
  __m512i quads[4];
  for (int j = 0; j < 4; ++j)
    quads[j] =
        _mm512_add_epi32(_mm512_unpacklo_epi64(pairs[2 * j], pairs[2 * j + 1]),
                         _mm512_unpackhi_epi64(pairs[2 * j], pairs[2 * j + 1]));
  // Add the 128-bit lanes: twice, pairing lanes 0 + 1 and 2 + 3.
  auto fold = [](__m512i x, __m512i y) [[gnu::always_inline]] {
    return _mm512_add_epi32(_mm512_shuffle_i64x2(x, y, 0x88),
                            _mm512_shuffle_i64x2(x, y, 0xDD));
  };
  return fold(fold(quads[0], quads[1]), fold(quads[2], quads[3]));
}

/// out[i] = sum(v[i]) for i < Count.
template <int Count>
[[gnu::always_inline]] inline void reduceAll(const __m512i *v, int32_t *out) {
  if constexpr (Count >= 16) {
    _mm512_storeu_si512(out, reduce16<16>(v));
    reduceAll<Count - 16>(v + 16, out + 16);
  } else if constexpr (Count > 0) {
    _mm512_mask_storeu_epi32(out, (__mmask16(1) << Count) - 1,
                             reduce16<Count>(v));
  }
}

/// The AVX-512 VNNI code dot products of i2sMatmul, for I2_S rows laid out
/// as KernelAbi.h's i2s_row_interleave = Group says (1: rows consecutive).
template <int Group> struct Avx512I2S {
  static_assert(Group == 1 || Group == kAvx512I2SRowInterleave,
                "decode streams whole groups of kAvx512I2SRowInterleave rows");
  /// Unpacked, a 5 x 5 tile takes 25 accumulators, 5 code vectors and one
  /// activation vector (measured against 4 x 6, 8 x 3 and 3 x 8: best).
  static constexpr int kRowTile = 5;
  static constexpr int kTokenTile = 5;
  /// Decode streams 12 consecutive rows side by side (24 accumulators),
  /// prefetching the next tile: on an AMD EPYC (Zen 5) host two threads
  /// read 35-37 GB/s with 5 rows, 38-41 with 8 or 10 and 41-43 with 12
  /// (prefetching 8 KiB ahead), then 43-46 prefetching the next tile.
  /// Interleaved rows stream one group at a time (streamedGroupDots).
  static constexpr int kDecodeRowTile = Group == 1 ? 12 : Group;
  /// Calls with fewer tokens stream the codes (decode is memory-bound).
  static constexpr int64_t kMinUnpackTokens = 4;
  /// Bytes of unpacked codes a row tile may hold (on the stack).
  static constexpr int64_t kUnpackedBytes = 64 * 1024;
  /// Bytes from one block of a row to its next.
  static constexpr int64_t kBlockStride = Group * kI2SBlockBytes;

  /// Block 0 of row `row` of the matrix at `weights`.
  static const uint8_t *rowStart(const uint8_t *weights, int64_t row,
                                 int64_t rowBytes) {
    return weights + row / Group * Group * rowBytes +
           row % Group * kI2SBlockBytes;
  }

  /// sum(q): trit = code - 1.
  static int32_t correction(const int8_t *q, int64_t in) {
    return avx512ActivationSum(q, in);
  }

  /// Streamed dots with at most 24 accumulators (two per row and token):
  /// larger tiles are split. `rows[r]` is block 0 of row r (rows of
  /// `rowBytes` bytes each).
  template <int Rows, int Tokens>
  static void splitStreamedDots(const uint8_t *const *rows, int64_t rowBytes,
                                const int8_t *q, int64_t in, int32_t *dots) {
    if constexpr (Tokens > 4) {
      // Token-major: the first four tokens' dots, then the rest.
      splitStreamedDots<Rows, 4>(rows, rowBytes, q, in, dots);
      splitStreamedDots<Rows, Tokens - 4>(rows, rowBytes, q + 4 * in, in,
                                          dots + 4 * Rows);
    } else if constexpr (Rows * Tokens > 12) {
      constexpr int kHalf = Rows / 2;
      int32_t first[kHalf * Tokens], rest[(Rows - kHalf) * Tokens];
      splitStreamedDots<kHalf, Tokens>(rows, rowBytes, q, in, first);
      splitStreamedDots<Rows - kHalf, Tokens>(rows + kHalf, rowBytes, q, in,
                                              rest);
      for (int u = 0; u < Tokens; ++u)
        for (int r = 0; r < Rows; ++r)
          dots[u * Rows + r] = r < kHalf ? first[u * kHalf + r]
                                         : rest[u * (Rows - kHalf) + r - kHalf];
    } else {
      streamedDots<Rows, Tokens>(rows, rowBytes, q, in, dots);
    }
  }

  /// A tile of rows, unpacked once into codes in k order when enough tokens
  /// run against it and it fits kUnpackedBytes; else streamed per token tile.
  template <int Rows> struct RowTile {
    /// Block 0 of each row of the tile.
    const uint8_t *rows[Rows];
    int64_t rowBytes;
    /// Whether the tile is one whole group of interleaved rows.
    bool wholeGroup;
    bool unpacked;
    /// Code of row r, element k at codes[r * in + k].
    alignas(64) uint8_t codes[kUnpackedBytes];

    RowTile(const uint8_t *weights, int64_t row, int64_t rowBytes, int64_t in,
            int64_t tokens)
        : rowBytes(rowBytes),
          wholeGroup(Group > 1 && Rows == Group && row % Group == 0),
          unpacked(tokens >= kMinUnpackTokens && Rows * in <= kUnpackedBytes) {
      for (int r = 0; r < Rows; ++r)
        rows[r] = rowStart(weights, row + r, rowBytes);
      if (unpacked)
        unpack(in);
    }

    /// Field g of block byte p is element 32g + p: two blocks side by side
    /// (one 64-byte line where rows are consecutive) give four field
    /// vectors whose low halves are elements 0..127 of the first block and
    /// high halves those of the second.
    void unpack(int64_t in) {
      const int64_t blocks = in / kI2SBlock;
      const __m512i mask = _mm512_set1_epi8(3);
      int64_t b = 0;
      for (; b + 2 <= blocks; b += 2) {
        for (int r = 0; r < Rows; ++r) {
          const uint8_t *first = rows[r] + b * kBlockStride;
          prefetchAhead(first);
          __m512i bytes;
          if constexpr (Group == 1) {
            bytes = _mm512_loadu_si512(first);
          } else {
            prefetchAhead(first + kBlockStride);
            bytes = _mm512_inserti64x4(
                _mm512_castsi256_si512(_mm256_loadu_si256(
                    reinterpret_cast<const __m256i *>(first))),
                _mm256_loadu_si256(
                    reinterpret_cast<const __m256i *>(first + kBlockStride)),
                1);
          }
          __m512i c[4];
          forEachField([&](auto field) {
            constexpr int g = decltype(field)::value;
            c[g] = _mm512_and_si512(_mm512_srli_epi16(bytes, 6 - 2 * g), mask);
          });
          uint8_t *out = codes + r * in + b * kI2SBlock;
          // Low halves: the first block's elements, then the second's.
          _mm512_store_si512(out, _mm512_shuffle_i64x2(c[0], c[1], 0x44));
          _mm512_store_si512(out + 64, _mm512_shuffle_i64x2(c[2], c[3], 0x44));
          _mm512_store_si512(out + 128, _mm512_shuffle_i64x2(c[0], c[1], 0xEE));
          _mm512_store_si512(out + 192, _mm512_shuffle_i64x2(c[2], c[3], 0xEE));
        }
      }
      if (b == blocks)
        return;
      // An odd last block, in 256 bits.
      const __m256i narrowMask = _mm256_set1_epi8(3);
      for (int r = 0; r < Rows; ++r) {
        const uint8_t *block = rows[r] + b * kBlockStride;
        prefetchAhead(block);
        const __m256i bytes =
            _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block));
        __m256i *out =
            reinterpret_cast<__m256i *>(codes + r * in + b * kI2SBlock);
        forEachField([&](auto field) {
          constexpr int g = decltype(field)::value;
          _mm256_store_si256(
              out + g, _mm256_and_si256(_mm256_srli_epi16(bytes, 6 - 2 * g),
                                        narrowMask));
        });
      }
    }

    template <int Tokens>
    void dots(const int8_t *q, int64_t in, int32_t *dots) const {
      if (!unpacked) {
        if constexpr (Group > 1 && Rows == Group && Tokens == 1) {
          if (wholeGroup) {
            streamedGroupDots(rows[0], q, in, dots);
            return;
          }
        }
        splitStreamedDots<Rows, Tokens>(rows, rowBytes, q, in, dots);
        return;
      }
      __m512i sums[Rows][Tokens];
      for (int r = 0; r < Rows; ++r)
        for (int u = 0; u < Tokens; ++u)
          sums[r][u] = _mm512_setzero_si512();
      // in is a multiple of 128: whole vectors.
      for (int64_t k = 0; k < in; k += 64) {
        __m512i c[Rows];
        for (int r = 0; r < Rows; ++r)
          c[r] = _mm512_load_si512(codes + r * in + k);
        for (int u = 0; u < Tokens; ++u) {
          const __m512i a = _mm512_loadu_si512(q + u * in + k);
          for (int r = 0; r < Rows; ++r)
            sums[r][u] = _mm512_dpbusd_epi32(sums[r][u], c[r], a);
        }
      }
      // Copied through an empty asm: else GCC keeps the accumulators
      // themselves in memory, stored on every iteration.
      __m512i flat[Rows * Tokens];
      for (int u = 0; u < Tokens; ++u)
        for (int r = 0; r < Rows; ++r) {
          __m512i sum = sums[r][u];
          __asm__("" : "+v"(sum));
          flat[u * Rows + r] = sum;
        }
      reduceAll<Rows * Tokens>(flat, dots);
    }
  };

  /// Blocks whose masked products one accumulator lane may sum before
  /// they are folded into the exact total: a lane gains less than 4 * 128 *
  /// 128 = 2^16 a block, so 2^14 blocks stay below 2^30.
  static constexpr int64_t kBlocksPerFold = int64_t(1) << 14;

  template <int Rows, int Tokens>
  static void streamedDots(const uint8_t *const *rows, int64_t rowBytes,
                           const int8_t *q, int64_t in, int32_t *dots) {
    // A block broadcast to both halves and masked to bits 7:6 (low half)
    // and 5:4 (high half) lines up with its elements 0..63; masked to bits
    // 3:2 and 1:0, with its elements 64..127. The codes keep their place
    // values 64, 16, 4 and 1, undone per lane by exact shifts.
    const __m512i headMask = _mm512_inserti64x4(
        _mm512_set1_epi8(static_cast<char>(0xC0)), _mm256_set1_epi8(0x30), 1);
    const __m512i tailMask = _mm512_inserti64x4(_mm512_set1_epi8(0x0C),
                                                _mm256_set1_epi8(0x03), 1);
    const __m512i headShift = _mm512_inserti64x4(_mm512_set1_epi32(6),
                                                 _mm256_set1_epi32(4), 1);
    const __m512i tailShift = _mm512_inserti64x4(_mm512_set1_epi32(2),
                                                 _mm256_setzero_si256(), 1);
    const int64_t blocks = in / kI2SBlock;
    __m512i totals[Rows * Tokens];
    for (int i = 0; i < Rows * Tokens; ++i)
      totals[i] = _mm512_setzero_si512();
    for (int64_t first = 0; first < blocks; first += kBlocksPerFold) {
      const int64_t last = std::min(blocks, first + kBlocksPerFold);
      __m512i heads[Rows][Tokens], tails[Rows][Tokens];
      for (int r = 0; r < Rows; ++r)
        for (int u = 0; u < Tokens; ++u)
          heads[r][u] = tails[r][u] = _mm512_setzero_si512();
      auto step = [&](int64_t b, bool prefetch) [[gnu::always_inline]] {
        __m512i headActivations[Tokens], tailActivations[Tokens];
        for (int u = 0; u < Tokens; ++u) {
          const int8_t *block = q + u * in + b * kI2SBlock;
          headActivations[u] = _mm512_loadu_si512(block);
          tailActivations[u] = _mm512_loadu_si512(block + 64);
        }
        for (int r = 0; r < Rows; ++r) {
          // Consecutive rows: addressed from the first (fewer registers).
          const uint8_t *block =
              Group == 1 ? rows[0] + r * rowBytes + b * kI2SBlockBytes
                         : rows[r] + b * kBlockStride;
          if (prefetch)
            prefetchNextTile(block, Rows * rowBytes);
          const __m512i codes = _mm512_broadcast_i64x4(
              _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block)));
          const __m512i head = _mm512_and_si512(codes, headMask);
          const __m512i tail = _mm512_and_si512(codes, tailMask);
          for (int u = 0; u < Tokens; ++u) {
            heads[r][u] = _mm512_dpbusd_epi32(heads[r][u], head,
                                              headActivations[u]);
            tails[r][u] = _mm512_dpbusd_epi32(tails[r][u], tail,
                                              tailActivations[u]);
          }
        }
      };
      // One prefetch per 64-byte line: every other block (consecutive
      // rows; interleaved ones prefetch every block).
      int64_t b = first;
      for (; b + 2 <= last; b += 2) {
        step(b, true);
        step(b + 1, Group > 1);
      }
      if (b < last)
        step(b, true);
      for (int u = 0; u < Tokens; ++u)
        for (int r = 0; r < Rows; ++r)
          totals[u * Rows + r] = _mm512_add_epi32(
              totals[u * Rows + r],
              _mm512_add_epi32(_mm512_srav_epi32(heads[r][u], headShift),
                               _mm512_srav_epi32(tails[r][u], tailShift)));
    }
    reduceAll<Rows * Tokens>(totals, dots);
  }

  /// Decode over one whole group of interleaved rows at `group`: a block
  /// step reads Group * 32 contiguous bytes, one 64-byte line per pair of
  /// rows (row 2p in the low half, 2p + 1 in the high half), so the group
  /// is a single sequential stream. Each line is masked to each 2-bit field
  /// (place values 64, 16, 4, 1, undone by exact shifts) and multiplied by
  /// that field's 32 activations broadcast to both halves. On an AMD EPYC
  /// (Zen 5) host two threads streamed 47-63 GB/s this way against 33-38
  /// for consecutive rows (12-row tiles), prefetching 4 KiB ahead.
  static void streamedGroupDots(const uint8_t *group, const int8_t *q,
                                int64_t in, int32_t *dots) {
    constexpr int kPairs = Group / 2;
    constexpr int64_t kPrefetchBytes = 4096;
    const __m512i masks[4] = {_mm512_set1_epi8(static_cast<char>(0xC0)),
                              _mm512_set1_epi8(0x30), _mm512_set1_epi8(0x0C),
                              _mm512_set1_epi8(0x03)};
    const int64_t blocks = in / kI2SBlock;
    __m512i totals[kPairs];
    for (int p = 0; p < kPairs; ++p)
      totals[p] = _mm512_setzero_si512();
    for (int64_t first = 0; first < blocks; first += kBlocksPerFold) {
      const int64_t last = std::min(blocks, first + kBlocksPerFold);
      __m512i sums[kPairs][4];
      for (int p = 0; p < kPairs; ++p)
        for (int g = 0; g < 4; ++g)
          sums[p][g] = _mm512_setzero_si512();
      for (int64_t b = first; b < last; ++b) {
        const int8_t *activations = q + b * kI2SBlock;
        __m512i a[4];
        for (int g = 0; g < 4; ++g)
          a[g] = _mm512_broadcast_i64x4(_mm256_loadu_si256(
              reinterpret_cast<const __m256i *>(activations + 32 * g)));
        const uint8_t *lines = group + b * kBlockStride;
        for (int p = 0; p < kPairs; ++p) {
          __builtin_prefetch(lines + 64 * p + kPrefetchBytes, 0, 3);
          const __m512i codes = _mm512_loadu_si512(lines + 64 * p);
          for (int g = 0; g < 4; ++g)
            sums[p][g] = _mm512_dpbusd_epi32(
                sums[p][g], _mm512_and_si512(codes, masks[g]), a[g]);
        }
      }
      for (int p = 0; p < kPairs; ++p)
        totals[p] = _mm512_add_epi32(
            totals[p],
            _mm512_add_epi32(
                _mm512_add_epi32(_mm512_srai_epi32(sums[p][0], 6),
                                 _mm512_srai_epi32(sums[p][1], 4)),
                _mm512_add_epi32(_mm512_srai_epi32(sums[p][2], 2),
                                 sums[p][3])));
    }
    // Row 2p's sums are the low half of totals[p], row 2p + 1's the high.
    __m512i halves[Group];
    for (int p = 0; p < kPairs; ++p) {
      halves[2 * p] = _mm512_maskz_mov_epi32(0x00FF, totals[p]);
      halves[2 * p + 1] = _mm512_maskz_mov_epi32(0xFF00, totals[p]);
    }
    reduceAll<Group>(halves, dots);
  }
};

/// KernelAbi.h's bitlinear_i2s_q8k on rows interleaved in groups of 8. Per
/// group, token and Q8_K block (two 32-byte I2_S blocks of each of the 8
/// rows, 512 consecutive bytes), each row's blocks are broadcast and masked
/// as decode's codes are (fields 0 | 1 against the first 64 activations, 2 |
/// 3 against the next 64, place values kept and undone per lane by exact
/// shifts), multiplied with vpdpbusd, and the 8 rows' sums reduced together
/// with the block's sum(q); their differences are the exact trit dots. The
/// f32 accumulation runs in lanes, one row each, blocks in order: for every
/// row the reference's operations. A group's rows stay in L1 while all the
/// tokens run against them.
void q8kMatmulInterleaved(const int8_t *q, const float *blockScales,
                          const uint8_t *weights, int64_t tokens, int64_t in,
                          int64_t rows, float weightScale, float *y,
                          int64_t yStride) {
  constexpr int kGroup = 8;
  static_assert(kAvx512I2SRowInterleave == kGroup,
                "one group of interleaved rows fills the 8 f32 lanes");
  const int64_t blocks = in / kQ8KBlock;
  const int64_t groupBytes = kGroup * in / 4;
  auto halves = [](__m256i lower, __m256i upper) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(lower), upper, 1);
  };
  const __m512i fields01 = halves(_mm256_set1_epi8(static_cast<char>(0xC0)),
                                  _mm256_set1_epi8(0x30));
  const __m512i fields23 =
      halves(_mm256_set1_epi8(0x0C), _mm256_set1_epi8(0x03));
  const __m512i shifts01 =
      halves(_mm256_set1_epi32(6), _mm256_set1_epi32(4));
  const __m512i shifts23 = halves(_mm256_set1_epi32(2), _mm256_setzero_si256());
  const __m512i ones = _mm512_set1_epi8(1);
  const __m512i lane8 = _mm512_set1_epi32(8);
  for (int64_t first = 0; first < rows; first += kGroup) {
    const uint8_t *group = weights + first / kGroup * groupBytes;
    const int64_t count = std::min<int64_t>(kGroup, rows - first);
    for (int64_t t = 0; t < tokens; ++t) {
      __m256 sums = _mm256_setzero_ps();
      for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t *block = group + b * kGroup * 2 * kI2SBlockBytes;
        if (tokens == 1)
          for (int line = 0; line < kGroup; ++line)
            prefetchAhead(block + 64 * line);
        const int8_t *activations = q + t * in + b * kQ8KBlock;
        __m512i a[4];
        // v[0..7]: the rows' biased dots spread over lanes; v[8]: sum(q).
        __m512i v[9];
        v[8] = _mm512_setzero_si512();
        for (int i = 0; i < 4; ++i) {
          a[i] = _mm512_loadu_si512(activations + 64 * i);
          v[8] = _mm512_dpbusd_epi32(v[8], ones, a[i]);
        }
        for (int r = 0; r < kGroup; ++r) {
          __m512i high = _mm512_setzero_si512(), low = _mm512_setzero_si512();
          for (int half = 0; half < 2; ++half) {
            const __m512i codes = _mm512_broadcast_i64x4(
                _mm256_loadu_si256(reinterpret_cast<const __m256i *>(
                    block + (half * kGroup + r) * kI2SBlockBytes)));
            high = _mm512_dpbusd_epi32(
                high, _mm512_and_si512(codes, fields01), a[2 * half]);
            low = _mm512_dpbusd_epi32(
                low, _mm512_and_si512(codes, fields23), a[2 * half + 1]);
          }
          v[r] = _mm512_add_epi32(_mm512_srav_epi32(high, shifts01),
                                  _mm512_srav_epi32(low, shifts23));
        }
        const __m512i reduced = reduce16<9>(v);
        const __m256i dots = _mm256_sub_epi32(
            _mm512_castsi512_si256(reduced),
            _mm512_castsi512_si256(_mm512_permutexvar_epi32(lane8, reduced)));
        const float scale = blockScales[t * blocks + b] * weightScale;
        sums = _mm256_add_ps(
            sums, _mm256_mul_ps(_mm256_cvtepi32_ps(dots), _mm256_set1_ps(scale)));
      }
      alignas(32) float out[kGroup];
      _mm256_store_ps(out, sums);
      for (int64_t r = 0; r < count; ++r)
        y[t * yStride + first + r] = out[r];
    }
  }
}

} // namespace

void avx512_bitlinear_i2s_q8k_interleaved(const int8_t *q,
                                          const float *blockScales,
                                          const uint8_t *weights,
                                          int64_t tokens, int64_t in,
                                          int64_t rows, float weightScale,
                                          float *y, int64_t yStride) {
  q8kMatmulInterleaved(q, blockScales, weights, tokens, in, rows, weightScale,
                       y, yStride);
}

void avx512_bitlinear_i2s(const int8_t *q, const float *scales,
                          const uint8_t *weights, int64_t tokens, int64_t in,
                          int64_t rows, float weightScale, float *y,
                          int64_t yStride) {
  i2sMatmul<Avx512I2S<1>>(q, scales, weights, tokens, in, rows, weightScale, y,
                          yStride);
}

void avx512_bitlinear_i2s_interleaved(const int8_t *q, const float *scales,
                                      const uint8_t *weights, int64_t tokens,
                                      int64_t in, int64_t rows,
                                      float weightScale, float *y,
                                      int64_t yStride) {
  i2sMatmul<Avx512I2S<kAvx512I2SRowInterleave>>(
      q, scales, weights, tokens, in, rows, weightScale, y, yStride);
}
