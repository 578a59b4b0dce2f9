//===- CompileCommand.cpp - `ternc compile`: GGUF model -> native binary --===//
//
// Runs the pipeline of docs/architecture.md up to the stage --emit names and
// writes that stage: IR text for the MLIR stages, LLVM IR, assembly, an
// object file or (the default) a linked executable.
//
//   import -> tern -> fuse -> tern-fused (| dot) -> select layout, plan memory ->
//   pack weights -> lower -> kernel -> convert -> llvm-dialect ->
//   translate -> llvm-ir -> codegen -> asm | obj -> link -> exe | lib
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"
#include "tools/ternc/ImportFlags.h"
#include "tools/ternc/Progress.h"

#include "backends/Target.h"
#include "compiler/codegen/EmitObject.h"
#include "compiler/codegen/Link.h"
#include "compiler/codegen/PackWeights.h"
#include "compiler/codegen/TemporaryOutput.h"
#include "compiler/import/GgufImporter.h"
#include "compiler/transforms/Passes.h"
#include "dialects/Tern/IR/TernDialect.h"
#include "runtime/support/OutputFile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/ViewOpGraph.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

using namespace ternc;
namespace cl = llvm::cl;

namespace ternc::tool {
cl::SubCommand &compileCommand() {
  static cl::SubCommand command(
      "compile", "Compile a GGUF model to a native executable (or print a "
                 "stage of the pipeline)");
  return command;
}
} // namespace ternc::tool

namespace {

/// The pipeline stages --emit can stop at, in pipeline order.
enum class EmitStage {
  Tern,
  TernFused,
  Dot,
  Kernel,
  LLVMDialect,
  LLVMIR,
  Assembly,
  Object,
  Executable,
  Library
};

cl::OptionCategory &category() { return tool::terncCategory(); }

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.gguf>"),
                               cl::sub(tool::compileCommand()),
                               cl::cat(category()));
cl::opt<EmitStage> emitStage(
    "emit", cl::desc("The stage to write (default: exe)"),
    cl::values(
        clEnumValN(EmitStage::Tern, "tern",
                   "the imported tern IR (decode and prefill)"),
        clEnumValN(EmitStage::TernFused, "tern-fused",
                   "after canonicalization and fusion"),
        clEnumValN(EmitStage::Dot, "dot",
                   "the fused graph in Graphviz DOT (SVG when -o names a "
                   ".svg file and Graphviz is installed)"),
        clEnumValN(EmitStage::Kernel, "kernel",
                   "calls of the runtime's kernel entries on arena and "
                   "weight pointers"),
        clEnumValN(EmitStage::LLVMDialect, "llvm-dialect",
                   "the MLIR LLVM dialect"),
        clEnumValN(EmitStage::LLVMIR, "llvm-ir", "optimized LLVM IR"),
        clEnumValN(EmitStage::Assembly, "asm", "target assembly"),
        clEnumValN(EmitStage::Object, "obj",
                   "an object file with the weights embedded"),
        clEnumValN(EmitStage::Executable, "exe",
                   "a native executable (needs -o)"),
        clEnumValN(EmitStage::Library, "lib",
                   "a static library with a C API (needs -o; writes "
                   "ternc_model.h beside it)")),
    cl::init(EmitStage::Executable), cl::sub(tool::compileCommand()),
    cl::cat(category()));
cl::opt<std::string> outputPath("o",
                                cl::desc("Output file ('-' for stdout, the "
                                         "default for text stages)"),
                                cl::value_desc("path"),
                                cl::sub(tool::compileCommand()),
                                cl::cat(category()));
cl::opt<std::string> targetName("target",
                                cl::desc("Backend to compile for (see "
                                         "--list-targets; default native: "
                                         "the fastest this CPU runs)"),
                                cl::value_desc("name"), cl::init("native"),
                                cl::sub(tool::compileCommand()),
                                cl::cat(category()));
cl::opt<bool> listTargets("list-targets",
                          cl::desc("List the backends and exit"),
                          cl::sub(tool::compileCommand()), cl::cat(category()));
