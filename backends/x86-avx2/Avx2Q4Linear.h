//===- Avx2Q4Linear.h - 4-bit LM head matmul with AVX2 ----------*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX2_AVX2Q4LINEAR_H
#define TERNC_BACKENDS_X86_AVX2_AVX2Q4LINEAR_H

#include <cstdint>

/// KernelAbi.h's linear_q4 with AVX2 (the CPU must have it).
void avx2_linear_q4(const int8_t *q, const float *scales,
                    const uint8_t *weights, const float *rowScales,
                    int64_t tokens, int64_t in, int64_t rows, float *y,
                    int64_t yStride);

#endif // TERNC_BACKENDS_X86_AVX2_AVX2Q4LINEAR_H
