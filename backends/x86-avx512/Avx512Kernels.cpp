//===- Avx512Kernels.cpp - The x86-avx512 backend's kernel table ----------===//
//
// Built without ISA flags: the CPU check runs before any avx512 code.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx512/Avx512Kernels.h"

#include "backends/generic/GenericKernels.h"
#include "backends/x86-avx512/Avx512BitLinear.h"
#include "backends/x86-avx2/Avx2Linear.h"

namespace {

/// The generic table with the SIMD entries put in (f16 matrices in 8-row
/// groups, read by the AVX2 + F16C kernels).
TernKernels makeAvx512Kernels() {
  TernKernels kernels = *ternGenericKernels();
  kernels.name = "x86-avx512";
  kernels.bitlinear_i2s = avx512_bitlinear_i2s;
  kernels.f16_row_interleave = kX86F16RowInterleave;
  kernels.linear_f16 = avx2_linear_f16;
  kernels.embed_f16 = avx2_embed_f16;
  return kernels;
}

} // namespace

const TernKernels *ternX86Avx512Kernels(void) {
  if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512vnni")))
    return nullptr;
  static const TernKernels kernels = makeAvx512Kernels();
  return &kernels;
}
