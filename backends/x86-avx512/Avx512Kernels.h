//===- Avx512Kernels.h - The x86-avx512 backend's kernel table --*- C++ -*-===//
//
// AVX-512 kernels (F, BW, VL and VNNI) for x86-64 CPUs from Ice Lake and
// Zen 4 on: the ternary (on the file's I2_S layout) and int8 matmuls with
// vpdpbusd, the f16 LM head and f16-cache attention on 512-bit vectors;
// every other entry is the x86-avx2 backend's. Every result is
// bit-identical to the reference.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_X86_AVX512_AVX512KERNELS_H
#define TERNC_BACKENDS_X86_AVX512_AVX512KERNELS_H

#include "backends/KernelAbi.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The x86-avx512 backend's kernels, or NULL when this CPU lacks AVX-512
/// F/BW/VL/VNNI.
const TernKernels *ternX86Avx512Kernels(void);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // TERNC_BACKENDS_X86_AVX512_AVX512KERNELS_H
