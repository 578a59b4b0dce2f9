//===- Pipeline.cpp - A compilation as a library call ---------------------===//

#include "compiler/pipeline/Pipeline.h"

#include "compiler/checkpoint/CheckpointToGguf.h"
#include "compiler/codegen/EmitObject.h"
#include "compiler/codegen/Link.h"
#include "compiler/codegen/PackWeights.h"
#include "compiler/codegen/TemporaryOutput.h"
#include "compiler/transforms/Passes.h"
#include "dialects/Tern/IR/TernDialect.h"
#include "runtime/support/OutputFile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Transforms/ViewOpGraph.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace ternc;

Expected<LmHeadFormat> ternc::parseLmHeadFormat(std::string_view name) {
  if (name == "stored")
    return LmHeadFormat::Stored;
  if (name == "int8")
    return LmHeadFormat::Int8;
  if (name == "q4")
    return LmHeadFormat::Q4;
  return makeError("--lm-head expects stored, int8 or q4, got '{}'", name);
}

Expected<Numerics> ternc::parseNumerics(std::string_view name) {
  if (name == "bitnet")
    return Numerics::BitNet;
  if (name == "llama.cpp")
    return Numerics::LlamaCpp;
  return makeError("--numerics expects bitnet or llama.cpp, got '{}'", name);
}

void ternc::buildModelPipeline(mlir::OpPassManager &pm,
                               const ModelOptions &options) {
  if (options.lmHead == LmHeadFormat::Int8)
    pm.addPass(mlir::tern::createTernQuantizeLmHead());
  if (options.lmHead == LmHeadFormat::Q4)
    pm.addPass(mlir::tern::createTernQuantizeLmHead({/*format=*/"q4"}));
}

Expected<mlir::OwningOpRef<mlir::ModuleOp>>
ternc::importModel(mlir::MLIRContext &context, const gguf::GgufFile &file,
                   const std::string &path, const ModelOptions &options) {
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
      importGguf(context, file, options.import);
  if (!module)
    return module.error();
  mlir::PassManager pm(&context);
  buildModelPipeline(pm, options);
  if (mlir::failed(pm.run(**module)))
    return makeError("{}: the model passes failed (diagnostics above)", path);
  return module;
}

bool ternc::isTextStage(EmitStage stage) { return stage < EmitStage::Object; }

namespace {

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

/// Writes `text` to the file `path` (all or nothing).
Status writeFile(const std::string &path, llvm::StringRef text) {
  Expected<std::unique_ptr<OutputFile>> file = OutputFile::create(path);
  if (!file)
    return file.error();
  TERNC_RETURN_IF_ERROR((*file)->write(text.data(), text.size()));
  return (*file)->commit();
}

/// One compilation's phases, on the options it was given.
class Compilation {
public:
  explicit Compilation(const CompileOptions &options) : options_(options) {}

  Status run();

private:
  /// Whether the stage goes to standard output (no output file named).
  bool toStandardOutput() const {
    return options_.outputPath.empty() || options_.outputPath == "-";
  }
  void step(const std::string &name) const {
    if (options_.progress.step)
      options_.progress.step(name);
  }
  Status runPasses(llvm::function_ref<void(mlir::PassManager &)> build);
  Status writeText(llvm::StringRef text) const;
  Status writePrinted(llvm::function_ref<void(llvm::raw_ostream &)> print) const;
  Status writeModule() {
    return writePrinted([&](llvm::raw_ostream &os) { module_.print(os); });
  }
  Status writeModule(llvm::Module &module) const {
    return writePrinted(
        [&](llvm::raw_ostream &os) { module.print(os, nullptr); });
  }
  Status writeGraph();
  Status compileForTarget(const gguf::GgufFile &file);