cl::opt<bool> printIrAfterAll("print-ir-after-all",
                              cl::desc("Print the IR after every pass "
                                       "(to stderr)"),
                              cl::sub(tool::compileCommand()),
                              cl::cat(category()));
cl::list<std::string> printIrAfter("print-ir-after",
                                   cl::desc("Print the IR after the named "
                                            "pass (its flag, e.g. "
                                            "tern-fuse-relu2-mul)"),
                                   cl::CommaSeparated,
                                   cl::sub(tool::compileCommand()),
                                   cl::cat(category()));
cl::opt<bool> passTiming("pass-timing",
                         cl::desc("Report the time of each pass (to stderr)"),
                         cl::sub(tool::compileCommand()), cl::cat(category()));

bool isTextStage(EmitStage stage) {
  return stage < EmitStage::Object;
}

/// Runs the passes `build` adds on `module`, printing IR and timings as the
/// flags ask.
Status runPasses(mlir::MLIRContext &context, mlir::ModuleOp module,
                 llvm::function_ref<void(mlir::PassManager &)> build) {
  mlir::PassManager pm(&context);
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
  build(pm);
  if (mlir::failed(pm.run(module)))
    return makeError("{}: the pass pipeline failed (diagnostics above)",
                     inputPath.getValue());
  return Status::success();
}

/// Writes `text` to the file `path` (all or nothing).
Status writeFile(const std::string &path, llvm::StringRef text) {
  Expected<std::unique_ptr<OutputFile>> file = OutputFile::create(path);
  if (!file)
    return file.error();
  TERNC_RETURN_IF_ERROR((*file)->write(text.data(), text.size()));
  return (*file)->commit();
}

/// Writes `text` to the output: stdout, or the -o file (all or nothing).
Status writeText(llvm::StringRef text) {
  if (outputPath.empty() || outputPath == "-") {
    llvm::outs() << text;
    return Status::success();
  }
  return writeFile(outputPath, text);
}

/// Writes what `print` prints to the output.
Status writePrinted(llvm::function_ref<void(llvm::raw_ostream &)> print) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  print(stream);
  stream << "\n";
  return writeText(stream.str());
}

Status writeModule(mlir::ModuleOp module) {
  return writePrinted([&](llvm::raw_ostream &os) { module.print(os); });
}

Status writeModule(llvm::Module &module) {
  return writePrinted([&](llvm::raw_ostream &os) { module.print(os, nullptr); });
}

/// ternc's library directory: lib/ next to the bin/ holding ternc.
std::string libraryDirectory() {
  static int anchor;
  llvm::SmallString<256> path(
      llvm::sys::fs::getMainExecutable("ternc", &anchor));
  llvm::sys::path::remove_filename(path); // .../bin
  llvm::sys::path::remove_filename(path); // ...
  llvm::sys::path::append(path, "lib");
  return path.str().str();
}

