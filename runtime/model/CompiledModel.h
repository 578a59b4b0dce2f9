//===- CompiledModel.h - A compiled model and its sessions ------*- C++ -*-===//
//
// The C++ face of a model compiled by `ternc compile`: `CompiledModel` is
// the read-only part (the description, the embedded packed GGUF file, its
// tokenizer, the kernel table), checked against this runtime when it is
// created; `CompiledSession` is one sequence (KV cache, activation arena,
// position, executor) that runs the model's decode and prefill functions.
// Any number of sessions of one model run independently.
//
// A model is described by a `ModelDefinition`: EmbeddedModel.h builds one
// from the symbols a compiled object defines, and tests build their own.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_MODEL_COMPILEDMODEL_H
#define TERNC_RUNTIME_MODEL_COMPILEDMODEL_H

#include "runtime/generate/Session.h"
#include "runtime/gguf/GgufFile.h"
#include "runtime/model/AnonymousMemory.h"
#include "runtime/model/ModelAbi.h"
#include "runtime/model/ModelWeights.h"
#include "runtime/support/Bytes.h"
#include "runtime/support/Error.h"
#include "runtime/tokenizer/Tokenizer.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ternc {

/// The pieces of a compiled model, as ModelAbi.h defines them.
struct ModelDefinition {
  /// tern_model_info.
  const TernModelInfo *info = nullptr;
  /// The packed model file in memory, [tern_model_gguf, tern_model_gguf_end)
  /// of a library; empty when `appendedTo` names where it is.
  ByteSpan gguf;
  /// tern_model_kernels: the backend's table, or NULL on a CPU that cannot
  /// run it.
  const TernKernels *(*kernels)() = nullptr;
  /// tern_model_decode and tern_model_prefill.
  void (*decode)(const TernStep *step) = nullptr;
  void (*prefill)(const TernStep *step) = nullptr;
  /// `gguf` lies in a file mapping (the program's) whose pages may be
  /// dropped and read back.
  bool ggufIsFileMapping = false;
  /// The executable whose appended weights (AppendedWeights.h) are the
  /// packed model file, when `gguf` is empty: "/proc/self/exe" for a
  /// compiled executable.
  std::string appendedTo;
};

/// How to set up a model.
struct ModelOptions {
  /// Where the weights live (ModelWeights.h): by default a resident copy
  /// filled by `weights.fillThreads` threads.
  WeightsOptions weights;
};

/// How to set up a session.
struct SessionOptions {
  /// Threads that run the kernels, the caller's included (at least 1).
  int threads = 1;
  /// KV cache positions; 0 means the context length the model was compiled
  /// for, which is also the largest allowed.
  int64_t contextLength = 0;
};

class CompiledSession;

/// A compiled model: read-only once created, shared by its sessions, which
/// it must outlive.
class CompiledModel {
public:
  /// Checks `definition` against this runtime (model and kernel ABI
  /// versions, the backend's availability on this CPU, the description's
  /// sizes), places the weights as options.weights says and parses the
  /// packed file. The definition's bytes must outlive the model.
  static Expected<std::unique_ptr<CompiledModel>>
  create(const ModelDefinition &definition, const ModelOptions &options = {});

  CompiledModel(const CompiledModel &) = delete;
  CompiledModel &operator=(const CompiledModel &) = delete;

  const TernModelInfo &info() const { return info_; }
  const TernKernels &kernels() const { return *kernels_; }
  /// The backend's name, e.g. "generic".
  const char *backendName() const { return kernels_->name; }
  const ModelDefinition &definition() const { return definition_; }
  /// The packed file, parsed over the bytes the model runs from.
  const gguf::GgufFile &file() const { return *file_; }
  /// The packed file's bytes the model runs from: the embedded bytes, or
  /// their copy.
  const uint8_t *weights() const { return weights_.data(); }
  /// What TernStep::weights points at: the packed file's tensor data.
  const uint8_t *tensorData() const {
    return weights_.data() + file_->dataOffset();
  }
  /// Whether the weights are a resident copy.
  bool weightsResident() const { return weights_.resident(); }
  /// general.name, else general.architecture, else "model".
  std::string name() const;
  /// How the ternary matmuls quantize their activations ("per_token",
  /// "q8_k", or both comma-separated), as the compiler recorded it; "" when
  /// it did not.
  std::string ternaryActivations() const;

  int64_t vocabSize() const { return info_.vocab_size; }
  int64_t contextLength() const { return info_.context_length; }
  int64_t prefillChunk() const { return info_.prefill_chunk; }

  /// The tokenizer of the packed file (built on first use), or why it
  /// cannot be built. Thread-safe.
  Expected<const tokenizer::Tokenizer *> tokenizer() const;

  /// A new, empty sequence.
  Expected<std::unique_ptr<CompiledSession>>
  newSession(const SessionOptions &options = {}) const;

private:
  CompiledModel() = default;

  ModelDefinition definition_;
  TernModelInfo info_{};
  const TernKernels *kernels_ = nullptr;
  ModelWeights weights_;
  std::unique_ptr<gguf::GgufFile> file_;

  mutable std::once_flag tokenizerOnce_;
  mutable std::optional<tokenizer::Tokenizer> tokenizer_;
  mutable std::optional<Error> tokenizerError_;
};

/// One sequence of a compiled model.
class CompiledSession final : public generate::Session {
public:
  ~CompiledSession() override;
  CompiledSession(const CompiledSession &) = delete;
  CompiledSession &operator=(const CompiledSession &) = delete;

  /// Runs `tokens` from position() on: one token through the decode
  /// function, more through prefill in chunks of prefill_chunk tokens, the
  /// tail of the last one padded with token 0 and masked. Returns their
  /// logits, row-major [tokens][vocabSize()]. Fails, changing nothing, when
  /// the context would overflow or a token id is outside the vocabulary.
  Expected<std::vector<float>>
  forward(const std::vector<int32_t> &tokens) override;

  /// forward() computing only the last token's LM head (the step's
  /// last_logits_only): its [vocabSize()] logits, bit-identical to
  /// forward()'s last row.
  Expected<std::vector<float>>
  forwardLast(const std::vector<int32_t> &tokens) override;
  int64_t vocabSize() const override { return model_.vocabSize(); }
  int64_t contextLength() const override { return contextLength_; }
  int64_t position() const override { return position_; }

  /// Starts the sequence over (the cache is overwritten as it refills).
  void reset() { position_ = 0; }

  const CompiledModel &model() const { return model_; }
  int threads() const;
  /// The executor that compiled code sees (KV cache, scratch, threads).
  TernExec &exec() { return *exec_; }

private:
  friend class CompiledModel;
  CompiledSession(const CompiledModel &model, int64_t contextLength);
  /// forward() and forwardLast().
  Expected<std::vector<float>> run(const std::vector<int32_t> &tokens,
                                   bool lastOnly);

  const CompiledModel &model_;
  int64_t contextLength_;
  int64_t position_ = 0;
  std::unique_ptr<TernExec> exec_;
  /// The activation arena, shared by decode and prefill.
  AnonymousMemory arena_;
  /// Logits of one call: prefill_chunk rows of f32, backed as they are
  /// written (a decode call touches one row, not the chunk's 65 MB at a
  /// 128k vocabulary).
  AnonymousMemory logits_;
  /// The tokens of one call, padded.
  std::vector<int32_t> chunk_;
};

} // namespace ternc

#endif // TERNC_RUNTIME_MODEL_COMPILEDMODEL_H
