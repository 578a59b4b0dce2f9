//===- FusionUtils.h - Helpers shared by the fusion passes ------*- C++ -*-===//

#ifndef TERNC_COMPILER_TRANSFORMS_FUSIONUTILS_H
#define TERNC_COMPILER_TRANSFORMS_FUSIONUTILS_H

#include "dialects/Tern/IR/TernOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::tern {

/// The ternary matmuls (`tern.bitlinear`) that read `input` as their input,
/// in block order; empty when any of them lives in another block than
/// `input`'s other users, when they quantize their activations differently,
/// or when some other op also reads `input` and `requireOnlyMatmuls` is set.
SmallVector<BitLinearOp> matmulsReading(Value input, bool requireOnlyMatmuls);

/// Replaces `matmuls` (in block order) with one op that `create` builds at
/// the first matmul's place from all their weights, in order, and whose
/// results replace theirs in the same order. The operand-free ops defining
/// later matmuls' weights move up so that they dominate the new op; fails
/// (changing nothing) when a weight has operands.
LogicalResult
replaceWithFusedMatmul(ArrayRef<BitLinearOp> matmuls, PatternRewriter &rewriter,
                       function_ref<Operation *(ValueRange weights)> create);

} // namespace mlir::tern

#endif // TERNC_COMPILER_TRANSFORMS_FUSIONUTILS_H
