//===- QuantizeLmHead.cpp - The LM head as row-scaled int8 ----------------===//

#include "compiler/transforms/Passes.h"

#include "dialects/Tern/IR/TernOps.h"

#include "llvm/ADT/StringSet.h"

namespace mlir::tern {
#define GEN_PASS_DEF_TERNQUANTIZELMHEAD
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::tern

using namespace mlir;
using namespace mlir::tern;

namespace {

struct TernQuantizeLmHeadPass
    : tern::impl::TernQuantizeLmHeadBase<TernQuantizeLmHeadPass> {
  void runOnOperation() override {
    // Tensors, not values: @decode and @prefill each have their weight ops,
    // and every op naming the tensor must agree on its type.
    llvm::StringSet<> heads;
    WalkResult found = getOperation().walk([&](LinearOp matmul) {
      auto weight = matmul.getWeight().getDefiningOp<WeightOp>();
      if (!weight) {
        matmul.emitError("the weight of a tern.linear must be a tern.weight "
                         "to be quantized");
        return WalkResult::interrupt();
      }
      heads.insert(weight.getTensor());
      return WalkResult::advance();
    });
    if (found.wasInterrupted())
      return signalPassFailure();
    auto encoding = RowScaledAttr::get(&getContext());
    getOperation().walk([&](WeightOp weight) {
      if (!heads.contains(weight.getTensor()))
        return;
      auto matrix = cast<RankedTensorType>(weight.getType());
      weight.getResult().setType(RankedTensorType::get(
          matrix.getShape(), IntegerType::get(&getContext(), 8), encoding));
      // The values are the tensor's, however the file stores them.
      weight.removeStorageAttr();
    });
  }
};

} // namespace
