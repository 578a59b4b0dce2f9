//===- PortableTarget.cpp - The portable x86-64 target --------------------===//

#include "backends/x86-64/PortableTarget.h"

#include "backends/x86-64/PortableKernels.h"
#include "backends/x86-avx2/Avx2Linear.h"

namespace ternc {

BackendTarget x86PortableTarget() {
  BackendTarget target;
  target.name = "x86-64";
  target.description = "any x86-64 CPU: baseline code with the generic, "
                       "AVX2, AVX-512 and AMX kernels inside, the fastest "
                       "this CPU runs chosen at start-up (TERNC_KERNELS=NAME "
                       "forces one)";
  target.triple = "x86_64-pc-linux-gnu";
  target.cpu = "x86-64";
  target.ternaryLayout = "i2_s";
  target.f16RowInterleave = kX86F16RowInterleave;
  target.kernelsSymbol = "ternX86PortableKernels";
  target.kernelLibraries = {"TerncBackendX86Portable", "TerncBackendX86Amx",
                            "TerncBackendX86Avx512", "TerncBackendX86Avx2",
                            "TerncBackendGeneric"};
  target.hostKernels = ternX86PortableKernels;
  return target;
}

} // namespace ternc
