//===- PlanMemory.cpp - Static arena offsets from activation lifetimes ----===//

#include "compiler/transforms/Passes.h"

#include "compiler/transforms/ArenaLayout.h"

#include "dialects/Tern/IR/TernOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <map>

namespace mlir::tern {
#define GEN_PASS_DEF_TERNPLANMEMORY
#include "compiler/transforms/Passes.h.inc"
} // namespace mlir::tern

using namespace mlir;
using namespace mlir::tern;

namespace {

/// Bytes of a statically shaped tensor value.
int64_t bytesOf(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return type.getNumElements() *
         static_cast<int64_t>(type.getElementTypeBitWidth() / 8);
}

/// First-fit allocation of byte ranges in an arena that grows as needed.
class Arena {
public:
  explicit Arena(int64_t alignment) : alignment_(alignment) {}

  /// The lowest aligned offset with `bytes` free.
  int64_t allocate(int64_t bytes) {
    bytes = alignUp(bytes, alignment_);
    int64_t offset = 0;
    for (auto [start, end] : used_) {
      if (start - offset >= bytes)
        break;
      offset = std::max(offset, end);
    }
    used_.emplace(offset, offset + bytes);
    size_ = std::max(size_, offset + bytes);
    return offset;
  }

  void release(int64_t offset) { used_.erase(offset); }
  int64_t size() const { return size_; }

private:
  int64_t alignment_;
  /// Ranges in use, [start, end), by start.
  std::map<int64_t, int64_t> used_;
  int64_t size_ = 0;
};

struct TernPlanMemoryPass
    : tern::impl::TernPlanMemoryBase<TernPlanMemoryPass> {
  using TernPlanMemoryBase::TernPlanMemoryBase;

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
      function.emitError("tern-plan-memory: alignment ")
          << static_cast<int64_t>(alignment) << " is not a power of two";
      return signalPassFailure();
    }
    if (!function.getBody().hasOneBlock()) {
      function.emitError("tern-plan-memory expects a single-block function");
      return signalPassFailure();
    }
    Block &body = function.getBody().front();

    // The last op (by position) that reads each activation.
    llvm::DenseMap<Operation *, int64_t> position;
    int64_t index = 0;
    for (Operation &op : body)
      position[&op] = index++;
    auto lastUse = [&](Value value) {
      int64_t last = position[value.getDefiningOp()];
      for (Operation *user : value.getUsers())
        last = std::max(last, position[user]);
      return last;
    };

    Arena arena(alignment);
    // Values whose lifetime ends at an op, released after the op's results
    // are placed (an op's inputs and outputs never share bytes).
    std::map<int64_t, SmallVector<int64_t>> releases;
    Builder builder(&getContext());
    for (Operation &op : body) {
      if (!isa<WeightOp>(op) && op.getNumResults() != 0) {
        SmallVector<int64_t> offsets;
        for (Value result : op.getResults()) {
          int64_t offset = arena.allocate(bytesOf(result));
          offsets.push_back(offset);
          releases[lastUse(result)].push_back(offset);
        }
        op.setAttr(tern::kArenaOffsetsAttr,
                   builder.getDenseI64ArrayAttr(offsets));
      }
      // Scratch lives only while its op runs, beside the op's results.
      QuantizedRowsScratch scratch = quantizedRowsScratch(&op);
      if (scratch.bytes != 0) {
        int64_t offset = arena.allocate(scratch.bytes);
        op.setAttr(tern::kScratchOffsetAttr, builder.getI64IntegerAttr(offset));
        releases[position[&op]].push_back(offset);
      }
      auto freed = releases.find(position[&op]);
      if (freed != releases.end()) {
        for (int64_t offset : freed->second)
          arena.release(offset);
        releases.erase(freed);
      }
    }
    function->setAttr(tern::kArenaSizeAttr,
                      builder.getI64IntegerAttr(arena.size()));
  }
};

} // namespace
