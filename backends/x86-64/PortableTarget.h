//===- PortableTarget.h - The portable x86-64 target ------------*- C++ -*-===//

#ifndef TERNC_BACKENDS_X86_64_PORTABLETARGET_H
#define TERNC_BACKENDS_X86_64_PORTABLETARGET_H

#include "backends/Target.h"

namespace ternc {

/// Baseline x86-64 code carrying every x86 kernel table, the best chosen at
/// start-up (PortableKernels.h).
BackendTarget x86PortableTarget();

} // namespace ternc

#endif // TERNC_BACKENDS_X86_64_PORTABLETARGET_H
