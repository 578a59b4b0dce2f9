//===- EmitObject.h - LLVM dialect -> LLVM IR -> machine code ---*- C++ -*-===//
//
// The last compiler stages: translate the lowered module to LLVM IR, attach
// the packed weights (module-level assembly that `.incbin`s the packed GGUF
// file into a read-only section, so the weights are part of the object and
// are used in place), optimize, and emit assembly or an object file with an
// llvm::TargetMachine built from the backend's triple, CPU and features.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CODEGEN_EMITOBJECT_H
#define TERNC_COMPILER_CODEGEN_EMITOBJECT_H

#include "backends/Target.h"
#include "runtime/support/Error.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace ternc {

/// The target machine for `target` (the host's triple when it names none).
Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const BackendTarget &target);

/// Translates `module` (LLVM dialect only) to LLVM IR for `machine` and
/// optimizes it at -O2.
Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &machine);

/// Assembly that defines `tern_model_gguf` .. `tern_model_gguf_end` as the
/// bytes of the file `packedWeightsPath`, page-aligned in a read-only
/// section (with `.incbin`, so the file is read when it is assembled).
std::string weightsAssembly(const std::string &packedWeightsPath);

/// Adds weightsAssembly(packedWeightsPath) to `module` as module-level
/// assembly: the object file emitted from it holds the weights.
void embedWeights(llvm::Module &module, const std::string &packedWeightsPath);

/// What emitMachineCode writes.
enum class MachineCodeKind { Assembly, Object };

/// Writes `module` as assembly or an object file to `stream`.
Status emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                       MachineCodeKind kind, llvm::raw_pwrite_stream &stream);

/// Writes `module` as an object file to `path` (all or nothing).
Status emitObjectFile(llvm::Module &module, llvm::TargetMachine &machine,
                      const std::string &path);

} // namespace ternc

#endif // TERNC_COMPILER_CODEGEN_EMITOBJECT_H
