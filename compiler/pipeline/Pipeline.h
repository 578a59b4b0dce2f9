//===- Pipeline.h - A compilation as a library call -------------*- C++ -*-===//
//
// The phases of docs/architecture.md in one place, driven by option
// structs, so that `ternc compile`, `ternc eval`/`run` and any embedder run
// the same pipeline (`ternc` only maps its flags to these options):
//
//   import -> model passes (LM head) -> fusion -> [tern-fused | dot]
//   -> layout, memory plan -> packing plan -> kernel lowering -> [kernel]
//   -> LLVM dialect -> [llvm-dialect] -> LLVM IR -> [llvm-ir]
//   -> machine code -> [asm | obj] -> link -> [exe | lib]
//
// Each bracket is a stage a compilation can stop at and write. The pass
// pipelines themselves are registered for tern-opt too
// (compiler/transforms/Passes.h).
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_PIPELINE_PIPELINE_H
#define TERNC_COMPILER_PIPELINE_PIPELINE_H

#include "backends/Target.h"
#include "compiler/import/GgufImporter.h"
#include "runtime/gguf/GgufFile.h"
#include "runtime/support/Error.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/PassManager.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ternc {

/// How the LM head is stored in the compiled model.
enum class LmHeadFormat {
  /// As the model file stores it.
  Stored,
  /// int8 with one scale per row (tern-quantize-lm-head).
  Int8,
  /// 4-bit in groups of 32 with 8-bit sub-scales and a row scale.
  Q4,
};

/// The format `name` ("stored", "int8", "q4": --lm-head's values) names;
/// errors list the names.
Expected<LmHeadFormat> parseLmHeadFormat(std::string_view name);

/// The numerics `name` ("bitnet", "llama.cpp": --numerics's values) names;
/// errors list the names.
Expected<Numerics> parseNumerics(std::string_view name);

/// What a model is, before any backend: the import's shapes and the
/// model-level passes. compile, eval and run share them, so that the
/// interpreter runs what a compiled binary runs.
struct ModelOptions {
  ImportOptions import;
  LmHeadFormat lmHead = LmHeadFormat::Stored;
};

/// Adds the model-level passes `options` asks for (the LM head's format).
void buildModelPipeline(mlir::OpPassManager &pm, const ModelOptions &options);

/// Imports `file` into `context` (which must have the tern and func dialects
/// loaded) and runs the model-level passes on it. Errors name `path`.
Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importModel(mlir::MLIRContext &context, const gguf::GgufFile &file,
            const std::string &path, const ModelOptions &options);

/// The stages a compilation can stop at and write, in pipeline order.
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
  Library,
};

/// Whether `stage` is written as text (and may go to standard output).
bool isTextStage(EmitStage stage);

/// IR printing and timing, as mlir-opt's flags of the same names.
struct IRInstrumentation {
  /// Print the module after every pass.
  bool printAfterAll = false;
  /// Print the module after the passes with these arguments.
  std::vector<std::string> printAfter;
  /// Report the time of every pass.
  bool timing = false;

  bool any() const { return printAfterAll || !printAfter.empty() || timing; }
};

/// Called as the long phases run: `step` names the phase ("linking");
/// `bytes` reports `done` of `total` bytes of a phase that streams data.
struct CompileProgress {
  std::function<void(const std::string &step)> step;
  std::function<void(const std::string &step, uint64_t done, uint64_t total)>
      bytes;
};

/// One compilation.
struct CompileOptions {
  /// The model file (a GGUF file).
  std::string inputPath;
  /// Where the stage is written; empty or "-" means standard output, which
  /// only text stages accept.
  std::string outputPath;
  EmitStage emit = EmitStage::Executable;
  /// The backend (backends/Target.h); required.
  const BackendTarget *target = nullptr;
  ModelOptions model;
  IRInstrumentation instrumentation;
  /// The folder holding the runtime and kernel libraries that executables
  /// and libraries are linked against (ternc's lib/).
  std::string libraryDirectory;
  CompileProgress progress;
};

/// Runs the pipeline on `options.inputPath` up to `options.emit` and writes
/// that stage, all or nothing. Errors name the file, flag or pass at fault
/// (pass diagnostics go to the MLIR context's handler first).
Status compileModel(const CompileOptions &options);

} // namespace ternc

#endif // TERNC_COMPILER_PIPELINE_PIPELINE_H
