//===- Architecture.h - The model architectures ternc compiles --*- C++ -*-===//
//
// What a GGUF file of each supported architecture must contain: the metadata
// keys that give its hyper-parameters and the tensors, with their shapes as
// functions of those hyper-parameters. The checker, the synthetic model
// generator and the importer all read this one description
// (docs/formats.md §3 and §4).
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_MODEL_ARCHITECTURE_H
#define TERNC_COMPILER_MODEL_ARCHITECTURE_H

#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/GgufWriter.h"
#include "runtime/support/Error.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ternc::model {

/// The FFN's gate activation.
enum class FfnActivation { Relu2, Silu };

/// How RoPE pairs dimensions: NEOX rotates (i, i + d/2), NORM (GPT-J style)
/// rotates (2i, 2i + 1).
enum class RopeKind { Neox, Norm };

/// A model family ternc knows.
struct Architecture {
  /// The canonical general.architecture value, also the metadata key prefix.
  std::string_view name;
  /// Other general.architecture values read as this one (e.g. bitnet-25).
  std::vector<std::string_view> aliases;
  FfnActivation ffnActivation;
  RopeKind rope;
  /// attn_sub_norm before attn_output and ffn_sub_norm before ffn_down.
  bool subNorms;
  /// Optional blk.N.<matmul>.scale F32[1] tensors multiply matmul outputs.
  bool matmulScales;
  /// Converters write a separate output.weight (LM head). It is optional in
  /// every architecture: when absent the head is tied to token_embd.
  bool separateOutput;
};

/// The architecture named `name` or one of its aliases, or nullptr.
const Architecture *findArchitecture(std::string_view name);

/// All known architectures, canonical names first.
const std::vector<Architecture> &architectures();

/// Hyper-parameters, from "<arch>.*" metadata keys.
struct HyperParams {
  uint64_t vocabSize = 0;
  uint64_t contextLength = 0;
  uint64_t embeddingLength = 0;
  uint64_t blockCount = 0;
  uint64_t feedForwardLength = 0;
  uint64_t headCount = 0;
  uint64_t headCountKv = 0;
  uint64_t ropeDimensionCount = 0;
  float rmsEpsilon = 1e-5f;
  float ropeFreqBase = 10000.0f;

  uint64_t headDim() const { return embeddingLength / headCount; }
  /// Width of K and V: headDim() * headCountKv.
  uint64_t kvDim() const { return headDim() * headCountKv; }
};

/// Reads and validates the hyper-parameters of `file` as `arch`. Required:
/// context_length, embedding_length, block_count, feed_forward_length,
/// attention.head_count, attention.layer_norm_rms_epsilon. Defaults as
/// llama.cpp: head_count_kv = head_count, rope.dimension_count = head dim,
/// rope.freq_base = 10000, vocab_size = length of tokenizer.ggml.tokens (or
/// token_embd's ne[1]). Errors name the key and the constraint.
Expected<HyperParams> readHyperParams(const gguf::GgufFile &file,
                                      const Architecture &arch);

/// Writes the hyper-parameter keys in the order bitnet.cpp's converter uses.
/// tokenizer.ggml.add_bos_token is set between head_count_kv and the epsilon,
/// as in the official 2B4T file.
void writeHyperParams(gguf::GgufWriter &writer, const Architecture &arch,
                      const HyperParams &params, bool addBos);

/// What a tensor is for; it decides which storage types are acceptable.
enum class TensorRole {
  /// token_embd: any type ternc can dequantize.
  Embedding,
  /// Norm weights: F32, F16 or BF16 only.
  Norm,
  /// Ternary matmul weights: I2_S, TQ1_0, TQ2_0, or F32/F16/BF16 holding
  /// ternary values.
  Ternary,
  /// output.weight (LM head): any type ternc can dequantize.
  Output,
  /// Per-matmul F32 scalar scales.
  Scale,
};

/// A tensor the architecture defines.
struct TensorSpec {
  std::string name;
  /// Expected GGUF dimensions, ne[0] first.
  std::vector<uint64_t> ne;
  TensorRole role;
  bool required;
  /// Layer index, or -1 for model-level tensors.
  int layer;
};

/// The tensors of `arch` for `params`, in the order a converter writes them.
std::vector<TensorSpec> tensorSpecs(const Architecture &arch,
                                    const HyperParams &params);

/// Formats dimensions as "{2560, 640}".
std::string shapeString(const std::vector<uint64_t> &ne);

} // namespace ternc::model

#endif // TERNC_COMPILER_MODEL_ARCHITECTURE_H
