//===- GenericTarget.h - The generic backend's compiler-side half -*- C++ -*-===//

#ifndef TERNC_BACKENDS_GENERIC_GENERICTARGET_H
#define TERNC_BACKENDS_GENERIC_GENERICTARGET_H

#include "backends/Target.h"

namespace ternc {

/// Portable kernels on the file's I2_S layout, for the host.
BackendTarget genericTarget();

} // namespace ternc

#endif // TERNC_BACKENDS_GENERIC_GENERICTARGET_H
