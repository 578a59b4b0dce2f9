//===- Avx512BitLinear.h - I2_S ternary matmul, AVX-512 VNNI -*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX512_AVX512BITLINEAR_H
#define TERNC_BACKENDS_X86_AVX512_AVX512BITLINEAR_H

#include <cstdint>

/// KernelAbi.h's bitlinear_i2s with AVX-512 F/BW/VL/VNNI (the CPU must have
/// them).
void avx512_bitlinear_i2s(const int8_t *q, const float *scales,
                          const uint8_t *weights, int64_t tokens, int64_t in,
                          int64_t rows, float weightScale, float *y,
                          int64_t yStride);

#endif // TERNC_BACKENDS_X86_AVX512_AVX512BITLINEAR_H
