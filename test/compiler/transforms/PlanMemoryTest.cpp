//===- PlanMemoryTest.cpp - Arena plans never overlap live tensors --------===//
//
// On the fused IR of real models, every pair of activations (and op scratch
// areas) whose lifetimes overlap must occupy disjoint bytes of the arena, every activation must lie
// inside it, and memory must actually be reused.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/GgufImporter.h"
#include "compiler/model/SyntheticModel.h"
#include "compiler/transforms/ArenaLayout.h"
#include "compiler/transforms/Passes.h"
#include "dialects/Tern/IR/TernOps.h"
#include "test/utils/SyntheticModelFile.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseMap.h"

#include <gtest/gtest.h>

using namespace ternc;

namespace {

/// One planned activation: its lifetime in op positions and its bytes.
struct Placement {
  int64_t definedAt, lastUsedAt, offset, bytes;
};

std::vector<Placement> placementsOf(mlir::func::FuncOp function) {
  llvm::DenseMap<mlir::Operation *, int64_t> position;
  int64_t index = 0;
  for (mlir::Operation &op : function.getBody().front())
    position[&op] = index++;
  std::vector<Placement> placements;
  for (mlir::Operation &op : function.getBody().front()) {
    auto offsets =
        op.getAttrOfType<mlir::DenseI64ArrayAttr>("tern.arena_offsets");
    if (!offsets)
      continue;
    EXPECT_EQ(offsets.size(), static_cast<int64_t>(op.getNumResults()));
    for (auto [result, offset] : llvm::zip(op.getResults(), offsets.asArrayRef())) {
      auto type = mlir::cast<mlir::RankedTensorType>(result.getType());
      Placement placement{position[&op], position[&op], offset,
                          type.getNumElements() * 4};
      for (mlir::Operation *user : result.getUsers())
        placement.lastUsedAt = std::max(placement.lastUsedAt, position[user]);
      placements.push_back(placement);
    }
    // Quantization scratch lives during its op only.
    if (auto scratch =
            op.getAttrOfType<mlir::IntegerAttr>("tern.scratch_offset")) {
      int64_t bytes = mlir::tern::quantizedRowsScratch(&op).bytes;
      EXPECT_GT(bytes, 0) << "scratch on an op that needs none";
      placements.push_back(
          {position[&op], position[&op], scratch.getInt(), bytes});
    }
  }
  return placements;
}

class PlanMemoryTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PlanMemoryTest, LiveActivationsNeverShareBytes) {
  model::SyntheticModelOptions options;
  options.architecture = GetParam();
  test::SyntheticModelFile model(options);
  ASSERT_TRUE(model.file());
  mlir::MLIRContext context;
  context.loadDialect<mlir::tern::TernDialect, mlir::func::FuncDialect>();
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
      importGguf(context, *model.file());
  ASSERT_TRUE(module.ok());
  mlir::PassManager pm(&context);
  mlir::tern::buildFusionPipeline(pm);
  pm.addNestedPass<mlir::func::FuncOp>(mlir::tern::createTernPlanMemory());
  ASSERT_TRUE(mlir::succeeded(pm.run(**module)));

  for (auto function : (*module)->getOps<mlir::func::FuncOp>()) {
    std::vector<Placement> placements = placementsOf(function);
    ASSERT_FALSE(placements.empty());
    int64_t arenaSize =
        function->getAttrOfType<mlir::IntegerAttr>("tern.arena_size").getInt();
    int64_t total = 0;
    for (const Placement &p : placements) {
      EXPECT_EQ(p.offset % 64, 0);
      EXPECT_LE(p.offset + p.bytes, arenaSize);
      total += p.bytes;
    }
    // Reuse: the two layers' activations never live at once, so the plan
    // needs less than half of giving every tensor its own bytes.
    EXPECT_LT(arenaSize * 2, total) << function.getName().str();
    for (size_t i = 0; i < placements.size(); ++i)
      for (size_t j = i + 1; j < placements.size(); ++j) {
        const Placement &a = placements[i], &b = placements[j];
        bool bothLive =
            a.definedAt <= b.lastUsedAt && b.definedAt <= a.lastUsedAt;
        bool overlap =
            a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
        EXPECT_FALSE(bothLive && overlap)
            << function.getName().str() << ": tensors defined at ops "
            << a.definedAt << " and " << b.definedAt << " share bytes";
      }
  }
}

INSTANTIATE_TEST_SUITE_P(Architectures, PlanMemoryTest,
                         ::testing::Values("bitnet-b1.58", "bitnet", "llama"),
                         [](const auto &info) {
                           return test::parameterName(info.param);
                         });

} // namespace
