//===- FuseParallelBitLinear.cpp - One matmul for the weights of one input ===//

#include "compiler/transforms/Passes.h"

#include "compiler/transforms/FusionUtils.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tern {
#define GEN_PASS_DEF_TERNFUSEPARALLELBITLINEAR
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::tern

using namespace mlir;
using namespace mlir::tern;

namespace {

/// The first of several bitlinears reading one input -> one bitlinear over
/// all their weights.
struct MergeMatmulsOfOneInput : OpRewritePattern<BitLinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BitLinearOp matmul,
                                PatternRewriter &rewriter) const override {
    SmallVector<BitLinearOp> matmuls =
        matmulsReading(matmul.getInput(), /*requireOnlyMatmuls=*/false);
    if (matmuls.size() < 2 || matmuls.front() != matmul)
      return rewriter.notifyMatchFailure(matmul, "no later matmul shares it");
    return replaceWithFusedMatmul(matmuls, rewriter, [&](ValueRange weights) {
      return rewriter.create<BitLinearOp>(matmul.getLoc(), matmul.getInput(),
                                          weights,
                                          matmul.getActivationsAttr());
    });
  }
};

struct TernFuseParallelBitLinearPass
    : tern::impl::TernFuseParallelBitLinearBase<TernFuseParallelBitLinearPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MergeMatmulsOfOneInput>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
