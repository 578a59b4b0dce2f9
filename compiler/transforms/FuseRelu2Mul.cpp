//===- FuseRelu2Mul.cpp - tern.mul(tern.relu2(g), u) -> tern.relu2_mul ----===//

#include "compiler/transforms/Passes.h"

#include "dialects/Tern/IR/TernOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tern {
#define GEN_PASS_DEF_TERNFUSERELU2MUL
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::tern

using namespace mlir;
using namespace mlir::tern;

namespace {

/// mul(relu2(gate), up) or mul(up, relu2(gate)) -> relu2_mul(gate, up).
struct FuseRelu2IntoMul : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [gated, up] : {std::pair(mul.getLhs(), mul.getRhs()),
                             std::pair(mul.getRhs(), mul.getLhs())}) {
      auto relu2 = gated.getDefiningOp<Relu2Op>();
      if (!relu2 || !relu2->hasOneUse())
        continue;
      rewriter.replaceOpWithNewOp<Relu2MulOp>(mul, relu2.getInput(), up);
      rewriter.eraseOp(relu2);
      return success();
    }
    return rewriter.notifyMatchFailure(mul, "no single-use relu2 operand");
  }
};

struct TernFuseRelu2MulPass
    : tern::impl::TernFuseRelu2MulBase<TernFuseRelu2MulPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseRelu2IntoMul>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
