//===- QuantizeLmHead.cpp - The LM head as row-scaled int8 or 4-bit -------===//

#include "compiler/transforms/Passes.h"

#include "backends/common/Q4Layout.h"
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
  using TernQuantizeLmHeadBase::TernQuantizeLmHeadBase;

  void runOnOperation() override {
    if (format != "int8" && format != "q4") {
      getOperation().emitError("tern-quantize-lm-head: unknown format '")
          << format << "' (int8 or q4)";
      return signalPassFailure();
    }
    const bool q4 = format == "q4";
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
      const int64_t columns =
          cast<RankedTensorType>(weight.getType()).getShape().back();
      if (q4 && (columns % ternc::backends::kQ4Group != 0 ||
                 columns > ternc::backends::kQ4MaxIn)) {
        weight.emitError("tensor '")
            << weight.getTensor() << "' has " << columns
            << " columns; a 4-bit LM head needs a multiple of "
            << ternc::backends::kQ4Group << " up to "
            << ternc::backends::kQ4MaxIn;
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
          matrix.getShape(), IntegerType::get(&getContext(), q4 ? 4 : 8),
          encoding));
      // The values are the tensor's, however the file stores them.
      weight.removeStorageAttr();
    });
  }
};

} // namespace
