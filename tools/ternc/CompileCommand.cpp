//===- CompileCommand.cpp - `ternc compile`: GGUF model -> native binary --===//
//
// Maps the command's flags to compiler/pipeline's CompileOptions and runs
// the pipeline up to the stage --emit names: IR text for the MLIR stages,
// LLVM IR, assembly, an object file or (the default) a linked executable.
//
//===----------------------------------------------------------------------===//

#include "tools/ternc/Commands.h"
#include "tools/ternc/Diagnostics.h"
#include "tools/ternc/Progress.h"

#include "backends/Target.h"
#include "compiler/pipeline/Pipeline.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

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
cl::opt<int64_t> prefillChunk("prefill-chunk",
                              cl::desc("Tokens per prefill call"),
                              cl::init(ImportOptions().prefillChunk),
                              cl::sub(tool::compileCommand()),
                              cl::cat(category()));
cl::opt<int64_t> contextLength("ctx",
                               cl::desc("KV cache capacity in positions "
                                        "(default: the model's "
                                        "context_length)"),
                               cl::init(ImportOptions().contextLength),
                               cl::sub(tool::compileCommand()),
                               cl::cat(category()));
cl::opt<LmHeadFormat> lmHead(
    "lm-head", cl::desc("LM head weights (default: stored)"),
    cl::values(clEnumValN(LmHeadFormat::Stored, "stored",
                          "as the model file stores them"),
               clEnumValN(LmHeadFormat::Int8, "int8",
                          "int8 with one scale per row, quantized at compile "
                          "time (a tied embedding reads them too)"),
               clEnumValN(LmHeadFormat::Q4, "q4",
                          "4-bit in groups of 32 columns with 8-bit "
                          "sub-scales and one scale per row, quantized at "
                          "compile time (a tied embedding reads them too)")),
    cl::init(LmHeadFormat::Stored), cl::sub(tool::compileCommand()),
    cl::cat(category()));
cl::opt<Numerics> numerics(
    "numerics", cl::desc("Ternary matmul numerics (default: bitnet)"),
    cl::values(clEnumValN(Numerics::BitNet, "bitnet",
                          "bitnet.cpp's and the model's training rule: "
                          "activations quantized per token"),
               clEnumValN(Numerics::LlamaCpp, "llama.cpp",
                          "llama.cpp's: TQ1_0/TQ2_0 matmuls on activations "
                          "quantized per block of 256 (Q8_K)")),
    cl::init(Numerics::BitNet), cl::sub(tool::compileCommand()),
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
                                            "tern-fuse-gated-mul)"),
                                   cl::CommaSeparated,
                                   cl::sub(tool::compileCommand()),
                                   cl::cat(category()));
cl::opt<bool> passTiming("pass-timing",
                         cl::desc("Report the time of each pass (to stderr)"),
                         cl::sub(tool::compileCommand()), cl::cat(category()));

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
  CompileOptions options;
  options.inputPath = inputPath;
  options.outputPath = outputPath;
  options.emit = emitStage;
  options.target = target;
  options.model.import.prefillChunk = prefillChunk;
  options.model.import.contextLength = contextLength;
  options.model.lmHead = lmHead;
  options.model.import.numerics = numerics;
  options.instrumentation.printAfterAll = printIrAfterAll;
  options.instrumentation.printAfter.assign(printIrAfter.begin(),
                                            printIrAfter.end());
  options.instrumentation.timing = passTiming;
  options.libraryDirectory = libraryDirectory();
  // Binary stages print nothing else while they run: a status line there.
  Status status = [&] {
    tool::Progress progress(!isTextStage(emitStage) &&
                            !options.instrumentation.any());
    options.progress.step = [&](const std::string &step) {
      progress.step(step);
    };
    options.progress.bytes = [&](const std::string &step, uint64_t done,
                                 uint64_t total) {
      progress.bytes(step, done, total);
    };
    return compileModel(options);
  }();
  return status.ok() ? 0 : reportError(status.error());
}
