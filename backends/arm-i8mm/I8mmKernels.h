//===- I8mmKernels.h - The arm-i8mm backend's kernel table ------*- C++ -*-===//
//
// AArch64 with the int8 matrix multiply instructions (SMMLA, ARMv8.6's
// FEAT_I8MM: Neoverse V1/V2/N2, Cortex-A710 on, Apple M2 on): the
// arm-dotprod table with the ternary matmul of prompts (two tokens or more)
// on SMMLA. Built only for AArch64.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_ARM_I8MM_I8MMKERNELS_H
#define TERNC_BACKENDS_ARM_I8MM_I8MMKERNELS_H

#include "backends/KernelAbi.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The arm-i8mm kernels, or NULL when this CPU lacks FEAT_I8MM
/// (HWCAP2_I8MM) or FEAT_DotProd.
const TernKernels *ternArmI8mmKernels(void);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // TERNC_BACKENDS_ARM_I8MM_I8MMKERNELS_H
