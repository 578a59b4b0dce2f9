//===- Passes.cpp - ternc's pass pipelines --------------------------------===//

#include "compiler/transforms/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

void mlir::tern::buildFusionPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  OpPassManager &functions = pm.nest<func::FuncOp>();
  functions.addPass(createTernFuseParallelBitLinear());
  functions.addPass(createTernFuseRMSNormBitLinear());
  functions.addPass(createTernFuseGatedMul());
}

void mlir::tern::buildBackendPipeline(
    OpPassManager &pm, const TernSelectWeightLayoutOptions &layout) {
  pm.addPass(createTernSelectWeightLayout(layout));
  pm.addPass(createTernPlanWeights());
  pm.nest<func::FuncOp>().addPass(createTernPlanMemory());
}

void mlir::tern::buildKernelLoweringPipeline(OpPassManager &pm,
                                             StringRef kernelsSymbol) {
  TernLowerToKernelsOptions lowering;
  lowering.kernelsSymbol = kernelsSymbol.str();
  pm.addPass(createTernLowerToKernels(lowering));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::tern::buildLLVMConversionPipeline(OpPassManager &pm) {
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

namespace {

/// tern-backend-pipeline's options: tern-select-weight-layout's, with its
/// defaults.
struct BackendPipelineOptions
    : mlir::PassPipelineOptions<BackendPipelineOptions> {
  Option<std::string> layout{
      *this, "layout", llvm::cl::desc("Storage of ternary weights"),
      llvm::cl::init(mlir::tern::TernSelectWeightLayoutOptions().layout)};
  Option<int64_t> f16RowInterleave{
      *this, "f16-row-interleave",
      llvm::cl::desc("Rows per interleaved group of f16 matrices"),
      llvm::cl::init(
          mlir::tern::TernSelectWeightLayoutOptions().f16RowInterleave)};
  Option<int64_t> ternaryRowInterleave{
      *this, "ternary-row-interleave",
      llvm::cl::desc("Rows per interleaved group of I2_S matrices"),
      llvm::cl::init(
          mlir::tern::TernSelectWeightLayoutOptions().ternaryRowInterleave)};
};

/// tern-kernel-lowering-pipeline's options: tern-lower-to-kernels', with
/// its default.
struct KernelLoweringPipelineOptions
    : mlir::PassPipelineOptions<KernelLoweringPipelineOptions> {
  Option<std::string> kernelsSymbol{
      *this, "kernels-symbol",
      llvm::cl::desc("The backend's kernel table accessor"),
      llvm::cl::init(mlir::tern::TernLowerToKernelsOptions().kernelsSymbol)};
};

} // namespace

void mlir::tern::registerTernPipelines() {
  PassPipelineRegistration<>(
      "tern-fusion-pipeline",
      "Canonicalize, CSE and fuse: what ternc compile --emit=tern-fused "
      "prints",
      buildFusionPipeline);
  PassPipelineRegistration<BackendPipelineOptions>(
      "tern-backend-pipeline",
      "Fit fused IR to a backend: weight layouts, the packed weights' "
      "offsets, then the memory plan",
      [](OpPassManager &pm, const BackendPipelineOptions &options) {
        mlir::tern::TernSelectWeightLayoutOptions layout;
        layout.layout = options.layout;
        layout.f16RowInterleave = options.f16RowInterleave;
        layout.ternaryRowInterleave = options.ternaryRowInterleave;
        buildBackendPipeline(pm, layout);
      });
  PassPipelineRegistration<KernelLoweringPipelineOptions>(
      "tern-kernel-lowering-pipeline",
      "Lower packed, planned IR to kernel calls: what ternc compile "
      "--emit=kernel prints",
      [](OpPassManager &pm, const KernelLoweringPipelineOptions &options) {
        buildKernelLoweringPipeline(pm, options.kernelsSymbol);
      });
  PassPipelineRegistration<>(
      "tern-llvm-conversion-pipeline",
      "Convert kernel-level IR to the LLVM dialect: what ternc compile "
      "--emit=llvm-dialect prints",
      buildLLVMConversionPipeline);
}
