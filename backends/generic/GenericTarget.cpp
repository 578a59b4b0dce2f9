//===- GenericTarget.cpp - The generic backend's compiler-side half -------===//

#include "backends/generic/GenericTarget.h"

#include "backends/generic/GenericKernels.h"

namespace ternc {

BackendTarget genericTarget() {
  BackendTarget target;
  target.name = "generic";
  target.description = "portable C++ kernels for the host CPU, bit-exact with "
                       "the reference (the baseline every backend is tested "
                       "against)";
  target.cpu = "generic";
  target.ternaryLayout = "i2_s";
  target.kernelsSymbol = "ternGenericKernels";
  target.kernelLibraries = {"TerncBackendGeneric"};
  target.hostKernels = ternGenericKernels;
  return target;
}

} // namespace ternc
