//===- PackWeightsTest.cpp - The packer writes to the IR's plan -----------===//
//
// tern-plan-weights records where each packed tensor goes; the packer must
// put it there, and refuse a plan it would not follow. The packed file is
// read back with the GGUF parser, which knows nothing of the plan.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/PackWeights.h"
#include "compiler/pipeline/Pipeline.h"
#include "compiler/transforms/Passes.h"
#include "dialects/Tern/IR/TernDialect.h"
#include "dialects/Tern/IR/TernOps.h"

#include "test/utils/SyntheticModelFile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace ternc;

namespace {

class PackWeightsTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(model_.file());
    context_.loadDialect<mlir::tern::TernDialect, mlir::func::FuncDialect,
                         mlir::arith::ArithDialect, mlir::LLVM::LLVMDialect>();
  }

  /// The tiny model with `head`, fused and fitted to a backend (I2_S rows
  /// interleaved by `ternaryRowInterleave`, f16 rows by 8), its weights
  /// planned.
  mlir::OwningOpRef<mlir::ModuleOp>
  plannedModule(LmHeadFormat head, int64_t ternaryRowInterleave = 1) {
    ModelOptions options;
    options.lmHead = head;
    Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
        importModel(context_, *model_.file(), model_.path(), options);
    if (!module) {
      ADD_FAILURE() << module.error().message();
      return {};
    }
    mlir::PassManager pm(&context_);
    mlir::tern::buildFusionPipeline(pm);
    mlir::tern::TernSelectWeightLayoutOptions layout;
    layout.f16RowInterleave = 8;
    layout.ternaryRowInterleave = ternaryRowInterleave;
    mlir::tern::buildBackendPipeline(pm, layout);
    if (mlir::failed(pm.run(**module))) {
      ADD_FAILURE() << "the backend pipeline failed";
      return {};
    }
    return module.take();
  }

  /// The packed file's bytes.
  static std::vector<uint8_t> serialized(const PackedWeights &packed) {
    std::vector<uint8_t> bytes;
    Status status = packed.serialize([&](const void *data, uint64_t size) {
      const auto *begin = static_cast<const uint8_t *>(data);
      bytes.insert(bytes.end(), begin, begin + size);
      return Status::success();
    });
    EXPECT_TRUE(status.ok()) << status.error().message();
    return bytes;
  }

  mlir::MLIRContext context_;
  test::SyntheticModelFile model_{model::SyntheticModelOptions()};
};

TEST_F(PackWeightsTest, EveryTensorLandsWhereTheIRPlannedIt) {
  for (LmHeadFormat head :
       {LmHeadFormat::Stored, LmHeadFormat::Int8, LmHeadFormat::Q4}) {
    mlir::OwningOpRef<mlir::ModuleOp> module = plannedModule(head);
    ASSERT_TRUE(module);
    Expected<PackedWeights> packed =
        PackedWeights::plan(*module, *model_.file(), "generic");
    ASSERT_TRUE(packed.ok()) << packed.error().message();
    std::vector<uint8_t> bytes = serialized(*packed);
    ASSERT_EQ(bytes.size(), packed->size());
    Expected<gguf::GgufFile> file =
        gguf::GgufFile::parse({bytes.data(), bytes.size()}, "packed");
    ASSERT_TRUE(file.ok()) << file.error().message();

    int weights = 0, rowScaled = 0, ternary = 0;
    module->walk([&](mlir::tern::WeightOp weight) {
      ++weights;
      const std::string name = weight.getTensor().str();
      const gguf::TensorInfo *tensor = file->findTensor(name);
      ASSERT_NE(tensor, nullptr) << name;
      auto offset =
          weight->getAttrOfType<mlir::IntegerAttr>(mlir::tern::kWeightOffsetAttr);
      ASSERT_TRUE(offset) << name;
      EXPECT_EQ(tensor->offset, static_cast<uint64_t>(offset.getInt())) << name;
      if (mlir::tern::isRowScaled(weight.getType())) {
        ++rowScaled;
        const gguf::TensorInfo *scales =
            file->findTensor(mlir::tern::rowScalesTensorName(name));
        ASSERT_NE(scales, nullptr) << name;
        auto scalesOffset = weight->getAttrOfType<mlir::IntegerAttr>(
            mlir::tern::kRowScalesOffsetAttr);
        ASSERT_TRUE(scalesOffset) << name;
        EXPECT_EQ(scales->offset, static_cast<uint64_t>(scalesOffset.getInt()))
            << name;
      }
      if (mlir::isa<mlir::tern::TernaryType>(weight.getType())) {
        // The synthetic model stores I2_S: its bytes are copied as they are.
        ++ternary;
        const gguf::TensorInfo *source = model_.file()->findTensor(name);
        ASSERT_NE(source, nullptr);
        ASSERT_EQ(source->type, gguf::TensorType::I2_S);
        ByteSpan packedBytes = file->tensorData(*tensor);
        ByteSpan sourceBytes = model_.file()->tensorData(*source);
        ASSERT_EQ(packedBytes.size, sourceBytes.size) << name;
        EXPECT_EQ(std::memcmp(packedBytes.data, sourceBytes.data,
                              sourceBytes.size),
                  0)
            << name;
      }
    });
    EXPECT_GT(weights, 0);
    EXPECT_GT(ternary, 0);
    EXPECT_EQ(rowScaled > 0, head != LmHeadFormat::Stored);
  }
}

