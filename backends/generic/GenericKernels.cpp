//===- GenericKernels.cpp - Portable C++ kernels of the generic backend ---===//
//
// Plain loops that perform the operations of compiler/reference/ReferenceOps
// in the same order and precision (f32 products, double sums, the same libm
// calls), so every result is bit-identical to the reference. Speed is the
// SIMD backends' job; the concessions to it here keep every operation's
// order: f16 widening by table, and long double-precision sums computed
// several at a time (matrixVectorInOrder).
//
//===----------------------------------------------------------------------===//

#include "backends/generic/GenericKernels.h"

#include "backends/common/Q4Layout.h"
#include "backends/common/Q8KActivations.h"
#include "runtime/support/Half.h"

#include <algorithm>
#include <cmath>

namespace {

using namespace ternc::backends;
using ternc::floatToHalf;
using ternc::halfToFloat;

/// Trits per I2_S block and the bytes that hold them.
constexpr int64_t kI2SBlock = 128;
constexpr int64_t kI2SBlockBytes = 32;

/// How many of matrixVectorInOrder's sums run side by side.
constexpr int64_t kSumsAtOnce = 8;

/// The f32 value of every f16 bit pattern (256 KiB, built on first use):
/// widening is a load instead of a call per weight.
class HalfTable {
public:
  HalfTable() {
    for (uint32_t bits = 0; bits < kPatterns; ++bits)
      values_[bits] = halfToFloat(static_cast<uint16_t>(bits));
  }
  float operator[](uint16_t bits) const { return values_[bits]; }

private:
  static constexpr uint32_t kPatterns = 1u << 16;
  float values_[kPatterns];
};

/// `bits` as f32; exact.
float widenHalf(uint16_t bits) {
  static const HalfTable table;
  return table[bits];
}

/// `value` rounded to the nearest f16, ties to even, and widened back.
float roundToHalf(float value) { return widenHalf(floatToHalf(value)); }

/// f16 storage (weights, an embedding table, a KV cache): stores and reads
/// binary16, and the f32 operands multiplied with it are rounded to f16
/// first (ggml's f16 path).
struct HalfStorage {
  using Element = uint16_t;
  static Element store(float value) { return floatToHalf(value); }
  static float load(Element element) { return widenHalf(element); }
  static float roundOperand(float value) { return roundToHalf(value); }
};

/// f32 storage: nothing is rounded.
struct FloatStorage {
  using Element = float;
  static Element store(float value) { return value; }
  static float load(Element element) { return element; }
  static float roundOperand(float value) { return value; }
};

/// y = M x for a matrix M of `outputs` x `terms` elements, element (i, k) at
/// m[i * outputStride + k * termStride], widened to f32 by `widen`: each y_i
/// is summed in double, k ascending, and rounded once to f32, as the
/// reference sums. Several sums are kept side by side so that their
/// additions overlap instead of each waiting on the one before.
template <typename Element, typename Widen>
void matrixVectorInOrder(const Element *m, int64_t outputs,
                         int64_t outputStride, int64_t terms,
                         int64_t termStride, const float *x, Widen widen,
                         float *y) {
  for (int64_t first = 0; first < outputs; first += kSumsAtOnce) {
    const int64_t count = std::min(kSumsAtOnce, outputs - first);
    const Element *block = m + first * outputStride;
    double sums[kSumsAtOnce] = {};
    for (int64_t k = 0; k < terms; ++k)
      for (int64_t i = 0; i < count; ++i)
        sums[i] += static_cast<double>(x[k]) *
                   widen(block[i * outputStride + k * termStride]);
    for (int64_t i = 0; i < count; ++i)
      y[first + i] = static_cast<float>(sums[i]);
  }
}

/// Quantizes the row of `features` values that `valueAt(i)` computes to int8
/// (absmax, round half to even) and returns its scale 127 / amax. Takes the
/// values as a function so that a fused producer need not store them; it is
/// called twice per element and must return the same value both times.
template <typename ValueAt>
float quantizeRowI8(ValueAt valueAt, int64_t features, int8_t *q) {
  double amax = 1e-5;
  for (int64_t i = 0; i < features; ++i)
    amax = std::max(amax, std::fabs(static_cast<double>(valueAt(i))));
  const float scale = static_cast<float>(127.0 / amax);
  for (int64_t i = 0; i < features; ++i) {
    // nearbyint rounds half to even in the default rounding mode.
    const float rounded = std::nearbyint(valueAt(i) * scale);
    q[i] = static_cast<int8_t>(std::clamp(rounded, -128.0f, 127.0f));
  }
  return scale;
}

/// 1 / sqrt(mean(x^2) + epsilon) of one row: the f32 squares summed in
/// double, their mean rounded to f32.
float inverseRms(const float *x, int64_t features, float epsilon) {
  double sum = 0;
  for (int64_t i = 0; i < features; ++i)
    sum += static_cast<double>(x[i] * x[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(features));
  return 1.0f / std::sqrt(mean + epsilon);
}

/// The exact dot product of one I2_S row of `in` trits with int8
/// activations.
int32_t dotI2S(const uint8_t *row, const int8_t *q, int64_t in) {
  int32_t dot = 0;
  for (int64_t block = 0; block < in / kI2SBlock; ++block) {
    const uint8_t *bytes = row + block * kI2SBlockBytes;
    const int8_t *activations = q + block * kI2SBlock;
    for (int64_t p = 0; p < kI2SBlockBytes; ++p)
      for (int group = 0; group < 4; ++group) {
        const int trit = ((bytes[p] >> (6 - 2 * group)) & 3) - 1;
        dot += trit * activations[group * kI2SBlockBytes + p];
      }
  }
  return dot;
}

void generic_quantize_rows_i8(const float *x, int64_t tokens, int64_t features,
                              int8_t *q, float *scales) {
  for (int64_t t = 0; t < tokens; ++t) {
    const float *row = x + t * features;
    scales[t] = quantizeRowI8([row](int64_t i) { return row[i]; }, features,
                              q + t * features);
  }
}

void generic_rms_norm_quantize_i8(const float *x, const float *gamma,
                                  int64_t tokens, int64_t features,
                                  float epsilon, int8_t *q, float *scales) {
  for (int64_t t = 0; t < tokens; ++t) {
    const float *row = x + t * features;
    const float inverse = inverseRms(row, features, epsilon);
    scales[t] =
        quantizeRowI8([=](int64_t i) { return row[i] * inverse * gamma[i]; },
                      features, q + t * features);
  }
}

void generic_quantize_rows_q8k(const float *x, int64_t tokens,
                               int64_t features, int8_t *q,
                               float *blockScales) {
  for (int64_t t = 0; t < tokens; ++t) {
    const float *row = x + t * features;
    quantizeRowQ8K([row](int64_t i) { return row[i]; }, features,
                   q + t * features, blockScales + t * features / kQ8KBlock);
  }
}

void generic_rms_norm_quantize_q8k(const float *x, const float *gamma,
                                   int64_t tokens, int64_t features,
                                   float epsilon, int8_t *q,
                                   float *blockScales) {
  for (int64_t t = 0; t < tokens; ++t) {
    const float *row = x + t * features;
    const float inverse = inverseRms(row, features, epsilon);
    quantizeRowQ8K([=](int64_t i) { return row[i] * inverse * gamma[i]; },
                   features, q + t * features,
                   blockScales + t * features / kQ8KBlock);
  }
}

/// Q8_K blocks of activations (quantize_rows_q8k) times I2_S rows: per row
/// and block, the block's trits decoded once and run against every token,
/// each token's exact block dot added to its output (y itself accumulates,
/// in f32, blocks in order, as the reference's sum does).
void generic_bitlinear_i2s_q8k(const int8_t *q, const float *blockScales,
                               const uint8_t *weights, int64_t tokens,
                               int64_t in, int64_t rows, float weightScale,
                               float *y, int64_t yStride) {
  const int64_t blocks = in / kQ8KBlock;
  for (int64_t t = 0; t < tokens; ++t)
    std::fill(y + t * yStride, y + t * yStride + rows, 0.0f);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < blocks; ++b) {
      int8_t trits[kQ8KBlock];
      const uint8_t *bytes = weights + r * in / 4 + b * kQ8KBlock / 4;
      for (int64_t k = 0; k < kQ8KBlock; ++k) {
        const int64_t p = k % kI2SBlock % kI2SBlockBytes;
        const int64_t group = k % kI2SBlock / kI2SBlockBytes;
        const uint8_t byte = bytes[k / kI2SBlock * kI2SBlockBytes + p];
        trits[k] = static_cast<int8_t>(((byte >> (6 - 2 * group)) & 3) - 1);
      }
      for (int64_t t = 0; t < tokens; ++t) {
        const int8_t *activations = q + t * in + b * kQ8KBlock;
        int32_t dot = 0;
        for (int64_t k = 0; k < kQ8KBlock; ++k)
          dot += trits[k] * activations[k];
        y[t * yStride + r] += static_cast<float>(dot) *
                              (blockScales[t * blocks + b] * weightScale);
      }
    }
}

void generic_rms_norm_f32(const float *x, const float *gamma, int64_t tokens,
                          int64_t features, float epsilon, float *y) {
  for (int64_t t = 0; t < tokens; ++t) {
    const float *row = x + t * features;
    float *normalized = y + t * features;
    const float inverse = inverseRms(row, features, epsilon);
    for (int64_t i = 0; i < features; ++i)
      normalized[i] = row[i] * inverse * gamma[i];
  }
}

void generic_bitlinear_i2s(const int8_t *q, const float *scales,
                           const uint8_t *weights, int64_t tokens, int64_t in,
                           int64_t rows, float weightScale, float *y,
                           int64_t yStride) {
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t r = 0; r < rows; ++r) {
      const int32_t dot = dotI2S(weights + r * in / 4, q + t * in, in);
      y[t * yStride + r] = static_cast<float>(dot) / scales[t] * weightScale;
    }
}

