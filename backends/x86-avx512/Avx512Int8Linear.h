//===- Avx512Int8Linear.h - Row-scaled int8 matmul, VNNI --------*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AVX512_AVX512INT8LINEAR_H
#define TERNC_BACKENDS_X86_AVX512_AVX512INT8LINEAR_H

#include <cstdint>

/// KernelAbi.h's linear_i8 with AVX-512 VNNI (the CPU must have it).
void avx512_linear_i8(const int8_t *q, const float *scales,
                      const int8_t *weights, const float *rowScales,
                      int64_t tokens, int64_t in, int64_t rows, float *y,
                      int64_t yStride);

#endif // TERNC_BACKENDS_X86_AVX512_AVX512INT8LINEAR_H
