//===- NeonTarget.h - The arm-neon backend's compiler-side half -*- C++ -*-===//

#ifndef TERNC_BACKENDS_ARM_NEON_NEONTARGET_H
#define TERNC_BACKENDS_ARM_NEON_NEONTARGET_H

#include "backends/Target.h"

namespace ternc {

/// AArch64 Linux with NEON (ARMv8.0). Cross-compiled from other hosts: its
/// runtime and kernels come from the AArch64 build (lib/aarch64-linux-gnu).
BackendTarget armNeonTarget();

} // namespace ternc

#endif // TERNC_BACKENDS_ARM_NEON_NEONTARGET_H
