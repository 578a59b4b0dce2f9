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
#include "backends/x86-avx2/Avx2Q4Linear.h"
#include "backends/x86-avx2/Avx2RowOps.h"

namespace {

/// The generic table with the SIMD entries put in (f16 matrices in 8-row
/// groups, read by the AVX2 + F16C kernels).
TernKernels makeAvx2Kernels() {
  TernKernels kernels = *ternGenericKernels();
  kernels.name = "x86-avx2";
  kernels.quantize_rows_i8 = avx2_quantize_rows_i8;
  kernels.rms_norm_quantize_i8 = avx2_rms_norm_quantize_i8;
  kernels.rms_norm_f32 = avx2_rms_norm_f32;
  kernels.bitlinear_i2s = avx2_bitlinear_i2s;
  kernels.bitlinear_i2s_q8k = avx2_bitlinear_i2s_q8k;
  kernels.f16_row_interleave = kX86F16RowInterleave;
  kernels.linear_f16 = avx2_linear_f16;
  kernels.embed_f16 = avx2_embed_f16;
  kernels.linear_i8 = avx2_linear_i8;
  kernels.linear_q4 = avx2_linear_q4;
  kernels.attention_f16_cache = avx2_attention_f16_cache;
  kernels.add_f32 = avx2_add_f32;
  kernels.mul_f32 = avx2_mul_f32;
  kernels.relu2_f32 = avx2_relu2_f32;
  kernels.relu2_mul_f32 = avx2_relu2_mul_f32;
  return kernels;
}

} // namespace

const TernKernels *ternX86Avx2Kernels(void) {
  if (!(__builtin_cpu_supports("avx2")))
    return nullptr;
  static const TernKernels kernels = makeAvx2Kernels();
  return &kernels;
}
