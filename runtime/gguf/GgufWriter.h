//===- GgufWriter.h - Write GGUF v3 files -----------------------*- C++ -*-===//
//
// Builds a GGUF v3 file from metadata and tensors. The output is what both
// ternc's reader and llama.cpp-family readers accept: tensors are aligned and
// packed in info order (offset[i] = sum of padded sizes before it), which
// upstream ggml requires. Tensor bytes are produced one tensor at a time by a
// callback, so multi-GB models are written without holding them in memory,
// and the file appears only once it is complete.
//
//===----------------------------------------------------------------------===//

#ifndef TERNC_RUNTIME_GGUF_GGUFWRITER_H
#define TERNC_RUNTIME_GGUF_GGUFWRITER_H

#include "runtime/gguf/GgufFile.h"
#include "runtime/support/OutputFile.h"

#include <functional>
#include <string>
#include <vector>

namespace ternc::gguf {

/// An owned metadata value, for writing.
struct MetadataValue {
  ValueType type = ValueType::UInt8;
  uint64_t bits = 0; // Scalars, little-endian in the low bytes.
  std::string string;
  ValueType elementType = ValueType::UInt8;
  uint64_t arraySize = 0;
  std::vector<uint8_t> arrayBytes;  // Packed numeric elements.
  std::vector<std::string> strings; // String elements.

  /// A scalar of `type` whose little-endian bytes are the low bytes of
  /// `bits`.
  static MetadataValue ofScalar(ValueType type, uint64_t bits);
  static MetadataValue ofU32(uint32_t value);
  static MetadataValue ofI32(int32_t value);
  static MetadataValue ofU64(uint64_t value);
  static MetadataValue ofF32(float value);
  static MetadataValue ofBool(bool value);
  static MetadataValue ofString(std::string value);
  static MetadataValue ofStrings(std::vector<std::string> values);
  static MetadataValue ofF32Array(const std::vector<float> &values);
  static MetadataValue ofI32Array(const std::vector<int32_t> &values);
  /// A copy of a value read from a file.
  static MetadataValue fromValue(const Value &value);
};

/// Accumulates metadata and tensors, then writes them as one GGUF file.
class GgufWriter {
public:
  /// Produces exactly `size` bytes of tensor data into `destination`.
  using Fill = std::function<Status(uint8_t *destination, uint64_t size)>;

  /// `convention` decides the type ids written (I2_S needs BitnetCpp).
  explicit GgufWriter(TypeIdConvention convention = TypeIdConvention::BitnetCpp)
      : convention_(convention) {}

  /// Sets `key`; a key set twice keeps its first position. The data
  /// alignment follows general.alignment (default 32) whenever it is set.
  void set(const std::string &key, MetadataValue value);
  /// Sets general.alignment (u32) after checking that it is a power of two
  /// and a multiple of 8.
  Status setAlignment(uint32_t alignment);

  /// Adds a tensor with dimensions `ne` (ne[0] innermost) whose bytes `fill`
  /// produces at write time. Fails on an invalid name, shape or type.
  Status addTensor(const std::string &name, TensorType type,
                   std::vector<uint64_t> ne, Fill fill);
  /// Adds a tensor from bytes already in memory (must be its exact size).
  Status addTensor(const std::string &name, TensorType type,
                   std::vector<uint64_t> ne, std::vector<uint8_t> bytes);

  /// Receives the file's bytes in order.
  using Sink = ByteSink;

  /// Writes the file; on failure no file is left at `path`.
  Status write(const std::string &path) const;
  /// Serializes the file into memory (tests, fuzzing seeds).
  Expected<std::vector<uint8_t>> writeToMemory() const;
  /// Serializes the file through `sink`, one tensor's fill at a time.
  Status serialize(const Sink &sink) const;
  /// Where serialize() will put each tensor's data: its offset from the
  /// start of the file, in the order the tensors were added. Runs no fill.
  Expected<std::vector<uint64_t>> tensorOffsets() const;
  /// Each tensor's offset from the start of the tensor data (what its
  /// tensor info records), in the order the tensors were added. Builds no
  /// header and runs no fill.
  Expected<std::vector<uint64_t>> tensorDataOffsets() const;
  /// The size of the file serialize() will produce. Runs no fill.
  Expected<uint64_t> fileSize() const;

private:
  struct PendingTensor {
    std::string name;
    TensorType type;
    std::vector<uint64_t> ne;
    uint64_t byteSize;
    Fill fill;
  };
  /// The header (metadata and tensor infos), padded to the alignment.
  Expected<std::vector<uint8_t>> header() const;
  /// Each tensor's offset from the start of the tensor data, then the
  /// data's size: the one layout of the data, aligned.
  Expected<std::vector<uint64_t>> dataLayout() const;
  /// Each tensor's data offset in the file, then the file's size.
  Expected<std::vector<uint64_t>> dataBoundaries() const;
  /// The data alignment: general.alignment if set and valid, else 32.
  Expected<uint64_t> alignment() const;

  TypeIdConvention convention_;
  std::vector<std::pair<std::string, MetadataValue>> metadata_;
  std::vector<PendingTensor> tensors_;
};

} // namespace ternc::gguf

#endif // TERNC_RUNTIME_GGUF_GGUFWRITER_H
