//===- Avx512Attention.cpp - f16-cache attention, AVX-512 -----------------===//
//
// Compiled with -mavx512f -mavx512bw -mavx512vl -mf16c; only called once the
// CPU is known to have them.
//
// The scheme of the x86-avx2 kernel (Avx2Attention.cpp) on 512-bit vectors:
// lanes hold independent sums, each in the reference's order, eight keys'
// scores or eight output features' per vector of doubles. Keys are read
// eight rows by eight features at a time and transposed by two vpermt2w;
// tails of rows are masked loads. Every widened key or value serves all
// the heads attended together, and each loop keeps kChains vectors of sums
// going. Products of f16 values are exact in double (so fused multiply-adds
// round what the reference's multiply and add round) and F16C rounds to
// nearest even as the reference does, so the results are bit for bit the
// generic backend's. The loop nest is backends/common/F16Attention.h.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx512/Avx512Attention.h"

#include "backends/common/F16Attention.h"

#include <algorithm>
#include <immintrin.h>

namespace {

using namespace ternc::backends;

/// Doubles per vector: keys of a score group, features of an output group.
constexpr int64_t kLanes = 8;
/// Vectors of sums a loop keeps going at once.
constexpr int kChains = 8;

/// The first `count` of eight lanes.
__mmask8 firstLanes(int64_t count) {
  return static_cast<__mmask8>((1u << count) - 1);
}

/// vpermt2w indices that gather features c0..c0+3 of eight rows of eight
/// halves (rows 0..3 in the first source, 4..7 in the second): half 8c + i
/// of the result is feature c0 + c of row i.
__m512i transposeIndices(int c0) {
  alignas(64) uint16_t indices[32];
  for (int c = 0; c < 4; ++c)
    for (int i = 0; i < 8; ++i)
      indices[8 * c + i] = static_cast<uint16_t>(8 * i + c0 + c);
  return _mm512_load_si512(indices);
}

/// Features d.. (where `mask` is set, the rest zero) of eight rows of f16
/// values, transposed: columns[c / 4] holds feature d + c of rows 0..7 in
/// its 128-bit lane c % 4.
void transposeBlock(const uint16_t *const rows[kLanes], int64_t d,
                    __mmask8 mask, const __m512i indices[2],
                    __m512i columns[2]) {
  __m512i sources[2];
  for (int s = 0; s < 2; ++s) {
    sources[s] =
        _mm512_castsi128_si512(_mm_maskz_loadu_epi16(mask, rows[4 * s] + d));
    sources[s] = _mm512_inserti32x4(
        sources[s], _mm_maskz_loadu_epi16(mask, rows[4 * s + 1] + d), 1);
    sources[s] = _mm512_inserti32x4(
        sources[s], _mm_maskz_loadu_epi16(mask, rows[4 * s + 2] + d), 2);
    sources[s] = _mm512_inserti32x4(
        sources[s], _mm_maskz_loadu_epi16(mask, rows[4 * s + 3] + d), 3);
  }
  for (int c = 0; c < 2; ++c)
    columns[c] = _mm512_permutex2var_epi16(sources[0], indices[c], sources[1]);
}

/// Feature d + c of the eight rows (lane c % 4 of columns[c / 4]) as
/// doubles.
__m512d widenColumn(const __m512i columns[2], int64_t c) {
  const __m512i pair = columns[c / 4];
  const __m512 floats =
      _mm512_cvtph_ps(c % 4 < 2 ? _mm512_castsi512_si256(pair)
                                : _mm512_extracti64x4_epi64(pair, 1));
  const __m512d halves = _mm512_castps_pd(floats);
  return _mm512_cvtps_pd(
      c % 2 == 0 ? _mm512_castps512_ps256(floats)
                 : _mm256_castpd_ps(_mm512_extractf64x4_pd(halves, 1)));
}

/// sums[h][g] += the products of features d..d+count-1 (count <= kLanes)
/// of the queries and of each group of eight key rows, feature by feature.
template <int Heads, int Groups>
void addKeyFeatures(const uint16_t *const rows[Groups][kLanes], int64_t d,
                    int64_t count, const __m512i indices[2],
                    const float *const queries[], __m512d sums[Heads][Groups]) {
  const __mmask8 mask = firstLanes(count);
  __m512d step[Heads];
  for (int h = 0; h < Heads; ++h)
    step[h] = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(mask, queries[h] + d));
  __m512i columns[Groups][2];
  for (int g = 0; g < Groups; ++g)
    transposeBlock(rows[g], d, mask, indices, columns[g]);
  for (int64_t c = 0; c < count; ++c) {
    const __m512i lane = _mm512_set1_epi64(c);
    __m512d query[Heads];
    for (int h = 0; h < Heads; ++h)
      query[h] = _mm512_permutexvar_pd(lane, step[h]);
    for (int g = 0; g < Groups; ++g) {
      const __m512d column = widenColumn(columns[g], c);
      for (int h = 0; h < Heads; ++h)
        sums[h][g] = _mm512_fmadd_pd(query[h], column, sums[h][g]);
    }
  }
}

