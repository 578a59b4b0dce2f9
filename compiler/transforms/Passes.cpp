//===- Passes.cpp - ternc's pass pipelines --------------------------------===//

#include "compiler/transforms/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Transforms/Passes.h"

void mlir::tern::buildFusionPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  OpPassManager &functions = pm.nest<func::FuncOp>();
  functions.addPass(createTernFuseParallelBitLinear());
  functions.addPass(createTernFuseRMSNormBitLinear());
  functions.addPass(createTernFuseRelu2Mul());
}

void mlir::tern::buildBackendPipeline(OpPassManager &pm,
                                      StringRef ternaryLayout,
                                      int64_t f16RowInterleave) {
  TernSelectWeightLayoutOptions layout;
  layout.layout = ternaryLayout.str();
  layout.f16RowInterleave = f16RowInterleave;
  pm.addPass(createTernSelectWeightLayout(layout));
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
