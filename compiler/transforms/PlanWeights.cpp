//===- PlanWeights.cpp - The packed weights' layout, in the IR ------------===//

#include "compiler/transforms/Passes.h"

#include "compiler/transforms/WeightPacking.h"
#include "dialects/Tern/IR/TernOps.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::tern {
#define GEN_PASS_DEF_TERNPLANWEIGHTS
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::tern

using namespace mlir;
using namespace mlir::tern;

namespace {

/// The form in which a tensor was first planned: later uses must agree.
struct PlannedWeight {
  WeightOp first;
  IntegerAttr offset;
  IntegerAttr rowScalesOffset;
};

struct TernPlanWeightsPass
    : tern::impl::TernPlanWeightsBase<TernPlanWeightsPass> {
  using TernPlanWeightsBase::TernPlanWeightsBase;

  void runOnOperation() override {
    if (alignment < 1 || !llvm::isPowerOf2_64(static_cast<uint64_t>(alignment))) {
      getOperation().emitError("tern-plan-weights: alignment ")
          << static_cast<int64_t>(alignment) << " is not a power of two";
      return signalPassFailure();
    }
    Builder builder(&getContext());
    llvm::StringMap<PlannedWeight> planned;
    uint64_t end = 0;
    WalkResult result = getOperation().walk([&](WeightOp weight) {
      auto [entry, isNew] = planned.try_emplace(weight.getTensor());
      if (!isNew) {
        WeightOp first = entry->second.first;
        if (first.getType() != weight.getType() ||
            first->getAttr(kRowInterleaveAttr) !=
                weight->getAttr(kRowInterleaveAttr)) {
          weight.emitError("weight '")
              << weight.getTensor() << "' is read as " << weight.getType()
              << " here and as " << first.getType()
              << " before: the packed file holds one form of each tensor";
          return WalkResult::interrupt();
        }
      } else {
        FailureOr<SmallVector<PackedTensorSpec, 2>> specs =
            packedTensorsOf(weight);
        if (failed(specs))
          return WalkResult::interrupt();
        SmallVector<IntegerAttr, 2> offsets;
        for (const PackedTensorSpec &spec : *specs) {
          const uint64_t offset =
              llvm::alignTo(end, static_cast<uint64_t>(alignment));
          if (offset < end || spec.bytes > uint64_t(INT64_MAX) - offset) {
            weight.emitError("the packed weights exceed 2^63 bytes at '")
                << spec.name << "'";
            return WalkResult::interrupt();
          }
          offsets.push_back(
              builder.getI64IntegerAttr(static_cast<int64_t>(offset)));
          end = offset + spec.bytes;
        }
        entry->second = {weight, offsets.front(),
                         offsets.size() > 1 ? offsets[1] : IntegerAttr()};
      }
      weight->setAttr(kWeightOffsetAttr, entry->second.offset);
      if (entry->second.rowScalesOffset)
        weight->setAttr(kRowScalesOffsetAttr, entry->second.rowScalesOffset);
      else
        weight->removeAttr(kRowScalesOffsetAttr);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
