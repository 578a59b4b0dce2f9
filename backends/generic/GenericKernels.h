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

/// The generic table reading f16 matrices (linear_f16, embed_f16) in groups
/// of `group` rows interleaved element by element, as the SIMD backends lay
/// them out, instead of row-major: the fallback of a binary whose weights
/// were packed for them (the portable x86-64 target). `group` 4 or 8; null
/// otherwise.
const TernKernels *genericKernelsWithF16RowGroups(int64_t group);
#endif

#endif // TERNC_BACKENDS_GENERIC_GENERICKERNELS_H
