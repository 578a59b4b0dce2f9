//===- Avx512Target.cpp - The x86-avx512 backend's compiler-side half -----===//

#include "backends/x86-avx512/Avx512Target.h"

#include "backends/x86-avx2/Avx2Target.h"
#include "backends/x86-avx512/Avx512BitLinear.h"
#include "backends/x86-avx512/Avx512Kernels.h"

namespace ternc {

BackendTarget x86Avx512Target() {
  // x86-avx2's machine, layouts and libraries, and its own on top.
  BackendTarget target = x86Avx2Target();
  target.name = "x86-avx512";
  target.description = "x86-avx2 with the I2_S ternary matmul on AVX-512 "
                       "VNNI (vpdpbusd); x86-64 from Ice Lake / Zen 4 on";
  target.cpu = "x86-64-v4";
  target.features = "+avx512f,+avx512bw,+avx512vl,+avx512vnni";
  target.ternaryRowInterleave = kAvx512I2SRowInterleave;
  target.kernelsSymbol = "ternX86Avx512Kernels";
  target.kernelLibraries.insert(target.kernelLibraries.begin(),
                                "TerncBackendX86Avx512");
  target.hostKernels = ternX86Avx512Kernels;
  return target;
}

} // namespace ternc
