//===- DotprodKernels.h - The arm-dotprod backend's kernel table -*- C++ -*-===//
//
// AArch64 with the dot product instructions (SDOT/UDOT, ARMv8.2's
// FEAT_DotProd: Cortex-A76/A55 on, Neoverse N1 on, Apple M1 on): the
// arm-neon table with the ternary matmul on SDOT. Built only for AArch64.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_ARM_DOTPROD_DOTPRODKERNELS_H
#define TERNC_BACKENDS_ARM_DOTPROD_DOTPRODKERNELS_H

#include "backends/KernelAbi.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The arm-dotprod kernels, or NULL when this CPU lacks FEAT_DotProd
/// (HWCAP_ASIMDDP).
const TernKernels *ternArmDotprodKernels(void);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // TERNC_BACKENDS_ARM_DOTPROD_DOTPRODKERNELS_H
