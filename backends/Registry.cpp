//===- Registry.cpp - The one list of backends ----------------------------===//
//
// Adding a backend: a folder under backends/ with its kernels and a function
// returning its BackendTarget, and one line below. Order matters for
// --target=native: faster backends come later.
//
//===----------------------------------------------------------------------===//

#include "backends/Target.h"

#include "backends/arm-dotprod/DotprodTarget.h"
#include "backends/arm-i8mm/I8mmTarget.h"
#include "backends/arm-neon/NeonTarget.h"
#include "backends/generic/GenericTarget.h"
#if TERNC_X86_BACKENDS
#include "backends/x86-64/PortableTarget.h"
#include "backends/x86-amx/AmxTarget.h"
#include "backends/x86-avx2/Avx2Target.h"
#include "backends/x86-avx512/Avx512Target.h"
#endif

namespace ternc {

const std::vector<BackendTarget> &registeredTargets() {
  static const std::vector<BackendTarget> targets = {
    genericTarget(),
    armNeonTarget(),
    armDotprodTarget(),
    armI8mmTarget(),
#if TERNC_X86_BACKENDS
    // Before the specialised tables: --target=native picks one of those.
    x86PortableTarget(),
    x86Avx2Target(),
    x86Avx512Target(),
    x86AmxTarget(),
#endif
  };
  return targets;
}

const BackendTarget *findTarget(const std::string &name) {
  const BackendTarget *found = nullptr;
  for (const BackendTarget &target : registeredTargets())
    if (name == "native" ? target.hostKernels && target.hostKernels()
                         : target.name == name)
      found = &target;
  return found;
}

} // namespace ternc
