//===- Avx2RowOps.cpp - Quantization, RMSNorm, elementwise ops (AVX2) -----===//
//
// Compiled with -mavx2; only called once the CPU is known to have it.
//
// Each entry does the generic kernel's operations in its order and
// precision, eight lanes at a time, so its results are the reference's bit
// for bit:
//  - RMSNorm's sum of squares is, per row, a chain of double additions of
//    the f32 squares, i ascending. Here four rows' chains run in the lanes of
//    one double vector: a transpose of their squares hands element i of the
//    four rows to one vaddpd, then element i + 1, and so on, so each row's
//    additions keep their order. Two such groups run side by side to hide
//    the add latency (a last group short of rows sums its last row again
//    and drops those sums). A lone row (decode) is summed in scalar code:
//    its one chain is the bound either way. The mean and 1 / sqrt are the
//    generic's scalar code.
//  - row[i] * inverse * gamma[i] is two f32 multiplies, left to right (the
//    build passes -ffp-contract=off: no FMA).
//  - amax: widening f32 to double is exact and order-preserving, so the max
//    of |v| over f32 lanes, widened, is the reference's max of the widened
//    values; vmaxps(|v|, m) keeps m when |v| is NaN, as std::max(m, |v|)
//    does. Four running maxima overlap their latencies.
//  - q: vcvtps2dq rounds in the current rounding mode, as nearbyint does
//    (half to even by default), and the saturating packs (vpackssdw,
//    vpacksswb, then vpermd to undo their per-128-bit-half order) clamp to
//    [-128, 127]. For finite inputs |v * scale| is at most 127 plus a
//    rounding, so nothing saturates. A NaN product (a NaN input, or an
//    infinite one, whose row scale is 0) has no defined int8 in the
//    reference (converting NaN to an integer is undefined behaviour); here
//    it gives -128.
//  - relu2: vmaxps(x, 0) is x > 0 ? x : 0 exactly, +0 for -0 and for NaN.
// A row's last block of fewer than eight elements is loaded with a mask
// (zeros in the missing lanes) and stored under it: the zeros add squares
// of +0 to the sums (which are never -0, so they stay unchanged) and never
// raise a max of magnitudes.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx2/Avx2RowOps.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <immintrin.h>

namespace {

/// Elements per block (f32 lanes of a vector).
constexpr int64_t kBlock = 8;
/// Blocks per wide step of forEachBlock (32 elements: 32 int8 in a vector).
constexpr int64_t kWideBlocks = 4;
/// Rows whose sums of squares share a double vector, one per lane.
constexpr int64_t kRowGroup = 4;
/// Groups of rows summed side by side.
constexpr int kGroupsAtOnce = 2;

/// A whole block of eight elements.
struct FullBlock {
  static __m256 load(const float *p) { return _mm256_loadu_ps(p); }
  static void store(float *p, __m256 v) { _mm256_storeu_ps(p, v); }
  /// Stores the low eight bytes of `bytes`.
  static void storeBytes(int8_t *p, __m128i bytes) {
    _mm_storel_epi64(reinterpret_cast<__m128i *>(p), bytes);
  }
};

/// The first `count` (1 to 7) elements of a block: loads read zeros in the
/// other lanes and stores leave the memory past `count` alone.
struct PartialBlock {
  explicit PartialBlock(int64_t count)
      : count(count),
        mask(_mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))) {}
  __m256 load(const float *p) const { return _mm256_maskload_ps(p, mask); }
  void store(float *p, __m256 v) const { _mm256_maskstore_ps(p, mask, v); }
  void storeBytes(int8_t *p, __m128i bytes) const {
    int8_t all[16];
    _mm_storeu_si128(reinterpret_cast<__m128i *>(all), bytes);
    std::memcpy(p, all, static_cast<size_t>(count));
  }

  int64_t count;
  __m256i mask;
};

