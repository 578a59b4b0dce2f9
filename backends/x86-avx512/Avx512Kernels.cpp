//===- Avx512Kernels.cpp - The x86-avx512 backend's kernel table ----------===//
//
// Built without ISA flags: the CPU check runs before any avx512 code.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx512/Avx512Kernels.h"

#include "backends/generic/GenericKernels.h"
#include "backends/x86-avx512/Avx512BitLinear.h"

namespace {

/// The generic table with the SIMD entries put in.
TernKernels makeAvx512Kernels() {
  TernKernels kernels = *ternGenericKernels();
  kernels.name = "x86-avx512";
  kernels.bitlinear_i2s = avx512_bitlinear_i2s;
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
