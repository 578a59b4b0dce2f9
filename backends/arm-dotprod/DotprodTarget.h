//===- DotprodTarget.h - The arm-dotprod backend's compiler side -*- C++ -*-===//

#ifndef TERNC_BACKENDS_ARM_DOTPROD_DOTPRODTARGET_H
#define TERNC_BACKENDS_ARM_DOTPROD_DOTPRODTARGET_H

#include "backends/Target.h"

namespace ternc {

/// AArch64 Linux with FEAT_DotProd (ARMv8.2+). Cross-compiled from other
/// hosts, as arm-neon.
BackendTarget armDotprodTarget();

} // namespace ternc

#endif // TERNC_BACKENDS_ARM_DOTPROD_DOTPRODTARGET_H