/// Calls wide(i) for the steps [i, i + 32) that fit in [0, count), then
/// block(i, lanes) for the blocks [i, i + 8) covering the rest, in order;
/// `lanes` is a FullBlock or, for a last block past count, a PartialBlock.
template <typename Wide, typename Block>
void forEachBlock(int64_t count, Wide wide, Block block) {
  int64_t i = 0;
  for (; i + kWideBlocks * kBlock <= count; i += kWideBlocks * kBlock)
    wide(i);
  for (; i + kBlock <= count; i += kBlock)
    block(i, FullBlock{});
  if (i < count)
    block(i, PartialBlock(count - i));
}

/// forEachBlock whose wide steps are kWideBlocks full blocks.
template <typename Block> void forEachBlock(int64_t count, Block block) {
  forEachBlock(
      count,
      [&](int64_t i) {
        for (int64_t k = 0; k < kWideBlocks; ++k)
          block(i + k * kBlock, FullBlock{});
      },
      block);
}

/// The largest of the eight lanes of `v` (none NaN).
float horizontalMax(__m256 v) {
  __m128 max =
      _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  max = _mm_max_ps(max, _mm_movehl_ps(max, max));
  max = _mm_max_ss(max, _mm_movehdup_ps(max));
  return _mm_cvtss_f32(max);
}

/// round(v[k]) (in the current rounding mode) saturated to int8, the 32
/// bytes in order: v[0]'s eight, then v[1]'s, and so on.
__m256i roundToInt8(const __m256 (&v)[kWideBlocks]) {
  static_assert(kWideBlocks == 4, "two packs of two vectors each");
  const __m256i words01 =
      _mm256_packs_epi32(_mm256_cvtps_epi32(v[0]), _mm256_cvtps_epi32(v[1]));
  const __m256i words23 =
      _mm256_packs_epi32(_mm256_cvtps_epi32(v[2]), _mm256_cvtps_epi32(v[3]));
  // Each 128-bit half packs four bytes of each vector: the low half those
  // of lanes 0-3, the high half those of lanes 4-7.
  const __m256i bytes = _mm256_packs_epi16(words01, words23);
  return _mm256_permutevar8x32_epi32(bytes,
                                     _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/// max(|v|, m) per lane; m where v is NaN.
__m256 maxMagnitude(__m256 v, __m256 m) {
  return _mm256_max_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), v), m);
}

/// sums[r] = the f32 squares of rows[r] (`features` each) summed in double,
/// i ascending, for the kRowGroup * Groups rows.
template <int Groups>
void sumSquares(const float *const *rows, int64_t features, double *sums) {
  __m256d chains[Groups];
  for (int g = 0; g < Groups; ++g)
    chains[g] = _mm256_setzero_pd();
  forEachBlock(features, [&](int64_t i, auto lanes) {
    for (int g = 0; g < Groups; ++g) {
      const float *const *group = rows + g * kRowGroup;
      __m256 squares[kRowGroup];
      for (int r = 0; r < kRowGroup; ++r) {
        const __m256 x = lanes.load(group[r] + i);
        squares[r] = _mm256_mul_ps(x, x);
      }
      // A 4x4 transpose in each 128-bit half: lane r of column k is
      // element i + k (low half) and i + 4 + k (high half) of row r.
      const __m256 low01 = _mm256_unpacklo_ps(squares[0], squares[1]);
      const __m256 high01 = _mm256_unpackhi_ps(squares[0], squares[1]);
      const __m256 low23 = _mm256_unpacklo_ps(squares[2], squares[3]);
      const __m256 high23 = _mm256_unpackhi_ps(squares[2], squares[3]);
      const __m256 columns[4] = {
          _mm256_shuffle_ps(low01, low23, _MM_SHUFFLE(1, 0, 1, 0)),
          _mm256_shuffle_ps(low01, low23, _MM_SHUFFLE(3, 2, 3, 2)),
          _mm256_shuffle_ps(high01, high23, _MM_SHUFFLE(1, 0, 1, 0)),
          _mm256_shuffle_ps(high01, high23, _MM_SHUFFLE(3, 2, 3, 2))};
      for (const __m256 column : columns)
        chains[g] = _mm256_add_pd(
            chains[g], _mm256_cvtps_pd(_mm256_castps256_ps128(column)));
      for (const __m256 column : columns)
        chains[g] = _mm256_add_pd(
            chains[g], _mm256_cvtps_pd(_mm256_extractf128_ps(column, 1)));
    }
  });
  for (int g = 0; g < Groups; ++g)
    _mm256_storeu_pd(sums + g * kRowGroup, chains[g]);
}

