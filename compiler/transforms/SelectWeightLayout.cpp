//===- SelectWeightLayout.cpp - Weights in the backend's storage ----------===//

#include "compiler/transforms/Passes.h"

#include "dialects/Tern/IR/TernOps.h"

namespace mlir::tern {
#define GEN_PASS_DEF_TERNSELECTWEIGHTLAYOUT
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::tern

using namespace mlir;
using namespace mlir::tern;

namespace {

struct TernSelectWeightLayoutPass
    : tern::impl::TernSelectWeightLayoutBase<TernSelectWeightLayoutPass> {
  using TernSelectWeightLayoutBase::TernSelectWeightLayoutBase;

  void runOnOperation() override {
    if (f16RowInterleave < 1) {
      getOperation().emitError("tern-select-weight-layout: f16-row-interleave ")
          << static_cast<int64_t>(f16RowInterleave) << " must be at least 1";
      return signalPassFailure();
    }
    std::optional<TernaryStorage> storage = symbolizeTernaryStorage(layout);
    if (!storage) {
      getOperation().emitError("tern-select-weight-layout: unknown layout '")
          << layout << "'";
      return signalPassFailure();
    }
    WalkResult result = getOperation().walk([&](WeightOp weight) {
      Value value = weight.getResult();
      if (auto ternary = dyn_cast<TernaryType>(value.getType())) {
        value.setType(TernaryType::get(&getContext(), ternary.getShape(),
                                       *storage, ternary.getScale()));
        return WalkResult::advance();
      }
      auto matrix = cast<RankedTensorType>(value.getType());
      if (matrix.getElementType().isBF16()) {
        weight.emitError("weight '")
            << weight.getTensor()
            << "' is bf16, which no kernel reads (the kernel ABI has f16 "
               "and f32 matmuls and embeddings)";
        return WalkResult::interrupt();
      }
      // The packer writes the values in the element type itself.
      weight.removeStorageAttr();
      if (matrix.getElementType().isF16() && f16RowInterleave > 1)
        weight->setAttr(tern::kRowInterleaveAttr,
                        IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                         f16RowInterleave));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