/// A scratch directory removed with everything in it when it goes away.
class ScratchDirectory {
public:
  static Expected<ScratchDirectory> create() {
    llvm::SmallString<128> path;
    if (std::error_code error =
            llvm::sys::fs::createUniqueDirectory("ternc", path))
      return makeError("cannot create a temporary directory: {}",
                       error.message());
    return ScratchDirectory(path.str().str());
  }
  ScratchDirectory(ScratchDirectory &&other) : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  ~ScratchDirectory() {
    if (!path_.empty())
      llvm::sys::fs::remove_directories(path_);
  }
  /// `name` inside the directory.
  std::string file(const std::string &name) const {
    return path_ + "/" + name;
  }

private:
  explicit ScratchDirectory(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

/// Writes the fused module's data-flow graph as DOT, or as SVG through
/// Graphviz when the output is a .svg file.
Status writeGraph(mlir::MLIRContext &context, mlir::ModuleOp module) {
  std::string dot;
  llvm::raw_string_ostream stream(dot);
  TERNC_RETURN_IF_ERROR(runPasses(context, module, [&](mlir::PassManager &pm) {
    pm.addPass(mlir::createPrintOpGraphPass(stream));
  }));
  if (!llvm::StringRef(outputPath).ends_with(".svg"))
    return writeText(stream.str());
  llvm::ErrorOr<std::string> graphviz = llvm::sys::findProgramByName("dot");
  if (!graphviz)
    return makeError("{}: SVG output needs Graphviz's 'dot' on PATH "
                     "(apt-get install graphviz), or write a .dot file",
                     outputPath.getValue());
  Expected<ScratchDirectory> scratch = ScratchDirectory::create();
  if (!scratch)
    return scratch.error();
  std::string input = scratch->file("graph.dot");
  std::string svg = scratch->file("graph.svg");
  TERNC_RETURN_IF_ERROR(writeFile(input, dot));
  llvm::StringRef arguments[] = {*graphviz, "-Tsvg", "-o", svg, input};
  if (llvm::sys::ExecuteAndWait(*graphviz, arguments) != 0)
    return makeError("{}: Graphviz failed to render the graph",
                     outputPath.getValue());
  return writeThroughTemporary(
      outputPath, [&](const std::string &temporary, int) -> Status {
        if (std::error_code error = llvm::sys::fs::copy_file(svg, temporary))
          return makeError("{}: cannot create: {}", outputPath.getValue(),
                           error.message());
        return Status::success();
      });
}

/// The stages after tern-fused, for `target`.
Status compileForTarget(mlir::MLIRContext &context, mlir::ModuleOp module,
                        const gguf::GgufFile &file, const BackendTarget &target,
                        tool::Progress &progress) {
  auto packing = [&](uint64_t done, uint64_t size) {
    progress.bytes("packing the weights", done, size);
  };
  progress.step("lowering");
  TERNC_RETURN_IF_ERROR(runPasses(context, module, [&](mlir::PassManager &pm) {
    mlir::tern::buildBackendPipeline(pm, target.ternaryLayout,
                                     target.f16RowInterleave);
  }));

  Expected<PackedWeights> weights =
      PackedWeights::plan(module, file, target.name);
  if (!weights)
    return weights.error();

  TERNC_RETURN_IF_ERROR(runPasses(context, module, [&](mlir::PassManager &pm) {
    mlir::tern::buildKernelLoweringPipeline(pm, target.kernelsSymbol);
  }));
  if (emitStage == EmitStage::Kernel)
    return writeModule(module);
  TERNC_RETURN_IF_ERROR(runPasses(context, module, [&](mlir::PassManager &pm) {
    mlir::tern::buildLLVMConversionPipeline(pm);
  }));
  if (emitStage == EmitStage::LLVMDialect)
    return writeModule(module);

  Expected<ScratchDirectory> scratch = ScratchDirectory::create();
  if (!scratch)
    return scratch.error();
  progress.step("generating code");
  Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createTargetMachine(target);
  if (!machine)
    return machine.error();
  llvm::LLVMContext llvmContext;
  Expected<std::unique_ptr<llvm::Module>> llvmModule =
      translateToLLVMIR(module, llvmContext, **machine);
  if (!llvmModule)
    return llvmModule.error();
  if (emitStage == EmitStage::Executable) {
    // The weights are appended to the linked code, not linked.
    std::string object = scratch->file("model.o");
    TERNC_RETURN_IF_ERROR(emitObjectFile(**llvmModule, **machine, object));
    progress.step("linking");
    return linkExecutable(object, target, libraryDirectory(), *weights,
                          outputPath, packing);
  }
  // The other stages `.incbin` the packed file. Assembly and LLVM IR written
  // to a file keep it beside the output, so that it can be assembled later.
  bool keepWeights = (emitStage == EmitStage::Assembly ||
                      emitStage == EmitStage::LLVMIR) &&
                     !outputPath.empty() && outputPath != "-";
  std::string weightsPath = keepWeights ? outputPath + ".weights.gguf"
                                        : scratch->file("weights.gguf");
  TERNC_RETURN_IF_ERROR(weights->write(weightsPath, packing));
  progress.step("generating code");
  if (emitStage == EmitStage::Assembly) {
    // The weights' .incbin goes into the text as written: the assembler would
    // expand it into the file's bytes.
    llvm::SmallString<0> assembly;
    llvm::raw_svector_ostream stream(assembly);
    TERNC_RETURN_IF_ERROR(emitMachineCode(**llvmModule, **machine,
                                          MachineCodeKind::Assembly, stream));
    stream << weightsAssembly(weightsPath);
    return writeText(assembly);
  }
  embedWeights(**llvmModule, weightsPath);
  if (emitStage == EmitStage::LLVMIR)
    return writeModule(**llvmModule);
  if (emitStage == EmitStage::Object)
    return emitObjectFile(**llvmModule, **machine, outputPath);
  std::string object = scratch->file("model.o");
  TERNC_RETURN_IF_ERROR(emitObjectFile(**llvmModule, **machine, object));
  progress.step("writing the library");
  TERNC_RETURN_IF_ERROR(
      writeStaticLibrary(object, target, libraryDirectory(), outputPath));
  llvm::SmallString<256> header(outputPath.getValue());
  llvm::sys::path::remove_filename(header);
  llvm::sys::path::append(header, "ternc_model.h");
  return writeFile(header.str().str(), modelApiHeader());
}

/// Imports the input and runs the pipeline up to --emit for `target`.
Status compile(const BackendTarget &target, tool::Progress &progress) {
  progress.step("importing");
  Expected<gguf::GgufFile> file = gguf::GgufFile::open(inputPath);
  if (!file)
    return file.error();
  mlir::MLIRContext context;
  context.loadDialect<mlir::tern::TernDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect, mlir::LLVM::LLVMDialect>();
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
      importGguf(context, *file, tool::importOptionsFromFlags());
  if (!module)
    return module.error();
  mlir::ModuleOp ir = **module;

  Status status = Status::success();
  if (emitStage == EmitStage::Tern) {
    status = writeModule(ir);
  } else {
    status = runPasses(context, ir, [](mlir::PassManager &pm) {
      tool::addModelFlagPasses(pm);
      mlir::tern::buildFusionPipeline(pm);
    });
    if (status.ok() && emitStage == EmitStage::TernFused)
      status = writeModule(ir);
    else if (status.ok() && emitStage == EmitStage::Dot)
      status = writeGraph(context, ir);
    else if (status.ok())
      status = compileForTarget(context, ir, *file, target, progress);
  }
  return status;
}

/// Prints the registered backends, marking the one `native` picks here.
void printTargets() {
  const BackendTarget *native = findTarget("native");
  for (const BackendTarget &target : registeredTargets())
    fmt::print("  {:<12} {}{}\n", target.name, target.description,
               &target == native ? " (native: this CPU's fastest)" : "");
}

} // namespace

int ternc::tool::runCompile() {
  if (listTargets) {
    printTargets();
    return 0;
  }
  if (inputPath.empty())
    return reportError(makeError("compile: no input model (usage: ternc "
                                 "compile MODEL.gguf [-o OUT] [--emit=...])"));
  const BackendTarget *target = findTarget(targetName);
  if (!target) {
    std::string names;
    for (const BackendTarget &known : registeredTargets())
      names += (names.empty() ? "" : ", ") + known.name;
    return reportError(makeError("--target={}: unknown backend (known: {}, "
                                 "and native)",
                                 targetName.getValue(), names));
  }
  if (!isTextStage(emitStage) && (outputPath.empty() || outputPath == "-"))
    return reportError(makeError(
        "compile: --emit={} writes a binary file: name it with -o",
        emitStage.getParser().getOption(static_cast<unsigned>(
            emitStage.getValue()))));

  // Stages from kernel on depend on the backend: say which one the default
  // picked, and how to get a binary that runs on any CPU.
  if (targetName.getNumOccurrences() == 0 && emitStage >= EmitStage::Kernel)
    fmt::print(stderr,
               "ternc: note: compiling for {}, the fastest backend this CPU runs "
               "(--target=generic for a binary that runs on any {} CPU)\n",
               target->name, llvm::Triple(llvm::sys::getProcessTriple())
                                 .getArchName()
                                 .str());
  // Binary stages print nothing else while they run: a status line there.
  Status status = [&] {
    tool::Progress progress(!isTextStage(emitStage) && !printIrAfterAll &&
                            printIrAfter.empty() && !passTiming);
    return compile(*target, progress);
  }();
  return status.ok() ? 0 : reportError(status.error());
}
