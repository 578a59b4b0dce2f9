//===- SafetensorsFile.h - The safetensors container, checked ---*- C++ -*-===//
//
// A Hugging Face checkpoint stores its tensors in safetensors files: an
// 8-byte little-endian header length N, N bytes of JSON naming each tensor's
// dtype, shape and byte range, then the data (docs/formats.md §8). Every
// length, shape, offset and range is checked before anything is read or
// allocated from it, with the same bar as the GGUF reader: a malformed file
// is an error naming the file, the tensor and what was expected.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_COMPILER_CHECKPOINT_SAFETENSORSFILE_H
#define TERNC_COMPILER_CHECKPOINT_SAFETENSORSFILE_H

#include "runtime/support/Bytes.h"
#include "runtime/support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ternc {
class MappedFile;
} // namespace ternc

namespace ternc::checkpoint {

/// The element types safetensors names ("dtype").
enum class Dtype {
  Bool,
  U8,
  I8,
  U16,
  I16,
  F16,
  BF16,
  U32,
  I32,
  F32,
  U64,
  I64,
  F64,
  F8_E4M3,
  F8_E5M2,
};

/// The dtype's name as safetensors spells it ("BF16").
std::string_view dtypeName(Dtype dtype);
/// Bytes per element.
uint64_t dtypeSize(Dtype dtype);
/// Whether `dtype` is BF16, F16 or F32.
bool isFloatDtype(Dtype dtype);
/// Element `index` of a BF16, F16 or F32 tensor's `bytes`, as f32 (exact);
/// the caller checks the bounds.
float floatElement(Dtype dtype, ByteSpan bytes, uint64_t index);

/// One tensor of a safetensors file.
struct SafetensorsTensor {
  std::string name;
  Dtype dtype = Dtype::F32;
  /// Outermost dimension first, as stored (row-major); empty for a scalar.
  std::vector<uint64_t> shape;
  uint64_t elements = 1;
  /// Its bytes [begin, end), counted from the start of the data.
  uint64_t begin = 0, end = 0;

  /// The shape as "[2560, 640]".
  std::string shapeString() const;
};

/// A parsed, checked safetensors file: tensors and `__metadata__`.
class SafetensorsFile {
public:
  /// Headers longer than this are refused (as the reference reader does).
  static constexpr uint64_t kMaxHeaderBytes = 100'000'000;

  /// Maps and parses the file at `path`.
  static Expected<SafetensorsFile> open(const std::string &path);
  /// Parses bytes already in memory; `name` is used in messages. The caller
  /// keeps `bytes` alive while the file is used.
  static Expected<SafetensorsFile> parse(ByteSpan bytes, std::string name);

  const std::string &name() const { return name_; }
  uint64_t fileSize() const { return bytes_.size; }
  /// Where the data begins: 8 + the header's length.
  uint64_t dataOffset() const { return dataOffset_; }
  /// The tensors in the order of their data.
  const std::vector<SafetensorsTensor> &tensors() const { return tensors_; }
  /// The tensor named `name`, or nullptr.
  const SafetensorsTensor *findTensor(std::string_view name) const;
  /// `__metadata__`'s pairs, sorted by key.
  const std::vector<std::pair<std::string, std::string>> &metadata() const {
    return metadata_;
  }
  /// The bytes of `tensor`, in place.
  ByteSpan tensorData(const SafetensorsTensor &tensor) const {
    return bytes_.slice(dataOffset_ + tensor.begin, tensor.end - tensor.begin);
  }
  /// Drops the pages of `tensor`'s data from memory when the file is mapped
  /// (they are read again if used); nothing when parsed from memory.
  void releaseTensorData(const SafetensorsTensor &tensor) const;

private:
  friend class HeaderReader;
  SafetensorsFile() = default;

  std::string name_;
  std::shared_ptr<MappedFile> mapping_; // Null when parsed from memory.
  ByteSpan bytes_;
  uint64_t dataOffset_ = 0;
  std::vector<SafetensorsTensor> tensors_;
  std::vector<std::pair<std::string, std::string>> metadata_;
};

} // namespace ternc::checkpoint

#endif // TERNC_COMPILER_CHECKPOINT_SAFETENSORSFILE_H