/// The f32 squares of `row` summed in double, i ascending, in scalar code:
/// for a lone row (decode), which would share a vector with copies of itself.
double sumSquares(const float *row, int64_t features) {
  double sum = 0;
  for (int64_t i = 0; i < features; ++i)
    sum += static_cast<double>(row[i] * row[i]);
  return sum;
}

/// Calls perRow(t, inverse) for each row t of x [tokens][features], t
/// ascending, with its 1 / sqrt(mean of squares + epsilon) (the generic's
/// inverseRms); the sums of squares of up to eight rows are computed
/// together, before any of them is passed on.
template <typename PerRow>
void forEachInverseRms(const float *x, int64_t tokens, int64_t features,
                       float epsilon, PerRow perRow) {
  constexpr int64_t kRowsAtOnce = kRowGroup * kGroupsAtOnce;
  for (int64_t first = 0; first < tokens; first += kRowsAtOnce) {
    const int64_t count = std::min(kRowsAtOnce, tokens - first);
    // Rows past the last one read the last one again; their sums are
    // dropped.
    const float *rows[kRowsAtOnce];
    for (int64_t r = 0; r < kRowsAtOnce; ++r)
      rows[r] = x + (first + std::min(r, count - 1)) * features;
    double sums[kRowsAtOnce];
    if (count == 1)
      sums[0] = sumSquares(rows[0], features);
    else if (count <= kRowGroup)
      sumSquares<1>(rows, features, sums);
    else
      sumSquares<kGroupsAtOnce>(rows, features, sums);
    for (int64_t r = 0; r < count; ++r) {
      const float mean =
          static_cast<float>(sums[r] / static_cast<double>(features));
      perRow(first + r, 1.0f / std::sqrt(mean + epsilon));
    }
  }
}

/// One block of the normalized row: row[i] * inverse * gamma[i], left to
/// right.
template <typename Lanes>
__m256 normalizeBlock(const float *row, const float *gamma, float inverse,
                      int64_t i, const Lanes &lanes) {
  return _mm256_mul_ps(
      _mm256_mul_ps(lanes.load(row + i), _mm256_set1_ps(inverse)),
      lanes.load(gamma + i));
}

/// Quantizes the row of `features` values that valueAt(i, lanes) computes
/// a block at a time to int8 (absmax, round half to even) and returns its
/// scale 127 / amax, as the generic quantizeRowI8. valueAt is called twice
/// per block and must return the same values both times.
template <typename ValueAt>
float quantizeRow(ValueAt valueAt, int64_t features, int8_t *q) {
  // One running max per block of a wide step, so that they overlap.
  __m256 maxAbs[kWideBlocks];
  for (__m256 &m : maxAbs)
    m = _mm256_setzero_ps();
  forEachBlock(
      features,
      [&](int64_t i) {
        for (int64_t k = 0; k < kWideBlocks; ++k)
          maxAbs[k] =
              maxMagnitude(valueAt(i + k * kBlock, FullBlock{}), maxAbs[k]);
      },
      [&](int64_t i, auto lanes) {
        maxAbs[0] = maxMagnitude(valueAt(i, lanes), maxAbs[0]);
      });
  const __m256 maxAll = _mm256_max_ps(_mm256_max_ps(maxAbs[0], maxAbs[1]),
                                      _mm256_max_ps(maxAbs[2], maxAbs[3]));
  const double amax =
      std::max(1e-5, static_cast<double>(horizontalMax(maxAll)));
  const float scale = static_cast<float>(127.0 / amax);
  const __m256 scales = _mm256_set1_ps(scale);
  forEachBlock(
      features,
      [&](int64_t i) {
        __m256 scaled[kWideBlocks];
        for (int64_t k = 0; k < kWideBlocks; ++k)
          scaled[k] =
              _mm256_mul_ps(valueAt(i + k * kBlock, FullBlock{}), scales);
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(q + i),
                            roundToInt8(scaled));
      },
      [&](int64_t i, auto lanes) {
        const __m256 scaled = _mm256_mul_ps(valueAt(i, lanes), scales);
        // The first eight bytes are scaled's.
        lanes.storeBytes(q + i, _mm256_castsi256_si128(roundToInt8(
                                    {scaled, scaled, scaled, scaled})));
      });
  return scale;
}

