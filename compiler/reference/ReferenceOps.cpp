//===- ReferenceOps.cpp - Exact reference semantics of the tern ops -------===//

#include "compiler/reference/ReferenceOps.h"

#include "backends/common/Q4Layout.h"
#include "runtime/gguf/Quants.h"
#include "runtime/support/Half.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>

namespace ternc::reference {

float roundTo(float value, Precision precision) {
  switch (precision) {
  case Precision::F16:
    return halfToFloat(floatToHalf(value));
  case Precision::BF16:
    return bfloat16ToFloat(floatToBfloat16(value));
  case Precision::F32:
    break;
  }
  return value;
}

float quantizeActivations(const float *row, int64_t length,
                          int8_t *quantized) {
  double amax = 1e-5;
  for (int64_t k = 0; k < length; ++k)
    amax = std::max(amax, std::fabs(static_cast<double>(row[k])));
  float scale = static_cast<float>(127.0 / amax);
  for (int64_t k = 0; k < length; ++k) {
    // nearbyint rounds half to even in the default rounding mode, like
    // ggml's 1.5 * 2^23 trick.
    float q = std::nearbyint(row[k] * scale);
    quantized[k] = static_cast<int8_t>(std::clamp(q, -128.0f, 127.0f));
  }
  return scale;
}

void quantizeActivationsQ8K(const float *row, int64_t length, int8_t *quantized,
                            float *blockScales) {
  assert(length % kQ8KBlock == 0);
  for (int64_t block = 0; block < length / kQ8KBlock; ++block) {
    const float *x = row + block * kQ8KBlock;
    int8_t *q = quantized + block * kQ8KBlock;
    float max = 0, amax = 0;
    for (int64_t k = 0; k < kQ8KBlock; ++k)
      if (std::fabs(x[k]) > amax) {
        amax = std::fabs(x[k]);
        max = x[k];
      }
    if (amax == 0) {
      std::fill(q, q + kQ8KBlock, int8_t{0});
      blockScales[block] = 0;
      continue;
    }
    const float inverseScale = -127.0f / max;
    for (int64_t k = 0; k < kQ8KBlock; ++k)
      q[k] = static_cast<int8_t>(
          std::min(127.0f, std::nearbyint(inverseScale * x[k])));
    blockScales[block] = 1 / inverseScale;
  }
}

Activations rmsNorm(const Activations &input, const std::vector<float> &gamma,
                    float epsilon) {
  const int64_t tokens = input.shape(0), features = input.shape(1);
  assert(static_cast<int64_t>(gamma.size()) == features);
  Activations output({static_cast<size_t>(tokens),
                      static_cast<size_t>(features)});
  for (int64_t t = 0; t < tokens; ++t) {
    double sum = 0;
    for (int64_t i = 0; i < features; ++i)
      sum += static_cast<double>(input(t, i) * input(t, i));
    float mean = static_cast<float>(sum / features);
    float scale = 1.0f / std::sqrt(mean + epsilon);
    for (int64_t i = 0; i < features; ++i)
      output(t, i) = input(t, i) * scale * gamma[i];
  }
  return output;
}

namespace {

/// Per token, int8 activations q and scale s (quantizeActivations); then
/// y_r = (float)rowDot(r, q) / s * rowScale(r) for `out` rows, rowDot the
/// exact integer dot product of row r with q.
template <typename RowDot, typename RowScale>
Activations quantizedMatmul(const Activations &input, int64_t out,
                            RowDot rowDot, RowScale rowScale) {
  const int64_t tokens = input.shape(0), in = input.shape(1);
  Activations output({static_cast<size_t>(tokens), static_cast<size_t>(out)});
  std::vector<int8_t> quantized(in);
  for (int64_t t = 0; t < tokens; ++t) {
    float scale = quantizeActivations(&input(t, 0), in, quantized.data());
    for (int64_t r = 0; r < out; ++r)
      output(t, r) =
          static_cast<float>(rowDot(r, quantized.data())) / scale * rowScale(r);
  }
  return output;
}

/// quantizedMatmul for an int8 weight: the sum exact in int32.
template <typename RowScale>
Activations int8Matmul(const Activations &input,
                       const xt::xtensor<int8_t, 2> &weight,
                       RowScale rowScale) {
  const int64_t in = input.shape(1);
  assert(static_cast<int64_t>(weight.shape(1)) == in);
  auto rowDot = [&](int64_t r, const int8_t *q) {
    int32_t dot = 0;
    for (int64_t k = 0; k < in; ++k)
      dot += weight(r, k) * q[k];
    return dot;
  };
  return quantizedMatmul(input, weight.shape(0), rowDot, rowScale);
}

using backends::kQ4Group;
using backends::kQ4MaxIn;

} // namespace

Activations bitLinear(const Activations &input, const Trits &weight,
                      float weightScale) {
  return int8Matmul(input, weight, [&](int64_t) { return weightScale; });
}

Activations bitLinearQ8K(const Activations &input, const Trits &weight,
                         float weightScale) {
  const int64_t tokens = input.shape(0), in = input.shape(1);
  const int64_t out = weight.shape(0), blocks = in / kQ8KBlock;
  assert(static_cast<int64_t>(weight.shape(1)) == in && in % kQ8KBlock == 0);
  Activations output({static_cast<size_t>(tokens), static_cast<size_t>(out)});
  std::vector<int8_t> quantized(in);
  std::vector<float> blockScales(blocks);
  for (int64_t t = 0; t < tokens; ++t) {
    quantizeActivationsQ8K(&input(t, 0), in, quantized.data(),
                           blockScales.data());
    for (int64_t r = 0; r < out; ++r) {
      float sum = 0;
      for (int64_t b = 0; b < blocks; ++b) {
        int32_t dot = 0;
        for (int64_t k = b * kQ8KBlock; k < (b + 1) * kQ8KBlock; ++k)
          dot += weight(r, k) * quantized[k];
        sum += static_cast<float>(dot) * (blockScales[b] * weightScale);
      }
      output(t, r) = sum;
    }
  }
  return output;
}

Activations linear(const Activations &input, const FloatMatrix &weight) {
  const int64_t tokens = input.shape(0), in = input.shape(1);
  const int64_t out = weight.values.shape(0);
  assert(static_cast<int64_t>(weight.values.shape(1)) == in);
  Activations output({static_cast<size_t>(tokens), static_cast<size_t>(out)});
  std::vector<float> rounded(in);
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t k = 0; k < in; ++k)
      rounded[k] = roundTo(input(t, k), weight.precision);
    for (int64_t r = 0; r < out; ++r) {
      double sum = 0;
      for (int64_t k = 0; k < in; ++k)
        sum += static_cast<double>(rounded[k]) * weight.values(r, k);
      output(t, r) = static_cast<float>(sum);
    }
  }
  return output;
}

