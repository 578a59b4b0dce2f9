//===- NeonRowOps.h - arm-neon quantization and row ops ------*- C++ -*-===//
//
// KernelAbi.h's quantize_rows_i8, rms_norm_quantize_i8, rms_norm_f32,
// linear_i8 and the add / mul / ReLU² elementwise ops in AArch64 NEON.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_ARM_NEON_NEONROWOPS_H
#define TERNC_BACKENDS_ARM_NEON_NEONROWOPS_H

#include <cstdint>

void neon_quantize_rows_i8(const float *x, int64_t tokens, int64_t features,
                           int8_t *q, float *scales);
void neon_rms_norm_quantize_i8(const float *x, const float *gamma,
                               int64_t tokens, int64_t features, float epsilon,
                               int8_t *q, float *scales);
void neon_rms_norm_f32(const float *x, const float *gamma, int64_t tokens,
                       int64_t features, float epsilon, float *y);
void neon_linear_i8(const int8_t *q, const float *scales,
                    const int8_t *weights, const float *rowScales,
                    int64_t tokens, int64_t in, int64_t rows, float *y,
                    int64_t yStride);
void neon_add_f32(const float *a, const float *b, int64_t count, float *y);
void neon_mul_f32(const float *a, const float *b, int64_t count, float *y);
void neon_relu2_f32(const float *x, int64_t count, float *y);
void neon_relu2_mul_f32(const float *gate, const float *up, int64_t count,
                        float *y);

#endif // TERNC_BACKENDS_ARM_NEON_NEONROWOPS_H
