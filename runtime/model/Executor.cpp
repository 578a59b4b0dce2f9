//===- Executor.cpp - The runtime side of ModelAbi.h's tern_exec_* --------===//

#include "runtime/model/Executor.h"

#include "backends/common/Q4Layout.h"
#include "backends/common/Q8KActivations.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

using ternc::AnonymousMemory;
using ternc::Expected;
using ternc::makeError;

namespace {

/// Output rows per matmul slice: a multiple of every backend's row block
/// and row interleave (KernelAbi.h: a divisor of 16).
constexpr int64_t kRowGrain = 16;
/// Elements per slice of an elementwise operation; shorter ones (a decode
/// step's vectors) stay on one thread, where a hand-off would cost more
/// than the work.
constexpr int64_t kElementGrain = 4096;

/// Stops the process with `message` unless `condition` holds: a broken
/// precondition of a tern_exec_* entry is a code-generation bug, and going
/// on would read or write out of bounds. Checked in every build type.
void require(bool condition, const char *entry, const char *message) {
  if (condition)
    return;
  std::fprintf(stderr, "ternc runtime: %s: %s\n", entry, message);
  std::abort();
}

/// result = a * b; false when it overflows size_t.
bool multiply(size_t a, size_t b, size_t &result) {
  return !__builtin_mul_overflow(a, b, &result);
}

} // namespace

Expected<std::unique_ptr<TernExec>>
TernExec::create(const TernKernels *kernels, const TernExecOptions &options) {
  if (!kernels)
    return makeError("the executor has no kernel table");
  if (options.threads < 1)
    return makeError("the thread count must be at least 1, not {}",
                     options.threads);
  if (options.layers < 1 || options.kvHeads < 1 || options.headDim < 1 ||
      options.capacity < 1 || options.linearScratchFloats < 0)
    return makeError("invalid executor shape: {} layers, {} KV heads of {}, "
                     "{} positions, {} scratch floats",
                     options.layers, options.kvHeads, options.headDim,
                     options.capacity, options.linearScratchFloats);
  for (int64_t interleave :
       {kernels->f16_row_interleave, kernels->i2s_row_interleave})
    if (interleave < 1 || kRowGrain % interleave != 0)
      return makeError("the {} kernels interleave rows in groups of {}, "
                       "which do not divide the executor's row slices of {}",
                       kernels->name, interleave, kRowGrain);
  std::unique_ptr<TernExec> exec(new TernExec(kernels, options));

  size_t cacheBytes = options.f16Cache ? 2 : 4;
  for (int64_t factor : {options.layers, options.capacity, options.kvHeads,
                         options.headDim})
    if (!multiply(cacheBytes, static_cast<size_t>(factor), cacheBytes))
      return makeError("a KV cache of {} positions is too large to allocate",
                       options.capacity);
  Expected<AnonymousMemory> keys =
      AnonymousMemory::allocate(cacheBytes, /*hugePages=*/true, "key cache");
  if (!keys)
    return keys.error();
  exec->keys_ = keys.take();
  Expected<AnonymousMemory> values =
      AnonymousMemory::allocate(cacheBytes, /*hugePages=*/true, "value cache");
  if (!values)
    return values.error();
  exec->values_ = values.take();

  exec->scratchFloats_ = std::max<int64_t>(
      {int64_t(1), options.linearScratchFloats,
       options.headDim + options.capacity});
  exec->scratchStride_ =
      (static_cast<size_t>(exec->scratchFloats_) + 15) / 16 * 16;
  size_t scratchBytes = 0;
  if (!multiply(exec->scratchStride_ * sizeof(float),
                static_cast<size_t>(options.threads), scratchBytes))
    return makeError("the per-thread scratch is too large to allocate");
  Expected<AnonymousMemory> scratch =
      AnonymousMemory::allocate(scratchBytes, /*hugePages=*/false, "scratch");
  if (!scratch)
    return scratch.error();
  exec->scratch_ = scratch.take();

  Expected<std::unique_ptr<ternc::ThreadPool>> pool =
      ternc::ThreadPool::create(options.threads);
  if (!pool)
    return pool.error();
  exec->pool_ = pool.take();
  return exec;
}

