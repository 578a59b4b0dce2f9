//===- AmxTarget.cpp - The x86-amx backend's compiler-side half -----------===//

#include "backends/x86-amx/AmxTarget.h"

#include "backends/x86-amx/AmxKernels.h"
#include "backends/x86-avx512/Avx512Target.h"

namespace ternc {

BackendTarget x86AmxTarget() {
  // x86-avx512's machine, layouts and libraries, and its own on top. The
  // generated code itself uses no AMX: only the kernels do.
  BackendTarget target = x86Avx512Target();
  target.name = "x86-amx";
  target.description = "x86-avx512 with the I2_S ternary matmul of prefill "
                       "(16+ tokens) on AMX-INT8 tiles (tdpbsud); x86-64 "
                       "from Sapphire Rapids on";
  target.ternaryRowInterleave = 1;
  target.kernelsSymbol = "ternX86AmxKernels";
  target.kernelLibraries.insert(target.kernelLibraries.begin(),
                                "TerncBackendX86Amx");
  target.hostKernels = ternX86AmxKernels;
  return target;
}

} // namespace ternc