template <typename Storage>
void generic_linear(const float *x, const typename Storage::Element *weights,
                    int64_t tokens, int64_t in, int64_t rows, float *y,
                    int64_t yStride, float *scratch) {
  float *rounded = scratch;
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t k = 0; k < in; ++k)
      rounded[k] = Storage::roundOperand(x[t * in + k]);
    matrixVectorInOrder(weights, rows, in, in, 1, rounded, Storage::load,
                        y + t * yStride);
  }
}

template <typename Storage>
void generic_embed(const typename Storage::Element *table, const int32_t *ids,
                   int64_t tokens, int64_t features, float *y) {
  for (int64_t t = 0; t < tokens; ++t) {
    const typename Storage::Element *row =
        table + static_cast<int64_t>(ids[t]) * features;
    for (int64_t i = 0; i < features; ++i)
      y[t * features + i] = Storage::load(row[i]);
  }
}

void generic_linear_i8(const int8_t *q, const float *scales,
                       const int8_t *weights, const float *rowScales,
                       int64_t tokens, int64_t in, int64_t rows, float *y,
                       int64_t yStride) {
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t r = 0; r < rows; ++r) {
      const int8_t *row = weights + r * in;
      const int8_t *activations = q + t * in;
      int32_t dot = 0;
      for (int64_t k = 0; k < in; ++k)
        dot += row[k] * activations[k];
      y[t * yStride + r] = static_cast<float>(dot) / scales[t] * rowScales[r];
    }
}

