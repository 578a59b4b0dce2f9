//===- tern-opt.cpp - mlir-opt for the tern dialect -----------------------===//
//
// Parses, verifies, transforms and prints tern IR: the tern dialect, the
// upstream dialects ternc uses, every ternc pass and pipeline
// (compiler/transforms/Passes.h) and the standard conversions to the LLVM
// dialect that ternc's pipeline runs.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"
#include "dialects/Tern/IR/TernDialect.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::tern::registerTernPasses();
  mlir::tern::registerTernPipelines();
  // The standard conversions that follow tern-lower-to-kernels.
  mlir::registerArithToLLVMConversionPass();
  mlir::registerConvertFuncToLLVMPass();
  mlir::registerReconcileUnrealizedCasts();
  mlir::DialectRegistry registry;
  registry.insert<mlir::tern::TernDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect, mlir::LLVM::LLVMDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "tern optimizer driver\n", registry));
}
