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
#include "runtime/gguf/TensorType.h"
#include "runtime/support/Error.h"

#include <cstdint>
#include <string>

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

/// Generates the model and writes it to `path` (all or nothing).
Status writeSyntheticModel(const SyntheticModelOptions &options,
                           const std::string &path);

} // namespace ternc::model

#endif // TERNC_COMPILER_MODEL_SYNTHETICMODEL_H
