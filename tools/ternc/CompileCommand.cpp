//===- CompileCommand.cpp - `ternc compile`: GGUF model -> ... ------------===//
//
// Imports a model and prints the requested stage of the pipeline: the
// imported tern IR (--emit=tern) or its fused form (--emit=tern-fused). The
// later stages (packing, lowering, codegen, linking) extend --emit.
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"
#include "tools/ternc/ImportFlags.h"

#include "compiler/import/GgufImporter.h"
#include "compiler/transforms/Passes.h"
#include "dialects/Tern/IR/TernDialect.h"
#include "runtime/support/OutputFile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace ternc;
namespace cl = llvm::cl;

namespace ternc::tool {
cl::SubCommand &compileCommand() {
  static cl::SubCommand command("compile",
                                "Compile a GGUF model (today: to fused tern "
                                "IR)");
  return command;
}
} // namespace ternc::tool

namespace {

/// The pipeline stages --emit can stop at.
enum class EmitStage { Tern, TernFused };

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.gguf>"),
                               cl::Required, cl::sub(tool::compileCommand()),
                               cl::cat(tool::terncCategory()));
cl::opt<EmitStage> emitStage(
    "emit", cl::desc("The stage to print"),
    cl::values(clEnumValN(EmitStage::Tern, "tern",
                          "the imported tern IR (decode and prefill)"),
               clEnumValN(EmitStage::TernFused, "tern-fused",
                          "after canonicalization and fusion")),
    cl::init(EmitStage::Tern), cl::sub(tool::compileCommand()),
    cl::cat(tool::terncCategory()));
cl::opt<std::string> outputPath("o",
                                cl::desc("Output file ('-' for stdout)"),
                                cl::value_desc("path"), cl::init("-"),
                                cl::sub(tool::compileCommand()),
                                cl::cat(tool::terncCategory()));
cl::opt<bool> printIrAfterAll("print-ir-after-all",
                               cl::desc("Print the IR after every pass "
                                        "(to stderr)"),
                               cl::sub(tool::compileCommand()),
                               cl::cat(tool::terncCategory()));
cl::list<std::string> printIrAfter("print-ir-after",
                                   cl::desc("Print the IR after the named "
                                            "pass (its flag, e.g. "
                                            "tern-fuse-relu2-mul)"),
                                   cl::CommaSeparated,
                                   cl::sub(tool::compileCommand()),
                                   cl::cat(tool::terncCategory()));
cl::opt<bool> passTiming("pass-timing",
                         cl::desc("Report the time of each pass (to stderr)"),
                         cl::sub(tool::compileCommand()),
                         cl::cat(tool::terncCategory()));

/// Runs the passes of the stages up to --emit on `module`, printing IR and
/// timings as asked.
Status runPipeline(mlir::MLIRContext &context, mlir::ModuleOp module) {
  if (emitStage == EmitStage::Tern)
    return Status::success();
  mlir::PassManager pm(&context);
  mlir::tern::buildFusionPipeline(pm);
  if (printIrAfterAll || !printIrAfter.empty()) {
    // Module-scope printing needs passes to run one at a time.
    context.disableMultithreading();
    pm.enableIRPrinting(
        [](mlir::Pass *, mlir::Operation *) { return false; },
        [](mlir::Pass *pass, mlir::Operation *) {
          return printIrAfterAll ||
                 llvm::is_contained(printIrAfter, pass->getArgument().str());
        },
        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
  }
  if (passTiming)
    pm.enableTiming();
  if (mlir::failed(pm.run(module)))
    return makeError("{}: the pass pipeline failed (diagnostics above)",
                     inputPath.getValue());
  return Status::success();
}

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
  Status status = runPipeline(context, **module);
  if (!status.ok())
    return reportError(status.error());
  std::string text;
  llvm::raw_string_ostream stream(text);
  (**module)->print(stream);
  stream << "\n";
  status = writeOutput(stream.str());
  return status.ok() ? 0 : reportError(status.error());
}