namespace {

using RopeKernel = void (*)(float *, int64_t, int64_t, int64_t, int64_t,
                            int64_t, float);

/// Copies x to y where they differ, then rotates y in place, by tokens.
void rope(TernExec *exec, RopeKernel kernel, const float *x, float *y,
          int64_t tokens, int64_t features, int64_t headDim,
          int64_t rotatedDims, int64_t position, float base) {
  exec->parallelFor(tokens, 1, [&](int64_t begin, int64_t end, int) {
    float *rows = y + begin * features;
    if (x != y)
      std::memcpy(rows, x + begin * features,
                  static_cast<size_t>((end - begin) * features) *
                      sizeof(float));
    kernel(rows, end - begin, features, headDim, rotatedDims,
           position + begin, base);
  });
}

using BinaryKernel = void (*)(const float *, const float *, int64_t, float *);
using UnaryKernel = void (*)(const float *, int64_t, float *);

/// Runs an elementwise kernel of two inputs on slices of elements.
void binary(TernExec *exec, BinaryKernel kernel, const float *a,
            const float *b, int64_t count, float *y) {
  exec->parallelFor(count, kElementGrain,
                    [&](int64_t begin, int64_t end, int) {
                      kernel(a + begin, b + begin, end - begin, y + begin);
                    });
}

using TernaryKernel = void (*)(const int8_t *, const float *, const uint8_t *,
                               int64_t, int64_t, int64_t, float, float *,
                               int64_t);

/// Runs a ternary matmul kernel (bitlinear_i2s or bitlinear_i2s_q8k) over
/// the rows of all `count` parts as one matrix, split across threads.
void runTernaryParts(TernExec *exec, const int8_t *q, const float *scales,
                     int64_t tokens, int64_t in, int64_t count,
                     const TernBitLinearPart *parts, TernaryKernel kernel) {
  // Each part spans its rows rounded up to whole interleaved groups (the
  // packer pads them so), so that every slice of a part starts at a
  // multiple of the group.
  const int64_t group = exec->kernels().i2s_row_interleave;
  auto span = [&](const TernBitLinearPart &part) {
    return (part.rows + group - 1) / group * group;
  };
  int64_t total = 0;
  for (int64_t i = 0; i < count; ++i)
    total += span(parts[i]);
  // Slices of the concatenated rows; a slice may span parts.
  exec->parallelFor(total, kRowGrain, [&](int64_t begin, int64_t end, int) {
    int64_t partBegin = 0;
    for (int64_t i = 0; i < count && partBegin < end; ++i) {
      const TernBitLinearPart &part = parts[i];
      const int64_t from = std::max(begin, partBegin) - partBegin;
      const int64_t to = std::min(end, partBegin + part.rows) - partBegin;
      if (from < to)
        kernel(q, scales, part.weights + from * in / 4, tokens, in, to - from,
               part.weight_scale, part.y + from, part.rows);
      partBegin += span(part);
    }
  });
}

/// Runs an elementwise kernel of one input on slices of elements.
void unary(TernExec *exec, UnaryKernel kernel, const float *x, int64_t count,
           float *y) {
  exec->parallelFor(count, kElementGrain,
                    [&](int64_t begin, int64_t end, int) {
                      kernel(x + begin, end - begin, y + begin);
                    });
}

} // namespace

//===----------------------------------------------------------------------===//
// tern_exec_* entries
//===----------------------------------------------------------------------===//

