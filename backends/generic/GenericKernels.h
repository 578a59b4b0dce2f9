//===- GenericKernels.h - The generic backend's kernel table ----*- C++ -*-===//
//
// Portable C++ kernels: no intrinsics, no dependency beyond libc/libstdc++.
// They follow compiler/reference/ReferenceOps operation by operation, so they
// reproduce it bit for bit on any host; the SIMD backends are tested against
// the same reference.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_GENERIC_GENERICKERNELS_H
#define TERNC_BACKENDS_GENERIC_GENERICKERNELS_H

#include "backends/KernelAbi.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The generic backend's kernels; never NULL (it runs on every CPU).
const TernKernels *ternGenericKernels(void);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // TERNC_BACKENDS_GENERIC_GENERICKERNELS_H
