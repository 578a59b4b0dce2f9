//===- I8mmTarget.cpp - The arm-i8mm backend's compiler side --------------===//

#include "backends/arm-i8mm/I8mmTarget.h"

#include "backends/arm-dotprod/DotprodTarget.h"
#include "backends/arm-i8mm/I8mmKernels.h"

namespace ternc {

BackendTarget armI8mmTarget() {
  BackendTarget target = armDotprodTarget();
  target.name = "arm-i8mm";
  target.description = "arm-dotprod with the I2_S ternary matmul of prompts "
                       "on SMMLA (ARMv8.6 int8 matrix multiply: Neoverse "
                       "V1/N2, Cortex-A710, Apple M2 on)";
  target.features = "+neon,+dotprod,+i8mm";
  target.kernelsSymbol = "ternArmI8mmKernels";
  target.kernelLibraries = {"TerncBackendArmI8mm", "TerncBackendArmDotprod",
                            "TerncBackendArmNeon", "TerncBackendGeneric"};
#if TERNC_ARM_BACKENDS
  target.hostKernels = ternArmI8mmKernels;
#endif
  return target;
}

} // namespace ternc
