//===- DotprodKernels.cpp - The arm-dotprod backend's kernel table --------===//
//
// Built without +dotprod: the CPU check runs before any SDOT code.
//
//===----------------------------------------------------------------------===//

#include "backends/arm-dotprod/DotprodKernels.h"

#include "backends/arm-dotprod/DotprodMatmuls.h"
#include "backends/arm-neon/NeonKernels.h"

#include <asm/hwcap.h>
#include <sys/auxv.h>

namespace {

/// The arm-neon table with the ternary and int8 matmuls on SDOT.
TernKernels makeDotprodKernels() {
  TernKernels kernels = *ternArmNeonKernels();
  kernels.name = "arm-dotprod";
  kernels.bitlinear_i2s = dotprod_bitlinear_i2s;
  kernels.linear_i8 = dotprod_linear_i8;
  return kernels;
}

} // namespace

const TernKernels *ternArmDotprodKernels(void) {
  if (!(getauxval(AT_HWCAP) & HWCAP_ASIMDDP))
    return nullptr;
  static const TernKernels kernels = makeDotprodKernels();
  return &kernels;
}
