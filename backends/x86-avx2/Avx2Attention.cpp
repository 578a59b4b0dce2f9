//===- Avx2Attention.cpp - f16-cache attention with AVX2 ------------------===//
//
// Compiled with -mavx2 -mf16c; only called once the CPU is known to have
// them.
//
// The reference sums each score over the head's features and each output
// feature over the keys, in double and in order. Vector lanes here hold
// independent sums, each still in its order: a score vector sums four keys,
// an output vector four features. Keys are read as 8x4 blocks (eight keys,
// four features) transposed into columns; values row by row. Every widened
// key or value serves all the heads attended together, and each loop keeps
// kChains vectors of sums going to hide the latency of the additions. A
// product of two f16 values is exact in double, so a fused multiply-add
// rounds exactly what the reference's separate multiply and add round (only
// a NaN's payload could differ); F16C's conversions with round-to-nearest-
// even are the reference's (no signalling NaN is ever stored). So the
// results are bit for bit the generic backend's. The loop nest is
// backends/common/F16Attention.h.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx2/Avx2Attention.h"

#include "backends/common/F16Attention.h"
#include "backends/x86-avx2/Avx2Common.h"

#include <algorithm>
#include <immintrin.h>

namespace {

using namespace ternc::backends;

/// Keys of one transposed block, and features of one output group: two
/// vectors of doubles.
constexpr int64_t kLanes = 8;
/// Features of one transposed block of keys.
constexpr int64_t kFeatureStep = 4;
/// Vectors of sums a loop keeps going at once.
constexpr int kChains = 8;

/// Lane `Lane` of `v` in every lane.
template <int Lane> __m256d broadcastLane(__m256d v) {
  return _mm256_permute4x64_pd(v, Lane * 0x55);
}

/// The eight f16 values of `halves` as doubles: lanes 0..3 in `low`, 4..7
/// in `high`.
void widenHalves(__m128i halves, __m256d &low, __m256d &high) {
  const __m256 values = _mm256_cvtph_ps(halves);
  low = _mm256_cvtps_pd(_mm256_castps256_ps128(values));
  high = _mm256_cvtps_pd(_mm256_extractf128_ps(values, 1));
}

/// Features d..d+3 of eight rows of f16 values, transposed: columns[i]
/// holds feature d + i of rows 0..7.
void transposeBlock(const uint16_t *const rows[kLanes], int64_t d,
                    __m128i columns[kFeatureStep]) {
  // Rows a and b in the low and high halves of one register.
  auto pair = [&](int a, int b) {
    const __m128i low =
        _mm_loadl_epi64(reinterpret_cast<const __m128i *>(rows[a] + d));
    return _mm_castpd_si128(_mm_loadh_pd(
        _mm_castsi128_pd(low), reinterpret_cast<const double *>(rows[b] + d)));
  };
  const __m128i rows04 = pair(0, 4), rows15 = pair(1, 5);
  const __m128i rows26 = pair(2, 6), rows37 = pair(3, 7);
  // Features of rows 0 and 1 (4 and 5, ...) alternate.
  const __m128i rows01 = _mm_unpacklo_epi16(rows04, rows15);
  const __m128i rows45 = _mm_unpackhi_epi16(rows04, rows15);
  const __m128i rows23 = _mm_unpacklo_epi16(rows26, rows37);
  const __m128i rows67 = _mm_unpackhi_epi16(rows26, rows37);
  // Feature d of rows 0..3, then d + 1 of rows 0..3 (or d + 2 and d + 3).
  const __m128i first0123 = _mm_unpacklo_epi32(rows01, rows23);
  const __m128i last0123 = _mm_unpackhi_epi32(rows01, rows23);
  const __m128i first4567 = _mm_unpacklo_epi32(rows45, rows67);
  const __m128i last4567 = _mm_unpackhi_epi32(rows45, rows67);
  columns[0] = _mm_unpacklo_epi64(first0123, first4567);
  columns[1] = _mm_unpackhi_epi64(first0123, first4567);
  columns[2] = _mm_unpacklo_epi64(last0123, last4567);
  columns[3] = _mm_unpackhi_epi64(last0123, last4567);
}

/// sums[h][2g], sums[h][2g + 1] += query[h] * column (one feature of eight
/// keys), in double.
template <int Heads, int Groups>
void addColumn(__m128i column, int g, const __m256d query[Heads],
               __m256d sums[Heads][2 * Groups]) {
  __m256d low, high;
  widenHalves(column, low, high);
  for (int h = 0; h < Heads; ++h) {
    sums[h][2 * g] = _mm256_fmadd_pd(query[h], low, sums[h][2 * g]);
    sums[h][2 * g + 1] = _mm256_fmadd_pd(query[h], high, sums[h][2 * g + 1]);
  }
}

/// addColumn for feature d + Lane of every group, the queries' features
/// d..d+3 in `step`.
template <int Heads, int Groups, int Lane>
void addColumns(const __m128i columns[Groups][kFeatureStep],
                const __m256d step[Heads], __m256d sums[Heads][2 * Groups]) {
  __m256d query[Heads];
  for (int h = 0; h < Heads; ++h)
    query[h] = broadcastLane<Lane>(step[h]);
  for (int g = 0; g < Groups; ++g)
    addColumn<Heads, Groups>(columns[g][Lane], g, query, sums);
}

/// Scores of Groups * kLanes keys from `first` on: rows past the last key
/// read the last key again, and their scores are dropped.
template <int Heads, int Groups>
[[gnu::flatten]] void scoreKeyBlock(const uint16_t *keys, int64_t stride,
                                    int64_t visible, int64_t headDim,
                                    float scale, const float *const queries[],
                                    float *const scores[], int64_t first) {
  const uint16_t *rows[Groups][kLanes];
  keyBlockRows(keys, stride, visible, first, rows);
  __m256d sums[Heads][2 * Groups];
  for (int h = 0; h < Heads; ++h)
    for (int s = 0; s < 2 * Groups; ++s)
      sums[h][s] = _mm256_setzero_pd();

  int64_t d = 0;
  for (; d + kFeatureStep <= headDim; d += kFeatureStep) {
    __m128i columns[Groups][kFeatureStep];
    for (int g = 0; g < Groups; ++g)
      transposeBlock(rows[g], d, columns[g]);
    __m256d step[Heads];
    for (int h = 0; h < Heads; ++h)
      step[h] = _mm256_cvtps_pd(_mm_loadu_ps(queries[h] + d));
    addColumns<Heads, Groups, 0>(columns, step, sums);
    addColumns<Heads, Groups, 1>(columns, step, sums);
    addColumns<Heads, Groups, 2>(columns, step, sums);
    addColumns<Heads, Groups, 3>(columns, step, sums);
  }
  for (; d < headDim; ++d) {
    __m256d query[Heads];
    for (int h = 0; h < Heads; ++h)
      query[h] = _mm256_set1_pd(queries[h][d]);
    for (int g = 0; g < Groups; ++g) {
      alignas(16) uint16_t column[kLanes];
      for (int64_t i = 0; i < kLanes; ++i)
        column[i] = rows[g][i][d];
      addColumn<Heads, Groups>(
          _mm_load_si128(reinterpret_cast<const __m128i *>(column)), g, query,
          sums);
    }
  }

  const __m256 scales = _mm256_set1_ps(scale);
  for (int g = 0; g < Groups; ++g) {
    const int64_t begin = first + g * kLanes;
    const int64_t count = std::min(kLanes, visible - begin);
    if (count <= 0)
      break;
    for (int h = 0; h < Heads; ++h) {
      const __m256 block =
          _mm256_mul_ps(_mm256_set_m128(_mm256_cvtpd_ps(sums[h][2 * g + 1]),
                                        _mm256_cvtpd_ps(sums[h][2 * g])),
                        scales);
      alignas(32) float lanes[kLanes];
      _mm256_store_ps(lanes, block);
      std::copy_n(lanes, count, scores[h] + begin);
    }
  }
}

/// The kLanes f16 values at `p`, or with `Tail` the first `count` of them
/// and zeros.
template <bool Tail> __m128i loadValueHalves(const uint16_t *p, int64_t count) {
  if constexpr (Tail) {
    alignas(16) uint16_t copy[kLanes] = {};
    std::copy_n(p, count, copy);
    return _mm_load_si128(reinterpret_cast<const __m128i *>(copy));
  } else {
    (void)count;
    return _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
  }
}

/// sums[h] += p[h] * the Groups * kLanes value features at `row`.
template <int Heads, int Groups, bool Tail>
void addValueRow(const uint16_t *row, int64_t count, const __m256d p[Heads],
                 __m256d sums[Heads][2 * Groups]) {
  for (int g = 0; g < Groups; ++g) {
    __m256d low, high;
    widenHalves(loadValueHalves<Tail>(row + g * kLanes, count), low, high);
    for (int h = 0; h < Heads; ++h) {
      sums[h][2 * g] = _mm256_fmadd_pd(p[h], low, sums[h][2 * g]);
      sums[h][2 * g + 1] = _mm256_fmadd_pd(p[h], high, sums[h][2 * g + 1]);
    }
  }
}

/// addValueRow for key j + Lane, the probabilities of keys j..j+3 in
/// `step`.
template <int Heads, int Groups, bool Tail, int Lane>
void addValueRowLane(const uint16_t *row, int64_t count,
                     const __m256d step[Heads],
                     __m256d sums[Heads][2 * Groups]) {
  __m256d p[Heads];
  for (int h = 0; h < Heads; ++h)
    p[h] = broadcastLane<Lane>(step[h]);
  addValueRow<Heads, Groups, Tail>(row, count, p, sums);
}

/// Output features d.. of Groups * kLanes (with `Tail`, the `count` left,
/// fewer than kLanes), `column` pointing at feature d of value 0.
template <int Heads, int Groups, bool Tail>
[[gnu::flatten]] void weighValueBlock(const uint16_t *column, int64_t stride,
                                      int64_t visible, int64_t count,
                                      const float *const probabilities[],
                                      float *const outputs[], int64_t d) {
  __m256d sums[Heads][2 * Groups];
  for (int h = 0; h < Heads; ++h)
    for (int s = 0; s < 2 * Groups; ++s)
      sums[h][s] = _mm256_setzero_pd();
  int64_t j = 0;
  for (; j + 4 <= visible; j += 4) {
    __m256d step[Heads];
    for (int h = 0; h < Heads; ++h)
      step[h] = _mm256_cvtps_pd(_mm_loadu_ps(probabilities[h] + j));
    const uint16_t *row = column + j * stride;
    addValueRowLane<Heads, Groups, Tail, 0>(row, count, step, sums);
    addValueRowLane<Heads, Groups, Tail, 1>(row + stride, count, step, sums);
    addValueRowLane<Heads, Groups, Tail, 2>(row + 2 * stride, count, step,
                                            sums);
    addValueRowLane<Heads, Groups, Tail, 3>(row + 3 * stride, count, step,
                                            sums);
  }
  for (; j < visible; ++j) {
    __m256d p[Heads];
    for (int h = 0; h < Heads; ++h)
      p[h] = _mm256_set1_pd(probabilities[h][j]);
    addValueRow<Heads, Groups, Tail>(column + j * stride, count, p, sums);
  }
  for (int h = 0; h < Heads; ++h)
    for (int g = 0; g < Groups; ++g) {
      const __m256 block = _mm256_set_m128(_mm256_cvtpd_ps(sums[h][2 * g + 1]),
                                           _mm256_cvtpd_ps(sums[h][2 * g]));
      float *output = outputs[h] + d + g * kLanes;
      if constexpr (Tail) {
        alignas(32) float lanes[kLanes];
        _mm256_store_ps(lanes, block);
        std::copy_n(lanes, count, output);
      } else {
        _mm256_storeu_ps(output, block);
      }
    }
}

/// The x86-avx2 loops of f16Attention.
struct Avx2Attention {
  static void roundToHalves(float *x, int64_t count) {
    avx2RoundToHalves(x, count, x);
  }

