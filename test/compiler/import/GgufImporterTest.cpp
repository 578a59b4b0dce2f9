//===- GgufImporterTest.cpp - Weight types and scales of the importer -----===//
//
// The importer gives each ternary weight one scale per tensor: I2_S's stored
// scale bit for bit, the largest TQ block scale, the magnitude of float-stored
// values, times a bitnet model's optional per-matmul .scale tensor.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/GgufImporter.h"

#include "compiler/model/SyntheticModel.h"
#include "dialects/Tern/IR/TernOps.h"
#include "runtime/gguf/Quants.h"
#include "runtime/support/Half.h"
#include "test/utils/GgufRewrite.h"
#include "test/utils/SyntheticModelFile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace ternc;
using namespace ternc::gguf;

namespace {

class GgufImporterTest : public ::testing::Test {
protected:
  void SetUp() override {
    context_.loadDialect<mlir::tern::TernDialect, mlir::func::FuncDialect>();
  }

  /// Writes a tiny model of `arch` with `weights`, then re-reads it through
  /// `edit` and `finish`. The result views bytes that the next call replaces.
  GgufFile makeModel(const std::string &arch, TensorType weights,
                     const test::TensorEdit &edit = {},
                     const test::WriterEdit &finish = {}) {
    model::SyntheticModelOptions options;
    options.architecture = arch;
    options.weightType = weights;
    test::SyntheticModelFile model(options);
    EXPECT_TRUE(model.file());
    image_ = model.file() ? test::rewriteGguf(*model.file(), edit, finish)
                          : std::vector<uint8_t>();
    Expected<GgufFile> file =
        GgufFile::parse({image_.data(), image_.size()}, "model.gguf");
    EXPECT_TRUE(file.ok());
    return file.take();
  }

  mlir::OwningOpRef<mlir::ModuleOp> import(const GgufFile &file,
                                           const ImportOptions &options = {}) {
    Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
        importGguf(context_, file, options);
    EXPECT_TRUE(module.ok()) << (module.ok() ? "" : module.error().message());
    return module.take();
  }

  /// The type of the first tern.weight of `tensor` in @decode.
  static mlir::Type weightType(mlir::ModuleOp module, llvm::StringRef tensor) {
    mlir::Type found;
    module.lookupSymbol<mlir::func::FuncOp>("decode").walk(
        [&](mlir::tern::WeightOp op) {
          if (!found && op.getTensor() == tensor)
            found = op.getType();
        });
    return found;
  }

  static float scaleOf(mlir::ModuleOp module, llvm::StringRef tensor) {
    auto type = llvm::cast<mlir::tern::TernaryType>(weightType(module, tensor));
    return type.getScaleValue();
  }