void generic_embed_i8(const int8_t *table, const float *rowScales,
                      const int32_t *ids, int64_t tokens, int64_t features,
                      float *y) {
  for (int64_t t = 0; t < tokens; ++t) {
    const int64_t id = ids[t];
    for (int64_t i = 0; i < features; ++i)
      y[t * features + i] =
          static_cast<float>(table[id * features + i]) * rowScales[id];
  }
}

/// The exact dot product of a packed 4-bit row of `in` columns
/// (backends/common/Q4Layout.h) with int8 activations: per block, its two
/// halves' sums, each scaled by its group's sub-scale.
int32_t q4Dot(const uint8_t *row, const int8_t *q, int64_t in) {
  int32_t dot = 0;
  for (int64_t start = 0; start < in; start += kQ4Block) {
    const int64_t half = std::min(kQ4Block, in - start) / 2;
    const uint8_t *bytes = row + start / 2;
    int32_t low = 0, high = 0;
    for (int64_t i = 0; i < half; ++i) {
      low += ((bytes[i] & 15) - 8) * q[start + i];
      high += ((bytes[i] >> 4) - 8) * q[start + half + i];
    }
    // A whole block's halves are two groups; a lone last group's, one.
    const int64_t group = start / kQ4Group;
    const int64_t highGroup = half == kQ4Group ? group + 1 : group;
    dot += q4GroupScale(row, in, group) * low +
           q4GroupScale(row, in, highGroup) * high;
  }
  return dot;
}

