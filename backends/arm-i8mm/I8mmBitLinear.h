//===- I8mmBitLinear.h - The ternary matmul on SMMLA ------------*- C++ -*-===//

#ifndef TERNC_BACKENDS_ARM_I8MM_I8MMBITLINEAR_H
#define TERNC_BACKENDS_ARM_I8MM_I8MMBITLINEAR_H

#include <cstdint>

/// KernelAbi.h's bitlinear_i2s (I2_S rows consecutive): pairs of rows times
/// pairs of tokens on SMMLA; an odd last token or row on SDOT.
void i8mm_bitlinear_i2s(const int8_t *q, const float *scales,
                        const uint8_t *weights, int64_t tokens, int64_t in,
                        int64_t rows, float weightScale, float *y,
                        int64_t yStride);

#endif // TERNC_BACKENDS_ARM_I8MM_I8MMBITLINEAR_H
