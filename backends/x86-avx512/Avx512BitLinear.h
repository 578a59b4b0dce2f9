//===- Avx512BitLinear.h - I2_S ternary matmul, AVX-512 VNNI -*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX512_AVX512BITLINEAR_H
#define TERNC_BACKENDS_X86_AVX512_AVX512BITLINEAR_H

#include <cstdint>

/// The x86-avx512 backend's TernKernels::i2s_row_interleave: I2_S rows in
/// groups of 8 interleaved block by block, so that decode reads each group
/// as one sequential stream (Avx512BitLinear.cpp).
inline constexpr int64_t kAvx512I2SRowInterleave = 8;

/// KernelAbi.h's bitlinear_i2s with AVX-512 F/BW/VL/VNNI (the CPU must have
/// them) on rows laid out consecutively (i2s_row_interleave = 1).
void avx512_bitlinear_i2s(const int8_t *q, const float *scales,
                          const uint8_t *weights, int64_t tokens, int64_t in,
                          int64_t rows, float weightScale, float *y,
                          int64_t yStride);

/// avx512_bitlinear_i2s on rows laid out with i2s_row_interleave =
/// kAvx512I2SRowInterleave.
void avx512_bitlinear_i2s_interleaved(const int8_t *q, const float *scales,
                                      const uint8_t *weights, int64_t tokens,
                                      int64_t in, int64_t rows,
                                      float weightScale, float *y,
                                      int64_t yStride);

/// KernelAbi.h's bitlinear_i2s_q8k with AVX-512 F/BW/VL/VNNI on rows laid
/// out with i2s_row_interleave = kAvx512I2SRowInterleave.
void avx512_bitlinear_i2s_q8k_interleaved(const int8_t *q,
                                          const float *blockScales,
                                          const uint8_t *weights,
                                          int64_t tokens, int64_t in,
                                          int64_t rows, float weightScale,
                                          float *y, int64_t yStride);

#endif // TERNC_BACKENDS_X86_AVX512_AVX512BITLINEAR_H
