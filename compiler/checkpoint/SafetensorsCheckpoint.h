//===- SafetensorsCheckpoint.h - A checkpoint's files -----------*- C++ -*-===//
//
// A Hugging Face checkpoint keeps its tensors in one `model.safetensors` or
// in shards listed by `model.safetensors.index.json` (`weight_map`: tensor
// name -> shard file). This opens either (or one .safetensors file given
// directly), checks that the index and the shards agree tensor by tensor,
// and finds each tensor by name.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CHECKPOINT_SAFETENSORSCHECKPOINT_H
#define TERNC_COMPILER_CHECKPOINT_SAFETENSORSCHECKPOINT_H

#include "compiler/checkpoint/SafetensorsFile.h"

#include <map>

namespace ternc::checkpoint {

/// Whether `path` names a Hugging Face checkpoint rather than a GGUF file: a
/// directory, or a file whose name ends in .safetensors.
bool isCheckpointPath(const std::string &path);

/// The safetensors files of one checkpoint and the tensors in them.
class SafetensorsCheckpoint {
public:
  /// A tensor and the file that holds it.
  struct Entry {
    const SafetensorsFile *file = nullptr;
    const SafetensorsTensor *tensor = nullptr;
  };

  /// Opens `path`: a `.safetensors` file, or a checkpoint directory holding
  /// `model.safetensors.index.json` and the shards it names (plain file
  /// names in the directory), or else `model.safetensors`.
  static Expected<SafetensorsCheckpoint> open(const std::string &path);

  /// The path given to open.
  const std::string &name() const { return name_; }
  /// The index file, or "" for a single file.
  const std::string &indexPath() const { return indexPath_; }
  /// The files, in the order of their names.
  const std::vector<SafetensorsFile> &files() const { return files_; }
  /// Every tensor by name.
  const std::map<std::string, Entry, std::less<>> &tensors() const {
    return tensors_;
  }
  /// The tensor named `name` (both pointers null when absent).
  Entry find(std::string_view name) const;

private:
  SafetensorsCheckpoint() = default;
  /// Fills tensors_ from files_, refusing a name held by two files.
  Status indexTensors();

  std::string name_, indexPath_;
  std::vector<SafetensorsFile> files_;
  std::map<std::string, Entry, std::less<>> tensors_;
};

} // namespace ternc::checkpoint

#endif // TERNC_COMPILER_CHECKPOINT_SAFETENSORSCHECKPOINT_H