void generic_linear_q4(const int8_t *q, const float *scales,
                       const uint8_t *weights, const float *rowScales,
                       int64_t tokens, int64_t in, int64_t rows, float *y,
                       int64_t yStride) {
  const int64_t rowBytes = q4RowBytes(in);
  for (int64_t t = 0; t < tokens; ++t)
    for (int64_t r = 0; r < rows; ++r)
      y[t * yStride + r] =
          static_cast<float>(q4Dot(weights + r * rowBytes, q + t * in, in)) /
          scales[t] * rowScales[r];
}

void generic_embed_q4(const uint8_t *table, const float *rowScales,
                      const int32_t *ids, int64_t tokens, int64_t features,
                      float *y) {
  for (int64_t t = 0; t < tokens; ++t) {
    const int64_t id = ids[t];
    const uint8_t *row = table + id * q4RowBytes(features);
    for (int64_t k = 0; k < features; ++k)
      y[t * features + k] =
          static_cast<float>(q4GroupScale(row, features, k / kQ4Group) *
                             q4Weight(row, features, k)) *
          rowScales[id];
  }
}

/// Which features of a head RoPE turns together.
enum class RopePairs {
  Neox, ///< (i, i + dims / 2)
  Norm, ///< (2i, 2i + 1)
};

template <RopePairs Pairs>
void generic_rope_f32(float *x, int64_t tokens, int64_t features,
                      int64_t headDim, int64_t rotatedDims, int64_t position,
                      float base) {
  const int64_t halfDims = rotatedDims / 2;
  const float thetaScale =
      std::pow(base, -2.0f / static_cast<float>(rotatedDims));
  for (int64_t t = 0; t < tokens; ++t) {
    float *row = x + t * features;
    float theta = static_cast<float>(position + t);
    for (int64_t pair = 0; pair < halfDims; ++pair) {
      const float cosine = std::cos(theta), sine = std::sin(theta);
      const int64_t first = Pairs == RopePairs::Neox ? pair : 2 * pair;
      const int64_t second =
          Pairs == RopePairs::Neox ? pair + halfDims : 2 * pair + 1;
      for (int64_t head = 0; head < features; head += headDim) {
        const float x0 = row[head + first], x1 = row[head + second];
        row[head + first] = x0 * cosine - x1 * sine;
        row[head + second] = x0 * sine + x1 * cosine;
      }
      theta *= thetaScale;
    }
  }
}

