//===- CompileCommand.cpp - `ternc compile`: GGUF model -> ... ------------===//
//
// Imports a model and prints the requested stage of the pipeline. Today the
// pipeline ends at the imported tern IR (--emit=tern); the later stages
// (fusion, lowering, codegen, linking) extend --emit.
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"
#include "tools/ternc/ImportFlags.h"

#include "compiler/import/GgufImporter.h"
#include "dialects/Tern/IR/TernDialect.h"
#include "runtime/support/OutputFile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

using namespace ternc;
namespace cl = llvm::cl;

namespace ternc::tool {
cl::SubCommand &compileCommand() {
  static cl::SubCommand command("compile",
                              "Compile a GGUF model (today: import it and "
                              "print tern IR)");
  return command;
}
} // namespace ternc::tool

namespace {

/// The pipeline stages --emit can stop at.
enum class EmitStage { Tern };

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.gguf>"),
                               cl::Required, cl::sub(tool::compileCommand()),
                               cl::cat(tool::terncCategory()));
cl::opt<EmitStage> emitStage(
    "emit", cl::desc("The stage to print"),
    cl::values(clEnumValN(EmitStage::Tern, "tern",
                          "the imported tern IR (decode and prefill)")),
    cl::init(EmitStage::Tern), cl::sub(tool::compileCommand()),
    cl::cat(tool::terncCategory()));
cl::opt<std::string> outputPath("o",
                                cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("path"), cl::init("-"),
                                cl::sub(tool::compileCommand()),
                                cl::cat(tool::terncCategory()));
/// Writes `text` to the output (all or nothing for a file).
Status writeOutput(const std::string &text) {
  if (outputPath == "-") {
    llvm::outs() << text;
    return Status::success();
  }
  Expected<std::unique_ptr<OutputFile>> file = OutputFile::create(outputPath);
  if (!file)
    return file.error();
  TERNC_RETURN_IF_ERROR((*file)->write(text.data(), text.size()));
  return (*file)->commit();
}

} // namespace

int ternc::tool::runCompile() {
  Expected<gguf::GgufFile> file = gguf::GgufFile::open(inputPath);
  if (!file)
    return reportError(file.error());
  mlir::MLIRContext context;
  context.loadDialect<mlir::tern::TernDialect, mlir::func::FuncDialect>();
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
      importGguf(context, *file, importOptionsFromFlags());
  if (!module)
    return reportError(module.error());
  std::string text;
  llvm::raw_string_ostream stream(text);
  (**module)->print(stream);
  stream << "\n";
  Status status = writeOutput(stream.str());
  return status.ok() ? 0 : reportError(status.error());
}
