//===- ModelEntryPoints.h - The @decode/@prefill contract -------*- C++ -*-===//
//
// A tern model module has two entry functions that the interpreter and the
// lowering run: @decode (one token) and @prefill (a chunk of tokens), each
//   (tensor<N x i32> tokens, index position, !tern.kv_cache<...>)
//     -> tensor<N x vocab x f32> logits
// with one block, N = 1 for @decode, and the same cache and vocabulary in
// both; `tern.embed` reads the tokens argument, `tern.rope` and
// `tern.attention` the position argument and `tern.attention` the cache
// argument (a compiled model's runtime passes them nowhere else). The importer builds them; everything that reads them checks them
// here first, so that a hand-written module that breaks the contract gets a
// diagnostic naming the function instead of a failed cast.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_DIALECTS_TERN_IR_MODELENTRYPOINTS_H
#define TERNC_DIALECTS_TERN_IR_MODELENTRYPOINTS_H

#include "dialects/Tern/IR/TernTypes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::tern {

/// A module's checked entry functions and the facts their types give.
struct ModelEntryPoints {
  func::FuncOp decode;
  func::FuncOp prefill;
  /// Tokens per @prefill call.
  int64_t prefillChunk = 0;
  /// Logits per token.
  int64_t vocabSize = 0;
  /// The KV cache both functions take.
  KVCacheType cache;
};

/// Finds @decode and @prefill in `module` and checks them against the
/// contract above; emits an error on the module or the offending function
/// and fails otherwise.
FailureOr<ModelEntryPoints> getModelEntryPoints(ModuleOp module);

} // namespace mlir::tern

#endif // TERNC_DIALECTS_TERN_IR_MODELENTRYPOINTS_H
