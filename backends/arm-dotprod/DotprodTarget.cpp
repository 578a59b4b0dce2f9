//===- DotprodTarget.cpp - The arm-dotprod backend's compiler side --------===//

#include "backends/arm-dotprod/DotprodTarget.h"

#include "backends/arm-dotprod/DotprodKernels.h"
#include "backends/arm-neon/NeonTarget.h"

namespace ternc {

BackendTarget armDotprodTarget() {
  BackendTarget target = armNeonTarget();
  target.name = "arm-dotprod";
  target.description = "arm-neon with the I2_S ternary matmul on SDOT "
                       "(ARMv8.2 dot product: Cortex-A76, Neoverse N1, "
                       "Apple M1 on)";
  target.features = "+neon,+dotprod";
  target.kernelsSymbol = "ternArmDotprodKernels";
  target.kernelLibraries = {"TerncBackendArmDotprod", "TerncBackendArmNeon",
                            "TerncBackendGeneric"};
#if TERNC_ARM_BACKENDS
  target.hostKernels = ternArmDotprodKernels;
#endif
  return target;
}

} // namespace ternc
