//===- Passes.h - ternc's passes on tern IR ---------------------*- C++ -*-===//

#ifndef TERNC_COMPILER_TRANSFORMS_PASSES_H
#define TERNC_COMPILER_TRANSFORMS_PASSES_H

#include "dialects/Tern/IR/TernDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::tern {

#define GEN_PASS_DECL
#include "compiler/transforms/Passes.h.inc"

/// Adds the passes that turn imported tern IR into its fused form (what
/// `ternc compile --emit=tern-fused` prints): canonicalization and CSE, then
/// every fusion.
void buildFusionPipeline(OpPassManager &pm);

#define GEN_PASS_REGISTRATION
#include "compiler/transforms/Passes.h.inc"

} // namespace mlir::tern

#endif // TERNC_COMPILER_TRANSFORMS_PASSES_H
