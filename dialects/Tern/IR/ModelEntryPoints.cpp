//===- ModelEntryPoints.cpp - The @decode/@prefill contract ---------------===//

#include "dialects/Tern/IR/ModelEntryPoints.h"

using namespace mlir;
using namespace mlir::tern;

namespace {

/// The facts of one entry function's type.
struct EntryShape {
  int64_t tokens;
  int64_t vocabSize;
  KVCacheType cache;
};

/// Checks `function`'s type against the contract; emits an error on it and
/// fails otherwise.
FailureOr<EntryShape> checkEntry(func::FuncOp function) {
  auto fail = [&]() -> FailureOr<EntryShape> {
    return function.emitError()
           << "@" << function.getName()
           << " must have the type (tensor<N x i32>, index, !tern.kv_cache) "
              "-> tensor<N x vocab x f32> of a tern model entry, not "
           << function.getFunctionType();
  };
  FunctionType type = function.getFunctionType();
  if (type.getNumInputs() != 3 || type.getNumResults() != 1)
    return fail();
  auto tokens = dyn_cast<RankedTensorType>(type.getInput(0));
  auto cache = dyn_cast<KVCacheType>(type.getInput(2));
  auto logits = dyn_cast<RankedTensorType>(type.getResult(0));
  if (!tokens || tokens.getRank() != 1 || !tokens.hasStaticShape() ||
      !tokens.getElementType().isInteger(32) ||
      !isa<IndexType>(type.getInput(1)) || !cache || !logits ||
      logits.getRank() != 2 || !logits.hasStaticShape() ||
      !logits.getElementType().isF32() ||
      logits.getDimSize(0) != tokens.getDimSize(0) ||
      tokens.getDimSize(0) < 1 || logits.getDimSize(1) < 1)
    return fail();
  if (function.isExternal() || !function.getBody().hasOneBlock()) {
    return function.emitError()
           << "@" << function.getName() << " must have a body of one block";
  }
  return EntryShape{tokens.getDimSize(0), logits.getDimSize(1), cache};
}

} // namespace

FailureOr<ModelEntryPoints> mlir::tern::getModelEntryPoints(ModuleOp module) {
  ModelEntryPoints entries;
  entries.decode = module.lookupSymbol<func::FuncOp>("decode");
  entries.prefill = module.lookupSymbol<func::FuncOp>("prefill");
  if (!entries.decode || !entries.prefill)
    return module.emitError()
           << "a tern model module needs the functions @decode and @prefill";
  FailureOr<EntryShape> decode = checkEntry(entries.decode);
  FailureOr<EntryShape> prefill = checkEntry(entries.prefill);
  if (failed(decode) || failed(prefill))
    return failure();
  if (decode->tokens != 1)
    return entries.decode.emitError()
           << "@decode must take one token, not " << decode->tokens;
  if (decode->cache != prefill->cache ||
      decode->vocabSize != prefill->vocabSize)
    return entries.prefill.emitError()
           << "@prefill must take the KV cache and give the vocabulary of "
              "@decode ("
           << decode->cache << ", " << decode->vocabSize << " logits), not "
           << prefill->cache << " and " << prefill->vocabSize;
  entries.prefillChunk = prefill->tokens;
  entries.vocabSize = decode->vocabSize;
  entries.cache = decode->cache;
  return entries;
}
