//===- KernelAbi.h - The C ABI of every backend's runtime kernels -*- C -*-===//
//
// A compiled model calls its backend's kernels through one table of function
// pointers, `TernKernels`, which each backend hands out from an accessor
// (`ternGenericKernels()` for backends/generic). The header is plain C so
// that generated code, the C++ runtime and any backend language agree on it.
//
// Conventions shared by every entry:
//  - Activations are f32, row-major [tokens][features] and dense (the row
//    stride is the row length) unless an entry takes an explicit stride.
//  - Sizes are int64_t element counts, at least 1 unless an entry says
//    otherwise. Token ids are int32_t.
//  - f16 data are IEEE binary16 bit patterns (uint16_t, host byte order).
//  - Ternary weights are I2_S blocks as GGUF files store them
//    (docs/formats.md §2.1): `in` (a multiple of 128) trits per row; each
//    128-element block is 32 bytes and byte p of a block holds elements p,
//    32+p, 64+p, 96+p in bits 7:6, 5:4, 3:2, 1:0; code 0/1/2 means -1/0/+1
//    and code 3 never occurs (the importer rejects it). The rows are
//    consecutive as in the file, or interleaved in groups as the backend's
//    i2s_row_interleave says. The per-tensor scale is an argument: it sits
//    after the last row, out of reach of a kernel given a slice of rows.
//  - Entries are single-threaded and keep no state: they never allocate,
//    block, fail or report errors. Preconditions (sizes, ids below the
//    vocabulary size, positions below the cache capacity) are the caller's;
//    breaking one is undefined behaviour. To use several threads, the
//    runtime calls an entry on disjoint slices (see bitlinear_i2s).
//  - An output never overlaps an input, except that an entry may name inputs
//    that its output may be: then the two pointers are equal (same data,
//    same layout), never partly overlapping.
//  - `scratch`, where an entry takes one, is caller-owned f32 memory of the
//    documented size that the entry may overwrite; each concurrent call
//    needs its own. Compiled models place it in their static arena.
//  - Results equal compiler/reference/ReferenceOps on the same inputs, bit
//    for bit (where a result is NaN, its payload is unspecified);
//    test/backends/ConformanceTest.cpp checks every entry of every backend.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_KERNELABI_H
#define TERNC_BACKENDS_KERNELABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The version of this ABI; it changes whenever an entry is added, removed
/// or changes meaning, so that a model refuses a table built for another.
#define TERN_KERNEL_ABI_VERSION 8

