//===- FuseRMSNormBitLinear.cpp - One norm for the matmuls that read it ---===//

#include "compiler/transforms/Passes.h"

#include "compiler/transforms/FusionUtils.h"

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
    SmallVector<BitLinearOp> matmuls =
        matmulsReading(norm.getResult(), /*requireOnlyMatmuls=*/true);
    if (matmuls.empty() || matmuls.front()->getBlock() != norm->getBlock())
      return rewriter.notifyMatchFailure(norm, "a use is not a bitlinear");
    if (failed(
            replaceWithFusedMatmul(matmuls, rewriter, [&](ValueRange weights) {
              return rewriter.create<RMSNormBitLinearOp>(
                  norm.getLoc(), norm.getInput(), norm.getGamma(), weights,
                  norm.getEpsilonAttr(), matmuls.front().getActivationsAttr());
            })))
      return failure();
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