  mlir::MLIRContext context_;
  std::vector<uint8_t> image_;
};

TEST_F(GgufImporterTest, I2SScaleIsTheStoredOneBitForBit) {
  GgufFile file = makeModel("bitnet-b1.58", TensorType::I2_S);
  const TensorInfo *q = file.findTensor("blk.0.attn_q.weight");
  // The f32 right after the n/4 bytes of codes (docs/formats.md §2.1).
  float stored =
      loadLittleEndian<float>(file.tensorData(*q).data + q->elements / 4);
  mlir::OwningOpRef<mlir::ModuleOp> module = import(file);
  EXPECT_EQ(scaleOf(*module, "blk.0.attn_q.weight"), stored);
  auto type = llvm::cast<mlir::tern::TernaryType>(
      weightType(*module, "blk.0.attn_q.weight"));
  EXPECT_EQ(type.getStorage(), mlir::tern::TernaryStorage::I2_S);
  EXPECT_EQ(type.getShape(), llvm::ArrayRef<int64_t>({512, 512}));
}

TEST_F(GgufImporterTest, BitnetMatmulScalesMultiplyTheWeightScale) {
  GgufFile plain = makeModel("bitnet", TensorType::I2_S);
  const TensorInfo *q = plain.findTensor("blk.1.attn_q.weight");
  float stored = i2sScale(plain.tensorData(*q), q->elements);
  float plainKeyScale = scaleOf(*import(plain), "blk.1.attn_k.weight");
  // The next model replaces the bytes `plain` views.
  GgufFile scaled = makeModel(
      "bitnet", TensorType::I2_S, {}, [](GgufWriter &writer) {
        float factor = 2.5f;
        std::vector<uint8_t> bytes(4);
        std::memcpy(bytes.data(), &factor, 4);
        ASSERT_TRUE(writer.addTensor("blk.1.attn_q.scale", TensorType::F32,
                                     {1}, bytes)
                        .ok());
      });
  mlir::OwningOpRef<mlir::ModuleOp> module = import(scaled);
  EXPECT_EQ(scaleOf(*module, "blk.1.attn_q.weight"), stored * 2.5f);
  EXPECT_EQ(scaleOf(*module, "blk.1.attn_k.weight"), plainKeyScale);
}

TEST_F(GgufImporterTest, TQ2ScaleIsTheLargestBlockScale) {
  GgufFile file = makeModel(
      "bitnet-b1.58", TensorType::TQ2_0,
      [](std::string_view name, TensorType &, std::vector<uint64_t> &,
         std::vector<uint8_t> &bytes) {
        if (name == "blk.0.ffn_up.weight") {
          uint16_t big = floatToHalf(3.0f);
          std::memcpy(&bytes[66 * 5 + 64], &big, 2);
        }
      });
  mlir::OwningOpRef<mlir::ModuleOp> module = import(file);
  EXPECT_EQ(scaleOf(*module, "blk.0.ffn_up.weight"), 3.0f);
}

TEST_F(GgufImporterTest, FloatStorageScaleIsTheMagnitude) {
  GgufFile file = makeModel("llama", TensorType::F16);
  const TensorInfo *v = file.findTensor("blk.0.attn_v.weight");
  std::vector<float> values(v->elements);
  ASSERT_TRUE(dequantize(v->type, file.tensorData(*v), v->elements,
                         values.data())
                  .ok());
  float magnitude = 0;
  for (float x : values)
    magnitude = std::max(magnitude, std::fabs(x));
  mlir::OwningOpRef<mlir::ModuleOp> module = import(file);
  EXPECT_EQ(scaleOf(*module, "blk.0.attn_v.weight"), magnitude);
  auto type = llvm::cast<mlir::tern::TernaryType>(
      weightType(*module, "blk.0.attn_v.weight"));
  EXPECT_EQ(type.getStorage(), mlir::tern::TernaryStorage::F16);
}

TEST_F(GgufImporterTest, OptionsShapeTheEntryFunctions) {
  GgufFile file = makeModel("bitnet-b1.58", TensorType::I2_S);
  ImportOptions options;
  options.prefillChunk = 32;
  options.contextLength = 256;
  mlir::OwningOpRef<mlir::ModuleOp> module = import(file, options);
  auto prefill = module->lookupSymbol<mlir::func::FuncOp>("prefill");
  ASSERT_TRUE(prefill);
  auto tokens =
      llvm::cast<mlir::RankedTensorType>(prefill.getArgumentTypes()[0]);
  EXPECT_EQ(tokens.getDimSize(0), 32);
  auto cache =
      llvm::cast<mlir::tern::KVCacheType>(prefill.getArgumentTypes()[2]);
  EXPECT_EQ(cache.getCapacity(), 256);
  EXPECT_EQ(cache.getLayers(), 2);
  EXPECT_EQ(cache.getKvHeads(), 2);
  EXPECT_EQ(cache.getHeadDim(), 128);
}

TEST_F(GgufImporterTest, InvalidCodesFailTheImport) {
  GgufFile file = makeModel(
      "bitnet-b1.58", TensorType::I2_S,
      [](std::string_view name, TensorType &, std::vector<uint64_t> &,
         std::vector<uint8_t> &bytes) {
        if (name == "blk.1.ffn_down.weight")
          bytes[0] = 0xff;
      });
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
      importGguf(context_, file);
  ASSERT_FALSE(module.ok());
  EXPECT_NE(module.error().message().find(
                "tensor 'blk.1.ffn_down.weight' (I2_S) holds 4 invalid 2-bit "
                "code(s) 3"),
            std::string::npos);
}

} // namespace
