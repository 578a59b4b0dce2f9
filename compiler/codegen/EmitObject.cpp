//===- EmitObject.cpp - LLVM dialect -> LLVM IR -> assembly/object --------===//

#include "compiler/codegen/EmitObject.h"

#include "compiler/codegen/TemporaryOutput.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <mutex>

namespace ternc {

namespace {

/// Registers every LLVM target once: a backend may cross-compile.
void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmParsers();
    llvm::InitializeAllAsmPrinters();
  });
}

} // namespace

std::string weightsAssembly(const std::string &packedWeightsPath) {
  std::string escaped;
  for (char c : packedWeightsPath) {
    if (c == '"' || c == '\\')
      escaped += '\\';
    escaped += c;
  }
  return fmt::format(
      ".pushsection .rodata.tern_model_gguf,\"a\",@progbits\n"
      ".p2align 12\n"
      ".globl tern_model_gguf\n"
      ".type tern_model_gguf,@object\n"
      "tern_model_gguf:\n"
      ".incbin \"{}\"\n"
      ".globl tern_model_gguf_end\n"
      "tern_model_gguf_end:\n"
      ".size tern_model_gguf, tern_model_gguf_end - tern_model_gguf\n"
      ".popsection\n",
      escaped);
}

void embedWeights(llvm::Module &module, const std::string &packedWeightsPath) {
  module.appendModuleInlineAsm(weightsAssembly(packedWeightsPath));
}

Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const BackendTarget &target) {
  initializeTargets();
  std::string triple =
      target.triple.empty() ? llvm::sys::getDefaultTargetTriple() : target.triple;
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return makeError("target '{}': no LLVM target for triple '{}': {}",
                     target.name, triple, error);
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(
      llvmTarget->createTargetMachine(triple, target.cpu, target.features,
                                      options, llvm::Reloc::PIC_));
  if (!machine)
    return makeError("target '{}': LLVM cannot build a target machine for "
                     "'{}' (cpu '{}', features '{}')",
                     target.name, triple, target.cpu, target.features);
  return machine;
}

Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &machine) {
  mlir::DialectRegistry registry;
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context, "tern_model");
  if (!llvmModule)
    return makeError("translating the module to LLVM IR failed "
                     "(diagnostics above)");
  llvmModule->setTargetTriple(machine.getTargetTriple().str());
  llvmModule->setDataLayout(machine.createDataLayout());
  auto optimize = mlir::makeOptimizingTransformer(/*optLevel=*/2,
                                                  /*sizeLevel=*/0, &machine);
  if (llvm::Error error = optimize(llvmModule.get())) {
    std::string message = llvm::toString(std::move(error));
    return makeError("optimizing the LLVM IR failed: {}", message);
  }
  return llvmModule;
}

Status emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                       MachineCodeKind kind, llvm::raw_pwrite_stream &stream) {
  llvm::legacy::PassManager passes;
  auto fileType = kind == MachineCodeKind::Assembly
                      ? llvm::CodeGenFileType::AssemblyFile
                      : llvm::CodeGenFileType::ObjectFile;
  if (machine.addPassesToEmitFile(passes, stream, nullptr, fileType))
    return makeError("the target machine cannot emit this kind of file");
  passes.run(module);
  return Status::success();
}

Status emitObjectFile(llvm::Module &module, llvm::TargetMachine &machine,
                      const std::string &path) {
  // Streamed to disk: an object embeds the whole packed model.
  return writeThroughTemporary(
      path, [&](const std::string &, int descriptor) -> Status {
        llvm::raw_fd_ostream stream(descriptor, /*shouldClose=*/false);
        TERNC_RETURN_IF_ERROR(
            emitMachineCode(module, machine, MachineCodeKind::Object, stream));
        stream.flush();
        if (stream.has_error()) {
          std::string message = stream.error().message();
          stream.clear_error();
          return makeError("{}: write failed: {}", path, message);
        }
        return Status::success();
      });
}

} // namespace ternc
