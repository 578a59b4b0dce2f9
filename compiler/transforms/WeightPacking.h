//===- WeightPacking.h - What the packed model file holds per weight -*- C++ -*-===//
//
// The one description of the packed model file's tensors that both
// tern-plan-weights (which lays them out and records their offsets in the
// IR) and the packer (which produces their bytes and checks them against
// that plan) read: each tern.weight's type after tern-select-weight-layout
// says which GGUF tensors hold it and in which encoding.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_TRANSFORMS_WEIGHTPACKING_H
#define TERNC_COMPILER_TRANSFORMS_WEIGHTPACKING_H

#include "dialects/Tern/IR/TernOps.h"
#include "runtime/gguf/TensorType.h"

#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::tern {

/// Byte alignment of each packed tensor, from the start of the packed
/// file's tensor data: tern-plan-weights' default and the packer's.
inline constexpr int64_t kDefaultWeightAlignment = 64;

/// One tensor of the packed model file.
struct PackedTensorSpec {
  std::string name;
  ternc::gguf::TensorType type;
  /// Dimensions, ne[0] innermost (the IR shape reversed).
  std::vector<uint64_t> ne;
  /// Bytes of its data (before alignment padding).
  uint64_t bytes = 0;
};

/// The name of the packed tensor holding the row scales of the
/// #tern.row_scaled weight `tensor`.
std::string rowScalesTensorName(StringRef tensor);

/// The packed tensors of `weight` (after tern-select-weight-layout), in
/// file order: a ternary weight in its storage (its trits in the layout's
/// codes, the per-tensor scale in the type); a #tern.row_scaled weight as
/// I8 rows of its row bytes (in for int8, backends/common/Q4Layout.h's
/// q4RowBytes for 4-bit) then its F32 row scales (rowScalesTensorName); an
/// f16 matrix as F16; anything else as F32. A ternary or f16 matrix with
/// tern.row_interleave = N is padded to whole groups of N rows. Emits an error on `weight` and fails for a
/// ternary storage with no packed form or a size that overflows.
FailureOr<SmallVector<PackedTensorSpec, 2>> packedTensorsOf(WeightOp weight);

} // namespace mlir::tern

#endif // TERNC_COMPILER_TRANSFORMS_WEIGHTPACKING_H
