//===- ImportFlags.h - Flags shared by the commands that import -*- C++ -*-===//

#ifndef TERNC_TOOLS_TERNC_IMPORTFLAGS_H
#define TERNC_TOOLS_TERNC_IMPORTFLAGS_H

#include "compiler/import/GgufImporter.h"
#include "compiler/interpreter/Interpreter.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <memory>
#include <string>

namespace ternc::tool {

/// --prefill-chunk and --ctx, for compile, eval and run.
ImportOptions importOptionsFromFlags();

/// Adds the passes of the model-changing flags (--lm-head=int8|q4), which run
/// right after import for compile, eval and run alike.
void addModelFlagPasses(mlir::OpPassManager &pm);

/// A model opened, imported and ready to interpret (eval, run).
struct InterpretedModel {
  std::unique_ptr<gguf::GgufFile> file;
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<Interpreter> interpreter;
};

/// Opens `path`, imports it with the import flags, runs
/// addModelFlagPasses' passes and prepares the interpreter with --kv-type.
Expected<InterpretedModel> loadInterpretedModel(const std::string &path);

} // namespace ternc::tool

#endif // TERNC_TOOLS_TERNC_IMPORTFLAGS_H
