//===- GgufImporter.h - GGUF model -> tern IR -------------------*- C++ -*-===//
//
// Turns a GGUF model of a supported architecture into a tern module with two
// entry functions of static shapes:
//   func.func @decode(%tokens: tensor<1xi32>, %position: index,
//                     %cache: !tern.kv_cache<...>) -> tensor<1xVOCABxf32>
//   func.func @prefill(%tokens: tensor<CHUNKxi32>, ...) -> tensor<CHUNKx...>
// Weights are tern.weight ops naming GGUF tensors. Every tensor is checked
// against the architecture first, so a bad model fails with a message naming
// the tensor, never with an invalid module.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_IMPORT_GGUFIMPORTER_H
#define TERNC_COMPILER_IMPORT_GGUFIMPORTER_H

#include "runtime/gguf/GgufFile.h"
#include "runtime/support/Error.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>

namespace ternc {

/// Whose numerics the ternary matmuls follow (--numerics; docs/formats.md
/// §4 and §7).
enum class Numerics {
  /// BitNet b1.58's training rule, which bitnet.cpp computes: activations
  /// quantized per token (absmax int8). The default for every format.
  BitNet,
  /// What llama.cpp computes on the file: TQ1_0/TQ2_0 matmuls on Q8_K
  /// activation blocks of 256; I2_S ones per token as bitnet.cpp's llama.cpp
  /// fork (the one that reads I2_S). Float ternary weights are refused
  /// (llama.cpp multiplies them unquantized).
  LlamaCpp,
};

/// Compile-time choices of the import.
struct ImportOptions {
  /// The ternary matmuls' numerics.
  Numerics numerics = Numerics::BitNet;
  /// Tokens per prefill call; prompts are fed in chunks of this size.
  int64_t prefillChunk = 128;
  /// KV cache capacity in positions; 0 means the model's context_length.
  int64_t contextLength = 0;
};

/// Imports `file` as a tern module into `context` (which must have the tern
/// and func dialects loaded).
Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importGguf(mlir::MLIRContext &context, const gguf::GgufFile &file,
           const ImportOptions &options = {});

} // namespace ternc

#endif // TERNC_COMPILER_IMPORT_GGUFIMPORTER_H
