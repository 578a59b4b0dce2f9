//===- FuseRMSNormBitLinear.cpp - One norm for the matmuls that read it ---===//

#include "compiler/transforms/Passes.h"

#include "dialects/Tern/IR/TernOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/STLExtras.h"

namespace mlir::tern {
#define GEN_PASS_DEF_TERNFUSERMSNORMBITLINEAR
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::tern

using namespace mlir;
using namespace mlir::tern;

namespace {

/// rms_norm whose every use is a bitlinear's input -> one
/// rms_norm_bitlinear with all their weights.
struct FuseNormIntoMatmuls : OpRewritePattern<RMSNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RMSNormOp norm,
                                PatternRewriter &rewriter) const override {
    SmallVector<BitLinearOp> matmuls;
    for (OpOperand &use : norm->getUses()) {
      auto matmul = dyn_cast<BitLinearOp>(use.getOwner());
      if (!matmul || use.get() != matmul.getInput() ||
          matmul->getBlock() != norm->getBlock())
        return rewriter.notifyMatchFailure(norm, "a use is not a bitlinear");
      matmuls.push_back(matmul);
    }
    if (matmuls.empty())
      return rewriter.notifyMatchFailure(norm, "no uses");
    llvm::sort(matmuls, [](BitLinearOp a, BitLinearOp b) {
      return a->isBeforeInBlock(b);
    });
    // The fused op takes the first matmul's place; later matmuls' weights
    // (operand-free tern.weight ops) move up so that they dominate it.
    Operation *first = matmuls.front();
    SmallVector<Value> weights;
    for (BitLinearOp matmul : matmuls) {
      Operation *weight = matmul.getWeight().getDefiningOp();
      if (!weight || weight->getNumOperands() != 0)
        return rewriter.notifyMatchFailure(norm, "a weight has operands");
      if (weight->getBlock() == first->getBlock() &&
          first->isBeforeInBlock(weight))
        rewriter.moveOpBefore(weight, first);
      weights.push_back(matmul.getWeight());
    }
    rewriter.setInsertionPoint(first);
    auto fused = rewriter.create<RMSNormBitLinearOp>(
        norm.getLoc(), norm.getInput(), norm.getGamma(), weights,
        norm.getEpsilonAttr());
    for (auto [matmul, result] : llvm::zip(matmuls, fused.getResults()))
      rewriter.replaceOp(matmul, result);
    rewriter.eraseOp(norm);
    return success();
  }
};

struct TernFuseRMSNormBitLinearPass
    : tern::impl::TernFuseRMSNormBitLinearBase<TernFuseRMSNormBitLinearPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseNormIntoMatmuls>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
