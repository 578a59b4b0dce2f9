//===- FusionUtils.cpp - Helpers shared by the fusion passes --------------===//

#include "compiler/transforms/FusionUtils.h"

namespace mlir::tern {

SmallVector<BitLinearOp> matmulsReading(Value input, bool requireOnlyMatmuls) {
  SmallVector<BitLinearOp> matmuls;
  Block *block = nullptr;
  for (OpOperand &use : input.getUses()) {
    auto matmul = dyn_cast<BitLinearOp>(use.getOwner());
    if (!matmul || use.get() != matmul.getInput()) {
      if (requireOnlyMatmuls)
        return {};
      continue;
    }
    if (block && matmul->getBlock() != block)
      return {};
    // One quantization of the input must serve every fused matmul.
    if (!matmuls.empty() &&
        matmul.getActivations() != matmuls.front().getActivations())
      return {};
    block = matmul->getBlock();
    if (!llvm::is_contained(matmuls, matmul))
      matmuls.push_back(matmul);
  }
  llvm::sort(matmuls, [](BitLinearOp a, BitLinearOp b) {
    return a->isBeforeInBlock(b);
  });
  return matmuls;
}

LogicalResult
replaceWithFusedMatmul(ArrayRef<BitLinearOp> matmuls, PatternRewriter &rewriter,
                       function_ref<Operation *(ValueRange weights)> create) {
  Operation *first = matmuls.front();
  SmallVector<Value> weights;
  for (BitLinearOp matmul : matmuls)
    for (Value weight : matmul.getWeights()) {
      Operation *definition = weight.getDefiningOp();
      if (!definition || definition->getNumOperands() != 0)
        return rewriter.notifyMatchFailure(first, "a weight has operands");
      weights.push_back(weight);
    }
  for (Value weight : weights) {
    Operation *definition = weight.getDefiningOp();
    if (definition->getBlock() == first->getBlock() &&
        first->isBeforeInBlock(definition))
      rewriter.moveOpBefore(definition, first);
  }
  rewriter.setInsertionPoint(first);
  Operation *fused = create(weights);
  ResultRange results = fused->getResults();
  for (BitLinearOp matmul : matmuls) {
    rewriter.replaceOp(matmul, results.take_front(matmul.getNumResults()));
    results = results.drop_front(matmul.getNumResults());
  }
  return success();
}

} // namespace mlir::tern
