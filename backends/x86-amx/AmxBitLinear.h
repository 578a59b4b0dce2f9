//===- AmxBitLinear.h - I2_S ternary matmul on AMX-INT8 ---------*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_AMX_AMXBITLINEAR_H
#define TERNC_BACKENDS_X86_AMX_AMXBITLINEAR_H

#include <cstdint>

/// Calls with at least this many tokens (prefill) run on AMX tiles; fewer
/// (decode) go to avx512_bitlinear_i2s.
inline constexpr int64_t kAmxMinTokens = 16;

/// KernelAbi.h's bitlinear_i2s on AMX-INT8 tiles (tdpbsud) for the 16x16
/// token x row blocks of the call, AVX-512 VNNI for the rest. The CPU must
/// have AMX-TILE, AMX-INT8 and AVX-512 F/BW/VL/VNNI, and the OS must have
/// granted this process XTILEDATA (ternX86AmxKernels() checks and asks).
void amx_bitlinear_i2s(const int8_t *q, const float *scales,
                       const uint8_t *weights, int64_t tokens, int64_t in,
                       int64_t rows, float weightScale, float *y,
                       int64_t yStride);

#endif // TERNC_BACKENDS_X86_AMX_AMXBITLINEAR_H