  const CompileOptions &options_;
  mlir::MLIRContext context_;
  mlir::ModuleOp module_;
};

/// Runs the passes `build` adds on the module, printing IR and timings as
/// the options ask.
Status
Compilation::runPasses(llvm::function_ref<void(mlir::PassManager &)> build) {
  const IRInstrumentation &instrumentation = options_.instrumentation;
  mlir::PassManager pm(&context_);
  if (instrumentation.printAfterAll || !instrumentation.printAfter.empty()) {
    // Module-scope printing needs passes to run one at a time.
    context_.disableMultithreading();
    pm.enableIRPrinting(
        [](mlir::Pass *, mlir::Operation *) { return false; },
        [&](mlir::Pass *pass, mlir::Operation *) {
          return instrumentation.printAfterAll ||
                 llvm::is_contained(instrumentation.printAfter,
                                    pass->getArgument().str());
        },
        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
  }
  if (instrumentation.timing)
    pm.enableTiming();
  build(pm);
  if (mlir::failed(pm.run(module_)))
    return makeError("{}: the pass pipeline failed (diagnostics above)",
                     options_.inputPath);
  return Status::success();
}

/// Writes `text` to the output: standard output, or the output file (all
/// or nothing).
Status Compilation::writeText(llvm::StringRef text) const {
  if (toStandardOutput()) {
    llvm::outs() << text;
    return Status::success();
  }
  return writeFile(options_.outputPath, text);
}

/// Writes what `print` prints to the output, with a final newline.
Status Compilation::writePrinted(
    llvm::function_ref<void(llvm::raw_ostream &)> print) const {
  std::string text;
  llvm::raw_string_ostream stream(text);
  print(stream);
  stream << "\n";
  return writeText(stream.str());
}

/// Writes the fused module's data-flow graph as DOT, or as SVG through
/// Graphviz when the output is a .svg file.
Status Compilation::writeGraph() {
  std::string dot;
  llvm::raw_string_ostream stream(dot);
  TERNC_RETURN_IF_ERROR(runPasses([&](mlir::PassManager &pm) {
    pm.addPass(mlir::createPrintOpGraphPass(stream));
  }));
  const std::string &output = options_.outputPath;
  if (!llvm::StringRef(output).ends_with(".svg"))
    return writeText(stream.str());
  llvm::ErrorOr<std::string> graphviz = llvm::sys::findProgramByName("dot");
  if (!graphviz)
    return makeError("{}: SVG output needs Graphviz's 'dot' on PATH "
                     "(apt-get install graphviz), or write a .dot file",
                     output);
  Expected<ScratchDirectory> scratch = ScratchDirectory::create();
  if (!scratch)
    return scratch.error();
  std::string input = scratch->file("graph.dot");
  std::string svg = scratch->file("graph.svg");
  TERNC_RETURN_IF_ERROR(writeFile(input, dot));
  llvm::StringRef arguments[] = {*graphviz, "-Tsvg", "-o", svg, input};
  if (llvm::sys::ExecuteAndWait(*graphviz, arguments) != 0)
    return makeError("{}: Graphviz failed to render the graph", output);
  return writeThroughTemporary(
      output, [&](const std::string &temporary, int) -> Status {
        if (std::error_code error = llvm::sys::fs::copy_file(svg, temporary))
          return makeError("{}: cannot create: {}", output, error.message());
        return Status::success();
      });
}

/// The stages after tern-fused, for the options' target.
Status Compilation::compileForTarget(const gguf::GgufFile &file) {
  const BackendTarget &target = *options_.target;
  const EmitStage emit = options_.emit;
  const std::string &output = options_.outputPath;
  auto packing = [&](uint64_t done, uint64_t size) {
    if (options_.progress.bytes)
      options_.progress.bytes("packing the weights", done, size);
  };
  step("lowering");
  TERNC_RETURN_IF_ERROR(runPasses([&](mlir::PassManager &pm) {
    mlir::tern::TernSelectWeightLayoutOptions layout;
    layout.layout = target.ternaryLayout;
    layout.f16RowInterleave = target.f16RowInterleave;
    layout.ternaryRowInterleave = target.ternaryRowInterleave;
    mlir::tern::buildBackendPipeline(pm, layout);
  }));

  Expected<PackedWeights> weights =
      PackedWeights::plan(module_, file, target.name);
  if (!weights)
    return weights.error();

  TERNC_RETURN_IF_ERROR(runPasses([&](mlir::PassManager &pm) {
    mlir::tern::buildKernelLoweringPipeline(pm, target.kernelsSymbol);
  }));
  if (emit == EmitStage::Kernel)
    return writeModule();
  TERNC_RETURN_IF_ERROR(runPasses([&](mlir::PassManager &pm) {
    mlir::tern::buildLLVMConversionPipeline(pm);
  }));
  if (emit == EmitStage::LLVMDialect)
    return writeModule();

  Expected<ScratchDirectory> scratch = ScratchDirectory::create();
  if (!scratch)
    return scratch.error();
  step("generating code");
  Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      createTargetMachine(target);
  if (!machine)
    return machine.error();
  llvm::LLVMContext llvmContext;
  Expected<std::unique_ptr<llvm::Module>> llvmModule =
      translateToLLVMIR(module_, llvmContext, **machine);
  if (!llvmModule)
    return llvmModule.error();
  if (emit == EmitStage::Executable) {
    // The weights are appended to the linked code, not linked.
    std::string object = scratch->file("model.o");
    TERNC_RETURN_IF_ERROR(emitObjectFile(**llvmModule, **machine, object));
    step("linking");
    return linkExecutable(object, target, options_.libraryDirectory, *weights,
                          output, packing);
  }
  // The other stages `.incbin` the packed file. Assembly and LLVM IR written
  // to a file keep it beside the output, so that it can be assembled later.
  bool keepWeights =
      (emit == EmitStage::Assembly || emit == EmitStage::LLVMIR) &&
      !toStandardOutput();
  std::string weightsPath = keepWeights ? output + ".weights.gguf"
                                        : scratch->file("weights.gguf");
  TERNC_RETURN_IF_ERROR(weights->write(weightsPath, packing));
  step("generating code");
  if (emit == EmitStage::Assembly) {
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
  if (emit == EmitStage::LLVMIR)
    return writeModule(**llvmModule);
  if (emit == EmitStage::Object)
    return emitObjectFile(**llvmModule, **machine, output);
  std::string object = scratch->file("model.o");
  TERNC_RETURN_IF_ERROR(emitObjectFile(**llvmModule, **machine, object));
  step("writing the library");
  TERNC_RETURN_IF_ERROR(writeStaticLibrary(object, target,
                                           options_.libraryDirectory, output));
  llvm::SmallString<256> header(output);
  llvm::sys::path::remove_filename(header);
  llvm::sys::path::append(header, "ternc_model.h");
  return writeFile(header.str().str(), modelApiHeader());
}

Status Compilation::run() {
  if (!options_.target)
    return makeError("compile: no backend target given");
  if (!isTextStage(options_.emit) && toStandardOutput())
    return makeError("compile: a binary stage needs an output file");
  step("importing");
  Expected<std::unique_ptr<checkpoint::ModelFile>> model =
      checkpoint::ModelFile::open(options_.inputPath);
  if (!model)
    return model.error();
  for (const std::string &warning : (*model)->warnings())
    llvm::WithColor::warning() << options_.inputPath << ": " << warning
                               << "\n";
  const gguf::GgufFile &file = (*model)->gguf();
  context_.loadDialect<mlir::tern::TernDialect, mlir::func::FuncDialect,
                       mlir::arith::ArithDialect, mlir::LLVM::LLVMDialect>();
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> imported =
      importGguf(context_, file, options_.model.import);
  if (!imported)
    return imported.error();
  mlir::OwningOpRef<mlir::ModuleOp> owned = imported.take();
  module_ = *owned;
  if (options_.emit == EmitStage::Tern)
    return writeModule();
  TERNC_RETURN_IF_ERROR(runPasses([&](mlir::PassManager &pm) {
    buildModelPipeline(pm, options_.model);
    mlir::tern::buildFusionPipeline(pm);
  }));
  if (options_.emit == EmitStage::TernFused)
    return writeModule();
  if (options_.emit == EmitStage::Dot)
    return writeGraph();
  return compileForTarget(file);
}

} // namespace

Status ternc::compileModel(const CompileOptions &options) {
  return Compilation(options).run();
}