/// Scores of Groups * kLanes keys from `first` on: rows past the last key
/// read the last key again, and their scores are dropped.
template <int Heads, int Groups>
[[gnu::flatten]] void scoreKeyBlock(const uint16_t *keys, int64_t stride,
                                    int64_t visible, int64_t headDim,
                                    float scale, const __m512i indices[2],
                                    const float *const queries[],
                                    float *const scores[], int64_t first) {
  const uint16_t *rows[Groups][kLanes];
  keyBlockRows(keys, stride, visible, first, rows);
  __m512d sums[Heads][Groups];
  for (int h = 0; h < Heads; ++h)
    for (int g = 0; g < Groups; ++g)
      sums[h][g] = _mm512_setzero_pd();
  int64_t d = 0;
  for (; d + kLanes <= headDim; d += kLanes)
    addKeyFeatures<Heads, Groups>(rows, d, kLanes, indices, queries, sums);
  if (d < headDim)
    addKeyFeatures<Heads, Groups>(rows, d, headDim - d, indices, queries, sums);

  const __m256 scales = _mm256_set1_ps(scale);
  for (int g = 0; g < Groups; ++g) {
    const int64_t begin = first + g * kLanes;
    if (begin >= visible)
      break;
    const __mmask8 mask = firstLanes(std::min(kLanes, visible - begin));
    for (int h = 0; h < Heads; ++h)
      _mm256_mask_storeu_ps(scores[h] + begin, mask,
                            _mm256_mul_ps(_mm512_cvtpd_ps(sums[h][g]), scales));
  }
}

/// sums[h][g] += the products of the probabilities of keys j..j+count-1
/// (count <= kLanes) and their values' features (where `mask` is set in
/// each group), key by key; `column` points at the block's first feature of
/// value 0.
template <int Heads, int Groups>
void addValueRows(const uint16_t *column, int64_t stride, int64_t j,
                  int64_t count, __mmask8 mask,
                  const float *const probabilities[],
                  __m512d sums[Heads][Groups]) {
  __m512d step[Heads];
  for (int h = 0; h < Heads; ++h)
    step[h] = _mm512_cvtps_pd(
        _mm256_maskz_loadu_ps(firstLanes(count), probabilities[h] + j));
  for (int64_t i = 0; i < count; ++i) {
    const uint16_t *row = column + (j + i) * stride;
    const __m512i lane = _mm512_set1_epi64(i);
    __m512d p[Heads];
    for (int h = 0; h < Heads; ++h)
      p[h] = _mm512_permutexvar_pd(lane, step[h]);
    for (int g = 0; g < Groups; ++g) {
      const __m512d values = _mm512_cvtps_pd(
          _mm256_cvtph_ps(_mm_maskz_loadu_epi16(mask, row + g * kLanes)));
      for (int h = 0; h < Heads; ++h)
        sums[h][g] = _mm512_fmadd_pd(p[h], values, sums[h][g]);
    }
  }
}

