//===- Avx2Target.cpp - The x86-avx2 backend's compiler-side half ---------===//

#include "backends/x86-avx2/Avx2Target.h"

#include "backends/x86-avx2/Avx2Kernels.h"
#include "backends/x86-avx2/Avx2Linear.h"

namespace ternc {

BackendTarget x86Avx2Target() {
  BackendTarget target;
  target.name = "x86-avx2";
  target.description = "AVX2 + F16C: I2_S ternary matmul (vpmaddubsw), f16 "
                       "LM head on 8-row groups; x86-64 from Haswell on";
  target.triple = "x86_64-pc-linux-gnu";
  target.cpu = "x86-64-v3";
  target.features = "+avx2,+fma,+f16c";
  target.ternaryLayout = "i2_s";
  target.f16RowInterleave = kX86F16RowInterleave;
  target.kernelsSymbol = "ternX86Avx2Kernels";
  target.kernelLibraries = {"TerncBackendX86Avx2", "TerncBackendGeneric"};
  target.hostKernels = ternX86Avx2Kernels;
  return target;
}

} // namespace ternc
