//===- ReferenceOps.h - Exact semantics of the tern ops ---------*- C++ -*-===//
//
// The golden model of every tern op, on plain row-major f32 data: slow on
// purpose, exact by design. Where bitnet.cpp (ggml's CPU path) rounds, these
// round the same way (docs/formats.md §4), so "matches the reference" means
// "matches bitnet.cpp" up to summation order. MLIR-free: the interpreter,
// the backends' conformance tests and the runtime's tests all use it.
//
// Activations are xt::xtensor<float, 2> of shape [tokens, features].
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_REFERENCE_REFERENCEOPS_H
#define TERNC_COMPILER_REFERENCE_REFERENCEOPS_H

#include "backends/common/Q8KActivations.h"
#include "runtime/gguf/GgufFile.h"
#include "runtime/support/Error.h"

#include <cstdint>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace ternc::reference {

/// Activations: [tokens, features].
using Activations = xt::xtensor<float, 2>;

/// The trits in {-1, 0, +1} of a ternary weight matrix, [out, in].
using Trits = xt::xtensor<int8_t, 2>;

/// How a float matrix rounds the activations it multiplies (ggml converts
/// them to the weight's type first).
enum class Precision { F32, F16, BF16 };

/// A float weight matrix [out, in] (values already widened to f32) and the
/// precision of its storage.
struct FloatMatrix {
  xt::xtensor<float, 2> values;
  Precision precision = Precision::F32;
};

/// An int8 matrix [out, in] with one f32 scale per row (#tern.row_scaled):
/// row r stands for values(r, k) * scales[r].
struct RowScaledMatrix {
  xt::xtensor<int8_t, 2> values;
  std::vector<float> scales;
};

/// Symmetric absmax int8 quantization of each row of the [rows, columns] f32
/// `matrix`: amax = max|w| over the row, scale = amax / 127 (f32),
/// q = clamp(round_half_even(w / scale), -127, 127); an all-zero row gets
/// scale 0 and q = 0. Fails, naming the row, on a non-finite value.
Expected<RowScaledMatrix> quantizeRows(const float *matrix, int64_t rows,
                                       int64_t columns);

/// quantizeRows of `tensor` of `file` decoded to f32: the values a
/// #tern.row_scaled weight stands for, as the packer stores them and the
/// interpreter computes with them. Fails naming the file and the tensor.
Expected<RowScaledMatrix> quantizeTensorRows(const gguf::GgufFile &file,
                                             const gguf::TensorInfo &tensor);

/// Row `row` of `matrix` as f32: each int8 value times the row's scale.
std::vector<float> dequantizeRow(const RowScaledMatrix &matrix, int64_t row);

/// A 4-bit matrix [out, in] (in a multiple of 32) with an unsigned 8-bit
/// sub-scale per group of 32 consecutive columns and one f32 scale per row
/// (#tern.row_scaled on i4): element (r, k) stands for scales[r] *
/// (groupScales(r, k / 32) * values(r, k)), the integer product first.
struct Q4Matrix {
  xt::xtensor<int8_t, 2> values;       ///< [out, in], each in [-7, 7]
  xt::xtensor<uint8_t, 2> groupScales; ///< [out, in / 32]
  std::vector<float> scales;           ///< [out]
};

/// 4-bit quantization of each row of the [rows, columns] f32 `matrix`
/// (columns a multiple of 32, at most 8192), in f32 arithmetic: with amax
/// the row's largest |w| and amax_g that of group g (columns 32g..32g+31),
/// the row scale is amax / (7 * 255), the group's sub-scale s_g =
/// clamp(round_half_even(amax_g / (7 * scale)), 0, 255) (so the largest
/// group gets 255 and a group's step is within half a unit of
/// amax_g / 7), and each weight q = clamp(round_half_even(w / (scale *
/// s_g)), -7, 7), 0 where s_g is 0; an all-zero row gets scale 0. Fails,
/// naming the row, on a non-finite value, and on a bad column count.
Expected<Q4Matrix> quantizeRowsQ4(const float *matrix, int64_t rows,
                                  int64_t columns);

/// quantizeRowsQ4 of `tensor` of `file` decoded to f32, as quantizeTensorRows.
Expected<Q4Matrix> quantizeTensorRowsQ4(const gguf::GgufFile &file,
                                        const gguf::TensorInfo &tensor);

/// Row `row` of `matrix` as f32: (float)(s_g * q) * the row's scale.
std::vector<float> dequantizeRow(const Q4Matrix &matrix, int64_t row);

/// Rounds `value` to `precision` and back to f32.
float roundTo(float value, Precision precision);

/// Per-token absmax int8 quantization of one row (bitnet.cpp's
/// quantize_row_i8_s): amax = max(1e-5, max|x|) in double, s = 127 / amax as
/// f32, q = clamp(round_half_even(x * s), -128, 127). Returns s.
float quantizeActivations(const float *row, int64_t length, int8_t *quantized);

/// Elements per block of llama.cpp's Q8_K activations (QK_K), as the
/// kernels' ABI has it.
using backends::kQ8KBlock;

