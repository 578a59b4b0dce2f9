//===- BitNetCheckpoint.h - BitNet b1.58 HF checkpoints ---------*- C++ -*-===//
//
// What ternc knows of microsoft/bitnet-b1.58-2B-4T's checkpoint layout
// (docs/formats.md §8): config.json's hyper-parameters, the Hugging Face name
// of each tensor of the bitnet-b1.58 architecture, and the shapes and dtypes
// those tensors take (ternary weights either packed four trits to a byte
// with a weight_scale, or as bf16/f16/f32 master weights). Import into the
// tern IR builds on this.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CHECKPOINT_BITNETCHECKPOINT_H
#define TERNC_COMPILER_CHECKPOINT_BITNETCHECKPOINT_H

#include "compiler/checkpoint/SafetensorsCheckpoint.h"
#include "compiler/model/Architecture.h"
#include "compiler/model/ModelCheck.h"

#include <optional>

namespace ternc::checkpoint {

/// config.json of a checkpoint, given the checkpoint's path (its directory,
/// or the directory of a .safetensors file given directly).
std::string configPathOf(const std::string &checkpointPath);

/// What config.json says of a BitNet b1.58 checkpoint.
struct BitNetConfig {
  model::HyperParams params;
  /// tie_word_embeddings (transformers' default: false): the LM head is the
  /// embedding, and lm_head.weight is absent.
  bool tiedEmbeddings = false;
  /// quantization_config.linear_class is "autobitlinear": packed weights
  /// stand for trits * weight_scale (otherwise trits / weight_scale).
  bool scaleMultiplies = false;
  /// bos_token_id and eos_token_id (the first, when a list), if present.
  std::optional<uint32_t> bosTokenId, eosTokenId;
};

/// Reads config.json at `path`: model_type "bitnet", hidden_size,
/// intermediate_size, num_hidden_layers, num_attention_heads,
/// num_key_value_heads (default: the head count), vocab_size,
/// max_position_embeddings, rms_norm_eps, rope_theta (default 10000),
/// hidden_act "relu2", tie_word_embeddings, quantization_config. Errors name
/// the file and the key.
Expected<BitNetConfig> readBitNetConfig(const std::string &path);

/// The Hugging Face name of the bitnet-b1.58 tensor `ggufName`
/// (blk.3.attn_q.weight -> model.layers.3.self_attn.q_proj.weight).
std::string huggingFaceName(std::string_view ggufName);

/// A ternary weight matrix decoded from a checkpoint: trits [rows][columns]
/// in {-1, 0, 1} and the one scale they stand multiplied by.
struct TernaryMatrix {
  int64_t rows = 0, columns = 0;
  std::vector<int8_t> trits;
  float scale = 0;
};

/// Decodes the packed weight `packed` (U8 [rows / 4, columns], four trits a
/// byte blocked along the output dimension: row i * rows / 4 + r is bits
/// 2i + 1 : 2i of byte row r, minus 1) with its one-element `scale` (BF16,
/// F16 or F32): the trits stand for trits * scale when `scaleMultiplies`
/// (linear_class autobitlinear), else trits / scale. Errors name the tensor:
/// a code 3, a scale that is not finite and positive.
Expected<TernaryMatrix> unpackTernary(const SafetensorsFile &file,
                                      const SafetensorsTensor &packed,
                                      const SafetensorsFile &scaleFile,
                                      const SafetensorsTensor &scale,
                                      bool scaleMultiplies);

/// Ternarizes the float master weights `weight` ([rows, columns], BF16, F16
/// or F32) by the absmean rule of bitnet.cpp's converter: m = mean |w| (the
/// f32 magnitudes summed in double, the mean rounded to f32), s = 1 / max(m,
/// 1e-5) (f32), trit = clamp(round_half_even(w * s), -1, 1), and the scale
/// 1 / s (f32): the value its I2_S file holds. Errors name the tensor and
/// the first value that is not finite.
Expected<TernaryMatrix> ternarizeMasters(const SafetensorsFile &file,
                                         const SafetensorsTensor &weight);

/// The ternary weight `name` of `checkpoint` (checked by
/// checkBitNetCheckpoint), decoded: packed ones with their `weight_scale` as
/// `config` says, float ones by the absmean rule.
Expected<TernaryMatrix> decodeTernaryWeight(
    const SafetensorsCheckpoint &checkpoint, const BitNetConfig &config,
    const std::string &name);

/// Checks that `checkpoint` holds every tensor `config` implies, each with
/// the dtype and shape that layout allows, decodes every ternary weight
/// (unpackTernary, ternarizeMasters) when `decodeContents` (a converter,
/// which decodes them anyway, passes false), and reports tensors it does not
/// use; each finding names the tensor, what it is and what was expected.
std::vector<model::Diagnostic>
checkBitNetCheckpoint(const SafetensorsCheckpoint &checkpoint,
                      const BitNetConfig &config, bool decodeContents = true);

} // namespace ternc::checkpoint

#endif // TERNC_COMPILER_CHECKPOINT_BITNETCHECKPOINT_H