extern "C" {

void tern_exec_quantize_rows_i8(TernExec *exec, const float *x, int64_t tokens,
                                int64_t features, int8_t *q, float *scales) {
  const TernKernels &k = exec->kernels();
  exec->parallelFor(tokens, 1, [&](int64_t begin, int64_t end, int) {
    k.quantize_rows_i8(x + begin * features, end - begin, features,
                       q + begin * features, scales + begin);
  });
}

void tern_exec_rms_norm_quantize_i8(TernExec *exec, const float *x,
                                    const float *gamma, int64_t tokens,
                                    int64_t features, float epsilon, int8_t *q,
                                    float *scales) {
  const TernKernels &k = exec->kernels();
  exec->parallelFor(tokens, 1, [&](int64_t begin, int64_t end, int) {
    k.rms_norm_quantize_i8(x + begin * features, gamma, end - begin, features,
                           epsilon, q + begin * features, scales + begin);
  });
}

void tern_exec_quantize_rows_q8k(TernExec *exec, const float *x,
                                 int64_t tokens, int64_t features, int8_t *q,
                                 float *block_scales) {
  const TernKernels &k = exec->kernels();
  const int64_t blocks = features / ternc::backends::kQ8KBlock;
  exec->parallelFor(tokens, 1, [&](int64_t begin, int64_t end, int) {
    k.quantize_rows_q8k(x + begin * features, end - begin, features,
                        q + begin * features, block_scales + begin * blocks);
  });
}

void tern_exec_rms_norm_quantize_q8k(TernExec *exec, const float *x,
                                     const float *gamma, int64_t tokens,
                                     int64_t features, float epsilon, int8_t *q,
                                     float *block_scales) {
  const TernKernels &k = exec->kernels();
  const int64_t blocks = features / ternc::backends::kQ8KBlock;
  exec->parallelFor(tokens, 1, [&](int64_t begin, int64_t end, int) {
    k.rms_norm_quantize_q8k(x + begin * features, gamma, end - begin, features,
                            epsilon, q + begin * features,
                            block_scales + begin * blocks);
  });
}

void tern_exec_rms_norm_f32(TernExec *exec, const float *x, const float *gamma,
                            int64_t tokens, int64_t features, float epsilon,
                            float *y) {
  const TernKernels &k = exec->kernels();
  exec->parallelFor(tokens, 1, [&](int64_t begin, int64_t end, int) {
    k.rms_norm_f32(x + begin * features, gamma, end - begin, features, epsilon,
                   y + begin * features);
  });
}

void tern_exec_bitlinear_i2s(TernExec *exec, const int8_t *q,
                             const float *scales, int64_t tokens, int64_t in,
                             int64_t count, const TernBitLinearPart *parts) {
  runTernaryParts(exec, q, scales, tokens, in, count, parts,
                  exec->kernels().bitlinear_i2s);
}

void tern_exec_bitlinear_i2s_q8k(TernExec *exec, const int8_t *q,
                                 const float *block_scales, int64_t tokens,
                                 int64_t in, int64_t count,
                                 const TernBitLinearPart *parts) {
  runTernaryParts(exec, q, block_scales, tokens, in, count, parts,
                  exec->kernels().bitlinear_i2s_q8k);
}

void tern_exec_linear_f16(TernExec *exec, const float *x,
                          const uint16_t *weights, int64_t tokens, int64_t in,
                          int64_t rows, float *y, int64_t y_stride) {
  require(in <= exec->scratchFloats(), "tern_exec_linear_f16",
          "the input is wider than the executor's linear scratch");
  const TernKernels &k = exec->kernels();
  exec->parallelFor(rows, kRowGrain,
                    [&](int64_t begin, int64_t end, int thread) {
                      k.linear_f16(x, weights + begin * in, tokens, in,
                                   end - begin, y + begin, y_stride,
                                   exec->scratch(thread));
                    });
}

void tern_exec_linear_f32(TernExec *exec, const float *x, const float *weights,
                          int64_t tokens, int64_t in, int64_t rows, float *y,
                          int64_t y_stride) {
  require(in <= exec->scratchFloats(), "tern_exec_linear_f32",
          "the input is wider than the executor's linear scratch");
  const TernKernels &k = exec->kernels();
  exec->parallelFor(rows, kRowGrain,
                    [&](int64_t begin, int64_t end, int thread) {
                      k.linear_f32(x, weights + begin * in, tokens, in,
                                   end - begin, y + begin, y_stride,
                                   exec->scratch(thread));
                    });
}

void tern_exec_linear_i8(TernExec *exec, const int8_t *q, const float *scales,
                         const int8_t *weights, const float *row_scales,
                         int64_t tokens, int64_t in, int64_t rows, float *y,
                         int64_t y_stride) {
  const TernKernels &k = exec->kernels();
  exec->parallelFor(rows, kRowGrain, [&](int64_t begin, int64_t end, int) {
    k.linear_i8(q, scales, weights + begin * in, row_scales + begin, tokens, in,
                end - begin, y + begin, y_stride);
  });
}

void tern_exec_embed_f16(TernExec *exec, const uint16_t *table,
                         const int32_t *ids, int64_t tokens, int64_t features,
                         float *y) {
  const TernKernels &k = exec->kernels();
  exec->parallelFor(tokens, 1, [&](int64_t begin, int64_t end, int) {
    k.embed_f16(table, ids + begin, end - begin, features,
                y + begin * features);
  });
}

void tern_exec_embed_f32(TernExec *exec, const float *table,
                         const int32_t *ids, int64_t tokens, int64_t features,
                         float *y) {
  const TernKernels &k = exec->kernels();
  exec->parallelFor(tokens, 1, [&](int64_t begin, int64_t end, int) {
    k.embed_f32(table, ids + begin, end - begin, features,
                y + begin * features);
  });
}

void tern_exec_embed_i8(TernExec *exec, const int8_t *table,
                        const float *row_scales, const int32_t *ids,
                        int64_t tokens, int64_t features, float *y) {
  const TernKernels &k = exec->kernels();
  exec->parallelFor(tokens, 1, [&](int64_t begin, int64_t end, int) {
    k.embed_i8(table, row_scales, ids + begin, end - begin, features,
               y + begin * features);
  });
}

void tern_exec_linear_q4(TernExec *exec, const int8_t *q, const float *scales,
                         const uint8_t *weights, const float *row_scales,
                         int64_t tokens, int64_t in, int64_t rows, float *y,
                         int64_t y_stride) {
  const TernKernels &k = exec->kernels();
  const int64_t rowBytes = ternc::backends::q4RowBytes(in);
  exec->parallelFor(rows, kRowGrain, [&](int64_t begin, int64_t end, int) {
    k.linear_q4(q, scales, weights + begin * rowBytes, row_scales + begin,
                tokens, in, end - begin, y + begin, y_stride);
  });
}

void tern_exec_embed_q4(TernExec *exec, const uint8_t *table,
                        const float *row_scales, const int32_t *ids,
                        int64_t tokens, int64_t features, float *y) {
  const TernKernels &k = exec->kernels();
  exec->parallelFor(tokens, 1, [&](int64_t begin, int64_t end, int) {
    k.embed_q4(table, row_scales, ids + begin, end - begin, features,
               y + begin * features);
  });
}

void tern_exec_rope_neox_f32(TernExec *exec, const float *x, float *y,
                             int64_t tokens, int64_t features,
                             int64_t head_dim, int64_t rotated_dims,
                             int64_t position, float base) {
  rope(exec, exec->kernels().rope_neox_f32, x, y, tokens, features, head_dim,
       rotated_dims, position, base);
}

void tern_exec_rope_norm_f32(TernExec *exec, const float *x, float *y,
                             int64_t tokens, int64_t features,
                             int64_t head_dim, int64_t rotated_dims,
                             int64_t position, float base) {
  rope(exec, exec->kernels().rope_norm_f32, x, y, tokens, features, head_dim,
       rotated_dims, position, base);
}

void tern_exec_attention(TernExec *exec, const float *q, const float *k,
                         const float *v, int64_t tokens, int64_t valid_tokens,
                         int64_t position, int64_t heads, int64_t kv_heads,
                         int64_t head_dim, int64_t layer, float *out) {
  const TernExecOptions &options = exec->options();
  require(layer >= 0 && layer < options.layers, "tern_exec_attention",
          "the layer is outside the KV cache");
  require(kv_heads == options.kvHeads && head_dim == options.headDim,
          "tern_exec_attention", "the heads differ from the KV cache's");
  require(position >= 0 && valid_tokens >= 0 && valid_tokens <= tokens &&
              position + valid_tokens <= options.capacity,
          "tern_exec_attention", "the positions overflow the KV cache");
  const TernKernels &kernels = exec->kernels();
  // KV heads (and their query heads) split across the threads.
  exec->parallelFor(kv_heads, 1, [&](int64_t begin, int64_t end, int thread) {
    if (exec->options().f16Cache)
      kernels.attention_f16_cache(q, k, v, tokens, valid_tokens, position,
                                  heads, kv_heads, head_dim, begin, end,
                                  static_cast<uint16_t *>(exec->keys(layer)),
                                  static_cast<uint16_t *>(exec->values(layer)),
                                  out, exec->scratch(thread));
    else
      kernels.attention_f32_cache(q, k, v, tokens, valid_tokens, position,
                                  heads, kv_heads, head_dim, begin, end,
                                  static_cast<float *>(exec->keys(layer)),
                                  static_cast<float *>(exec->values(layer)),
                                  out, exec->scratch(thread));
  });
}

void tern_exec_add_f32(TernExec *exec, const float *a, const float *b,
                       int64_t count, float *y) {
  binary(exec, exec->kernels().add_f32, a, b, count, y);
}

void tern_exec_mul_f32(TernExec *exec, const float *a, const float *b,
                       int64_t count, float *y) {
  binary(exec, exec->kernels().mul_f32, a, b, count, y);
}

void tern_exec_relu2_f32(TernExec *exec, const float *x, int64_t count,
                         float *y) {
  unary(exec, exec->kernels().relu2_f32, x, count, y);
}

void tern_exec_silu_f32(TernExec *exec, const float *x, int64_t count,
                        float *y) {
  unary(exec, exec->kernels().silu_f32, x, count, y);
}

void tern_exec_relu2_mul_f32(TernExec *exec, const float *gate,
                             const float *up, int64_t count, float *y) {
  binary(exec, exec->kernels().relu2_mul_f32, gate, up, count, y);
}

void tern_exec_silu_mul_f32(TernExec *exec, const float *gate,
                            const float *up, int64_t count, float *y) {
  binary(exec, exec->kernels().silu_mul_f32, gate, up, count, y);
}

} // extern "C"
