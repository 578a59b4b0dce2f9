//===- NeonTarget.cpp - The arm-neon backend's compiler-side half ---------===//

#include "backends/arm-neon/NeonTarget.h"

#include "backends/arm-neon/NeonKernels.h"

namespace ternc {

BackendTarget armNeonTarget() {
  BackendTarget target;
  target.name = "arm-neon";
  target.description = "AArch64 Linux, NEON (ARMv8.0: every AArch64 CPU): "
                       "I2_S ternary matmul (vmull_s8), f16 LM head on "
                       "4-row groups";
  target.triple = "aarch64-unknown-linux-gnu";
  target.cpu = "generic";
  target.features = "+neon";
  target.ternaryLayout = "i2_s";
  target.f16RowInterleave = kArmF16RowInterleave;
  target.kernelsSymbol = "ternArmNeonKernels";
  target.kernelLibraries = {"TerncBackendArmNeon", "TerncBackendGeneric"};
  target.libraryDirectory = "aarch64-linux-gnu";
#if TERNC_ARM_BACKENDS
  target.hostKernels = ternArmNeonKernels;
#endif
  return target;
}

} // namespace ternc
