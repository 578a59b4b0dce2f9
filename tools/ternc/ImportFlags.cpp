//===- ImportFlags.cpp - Flags shared by the commands that import ---------===//

#include "tools/ternc/ImportFlags.h"

#include "tools/ternc/Commands.h"

#include "dialects/Tern/IR/TernDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace cl = llvm::cl;

namespace ternc::tool {
namespace {

cl::opt<int64_t> prefillChunk("prefill-chunk",
                              cl::desc("Tokens per prefill call"),
                              cl::init(ImportOptions().prefillChunk),
                              cl::sub(compileCommand()),
                              cl::sub(evalCommand()), cl::sub(runCommand()),
                              cl::cat(terncCategory()));
cl::opt<int64_t> contextLength("ctx",
                               cl::desc("KV cache capacity in positions "
                                        "(default: the model's "
                                        "context_length)"),
                               cl::init(ImportOptions().contextLength),
                               cl::sub(compileCommand()),
                               cl::sub(evalCommand()), cl::sub(runCommand()),
                               cl::cat(terncCategory()));
cl::opt<std::string> kvType("kv-type",
                            cl::desc("KV cache precision of the reference "
                                     "interpreter: f16 (bitnet.cpp's "
                                     "rounding, default) or f32"),
                            cl::init("f16"), cl::sub(evalCommand()),
                            cl::sub(runCommand()), cl::cat(terncCategory()));

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
    cl::init(LmHeadFormat::Stored), cl::sub(compileCommand()),
    cl::sub(evalCommand()), cl::sub(runCommand()), cl::cat(terncCategory()));

} // namespace

ModelOptions modelOptionsFromFlags() {
  ModelOptions options;
  options.import.prefillChunk = prefillChunk;
  options.import.contextLength = contextLength;
  options.lmHead = lmHead;
  return options;
}

Expected<InterpretedModel> loadInterpretedModel(const std::string &path) {
  if (kvType != "f16" && kvType != "f32")
    return makeError("--kv-type '{}' is not f16 or f32", kvType.getValue());
  InterpretedModel model;
  Expected<gguf::GgufFile> file = gguf::GgufFile::open(path);
  if (!file)
    return file.error();
  model.file = std::make_unique<gguf::GgufFile>(file.take());
  model.context = std::make_unique<mlir::MLIRContext>();
  model.context->loadDialect<mlir::tern::TernDialect,
                             mlir::func::FuncDialect>();
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> module =
      importModel(*model.context, *model.file, path, modelOptionsFromFlags());
  if (!module)
    return module.error();
  model.module = module.take();
  InterpreterOptions options;
  options.f16Cache = kvType == "f16";
  Expected<std::unique_ptr<Interpreter>> interpreter =
      Interpreter::create(*model.module, *model.file, options);
  if (!interpreter)
    return interpreter.error();
  model.interpreter = interpreter.take();
  return model;
}

} // namespace ternc::tool
