//===- FusionPipelineTest.cpp - Fusion keeps the model's logits -----------===//
//
// The fused ops are defined to compute exactly what the ops they replace
// compute, so the reference interpreter must give bit-identical logits before
// and after the fusion pipeline, for every architecture. The interpreter
// evaluates a fused op as its parts, so this checks the rewrites' wiring
// (which norm, weights and operands each fused op took), not the fused
// semantics; those are checked by implementations independent of the
// interpreter: the backends' fused kernels against compiler/reference
// (ConformanceTest) and compiled (fused) models against `ternc eval`
// (unfused) byte for byte (test/e2e), and against bitnet.cpp's own logits
// (e2e/peer-fixtures.test).
//
//===----------------------------------------------------------------------===//

#include "compiler/import/GgufImporter.h"
#include "compiler/interpreter/Interpreter.h"
#include "compiler/model/SyntheticModel.h"
#include "compiler/transforms/Passes.h"
#include "dialects/Tern/IR/TernOps.h"
#include "test/utils/SyntheticModelFile.h"

#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

using namespace ternc;

namespace {

/// The logits of `tokens` through the interpreter on `module`.
std::vector<float> logitsOf(mlir::ModuleOp module, const gguf::GgufFile &file,
                            const std::vector<int32_t> &tokens) {
  Expected<std::unique_ptr<Interpreter>> interpreter =
      Interpreter::create(module, file);
  EXPECT_TRUE(interpreter.ok());
  InterpreterSession session = (*interpreter)->newSession();
  Expected<std::vector<float>> logits = (*interpreter)->forward(session, tokens);
  EXPECT_TRUE(logits.ok()) << (logits.ok() ? "" : logits.error().message());
  return logits ? logits.take() : std::vector<float>();
}

/// Counts the ops of type OpTy in `module`.
template <typename OpTy> int countOps(mlir::ModuleOp module) {
  int count = 0;
  module.walk([&](OpTy) { ++count; });
  return count;
}

class FusionPipelineTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FusionPipelineTest, FusedModuleGivesIdenticalLogits) {
  model::SyntheticModelOptions options;
  options.architecture = GetParam();
  test::SyntheticModelFile model(options);
  ASSERT_TRUE(model.file());
  const gguf::GgufFile &file = *model.file();

  mlir::MLIRContext context;
  context.loadDialect<mlir::tern::TernDialect, mlir::func::FuncDialect>();
  ImportOptions importOptions;
  importOptions.prefillChunk = 4;
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> plain =
      importGguf(context, file, importOptions);
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> fused =
      importGguf(context, file, importOptions);
  ASSERT_TRUE(plain.ok() && fused.ok());
  mlir::PassManager pm(&context);
  mlir::tern::buildFusionPipeline(pm);
  ASSERT_TRUE(mlir::succeeded(pm.run(**fused)));

  // Per layer and function: q/k/v and gate/up read a norm; with sub-norms
  // (not llama) attn_output and ffn_down do too, else they read raw
  // activations and stay unfused. 2 layers x 2 functions.
  bool subNorms = model::findArchitecture(GetParam())->subNorms;
  EXPECT_EQ(countOps<mlir::tern::RMSNormBitLinearOp>(**fused),
            subNorms ? 16 : 8);
  EXPECT_EQ(countOps<mlir::tern::BitLinearOp>(**fused), subNorms ? 0 : 8);
  bool relu2 = GetParam() == "bitnet-b1.58";
  EXPECT_EQ(countOps<mlir::tern::Relu2MulOp>(**fused), relu2 ? 4 : 0);
  EXPECT_EQ(countOps<mlir::tern::SiluMulOp>(**fused), relu2 ? 0 : 4);

  std::vector<int32_t> tokens = {1019, 5, 300, 77, 42, 901, 13};
  EXPECT_EQ(logitsOf(**plain, file, tokens), logitsOf(**fused, file, tokens));
}

INSTANTIATE_TEST_SUITE_P(Architectures, FusionPipelineTest,
                         ::testing::Values("bitnet-b1.58", "bitnet", "llama"),
                         [](const auto &info) {
                           return test::parameterName(info.param);
                         });

} // namespace
