//===- Avx512Linear.h - f16 matmul on 8-row groups, AVX-512 ----*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX512_AVX512LINEAR_H
#define TERNC_BACKENDS_X86_AVX512_AVX512LINEAR_H

#include <cstdint>

/// KernelAbi.h's linear_f16 on 8-row interleaved weights (the x86 layout,
/// kX86F16RowInterleave) with AVX-512F and F16C (the CPU must have them).
void avx512_linear_f16(const float *x, const uint16_t *weights, int64_t tokens,
                       int64_t in, int64_t rows, float *y, int64_t yStride,
                       float *scratch);

#endif // TERNC_BACKENDS_X86_AVX512_AVX512LINEAR_H
