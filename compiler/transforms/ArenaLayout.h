//===- ArenaLayout.h - How ops lay out their arena scratch ------*- C++ -*-===//
//
// tern-plan-memory reserves scratch for the ops that quantize activations
// before an int8 or ternary matmul, and tern-lower-to-kernels places the int8
// rows and their scales in it; both read the layout from here.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_TRANSFORMS_ARENALAYOUT_H
#define TERNC_COMPILER_TRANSFORMS_ARENALAYOUT_H

#include "mlir/IR/Operation.h"

#include <cstdint>

namespace mlir::tern {

/// `value` rounded up to a multiple of `alignment` (a power of two).
inline int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// Scratch of an op that quantizes `tokens` rows of `features` activations:
/// the int8 rows at offset 0, then the f32 scales (one per token, or per
/// block of 256 for Q8_K activations) at the next cache line.
struct QuantizedRowsScratch {
  int64_t scalesOffset = 0;
  int64_t bytes = 0;
};

/// The quantization scratch `op` needs (bytes == 0 for ops that need none:
/// all but tern.bitlinear, tern.rms_norm_bitlinear and tern.linear with a
/// #tern.row_scaled weight).
QuantizedRowsScratch quantizedRowsScratch(Operation *op);

} // namespace mlir::tern

#endif // TERNC_COMPILER_TRANSFORMS_ARENALAYOUT_H
