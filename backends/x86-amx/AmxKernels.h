//===- AmxKernels.h - The x86-amx backend's kernel table --------*- C++ -*-===//
//
// The x86-avx512 backend with the I2_S ternary matmul of prefill (calls of
// 16 tokens and more) on AMX-INT8 tiles, for x86-64 CPUs from Sapphire
// Rapids on. Every result is bit-identical to the reference.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_X86_AMX_AMXKERNELS_H
#define TERNC_BACKENDS_X86_AMX_AMXKERNELS_H

#include "backends/KernelAbi.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The x86-amx backend's kernels, or NULL when this CPU lacks AMX-TILE,
/// AMX-INT8 or the x86-avx512 backend's ISA, or the OS refuses this process
/// the AMX tile data state. The first call asks the OS for it (Linux
/// arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), for the whole
/// process), so call it before the kernels run on any thread.
const TernKernels *ternX86AmxKernels(void);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // TERNC_BACKENDS_X86_AMX_AMXKERNELS_H