Expected<RowScaledMatrix> quantizeRows(const float *matrix, int64_t rows,
                                       int64_t columns) {
  RowScaledMatrix quantized;
  quantized.values = xt::xtensor<int8_t, 2>::from_shape(
      {static_cast<size_t>(rows), static_cast<size_t>(columns)});
  quantized.scales.resize(rows);
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = matrix + r * columns;
    float amax = 0;
    for (int64_t k = 0; k < columns; ++k) {
      if (!std::isfinite(row[k]))
        return makeError("row {} has a non-finite value ({}) at column {}", r,
                         row[k], k);
      amax = std::max(amax, std::fabs(row[k]));
    }
    const float scale = amax / 127.0f;
    quantized.scales[r] = scale;
    for (int64_t k = 0; k < columns; ++k) {
      float q = scale == 0 ? 0.0f : std::nearbyint(row[k] / scale);
      quantized.values(r, k) =
          static_cast<int8_t>(std::clamp(q, -127.0f, 127.0f));
    }
  }
  return quantized;
}

Expected<RowScaledMatrix> quantizeTensorRows(const gguf::GgufFile &file,
                                             const gguf::TensorInfo &tensor) {
  Expected<std::vector<float>> values = gguf::dequantizeTensor(file, tensor);
  if (!values)
    return values.error();
  Expected<RowScaledMatrix> matrix =
      quantizeRows(values->data(), static_cast<int64_t>(tensor.rows()),
                   static_cast<int64_t>(tensor.ne[0]));
  if (!matrix)
    return makeError("{}: tensor '{}' cannot be quantized to int8: {}",
                     file.name(), tensor.name, matrix.error().message());
  return matrix;
}

std::vector<float> dequantizeRow(const RowScaledMatrix &matrix, int64_t row) {
  std::vector<float> values(matrix.values.shape(1));
  for (size_t k = 0; k < values.size(); ++k)
    values[k] = static_cast<float>(matrix.values(row, k)) * matrix.scales[row];
  return values;
}

Activations linearRowScaled(const Activations &input,
                            const RowScaledMatrix &weight) {
  return int8Matmul(input, weight.values,
                    [&](int64_t row) { return weight.scales[row]; });
}

