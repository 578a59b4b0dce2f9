//===- LutGemm.cpp - A lookup-table ternary GEMM with vpermw --------------===//
//
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni (and AMX-TILE
// and AMX-INT8 for one ceiling loop); only called once lutGemmSupported()
// (and amxUsable()) say the CPU has them.
//
// Tables. For a group of activations (q0, q1, q2) the table holds, in word e
// < 27, t0 q0 + t1 q1 + t2 q2 for the trits of e = 9 (t0 + 1) + 3 (t1 + 1) +
// (t2 + 1), and 0 in words 27..31. One table costs a dword broadcast and two
// vpdpbusd: the activations biased to unsigned (q + 128) times constant trit
// patterns (signed), starting from -128 (t0 + t1 + t2), give the entries
// exactly in 32 bits; vpackssdw narrows them (|entry| <= 384) into one zmm,
// the patterns being ordered so that its per-lane interleaving puts entry e
// in word e.
//
// Loop nest, per tile of kTokenTile tokens: build the tables of every group
// for those tokens (kTokenTile zmm per group, the group's tables side by
// side), then for each tile of kRowTile blocks of 32 rows walk the groups in
// pairs: load the 64 index bytes of each block (the high index needs one
// shift), and for each token look both groups up with vpermw and add the
// results into that block's 16-bit accumulator. A lookup result is at most
// 384 in magnitude, so 84 of them (kChunkPairs pairs) fit 16 bits; after each
// chunk the accumulators are widened into 32-bit sums, so every dot product
// is exact. The weights stay in cache across the token tiles.
//
// Cost: per 96 multiply-adds one vpermw (a shuffle: one port on Intel cores)
// and one vpaddw, against one vpdpbusd per 64 for the multiply-add kernel;
// the ceiling loops measure what each instruction mix allows on this core.
//
//===----------------------------------------------------------------------===//

#include "bench/LutGemm.h"

#include <algorithm>
#include <cpuid.h>
#include <cstring>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ternc::bench {
namespace {

/// Trits per group (one table index).
constexpr int64_t kGroupTrits = 3;
/// Tokens whose tables are built at once and that share each index load.
constexpr int kTokenTile = 8;
/// Row blocks that share each table load.
constexpr int kRowTile = 2;
/// Group pairs summed in 16 bits: 2 * 42 lookups of |x| <= 3 * 128.
constexpr int64_t kChunkPairs = 42;
static_assert(2 * kChunkPairs * kGroupTrits * 128 <= 32767);
/// I2_S: trits per block, bytes per block.
constexpr int64_t kI2SBlock = 128;
constexpr int64_t kI2SBlockBytes = 32;

int64_t groupPairs(int64_t in) {
  return (in + 2 * kGroupTrits - 1) / (2 * kGroupTrits);
}

/// Bytes per token of the biased activations: every group read as a dword.
int64_t biasedStride(int64_t in) {
  return (groupPairs(in) * 2 * kGroupTrits + 4 + 63) / 64 * 64;
}

/// The constants of the table builder: for the low and high dword vectors
/// that vpackssdw narrows, the trit pattern (t0, t1, t2, 0) of each dword's
/// entry and its start value -128 (t0 + t1 + t2).
struct TablePatterns {
  alignas(64) int8_t trits[2][64];
  alignas(64) int32_t starts[2][16];

  TablePatterns() : trits(), starts() {
    for (int half = 0; half < 2; ++half)
      for (int d = 0; d < 16; ++d) {
        // vpackssdw puts dword i of 128-bit lane L of its first operand in
        // word 8L + i, of its second operand in word 8L + 4 + i.
        const int entry = 8 * (d / 4) + 4 * half + d % 4;
        if (entry >= 27)
          continue;
        const int t[3] = {entry / 9 - 1, entry / 3 % 3 - 1, entry % 3 - 1};
        for (int i = 0; i < 3; ++i)
          trits[half][4 * d + i] = static_cast<int8_t>(t[i]);
        starts[half][d] = -128 * (t[0] + t[1] + t[2]);
      }
  }
};

/// Builds the tables of groups [0, 2 * pairs) for `count` <= kTokenTile
/// tokens from q [count][in]: tables[g * kTokenTile + u] is group g of token
/// u. `biased` holds biasedStride(in) bytes per token.
void buildTables(const int8_t *q, int64_t count, int64_t in, uint8_t *biased,
                 __m512i *tables) {
  static const TablePatterns patterns;
  const __m512i tritsLow = _mm512_load_si512(patterns.trits[0]);
  const __m512i tritsHigh = _mm512_load_si512(patterns.trits[1]);
  const __m512i startsLow = _mm512_load_si512(patterns.starts[0]);
  const __m512i startsHigh = _mm512_load_si512(patterns.starts[1]);
  const int64_t stride = biasedStride(in), groups = 2 * groupPairs(in);
  for (int64_t u = 0; u < count; ++u) {
    uint8_t *row = biased + u * stride;
    for (int64_t k = 0; k < in; ++k)
      row[k] = static_cast<uint8_t>(q[u * in + k] ^ 0x80);
    // Padding activations are 0 (biased 128): their trits are 0 anyway.
    std::memset(row + in, 0x80, static_cast<size_t>(stride - in));
  }
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t u = 0; u < count; ++u) {
      int32_t group;
      std::memcpy(&group, biased + u * stride + g * kGroupTrits, 4);
      const __m512i activations = _mm512_set1_epi32(group);
      tables[g * kTokenTile + u] = _mm512_packs_epi32(
          _mm512_dpbusd_epi32(startsLow, activations, tritsLow),
          _mm512_dpbusd_epi32(startsHigh, activations, tritsHigh));
    }
}

/// The exact dot products of `Rows` blocks (from `block`) and `Tokens`
/// tokens: sums[(r * Tokens + u) * 32 + w] for row w of block r, token u.
template <int Rows, int Tokens>
void tileDots(const uint8_t *packed, int64_t pairs, int64_t block,
              const __m512i *tables, int32_t *sums) {
  std::memset(sums, 0, sizeof(int32_t) * Rows * Tokens * kLutBlockRows);
  const uint8_t *blocks = packed + block * pairs * 64;
  for (int64_t first = 0; first < pairs; first += kChunkPairs) {
    const int64_t last = std::min(pairs, first + kChunkPairs);
    __m512i acc[Rows][Tokens];
    for (int r = 0; r < Rows; ++r)
      for (int u = 0; u < Tokens; ++u)
        acc[r][u] = _mm512_setzero_si512();
    for (int64_t p = first; p < last; ++p) {
      __m512i low[Rows], high[Rows];
      for (int r = 0; r < Rows; ++r) {
        low[r] = _mm512_loadu_si512(blocks + (r * pairs + p) * 64);
        high[r] = _mm512_srli_epi16(low[r], 8);
      }
      const __m512i *tablePair = tables + 2 * p * kTokenTile;
      for (int u = 0; u < Tokens; ++u) {
        const __m512i tableLow = _mm512_load_si512(tablePair + u);
        const __m512i tableHigh = _mm512_load_si512(tablePair + kTokenTile + u);
        for (int r = 0; r < Rows; ++r)
          acc[r][u] = _mm512_add_epi16(
              _mm512_add_epi16(acc[r][u],
                               _mm512_permutexvar_epi16(low[r], tableLow)),
              _mm512_permutexvar_epi16(high[r], tableHigh));
      }
    }
    for (int r = 0; r < Rows; ++r)
      for (int u = 0; u < Tokens; ++u) {
        __m512i *wide = reinterpret_cast<__m512i *>(sums + (r * Tokens + u) *
                                                               kLutBlockRows);
        _mm512_store_si512(
            wide, _mm512_add_epi32(_mm512_load_si512(wide),
                                   _mm512_cvtepi16_epi32(
                                       _mm512_castsi512_si256(acc[r][u]))));
        _mm512_store_si512(
            wide + 1,
            _mm512_add_epi32(_mm512_load_si512(wide + 1),
                             _mm512_cvtepi16_epi32(
                                 _mm512_extracti64x4_epi64(acc[r][u], 1))));
      }
  }
}

/// y of one tile: `Rows` blocks from `block`, `Tokens` tokens from `token`.
template <int Rows, int Tokens>
void tile(const uint8_t *packed, int64_t pairs, int64_t block, int64_t token,
          const __m512i *tables, const float *scales, float weightScale,
          float *y, int64_t yStride) {
  alignas(64) int32_t sums[Rows * Tokens * kLutBlockRows];
  tileDots<Rows, Tokens>(packed, pairs, block, tables, sums);
  const __m512 scaleW = _mm512_set1_ps(weightScale);
  for (int r = 0; r < Rows; ++r)
    for (int u = 0; u < Tokens; ++u) {
      const __m512 scale = _mm512_set1_ps(scales[token + u]);
      for (int half = 0; half < 2; ++half) {
        const __m512 dots = _mm512_cvtepi32_ps(_mm512_load_si512(
            sums + (r * Tokens + u) * kLutBlockRows + 16 * half));
        _mm512_storeu_ps(y + (token + u) * yStride +
                             (block + r) * kLutBlockRows + 16 * half,
                         _mm512_mul_ps(_mm512_div_ps(dots, scale), scaleW));
      }
    }
}

/// Calls tile<Rows, T> for T = `tokens` (1..kTokenTile).
template <int Rows, int Tokens = kTokenTile, typename... Args>
void tileForTokens(int64_t tokens, Args... args) {
  if constexpr (Tokens > 1)
    if (tokens < Tokens)
      return tileForTokens<Rows, Tokens - 1>(tokens, args...);
  tile<Rows, Tokens>(args...);
}

/// Independent chains per ceiling loop: enough to hide every latency.
constexpr int kChains = 12;

/// Makes `value` opaque to the optimizer (it may have changed), at no cost.
template <typename Value> void opaque(Value &value) {
  __asm__ volatile("" : "+v"(value));
}

/// Ceiling::MultiplyAdd: kChains vpdpbusd chains.
int64_t multiplyAddCeiling(int64_t steps) {
  __m512i acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm512_set1_epi32(i);
  __m512i codes = _mm512_set1_epi8(2), activations = _mm512_set1_epi8(-3);
  for (int64_t step = 0; step < steps; ++step) {
    opaque(codes);
    opaque(activations);
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i)
      acc[i] = _mm512_dpbusd_epi32(acc[i], codes, activations);
  }
  for (int i = 1; i < kChains; ++i)
    acc[0] = _mm512_add_epi32(acc[0], acc[i]);
  return _mm512_reduce_add_epi32(acc[0]);
}