/// llama.cpp's Q8_K quantization of one row (ggml's quantize_row_q8_K_ref;
/// `length` a multiple of kQ8KBlock), per block of 256: `max` is the first
/// element of largest |x| with its sign, iscale = -127 / max (f32), q =
/// min(127, round_half_even(iscale * x)) and the block's scale d = 1 / iscale
/// (so x ~ q * d, and the extreme element gets -127). A block of zeros gets
/// d = 0 and q = 0. Writes length / 256 scales to `blockScales`.
void quantizeActivationsQ8K(const float *row, int64_t length, int8_t *quantized,
                            float *blockScales);

/// y = x / sqrt(mean(x^2) + epsilon) * gamma per row; the squares (computed
/// in f32) are summed in double, as ggml does.
Activations rmsNorm(const Activations &input, const std::vector<float> &gamma,
                    float epsilon);

/// BitNet's linear layer: per token, int8 activations and scale s; then
/// y_r = (float)(sum_k t_rk * q_k) / s * weightScale.
Activations bitLinear(const Activations &input, const Trits &weight,
                      float weightScale);

/// The ternary linear layer with llama.cpp's numerics for TQ1_0/TQ2_0
/// (docs/formats.md §7): per token, Q8_K activations q and block scales d_b
/// (quantizeActivationsQ8K); then, in f32 from 0, blocks ascending,
/// y_r += (float)(sum_{k in block b} t_rk * q_k) * (d_b * weightScale), the
/// block sums exact in int32. The input width is a multiple of 256.
Activations bitLinearQ8K(const Activations &input, const Trits &weight,
                         float weightScale);

/// y = x * W^T with the activations rounded to the weight's precision and the
/// products of rounded values summed exactly (double) and rounded once.
Activations linear(const Activations &input, const FloatMatrix &weight);

/// y = x * W^T for a row-scaled int8 W: per token, int8 activations and
/// scale s as bitLinear quantizes them, then y_r = (float)(sum_k W_rk * q_k)
/// / s * scale_r, the sum exact in int32.
Activations linearRowScaled(const Activations &input,
                            const RowScaledMatrix &weight);

/// y = x * W^T for a 4-bit W: per token, int8 activations and scale s as
/// bitLinear quantizes them, then y_r = (float)(sum_g s_g * sum_{k in g}
/// W_rk * q_k) / s * scale_r, the sum exact in int32 (in <= 8192).
Activations linearQ4(const Activations &input, const Q4Matrix &weight);

/// RoPE of tokens at positions position + t: for each head of `headDim`
/// features, the first `dims` are rotated in pairs (i, i + dims/2) for NEOX
/// or (2i, 2i + 1) for NORM by angle p * base^(-2i/dims), the frequency
/// computed as ggml does (theta *= powf(base, -2/dims) per pair).
Activations rope(const Activations &input, int64_t position, bool neox,
                 float base, int64_t dims, int64_t headDim);

/// max(x, 0)^2.
Activations relu2(const Activations &input);
/// x / (1 + exp(-x)).
Activations silu(const Activations &input);
Activations add(const Activations &lhs, const Activations &rhs);
Activations mul(const Activations &lhs, const Activations &rhs);

/// Keys and values of every layer for `capacity` positions, stored in f16
/// (as bitnet.cpp's default cache) or f32.
class KVCache {
public:
  KVCache(int64_t layers, int64_t capacity, int64_t kvHeads, int64_t headDim,
          bool f16);

  int64_t layers() const { return layers_; }
  int64_t capacity() const { return capacity_; }
  int64_t width() const { return kvHeads_ * headDim_; }
  bool isF16() const { return f16_; }

  /// Stores the key and value rows of `position` in `layer` (rounded to f16
  /// for an f16 cache).
  void store(int64_t layer, int64_t position, const float *key,
             const float *value);
  /// The stored key / value feature `feature` at `position` of `layer`.
  float key(int64_t layer, int64_t position, int64_t feature) const;
  float value(int64_t layer, int64_t position, int64_t feature) const;

private:
  size_t index(int64_t layer, int64_t position, int64_t feature) const;

  int64_t layers_, capacity_, kvHeads_, headDim_;
  bool f16_;
  std::vector<float> keys_, values_;
};

/// Causal grouped-query attention of the first `validTokens` rows at
/// positions position + t. Their keys and values are appended to `cache`
/// first; query head h reads KV head h / (heads / kvHeads). Scores are
/// q·k / sqrt(headDim) with softmax in f32 (sum in double); for an f16 cache
/// the queries and the probabilities (normalized by multiplying with the f32
/// reciprocal of their sum) are rounded to f16 before their products, as
/// ggml does. Rows from validTokens on are zero.
Activations attention(const Activations &query, const Activations &key,
                      const Activations &value, KVCache &cache, int64_t layer,
                      int64_t position, int64_t validTokens, int64_t headDim);

} // namespace ternc::reference

#endif // TERNC_COMPILER_REFERENCE_REFERENCEOPS_H
