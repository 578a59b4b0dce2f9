//===- NeonKernels.cpp - The arm-neon backend's kernel table --------------===//

#include "backends/arm-neon/NeonKernels.h"

#include "backends/arm-neon/NeonMatmuls.h"
#include "backends/arm-neon/NeonRowOps.h"
#include "backends/generic/GenericKernels.h"

namespace {

/// The generic table with the NEON kernels put in (f16 matrices in groups
/// of kArmF16RowInterleave rows).
TernKernels makeNeonKernels() {
  TernKernels kernels = *ternGenericKernels();
  kernels.name = "arm-neon";
  kernels.quantize_rows_i8 = neon_quantize_rows_i8;
  kernels.rms_norm_quantize_i8 = neon_rms_norm_quantize_i8;
  kernels.rms_norm_f32 = neon_rms_norm_f32;
  kernels.bitlinear_i2s = neon_bitlinear_i2s;
  kernels.f16_row_interleave = kArmF16RowInterleave;
  kernels.linear_f16 = neon_linear_f16;
  kernels.embed_f16 = neon_embed_f16;
  kernels.linear_i8 = neon_linear_i8;
  kernels.add_f32 = neon_add_f32;
  kernels.mul_f32 = neon_mul_f32;
  kernels.relu2_f32 = neon_relu2_f32;
  kernels.relu2_mul_f32 = neon_relu2_mul_f32;
  return kernels;
}

} // namespace

const TernKernels *ternArmNeonKernels(void) {
  static const TernKernels kernels = makeNeonKernels();
  return &kernels;
}
