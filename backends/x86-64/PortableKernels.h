//===- PortableKernels.h - The portable x86-64 kernel table -----*- C++ -*-===//
//
// One table for every x86-64 CPU: at start-up the best of the x86-amx,
// x86-avx512, x86-avx2 and generic tables this CPU runs, each adapted to one
// weight layout (f16 matrices in 8-row groups, I2_S rows consecutive), so a
// binary compiled once runs everywhere. TERNC_KERNELS=<table> forces one.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_X86_64_PORTABLEKERNELS_H
#define TERNC_BACKENDS_X86_64_PORTABLEKERNELS_H

#include "backends/KernelAbi.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The table named by $TERNC_KERNELS (generic, x86-avx2, x86-avx512,
/// x86-amx), else the fastest one this CPU runs; named "x86-64". NULL (with
/// a message on stderr) when TERNC_KERNELS names an unknown table or one
/// this CPU cannot run.
const TernKernels *ternX86PortableKernels(void);

/// The portable variant of the table `name` (as TERNC_KERNELS names it), or
/// NULL when this CPU cannot run it or the name is unknown.
const TernKernels *ternX86PortableKernelsFor(const char *name);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // TERNC_BACKENDS_X86_64_PORTABLEKERNELS_H