/// One backend's kernels. A backend's accessor returns a pointer to a static
/// table whose every entry is set, or NULL where the host CPU cannot run the
/// backend (an ISA extension is missing).
typedef struct TernKernels {
  /// TERN_KERNEL_ABI_VERSION of the header the backend was built with.
  uint32_t abi_version;
  /// The backend's name as the compiler spells it, e.g. "generic".
  const char *name;
  /// How the backend lays out f16 matrices (linear_f16's weights and
  /// embed_f16's table): 1 means row-major [rows][in]; N > 1 means groups of
  /// N rows interleaved element by element, element (r, k) at
  /// ((r / N) * in + k) * N + r % N, the row count padded with zero rows to
  /// a multiple of N (ternc packs them so). Row slices then start at
  /// multiples of N, and weights + r0 * in still addresses row r0.
  int64_t f16_row_interleave;
  /// How the backend lays out I2_S matrices (bitlinear_i2s's weights): 1
  /// means rows consecutive, row r at byte r * in / 4, as GGUF stores them;
  /// N > 1 (a divisor of 16) means groups of N rows interleaved block by
  /// block, the 32-byte block b of row r at block ((r / N) * (in / 128) +
  /// b) * N + r % N, the row count padded with zero blocks to a multiple of
  /// N (ternc packs them so). Row slices then start at multiples of N, and
  /// weights + r0 * in / 4 still addresses row r0.
  int64_t i2s_row_interleave;

  /// Per-token absmax int8 quantization (bitnet.cpp's quantize_row_i8_s):
  /// for each row of x [tokens][features], amax = max(1e-5, max|x|) in
  /// double, s = (float)(127 / amax), q = clamp(round_half_even(x * s),
  /// -128, 127). Writes q [tokens][features] and scales[t] = s (so x ~ q/s).
  void (*quantize_rows_i8)(const float *x, int64_t tokens, int64_t features,
                           int8_t *q, float *scales);

  /// RMSNorm fused with quantize_rows_i8: per row, y = x * r * gamma
  /// (gamma [features], products left to right) with r = 1 / sqrtf(mean +
  /// epsilon), mean = (float)(the f32 squares summed in double / features);
  /// then q and scales of y as quantize_rows_i8 gives them. y is never
  /// written to memory the caller sees, so no scratch is needed.
  void (*rms_norm_quantize_i8)(const float *x, const float *gamma,
                               int64_t tokens, int64_t features, float epsilon,
                               int8_t *q, float *scales);

  /// RMSNorm to f32 (the LM head's input): y = x * r * gamma as in
  /// rms_norm_quantize_i8, y [tokens][features]. y may be x.
  void (*rms_norm_f32)(const float *x, const float *gamma, int64_t tokens,
                       int64_t features, float epsilon, float *y);

  /// The BitNet linear layer on quantized activations: q [tokens][in] and
  /// scales [tokens] from quantize_rows_i8, `rows` I2_S weight rows of `in`
  /// trits, weight_scale the tensor's scale. For each token t and row r,
  /// y[t * y_stride + r] = (float)(sum_k trit(r, k) * q[t][k]) / scales[t]
  /// * weight_scale, the sum exact in int32. y_stride >= rows. To split the
  /// rows [r0, r1) off a matrix of `out` rows (one call per thread), pass
  /// weights + r0 * in / 4, rows = r1 - r0, y + r0 and y_stride = out.
  void (*bitlinear_i2s)(const int8_t *q, const float *scales,
                        const uint8_t *weights, int64_t tokens, int64_t in,
                        int64_t rows, float weight_scale, float *y,
                        int64_t y_stride);

  /// llama.cpp's Q8_K activation quantization (ggml's
  /// quantize_row_q8_K_ref; features a multiple of 256): for each row of x
  /// and each block of 256 features, max = the first element of largest
  /// |x| with its sign, iscale = -127 / max (f32), q = min(127,
  /// round_half_even(iscale * x)), block_scales[t * features / 256 + b] =
  /// 1 / iscale; a block of zeros gets q = 0 and scale 0.
  void (*quantize_rows_q8k)(const float *x, int64_t tokens, int64_t features,
                            int8_t *q, float *block_scales);

  /// RMSNorm (as rms_norm_quantize_i8 computes y) fused with
  /// quantize_rows_q8k of y.
  void (*rms_norm_quantize_q8k)(const float *x, const float *gamma,
                                int64_t tokens, int64_t features,
                                float epsilon, int8_t *q, float *block_scales);

  /// The ternary matmul with llama.cpp's numerics for TQ1_0/TQ2_0: q
  /// [tokens][in] and block_scales [tokens][in / 256] from
  /// quantize_rows_q8k (in a multiple of 256), weights as bitlinear_i2s
  /// takes them. For each token t and row r, in f32 from 0 and blocks b
  /// ascending: y += (float)(sum_{k in b} trit(r, k) * q[t][k]) *
  /// (block_scales[t][b] * weight_scale), each block's sum exact in int32;
  /// the result goes to y[t * y_stride + r]. Rows are split across calls as
  /// in bitlinear_i2s.
  void (*bitlinear_i2s_q8k)(const int8_t *q, const float *block_scales,
                            const uint8_t *weights, int64_t tokens, int64_t in,
                            int64_t rows, float weight_scale, float *y,
                            int64_t y_stride);

  /// y = x * W^T for an f16 weight W [rows][in] (any in; laid out as
  /// f16_row_interleave says): per token the
  /// activations are rounded to f16 first, the products of the rounded
  /// values summed in double and rounded once to f32 into
  /// y[t * y_stride + r]. Rows are split across calls as in bitlinear_i2s
  /// (weights + r0 * in). scratch: at least `in` floats.
  void (*linear_f16)(const float *x, const uint16_t *weights, int64_t tokens,
                     int64_t in, int64_t rows, float *y, int64_t y_stride,
                     float *scratch);

  /// linear_f16 for an f32 weight W [rows][in]: the activations are used as
  /// they are (no rounding), the f32 products summed in double and rounded
  /// once to f32. scratch: at least `in` floats (it may go unused).
  void (*linear_f32)(const float *x, const float *weights, int64_t tokens,
                     int64_t in, int64_t rows, float *y, int64_t y_stride,
                     float *scratch);

  /// Embedding lookup: y[t] = the f16 row ids[t] of table [vocab][features]
  /// (laid out as f16_row_interleave says) widened to f32; y
  /// [tokens][features].
  void (*embed_f16)(const uint16_t *table, const int32_t *ids, int64_t tokens,
                    int64_t features, float *y);

  /// embed_f16 for an f32 table: y[t] = row ids[t], copied.
  void (*embed_f32)(const float *table, const int32_t *ids, int64_t tokens,
                    int64_t features, float *y);

  /// y = x * W^T for an int8 weight W [rows][in] with one f32 scale per row
  /// (#tern.row_scaled: row-major, row r at weights + r * in, |W| <= 127, any
  /// in up to 132000), on activations quantized by quantize_rows_i8 (q
  /// [tokens][in], scales [tokens]): y[t * y_stride + r] = (float)(sum_k
  /// W[r][k] * q[t][k]) / scales[t] * row_scales[r], the sum exact in int32.
  /// Rows are split across calls as in bitlinear_i2s (weights + r0 * in,
  /// row_scales + r0, y + r0).
  void (*linear_i8)(const int8_t *q, const float *scales, const int8_t *weights,
                    const float *row_scales, int64_t tokens, int64_t in,
                    int64_t rows, float *y, int64_t y_stride);

  /// Embedding lookup from an int8 table with row scales (as linear_i8's
  /// weights): y[t][k] = (float)table[ids[t]][k] * row_scales[ids[t]], the
  /// product rounded to f32; y [tokens][features].
  void (*embed_i8)(const int8_t *table, const float *row_scales,
                   const int32_t *ids, int64_t tokens, int64_t features,
                   float *y);

  /// y = x * W^T for a 4-bit weight W [rows][in] in groups of 32 columns
  /// (#tern.row_scaled on i4; in a multiple of 32 up to 8192), packed as
  /// backends/common/Q4Layout.h says: q4RowBytes(in) = in / 2 + in / 32
  /// bytes a row, row r at weights + r * q4RowBytes(in); w in [-8, 7], an
  /// 8-bit sub-scale s_g per group and the f32 row_scales[r]. On activations
  /// quantized by quantize_rows_i8: y[t * y_stride + r] = (float)(sum_g s_g
  /// * sum_{k in g} w[r][k] * q[t][k]) / scales[t] * row_scales[r], the sum
  /// exact in int32. Rows are split across calls as in bitlinear_i2s
  /// (weights + r0 * q4RowBytes(in), row_scales + r0, y + r0).
  void (*linear_q4)(const int8_t *q, const float *scales,
                    const uint8_t *weights, const float *row_scales,
                    int64_t tokens, int64_t in, int64_t rows, float *y,
                    int64_t y_stride);

  /// Embedding lookup from a 4-bit table with row scales (as linear_q4's
  /// weights, features columns): y[t][k] = (float)(s_g * w[ids[t]][k]) *
  /// row_scales[ids[t]] with g = k / 32, the product rounded to f32; y
  /// [tokens][features].
  void (*embed_q4)(const uint8_t *table, const float *row_scales,
                   const int32_t *ids, int64_t tokens, int64_t features,
                   float *y);

  /// RoPE in place on x [tokens][features] of heads of head_dim features
  /// (features a multiple of head_dim), token t at position + t. In each
  /// head the first rotated_dims (even, <= head_dim) features turn in pairs
  /// (i, i + rotated_dims / 2) for i < rotated_dims / 2, by angle
  /// theta_i = (position + t) * base^(-2i / rotated_dims) computed as ggml
  /// does (theta_0 = position + t, theta_{i+1} = theta_i * powf(base,
  /// -2 / rotated_dims), cosf/sinf): x0' = x0 cos - x1 sin, x1' = x0 sin +
  /// x1 cos. NEOX pairing (GPT-NeoX, BitNet b1.58).
  void (*rope_neox_f32)(float *x, int64_t tokens, int64_t features,
                        int64_t head_dim, int64_t rotated_dims,
                        int64_t position, float base);

  /// RoPE as rope_neox_f32 with the original pairing (2i, 2i + 1) (Llama's
  /// "norm" mode).
  void (*rope_norm_f32)(float *x, int64_t tokens, int64_t features,
                        int64_t head_dim, int64_t rotated_dims,
                        int64_t position, float base);

  /// Causal grouped-query attention over an f16 KV cache. q [tokens][heads
  /// * head_dim], k and v [tokens][kv_heads * head_dim]; heads is a multiple
  /// of kv_heads and query head h reads KV head h / (heads / kv_heads). The
  /// first valid_tokens (0..tokens) rows are tokens at positions position +
  /// t; the rest are padding. k_cache and v_cache are one layer's slice of
  /// the cache, [capacity][kv_heads * head_dim] (the whole cache is
  /// [layers][capacity][kv_heads * head_dim], so pass base + layer *
  /// capacity * kv_heads * head_dim) with position + valid_tokens <=
  /// capacity. First the valid rows of k and v are rounded to f16 and
  /// stored at positions position..; positions before keep what earlier
  /// calls stored. Then, per valid token t and head h, with the query
  /// rounded to f16: score_j = (float)(q . k_j summed in double) * (1.0f /
  /// sqrtf(head_dim)) for j <= position + t, p_j = expf(score_j - max) *
  /// (float)(1 / sum of those exps in double), rounded to f16, and out =
  /// sum_j p_j v_j in double, rounded to f32 (as ggml with an f16 cache).
  /// out [tokens][heads * head_dim], its padding rows zero; out may be q.
  /// scratch: at least head_dim + position + valid_tokens floats.
  /// Only KV heads [kv_head_begin, kv_head_end) and their query heads are
  /// handled: their keys and values are stored and their output columns
  /// written. Calls on disjoint ranges touch disjoint memory, so they may
  /// run concurrently (each with its own scratch); one call over
  /// [0, kv_heads) does everything.
  void (*attention_f16_cache)(const float *q, const float *k, const float *v,
                              int64_t tokens, int64_t valid_tokens,
                              int64_t position, int64_t heads, int64_t kv_heads,
                              int64_t head_dim, int64_t kv_head_begin,
                              int64_t kv_head_end, uint16_t *k_cache,
                              uint16_t *v_cache, float *out, float *scratch);

  /// attention_f16_cache over an f32 cache: nothing is rounded to f16.
  void (*attention_f32_cache)(const float *q, const float *k, const float *v,
                              int64_t tokens, int64_t valid_tokens,
                              int64_t position, int64_t heads, int64_t kv_heads,
                              int64_t head_dim, int64_t kv_head_begin,
                              int64_t kv_head_end, float *k_cache,
                              float *v_cache, float *out, float *scratch);

  /// y = a + b on `count` elements; y may be a or b.
  void (*add_f32)(const float *a, const float *b, int64_t count, float *y);

  /// y = a * b on `count` elements; y may be a or b.
  void (*mul_f32)(const float *a, const float *b, int64_t count, float *y);

  /// y = max(x, 0)^2 on `count` elements (the product rounded to f32); y may
  /// be x.
  void (*relu2_f32)(const float *x, int64_t count, float *y);

  /// y = x / (1 + expf(-x)) on `count` elements; y may be x.
  void (*silu_f32)(const float *x, int64_t count, float *y);

  /// y = max(gate, 0)^2 * up (BitNet b1.58's FFN) on `count` elements, each
  /// product rounded to f32; y may be gate or up.
  void (*relu2_mul_f32)(const float *gate, const float *up, int64_t count,
                        float *y);

  /// y = gate / (1 + expf(-gate)) * up (SiLU-gated FFN) on `count` elements;
  /// y may be gate or up.
  void (*silu_mul_f32)(const float *gate, const float *up, int64_t count,
                       float *y);
} TernKernels;

#ifdef __cplusplus
} // extern "C"
#endif

#endif // TERNC_BACKENDS_KERNELABI_H
