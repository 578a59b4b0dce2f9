//===- NeonRowOps.cpp - arm-neon activation quantization and row ops ------===//
//
// Bit-exact with the reference because each lane does the reference's float
// operations in its order: the absmax of a row is a max (exact in any
// order), q = round_half_even(x * scale) clamped to int8 (vcvtnq rounds to
// nearest even, the saturating narrows clamp), RMSNorm's squares are formed
// in f32 four at a time but summed in double one by one in k order, and
// (x * inverse) * gamma keeps its order. linear_i8's dot is exact in int32
// (vmull_s8 products widened by pairs). Tails run the same operations one
// element at a time.
//
//===----------------------------------------------------------------------===//

#include "backends/arm-neon/NeonRowOps.h"

#include "backends/arm-neon/NeonCommon.h"

#include <algorithm>
#include <arm_neon.h>
#include <cmath>

namespace {

using namespace ternc::backends;

/// The largest |v| of the row that `load(i)` (4 values) and `at(i)` (one)
/// give, at least 1e-5, as the reference's double amax.
template <typename Load, typename At>
double absMax(int64_t features, Load load, At at) {
  float32x4_t lanes = vdupq_n_f32(0);
  int64_t i = 0;
  for (; i + 4 <= features; i += 4)
    lanes = vmaxq_f32(lanes, vabsq_f32(load(i)));
  float largest = vmaxvq_f32(lanes);
  for (; i < features; ++i)
    largest = std::max(largest, std::fabs(at(i)));
  return std::max(1e-5, static_cast<double>(largest));
}

/// Quantizes the row `load`/`at` give (as absMax takes them) to int8 with
/// scale 127 / amax, which it returns.
template <typename Load, typename At>
float quantizeRow(int64_t features, Load load, At at, int8_t *q) {
  const float scale = static_cast<float>(127.0 / absMax(features, load, at));
  int64_t i = 0;
  for (; i + 8 <= features; i += 8) {
    const int32x4_t low = vcvtnq_s32_f32(vmulq_n_f32(load(i), scale));
    const int32x4_t high = vcvtnq_s32_f32(vmulq_n_f32(load(i + 4), scale));
    const int16x8_t halves = vcombine_s16(vqmovn_s32(low), vqmovn_s32(high));
    vst1_s8(q + i, vqmovn_s16(halves));
  }
  for (; i < features; ++i)
    q[i] = static_cast<int8_t>(
        std::clamp(std::nearbyint(at(i) * scale), -128.0f, 127.0f));
  return scale;
}

/// 1 / sqrt(mean(x^2) + epsilon), the squares summed in double in k order.
float inverseRms(const float *x, int64_t features, float epsilon) {
  double sum = 0;
  int64_t i = 0;
  for (; i + 4 <= features; i += 4) {
    const float32x4_t v = vld1q_f32(x + i);
    float squares[4];
    vst1q_f32(squares, vmulq_f32(v, v));
    for (float square : squares)
      sum += static_cast<double>(square);
  }
  for (; i < features; ++i)
    sum += static_cast<double>(x[i] * x[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(features));
  return 1.0f / std::sqrt(mean + epsilon);
}

/// y[i] = combine(a[i], b[i]) with `lanes` on four at a time.
template <typename Lanes, typename One>
void combine(const float *a, const float *b, int64_t count, float *y,
             Lanes lanes, One one) {
  int64_t i = 0;
  for (; i + 4 <= count; i += 4)
    vst1q_f32(y + i, lanes(vld1q_f32(a + i), vld1q_f32(b + i)));
  for (; i < count; ++i)
    y[i] = one(a[i], b[i]);
}

/// relu(x)^2 as the reference: x > 0 ? x : 0, squared (NaN gives 0).
float32x4_t relu2(float32x4_t x) {
  const float32x4_t relu =
      vbslq_f32(vcgtq_f32(x, vdupq_n_f32(0)), x, vdupq_n_f32(0));
  return vmulq_f32(relu, relu);
}

float relu2(float x) {
  const float relu = x > 0 ? x : 0.0f;
  return relu * relu;
}

} // namespace

void neon_quantize_rows_i8(const float *x, int64_t tokens, int64_t features,
                           int8_t *q, float *scales) {
  for (int64_t t = 0; t < tokens; ++t) {
    const float *row = x + t * features;
    scales[t] = quantizeRow(
        features, [row](int64_t i) { return vld1q_f32(row + i); },
        [row](int64_t i) { return row[i]; }, q + t * features);
  }
}

void neon_rms_norm_quantize_i8(const float *x, const float *gamma,
                               int64_t tokens, int64_t features, float epsilon,
                               int8_t *q, float *scales) {
  for (int64_t t = 0; t < tokens; ++t) {
    const float *row = x + t * features;
    const float inverse = inverseRms(row, features, epsilon);
    scales[t] = quantizeRow(
        features,
        [=](int64_t i) {
          return vmulq_f32(vmulq_n_f32(vld1q_f32(row + i), inverse),
                           vld1q_f32(gamma + i));
        },
        [=](int64_t i) { return row[i] * inverse * gamma[i]; },
        q + t * features);
  }
}

void neon_rms_norm_f32(const float *x, const float *gamma, int64_t tokens,
                       int64_t features, float epsilon, float *y) {
  for (int64_t t = 0; t < tokens; ++t) {
    const float *row = x + t * features;
    const float inverse = inverseRms(row, features, epsilon);
    combine(
        row, gamma, features, y + t * features,
        [inverse](float32x4_t v, float32x4_t g) {
          return vmulq_f32(vmulq_n_f32(v, inverse), g);
        },
        [inverse](float v, float g) { return v * inverse * g; });
  }
}

void neon_linear_i8(const int8_t *q, const float *scales,
                    const int8_t *weights, const float *rowScales,
                    int64_t tokens, int64_t in, int64_t rows, float *y,
                    int64_t yStride) {
  linearI8Rows(q, scales, weights, rowScales, tokens, in, rows, y, yStride,
               [](const int8_t *row, const int8_t *activations, int64_t in) {
                 // Each int16 lane holds one product (at most 128 * 127)
                 // before the pairs are widened into int32.
                 int32x4_t sums = vdupq_n_s32(0);
                 int64_t k = 0;
                 for (; k + 16 <= in; k += 16) {
                   const int8x16_t w = vld1q_s8(row + k);
                   const int8x16_t a = vld1q_s8(activations + k);
                   sums = vpadalq_s16(
                       sums, vmull_s8(vget_low_s8(w), vget_low_s8(a)));
                   sums = vpadalq_s16(sums, vmull_high_s8(w, a));
                 }
                 int32_t dot = vaddvq_s32(sums);
                 for (; k < in; ++k)
                   dot += row[k] * activations[k];
                 return dot;
               });
}

void neon_add_f32(const float *a, const float *b, int64_t count, float *y) {
  combine(
      a, b, count, y, [](float32x4_t x, float32x4_t z) { return vaddq_f32(x, z); },
      [](float x, float z) { return x + z; });
}

void neon_mul_f32(const float *a, const float *b, int64_t count, float *y) {
  combine(
      a, b, count, y, [](float32x4_t x, float32x4_t z) { return vmulq_f32(x, z); },
      [](float x, float z) { return x * z; });
}

void neon_relu2_f32(const float *x, int64_t count, float *y) {
  combine(
      x, x, count, y, [](float32x4_t v, float32x4_t) { return relu2(v); },
      [](float v, float) { return relu2(v); });
}

void neon_relu2_mul_f32(const float *gate, const float *up, int64_t count,
                        float *y) {
  combine(
      gate, up, count, y,
      [](float32x4_t g, float32x4_t u) { return vmulq_f32(relu2(g), u); },
      [](float g, float u) { return relu2(g) * u; });
}
