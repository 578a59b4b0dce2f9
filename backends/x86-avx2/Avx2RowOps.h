//===- Avx2RowOps.h - Quantization, RMSNorm, elementwise ops ----*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX2_AVX2ROWOPS_H
#define TERNC_BACKENDS_X86_AVX2_AVX2ROWOPS_H

#include <cstdint>

/// KernelAbi.h's quantize_rows_i8 with AVX2 (the CPU must have it).
void avx2_quantize_rows_i8(const float *x, int64_t tokens, int64_t features,
                           int8_t *q, float *scales);

/// KernelAbi.h's rms_norm_quantize_i8 with AVX2.
void avx2_rms_norm_quantize_i8(const float *x, const float *gamma,
                               int64_t tokens, int64_t features, float epsilon,
                               int8_t *q, float *scales);

/// KernelAbi.h's rms_norm_f32 with AVX2; y may be x.
void avx2_rms_norm_f32(const float *x, const float *gamma, int64_t tokens,
                       int64_t features, float epsilon, float *y);

/// KernelAbi.h's add_f32 with AVX2; y may be a or b.
void avx2_add_f32(const float *a, const float *b, int64_t count, float *y);

/// KernelAbi.h's mul_f32 with AVX2; y may be a or b.
void avx2_mul_f32(const float *a, const float *b, int64_t count, float *y);

/// KernelAbi.h's relu2_f32 with AVX2; y may be x.
void avx2_relu2_f32(const float *x, int64_t count, float *y);

/// KernelAbi.h's relu2_mul_f32 with AVX2; y may be gate or up.
void avx2_relu2_mul_f32(const float *gate, const float *up, int64_t count,
                        float *y);

#endif // TERNC_BACKENDS_X86_AVX2_AVX2ROWOPS_H
