//===- Interpreter.h - Reference interpreter of tern IR ---------*- C++ -*-===//
//
// Executes an imported tern module op by op with the reference semantics of
// ReferenceOps.h, reading weights from the GGUF file. It is the golden model
// every compiled binary and kernel is compared with: `ternc eval` and
// `ternc run` use it.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_INTERPRETER_INTERPRETER_H
#define TERNC_COMPILER_INTERPRETER_INTERPRETER_H

#include "compiler/reference/ReferenceOps.h"
#include "dialects/Tern/IR/TernTypes.h"
#include "runtime/generate/Session.h"
#include "runtime/gguf/GgufFile.h"
#include "runtime/support/Error.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ternc {

/// Numerics choices of the interpreter.
struct InterpreterOptions {
  /// Keep the KV cache in f16 and round queries and attention probabilities
  /// to f16 before their products, as bitnet.cpp does (`--kv-type f16`, the
  /// default); false keeps everything in f32 (`--kv-type f32`).
  bool f16Cache = true;
};

/// One sequence: its KV cache and the position of its next token.
class InterpreterSession {
public:
  /// Positions filled so far.
  int64_t position() const { return position_; }

private:
  friend class Interpreter;
  InterpreterSession(reference::KVCache cache) : cache_(std::move(cache)) {}

  reference::KVCache cache_;
  int64_t position_ = 0;
};

/// Runs the @decode and @prefill functions of a tern module.
class Interpreter {
public:
  /// Prepares to run `module`, imported from `file`; both must outlive the
  /// interpreter.
  static Expected<std::unique_ptr<Interpreter>>
  create(mlir::ModuleOp module, const gguf::GgufFile &file,
         const InterpreterOptions &options = {});

  /// A new, empty sequence.
  InterpreterSession newSession() const;

  /// Runs `tokens` from the session's position on: one token through
  /// @decode, more through @prefill in chunks (the tail of the last chunk
  /// padded and masked). Appends them to the session's cache and returns
  /// their logits, row-major [tokens][vocab]. Fails, changing nothing, when
  /// the context would overflow or a token id is outside the vocabulary.
  Expected<std::vector<float>> forward(InterpreterSession &session,
                                       const std::vector<int32_t> &tokens);

  int64_t vocabSize() const { return vocabSize_; }
  int64_t contextLength() const { return cacheType_.getCapacity(); }
  int64_t prefillChunk() const { return prefillChunk_; }

private:
  Interpreter(mlir::ModuleOp module, const gguf::GgufFile &file,
              const InterpreterOptions &options)
      : module_(module), file_(file), options_(options) {}

  /// Runs `function` on `tokens` (its static token count) of which the first
  /// `validTokens` are real.
  Expected<reference::Activations> run(mlir::func::FuncOp function,
                                       const std::vector<int32_t> &tokens,
                                       int64_t validTokens,
                                       InterpreterSession &session);

  const reference::Trits &ternaryWeight(const std::string &name);
  const reference::FloatMatrix &floatWeight(const std::string &name,
                                            mlir::Type type);
  const std::vector<float> &vectorWeight(const std::string &name);
  /// Quantizes the #tern.row_scaled weights, int8 or 4-bit (once, at
  /// creation: it can fail on non-finite values).
  Status quantizeRowScaledWeights();

  mlir::ModuleOp module_;
  const gguf::GgufFile &file_;
  InterpreterOptions options_;
  mlir::func::FuncOp decode_, prefill_;
  mlir::tern::KVCacheType cacheType_;
  int64_t vocabSize_ = 0;
  int64_t prefillChunk_ = 0;
  // Weights decoded on first use, shared by both functions.
  std::map<std::string, reference::Trits> ternary_;
  std::map<std::string, reference::FloatMatrix> matrices_;
  std::map<std::string, std::vector<float>> vectors_;
  std::map<std::string, reference::RowScaledMatrix> rowScaled_;
  std::map<std::string, reference::Q4Matrix> q4_;
};

/// One interpreted sequence as the shared generation and evaluation loops
/// (runtime/generate) see it, so `ternc run/eval` and compiled binaries run
/// the same loop.
class InterpretedSequence : public generate::Session {
public:
  explicit InterpretedSequence(Interpreter &interpreter)
      : interpreter_(interpreter), session_(interpreter.newSession()) {}

  Expected<std::vector<float>>
  forward(const std::vector<int32_t> &tokens) override {
    return interpreter_.forward(session_, tokens);
  }
  int64_t vocabSize() const override { return interpreter_.vocabSize(); }
  int64_t contextLength() const override {
    return interpreter_.contextLength();
  }
  int64_t position() const override { return session_.position(); }

private:
  Interpreter &interpreter_;
  InterpreterSession session_;
};

} // namespace ternc

#endif // TERNC_COMPILER_INTERPRETER_INTERPRETER_H