/// y[i] = map(x[i]) a block at a time; y may be x.
template <typename Map>
void mapElementwise(const float *x, int64_t count, float *y, Map map) {
  forEachBlock(count, [&](int64_t i, auto lanes) {
    lanes.store(y + i, map(lanes.load(x + i)));
  });
}

/// y[i] = combine(a[i], b[i]) a block at a time; y may be a or b.
template <typename Combine>
void combineElementwise(const float *a, const float *b, int64_t count, float *y,
                        Combine combine) {
  forEachBlock(count, [&](int64_t i, auto lanes) {
    lanes.store(y + i, combine(lanes.load(a + i), lanes.load(b + i)));
  });
}

/// max(x, 0)^2 per lane, the product rounded to f32.
__m256 relu2(__m256 x) {
  const __m256 relu = _mm256_max_ps(x, _mm256_setzero_ps());
  return _mm256_mul_ps(relu, relu);
}

} // namespace

void avx2_quantize_rows_i8(const float *x, int64_t tokens, int64_t features,
                           int8_t *q, float *scales) {
  for (int64_t t = 0; t < tokens; ++t) {
    const float *row = x + t * features;
    scales[t] = quantizeRow(
        [row](int64_t i, const auto &lanes) { return lanes.load(row + i); },
        features, q + t * features);
  }
}

void avx2_rms_norm_quantize_i8(const float *x, const float *gamma,
                               int64_t tokens, int64_t features, float epsilon,
                               int8_t *q, float *scales) {
  forEachInverseRms(
      x, tokens, features, epsilon, [&](int64_t t, float inverse) {
        const float *row = x + t * features;
        scales[t] = quantizeRow(
            [&](int64_t i, const auto &lanes) {
              return normalizeBlock(row, gamma, inverse, i, lanes);
            },
            features, q + t * features);
      });
}

void avx2_rms_norm_f32(const float *x, const float *gamma, int64_t tokens,
                       int64_t features, float epsilon, float *y) {
  forEachInverseRms(
      x, tokens, features, epsilon, [&](int64_t t, float inverse) {
        const float *row = x + t * features;
        float *normalized = y + t * features;
        forEachBlock(features, [&](int64_t i, auto lanes) {
          lanes.store(normalized + i,
                      normalizeBlock(row, gamma, inverse, i, lanes));
        });
      });
}

void avx2_add_f32(const float *a, const float *b, int64_t count, float *y) {
  combineElementwise(a, b, count, y,
                     [](__m256 x, __m256 z) { return _mm256_add_ps(x, z); });
}

void avx2_mul_f32(const float *a, const float *b, int64_t count, float *y) {
  combineElementwise(a, b, count, y,
                     [](__m256 x, __m256 z) { return _mm256_mul_ps(x, z); });
}

void avx2_relu2_f32(const float *x, int64_t count, float *y) {
  mapElementwise(x, count, y, [](__m256 v) { return relu2(v); });
}

void avx2_relu2_mul_f32(const float *gate, const float *up, int64_t count,
                        float *y) {
  combineElementwise(gate, up, count, y, [](__m256 g, __m256 u) {
    return _mm256_mul_ps(relu2(g), u);
  });
}
