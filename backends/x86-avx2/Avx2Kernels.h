//===- Avx2Kernels.h - The x86-avx2 backend's kernel table ------*- C++ -*-===//
//
// AVX2 kernels for x86-64 CPUs from Haswell on: the ternary matmul on the
// file's I2_S layout and the int8 one (vpmaddubsw), the f16 LM head and
// embedding on 8-row interleaved weights, f16-cache attention, int8
// activation quantization, RMSNorm (fused with it or not) and the add, mul,
// relu2 and relu2_mul elementwise ops; the other entries (the f32 matmul,
// the f32 and int8 embeddings, RoPE, f32-cache attention, SiLU) are the
// generic backend's. Every result is bit-identical to the reference.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_BACKENDS_X86_AVX2_AVX2KERNELS_H
#define TERNC_BACKENDS_X86_AVX2_AVX2KERNELS_H

#include "backends/KernelAbi.h"

#ifdef __cplusplus
extern "C" {
#endif

/// The x86-avx2 backend's kernels, or NULL when this CPU lacks AVX2.
const TernKernels *ternX86Avx2Kernels(void);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // TERNC_BACKENDS_X86_AVX2_AVX2KERNELS_H
