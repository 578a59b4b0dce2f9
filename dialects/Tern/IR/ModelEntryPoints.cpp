//===- ModelEntryPoints.cpp - The @decode/@prefill contract ---------------===//

#include "dialects/Tern/IR/ModelEntryPoints.h"

#include "dialects/Tern/IR/TernOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::tern;

namespace {

/// The facts of one entry function's type.
struct EntryShape {
  int64_t tokens;
  int64_t vocabSize;
  KVCacheType cache;
};

/// Checks that the ops of `function` read the token ids, the position and
/// the KV cache from its arguments, where a compiled model's runtime passes
/// them (a TernStep's fields and the executor's cache); emits an error on
/// the first op that reads another value.
LogicalResult checkEntryOperands(func::FuncOp function) {
  const struct {
    unsigned index;
    const char *what;
  } kArguments[] = {{0, "token ids"}, {1, "position"}, {2, "KV cache"}};
  auto require = [&](Operation *op, Value operand,
                     unsigned index) -> LogicalResult {
    if (operand == function.getArgument(index))
      return success();
    return op->emitError() << "must read the " << kArguments[index].what
                           << " from @" << function.getName()
                           << "'s argument #" << index
                           << ", the only place a compiled model gets them";
  };
  WalkResult walk = function.walk([&](Operation *op) {
    LogicalResult checked =
        llvm::TypeSwitch<Operation *, LogicalResult>(op)
            .Case([&](EmbedOp embed) {
              return require(op, embed.getTokens(), 0);
            })
            .Case([&](RopeOp rope) {
              return require(op, rope.getPosition(), 1);
            })
            .Case([&](AttentionOp attention) {
              return success(succeeded(require(op, attention.getPosition(), 1)) &&
                             succeeded(require(op, attention.getCache(), 2)));
            })
            .Default([](Operation *) { return success(); });
    return failed(checked) ? WalkResult::interrupt() : WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

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
  if (failed(checkEntryOperands(function)))
    return failure();
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
