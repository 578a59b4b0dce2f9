//===- DotprodKernels.cpp - The arm-dotprod backend's kernel table --------===//
//
// Built without +dotprod: the CPU check runs before any SDOT code.
//
//===----------------------------------------------------------------------===//

#include "backends/arm-dotprod/DotprodKernels.h"

#include "backends/arm-dotprod/DotprodBitLinear.h"
#include "backends/arm-neon/NeonKernels.h"

#include <asm/hwcap.h>
#include <sys/auxv.h>

namespace {

/// The arm-neon table with the ternary matmul on SDOT.
TernKernels makeDotprodKernels() {
  TernKernels kernels = *ternArmNeonKernels();
  kernels.name = "arm-dotprod";
  kernels.bitlinear_i2s = dotprod_bitlinear_i2s;
  return kernels;
}

} // namespace

const TernKernels *ternArmDotprodKernels(void) {
  if (!(getauxval(AT_HWCAP) & HWCAP_ASIMDDP))
    return nullptr;
  static const TernKernels kernels = makeDotprodKernels();
  return &kernels;
}