template <typename Cache>
void generic_attention(const float *q, const float *k, const float *v,
                       int64_t tokens, int64_t validTokens, int64_t position,
                       int64_t heads, int64_t kvHeads, int64_t headDim,
                       int64_t kvHeadBegin, int64_t kvHeadEnd,
                       typename Cache::Element *kCache,
                       typename Cache::Element *vCache, float *out,
                       float *scratch) {
  const int64_t width = heads * headDim, kvWidth = kvHeads * headDim;
  const int64_t group = heads / kvHeads;
  const float scoreScale = 1.0f / std::sqrt(static_cast<float>(headDim));
  // This call's columns of the keys/values and of the queries/outputs.
  const int64_t kvBegin = kvHeadBegin * headDim, kvEnd = kvHeadEnd * headDim;
  const int64_t headBegin = kvHeadBegin * group, headEnd = kvHeadEnd * group;

  for (int64_t t = 0; t < validTokens; ++t)
    for (int64_t i = kvBegin; i < kvEnd; ++i) {
      kCache[(position + t) * kvWidth + i] = Cache::store(k[t * kvWidth + i]);
      vCache[(position + t) * kvWidth + i] = Cache::store(v[t * kvWidth + i]);
    }

  // The query is copied before its head's output is written: out may be q.
  float *query = scratch, *scores = scratch + headDim;
  for (int64_t t = 0; t < validTokens; ++t) {
    const int64_t visible = position + t + 1;
    for (int64_t h = headBegin; h < headEnd; ++h) {
      const int64_t kvOffset = (h / group) * headDim;
      for (int64_t d = 0; d < headDim; ++d)
        query[d] = Cache::roundOperand(q[t * width + h * headDim + d]);

      const typename Cache::Element *keys = kCache + kvOffset;
      matrixVectorInOrder(keys, visible, kvWidth, headDim, 1, query,
                          Cache::load, scores);
      float maxScore = -INFINITY;
      for (int64_t j = 0; j < visible; ++j) {
        scores[j] *= scoreScale;
        maxScore = std::max(maxScore, scores[j]);
      }
      double sum = 0;
      for (int64_t j = 0; j < visible; ++j) {
        scores[j] = std::exp(scores[j] - maxScore);
        sum += scores[j];
      }
      // ggml multiplies by the f32 reciprocal of the sum; with an f16 cache
      // the last bit survives the rounding of the probabilities.
      const float inverseSum = static_cast<float>(1.0 / sum);
      for (int64_t j = 0; j < visible; ++j)
        scores[j] = Cache::roundOperand(scores[j] * inverseSum);

      const typename Cache::Element *values = vCache + kvOffset;
      matrixVectorInOrder(values, headDim, 1, visible, kvWidth, scores,
                          Cache::load, out + t * width + h * headDim);
    }
  }
  for (int64_t t = validTokens; t < tokens; ++t)
    std::fill(out + t * width + headBegin * headDim,
              out + t * width + headEnd * headDim, 0.0f);
}

/// max(x, 0)^2, the product rounded to f32.
float relu2(float x) {
  const float relu = x > 0 ? x : 0.0f;
  return relu * relu;
}

/// x / (1 + e^-x).
float silu(float x) { return x / (1.0f + std::exp(-x)); }

/// y[i] = map(x[i]); y may be x.
template <typename Map>
void mapElementwise(const float *x, int64_t count, float *y, Map map) {
  for (int64_t i = 0; i < count; ++i)
    y[i] = map(x[i]);
}

/// y[i] = combine(a[i], b[i]); y may be a or b.
template <typename Combine>
void combineElementwise(const float *a, const float *b, int64_t count, float *y,
                        Combine combine) {
  for (int64_t i = 0; i < count; ++i)
    y[i] = combine(a[i], b[i]);
}

void generic_add_f32(const float *a, const float *b, int64_t count, float *y) {
  combineElementwise(a, b, count, y, [](float x, float z) { return x + z; });
}

void generic_mul_f32(const float *a, const float *b, int64_t count, float *y) {
  combineElementwise(a, b, count, y, [](float x, float z) { return x * z; });
}

void generic_relu2_f32(const float *x, int64_t count, float *y) {
  mapElementwise(x, count, y, relu2);
}

void generic_silu_f32(const float *x, int64_t count, float *y) {
  mapElementwise(x, count, y, silu);
}

void generic_relu2_mul_f32(const float *gate, const float *up, int64_t count,
                           float *y) {
  combineElementwise(gate, up, count, y,
                     [](float g, float u) { return relu2(g) * u; });
}

void generic_silu_mul_f32(const float *gate, const float *up, int64_t count,
                          float *y) {
  combineElementwise(gate, up, count, y,
                     [](float g, float u) { return silu(g) * u; });
}

