//===- Passes.cpp - ternc's pass pipelines --------------------------------===//

#include "compiler/transforms/Passes.h"

#include "mlir/Transforms/Passes.h"

void mlir::tern::buildFusionPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  OpPassManager &functions = pm.nest<func::FuncOp>();
  functions.addPass(createTernFuseRMSNormBitLinear());
  functions.addPass(createTernFuseRelu2Mul());
}
