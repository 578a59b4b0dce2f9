//===- SyntheticCheckpoint.h - Synthetic Hugging Face checkpoints -*- C++ -*-===//
//
// `ternc mkmodel --format=hf-packed|hf-bf16`: a synthetic model written as the
// Hugging Face checkpoint directory of a BitNet b1.58 model (docs/formats.md
// §8), so checkpoint import and conversion are tested without downloads.
// The weights are those of the GGUF mkmodel writes for the same options:
// hf-packed stores its trits and scales, hf-bf16 master weights that the
// absmean rule ternarizes to them.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CHECKPOINT_SYNTHETICCHECKPOINT_H
#define TERNC_COMPILER_CHECKPOINT_SYNTHETICCHECKPOINT_H

#include "compiler/model/SyntheticModel.h"

#include <string>

namespace ternc::checkpoint {

/// How a checkpoint stores its ternary weights.
enum class CheckpointLayout {
  /// As microsoft/bitnet-b1.58-2B-4T: U8 [out / 4, in], four trits a byte,
  /// and an F32 `weight_scale` they are multiplied by (linear_class
  /// autobitlinear); every other tensor BF16.
  Packed,
  /// As microsoft/bitnet-b1.58-2B-4T-bf16: every tensor BF16, the ternary
  /// ones as master weights trit × magnitude.
  Bf16,
};

/// Writes `model` (architecture bitnet-b1.58) into the new or empty
/// directory `directory`: config.json, tokenizer.json,
/// tokenizer_config.json and model.safetensors, or with `shards` > 1 that
/// many model-0000i-of-0000n.safetensors and model.safetensors.index.json.
/// Each file appears whole or not at all.
Status writeSyntheticCheckpoint(const model::SyntheticModel &model,
                                CheckpointLayout layout, unsigned shards,
                                const std::string &directory);

} // namespace ternc::checkpoint

#endif // TERNC_COMPILER_CHECKPOINT_SYNTHETICCHECKPOINT_H
