//===- AmxBitLinear.cpp - I2_S ternary matmul on AMX-INT8 -----------------===//
//
// Compiled with -mamx-tile -mamx-int8 and the AVX-512 flags; only called
// once the CPU has them and the OS granted XTILEDATA (AmxKernels.cpp).
//
// tdpbsud multiplies a 16 x 64 tile of signed bytes A by a 16 x 64 tile of
// unsigned bytes B in VNNI layout and adds into a 16 x 16 int32 tile C:
// C[m][n] += sum_{j,i} A[m][4j+i] * B[j][4n+i]. Here A is 16 tokens x 64
// activations, loaded straight from q with stride `in`, and B holds the
// I2_S codes (0..2, trit + 1) of 16 weight rows for the same 64 k's, so C
// is 16 tokens x 16 rows of sum(code * q), exact in int32; minus sum(q) per
// token it is the trit dot product (as in the AVX-512 kernel).
//
// Building B needs no unpack-then-transpose: byte p of an I2_S block holds
// k = p, 32+p, 64+p, 96+p, so the dword j of a block (bytes 4j..4j+3) holds
// in each 2-bit field g the codes of the four consecutive k = 32g+4j..+3,
// exactly one VNNI dword. One gather of dword j of 16 rows, shifted and
// masked per field, gives B rows j (g = 0), 8+j (g = 1) of the block's
// first 64 k's and the same rows (g = 2, 3) of its last 64 k's.
//
// Loop nest: rows in blocks of 32 (two B tiles), K in chunks of kKChunk
// whose B tiles sit in a stack buffer (built once, used by every token),
// tokens in pairs of 16-token tiles (two A tiles): 2 x 2 C tiles, spilled
// to a stack buffer between K chunks (tokens are taken kTokenChunk at a
// time to bound it). Tiles of 16 rows or 16 tokens take the 1-tile forms;
// rows and tokens beyond multiples of 16 go to the AVX-512 kernel.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-amx/AmxBitLinear.h"

#include "backends/common/TiledMatmul.h"
#include "backends/x86-avx512/Avx512BitLinear.h"
#include "backends/x86-avx512/Avx512Common.h"

#include <immintrin.h>

namespace {

using namespace ternc::backends;

/// Rows (tokens, weight rows) of a tile and its bytes per row.
constexpr int kTile = 16;
constexpr int64_t kTileBytes = 64;
constexpr int64_t kTileSize = kTile * kTileBytes;
/// K per chunk of B tiles (a multiple of kI2SBlock). The A tiles come from
/// q in cache: 512 keeps a chunk of 128 tokens nearer L1 than 1024 (which
/// measured 30% slower on Sapphire Rapids; 256 spills C too often).
constexpr int64_t kKChunk = 512;
/// Tokens whose C tiles are kept between K chunks.
constexpr int64_t kTokenChunk = 128;

/// AMX's tile configuration (palette 1): rows and bytes per row of each of
/// the 8 tiles.
struct alignas(64) TileConfig {
  uint8_t palette = 1, startRow = 0, reserved[14] = {};
  uint16_t bytesPerRow[16] = {};
  uint8_t rows[16] = {};
};

/// GCC's tile intrinsics are asm statements without a memory clobber: this
/// orders the buffers' ordinary loads and stores around them.
inline void memoryBarrier() { __asm__ volatile("" ::: "memory"); }

/// The B tiles of the 16 rows at `w` (`rowBytes` apart) for `blocks` I2_S
/// blocks: K step s (64 k's) at out + s * stepBytes.
void buildB(const uint8_t *w, int64_t rowBytes, int64_t blocks, uint8_t *out,
            int64_t stepBytes) {
  const __m512i offsets = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32(static_cast<int32_t>(rowBytes)));
  const __m512i mask = _mm512_set1_epi8(3);
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t *block = w + b * kI2SBlockBytes;
    uint8_t *first = out + 2 * b * stepBytes, *second = first + stepBytes;
    for (int j = 0; j < 8; ++j) {
      const __m512i packed = _mm512_i32gather_epi32(offsets, block + 4 * j, 1);
      _mm512_store_si512(first + j * kTileBytes,
                         _mm512_and_si512(_mm512_srli_epi16(packed, 6), mask));
      _mm512_store_si512(first + (8 + j) * kTileBytes,
                         _mm512_and_si512(_mm512_srli_epi16(packed, 4), mask));
      _mm512_store_si512(second + j * kTileBytes,
                         _mm512_and_si512(_mm512_srli_epi16(packed, 2), mask));
      _mm512_store_si512(second + (8 + j) * kTileBytes,
                         _mm512_and_si512(packed, mask));
    }
  }
}

