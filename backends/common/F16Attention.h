//===- F16Attention.h - Loop nest of SIMD f16-cache attention ---*- C++ -*-===//
//
// What the SIMD backends' attention_f16_cache share. The new keys and values
// are rounded into the cache; then per token and KV head up to
// kHeadsTogether of its query heads are attended together, so that each key
// and value the ISA's loops widen serves all of them. The first head's
// scores use the caller's scratch, the others' a stack buffer of
// kStackScores floats (with a context too long for it, fewer heads go
// together). The rounded queries wait in their heads' output columns, which
// the outputs replace last (so out may be q). The softmax is the
// reference's, scalar and in order (expf, the exponentials summed in
// double). An Isa supplies
//   static void storeHalves(const float *x, int64_t count, uint16_t *y);
//   static void roundToHalves(float *x, int64_t count);
//   template <int Heads> static void scoreKeys(const uint16_t *keys,
//       int64_t stride, int64_t visible, int64_t headDim, float scale,
//       const float *const queries[], float *const scores[]);
//   template <int Heads> static void weighValues(const uint16_t *values,
//       int64_t stride, int64_t visible, int64_t headDim,
//       const float *const probabilities[], float *const outputs[]);
// storeHalves rounds x to f16 (ties to even) into y; roundToHalves rounds x
// to f16 and back in place; for h below Heads and the `visible` keys and
// values (rows `stride` apart), scoreKeys sets scores[h][j] =
// (float)(queries[h] . key j, summed in double over the features in order)
// * scale, and weighValues sets outputs[h][d] = (float)(the sum over j of
// probabilities[h][j] * feature d of value j, in double, j ascending). This
// header is included by each ISA's translation unit.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_COMMON_F16ATTENTION_H
#define TERNC_BACKENDS_COMMON_F16ATTENTION_H

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace ternc::backends {

/// Query heads of one KV head attended together, at most.
inline constexpr int64_t kHeadsTogether = 4;
/// Floats of scores on the stack (48 KiB): room for three more heads' over
/// 2B4T's whole context (4096).
inline constexpr int64_t kStackScores = 12288;

/// rows[g][i] = the key row of key first + g * Lanes + i, `stride` apart
/// from `keys`; keys past the last visible one read the last one again (a
/// block's tail, whose scores the caller drops).
template <int Groups, int Lanes>
void keyBlockRows(const uint16_t *keys, int64_t stride, int64_t visible,
                  int64_t first, const uint16_t *(&rows)[Groups][Lanes]) {
  for (int g = 0; g < Groups; ++g)
    for (int i = 0; i < Lanes; ++i)
      rows[g][i] =
          keys + std::min<int64_t>(first + g * Lanes + i, visible - 1) * stride;
}

/// One head's scores turned into its probabilities as the reference does:
/// p_j = expf(score_j - max) * (float)(1 / the exps summed in double, in
/// order), rounded to f16.
template <typename Isa> void softmaxToHalves(float *scores, int64_t visible) {
  float maxScore = -INFINITY;
  for (int64_t j = 0; j < visible; ++j)
    maxScore = std::max(maxScore, scores[j]);
  double sum = 0;
  for (int64_t j = 0; j < visible; ++j) {
    scores[j] = std::exp(scores[j] - maxScore);
    sum += scores[j];
  }
  const float inverseSum = static_cast<float>(1.0 / sum);
  for (int64_t j = 0; j < visible; ++j)
    scores[j] *= inverseSum;
  Isa::roundToHalves(scores, visible);
}

/// One token's attention for `Heads` query heads of one KV head: queries[h]
/// (f32, rounded to f16 here) become the outputs.
template <typename Isa, int Heads>
void attendHeads(const uint16_t *keys, const uint16_t *values, int64_t stride,
                 int64_t visible, int64_t headDim, float scale,
                 float *const queries[], float *const scores[]) {
  for (int h = 0; h < Heads; ++h)
    Isa::roundToHalves(queries[h], headDim);
  Isa::template scoreKeys<Heads>(keys, stride, visible, headDim, scale, queries,
                                 scores);
  for (int h = 0; h < Heads; ++h)
    softmaxToHalves<Isa>(scores[h], visible);
  Isa::template weighValues<Heads>(values, stride, visible, headDim, scores,
                                   queries);
}

/// KernelAbi.h's attention_f16_cache on `Isa`'s loops.
template <typename Isa>
void f16Attention(const float *q, const float *k, const float *v,
                  int64_t tokens, int64_t validTokens, int64_t position,
                  int64_t heads, int64_t kvHeads, int64_t headDim,
                  int64_t kvHeadBegin, int64_t kvHeadEnd, uint16_t *kCache,
                  uint16_t *vCache, float *out, float *scratch) {
  const int64_t width = heads * headDim, kvWidth = kvHeads * headDim;
  const int64_t group = heads / kvHeads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(headDim));
  const int64_t kvBegin = kvHeadBegin * headDim, kvEnd = kvHeadEnd * headDim;
  const int64_t headBegin = kvHeadBegin * group, headEnd = kvHeadEnd * group;

  for (int64_t t = 0; t < validTokens; ++t) {
    const int64_t row = (position + t) * kvWidth;
    Isa::storeHalves(k + t * kvWidth + kvBegin, kvEnd - kvBegin,
                     kCache + row + kvBegin);
    Isa::storeHalves(v + t * kvWidth + kvBegin, kvEnd - kvBegin,
                     vCache + row + kvBegin);
  }

  float stackScores[kStackScores];
  for (int64_t t = 0; t < validTokens; ++t) {
    const int64_t visible = position + t + 1;
    const int64_t together =
        std::min(kHeadsTogether, 1 + kStackScores / visible);
    for (int64_t kvHead = kvHeadBegin; kvHead < kvHeadEnd; ++kvHead) {
      const uint16_t *keys = kCache + kvHead * headDim;
      const uint16_t *values = vCache + kvHead * headDim;
      const int64_t end = (kvHead + 1) * group;
      for (int64_t first = kvHead * group; first < end; first += together) {
        const int64_t count = std::min(together, end - first);
        float *queries[kHeadsTogether], *scores[kHeadsTogether];
        for (int64_t h = 0; h < count; ++h) {
          const int64_t column = t * width + (first + h) * headDim;
          queries[h] = out + column;
          if (out != q)
            std::copy_n(q + column, headDim, queries[h]);
          scores[h] =
              h == 0 ? scratch + headDim : stackScores + (h - 1) * visible;
        }
        switch (count) {
        case 1:
          attendHeads<Isa, 1>(keys, values, kvWidth, visible, headDim, scale,
                              queries, scores);
          break;
        case 2:
          attendHeads<Isa, 2>(keys, values, kvWidth, visible, headDim, scale,
                              queries, scores);
          break;
        case 3:
          attendHeads<Isa, 3>(keys, values, kvWidth, visible, headDim, scale,
                              queries, scores);
          break;
        default:
          attendHeads<Isa, 4>(keys, values, kvWidth, visible, headDim, scale,
                              queries, scores);
          break;
        }
      }
    }
  }
  for (int64_t t = validTokens; t < tokens; ++t)
    std::fill(out + t * width + headBegin * headDim,
              out + t * width + headEnd * headDim, 0.0f);
}

} // namespace ternc::backends

#endif // TERNC_BACKENDS_COMMON_F16ATTENTION_H