/// linear_f16 on f16 matrices in groups of `Group` rows interleaved element
/// by element (RowInterleave.h): within a group, row i's element k is at
/// k * Group + i.
template <int64_t Group>
void generic_linear_f16_row_groups(const float *x, const uint16_t *weights,
                                   int64_t tokens, int64_t in, int64_t rows,
                                   float *y, int64_t yStride, float *scratch) {
  float *rounded = scratch;
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t k = 0; k < in; ++k)
      rounded[k] = HalfStorage::roundOperand(x[t * in + k]);
    for (int64_t first = 0; first < rows; first += Group)
      matrixVectorInOrder(weights + first * in, std::min(Group, rows - first),
                          1, in, Group, rounded, HalfStorage::load,
                          y + t * yStride + first);
  }
}

/// embed_f16 on a table laid out as generic_linear_f16_row_groups reads it.
template <int64_t Group>
void generic_embed_f16_row_groups(const uint16_t *table, const int32_t *ids,
                                  int64_t tokens, int64_t features, float *y) {
  for (int64_t t = 0; t < tokens; ++t) {
    const int64_t id = ids[t];
    const uint16_t *group = table + (id / Group) * Group * features;
    for (int64_t k = 0; k < features; ++k)
      y[t * features + k] = HalfStorage::load(group[k * Group + id % Group]);
  }
}

TernKernels makeGenericKernels() {
  TernKernels kernels{};
  kernels.abi_version = TERN_KERNEL_ABI_VERSION;
  kernels.name = "generic";
  kernels.f16_row_interleave = 1;
  kernels.i2s_row_interleave = 1;
  kernels.quantize_rows_i8 = generic_quantize_rows_i8;
  kernels.rms_norm_quantize_i8 = generic_rms_norm_quantize_i8;
  kernels.rms_norm_f32 = generic_rms_norm_f32;
  kernels.bitlinear_i2s = generic_bitlinear_i2s;
  kernels.quantize_rows_q8k = generic_quantize_rows_q8k;
  kernels.rms_norm_quantize_q8k = generic_rms_norm_quantize_q8k;
  kernels.bitlinear_i2s_q8k = generic_bitlinear_i2s_q8k;
  kernels.linear_f16 = generic_linear<HalfStorage>;
  kernels.linear_f32 = generic_linear<FloatStorage>;
  kernels.embed_f16 = generic_embed<HalfStorage>;
  kernels.embed_f32 = generic_embed<FloatStorage>;
  kernels.linear_i8 = generic_linear_i8;
  kernels.embed_i8 = generic_embed_i8;
  kernels.linear_q4 = generic_linear_q4;
  kernels.embed_q4 = generic_embed_q4;
  kernels.rope_neox_f32 = generic_rope_f32<RopePairs::Neox>;
  kernels.rope_norm_f32 = generic_rope_f32<RopePairs::Norm>;
  kernels.attention_f16_cache = generic_attention<HalfStorage>;
  kernels.attention_f32_cache = generic_attention<FloatStorage>;
  kernels.add_f32 = generic_add_f32;
  kernels.mul_f32 = generic_mul_f32;
  kernels.relu2_f32 = generic_relu2_f32;
  kernels.silu_f32 = generic_silu_f32;
  kernels.relu2_mul_f32 = generic_relu2_mul_f32;
  kernels.silu_mul_f32 = generic_silu_mul_f32;
  return kernels;
}

} // namespace

const TernKernels *ternGenericKernels(void) {
  static const TernKernels kernels = makeGenericKernels();
  return &kernels;
}

namespace {

template <int64_t Group> TernKernels makeRowGroupKernels() {
  TernKernels kernels = *ternGenericKernels();
  kernels.f16_row_interleave = Group;
  kernels.linear_f16 = generic_linear_f16_row_groups<Group>;
  kernels.embed_f16 = generic_embed_f16_row_groups<Group>;
  return kernels;
}

} // namespace

const TernKernels *genericKernelsWithF16RowGroups(int64_t group) {
  static const TernKernels four = makeRowGroupKernels<4>();
  static const TernKernels eight = makeRowGroupKernels<8>();
  return group == 4 ? &four : group == 8 ? &eight : nullptr;
}
