//===- DotprodBitLinear.h - The ternary matmul on SDOT ----------*- C++ -*-===//

#ifndef TERNC_BACKENDS_ARM_DOTPROD_DOTPRODBITLINEAR_H
#define TERNC_BACKENDS_ARM_DOTPROD_DOTPRODBITLINEAR_H

#include <cstdint>

/// KernelAbi.h's bitlinear_i2s (I2_S rows consecutive) on SDOT.
void dotprod_bitlinear_i2s(const int8_t *q, const float *scales,
                           const uint8_t *weights, int64_t tokens, int64_t in,
                           int64_t rows, float weightScale, float *y,
                           int64_t yStride);

#endif // TERNC_BACKENDS_ARM_DOTPROD_DOTPRODBITLINEAR_H