/// C tiles (RowTiles x TokenTiles, tile 2 * r + u at c + (2 * r + u) *
/// kTile * kTile) += the A tiles of TokenTiles x 16 tokens at q (`in`
/// apart) times the B tiles at b (RowTiles per K step), over `steps` K
/// steps. `first` starts C from zero instead of loading it.
template <int RowTiles, int TokenTiles>
void multiply(const int8_t *q, int64_t in, const uint8_t *b, int64_t steps,
              int32_t *c, bool first) {
  constexpr int64_t cTile = kTile * kTile;
  constexpr int64_t cStride = kTile * sizeof(int32_t);
  if (first) {
    _tile_zero(0);
    if constexpr (TokenTiles == 2)
      _tile_zero(1);
    if constexpr (RowTiles == 2) {
      _tile_zero(2);
      if constexpr (TokenTiles == 2)
        _tile_zero(3);
    }
  } else {
    _tile_loadd(0, c, cStride);
    if constexpr (TokenTiles == 2)
      _tile_loadd(1, c + cTile, cStride);
    if constexpr (RowTiles == 2) {
      _tile_loadd(2, c + 2 * cTile, cStride);
      if constexpr (TokenTiles == 2)
        _tile_loadd(3, c + 3 * cTile, cStride);
    }
  }
  for (int64_t s = 0; s < steps; ++s) {
    const uint8_t *bStep = b + s * RowTiles * kTileSize;
    _tile_loadd(4, q + s * kTileBytes, in);
    _tile_loadd(6, bStep, kTileBytes);
    _tile_dpbsud(0, 4, 6);
    if constexpr (TokenTiles == 2) {
      _tile_loadd(5, q + kTile * in + s * kTileBytes, in);
      _tile_dpbsud(1, 5, 6);
    }
    if constexpr (RowTiles == 2) {
      _tile_loadd(7, bStep + kTileSize, kTileBytes);
      _tile_dpbsud(2, 4, 7);
      if constexpr (TokenTiles == 2)
        _tile_dpbsud(3, 5, 7);
    }
  }
  _tile_stored(0, c, cStride);
  if constexpr (TokenTiles == 2)
    _tile_stored(1, c + cTile, cStride);
  if constexpr (RowTiles == 2) {
    _tile_stored(2, c + 2 * cTile, cStride);
    if constexpr (TokenTiles == 2)
      _tile_stored(3, c + 3 * cTile, cStride);
  }
}

template <int RowTiles>
void multiplyTokens(int tokenTiles, const int8_t *q, int64_t in,
                    const uint8_t *b, int64_t steps, int32_t *c, bool first) {
  if (tokenTiles == 2)
    multiply<RowTiles, 2>(q, in, b, steps, c, first);
  else
    multiply<RowTiles, 1>(q, in, b, steps, c, first);
}

