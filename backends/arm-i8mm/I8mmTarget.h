//===- I8mmTarget.h - The arm-i8mm backend's compiler side ------*- C++ -*-===//

#ifndef TERNC_BACKENDS_ARM_I8MM_I8MMTARGET_H
#define TERNC_BACKENDS_ARM_I8MM_I8MMTARGET_H

#include "backends/Target.h"

namespace ternc {

/// AArch64 Linux with FEAT_I8MM and FEAT_DotProd (ARMv8.6+). Cross-compiled
/// from other hosts, as arm-neon.
BackendTarget armI8mmTarget();

} // namespace ternc

#endif // TERNC_BACKENDS_ARM_I8MM_I8MMTARGET_H
