//===- Avx512Target.cpp - The x86-avx512 backend's compiler-side half -----===//

#include "backends/x86-avx512/Avx512Target.h"

#include "backends/x86-avx512/Avx512Kernels.h"

namespace ternc {

namespace {
/// The kernel accessor checks the CPU itself.
bool hostRunsAvx512() { return ternX86Avx512Kernels() != nullptr; }
} // namespace

BackendTarget x86Avx512Target() {
  BackendTarget target;
  target.name = "x86-avx512";
  target.description = "AVX-512 VNNI ternary matmul (vpdpbusd) on the I2_S "
                       "layout, for x86-64 from Ice Lake / Zen 4 on";
  target.triple = "x86_64-pc-linux-gnu";
  target.cpu = "x86-64-v4";
  target.features = "+avx512f,+avx512bw,+avx512vl,+avx512vnni";
  target.ternaryLayout = "i2_s";
  target.f16RowInterleave = 8;
  target.kernelsSymbol = "ternX86Avx512Kernels";
  target.kernelLibraries = {"TerncBackendX86Avx512", "TerncBackendX86Avx2",
                            "TerncBackendGeneric"};
  target.runsOnHost = hostRunsAvx512;
  return target;
}

} // namespace ternc
