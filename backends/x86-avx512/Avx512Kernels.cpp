//===- Avx512Kernels.cpp - The x86-avx512 backend's kernel table ----------===//
//
// Built without ISA flags: the CPU check runs before any AVX-512 code. The
// table is the x86-avx2 backend's (every AVX-512 CPU has AVX2) with the
// ternary, int8 and f16 matmuls and the f16-cache attention replaced (the
// f16 layout stays the x86-avx2 one).
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx512/Avx512Kernels.h"

#include "backends/x86-avx2/Avx2Kernels.h"
#include "backends/x86-avx512/Avx512Attention.h"
#include "backends/x86-avx512/Avx512BitLinear.h"
#include "backends/x86-avx512/Avx512Int8Linear.h"
#include "backends/x86-avx512/Avx512Linear.h"
#include "backends/x86-avx512/Avx512Q4Linear.h"

namespace {

TernKernels makeAvx512Kernels(const TernKernels &avx2) {
  TernKernels kernels = avx2;
  kernels.name = "x86-avx512";
  kernels.i2s_row_interleave = kAvx512I2SRowInterleave;
  kernels.bitlinear_i2s = avx512_bitlinear_i2s_interleaved;
  kernels.bitlinear_i2s_q8k = avx512_bitlinear_i2s_q8k_interleaved;
  kernels.linear_i8 = avx512_linear_i8;
  kernels.linear_q4 = avx512_linear_q4;
  kernels.linear_f16 = avx512_linear_f16;
  kernels.attention_f16_cache = avx512_attention_f16_cache;
  return kernels;
}

} // namespace

const TernKernels *ternX86Avx512Kernels(void) {
  const TernKernels *avx2 = ternX86Avx2Kernels();
  if (!avx2 || !__builtin_cpu_supports("avx512f") ||
      !__builtin_cpu_supports("avx512bw") ||
      !__builtin_cpu_supports("avx512vl") ||
      !__builtin_cpu_supports("avx512vnni"))
    return nullptr;
  static const TernKernels kernels = makeAvx512Kernels(*avx2);
  return &kernels;
}
