//===- I8mmKernels.cpp - The arm-i8mm backend's kernel table --------------===//
//
// Built without +i8mm: the CPU check runs before any SMMLA code.
//
//===----------------------------------------------------------------------===//

#include "backends/arm-i8mm/I8mmKernels.h"

#include "backends/arm-dotprod/DotprodKernels.h"
#include "backends/arm-i8mm/I8mmBitLinear.h"

#include <asm/hwcap.h>
#include <sys/auxv.h>

namespace {

/// The arm-dotprod table with the ternary matmul on SMMLA.
TernKernels makeI8mmKernels(const TernKernels &dotprod) {
  TernKernels kernels = dotprod;
  kernels.name = "arm-i8mm";
  kernels.bitlinear_i2s = i8mm_bitlinear_i2s;
  return kernels;
}

} // namespace

const TernKernels *ternArmI8mmKernels(void) {
  const TernKernels *dotprod = ternArmDotprodKernels();
  if (!dotprod || !(getauxval(AT_HWCAP2) & HWCAP2_I8MM))
    return nullptr;
  static const TernKernels kernels = makeI8mmKernels(*dotprod);
  return &kernels;
}