/// Output features d.. of Groups * kLanes (where `mask` is set in each
/// group), `column` pointing at feature d of value 0.
template <int Heads, int Groups>
[[gnu::flatten]] void weighValueBlock(const uint16_t *column, int64_t stride,
                                      int64_t visible, __mmask8 mask,
                                      const float *const probabilities[],
                                      float *const outputs[], int64_t d) {
  __m512d sums[Heads][Groups];
  for (int h = 0; h < Heads; ++h)
    for (int g = 0; g < Groups; ++g)
      sums[h][g] = _mm512_setzero_pd();
  int64_t j = 0;
  for (; j + kLanes <= visible; j += kLanes)
    addValueRows<Heads, Groups>(column, stride, j, kLanes, mask, probabilities,
                                sums);
  if (j < visible)
    addValueRows<Heads, Groups>(column, stride, j, visible - j, mask,
                                probabilities, sums);
  for (int h = 0; h < Heads; ++h)
    for (int g = 0; g < Groups; ++g)
      _mm256_mask_storeu_ps(outputs[h] + d + g * kLanes, mask,
                            _mm512_cvtpd_ps(sums[h][g]));
}

/// The x86-avx512 loops of f16Attention.
struct Avx512Attention {
  static void storeHalves(const float *x, int64_t count, uint16_t *y) {
    for (int64_t i = 0; i < count; i += 2 * kLanes) {
      const __mmask16 mask =
          static_cast<__mmask16>((1u << std::min(2 * kLanes, count - i)) - 1);
      _mm256_mask_storeu_epi16(
          y + i, mask,
          _mm512_cvtps_ph(_mm512_maskz_loadu_ps(mask, x + i),
                          _MM_FROUND_TO_NEAREST_INT));
    }
  }

  static void roundToHalves(float *x, int64_t count) {
    for (int64_t i = 0; i < count; i += 2 * kLanes) {
      const __mmask16 mask =
          static_cast<__mmask16>((1u << std::min(2 * kLanes, count - i)) - 1);
      _mm512_mask_storeu_ps(
          x + i, mask,
          _mm512_cvtph_ps(_mm512_cvtps_ph(_mm512_maskz_loadu_ps(mask, x + i),
                                          _MM_FROUND_TO_NEAREST_INT)));
    }
  }

  template <int Heads>
  static void scoreKeys(const uint16_t *keys, int64_t stride, int64_t visible,
                        int64_t headDim, float scale,
                        const float *const queries[], float *const scores[]) {
    constexpr int kGroups = std::max(1, kChains / Heads);
    const __m512i indices[2] = {transposeIndices(0), transposeIndices(4)};
    for (int64_t first = 0; first < visible; first += kGroups * kLanes)
      scoreKeyBlock<Heads, kGroups>(keys, stride, visible, headDim, scale,
                                    indices, queries, scores, first);
  }

  template <int Heads>
  static void weighValues(const uint16_t *values, int64_t stride,
                          int64_t visible, int64_t headDim,
                          const float *const probabilities[],
                          float *const outputs[]) {
    constexpr int kGroups = std::max(1, kChains / Heads);
    int64_t d = 0;
    for (; d + kGroups * kLanes <= headDim; d += kGroups * kLanes)
      weighValueBlock<Heads, kGroups>(values + d, stride, visible,
                                      firstLanes(kLanes), probabilities,
                                      outputs, d);
    for (; d < headDim; d += kLanes)
      weighValueBlock<Heads, 1>(values + d, stride, visible,
                                firstLanes(std::min(kLanes, headDim - d)),
                                probabilities, outputs, d);
  }
};

} // namespace

void avx512_attention_f16_cache(const float *q, const float *k, const float *v,
                                int64_t tokens, int64_t validTokens,
                                int64_t position, int64_t heads,
                                int64_t kvHeads, int64_t headDim,
                                int64_t kvHeadBegin, int64_t kvHeadEnd,
                                uint16_t *kCache, uint16_t *vCache, float *out,
                                float *scratch) {
  f16Attention<Avx512Attention>(q, k, v, tokens, validTokens, position, heads,
                                kvHeads, headDim, kvHeadBegin, kvHeadEnd,
                                kCache, vCache, out, scratch);
}
