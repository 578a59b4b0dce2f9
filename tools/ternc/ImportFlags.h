//===- ImportFlags.h - Flags shared by the commands that import -*- C++ -*-===//

#ifndef TERNC_TOOLS_TERNC_IMPORTFLAGS_H
#define TERNC_TOOLS_TERNC_IMPORTFLAGS_H

#include "compiler/interpreter/Interpreter.h"
#include "compiler/pipeline/Pipeline.h"

#include "mlir/IR/MLIRContext.h"

#include <memory>
#include <string>

namespace ternc::tool {

/// --prefill-chunk, --ctx and --lm-head, for compile, eval and run alike.
ModelOptions modelOptionsFromFlags();

/// A model opened, imported and ready to interpret (eval, run).
struct InterpretedModel {
  std::unique_ptr<gguf::GgufFile> file;
  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<Interpreter> interpreter;
};

/// Opens `path`, imports it with modelOptionsFromFlags() (importModel) and
/// prepares the interpreter with --kv-type.
Expected<InterpretedModel> loadInterpretedModel(const std::string &path);

} // namespace ternc::tool

#endif // TERNC_TOOLS_TERNC_IMPORTFLAGS_H
