//===- ModelAbi.h - The C ABI between a compiled model and the runtime -*- C -*-===//
//
// `ternc compile` turns a model into an object file that defines the
// symbols of the first half of this header (the model's functions and its
// description) and calls the `tern_exec_*` entries of the second half, which
// the runtime (runtime/model) implements on top of the backend's
// `TernKernels` table: the runtime owns threads, per-thread scratch and the
// KV cache, the compiled code owns the order of operations and every
// static size and offset.
//
// A compiled function sees its inputs and outputs only through a `TernStep`:
// activations live at offsets (chosen by tern-plan-memory) of one arena,
// weights at offsets of the packed model file embedded in the executable.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_MODEL_MODELABI_H
#define TERNC_RUNTIME_MODEL_MODELABI_H

#include "backends/KernelAbi.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The version of this ABI; the runtime refuses a model built for another.
#define TERN_MODEL_ABI_VERSION 5

/// The runtime's executor of one session (kernels, threads, scratch, KV
/// cache); opaque to compiled code.
typedef struct TernExec TernExec;

/// The arguments of one call of a compiled model function.
typedef struct TernStep {
  /// Runs the kernels; passed first to every tern_exec_* call.
  TernExec *exec;
  /// The first byte of the packed model file's tensor data (the file is a
  /// GGUF file; its tensor infos' offsets count from here, as the
  /// compile-time offsets of the weights do). The runtime may point it into
  /// the copy embedded in the executable or into one loaded into memory.
  const uint8_t *weights;
  /// The function's activation arena, at least its `*_arena_bytes` bytes,
  /// 64-byte aligned.
  uint8_t *arena;
  /// The function's tokens: 1 for decode, `prefill_chunk` for prefill.
  const int32_t *tokens;
  /// Position of tokens[0] in the sequence.
  int64_t position;
  /// How many of `tokens` are real (1 for decode); the rest are padding,
  /// never computed, whose keys and values are never stored.
  int64_t valid_tokens;
  /// The function's output: f32 logits [tokens][vocab_size].
  float *logits;
  /// Nonzero: only the logits of the last valid token (row valid_tokens - 1)
  /// are needed (a prompt before generation); the other rows may be left
  /// as they are, which spares the LM head all but one row.
  int64_t last_logits_only;
} TernStep;

/// What the runtime needs to know about a compiled model. Every field is an
/// int64_t so that the compiler emits it as one array constant.
typedef struct TernModelInfo {
  int64_t abi_version;        ///< TERN_MODEL_ABI_VERSION
  int64_t kernel_abi_version; ///< TERN_KERNEL_ABI_VERSION of the kernels
  int64_t vocab_size;
  int64_t prefill_chunk; ///< tokens per tern_model_prefill call
  int64_t context_length; ///< KV cache capacity the model was compiled for
  int64_t layers;
  int64_t kv_heads;
  int64_t head_dim;
  int64_t kv_cache_f16;        ///< 1: f16 keys and values, 0: f32
  int64_t decode_arena_bytes;  ///< arena of tern_model_decode
  int64_t prefill_arena_bytes; ///< arena of tern_model_prefill
  /// Scratch floats one thread needs for tern_exec_linear_* (the widest
  /// input of a float matmul); attention's scratch the runtime derives from
  /// head_dim and its context length.
  int64_t linear_scratch_floats;
} TernModelInfo;

//===----------------------------------------------------------------------===//
// Defined by the compiled model
//===----------------------------------------------------------------------===//

/// The model's description.
extern const TernModelInfo tern_model_info;
/// The packed model file of a library (an executable has it appended:
/// AppendedWeights.h): GGUF metadata (tokenizer, hyper-parameters) and the
/// weights in the backend's layouts, [tern_model_gguf, tern_model_gguf_end),
/// aligned to a page.
extern const uint8_t tern_model_gguf[];
extern const uint8_t tern_model_gguf_end[];
/// The kernel table of the backend the model was compiled for (NULL when
/// this CPU cannot run it).
const TernKernels *tern_model_kernels(void);
/// Runs one token (step->tokens[0]) and writes its logits.
void tern_model_decode(const TernStep *step);
/// Runs the step->valid_tokens real tokens of a prefill_chunk-token call and
/// writes their logits: the padding rows are not computed (a short prompt
/// costs its own tokens, not a whole chunk) and the logits rows past
/// valid_tokens are left as they are.
void tern_model_prefill(const TernStep *step);

//===----------------------------------------------------------------------===//
// Implemented by the runtime, called by compiled code
//===----------------------------------------------------------------------===//
//
// Each entry performs the KernelAbi.h entry of the same name on the whole
// tensor (splitting the work across the session's threads where it pays),
// providing scratch memory itself. Shapes follow KernelAbi.h.

void tern_exec_quantize_rows_i8(TernExec *exec, const float *x, int64_t tokens,
                                int64_t features, int8_t *q, float *scales);
void tern_exec_rms_norm_quantize_i8(TernExec *exec, const float *x,
                                    const float *gamma, int64_t tokens,
                                    int64_t features, float epsilon, int8_t *q,
                                    float *scales);