/// Ceiling::Lookup: kChains chains of acc += vpermw(index, table).
int64_t lookupCeiling(int64_t steps) {
  __m512i acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm512_set1_epi16(static_cast<int16_t>(i));
  // As in tileDots: a few index vectors, each looked up in a few tables.
  __m512i indices[3], tables[4];
  for (int i = 0; i < 3; ++i)
    indices[i] = _mm512_set1_epi16(static_cast<int16_t>(7 * i));
  for (int i = 0; i < 4; ++i)
    tables[i] = _mm512_set1_epi16(static_cast<int16_t>(i - 2));
  for (int64_t step = 0; step < steps; ++step) {
    for (__m512i &index : indices)
      opaque(index);
    for (__m512i &table : tables)
      opaque(table);
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i)
      acc[i] = _mm512_add_epi16(
          acc[i], _mm512_permutexvar_epi16(indices[i % 3], tables[i / 3]));
  }
  for (int i = 1; i < kChains; ++i)
    acc[0] = _mm512_add_epi16(acc[0], acc[i]);
  return _mm512_reduce_add_epi32(
      _mm512_madd_epi16(acc[0], _mm512_set1_epi16(1)));
}

/// AMX's tile configuration (palette 1): rows and bytes per row of each of
/// the 8 tiles.
struct alignas(64) TileConfig {
  uint8_t palette = 1, startRow = 0, reserved[14] = {};
  uint16_t bytesPerRow[16] = {};
  uint8_t rows[16] = {};
};

