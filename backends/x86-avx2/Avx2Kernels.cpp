//===- Avx2Kernels.cpp - The x86-avx2 backend's kernel table --------------===//
//
// Built without ISA flags: the CPU check runs before any avx2 code.
//
//===----------------------------------------------------------------------===//

#include "backends/x86-avx2/Avx2Kernels.h"

#include "backends/generic/GenericKernels.h"
#include "backends/x86-avx2/Avx2Attention.h"
#include "backends/x86-avx2/Avx2BitLinear.h"
#include "backends/x86-avx2/Avx2Int8Linear.h"
#include "backends/x86-avx2/Avx2Linear.h"

namespace {

/// The generic table with the SIMD entries put in (f16 matrices in 8-row
/// groups, read by the AVX2 + F16C kernels).
TernKernels makeAvx2Kernels() {
  TernKernels kernels = *ternGenericKernels();
  kernels.name = "x86-avx2";
  kernels.bitlinear_i2s = avx2_bitlinear_i2s;
  kernels.f16_row_interleave = kX86F16RowInterleave;
  kernels.linear_f16 = avx2_linear_f16;
  kernels.embed_f16 = avx2_embed_f16;
  kernels.linear_i8 = avx2_linear_i8;
  kernels.attention_f16_cache = avx2_attention_f16_cache;
  return kernels;
}

} // namespace

const TernKernels *ternX86Avx2Kernels(void) {
  if (!(__builtin_cpu_supports("avx2")))
    return nullptr;
  static const TernKernels kernels = makeAvx2Kernels();
  return &kernels;
}
