//===- Avx2Linear.h - f16 matmul and embedding on 8-row groups -*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX2_AVX2LINEAR_H
#define TERNC_BACKENDS_X86_AVX2_AVX2LINEAR_H

#include <cstdint>

/// Rows per interleaved group of the x86 backends' f16 matrices.
inline constexpr int64_t kX86F16RowInterleave = 8;

/// KernelAbi.h's linear_f16 on 8-row interleaved weights, with AVX2 and F16C
/// (the CPU must have them).
void avx2_linear_f16(const float *x, const uint16_t *weights, int64_t tokens,
                     int64_t in, int64_t rows, float *y, int64_t yStride,
                     float *scratch);

/// KernelAbi.h's embed_f16 on an 8-row interleaved table (F16C).
void avx2_embed_f16(const uint16_t *table, const int32_t *ids, int64_t tokens,
                    int64_t features, float *y);

#endif // TERNC_BACKENDS_X86_AVX2_AVX2LINEAR_H