/// Ceiling::AmxTile: four tdpbusd chains on 16x64-byte tiles (the largest).
int64_t amxCeiling(int64_t steps) {
  TileConfig config;
  for (int tile = 0; tile < 8; ++tile) {
    config.bytesPerRow[tile] = 64;
    config.rows[tile] = 16;
  }
  _tile_loadconfig(&config);
  alignas(64) int8_t operands[16 * 64];
  for (int i = 0; i < 16 * 64; ++i)
    operands[i] = static_cast<int8_t>(i % 5 - 2);
  _tile_loadd(4, operands, 64);
  _tile_loadd(5, operands, 64);
  _tile_loadd(6, operands, 64);
  _tile_loadd(7, operands, 64);
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (int64_t step = 0; step < steps; ++step) {
    _tile_dpbusd(0, 4, 5);
    _tile_dpbusd(1, 4, 7);
    _tile_dpbusd(2, 6, 5);
    _tile_dpbusd(3, 6, 7);
  }
  alignas(64) int32_t sums[16 * 16];
  int64_t total = 0;
  _tile_stored(0, sums, 64);
  total += sums[0];
  _tile_stored(3, sums, 64);
  total += sums[255];
  _tile_release();
  return total;
}

} // namespace

int64_t runCeiling(Ceiling ceiling, int64_t steps) {
  switch (ceiling) {
  case Ceiling::MultiplyAdd:
    return multiplyAddCeiling(steps);
  case Ceiling::Lookup:
    return lookupCeiling(steps);
  case Ceiling::AmxTile:
    return amxCeiling(steps);
  }
  return 0;
}

