//===- NeonKernels.cpp - The arm-neon backend's kernel table --------------===//

#include "backends/arm-neon/NeonKernels.h"

#include "backends/arm-neon/NeonMatmuls.h"
#include "backends/generic/GenericKernels.h"

namespace {

/// The generic table with the NEON matmuls put in (f16 matrices in groups
/// of kArmF16RowInterleave rows).
TernKernels makeNeonKernels() {
  TernKernels kernels = *ternGenericKernels();
  kernels.name = "arm-neon";
  kernels.bitlinear_i2s = neon_bitlinear_i2s;
  kernels.f16_row_interleave = kArmF16RowInterleave;
  kernels.linear_f16 = neon_linear_f16;
  kernels.embed_f16 = neon_embed_f16;
  return kernels;
}

} // namespace

const TernKernels *ternArmNeonKernels(void) {
  static const TernKernels kernels = makeNeonKernels();
  return &kernels;
}
