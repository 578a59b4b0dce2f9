//===- FuseGatedMul.cpp - tern.mul(gate activation, up) -> one op --------===//

#include "compiler/transforms/Passes.h"

#include "dialects/Tern/IR/TernOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tern {
#define GEN_PASS_DEF_TERNFUSEGATEDMUL
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::tern

using namespace mlir;
using namespace mlir::tern;

namespace {

/// mul(Activation(gate), up) or mul(up, Activation(gate)) ->
/// Fused(gate, up), when the activation has no other use.
template <typename Activation, typename Fused>
struct FuseActivationIntoMul : OpRewritePattern<MulOp> {
  using OpRewritePattern<MulOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (auto [gated, up] : {std::pair(mul.getLhs(), mul.getRhs()),
                             std::pair(mul.getRhs(), mul.getLhs())}) {
      auto activation = gated.template getDefiningOp<Activation>();
      if (!activation || !activation->hasOneUse())
        continue;
      rewriter.replaceOpWithNewOp<Fused>(mul, activation.getInput(), up);
      rewriter.eraseOp(activation);
      return success();
    }
    return rewriter.notifyMatchFailure(mul, "no single-use gate activation");
  }
};

struct TernFuseGatedMulPass
    : tern::impl::TernFuseGatedMulBase<TernFuseGatedMulPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseActivationIntoMul<Relu2Op, Relu2MulOp>,
                 FuseActivationIntoMul<SiluOp, SiluMulOp>>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(),
                                            std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