void tern_exec_quantize_rows_q8k(TernExec *exec, const float *x,
                                 int64_t tokens, int64_t features, int8_t *q,
                                 float *block_scales);
void tern_exec_rms_norm_quantize_q8k(TernExec *exec, const float *x,
                                     const float *gamma, int64_t tokens,
                                     int64_t features, float epsilon, int8_t *q,
                                     float *block_scales);
void tern_exec_rms_norm_f32(TernExec *exec, const float *x, const float *gamma,
                            int64_t tokens, int64_t features, float epsilon,
                            float *y);
/// One weight of a tern_exec_bitlinear_i2s call: `rows` I2_S rows of the
/// call's `in` trits (laid out as the kernels' i2s_row_interleave says),
/// their scale, and the dense output y [tokens][rows].
typedef struct TernBitLinearPart {
  const uint8_t *weights;
  int64_t rows;
  float weight_scale;
  float *y;
} TernBitLinearPart;
/// The ternary matmuls of one (fused) op on the same quantized activations:
/// the rows of all `count` parts form one matrix, run in one dispatch.
void tern_exec_bitlinear_i2s(TernExec *exec, const int8_t *q,
                             const float *scales, int64_t tokens, int64_t in,
                             int64_t count, const TernBitLinearPart *parts);
/// tern_exec_bitlinear_i2s on Q8_K activations (tern_exec_quantize_rows_q8k:
/// q, block_scales).
void tern_exec_bitlinear_i2s_q8k(TernExec *exec, const int8_t *q,
                                 const float *block_scales, int64_t tokens,
                                 int64_t in, int64_t count,
                                 const TernBitLinearPart *parts);
void tern_exec_linear_f16(TernExec *exec, const float *x,
                          const uint16_t *weights, int64_t tokens, int64_t in,
                          int64_t rows, float *y, int64_t y_stride);
void tern_exec_linear_f32(TernExec *exec, const float *x, const float *weights,
                          int64_t tokens, int64_t in, int64_t rows, float *y,
                          int64_t y_stride);
/// y = x * W^T for a row-scaled int8 W, on x quantized by
/// tern_exec_quantize_rows_i8 (q, scales).
void tern_exec_linear_i8(TernExec *exec, const int8_t *q, const float *scales,
                         const int8_t *weights, const float *row_scales,
                         int64_t tokens, int64_t in, int64_t rows, float *y,
                         int64_t y_stride);
void tern_exec_embed_f16(TernExec *exec, const uint16_t *table,
                         const int32_t *ids, int64_t tokens, int64_t features,
                         float *y);
void tern_exec_embed_f32(TernExec *exec, const float *table,
                         const int32_t *ids, int64_t tokens, int64_t features,
                         float *y);
void tern_exec_embed_i8(TernExec *exec, const int8_t *table,
                        const float *row_scales, const int32_t *ids,
                        int64_t tokens, int64_t features, float *y);
/// y = x * W^T for a 4-bit W (KernelAbi.h's linear_q4), on x quantized by
/// tern_exec_quantize_rows_i8 (q, scales).
void tern_exec_linear_q4(TernExec *exec, const int8_t *q, const float *scales,
                         const uint8_t *weights, const float *row_scales,
                         int64_t tokens, int64_t in, int64_t rows, float *y,
                         int64_t y_stride);
void tern_exec_embed_q4(TernExec *exec, const uint8_t *table,
                        const float *row_scales, const int32_t *ids,
                        int64_t tokens, int64_t features, float *y);
/// RoPE of x into y (y may be x; otherwise x is copied to y first).
void tern_exec_rope_neox_f32(TernExec *exec, const float *x, float *y,
                             int64_t tokens, int64_t features,
                             int64_t head_dim, int64_t rotated_dims,
                             int64_t position, float base);
void tern_exec_rope_norm_f32(TernExec *exec, const float *x, float *y,
                             int64_t tokens, int64_t features,
                             int64_t head_dim, int64_t rotated_dims,
                             int64_t position, float base);
/// Attention of layer `layer` over the session's KV cache (f16 or f32 as
/// tern_model_info says).
void tern_exec_attention(TernExec *exec, const float *q, const float *k,
                         const float *v, int64_t tokens, int64_t valid_tokens,
                         int64_t position, int64_t heads, int64_t kv_heads,
                         int64_t head_dim, int64_t layer, float *out);
void tern_exec_add_f32(TernExec *exec, const float *a, const float *b,
                       int64_t count, float *y);
void tern_exec_mul_f32(TernExec *exec, const float *a, const float *b,
                       int64_t count, float *y);
void tern_exec_relu2_f32(TernExec *exec, const float *x, int64_t count,
                         float *y);
void tern_exec_silu_f32(TernExec *exec, const float *x, int64_t count,
                        float *y);
void tern_exec_relu2_mul_f32(TernExec *exec, const float *gate,
                             const float *up, int64_t count, float *y);
void tern_exec_silu_mul_f32(TernExec *exec, const float *gate,
                            const float *up, int64_t count, float *y);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // TERNC_RUNTIME_MODEL_MODELABI_H