Expected<Q4Matrix> quantizeRowsQ4(const float *matrix, int64_t rows,
                                  int64_t columns) {
  if (columns <= 0 || columns % kQ4Group != 0 || columns > kQ4MaxIn)
    return makeError("4-bit rows need a multiple of {} columns up to {}, got "
                     "{}",
                     kQ4Group, kQ4MaxIn, columns);
  const int64_t groups = columns / kQ4Group;
  Q4Matrix quantized;
  quantized.values = xt::xtensor<int8_t, 2>::from_shape(
      {static_cast<size_t>(rows), static_cast<size_t>(columns)});
  quantized.groupScales = xt::xtensor<uint8_t, 2>::from_shape(
      {static_cast<size_t>(rows), static_cast<size_t>(groups)});
  quantized.scales.resize(rows);
  std::vector<float> groupAmax(groups);
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = matrix + r * columns;
    float amax = 0;
    for (int64_t g = 0; g < groups; ++g) {
      groupAmax[g] = 0;
      for (int64_t k = g * kQ4Group; k < (g + 1) * kQ4Group; ++k) {
        if (!std::isfinite(row[k]))
          return makeError("row {} has a non-finite value ({}) at column {}", r,
                           row[k], k);
        groupAmax[g] = std::max(groupAmax[g], std::fabs(row[k]));
      }
      amax = std::max(amax, groupAmax[g]);
    }
    const float scale = amax / (7.0f * 255.0f);
    quantized.scales[r] = scale;
    for (int64_t g = 0; g < groups; ++g) {
      const float sub =
          scale == 0 ? 0.0f
                     : std::clamp(std::nearbyint(groupAmax[g] / (7.0f * scale)),
                                  0.0f, 255.0f);
      quantized.groupScales(r, g) = static_cast<uint8_t>(sub);
      const float step = scale * sub;
      for (int64_t k = g * kQ4Group; k < (g + 1) * kQ4Group; ++k) {
        const float q = step == 0 ? 0.0f : std::nearbyint(row[k] / step);
        quantized.values(r, k) =
            static_cast<int8_t>(std::clamp(q, -7.0f, 7.0f));
      }
    }
  }
  return quantized;
}

Expected<Q4Matrix> quantizeTensorRowsQ4(const gguf::GgufFile &file,
                                        const gguf::TensorInfo &tensor) {
  Expected<std::vector<float>> values = gguf::dequantizeTensor(file, tensor);
  if (!values)
    return values.error();
  Expected<Q4Matrix> matrix =
      quantizeRowsQ4(values->data(), static_cast<int64_t>(tensor.rows()),
                     static_cast<int64_t>(tensor.ne[0]));
  if (!matrix)
    return makeError("{}: tensor '{}' cannot be quantized to 4 bits: {}",
                     file.name(), tensor.name, matrix.error().message());
  return matrix;
}

std::vector<float> dequantizeRow(const Q4Matrix &matrix, int64_t row) {
  std::vector<float> values(matrix.values.shape(1));
  for (size_t k = 0; k < values.size(); ++k)
    values[k] = static_cast<float>(matrix.groupScales(row, k / kQ4Group) *
                                   matrix.values(row, k)) *
                matrix.scales[row];
  return values;
}

Activations linearQ4(const Activations &input, const Q4Matrix &weight) {
  const int64_t in = input.shape(1);
  assert(static_cast<int64_t>(weight.values.shape(1)) == in);
  auto rowDot = [&](int64_t r, const int8_t *q) {
    int64_t dot = 0;
    for (int64_t k = 0; k < in; ++k)
      dot += weight.groupScales(r, k / kQ4Group) * weight.values(r, k) * q[k];
    assert(dot >= INT32_MIN && dot <= INT32_MAX);
    return static_cast<int32_t>(dot);
  };
  return quantizedMatmul(input, weight.values.shape(0), rowDot,
                         [&](int64_t r) { return weight.scales[r]; });
}

Activations rope(const Activations &input, int64_t position, bool neox,
                 float base, int64_t dims, int64_t headDim) {
  const int64_t tokens = input.shape(0), features = input.shape(1);
  Activations output = input;
  const float thetaScale = std::pow(base, -2.0f / static_cast<float>(dims));
  for (int64_t t = 0; t < tokens; ++t) {
    float theta = static_cast<float>(position + t);
    for (int64_t pair = 0; pair < dims / 2; ++pair) {
      float cosine = std::cos(theta), sine = std::sin(theta);
      int64_t first = neox ? pair : 2 * pair;
      int64_t second = neox ? pair + dims / 2 : 2 * pair + 1;
      for (int64_t head = 0; head < features; head += headDim) {
        float x0 = input(t, head + first), x1 = input(t, head + second);
        output(t, head + first) = x0 * cosine - x1 * sine;
        output(t, head + second) = x0 * sine + x1 * cosine;
      }
      theta *= thetaScale;
    }
  }
  return output;
}