/// bitlinear_i2s for tokens and rows multiples of 16, on tiles.
void amxBlocks(const int8_t *q, const float *scales, const uint8_t *weights,
               int64_t tokens, int64_t in, int64_t rows, float weightScale,
               float *y, int64_t yStride) {
  TileConfig config;
  for (int tile = 0; tile < 8; ++tile) {
    config.bytesPerRow[tile] = kTileBytes;
    config.rows[tile] = kTile;
  }
  _tile_loadconfig(&config);

  const int64_t rowBytes = in / 4;
  alignas(64) uint8_t b[kKChunk / kTileBytes * 2 * kTileSize];
  // Per pair of token tiles, 4 C tiles (see multiply).
  alignas(64) int32_t c[kTokenChunk / 32 * 4 * kTile * kTile];
  int32_t corrections[kTokenChunk];
  const __m512 scaleOfWeights = _mm512_set1_ps(weightScale);

  for (int64_t t0 = 0; t0 < tokens; t0 += kTokenChunk) {
    const int64_t count = std::min(kTokenChunk, tokens - t0);
    for (int64_t t = 0; t < count; ++t)
      corrections[t] = avx512ActivationSum(q + (t0 + t) * in, in);
    for (int64_t r0 = 0; r0 < rows; r0 += 2 * kTile) {
      const int rowTiles = rows - r0 >= 2 * kTile ? 2 : 1;
      for (int64_t k0 = 0; k0 < in; k0 += kKChunk) {
        const int64_t chunk = std::min(kKChunk, in - k0);
        for (int r = 0; r < rowTiles; ++r)
          buildB(weights + (r0 + r * kTile) * rowBytes + k0 / 4, rowBytes,
                 chunk / kI2SBlock, b + r * kTileSize, rowTiles * kTileSize);
        memoryBarrier();
        for (int64_t u0 = 0; u0 < count; u0 += 2 * kTile) {
          const int tokenTiles = count - u0 >= 2 * kTile ? 2 : 1;
          const int8_t *a = q + (t0 + u0) * in + k0;
          int32_t *cPair = c + u0 / (2 * kTile) * 4 * kTile * kTile;
          if (rowTiles == 2)
            multiplyTokens<2>(tokenTiles, a, in, b, chunk / kTileBytes, cPair,
                              k0 == 0);
          else
            multiplyTokens<1>(tokenTiles, a, in, b, chunk / kTileBytes, cPair,
                              k0 == 0);
        }
        memoryBarrier();
      }
      // y of the C tiles: row m of tile (r, u) is token u0 + 16u + m over
      // rows r0 + 16r.., as KernelAbi.h's formula (no FMA).
      for (int64_t u0 = 0; u0 < count; u0 += 2 * kTile) {
        const int tokenTiles = count - u0 >= 2 * kTile ? 2 : 1;
        const int32_t *cPair = c + u0 / (2 * kTile) * 4 * kTile * kTile;
        for (int r = 0; r < rowTiles; ++r)
          for (int u = 0; u < tokenTiles; ++u)
            for (int m = 0; m < kTile; ++m) {
              const int64_t t = t0 + u0 + u * kTile + m;
              const __m512i sums =
                  _mm512_load_si512(cPair + ((2 * r + u) * kTile + m) * kTile);
              const __m512 dots = _mm512_cvtepi32_ps(_mm512_sub_epi32(
                  sums, _mm512_set1_epi32(corrections[t - t0])));
              _mm512_storeu_ps(
                  y + t * yStride + r0 + r * kTile,
                  _mm512_mul_ps(_mm512_div_ps(dots, _mm512_set1_ps(scales[t])),
                                scaleOfWeights));
            }
      }
    }
  }
  _tile_release();
}

} // namespace

void amx_bitlinear_i2s(const int8_t *q, const float *scales,
                       const uint8_t *weights, int64_t tokens, int64_t in,
                       int64_t rows, float weightScale, float *y,
                       int64_t yStride) {
  const int64_t tileTokens = tokens / kTile * kTile;
  const int64_t tileRows = rows / kTile * kTile;
  if (tokens < kAmxMinTokens || tileRows == 0) {
    avx512_bitlinear_i2s(q, scales, weights, tokens, in, rows, weightScale, y,
                         yStride);
    return;
  }
  amxBlocks(q, scales, weights, tileTokens, in, tileRows, weightScale, y,
            yStride);
  if (tileRows < rows)
    avx512_bitlinear_i2s(q, scales, weights + tileRows * in / 4, tileTokens, in,
                         rows - tileRows, weightScale, y + tileRows, yStride);
  if (tileTokens < tokens)
    avx512_bitlinear_i2s(q + tileTokens * in, scales + tileTokens, weights,
                         tokens - tileTokens, in, rows, weightScale,
                         y + tileTokens * yStride, yStride);
}