TEST_F(PackWeightsTest, InterleavedTernaryRowsAreRearrangedBlockByBlock) {
  constexpr int64_t kGroup = 8;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      plannedModule(LmHeadFormat::Stored, kGroup);
  ASSERT_TRUE(module);
  Expected<PackedWeights> packed =
      PackedWeights::plan(*module, *model_.file(), "x86-avx512");
  ASSERT_TRUE(packed.ok()) << packed.error().message();
  std::vector<uint8_t> bytes = serialized(*packed);
  Expected<gguf::GgufFile> file =
      gguf::GgufFile::parse({bytes.data(), bytes.size()}, "packed");
  ASSERT_TRUE(file.ok()) << file.error().message();

  int ternary = 0;
  module->walk([&](mlir::tern::WeightOp weight) {
    if (!mlir::isa<mlir::tern::TernaryType>(weight.getType()))
      return;
    ++ternary;
    const std::string name = weight.getTensor().str();
    auto interleave =
        weight->getAttrOfType<mlir::IntegerAttr>(mlir::tern::kRowInterleaveAttr);
    ASSERT_TRUE(interleave) << name;
    EXPECT_EQ(interleave.getInt(), kGroup) << name;
    const gguf::TensorInfo *source = model_.file()->findTensor(name);
    const gguf::TensorInfo *tensor = file->findTensor(name);
    ASSERT_TRUE(source && tensor) << name;
    const int64_t rows = static_cast<int64_t>(source->rows());
    const int64_t blocks = static_cast<int64_t>(source->ne[0]) / 128;
    const int64_t paddedRows = (rows + kGroup - 1) / kGroup * kGroup;
    ASSERT_EQ(tensor->ne[1], static_cast<uint64_t>(paddedRows)) << name;
    const uint8_t *from = model_.file()->tensorData(*source).data;
    const uint8_t *to = file->tensorData(*tensor).data;
    // KernelAbi.h's i2s_row_interleave, stated again: block b of row r at
    // block ((r / N) * blocks + b) * N + r % N; padding rows are zero.
    for (int64_t r = 0; r < paddedRows; ++r)
      for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t *block = to + ((r / kGroup * blocks + b) * kGroup +
                                     r % kGroup) * 32;
        for (int64_t i = 0; i < 32; ++i) {
          const uint8_t expected = r < rows ? from[(r * blocks + b) * 32 + i] : 0;
          ASSERT_EQ(block[i], expected)
              << name << " row " << r << " block " << b << " byte " << i;
        }
      }
    // The tensor's scale follows the last padded row, as I2_S keeps it.
    float scale, packedScale;
    std::memcpy(&scale, from + rows * blocks * 32, sizeof(float));
    std::memcpy(&packedScale, to + paddedRows * blocks * 32, sizeof(float));
    EXPECT_EQ(scale, packedScale) << name;
  });
  EXPECT_GT(ternary, 0);
}

TEST_F(PackWeightsTest, RefusesAPlanItWouldNotFollow) {
  mlir::OwningOpRef<mlir::ModuleOp> module = plannedModule(LmHeadFormat::Stored);
  ASSERT_TRUE(module);
  // Move the last planned tensor: the file would still put it after the
  // others, where the writer's alignment says.
  mlir::tern::WeightOp last;
  module->walk([&](mlir::tern::WeightOp weight) { last = weight; });
  ASSERT_TRUE(last);
  auto offset =
      last->getAttrOfType<mlir::IntegerAttr>(mlir::tern::kWeightOffsetAttr);
  ASSERT_TRUE(offset);
  module->walk([&](mlir::tern::WeightOp weight) {
    if (weight.getTensor() == last.getTensor())
      weight->setAttr(mlir::tern::kWeightOffsetAttr,
                      mlir::Builder(&context_).getI64IntegerAttr(
                          offset.getInt() + 64));
  });
  Expected<PackedWeights> packed =
      PackedWeights::plan(*module, *model_.file(), "generic");
  ASSERT_FALSE(packed.ok());
  EXPECT_NE(packed.error().message().find(
                "'" + last.getTensor().str() + "': the IR plans it at offset " +
                std::to_string(offset.getInt() + 64)),
            std::string::npos)
      << packed.error().message();

  // A different alignment than the plan's moves every tensor after the
  // first.
  mlir::OwningOpRef<mlir::ModuleOp> fresh = plannedModule(LmHeadFormat::Stored);
  ASSERT_TRUE(fresh);
  packed = PackedWeights::plan(*fresh, *model_.file(), "generic", 4096);
  ASSERT_FALSE(packed.ok());
  EXPECT_NE(packed.error().message().find("disagree"), std::string::npos)
      << packed.error().message();
}

TEST_F(PackWeightsTest, RefusesAModuleWithoutAPlan) {
  mlir::OwningOpRef<mlir::ModuleOp> module = plannedModule(LmHeadFormat::Stored);
  ASSERT_TRUE(module);
  module->walk([](mlir::tern::WeightOp weight) {
    weight->removeAttr(mlir::tern::kWeightOffsetAttr);
  });
  Expected<PackedWeights> packed =
      PackedWeights::plan(*module, *model_.file(), "generic");
  ASSERT_FALSE(packed.ok());
  EXPECT_NE(packed.error().message().find(
                "has no packing plan: run tern-plan-weights before packing"),
            std::string::npos)
      << packed.error().message();
}

} // namespace
