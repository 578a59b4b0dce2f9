//===- SyntheticModel.h - Random models of real architectures ---*- C++ -*-===//
//
// `ternc mkmodel`: writes a GGUF model of a real architecture with random
// ternary weights, so every stage of ternc can be tested and benchmarked
// without downloading a model. The `2b4t` preset has the exact shapes and
// metadata of bitnet.cpp's official BitNet b1.58 2B4T I2_S file; `tiny` is a
// few MB. Output is deterministic for a seed.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_MODEL_SYNTHETICMODEL_H
#define TERNC_COMPILER_MODEL_SYNTHETICMODEL_H

#include "compiler/model/Architecture.h"
#include "compiler/model/Vocabulary.h"
#include "runtime/gguf/TensorType.h"
#include "runtime/support/Error.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ternc::model {

/// What to generate.
struct SyntheticModelOptions {
  /// general.architecture: bitnet-b1.58, bitnet or llama.
  std::string architecture = "bitnet-b1.58";
  /// "tiny" or "2b4t" (bitnet-b1.58 only).
  std::string preset = "tiny";
  /// Storage of the ternary matmul weights: I2_S, TQ1_0, TQ2_0, F16, BF16 or
  /// F32.
  gguf::TensorType weightType = gguf::TensorType::I2_S;
  /// Storage of token_embd (and output.weight): F16, F32 or Q8_0.
  gguf::TensorType embeddingType = gguf::TensorType::F16;
  /// A Hugging Face tokenizer.json to import; empty for the built-in
  /// vocabulary.
  std::string tokenizerJson;
  uint64_t seed = 0;
  /// Multiplies output_norm.weight: the logits scale with it, so a gain
  /// makes random weights' next-token distributions as peaked as a trained
  /// model's (mean entropy 2-4 nats instead of about ln(vocab)). Finite
  /// and positive; 1 leaves the values as they were.
  float outputNormGain = 1.0f;
};

/// The hyper-parameters of `preset` (the same for every architecture) with a
/// vocabulary of `vocabSize` tokens (2b4t always has 128256).
Expected<HyperParams> presetHyperParams(const std::string &preset,
                                        uint64_t vocabSize);

/// Receives consecutive chunks of a float tensor's values: `rows` rows of
/// ne[0] values each, in GGUF order.
using FloatRowsConsumer =
    std::function<Status(const std::vector<float> &values, uint64_t rows)>;

/// A synthetic ternary matrix: trits in GGUF order (ne[0] innermost), 30%
/// -1, 40% 0 and 30% +1; the magnitude of master weights trit × magnitude
/// (a bf16 value about 1/sqrt(ne[0])); and the scale the absmean rule gives
/// on those masters, which the trits stand multiplied by in every format.
struct SyntheticTernary {
  std::vector<int8_t> trits;
  float masterMagnitude = 0;
  float scale = 0;
};

/// One synthetic model: its shapes, vocabulary and tensors' values, the same
/// whichever file format they are then written in. Float values are bf16
/// values that f16 holds exactly, so every format stores them exactly.
struct SyntheticModel {
  const Architecture *architecture = nullptr;
  HyperParams params;
  /// The tokenizer, padded with unused tokens to params.vocabSize.
  Vocabulary vocabulary;
  SyntheticModelOptions options;

  /// The tensors a file of this model holds: the architecture's, less a tied
  /// LM head and per-matmul scales.
  std::vector<TensorSpec> tensors() const;
  /// Calls `consume` on the values of the float tensor `spec` (embedding,
  /// LM head or norm) in chunks of at most `rowsPerChunk` rows.
  Status generateFloat(const TensorSpec &spec, uint64_t rowsPerChunk,
                       const FloatRowsConsumer &consume) const;
  /// The ternary tensor `spec`.
  SyntheticTernary ternary(const TensorSpec &spec) const;
};

/// The model `options` describe (checked: architecture, preset, types,
/// tokenizer).
Expected<SyntheticModel>
makeSyntheticModel(const SyntheticModelOptions &options);

/// Generates the model and writes it as GGUF to `path` (all or nothing).
Status writeSyntheticModel(const SyntheticModelOptions &options,
                           const std::string &path);

} // namespace ternc::model

#endif // TERNC_COMPILER_MODEL_SYNTHETICMODEL_H
