//===- NeonMatmuls.h - arm-neon matmul kernels ------------------*- C++ -*-===//
//
// KernelAbi.h's bitlinear_i2s (I2_S rows consecutive) and linear_f16 /
// embed_f16 (f16 rows in groups of kArmF16RowInterleave) in AArch64 NEON.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_ARM_NEON_NEONMATMULS_H
#define TERNC_BACKENDS_ARM_NEON_NEONMATMULS_H

#include <cstdint>

void neon_bitlinear_i2s(const int8_t *q, const float *scales,
                        const uint8_t *weights, int64_t tokens, int64_t in,
                        int64_t rows, float weightScale, float *y,
                        int64_t yStride);
void neon_linear_f16(const float *x, const uint16_t *weights, int64_t tokens,
                     int64_t in, int64_t rows, float *y, int64_t yStride,
                     float *scratch);
void neon_embed_f16(const uint16_t *table, const int32_t *ids, int64_t tokens,
                    int64_t features, float *y);

#endif // TERNC_BACKENDS_ARM_NEON_NEONMATMULS_H
