//===- Avx2BitLinear.h - I2_S ternary matmul with AVX2 ----------*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX2_AVX2BITLINEAR_H
#define TERNC_BACKENDS_X86_AVX2_AVX2BITLINEAR_H

#include <cstdint>

/// KernelAbi.h's bitlinear_i2s with AVX2 (the CPU must have it).
void avx2_bitlinear_i2s(const int8_t *q, const float *scales,
                        const uint8_t *weights, int64_t tokens, int64_t in,
                        int64_t rows, float weightScale, float *y,
                        int64_t yStride);

/// KernelAbi.h's bitlinear_i2s_q8k with AVX2 (the CPU must have it) on rows
/// laid out consecutively (i2s_row_interleave = 1).
void avx2_bitlinear_i2s_q8k(const int8_t *q, const float *blockScales,
                            const uint8_t *weights, int64_t tokens, int64_t in,
                            int64_t rows, float weightScale, float *y,
                            int64_t yStride);

#endif // TERNC_BACKENDS_X86_AVX2_AVX2BITLINEAR_H