bool amxUsable() {
  // Linux: arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA).
  constexpr int kRequestPermission = 0x1023, kTileData = 18;
  // CPUID leaf 7: EDX bit 24 is AMX-TILE, bit 25 AMX-INT8.
  unsigned eax, ebx, ecx, edx;
  static const bool usable =
      __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (edx >> 24 & 3) == 3 &&
      syscall(SYS_arch_prctl, kRequestPermission, kTileData) == 0;
  return usable;
}

bool lutGemmSupported() {
  return __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512vnni");
}

int64_t lutPackedBytes(int64_t rows, int64_t in) {
  return rows / kLutBlockRows * groupPairs(in) * 64;
}

void lutPack(const uint8_t *i2s, int64_t rows, int64_t in, uint8_t *packed) {
  const int64_t pairs = groupPairs(in);
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t *row = i2s + r * in / 4;
    // The code (trit + 1) of element k; padding trits are 0.
    auto code = [row, in](int64_t k) {
      if (k >= in)
        return 1;
      const int64_t j = k % kI2SBlock;
      return row[k / kI2SBlock * kI2SBlockBytes + j % 32] >>
                 (6 - 2 * (j / 32)) &
             3;
    };
    uint8_t *block = packed + r / kLutBlockRows * pairs * 64;
    for (int64_t g = 0; g < 2 * pairs; ++g)
      block[g / 2 * 64 + 2 * (r % kLutBlockRows) + g % 2] =
          static_cast<uint8_t>(9 * code(3 * g) + 3 * code(3 * g + 1) +
                               code(3 * g + 2));
  }
}

int64_t lutScratchBytes(int64_t in) {
  return 2 * groupPairs(in) * kTokenTile * 64 + kTokenTile * biasedStride(in);
}

void lutBitLinear(const int8_t *q, const float *scales, const uint8_t *packed,
                  int64_t tokens, int64_t in, int64_t rows, float weightScale,
                  float *y, int64_t yStride, void *scratch) {
  const int64_t pairs = groupPairs(in), blocks = rows / kLutBlockRows;
  __m512i *tables = static_cast<__m512i *>(scratch);
  uint8_t *biased =
      reinterpret_cast<uint8_t *>(tables + 2 * pairs * kTokenTile);
  for (int64_t token = 0; token < tokens; token += kTokenTile) {
    const int64_t count = std::min<int64_t>(kTokenTile, tokens - token);
    buildTables(q + token * in, count, in, biased, tables);
    int64_t block = 0;
    for (; block + kRowTile <= blocks; block += kRowTile)
      tileForTokens<kRowTile>(count, packed, pairs, block, token, tables,
                              scales, weightScale, y, yStride);
    for (; block < blocks; ++block)
      tileForTokens<1>(count, packed, pairs, block, token, tables, scales,
                       weightScale, y, yStride);
  }
}

} // namespace ternc::bench
