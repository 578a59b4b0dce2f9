//===- Avx2Kernels.cpp - The x86-avx2 backend's kernel table --------------===//
//
// Built without ISA flags: the CPU check runs before any avx2 code.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx2/Avx2Kernels.h"

#include "backends/generic/GenericKernels.h"
#include "backends/x86-avx2/Avx2BitLinear.h"

namespace {

/// The generic table with the SIMD entries put in.
TernKernels makeAvx2Kernels() {
  TernKernels kernels = *ternGenericKernels();
  kernels.name = "x86-avx2";
  kernels.bitlinear_i2s = avx2_bitlinear_i2s;
  return kernels;
}

} // namespace

const TernKernels *ternX86Avx2Kernels(void) {
  if (!(__builtin_cpu_supports("avx2")))
    return nullptr;
  static const TernKernels kernels = makeAvx2Kernels();
  return &kernels;
}
