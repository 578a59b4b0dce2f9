//===- NeonKernels.h - The arm-neon backend's kernel table ------*- C++ -*-===//
//
// AArch64 Advanced SIMD (ARMv8.0, every AArch64 CPU): the decode-time
// matmuls in NEON, the rest from the generic table, all bit-exact with the
// reference. Built only for AArch64.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_ARM_NEON_NEONKERNELS_H
#define TERNC_BACKENDS_ARM_NEON_NEONKERNELS_H

#include "backends/KernelAbi.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The arm-neon kernels; never NULL on AArch64 (NEON is part of the base
/// architecture).
const TernKernels *ternArmNeonKernels(void);

#ifdef __cplusplus
} // extern "C"
#endif

/// Rows per interleaved group of the arm-neon f16 matrices: four rows' f16
/// values at one k fill a 64-bit load and two f64x2 sums.
#ifdef __cplusplus
inline constexpr int64_t kArmF16RowInterleave = 4;
#endif

#endif // TERNC_BACKENDS_ARM_NEON_NEONKERNELS_H
