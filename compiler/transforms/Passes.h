//===- Passes.h - ternc's passes on tern IR ---------------------*- C++ -*-===//

#ifndef TERNC_COMPILER_TRANSFORMS_PASSES_H
#define TERNC_COMPILER_TRANSFORMS_PASSES_H

#include "compiler/transforms/WeightPacking.h"
#include "dialects/Tern/IR/TernDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::tern {

#define GEN_PASS_DECL
#include "compiler/transforms/Passes.h.inc"

/// Adds the passes that turn imported tern IR into its fused form (what
/// `ternc compile --emit=tern-fused` prints): canonicalization and CSE, then
/// every fusion (parallel matmuls first, then norms into them).
void buildFusionPipeline(OpPassManager &pm);

/// Adds the passes that fit fused IR to a backend before its weights are
/// packed: tern-select-weight-layout (with the backend's `layout`
/// options), tern-plan-weights (the packed file's layout), tern-plan-memory.
void buildBackendPipeline(OpPassManager &pm,
                          const TernSelectWeightLayoutOptions &layout);

/// Adds tern-lower-to-kernels (with the backend's `kernelsSymbol`), then
/// canonicalization and CSE: what `--emit=kernel` prints.
void buildKernelLoweringPipeline(OpPassManager &pm, StringRef kernelsSymbol);

/// Adds the standard conversions of kernel-level IR (func, arith, llvm) to
/// the LLVM dialect alone: what `--emit=llvm-dialect` prints.
void buildLLVMConversionPipeline(OpPassManager &pm);

/// Registers the four pipelines above for mlir-opt-style tools:
/// --tern-fusion-pipeline, --tern-backend-pipeline{layout=...
/// f16-row-interleave=N}, --tern-kernel-lowering-pipeline{kernels-symbol=...}
/// and --tern-llvm-conversion-pipeline.
void registerTernPipelines();

#define GEN_PASS_REGISTRATION
#include "compiler/transforms/Passes.h.inc"

} // namespace mlir::tern

#endif // TERNC_COMPILER_TRANSFORMS_PASSES_H