  static void storeHalves(const float *x, int64_t count, uint16_t *y) {
    int64_t i = 0;
    for (; i + kLanes <= count; i += kLanes)
      _mm_storeu_si128(
          reinterpret_cast<__m128i *>(y + i),
          _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < count; ++i)
      y[i] = _cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT);
  }

  template <int Heads>
  static void scoreKeys(const uint16_t *keys, int64_t stride, int64_t visible,
                        int64_t headDim, float scale,
                        const float *const queries[], float *const scores[]) {
    constexpr int kGroups = std::max(1, kChains / (2 * Heads));
    for (int64_t first = 0; first < visible; first += kGroups * kLanes)
      scoreKeyBlock<Heads, kGroups>(keys, stride, visible, headDim, scale,
                                    queries, scores, first);
  }

  template <int Heads>
  static void weighValues(const uint16_t *values, int64_t stride,
                          int64_t visible, int64_t headDim,
                          const float *const probabilities[],
                          float *const outputs[]) {
    constexpr int kGroups = std::max(1, kChains / (2 * Heads));
    int64_t d = 0;
    for (; d + kGroups * kLanes <= headDim; d += kGroups * kLanes)
      weighValueBlock<Heads, kGroups, false>(values + d, stride, visible,
                                             kGroups * kLanes, probabilities,
                                             outputs, d);
    for (; d + kLanes <= headDim; d += kLanes)
      weighValueBlock<Heads, 1, false>(values + d, stride, visible, kLanes,
                                       probabilities, outputs, d);
    if (d < headDim)
      weighValueBlock<Heads, 1, true>(values + d, stride, visible, headDim - d,
                                      probabilities, outputs, d);
  }
};

} // namespace

void avx2_attention_f16_cache(const float *q, const float *k, const float *v,
                              int64_t tokens, int64_t validTokens,
                              int64_t position, int64_t heads, int64_t kvHeads,
                              int64_t headDim, int64_t kvHeadBegin,
                              int64_t kvHeadEnd, uint16_t *kCache,
                              uint16_t *vCache, float *out, float *scratch) {
  f16Attention<Avx2Attention>(q, k, v, tokens, validTokens, position, heads,
                              kvHeads, headDim, kvHeadBegin, kvHeadEnd, kCache,
                              vCache, out, scratch);
}
