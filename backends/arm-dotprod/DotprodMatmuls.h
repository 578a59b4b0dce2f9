//===- DotprodMatmuls.h - The ternary and int8 matmuls on SDOT -*- C++ -*-===//

#ifndef TERNC_BACKENDS_ARM_DOTPROD_DOTPRODMATMULS_H
#define TERNC_BACKENDS_ARM_DOTPROD_DOTPRODMATMULS_H

#include <cstdint>

/// KernelAbi.h's bitlinear_i2s (I2_S rows consecutive) on SDOT.
void dotprod_bitlinear_i2s(const int8_t *q, const float *scales,
                           const uint8_t *weights, int64_t tokens, int64_t in,
                           int64_t rows, float weightScale, float *y,
                           int64_t yStride);

/// KernelAbi.h's linear_i8 (the int8 LM head) on SDOT.
void dotprod_linear_i8(const int8_t *q, const float *scales,
                       const int8_t *weights, const float *rowScales,
                       int64_t tokens, int64_t in, int64_t rows, float *y,
                       int64_t yStride);

#endif // TERNC_BACKENDS_ARM_DOTPROD_DOTPRODMATMULS_H
