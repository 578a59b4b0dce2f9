//===- CheckpointToGguf.h - Hugging Face checkpoint -> GGUF -----*- C++ -*-===//
//
// `ternc convert` and every command that takes a checkpoint directory: a
// BitNet b1.58 Hugging Face checkpoint (docs/formats.md §8) becomes the GGUF
// bitnet.cpp's converter writes for it (architecture bitnet-b1.58, its
// metadata keys and tensor names, ternary weights as I2_S), so the rest of
// ternc reads one format, and the converted file also runs in bitnet.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CHECKPOINT_CHECKPOINTTOGGUF_H
#define TERNC_COMPILER_CHECKPOINT_CHECKPOINTTOGGUF_H

#include "runtime/gguf/GgufFile.h"
#include "runtime/gguf/GgufWriter.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ternc::checkpoint {

/// A checkpoint's GGUF, ready to write, and what checking it warned of.
struct ConvertedCheckpoint {
  /// Reads the checkpoint as it writes, one tensor at a time.
  gguf::GgufWriter writer;
  /// Tensors the model does not use, and the like.
  std::vector<std::string> warnings;
};

/// Converts the checkpoint at `path` (a directory, or a .safetensors file in
/// one): config.json gives the hyper-parameters; every tensor's presence,
/// dtype and shape are checked first (checkBitNetCheckpoint) and its
/// contents as it is written, so a malformed checkpoint is an error naming
/// the file and tensor. Ternary weights become I2_S (trits and one scale,
/// packed ones decoded, float ones ternarized by the absmean rule), the
/// embedding (and an untied LM head) F16, norms F32. The vocabulary comes
/// from tokenizer.json, padded to vocab_size with unused [PAD<id>] tokens;
/// BOS and EOS from config.json where it names them; the chat template and
/// add_bos_token from tokenizer_config.json when present.
Expected<ConvertedCheckpoint> convertCheckpoint(const std::string &path);

/// A model as the compiler reads it: a GGUF file, mapped, or a Hugging Face
/// checkpoint converted into memory.
class ModelFile {
public:
  /// Opens `path`: a checkpoint when isCheckpointPath says so, else GGUF.
  static Expected<std::unique_ptr<ModelFile>> open(const std::string &path);

  const gguf::GgufFile &gguf() const { return *file_; }
  /// What converting a checkpoint warned of; empty for a GGUF file.
  const std::vector<std::string> &warnings() const { return warnings_; }

private:
  ModelFile() = default;

  std::vector<uint8_t> converted_;
  std::optional<gguf::GgufFile> file_;
  std::vector<std::string> warnings_;
};

} // namespace ternc::checkpoint

#endif // TERNC_COMPILER_CHECKPOINT_CHECKPOINTTOGGUF_H
