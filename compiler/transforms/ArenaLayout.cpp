//===- ArenaLayout.cpp - How ops lay out their arena scratch --------------===//

#include "compiler/transforms/ArenaLayout.h"

#include "dialects/Tern/IR/TernOps.h"

namespace mlir::tern {

QuantizedRowsScratch quantizedRowsScratch(Operation *op) {
  constexpr int64_t kCacheLine = 64;
  Value input;
  auto activations = ActivationQuant::PerToken;
  if (auto matmul = dyn_cast<BitLinearOp>(op)) {
    input = matmul.getInput();
    activations = matmul.getActivations();
  } else if (auto fused = dyn_cast<RMSNormBitLinearOp>(op)) {
    input = fused.getInput();
    activations = fused.getActivations();
  }
  else if (auto linear = dyn_cast<LinearOp>(op);
           linear && isRowScaled(linear.getWeight().getType()))
    input = linear.getInput();
  else
    return {};
  auto type = cast<RankedTensorType>(input.getType());
  const int64_t tokens = type.getDimSize(0), features = type.getDimSize(1);
  QuantizedRowsScratch scratch;
  scratch.scalesOffset = alignUp(tokens * features, kCacheLine);
  // One scale per token, or per block of 256 for Q8_K.
  const int64_t scales =
      activations == ActivationQuant::Q8K ? tokens * features / 256 : tokens;
  scratch.bytes =
      scratch.scalesOffset + scales * static_cast<int64_t>(sizeof(float));
  return scratch;
}

} // namespace mlir::tern
