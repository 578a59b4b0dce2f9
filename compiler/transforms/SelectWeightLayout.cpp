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
    for (auto [flag, value] :
         {std::pair{"f16-row-interleave", int64_t(f16RowInterleave)},
          std::pair{"ternary-row-interleave", int64_t(ternaryRowInterleave)}})
      if (value < 1) {
        getOperation().emitError("tern-select-weight-layout: ")
            << flag << " " << value << " must be at least 1";
        return signalPassFailure();
      }
    std::optional<TernaryStorage> storage = symbolizeTernaryStorage(layout);
    if (!storage) {
      getOperation().emitError("tern-select-weight-layout: unknown layout '")
          << layout << "'";
      return signalPassFailure();
    }
    if (ternaryRowInterleave > 1 && *storage != TernaryStorage::I2_S) {
      getOperation().emitError("tern-select-weight-layout: ")
          << "ternary-row-interleave applies to the i2_s layout only, not '"
          << layout << "'";
      return signalPassFailure();
    }
    auto interleaveAttr = [&](int64_t group) {
      return IntegerAttr::get(IntegerType::get(&getContext(), 64), group);
    };
    WalkResult result = getOperation().walk([&](WeightOp weight) {
      Value value = weight.getResult();
      if (auto ternary = dyn_cast<TernaryType>(value.getType())) {
        value.setType(TernaryType::get(&getContext(), ternary.getShape(),
                                       *storage,
                                       ternary.getTernaryEncoding().getScale()));
        if (ternaryRowInterleave > 1)
          weight->setAttr(tern::kRowInterleaveAttr,
                          interleaveAttr(ternaryRowInterleave));
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
                        interleaveAttr(f16RowInterleave));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