namespace {

template <typename Function>
Activations elementwise(const Activations &input, Function function) {
  Activations output = input;
  for (float &x : output)
    x = function(x);
  return output;
}

template <typename Function>
Activations elementwise(const Activations &lhs, const Activations &rhs,
                        Function function) {
  assert(lhs.shape() == rhs.shape());
  Activations output = lhs;
  auto r = rhs.begin();
  for (float &x : output)
    x = function(x, *r++);
  return output;
}

} // namespace

Activations relu2(const Activations &input) {
  return elementwise(input, [](float x) {
    float relu = x > 0 ? x : 0.0f;
    return relu * relu;
  });
}

Activations silu(const Activations &input) {
  return elementwise(input, [](float x) { return x / (1.0f + std::exp(-x)); });
}

Activations add(const Activations &lhs, const Activations &rhs) {
  return elementwise(lhs, rhs, [](float a, float b) { return a + b; });
}

Activations mul(const Activations &lhs, const Activations &rhs) {
  return elementwise(lhs, rhs, [](float a, float b) { return a * b; });
}

KVCache::KVCache(int64_t layers, int64_t capacity, int64_t kvHeads,
                 int64_t headDim, bool f16)
    : layers_(layers), capacity_(capacity), kvHeads_(kvHeads),
      headDim_(headDim), f16_(f16),
      keys_(static_cast<size_t>(layers * capacity * kvHeads * headDim)),
      values_(keys_.size()) {}

size_t KVCache::index(int64_t layer, int64_t position, int64_t feature) const {
  assert(layer < layers_ && position < capacity_ && feature < width());
  return static_cast<size_t>((layer * capacity_ + position) * width() +
                             feature);
}

void KVCache::store(int64_t layer, int64_t position, const float *key,
                    const float *value) {
  Precision precision = f16_ ? Precision::F16 : Precision::F32;
  for (int64_t i = 0; i < width(); ++i) {
    keys_[index(layer, position, i)] = roundTo(key[i], precision);
    values_[index(layer, position, i)] = roundTo(value[i], precision);
  }
}

float KVCache::key(int64_t layer, int64_t position, int64_t feature) const {
  return keys_[index(layer, position, feature)];
}

float KVCache::value(int64_t layer, int64_t position, int64_t feature) const {
  return values_[index(layer, position, feature)];
}

Activations attention(const Activations &query, const Activations &key,
                      const Activations &value, KVCache &cache, int64_t layer,
                      int64_t position, int64_t validTokens, int64_t headDim) {
  const int64_t heads = query.shape(1) / headDim;
  const int64_t kvHeads = cache.width() / headDim;
  const int64_t group = heads / kvHeads;
  const Precision rounding = cache.isF16() ? Precision::F16 : Precision::F32;
  const float scale = 1.0f / std::sqrt(static_cast<float>(headDim));
  assert(position + validTokens <= cache.capacity());

  for (int64_t t = 0; t < validTokens; ++t)
    cache.store(layer, position + t, &key(t, 0), &value(t, 0));

  Activations output = xt::zeros<float>(query.shape());
  std::vector<float> scores, q(headDim);
  for (int64_t t = 0; t < validTokens; ++t) {
    const int64_t visible = position + t + 1;
    scores.resize(visible);
    for (int64_t h = 0; h < heads; ++h) {
      const int64_t kvBase = (h / group) * headDim;
      for (int64_t d = 0; d < headDim; ++d)
        q[d] = roundTo(query(t, h * headDim + d), rounding);
      float maxScore = -INFINITY;
      for (int64_t j = 0; j < visible; ++j) {
        double dot = 0;
        for (int64_t d = 0; d < headDim; ++d)
          dot += static_cast<double>(q[d]) * cache.key(layer, j, kvBase + d);
        scores[j] = static_cast<float>(dot) * scale;
        maxScore = std::max(maxScore, scores[j]);
      }
      double sum = 0;
      for (float &s : scores) {
        s = std::exp(s - maxScore);
        sum += s;
      }
      // ggml multiplies by the f32 reciprocal of the sum (not a division):
      // the last bit matters once the probabilities are rounded to f16.
      const float inverse = static_cast<float>(1.0 / sum);
      for (float &s : scores)
        s = roundTo(s * inverse, rounding);
      for (int64_t d = 0; d < headDim; ++d) {
        double acc = 0;
        for (int64_t j = 0; j < visible; ++j)
          acc += static_cast<double>(scores[j]) *
                 cache.value(layer, j, kvBase + d);
        output(t, h * headDim + d) = static_cast<float>(acc);
      }
    }
  }
  return output;
}

} // namespace ternc::reference
